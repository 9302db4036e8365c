"""Listener lists: how services announce changes without knowing who listens (and without Qt).

A service holds one ``Event`` per kind of change (``queue.changed``, ``runner.finished``...) and calls ``emit`` from
whatever thread it runs on. Listeners are plain callables; the GUI subscribes through ``app.ui.common.marshal.Marshaller``,
which carries each call onto the GUI thread. A listener that raises is logged and does not stop the others.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Generic, ParamSpec

__all__ = ["Event"]

log = logging.getLogger(__name__)
P = ParamSpec("P")


class Event(Generic[P]):
    """A list of listeners called in the order they connected."""

    def __init__(self, name: str = "event") -> None:
        self.name = name
        self._lock = threading.Lock()
        self._listeners: list[Callable[P, object]] = []

    def connect(self, listener: Callable[P, object]) -> Callable[[], None]:
        """Call ``listener`` on every emit; returns a function that disconnects it."""
        with self._lock:
            self._listeners.append(listener)
        return lambda: self.disconnect(listener)

    def disconnect(self, listener: Callable[P, object]) -> None:
        """Forget ``listener`` (no error when it was not connected)."""
        with self._lock:
            if listener in self._listeners:
                self._listeners.remove(listener)

    def listeners(self) -> list[Callable[P, object]]:
        with self._lock:
            return list(self._listeners)

    def __bool__(self) -> bool:
        return bool(self.listeners())

    def emit(self, *args: P.args, **kwargs: P.kwargs) -> None:
        """Call every listener on this thread. A failing listener is a bug in it: logged, the others still run."""
        for listener in self.listeners():
            try:
                listener(*args, **kwargs)
            except Exception:
                log.exception("a listener of %s failed", self.name)
