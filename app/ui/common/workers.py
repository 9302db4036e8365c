"""Running slow calls off the GUI thread: a QRunnable per call, its result delivered by signal on the GUI thread."""

from __future__ import annotations

import logging
import weakref
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThread, QThreadPool, Signal

from app.ui.common.errors import error_text
from core.errors import is_expected

log = logging.getLogger(__name__)

threads: weakref.WeakSet[QThread] = weakref.WeakSet()
"""Every long-lived QThread the UI starts, so tests can check none is left running."""


_running: set[Call] = set()


def start_thread(thread: QThread) -> None:
    threads.add(thread)
    thread.start()


class _Signals(QObject):
    finished = Signal(object)
    failed = Signal(str)


class Call(QRunnable):
    """`fn()` in the global thread pool; `finished(result)` or `failed(one-line message)` arrive on the receiver's thread.

    The message comes from app.ui.common.errors.error_text: an unexpected exception (a bug) also opens the crash dialog."""

    def __init__(self, fn: Callable[[], Any]) -> None:
        super().__init__()
        self._fn = fn
        self.signals = _Signals()
        self.done = False

    def run(self) -> None:
        try:
            try:
                result = self._fn()
            except Exception as e:  # the page shows it in one line; a bug also reaches the crash dialog
                if is_expected(e):  # expected (offline, a bad file...): one line; the traceback only in a debug log
                    log.info("background call failed: %s", e)
                    log.debug("background call failed", exc_info=True)
                self.signals.failed.emit(error_text(e))
            else:
                # A receiver closed meanwhile (a page, the window) is fine: Qt drops the delivery.
                self.signals.finished.emit(result)
        except RuntimeError:  # the application itself is gone (quitting): nobody is left to tell
            log.debug("background call finished after the application quit")
        finally:
            self.done = True
            _running.discard(self)


def run_in_pool(fn: Callable[[], Any], on_done: Callable[[Any], None], on_error: Callable[[str], None] | None = None) -> Call:
    """Start fn in the pool. Pass bound methods of QObjects living on the GUI thread as callbacks: Qt then queues the
    signal to that thread (a plain function would run in the worker)."""
    call = Call(fn)
    call.setAutoDelete(False)  # Python owns it: _running keeps it (and its signals) alive until run() ends
    _running.add(call)
    call.signals.finished.connect(on_done)
    if on_error is not None:
        call.signals.failed.connect(on_error)
    QThreadPool.globalInstance().start(call)
    return call
