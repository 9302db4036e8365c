"""One chat turn, persisted: the user message, a streaming assistant row, partial saves, the final save.

The GUI's Chat page, ``modelwerk chat`` and Compare all answer through a ``ChatTurn``, so a conversation is kept the same
way whichever face asked. ``run()`` blocks (call it on a worker thread in the GUI): it streams the engine's answer,
announces the text so far through ``progressed(thinking, content)`` at most every ``batch_interval_s``, rewrites the
streaming row every ``save_interval_s`` (a crash loses at most that much), and saves the final state: 'done',
'cancelled' (``stop()``: the answer keeps what it had) or 'error' with a one-line reason. Without ``sessions`` (Compare)
nothing is stored.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence

from app.chat.engine import ChatEngine
from app.chat.messages import (
    Answer,
    AnswerStats,
    ChatError,
    Message,
    Piece,
    PieceKind,
    PromptedStrategy,
    ReasoningMode,
    Role,
    Sampling,
)
from app.chat.sessions import Conversations, MessageState
from app.events import Event
from core.errors import user_message

__all__ = ["BATCH_INTERVAL_S", "SAVE_INTERVAL_S", "ChatTurn"]

log = logging.getLogger(__name__)

BATCH_INTERVAL_S = 1 / 30
SAVE_INTERVAL_S = 1.0


class ChatTurn:
    """One answer of ``engine`` to ``history``, saved into the streaming message ``message_id`` of ``sessions``.

    Build it with ``ask`` / ``resend`` / ``regenerate`` (which write the user side first) or directly (Compare: no store).

    Events:
        progressed(thinking, content): the whole text so far, batched; emitted on the thread that runs ``run()``.
    """

    def __init__(
        self,
        engine: ChatEngine,
        history: Sequence[Message],
        *,
        mode: ReasoningMode = ReasoningMode.OFF,
        sampling: Sampling | None = None,
        thinking_budget: int = 1024,
        strategy: PromptedStrategy = PromptedStrategy.BUDGET,
        sessions: Conversations | None = None,
        message_id: int | None = None,
        cancel: threading.Event | None = None,
        batch_interval_s: float = BATCH_INTERVAL_S,
        save_interval_s: float = SAVE_INTERVAL_S,
    ) -> None:
        self.engine = engine
        self.history = list(history)
        self.mode = mode
        self.sampling = sampling or Sampling()
        self.thinking_budget = thinking_budget
        self.strategy = strategy
        self.sessions = sessions
        self.message_id = message_id
        self.cancel = cancel or threading.Event()
        self.batch_interval_s = batch_interval_s
        self.save_interval_s = save_interval_s
        self.progressed: Event[[str, str]] = Event("ChatTurn.progressed")
        self._lock = threading.Lock()
        self._thinking: list[str] = []
        self._content: list[str] = []
        self.emitted = 0
        """How many progress events were sent (for tests and the stall benchmark)."""

    # -- the user side ---------------------------------------------------------------------------------------------

    @classmethod
    def ask(cls, sessions: Conversations, conversation_id: int, text: str, engine: ChatEngine, **options: object) -> ChatTurn:
        """Save ``text`` as the next user message, start the streaming answer row; the turn answers the history."""
        sessions.add_message(conversation_id, Role.USER, text)
        return cls._begin(sessions, conversation_id, engine, options)

    @classmethod
    def resend(cls, sessions: Conversations, message_id: int, text: str, engine: ChatEngine, **options: object) -> ChatTurn:
        """Edit and resend: the user message ``message_id`` gets ``text`` and everything after it goes."""
        sessions.set_content(message_id, text)
        sessions.truncate_after(message_id)
        return cls._begin(sessions, sessions.message(message_id).conversation_id, engine, options)

    @classmethod
    def regenerate(cls, sessions: Conversations, message_id: int, engine: ChatEngine, **options: object) -> ChatTurn:
        """Answer the user message ``message_id`` again: everything after it goes."""
        sessions.truncate_after(message_id)
        return cls._begin(sessions, sessions.message(message_id).conversation_id, engine, options)

    @classmethod
    def _begin(cls, sessions: Conversations, conversation_id: int, engine: ChatEngine, options: dict[str, object]) -> ChatTurn:
        message_id = sessions.begin_streaming(conversation_id)
        history = sessions.history(conversation_id)
        return cls(engine, history, sessions=sessions, message_id=message_id, **options)  # type: ignore[arg-type]

    # -- the answer ------------------------------------------------------------------------------------------------

    def stop(self) -> None:
        """Ask the engine to stop (from any thread); ``run()`` returns the answer so far, saved as 'cancelled'."""
        self.cancel.set()

    def text(self) -> tuple[str, str]:
        """(thinking, content) streamed so far."""
        with self._lock:
            return "".join(self._thinking), "".join(self._content)

    def run(self) -> Answer:
        """Stream the answer and save it. Raises what the engine raised, after saving the partial text as 'error'."""
        last_emit = 0.0
        last_save = time.monotonic()

        def on_piece(piece: Piece) -> None:
            nonlocal last_emit, last_save
            with self._lock:
                (self._thinking if piece.kind is PieceKind.THINKING else self._content).append(piece.text)
            now = time.monotonic()
            if now - last_emit >= self.batch_interval_s:
                last_emit = now
                self.emitted += 1
                self.progressed.emit(*self.text())
            if now - last_save >= self.save_interval_s:
                last_save = now
                self._save_partial()

        try:
            answer = self._respond(on_piece)
        except KeyboardInterrupt:  # Ctrl+C in `modelwerk chat`: keep what was said, as a stop would
            thinking, content = self.text()
            self._finish(content, thinking, None, MessageState.CANCELLED)
            raise
        except Exception as e:
            thinking, content = self.text()
            if self.cancel.is_set():  # stopped, then the runtime went away (the window closing stops both): a stop
                self._finish(content, thinking, None, MessageState.CANCELLED)
            else:
                self._finish(content, thinking, None, MessageState.ERROR, error=user_message(e))
            raise
        cancelled = answer.stats.finish_reason == "cancelled"
        self._finish(answer.content, answer.thinking, answer.stats,
                     MessageState.CANCELLED if cancelled else MessageState.DONE)  # fmt: skip
        return answer

    def _respond(self, on_piece: Callable[[Piece], None]) -> Answer:
        """The engine's answer to the history (app.answering's DocumentTurn answers from documents instead)."""
        return self.engine.answer(self.history, mode=self.mode, sampling=self.sampling,
                                  thinking_budget=self.thinking_budget, strategy=self.strategy, on_piece=on_piece,
                                  cancel=self.cancel)  # fmt: skip

    def _save_partial(self) -> None:
        if self.sessions is None or self.message_id is None:
            return
        thinking, content = self.text()
        try:
            self.sessions.update_streaming(self.message_id, content, thinking)
        except Exception:  # the conversation may have been deleted meanwhile; the final save reports that
            log.debug("could not save the streaming message", exc_info=True)

    def _finish(self, content: str, thinking: str, stats: AnswerStats | None, state: MessageState, *,
                error: str = "") -> None:  # fmt: skip
        if self.sessions is None or self.message_id is None:
            return
        try:
            self.sessions.finish_message(self.message_id, content, thinking, stats, state, error=error)
        except ChatError as e:  # the conversation was deleted meanwhile
            log.info("answer not saved: %s", e)
