"""Starting the GUI: logging, the Qt application, the style, the crash dialog, the main window."""

from __future__ import annotations

import gc
import logging
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QProcess, QThread, QThreadPool, QTimer, Signal
from PySide6.QtGui import QFileOpenEvent
from PySide6.QtWidgets import QApplication, QMessageBox

from app import paths
from app.logs import current_log_path, format_exception_report, log_unhandled, setup_logging
from app.settings import load_settings
from app.store import Store, StoreError
from app.ui.common import garbage, i18n
from hardware.report import HardwareReport

if TYPE_CHECKING:
    from app.ui.single_instance import InstanceServer  # imported when the GUI starts (run_gui)

log = logging.getLogger(__name__)
STYLE = paths.resource_path("style.qss")
_shown_callbacks: list[Callable[[], None]] = []


def on_shown(callback: Callable[[], None]) -> None:
    """Call `callback` once the main window has been shown and painted (the startup benchmark uses it)."""
    _shown_callbacks.append(callback)


class _CrashReporter(QObject):
    """Lives on the GUI thread; an exception raised in another thread reaches the dialog through its queued signal."""

    raised = Signal(str, str, str)

    def __init__(self) -> None:
        super().__init__()
        self.raised.connect(self._on_self_raised)

    def _on_self_raised(self, headline: str, details: str, log_path: str) -> None:
        _show_crash_dialog(headline, details, log_path)


_reporter: _CrashReporter | None = None
_dialog_open = False


def install_excepthook() -> None:
    """Route unhandled exceptions, from the GUI thread and from Python threads, to the log and the crash dialog."""
    global _reporter
    if _reporter is None:
        _reporter = _CrashReporter()
    sys.excepthook = _excepthook
    threading.excepthook = _thread_excepthook


def _thread_excepthook(args: threading.ExceptHookArgs) -> None:
    if args.exc_value is None or issubclass(args.exc_type, SystemExit):
        return
    _excepthook(args.exc_type, args.exc_value, args.exc_traceback)


def _excepthook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    """An unhandled exception: log it, then show what happened and where the log is — never die silently."""
    global _reporter
    log_unhandled(exc_type, exc, tb)
    app = QApplication.instance()
    if app is None:
        sys.__excepthook__(exc_type, exc, tb)
        return
    log_path = current_log_path()
    headline = f"{exc_type.__name__}: {exc}"
    details = format_exception_report(exc_type, exc, tb, log_path)
    if QThread.currentThread() is app.thread():
        _show_crash_dialog(headline, details, str(log_path))
    else:
        if _reporter is None:
            _reporter = _CrashReporter()
            _reporter.moveToThread(app.thread())
        _reporter.raised.emit(headline, details, str(log_path))  # widgets only on the GUI thread


def report_bug(exc: BaseException) -> None:
    """An exception a page or a background call caught that is not an expected error: log it and show the crash dialog,
    from any thread (app.ui.common.errors.error_text calls it)."""
    _excepthook(type(exc), exc, exc.__traceback__)


def _show_crash_dialog(headline: str, details: str, log_path: str) -> None:
    global _dialog_open
    if _dialog_open:
        # One dialog at a time: an error in a paint handler would otherwise stack dialogs forever. It is logged.
        log.warning("another unhandled error while the crash dialog is open: %s", headline)
        return
    _dialog_open = True
    try:
        box = QMessageBox(QMessageBox.Icon.Critical, i18n.translate("App", "Modelwerk — unexpected error"), headline)
        box.setInformativeText(i18n.translate("App", "The details were written to {path}. Modelwerk keeps running.")
                               .format(path=log_path))  # fmt: skip
        box.setDetailedText(details)
        box.exec()
    finally:
        _dialog_open = False


class FileOpenFilter(QObject):
    """macOS hands a double-clicked document to the running app as a FileOpen event, not as an argument."""

    files_opened = Signal(list)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FileOpen and isinstance(event, QFileOpenEvent) and event.file():
            self.files_opened.emit([Path(event.file())])
            return True
        return super().eventFilter(watched, event)


def create_app(argv: list[str]) -> QApplication:
    app = QApplication.instance() or QApplication(["modelwerk", *argv])
    assert isinstance(app, QApplication)
    garbage.install(app)  # cycles of QObjects are freed on this thread, never on a pool thread
    app.setApplicationName("Modelwerk")
    app.setOrganizationName("Modelwerk")
    if STYLE.exists():
        app.setStyleSheet(STYLE.read_text(encoding="utf-8"))
    # English until the settings say otherwise (run_gui): its catalogue holds the plural forms ("1 model", "2 models").
    i18n.install("en")
    return app


def run_gui(argv: list[str] | None = None, *, report: HardwareReport | None = None, files: list[Path] | None = None) -> int:
    """Open the main window and run the event loop; returns the exit code.

    `files` are opened in it (imported, or shown when already in the Library). When Modelwerk already runs for this data
    folder, they go to that window instead and this call returns 0 at once.
    """
    setup_logging(paths.log_dir())
    app = create_app(argv or [])
    from app.ui.single_instance import InstanceServer, send_to_running

    if send_to_running(files or []):
        log.info("handed %d file(s) to the running Modelwerk", len(files or []))
        return 0
    server = InstanceServer()
    server.listen()
    hooks = sys.excepthook, threading.excepthook
    install_excepthook()
    try:
        code, restart = _run(app, report, server, files or [])
    finally:
        server.close()
        sys.excepthook, threading.excepthook = hooks
    if restart:  # the Settings dialog's "Restart now": a new process, once this one no longer holds the instance
        program, *args = restart_command()
        if not QProcess.startDetached(program, args):
            log.warning("could not start Modelwerk again: %s", " ".join(restart_command()))
    return code


def restart_command() -> list[str]:
    """How to start this Modelwerk again: the bundle's executable, or this Python with `-m app`."""
    return [sys.executable] if getattr(sys, "frozen", False) else [sys.executable, "-m", "app"]


def _run(
    app: QApplication, report: HardwareReport | None, server: InstanceServer, files: list[Path]
) -> tuple[int, bool]:
    """The event loop; returns the exit code and whether the user asked for a restart."""
    i18n.install("auto")  # the system's language until the settings are read
    try:
        store = Store.open(paths.database_path())
    except StoreError as e:
        from app.ui.common.errors import error_line  # imported late, as the window is

        QMessageBox.critical(None, i18n.translate("App", "Modelwerk cannot start"), error_line(e))
        return 1, False
    from app.ui.main_window import MainWindow  # after QApplication: widgets need it

    with store:
        settings = load_settings(store)
        i18n.install(settings.language)  # before the window: its texts are translated as it is built
        window = MainWindow(settings, report=report, store=store, demo=True, welcome=True)
        window.show()
        # The objects of start-up live as long as the window: keep them out of the cyclic GC's full passes, which
        # otherwise walk all of them (~20 ms on a small machine) every so often while an answer streams.
        gc.freeze()
        server.files_received.connect(window.open_paths)
        opener = FileOpenFilter(app)
        opener.files_opened.connect(window.open_paths)
        app.installEventFilter(opener)
        if files:
            QTimer.singleShot(0, lambda: window.open_paths(files))
        for callback in _shown_callbacks:
            QTimer.singleShot(0, callback)
        code = app.exec()
        # Background calls still running (a probe at a quick close) must end before the interpreter does.
        QThreadPool.globalInstance().waitForDone(10_000)
        return code, window.restart_requested
