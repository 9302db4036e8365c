"""The row over the Documents page that says what indexing does: the running index job's progress with Pause and
Cancel, or the files that an earlier run left pending (a pause, a crash or a quit) with Resume and Cancel; hidden when
there is neither. It queues the index jobs (``IndexJobs``) and says how each ended: a line in the status bar, the files
that failed on the page's banner, the files a cancelled job had not indexed taken out of their collection."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from app.documents.indexing import Outcome, cancel_pending
from app.documents.job import summary
from app.documents.store import CollectionInfo, DocumentStore
from app.ui.common.i18n import translate
from app.ui.common.messages import text as message_text
from app.ui.documents.index_jobs import CANCEL, PAUSE, IndexJobs, collection_of
from app.ui.documents.page_context import PageContext
from core.messages import text_of
from quantize.queue import Job, JobState


class IndexRow(QFrame):
    """The row, following ``jobs``, for the collections the page last read (``show_collections``).

    Signals:
        status_message(text, ms): a line for the status bar.
        changed(): an index job ended, or pending files left their collections (the listing is worth reading again).
    """

    status_message = Signal(str, int)
    changed = Signal()

    def __init__(self, context: PageContext, *, jobs: IndexJobs, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("progress-row")
        self.calls, self.selected, self.banner = context.calls, context.selected, context.banner
        self.jobs = jobs
        self.collections: list[CollectionInfo] = []
        self.outcomes: dict[Path, Outcome] = {}
        """The files the last ended job found unchanged (the file list says so until the next job)."""
        self.label = QLabel()
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setWordWrap(True)  # a long file name must not widen the window
        self.bar = QProgressBar()
        self.bar.setTextVisible(False)
        self.bar.setFixedWidth(220)
        self.pause_button = QPushButton(translate("Documents", "Pause"))
        self.pause_button.setToolTip(translate("Documents", "Stop the indexing job; a file being read is left as it was, "
                                                            "the files left stay pending and Resume goes on with "
                                                            "them"))  # fmt: skip
        self.cancel_button = QPushButton(translate("Documents", "Cancel"))
        self.cancel_button.setToolTip(translate("Documents", "Stop, and take the files not indexed yet out of the collection"))
        self.resume_button = QPushButton(translate("Documents", "Resume"))
        self.resume_button.setToolTip(translate("Documents", "Index the files left pending"))
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 6, 8, 6)
        row.addWidget(self.label, 1)
        row.addWidget(self.bar)
        row.addWidget(self.pause_button)
        row.addWidget(self.cancel_button)
        row.addWidget(self.resume_button)
        self.hide()
        self.pause_button.clicked.connect(self.pause)
        self.cancel_button.clicked.connect(self.cancel)
        self.resume_button.clicked.connect(self.resume)
        self.jobs.changed.connect(self._on_jobs_changed)
        self.jobs.ended.connect(self._on_jobs_ended)

    def show_collections(self, collections: list[CollectionInfo]) -> None:
        """The collections as just read: the files they have pending are offered to Resume or Cancel."""
        self.collections = collections
        self._update()

    def index(self, collection: str, files: int) -> None:
        """Queue an index job for ``collection`` (``files`` pending); the jobs service shares one already queued."""
        self.outcomes = {}
        self.jobs.add(collection, files)

    def pause(self) -> None:
        """Stop the index jobs (the running one's worker is ended); the files left stay pending for Resume."""
        if self.jobs:
            self.jobs.stop(PAUSE)
            self.label.setText(translate("Documents", "Pausing…"))

    def cancel(self) -> None:
        """Stop the index jobs; then the files not indexed yet leave their collections."""
        if self.jobs:
            self.jobs.stop(CANCEL)
            self.label.setText(translate("Documents", "Cancelling…"))
            return
        pending = [c.id for c in self.collections if c.pending]  # left by an earlier run: drop them
        if pending:
            self.calls(lambda store: sum(cancel_pending(store, cid) for cid in pending), self._on_abandoned,
                       what="dropping pending files")  # fmt: skip

    def resume(self) -> None:
        """Queue indexing for every collection with pending files, the selected one first."""
        selected = self.selected()
        order = sorted((c for c in self.collections if c.pending), key=lambda c: selected is None or c.id != selected.id)
        for c in order:
            self.index(c.name, c.pending)

    def _update(self) -> None:
        running = bool(self.jobs)
        self.pause_button.setVisible(running)
        self.cancel_button.setVisible(True)
        self.bar.setVisible(running)
        self.resume_button.setVisible(not running)
        if running:
            self.cancel_button.setToolTip(translate("Documents", "Stop, and take the files not indexed yet out of the "
                                                                 "collection"))  # fmt: skip
            self.show()
            return
        pending = sum(c.pending for c in self.collections)
        if not pending:
            self.hide()
            return
        where = [c.name for c in self.collections if c.pending]
        text = translate("Documents", "%n file(s) pending in {where} — Resume indexes them, Cancel drops the ones not "
                                      "indexed yet", None, pending)  # fmt: skip
        self.label.setText(text.format(where=", ".join(where)))
        self.cancel_button.setToolTip(translate("Documents", "Take the pending files that were never indexed out of their "
                                                             "collections"))  # fmt: skip
        self.show()

    def _on_jobs_changed(self) -> None:
        self._update()
        self._show_progress()

    def _show_progress(self) -> None:
        if not self.jobs:
            return
        stopping = self.jobs.stopping()  # the row says "Pausing…" or "Cancelling…" until the jobs have ended
        running = self.jobs.running()
        if not running:
            waiting = len(self.jobs.jobs())
            if not stopping:
                queued = translate("Documents", "Indexing queued (%n job(s) on the Jobs page)…", None, waiting)
                self.label.setText(queued)
            self.bar.setRange(0, 0)
            return
        job = running[0]
        if not stopping:
            self.label.setText(translate("Documents", "Indexing {collection} — {message}").format(
                collection=collection_of(job), message=job.message or translate("Documents", "starting")))  # fmt: skip
        if job.fraction is None:
            self.bar.setRange(0, 0)
        else:
            self.bar.setRange(0, 1000)
            self.bar.setValue(round(job.fraction * 1000))

    def _on_jobs_ended(self, collection: str, job: Job | None, stop: str) -> None:
        """An index job ended (``job`` None: it left the queue without an end the page saw)."""
        if job is not None and job.state is JobState.DONE:
            result = job.result
            for failed in list(result.get("failed_files", []))[-5:]:
                english = str(failed.get("error", ""))
                self.banner.add(message_text(text_of(failed.get("error_data"), english)), kind="error")
            self.outcomes = {Path(p): Outcome.UNCHANGED for p in result.get("unchanged_files", [])}
            finished = translate("Documents", "Indexing finished: {summary}").format(summary=summary(result))
            self.status_message.emit(finished, 10_000)
        elif stop == CANCEL:
            self._drop_pending(collection)
        elif job is not None and job.state is JobState.CANCELLED:
            self.status_message.emit(translate("Documents", "Indexing paused; the files left stay pending"), 10_000)
        elif job is not None and job.state is JobState.FAILED:
            line = translate("Documents", "Indexing {collection} failed: {error}")
            self.banner.add(line.format(collection=collection, error=job.error), kind="error")
        self.changed.emit()

    def _drop_pending(self, collection: str) -> None:
        """Cancel's second half, once the job has stopped: the files it had not indexed leave ``collection``."""

        def drop(store: DocumentStore) -> int:
            return cancel_pending(store, store.collection_id(collection))

        self.calls(drop, self._on_dropped, what="dropping pending files")

    def _on_dropped(self, removed: int) -> None:
        self.status_message.emit(translate("Documents", "Indexing cancelled; %n file(s) not added", None, removed), 10_000)
        self.changed.emit()

    def _on_abandoned(self, removed: int) -> None:
        self.status_message.emit(translate("Documents", "{count} pending files taken out of their collections").format(
            count=removed), 8000)  # fmt: skip
        self.changed.emit()
