"""One answer in the background: runs a `ChatTurn` on a pool thread, hands its batched text to the GUI thread.

The turn (app.chat.turn) streams, saves partial text and saves the final state; this wrapper only carries its
`progressed` event and its end onto the GUI thread as Qt signals.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Signal

from app.chat.messages import Answer
from app.chat.turn import ChatTurn
from app.tools.turn import ToolTurn
from app.ui.common.tasks import TaskGroup

log = logging.getLogger(__name__)


class AnswerJob(QObject):
    """A running turn. A Qt child of its pane or page; results arrive on the GUI thread.

    Signals:
        progress(thinking, content): the text so far (batched).
        done(answer): finished and saved (also when stopped: answer.stats.finish_reason == "cancelled").
        failed(message, thinking, content): one-line error and what had streamed until then (saved as 'error').
        stepped(steps, notes): a turn with tools made a step (every ``Step`` so far, and the notes on tools).
    """

    progress = Signal(str, str)
    stepped = Signal(object, object)
    done = Signal(object)
    failed = Signal(str, str, str)

    def __init__(self, turn: ChatTurn, *, tasks: TaskGroup, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.turn = turn
        self._tasks = tasks
        # close() of the task group (the window closing) stops the answer too
        cancel = tasks.cancel_event()
        turn.cancel = cancel
        self.cancel = cancel
        # emitted on the worker thread: a Qt signal of this (GUI-thread) object is queued to the receivers
        turn.progressed.connect(self.progress.emit)
        if isinstance(turn, ToolTurn):
            turn.stepped.connect(self.stepped.emit)
        self.finished = False

    @property
    def emitted(self) -> int:
        """How many progress signals were sent (for tests and the stall benchmark)."""
        return self.turn.emitted

    def start(self) -> None:
        self._tasks.start(self.turn.run, self._on_done, self._on_error, what="chat answer")

    def stop(self) -> None:
        """Ask the engine to stop; `done` follows with finish_reason "cancelled" (from any thread)."""
        self.turn.stop()

    def text(self) -> tuple[str, str]:
        """(thinking, content) streamed so far."""
        return self.turn.text()

    def _on_done(self, answer: Answer) -> None:
        self.finished = True
        self.done.emit(answer)

    def _on_error(self, message: str) -> None:
        self.finished = True
        thinking, content = self.text()
        self.failed.emit(message, thinking, content)
