"""The runtimes loaded at once, by key: the Chat and Compare pages keep one llama-server per loaded model here, and
closing the app stops them all."""

from __future__ import annotations

import threading
from pathlib import Path

from app.chat.runtime import LoadOptions, Runtime

__all__ = ["RuntimeManager"]


class RuntimeManager:
    """The loaded runtimes, by key ("model:12"). Closing the app calls stop_all."""

    def __init__(self) -> None:
        self._runtimes: dict[str, Runtime] = {}
        self._lock = threading.Lock()

    def load(self, key: str, path: Path, options: LoadOptions | None = None, *, name: str = "") -> Runtime:
        """Launch a runtime for `path` under `key` (one already there is stopped first); returns at once."""
        old = self.get(key)
        if old is not None:
            old.stop()
        rt = Runtime.launch(path, options=options, name=name)
        with self._lock:
            self._runtimes[key] = rt
        return rt

    def get(self, key: str) -> Runtime | None:
        with self._lock:
            return self._runtimes.get(key)

    def runtimes(self) -> dict[str, Runtime]:
        """A snapshot: key -> runtime."""
        with self._lock:
            return dict(self._runtimes)

    def unload(self, key: str) -> None:
        with self._lock:
            rt = self._runtimes.pop(key, None)
        if rt is not None:
            rt.stop()

    def stop_all(self, grace_s: float = 3) -> None:
        """Stop every runtime (all signalled first, so this takes one grace period, not one each)."""
        with self._lock:
            runtimes = list(self._runtimes.values())
            self._runtimes.clear()
        for rt in runtimes:
            rt.terminate()
        for rt in runtimes:
            rt.stop(grace_s)
