"""A job as the queue keeps it: its state, its record, and the title the Jobs page shows."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from core.errors import ModelwerkError
from core.messages import N_
from quantize.spec import CodeEvalSpec, IndexSpec, JobSpec, QuantizeSpec, ToolchainSpec

TOOLCHAIN_TITLE = "Install the toolchain (PyTorch, transformers, llama.cpp converter)"


class JobState(enum.Enum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"
    INTERRUPTED = "interrupted"

    @property
    def finished(self) -> bool:
        return self in (JobState.DONE, JobState.FAILED, JobState.CANCELLED, JobState.INTERRUPTED)


RETRYABLE = (JobState.FAILED, JobState.CANCELLED, JobState.INTERRUPTED)


class JobQueueError(ModelwerkError):
    """A queue operation is not possible; the message is one line for the user."""

    hint = N_("refresh the Jobs page and try again")


class JobNotFound(JobQueueError):
    """No job has that id (it was removed)."""

    hint = N_("the job was removed: create it again")


@dataclass(frozen=True)
class Job:
    id: int
    spec: JobSpec
    state: JobState
    position: int
    created: datetime
    started: datetime | None
    finished: datetime | None
    stage: str
    fraction: float | None
    message: str
    error: str
    outputs: tuple[Path, ...]
    result: dict[str, Any]
    log_path: Path
    title: str
    eta_s: float | None
    cancel_requested: bool = False
    runner: str = ""
    worker_pid: int = 0
    extra: dict[str, Any] = field(default_factory=dict)
    after: int | None = None
    """The job this one waits for (a recipe's previous step): it starts once that one is done."""


def index_title(collection: str, files: int | None = None) -> str:
    """The Jobs page's title of an index job: "Index 12 files into ‹Research›", or without a count "Index files into
    ‹Research›"."""
    count = "" if files is None else f"{files} file{'s' * (files != 1)} "
    return f"Index {count}into ‹{collection}›" if count else f"Index files into ‹{collection}›"


def default_title(spec: JobSpec) -> str:
    """A title for the Jobs page, e.g. "Quantize gemma-3-270m.Q4_K_M.gguf → Q8_0"."""
    if isinstance(spec, QuantizeSpec):
        return f"Quantize {spec.source.name} → {spec.quant_type.upper()}" + (" (dry run)" if spec.dry_run else "")
    if isinstance(spec, ToolchainSpec):
        return TOOLCHAIN_TITLE
    if isinstance(spec, IndexSpec):
        return index_title(spec.collection)
    if isinstance(spec, CodeEvalSpec):
        which = spec.problem_file.name if spec.problem_file is not None else "HumanEval"
        count = f", {len(spec.ids)} problems" if spec.ids else f", {spec.problems} problems" if spec.problems else ""
        thinking = "" if spec.reasoning == "off" else f", reasoning {spec.reasoning}"
        return f"Code eval {spec.source.name} ({which}{count}{thinking})"
    return f"{spec.kind.value.capitalize()} {spec.source.name}"
