"""One answer in the background: runs ChatEngine.answer on a pool thread, hands the text to the GUI in batches.

The engine calls `on_piece` for every token. Sending each through a queued signal would flood the event loop, so the
worker collects the text and emits `progress(thinking, content)` — the whole text so far — at most every
BATCH_INTERVAL_S (about 30 updates a second), plus once at the end. The streaming message is saved to the database
from the worker thread every SAVE_INTERVAL_S (Conversations.update_streaming: one small UPDATE), so a crash of the app
loses at most that much.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from app.chat.engine import ChatEngine
from app.chat.messages import Answer, Message, Piece, PieceKind, PromptedStrategy, ReasoningMode, Sampling
from app.chat.sessions import Conversations
from app.ui.tasks import TaskGroup

log = logging.getLogger(__name__)

BATCH_INTERVAL_S = 1 / 30
SAVE_INTERVAL_S = 1.0


@dataclass(frozen=True)
class AnswerRequest:
    """What one answer needs (built on the GUI thread, read on the worker)."""

    engine: ChatEngine
    history: Sequence[Message]
    mode: ReasoningMode
    sampling: Sampling
    thinking_budget: int = 1024
    strategy: PromptedStrategy = PromptedStrategy.BUDGET
    message_id: int | None = None
    """The stored streaming message to save into (None: not saved while streaming)."""


class AnswerJob(QObject):
    """A running answer. A Qt child of its pane; results arrive on the GUI thread.

    Signals:
        progress(thinking, content): the text so far (batched).
        done(answer): finished (also when stopped: answer.stats.finish_reason == "cancelled").
        failed(message, thinking, content): one-line error and what had streamed until then.
    """

    progress = Signal(str, str)
    done = Signal(object)
    failed = Signal(str, str, str)

    def __init__(self, request: AnswerRequest, *, tasks: TaskGroup, sessions: Conversations | None,
                 parent: QObject | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.request = request
        self._tasks = tasks
        self._sessions = sessions
        self.cancel = tasks.cancel_event()
        self._lock = threading.Lock()
        self._thinking: list[str] = []
        self._content: list[str] = []
        self.emitted = 0
        """How many progress signals were sent (for tests and the stall benchmark)."""
        self.finished = False

    def start(self) -> None:
        self._tasks.start(self._run, self._on_done, self._on_error, what="chat answer")

    def stop(self) -> None:
        """Ask the engine to stop; `done` follows with finish_reason "cancelled" (from any thread)."""
        self.cancel.set()

    def text(self) -> tuple[str, str]:
        """(thinking, content) streamed so far."""
        with self._lock:
            return "".join(self._thinking), "".join(self._content)

    # -- worker thread -------------------------------------------------------------------------------------------------

    def _run(self) -> Answer:
        req = self.request
        last_emit = 0.0
        last_save = time.monotonic()

        def on_piece(piece: Piece) -> None:
            nonlocal last_emit, last_save
            with self._lock:
                (self._thinking if piece.kind is PieceKind.THINKING else self._content).append(piece.text)
            now = time.monotonic()
            if now - last_emit >= BATCH_INTERVAL_S:
                last_emit = now
                self._emit_progress()
            if now - last_save >= SAVE_INTERVAL_S:
                last_save = now
                self._save_partial()

        answer = req.engine.answer(req.history, mode=req.mode, sampling=req.sampling, thinking_budget=req.thinking_budget,
                                   strategy=req.strategy, on_piece=on_piece, cancel=self.cancel)  # fmt: skip
        return answer

    def _emit_progress(self) -> None:
        thinking, content = self.text()
        self.emitted += 1
        self.progress.emit(thinking, content)

    def _save_partial(self) -> None:
        if self._sessions is None or self.request.message_id is None:
            return
        thinking, content = self.text()
        try:
            self._sessions.update_streaming(self.request.message_id, content, thinking)
        except Exception:  # the conversation may have been deleted meanwhile; the final save reports that
            log.debug("could not save the streaming message", exc_info=True)

    # -- GUI thread ----------------------------------------------------------------------------------------------------

    def _on_done(self, answer: object) -> None:
        self.finished = True
        self.done.emit(answer)

    def _on_error(self, message: str) -> None:
        self.finished = True
        thinking, content = self.text()
        self.failed.emit(message, thinking, content)
