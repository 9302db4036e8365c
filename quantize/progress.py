"""The worker's side of the protocol: JSON lines on stdout, one event per line, and their parser for the runner.

    {"event": "progress", "stage": "quantize", "fraction": 0.42, "message": "[12/111] blk.3.attn_q.weight"}
    {"event": "log", "message": "..."}
    {"event": "done", "outputs": ["/abs/model.Q4_K_M.gguf"], "result": {...}}
    {"event": "failed", "error": "one line for the user"}

Anything else on stdout (a library printing) is ignored by the parser; stderr goes to the job's log.
"""

from __future__ import annotations

import json
import sys
import threading
from dataclasses import dataclass, field
from typing import IO, Any


@dataclass(frozen=True)
class Event:
    event: str  # progress, log, done, failed
    stage: str = ""
    fraction: float | None = None
    message: str = ""
    outputs: tuple[str, ...] = ()
    result: dict[str, Any] = field(default_factory=dict)
    error: str = ""


def parse_event(line: str | bytes) -> Event | None:
    """One stdout line -> an Event, or None when the line is not ours."""
    try:
        data = json.loads(line)
    except ValueError:
        return None
    if not isinstance(data, dict) or data.get("event") not in ("progress", "log", "done", "failed"):
        return None
    fraction = data.get("fraction")
    return Event(
        event=data["event"],
        stage=str(data.get("stage") or ""),
        fraction=None if fraction is None else min(1.0, max(0.0, float(fraction))),
        message=str(data.get("message") or ""),
        outputs=tuple(str(o) for o in data.get("outputs") or ()),
        result=dict(data.get("result") or {}),
        error=str(data.get("error") or ""),
    )


class Reporter:
    """Writes events for the runner. Thread-safe; a line is flushed as soon as it is written."""

    def __init__(self, stream: IO[str] | None = None) -> None:
        self._stream = stream if stream is not None else sys.stdout
        self._lock = threading.Lock()

    def _emit(self, data: dict[str, Any]) -> None:
        line = json.dumps(data, ensure_ascii=False)
        with self._lock:
            self._stream.write(line + "\n")
            self._stream.flush()

    def progress(self, stage: str, fraction: float | None, message: str = "") -> None:
        self._emit({"event": "progress", "stage": stage, "fraction": fraction, "message": message})

    def log(self, message: str) -> None:
        self._emit({"event": "log", "message": message})

    def done(self, outputs: list[str], result: dict[str, Any] | None = None) -> None:
        self._emit({"event": "done", "outputs": outputs, "result": result or {}})

    def failed(self, error: str) -> None:
        self._emit({"event": "failed", "error": error})
