"""Background calls owned by one page: pending until their result is delivered, cancellable together on close.

Ownership rule: every QObject here is either a Qt child (deleted with its parent, on the GUI thread) or freed by reference
count on the GUI thread. A Python-owned QObject left in a reference cycle would be destroyed by whichever thread the
garbage collector happens to run in — a pool thread — and Qt crashes when an object dies outside its thread.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QTimer, Signal

from app.ui.common import workers
from app.ui.common.workers import Call, run_in_pool

log = logging.getLogger(__name__)


class Progress(QObject):
    """Call `report(done, total)` from any thread; `changed(done, total)` arrives on the GUI thread, at most every 100 ms
    and always for the last step. Signal(object, object): byte counts overflow a C++ int."""

    changed = Signal(object, object)

    def __init__(self, interval_s: float = 0.1) -> None:
        super().__init__()
        self._interval = interval_s
        self._last = 0.0

    def report(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done >= total or now - self._last >= self._interval:
            self._last = now
            self.changed.emit(done, total)


class _Pending(QObject):
    """One call's receiver, a child of its TaskGroup: its bound slots make Qt queue the result to the GUI thread."""

    def __init__(
        self, group: TaskGroup, on_done: Callable[[Any], None], on_error: Callable[[str], None] | None, what: str
    ) -> None:
        super().__init__(group)
        self.group: TaskGroup | None = group
        self.on_done: Callable[[Any], None] | None = on_done
        self.on_error = on_error
        self.what = what
        self.call: Call | None = None

    def _on_call_finished(self, result: object) -> None:
        on_done = self.on_done
        if self.group is not None and self.group.release(self) and on_done is not None:
            on_done(result)

    def _on_call_failed(self, message: str) -> None:
        on_error = self.on_error
        if self.group is None or not self.group.release(self):
            return
        if on_error is not None:
            on_error(message)
        else:
            log.warning("%s failed: %s", self.what, message)

    def forget(self) -> None:
        """Drop every reference (callbacks hold the page): nothing of this call is left to a garbage collector."""
        self.group = self.on_done = self.on_error = None
        self.call = None
        if shiboken6.isValid(self):  # else its group, and so the page, is gone already and took it along
            self.deleteLater()


class TaskGroup(QObject):
    """Starts calls in the pool; `pending()` counts those whose result has not been handled yet.

    After `close()` results are dropped (the page may be gone) and every cancel event handed out is set, so copies and
    hashes stop at their next chunk.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pending: set[_Pending] = set()
        self._finished: list[_Pending] = []
        self._cancels: list[threading.Event] = []
        self.closed = False
        self._purge_timer = QTimer(self)  # a child: it dies with the group, so it never fires for a deleted one
        self._purge_timer.setSingleShot(True)
        self._purge_timer.timeout.connect(self._purge)

    def start(
        self,
        fn: Callable[[], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[str], None] | None = None,
        *,
        what: str = "background call",
    ) -> None:
        """Run fn in the pool; on_done(result) or on_error(one line) then run on the GUI thread, unless closed."""
        if self.closed:
            return
        pending = _Pending(self, on_done, on_error, what)
        self._pending.add(pending)
        pending.call = run_in_pool(fn, pending._on_call_finished, pending._on_call_failed)

    def cancel_event(self) -> threading.Event:
        """A fresh event that close() sets."""
        event = threading.Event()
        self._cancels = [e for e in self._cancels if not e.is_set()]
        self._cancels.append(event)
        if self.closed:
            event.set()
        return event

    def release(self, pending: _Pending) -> bool:
        """Forget a delivered call; True if its callback should still run.

        The receiver is not freed inside its own slot, nor while the worker still holds its Call (the last reference to
        the Call and its signals must drop on this thread): a timer frees it once the event loop is back at the top.
        """
        self._pending.discard(pending)
        self._finished.append(pending)
        if not self._purge_timer.isActive():
            self._purge_timer.start(0)
        return not self.closed

    def _purge(self) -> None:
        keep = []
        for p in self._finished:
            if p.call is not None and p.call in workers._running:
                keep.append(p)
            else:
                p.forget()
        self._finished = keep
        if keep:
            self._purge_timer.start(10)

    def pending(self) -> int:
        return len(self._pending)

    def running(self) -> list[str]:
        """What is still pending, for logs."""
        return sorted(p.what for p in self._pending)

    def close(self) -> None:
        self.closed = True
        for event in self._cancels:
            event.set()
