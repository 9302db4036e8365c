"""The index jobs of one documents database, as the Documents page follows them: queued through the jobs service, then
known from its events (through the Qt marshaller) and from a pool read of the queue every ``POLL_MS`` while any is there.

The read is needed because the Jobs page removes and retries jobs in the queue without an event. A read can be older
than an event that overtook it on the way to the GUI thread: a job read as queued or running after the page saw it end
is not brought back, and a job missing from a read made before the page first saw it is not dropped.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from app.jobs import JobService
from app.ui.common.marshal import Marshaller
from app.ui.common.tasks import TaskGroup
from quantize.queue import Job, JobState
from quantize.spec import IndexSpec

POLL_MS = 1000
NEVER = datetime.min.replace(tzinfo=timezone.utc)
PAUSE, CANCEL = "pause", "cancel"


def _now() -> datetime:
    return datetime.now(timezone.utc)


def collection_of(job: Job) -> str:
    """The collection an index job indexes."""
    return str(getattr(job.spec, "collection", ""))


class IndexJobs(QObject):
    """This database's queued and running index jobs.

    Signals:
        changed(): a job came, went or moved on (read ``jobs()``).
        ended(collection, job, stop): a job ended (``job`` None when it was removed from the queue instead); ``stop``:
            "pause" or "cancel" when the user stopped it here, else "".
        failed(message): a queue call failed (one line).
    """

    changed = Signal()
    ended = Signal(str, object, str)
    failed = Signal(str)

    def __init__(self, service: JobService, db_path: Path, tasks: TaskGroup, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.db_path = db_path.absolute()
        self.tasks = tasks
        self._jobs: dict[int, Job] = {}
        self._seen_at: dict[int, datetime] = {}
        self._ended_at: dict[int, datetime] = {}
        self._stopping: dict[int, str] = {}
        self.marshaller = Marshaller(self)
        self.marshaller.subscribe(service.changed, self._on_service_changed)
        self.marshaller.subscribe(service.removed, self._on_service_removed)
        self._poll = QTimer(self)
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(self.read)

    def jobs(self) -> list[Job]:
        return list(self._jobs.values())

    def running(self) -> list[Job]:
        return [j for j in self._jobs.values() if j.state is JobState.RUNNING]

    def stopping(self) -> bool:
        return bool(self._stopping)

    def __bool__(self) -> bool:
        return bool(self._jobs)

    def has(self, collection: str) -> bool:
        """Whether ``collection`` has an index job queued or running."""
        return any(isinstance(j.spec, IndexSpec) and j.spec.collection.casefold() == collection.casefold()
                   for j in self._jobs.values())  # fmt: skip

    def read(self) -> None:
        """Read this database's index jobs from the queue (a pool call)."""
        service, db = self.service, self.db_path

        def read() -> tuple[datetime, list[Job]]:
            at = _now()
            return at, service.index_jobs(db)

        self.tasks.start(read, self._on_read, self.failed.emit, what="reading the indexing jobs")

    def add(self, collection: str, files: int) -> None:
        """Queue indexing of ``collection``'s ``files`` pending files (the service shares a job already queued)."""
        service, db = self.service, self.db_path

        def add() -> tuple[datetime, list[Job]]:
            at = _now()
            return at, [service.add_index(db, collection, files=files)]

        self.tasks.start(add, self._on_read, self.failed.emit, what="queueing indexing")

    def stop(self, how: str) -> None:
        """Cancel every index job here: a queued one at once, a running one's worker is ended by the runner."""
        for job_id in self._jobs:
            if self._stopping.get(job_id) != CANCEL:  # a cancel wins over a pause asked for earlier
                self._stopping[job_id] = how
        runner, ids = self.service.runner, list(self._jobs)

        def stop() -> None:
            for job_id in ids:
                runner.cancel(job_id)

        self.tasks.start(stop, lambda _r: None, self.failed.emit, what="stopping indexing")

    def close(self) -> None:
        """Stop listening (the jobs themselves are the service's)."""
        self._poll.stop()
        self.marshaller.unsubscribe_all()

    # -- what the service and the reads say -----------------------------------------------------------------------------
    def _mine(self, job: Job) -> bool:
        return isinstance(job.spec, IndexSpec) and job.spec.output == self.db_path

    def _on_service_changed(self, job: Job) -> None:
        if not self._mine(job):
            return
        if not job.state.finished:
            self._track(job)
            return
        self._ended_at[job.id] = job.finished or _now()
        if self._jobs.pop(job.id, None) is None and job.id not in self._stopping:
            return  # a late event of a job already dropped
        self._end(job.spec, job, self._stopping.pop(job.id, ""))

    def _on_service_removed(self, job_id: int) -> None:
        job = self._jobs.pop(job_id, None)
        if job is not None:
            self._end(job.spec, None, self._stopping.pop(job_id, ""))

    def _on_read(self, result: tuple[datetime, list[Job]]) -> None:
        at, jobs = result
        for job in jobs:
            if self._ended_at.get(job.id, NEVER) < at:
                self._track(job)
        listed = {j.id for j in jobs}
        for job_id in [i for i in self._jobs if i not in listed and self._seen_at.get(i, NEVER) < at]:
            self._end(self._jobs.pop(job_id).spec, None, self._stopping.pop(job_id, ""))  # removed or ended unseen

    def _track(self, job: Job) -> None:
        if job.id not in self._jobs:
            self._seen_at[job.id] = _now()
            if not self._poll.isActive():
                self._poll.start()
        self._jobs[job.id] = job
        self.changed.emit()

    def _end(self, spec: object, job: Job | None, stop: str) -> None:
        if not self._jobs:
            self._poll.stop()
            self._stopping.clear()
        if isinstance(spec, IndexSpec):
            self.ended.emit(spec.collection, job, stop)
        self.changed.emit()
