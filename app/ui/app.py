"""Starting the GUI: logging, the Qt application, the style, the crash dialog, the main window."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QThreadPool, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from app import paths
from app.logs import current_log_path, format_exception_report, log_unhandled, setup_logging
from app.settings import load_settings
from app.store import Store, StoreError
from hardware.report import HardwareReport

log = logging.getLogger(__name__)
STYLE = Path(__file__).resolve().parents[2] / "resources" / "style.qss"
_shown_callbacks: list[Callable[[], None]] = []


def on_shown(callback: Callable[[], None]) -> None:
    """Call `callback` once the main window has been shown and painted (the startup benchmark uses it)."""
    _shown_callbacks.append(callback)


def _excepthook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    """An unhandled exception: log it, then show what happened and where the log is — never die silently."""
    log_unhandled(exc_type, exc, tb)
    if QApplication.instance() is None:
        sys.__excepthook__(exc_type, exc, tb)
        return
    box = QMessageBox(QMessageBox.Icon.Critical, "Modelwerk — unexpected error", f"{exc_type.__name__}: {exc}")
    box.setInformativeText(f"The details were written to {current_log_path()}. Modelwerk keeps running.")
    box.setDetailedText(format_exception_report(exc_type, exc, tb, current_log_path()))
    box.exec()


def create_app(argv: list[str]) -> QApplication:
    app = QApplication.instance() or QApplication(["modelwerk", *argv])
    assert isinstance(app, QApplication)
    app.setApplicationName("Modelwerk")
    app.setOrganizationName("Modelwerk")
    if STYLE.exists():
        app.setStyleSheet(STYLE.read_text(encoding="utf-8"))
    return app


def run_gui(argv: list[str] | None = None, *, report: HardwareReport | None = None) -> int:
    """Open the main window and run the event loop; returns the exit code."""
    setup_logging(paths.log_dir())
    app = create_app(argv or [])
    sys.excepthook = _excepthook
    try:
        store = Store.open(paths.database_path())
    except StoreError as e:
        QMessageBox.critical(None, "Modelwerk cannot start", str(e))
        return 1
    from app.ui.main_window import MainWindow  # after QApplication: widgets need it

    with store:
        window = MainWindow(load_settings(store), report=report)
        window.show()
        for callback in _shown_callbacks:
            QTimer.singleShot(0, callback)
        code = app.exec()
        # Background calls still running (a probe at a quick close) must end before the interpreter does.
        QThreadPool.globalInstance().waitForDone(10_000)
        return code
