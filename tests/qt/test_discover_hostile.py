"""Opening a hostile repository on the Discover page: its fit badge says the header is too large to check, at once and
for good, and the hub served a bounded number of bytes (issue 13, item 7)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fakehub import FakeHub
from fakehub.hostile import HUGE_STRING, hostile_repos
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from test_discover_page import TIMEOUT, _discover_window, cell, open_repo, search

from app.hub.remote_fit import TOO_LARGE_BADGE
from app.ui.discover.files_model import FileColumn
from app.ui.main_window import MainWindow


@pytest.fixture
def window(qtbot: QtBot, fakehub: FakeHub, monkeypatch: pytest.MonkeyPatch) -> Iterator[MainWindow]:
    hostile_repos(fakehub)
    monkeypatch.setenv("HF_ENDPOINT", fakehub.url)
    monkeypatch.delenv("HF_TOKEN", raising=False)
    yield from _discover_window(qtbot)


def test_a_header_too_large_to_check_says_so(qtbot: QtBot, window: MainWindow, fakehub: FakeHub) -> None:
    page = window.discover_page
    search(qtbot, page, "evil")
    open_repo(qtbot, page, HUGE_STRING)
    name = "Evil-Q4_K_M.gguf"
    qtbot.waitUntil(lambda: cell(page, name, FileColumn.FIT) == TOO_LARGE_BADGE, timeout=TIMEOUT)
    tip = str(cell(page, name, FileColumn.FIT, Qt.ItemDataRole.ToolTipRole))
    assert tip.startswith("Not checked") and "268,435,456 bytes" in tip
    assert page.repo.model.index(0, FileColumn.ACTION).data() == "Download"  # the user may still choose to get it
    assert sum(r.sent for r in fakehub.requests if "/resolve/" in r.path) <= 1 << 20
