"""The one bridge from service threads to the GUI thread.

Services announce changes through `app.events.Event` listener lists, called on whatever thread did the work. A widget
subscribes through a `Marshaller`: `marshaller.wrap(slot)` is a plain callable that, called on any thread, queues
`slot(*args)` to the marshaller's (GUI) thread. One generic object instead of one hand-written Qt bridge per service.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal, Slot

from app.events import Event

__all__ = ["Marshaller"]


class Marshaller(QObject):
    """Delivers listener calls on the thread this object lives on (make it on the GUI thread, a child of the receiver)."""

    _called = Signal(object, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._disconnects: list[Callable[[], None]] = []
        self._called.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        self.destroyed.connect(self._on_destroyed_disconnect)

    def wrap(self, slot: Callable[..., object]) -> Callable[..., None]:
        """A callable for any thread that queues ``slot(*args)`` to the GUI thread."""

        def queued(*args: Any) -> None:
            with contextlib.suppress(RuntimeError):  # the receiver is gone (its window closed): nobody is left to tell
                self._called.emit(slot, args)

        return queued

    def subscribe(self, event: Event[Any], slot: Callable[..., object]) -> None:
        """Call ``slot`` on the GUI thread for every emit of ``event``, until this marshaller is destroyed."""
        self._disconnects.append(event.connect(self.wrap(slot)))

    def unsubscribe_all(self) -> None:
        disconnects, self._disconnects = self._disconnects, []
        for disconnect in disconnects:
            disconnect()

    @Slot(object, object)
    def _deliver(self, slot: Callable[..., object], args: tuple[Any, ...]) -> None:
        slot(*args)

    def _on_destroyed_disconnect(self) -> None:
        self.unsubscribe_all()
