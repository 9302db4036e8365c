"""A job's events, on the protocol of `procs.jsonlines` (one JSON object per line on the worker's stdout):

    {"event": "progress", "stage": "quantize", "fraction": 0.42, "message": "[12/111] blk.3.attn_q.weight"}
    {"event": "log", "message": "..."}
    {"event": "done", "outputs": ["/abs/model.Q4_K_M.gguf"], "result": {...}}
    {"event": "failed", "error": "one line for the user"}

Anything else on stdout (a library printing) is ignored by the parser; stderr goes to the job's log.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from core.messages import Text, text_of
from procs import jsonlines

JOB_EVENTS = frozenset({"progress", "log", "done", "failed"})


@dataclass(frozen=True)
class Event:
    event: str  # progress, log, done, failed
    stage: str = ""
    fraction: float | None = None
    message: str = ""
    outputs: tuple[str, ...] = ()
    result: dict[str, Any] = field(default_factory=dict)
    error: str = ""
    message_text: Text = ""
    """``message`` as sent: a core.messages.Message when the job made one (the GUI translates it)."""
    error_text: Text = ""


def parse_event(line: str | bytes) -> Event | None:
    """One stdout line -> a job Event, or None when the line is not one."""
    e = jsonlines.parse(line, JOB_EVENTS)
    if e is None:
        return None
    outputs, result = e.fields.get("outputs"), e.fields.get("result")
    return Event(event=e.kind, stage=e.stage, fraction=e.fraction, message=e.message, error=e.error,
                 outputs=tuple(str(o) for o in outputs) if isinstance(outputs, list) else (),
                 result=dict(result) if isinstance(result, dict) else {},
                 message_text=text_of(e.fields.get("message_data"), e.message),
                 error_text=text_of(e.fields.get("error_data"), e.error))  # fmt: skip


class Reporter(jsonlines.Writer):
    """Writes a job's events for the runner. Thread-safe; a line is flushed as soon as it is written."""

    def done(self, outputs: list[str], result: dict[str, Any] | None = None) -> None:
        self.emit("done", outputs=outputs, result=result or {})
