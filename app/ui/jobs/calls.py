"""The work the Jobs page hands to the pool: queue snapshots, and the evaluations a finished job offers.

The runner's callbacks are `app.jobs.JobService` events, which the page receives through its `Marshaller`.
"""

from __future__ import annotations

from pathlib import Path

from quantize.queue import Job, JobQueue, JobState
from quantize.spec import ConvertSpec, EvaluateSpec, QuantizeSpec

Snapshot = tuple[list[Job], bool, int]
"""(jobs in queue order, paused, max_parallel)."""


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
