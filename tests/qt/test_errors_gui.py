"""The GUI's one place for errors: an expected error in a page action is one line on the page; a bug reaches the crash
dialog with the log path."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QThreadPool
from pytestqt.qtbot import QtBot

from app import paths
from app.jobs import open_queue
from app.logs import setup_logging
from app.ui import app as gui
from app.ui.jobs.page import JobsPage
from hardware.fit import FitOptions
from quantize.job import JobQueueError
from quantize.queue import JobQueue


@pytest.fixture
def page(qtbot: QtBot, tmp_path: Path) -> Iterator[JobsPage]:
    queue = open_queue()
    p = JobsPage(queue, catalog=None, models_dir=tmp_path / "out", options=FitOptions())
    qtbot.addWidget(p)
    p.start()
    yield p
    p.shutdown()
    p.deleteLater()
    QThreadPool.globalInstance().waitForDone(10_000)  # as the main window does: no page call may outlive the queue
    queue.close()


def _fail_with(error: Exception) -> None:
    raise error


def test_an_expected_error_in_a_page_action_is_one_line(qtbot: QtBot, page: JobsPage,
                                                         crash_reports: list[BaseException]) -> None:  # fmt: skip
    with qtbot.waitSignal(page.status_message, timeout=5000) as shown:
        page._call(lambda: _fail_with(JobQueueError("job 3 is running: cancel it first")), what="test")
    assert shown.args == ["job 3 is running: cancel it first", 10_000]
    assert crash_reports == []


def test_a_bug_in_a_page_action_reaches_the_crash_dialog_with_the_log_path(
    qtbot: QtBot, page: JobsPage, crash_reports: list[BaseException], monkeypatch: pytest.MonkeyPatch,
    real_report_bug: Callable[[BaseException], None],
) -> None:
    log_file = setup_logging(paths.log_dir())
    dialogs: list[tuple[str, str, str]] = []
    monkeypatch.setattr(gui, "report_bug", real_report_bug)  # the real route, with the dialog itself replaced
    monkeypatch.setattr(gui, "_show_crash_dialog", lambda *shown: dialogs.append(shown))
    with qtbot.waitSignal(page.status_message, timeout=5000) as shown:
        page._call(lambda: _fail_with(KeyError("state")), what="test")
    qtbot.waitUntil(lambda: bool(dialogs), timeout=5000)
    headline, details, log_path = dialogs[0]
    assert headline == "KeyError: 'state'"
    assert log_path == str(log_file) and "Traceback" in details
    assert shown.args[0] == "bug: KeyError: 'state'"  # the page still leaves its busy state
    assert crash_reports == []
    assert isinstance(page.queue, JobQueue)
