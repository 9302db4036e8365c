"""The Qt binding itself: PySide6 6.12.0 on Python 3.11 returns None from every void method without a reference, so a long
session (a streaming chat re-renders thousands of times) ends in "Fatal Python error: none_dealloc".
pyproject.toml excludes it."""

from __future__ import annotations

import sys

from PySide6.QtGui import QTextCursor, QTextDocument
from PySide6.QtWidgets import QLabel


def test_void_calls_keep_the_reference_count_of_none(qtbot: object) -> None:
    label = QLabel()
    cursor = QTextCursor(QTextDocument())
    before = sys.getrefcount(None)
    for _ in range(1000):
        label.setText("x")
        cursor.insertText("y")
    # Other threads may take or drop a few references meanwhile; the bug drops 2000.
    assert abs(sys.getrefcount(None) - before) < 200
