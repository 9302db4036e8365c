"""The Jobs page's link to the runner and the queue: runner callbacks as Qt signals, and the work the page hands to the pool.

`RunnerBridge.changed` runs on the runner's threads: it reads the changed row there and emits it; Qt queues the signal to the
GUI thread, so no widget is touched from a runner thread and the GUI thread never polls the database.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal

from app.library.catalog import Catalog
from quantize.queue import Job, JobNotFound, JobQueue, JobState
from quantize.spec import ConvertSpec, EvaluateSpec, QuantizeSpec

Snapshot = tuple[list[Job], bool, int]
"""(jobs in queue order, paused, max_parallel)."""


class RunnerBridge(QObject):
    """The runner's callbacks (runner threads) as signals delivered on the GUI thread."""

    job_updated = Signal(object)  # Job
    job_removed = Signal(int)
    job_finished = Signal(object)  # Job: done, failed or cancelled

    def __init__(self, queue: JobQueue, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.queue = queue

    def changed(self, job_id: int) -> None:
        """Runner thread: read the row here, so the GUI thread gets a ready snapshot."""
        try:
            job = self.queue.get(job_id)
        except JobNotFound:
            self.job_removed.emit(job_id)
            return
        self.job_updated.emit(job)

    def finished(self, job: Job) -> None:
        self.job_finished.emit(job)


def evaluable_outputs(job: Job) -> list[Path]:
    """The GGUF files a finished quantize or convert job made (what its Evaluate button measures)."""
    if job.state is not JobState.DONE or not isinstance(job.spec, (QuantizeSpec, ConvertSpec)):
        return []
    return [o for o in job.outputs if o.suffix.lower() == ".gguf"]


def evaluate_specs(job: Job) -> list[EvaluateSpec]:
    """Evaluations of those outputs, against the model they were made from (a convert job's has none)."""
    from app.jobs import evaluation_spec

    reference = job.spec.source if isinstance(job.spec, QuantizeSpec) else None
    return [evaluation_spec(o, reference) for o in evaluable_outputs(job)]


def snapshot(queue: JobQueue) -> Snapshot:
    """The queue as the page shows it (read in the pool)."""
    return queue.jobs(), queue.paused, queue.max_parallel


def register_outputs(job: Job, catalog: Catalog | None, models_dir: Path, results_db: Path) -> list[str]:
    """Pool: a finished job's model outputs into the Library with their lineage, or an evaluation's metrics into the
    results; the errors, one line each."""
    from app.jobs import register_output

    return [r.error for r in register_output(job, catalog, models_dir, results_db=results_db) if r.error]
