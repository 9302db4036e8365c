"""The event protocol between a child and its parent: one JSON object per line on the child's stdout.

    {"event": "progress", "stage": "quantize", "fraction": 0.42, "message": "[12/111] blk.3.attn_q.weight"}
    {"event": "log", "message": "..."}
    {"event": "failed", "error": "one line for the user"}
    {"event": "ready", "port": 40123, ...}

``event`` names the kind; ``stage``, ``fraction`` and ``message`` describe progress; ``error`` says why it failed
(``message_data`` and ``error_data`` carry them as core.messages data when they are messages, for a GUI to translate); any
other field belongs to the kind (a job's ``outputs``, a runtime's ``port``). Anything else on stdout (a library printing,
half a line) is not an event and the parser says so with None. `Writer` is the child's side, `parse` the parent's.
"""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import IO, Any

from core.messages import Message, Text

__all__ = ["Event", "Writer", "parse"]


@dataclass(frozen=True)
class Event:
    """One line of the protocol."""

    kind: str
    stage: str = ""
    fraction: float | None = None
    """0..1 (clamped), None: unknown."""
    message: str = ""
    error: str = ""
    fields: Mapping[str, Any] = field(default_factory=dict)
    """The whole object as sent, for the kind's own fields."""


def parse(line: str | bytes, kinds: Collection[str] | None = None) -> Event | None:
    """One stdout line -> an Event, or None when the line is not one (junk, another kind than `kinds`, bad fields)."""
    try:
        data = json.loads(line)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(data, dict):
        return None
    kind = data.get("event")
    if not isinstance(kind, str) or (kinds is not None and kind not in kinds):
        return None
    fraction = data.get("fraction")
    try:
        fraction = None if fraction is None else float(fraction)
    except (TypeError, ValueError):
        fraction = None
    if fraction is not None:
        fraction = None if fraction != fraction else min(1.0, max(0.0, fraction))  # NaN: unknown
    return Event(kind=kind, stage=str(data.get("stage") or ""), fraction=fraction,
                 message=str(data.get("message") or ""), error=str(data.get("error") or ""), fields=data)  # fmt: skip


class Writer:
    """The child's side: writes events, one flushed line each. Thread-safe."""

    def __init__(self, stream: IO[str] | None = None) -> None:
        self._stream = stream if stream is not None else sys.stdout
        self._lock = threading.Lock()

    def emit(self, kind: str, **fields: Any) -> None:
        """One event of any kind."""
        line = json.dumps({"event": kind, **fields})  # ASCII: whatever encoding stdout has
        with self._lock:
            self._stream.write(line + "\n")
            self._stream.flush()

    def progress(self, stage: str, fraction: float | None, message: Text = "") -> None:
        self.emit("progress", stage=stage, fraction=fraction, message=str(message), **_data("message_data", message))

    def log(self, message: str) -> None:
        self.emit("log", message=message)

    def failed(self, error: Text) -> None:
        self.emit("failed", error=str(error), **_data("error_data", error))


def _data(name: str, text: Text) -> dict[str, Any]:
    return {name: text.to_data()} if isinstance(text, Message) else {}

