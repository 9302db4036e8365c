"""GUI tests: fail when a test leaves a QThread or a pool task running."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import QLocale, QThreadPool
from PySide6.QtWidgets import QApplication

from app.ui import app as gui
from app.ui.common import garbage, i18n, workers

_REAL_REPORT_BUG = gui.report_bug
_REAL_SHOW_CRASH_DIALOG = gui._show_crash_dialog


@pytest.fixture
def real_report_bug() -> Callable[[BaseException], None]:
    """app.ui.app.report_bug itself (crash_reports replaces it): for a test of the route to the dialog."""
    return _REAL_REPORT_BUG


@pytest.fixture
def real_crash_dialog(monkeypatch: pytest.MonkeyPatch) -> None:
    """The crash dialog itself (crash_reports replaces it): for a test of the dialog, which fakes QMessageBox.exec."""
    monkeypatch.setattr(gui, "_show_crash_dialog", _REAL_SHOW_CRASH_DIALOG)


@pytest.fixture(autouse=True)
def crash_reports(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[BaseException]]:
    """Bugs that reached the crash dialog (app.ui.app.report_bug), recorded instead of shown (a modal dialog would hang
    the test). A test that expects one clears the list; any other fails the test."""
    reported: list[BaseException] = []
    monkeypatch.setattr(gui, "report_bug", reported.append)
    shown: list[str] = []  # an unhandled exception (sys/threading excepthook) shows the dialog directly: never modal here
    monkeypatch.setattr(gui, "_show_crash_dialog", lambda headline, details, log_path: shown.append(details))
    yield reported
    assert not reported, f"unexpected errors reached the crash dialog: {[repr(e) for e in reported]}"
    assert not shown, f"unhandled exceptions reached the crash dialog: {shown}"


@pytest.fixture(autouse=True, scope="session")
def gc_on_the_gui_thread(qapp: QApplication) -> None:
    """As the app does at start (app.ui.common.garbage): the cyclic collector runs on this thread only, so a widget in a
    garbage cycle is never destroyed on a pool thread."""
    garbage.install(qapp)


@pytest.fixture(autouse=True, scope="session")
def english(qapp: QApplication) -> None:
    """The interface language as the app installs it at start (English here: its catalogue has the plural forms)."""
    i18n.install("en")


@pytest.fixture
def german() -> Iterator[None]:
    """The interface in German for one test, English again after it."""
    before = QLocale()
    assert i18n.install("de") == "de"
    yield
    i18n.install("en")
    QLocale.setDefault(before)


@pytest.fixture(autouse=True)
def no_thread_left(qapp: QApplication) -> Iterator[None]:
    yield
    assert QThreadPool.globalInstance().waitForDone(10_000), "a background task is still running"
    garbage.collect_due()
    running = [t.objectName() for t in list(workers.threads) if t.isRunning()]
    assert not running, f"QThreads left running: {running}"
