"""A job as the queue keeps it: its state, its record, and the title the Jobs page shows."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from core.errors import ModelwerkError
from core.messages import N_, Message, Text
from quantize.spec import CodeEvalSpec, IndexSpec, JobKind, JobSpec, QuantizeSpec, ToolchainSpec

TOOLCHAIN_TITLE = N_("Install the toolchain (PyTorch, transformers, llama.cpp converter)")


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
STATE_SAID = {JobState.QUEUED: Message("queued"), JobState.RUNNING: Message("running"), JobState.DONE: Message("done"),
              JobState.FAILED: Message("failed"), JobState.CANCELLED: Message("cancelled"),
              JobState.INTERRUPTED: Message("interrupted")}  # fmt: skip
"""Each state as an error message names it (its value), for the GUI to translate."""


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
    message_text: Text = ""
    """``message`` as the job said it: a core.messages.Message the GUI translates, else the same text; ``error_text``
    likewise."""
    error_text: Text = ""
    title_text: Text = ""
    """``title`` as made: a Message for the titles Modelwerk gives (``default_title``, ``index_title``)."""


def index_title(collection: str, files: int | None = None) -> Message:
    """The Jobs page's title of an index job: "Index 12 files into ‹Research›", or without a count "Index files into
    ‹Research›"."""
    if files is None:
        return Message("Index files into ‹{collection}›", collection=collection)
    return Message.plural("Index %n file into ‹{collection}›", "Index %n files into ‹{collection}›", files,
                          collection=collection)  # fmt: skip


def default_title(spec: JobSpec) -> Text:
    """A title for the Jobs page, e.g. "Quantize gemma-3-270m.Q4_K_M.gguf → Q8_0"."""
    if isinstance(spec, QuantizeSpec):
        quant = spec.quant_type.upper()
        if spec.dry_run:
            return Message("Quantize {name} → {quant} (dry run)", name=spec.source.name, quant=quant)
        return Message("Quantize {name} → {quant}", name=spec.source.name, quant=quant)
    if isinstance(spec, ToolchainSpec):
        return TOOLCHAIN_TITLE
    if isinstance(spec, IndexSpec):
        return index_title(spec.collection)
    if isinstance(spec, CodeEvalSpec):
        which = spec.problem_file.name if spec.problem_file is not None else "HumanEval"
        n = len(spec.ids) or spec.problems
        count = Message(", {n} problems", n=str(n)) if n else ""
        thinking = "" if spec.reasoning == "off" else Message(", reasoning {mode}", mode=spec.reasoning)
        return Message("Code eval {name} ({which}{count}{thinking})", name=spec.source.name, which=which, count=count,
                       thinking=thinking)  # fmt: skip
    name = spec.source.name
    if spec.kind is JobKind.CONVERT:
        return Message("Convert {name}", name=name)
    if spec.kind is JobKind.GPTQ:
        return Message("Gptq {name}", name=name)
    if spec.kind is JobKind.EVALUATE:
        return Message("Evaluate {name}", name=name)
    return f"{spec.kind.value.capitalize()} {name}"
