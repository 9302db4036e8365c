"""Indexing a collection off the GUI thread: a QThread with its own DocumentStore (SQLite connections belong to the
thread that opened them) running app.documents.indexing.index_pending, with per-file progress, pause and cancel.

Pause only stops: the files not reached stay pending in documents.db and the next run (a Resume, or the next start of
the app) goes on with them. Cancel stops and then drops the plan (cancel_pending): files never indexed leave the
collection, files that were being checked again keep the passages they had.
"""

from __future__ import annotations

import enum
import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QThread, Signal

from app.documents.indexing import FileResult, IndexReport, Progress, cancel_pending, index_pending
from app.documents.store import DocumentStore
from app.ui.common.errors import error_text

log = logging.getLogger(__name__)
PROGRESS_INTERVAL_S = 0.1
"""Progress reaches the GUI at most this often: small files index in a millisecond each, and a signal per file would
queue faster than the window paints (hundreds of updates handled in one go starve its timers and input)."""


class Stop(enum.Enum):
    NONE = "none"
    PAUSE = "pause"
    CANCEL = "cancel"


@dataclass(frozen=True)
class IndexProgress:
    """Where the run is, and the files finished since the last report (each file once, in order)."""

    progress: Progress
    finished: list[FileResult] = field(default_factory=list)


@dataclass(frozen=True)
class IndexOutcome:
    """How a run ended: its report (None when it could not start), how it was stopped, what a cancel removed."""

    collection_id: int
    report: IndexReport | None
    stop: Stop
    removed: int = 0
    error: str = ""


class IndexThread(QThread):
    """One run of ``index_pending`` over one collection; ``progressed(IndexProgress)`` at most every 100 ms and for the
    last file, ``ended(IndexOutcome)`` once.

    Both signals are emitted on this thread and arrive queued on the GUI thread's receivers."""

    progressed = Signal(object)
    ended = Signal(object)

    def __init__(self, db_path: Path, collection_id: int) -> None:
        super().__init__()
        self.setObjectName(f"documents-indexing-{collection_id}")
        self.db_path = db_path
        self.collection_id = collection_id
        self._stop = threading.Event()
        self._how = Stop.NONE
        self._finished: list[FileResult] = []
        self._last_emit = 0.0

    def stop(self, how: Stop) -> None:
        """Ask the run to stop before the next file, or while a child reads one (it is stopped); a cancel wins over a
        pause asked for earlier."""
        if how is Stop.CANCEL or self._how is Stop.NONE:
            self._how = how
        self._stop.set()

    def _on_progress(self, p: Progress) -> None:
        if p.last is not None and (not self._finished or self._finished[-1] is not p.last):
            self._finished.append(p.last)
        now = time.monotonic()
        if p.current is None or p.done == 0 or now - self._last_emit >= PROGRESS_INTERVAL_S:
            self._last_emit = now
            finished, self._finished = self._finished, []
            self.progressed.emit(IndexProgress(p, finished))

    def run(self) -> None:
        outcome = IndexOutcome(self.collection_id, None, Stop.NONE, error="indexing did not run")
        try:
            with DocumentStore.open(self.db_path) as store:
                report = index_pending(store, self.collection_id, progress=self._on_progress, cancelled=self._stop.is_set)
                how = self._how if self._stop.is_set() else Stop.NONE
                removed = cancel_pending(store, self.collection_id) if how is Stop.CANCEL else 0
                outcome = IndexOutcome(self.collection_id, report, how, removed)
        except Exception as e:  # one line on the page; a bug also reaches the crash dialog
            log.info("indexing collection %d failed: %s", self.collection_id, e)
            outcome = IndexOutcome(self.collection_id, None, self._how, error=error_text(e))
        finally:
            try:
                self.ended.emit(outcome)
            except RuntimeError:  # the application is gone (quitting)
                log.debug("indexing ended after the application quit")
