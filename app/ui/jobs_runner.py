"""The Jobs page's link to the runner and the queue: runner callbacks as Qt signals, and the work the page hands to the pool.

`RunnerBridge.changed` runs on the runner's threads: it reads the changed row there and emits it; Qt queues the signal to the
GUI thread, so no widget is touched from a runner thread and the GUI thread never polls the database.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

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


def evaluate_specs(job: Job, out_dir: Path) -> list[EvaluateSpec]:
    """Evaluations of a finished quantize or convert job's GGUF outputs, against the model they were made from."""
    if job.state is not JobState.DONE or not isinstance(job.spec, (QuantizeSpec, ConvertSpec)):
        return []
    reference = job.spec.source if isinstance(job.spec, QuantizeSpec) else None
    return [EvaluateSpec(source=o, output=out_dir / f"{o.name}.eval.json", reference=reference)
            for o in job.outputs if o.suffix.lower() == ".gguf"]  # fmt: skip


def snapshot(queue: JobQueue) -> Snapshot:
    """The queue as the page shows it (read in the pool)."""
    return queue.jobs(), queue.paused, queue.max_parallel


def register_outputs(job: Job, catalog: Catalog, models_dir: Path) -> list[str]:
    """Pool: a finished job's model outputs into the Library, with their lineage; the errors, one line each."""
    from app.jobs import register_output

    return [r.error for r in register_output(job, catalog, models_dir) if r.error]


def store_result(db_path: Path, result: dict[str, Any]) -> int:
    """Pool: an evaluation job's metrics into the results store; the result's id."""
    from quantize.results import ResultStore

    return ResultStore(db_path).add(result)
