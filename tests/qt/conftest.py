"""GUI tests: fail when a test leaves a QThread or a pool task running."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QApplication

from app.ui import workers


@pytest.fixture(autouse=True)
def no_thread_left(qapp: QApplication) -> Iterator[None]:
    yield
    assert QThreadPool.globalInstance().waitForDone(10_000), "a background task is still running"
    running = [t.objectName() for t in list(workers.threads) if t.isRunning()]
    assert not running, f"QThreads left running: {running}"
