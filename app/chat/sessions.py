"""Saved conversations: the ``conversations`` and ``messages`` tables, and the reads and writes the Chat page makes.

A message being streamed is saved as state 'streaming' and rewritten now and then (``update_streaming``), so a crash
loses at most the last few tokens; the next time the store is opened such messages become 'cancelled' with what they
had. No threads here: every call is one short statement or one transaction on the Store.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import logging
import sqlite3
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from app.chat.attachments import AnswerSources, Attachment
from app.chat.figures import figures_of
from app.chat.messages import AnswerStats, ChatError, Message, PromptedStrategy, ReasoningMode, Role, Sampling
from app.chat.toolset import ToolSet
from app.store import Store
from core.messages import N_
from core.messages import Message as Msg

__all__ = [
    "Conversation", "ConversationNotFound", "Conversations", "MessageState", "StoredMessage", "endpoint_model_key",
    "local_model_key", "title_from",
]

log = logging.getLogger(__name__)

TITLE_CHARS = 60
"""A title made from the first user message is cut to this many characters."""


class ConversationNotFound(ChatError):
    """No conversation or message with that id (deleted meanwhile)."""

    hint = N_("the conversation was deleted: start a new one")


class MessageState(enum.Enum):
    DONE = "done"
    STREAMING = "streaming"
    ERROR = "error"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Conversation:
    """One saved conversation with one model.

    Attributes:
        model_key: ``local_model_key(catalog id)`` or ``endpoint_model_key(endpoint id, model name)``.
        title: "" until the first user message names it (see ``title_from``) or the user renames it.
        updated: last change to it or to any of its messages (lists sort by it, newest first).
    """

    id: int
    model_key: str
    title: str
    system_prompt: str
    sampling: Sampling
    reasoning: ReasoningMode
    created: datetime
    updated: datetime
    thinking_budget: int = 1024
    strategy: PromptedStrategy = PromptedStrategy.BUDGET
    attachment: Attachment | None = None
    """The document collection its answers come from (None: a plain chat)."""
    tools: ToolSet = field(default_factory=ToolSet)
    """The tools its model may call (none: a plain chat)."""


@dataclass(frozen=True)
class StoredMessage:
    """One saved message. ``stats`` is None for user and system messages (and unfinished answers); ``sources`` is what
    an answer from documents was given (None for any other message)."""

    id: int
    conversation_id: int
    position: int
    role: Role
    content: str
    thinking: str
    stats: AnswerStats | None
    state: MessageState
    error: str
    created: datetime
    updated: datetime
    sources: AnswerSources | None = None
    steps: tuple[dict[str, Any], ...] = ()
    """An answer's tool steps (``Step.to_json()`` each), in order."""

    def to_message(self) -> Message:
        """The message as the engine takes it (history for the next turn)."""
        return Message(self.role, self.content, self.thinking)


def local_model_key(entry_id: int) -> str:
    """The model key of a library (catalog) model: ``"model:12"``."""
    return f"model:{entry_id:d}"


def endpoint_model_key(endpoint_id: int, model: str) -> str:
    """The model key of a model served by a remote endpoint: ``"endpoint:3/qwen3-8b"``."""
    return f"endpoint:{endpoint_id:d}/{model}"


def title_from(text: str) -> str:
    """A conversation title from a user message: its first non-empty line, cut to ``TITLE_CHARS`` with an ellipsis."""
    line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    line = " ".join(line.split())
    return line if len(line) <= TITLE_CHARS else line[: TITLE_CHARS - 1].rstrip() + "…"


def _now() -> str:
    return datetime.now(timezone.utc).isoformat()


def _time(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _known_fields(cls: type[Any], data: Any) -> dict[str, Any]:
    # Settings written by a newer or older Modelwerk may have fields this one lacks (or lack some): keep the known ones.
    if not isinstance(data, dict):
        return {}
    names = {f.name for f in dataclasses.fields(cls)}
    return {key: value for key, value in data.items() if key in names}


def sampling_from_json(text: str) -> Sampling:
    """Decode a stored Sampling; unknown or broken JSON gives the defaults for the missing fields."""
    try:
        return Sampling(**_known_fields(Sampling, json.loads(text or "{}")))
    except (ValueError, TypeError):
        log.warning("Ignoring unreadable sampling settings %r", text[:80])
        return Sampling()


def stats_from_json(text: str | None) -> AnswerStats | None:
    """Decode stored AnswerStats (None stays None)."""
    if not text:
        return None
    try:
        return AnswerStats(**_known_fields(AnswerStats, json.loads(text)))
    except (ValueError, TypeError):
        log.warning("Ignoring unreadable answer stats %r", text[:80])
        return None


def _stats_json(stats: AnswerStats | None) -> str | None:
    return None if stats is None else json.dumps(dataclasses.asdict(stats))


def _reasoning(text: str) -> ReasoningMode:
    try:
        return ReasoningMode(text)
    except ValueError:
        return ReasoningMode.OFF


def _strategy(text: str) -> PromptedStrategy:
    try:
        return PromptedStrategy(text)
    except ValueError:
        return PromptedStrategy.BUDGET


def _conversation(row: sqlite3.Row) -> Conversation:
    return Conversation(
        id=int(row["id"]),
        model_key=str(row["model_key"]),
        title=str(row["title"]),
        system_prompt=str(row["system_prompt"]),
        sampling=sampling_from_json(str(row["sampling"])),
        reasoning=_reasoning(str(row["reasoning"])),
        thinking_budget=int(row["thinking_budget"]),
        strategy=_strategy(str(row["strategy"])),
        created=_time(row["created"]),
        updated=_time(row["updated"]),
        attachment=Attachment.from_json(row["attachment"]),
        tools=ToolSet.from_json(row["tools"]),
    )


def _steps(text: str | None) -> tuple[dict[str, Any], ...]:
    """Stored steps, leniently: what is not a list of objects is none."""
    try:
        data = json.loads(text) if text else []
    except ValueError:
        return ()
    return tuple(s for s in data if isinstance(s, dict)) if isinstance(data, list) else ()


def _message(row: sqlite3.Row) -> StoredMessage:
    return StoredMessage(
        id=int(row["id"]),
        conversation_id=int(row["conversation_id"]),
        position=int(row["position"]),
        role=Role(row["role"]),
        content=str(row["content"]),
        thinking=str(row["thinking"]),
        stats=stats_from_json(row["stats"]),
        state=MessageState(row["state"]),
        error=str(row["error"]),
        created=_time(row["created"]),
        updated=_time(row["updated"]),
        sources=AnswerSources.from_json(row["sources"]),
        steps=_steps(row["steps"]),
    )


# Stores whose interrupted streams were already recovered: a second Conversations on the same open Store must not
# cancel a message that is streaming right now.
_recovered: weakref.WeakSet[Store] = weakref.WeakSet()


class Conversations:
    """The saved conversations in a Store.

    Creating the first ``Conversations`` on an open Store marks messages left 'streaming' (the app crashed or was
    killed mid-answer) as 'cancelled', keeping the text they had.
    """

    def __init__(self, store: Store) -> None:
        self._store = store
        if store not in _recovered:
            _recovered.add(store)
            self.recover_interrupted()

    @property
    def store(self) -> Store:
        return self._store

    def recover_interrupted(self) -> int:
        """Mark every 'streaming' message 'cancelled'; returns how many there were. Only call when nothing streams."""
        count = self._store.execute(
            "UPDATE messages SET state = ?, updated = ? WHERE state = ?",
            (MessageState.CANCELLED.value, _now(), MessageState.STREAMING.value),
        )
        if count:
            log.info("Chat: %d answer(s) interrupted by the last exit marked cancelled", count)
        return count

    # -- conversations ---------------------------------------------------------------------------------------------

    def create(
        self,
        model_key: str,
        *,
        title: str = "",
        system_prompt: str = "",
        sampling: Sampling | None = None,
        reasoning: ReasoningMode = ReasoningMode.OFF,
    ) -> Conversation:
        """Start a new, empty conversation with the model ``model_key``."""
        now = _now()
        with self._store.transaction():
            self._store.execute(
                "INSERT INTO conversations (model_key, title, system_prompt, sampling, reasoning, created, updated)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (model_key, title, system_prompt, json.dumps(dataclasses.asdict(sampling or Sampling())),
                 reasoning.value, now, now),
            )
            row = self._store.fetchone("SELECT * FROM conversations WHERE id = last_insert_rowid()")
        assert row is not None
        return _conversation(row)

    def get(self, conversation_id: int) -> Conversation:
        """The conversation with this id; raises ConversationNotFound."""
        row = self._store.fetchone("SELECT * FROM conversations WHERE id = ?", (conversation_id,))
        if row is None:
            raise ConversationNotFound(Msg("There is no conversation with id {conversation_id}",
                                           conversation_id=str(conversation_id)))
        return _conversation(row)

    def list_for(self, model_key: str) -> list[Conversation]:
        """The conversations with one model, most recently updated first."""
        rows = self._store.fetchall(
            "SELECT * FROM conversations WHERE model_key = ? ORDER BY updated DESC, id DESC", (model_key,)
        )
        return [_conversation(row) for row in rows]

    def list_all(self) -> list[Conversation]:
        """Every conversation, most recently updated first."""
        rows = self._store.fetchall("SELECT * FROM conversations ORDER BY updated DESC, id DESC")
        return [_conversation(row) for row in rows]

    def rename(self, conversation_id: int, title: str) -> None:
        """Set the title (whitespace collapsed)."""
        self._set(conversation_id, "title", " ".join(title.split()))

    def set_system_prompt(self, conversation_id: int, system_prompt: str) -> None:
        """Set the system prompt sent before the history ("" for none)."""
        self._set(conversation_id, "system_prompt", system_prompt)

    def set_sampling(self, conversation_id: int, sampling: Sampling) -> None:
        """Set the sampling parameters of the next answers."""
        self._set(conversation_id, "sampling", json.dumps(dataclasses.asdict(sampling)))

    def set_reasoning(self, conversation_id: int, reasoning: ReasoningMode) -> None:
        """Set System 1 / System 2 for the next answers."""
        self._set(conversation_id, "reasoning", reasoning.value)

    def set_thinking(self, conversation_id: int, *, budget: int, strategy: PromptedStrategy) -> None:
        """Set the thinking budget (tokens) and the prompted strategy of System 2."""
        self._set(conversation_id, "thinking_budget", max(16, int(budget)))
        self._set(conversation_id, "strategy", strategy.value)

    def set_attachment(self, conversation_id: int, attachment: Attachment | None) -> None:
        """Attach a document collection to the next answers (None: detach; the answers given keep their sources)."""
        self._set(conversation_id, "attachment", "" if attachment is None else attachment.to_json())

    def set_tools(self, conversation_id: int, tools: ToolSet) -> None:
        """The tools the next answers may call."""
        self._set(conversation_id, "tools", tools.to_json())

    def _set(self, conversation_id: int, column: str, value: str | int) -> None:
        # column is one of our literals above, never user input.
        changed = self._store.execute(
            f"UPDATE conversations SET {column} = ?, updated = ? WHERE id = ?", (value, _now(), conversation_id)
        )
        if not changed:
            raise ConversationNotFound(Msg("There is no conversation with id {conversation_id}",
                                           conversation_id=str(conversation_id)))

    def delete(self, conversation_id: int) -> None:
        """Delete a conversation and its messages (deleting one that is gone already is harmless)."""
        with self._store.transaction():
            # The foreign key cascades too; deleting explicitly keeps working if foreign keys were ever off.
            self._store.execute("DELETE FROM messages WHERE conversation_id = ?", (conversation_id,))
            self._store.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,))

    def figure_names(self) -> set[str]:
        """The stored figures (app.chat.figures) that the steps of any conversation refer to."""
        rows = self._store.fetchall("""SELECT steps FROM messages WHERE steps LIKE '%"figures"%'""")
        return {f.file for row in rows for f in figures_of(_steps(row["steps"]))}

    # -- messages --------------------------------------------------------------------------------------------------

    def messages(self, conversation_id: int) -> list[StoredMessage]:
        """The conversation's messages in order (empty for an unknown id)."""
        rows = self._store.fetchall(
            "SELECT * FROM messages WHERE conversation_id = ? ORDER BY position", (conversation_id,)
        )
        return [_message(row) for row in rows]

    def message(self, message_id: int) -> StoredMessage:
        """One message; raises ConversationNotFound."""
        row = self._store.fetchone("SELECT * FROM messages WHERE id = ?", (message_id,))
        if row is None:
            raise ConversationNotFound(Msg("There is no message with id {message_id}", message_id=str(message_id)))
        return _message(row)

    def add_message(
        self,
        conversation_id: int,
        role: Role,
        content: str,
        *,
        thinking: str = "",
        stats: AnswerStats | None = None,
        state: MessageState = MessageState.DONE,
        error: str = "",
    ) -> StoredMessage:
        """Append a message. The first user message of an untitled conversation gives it its title.

        Raises:
            ConversationNotFound: no such conversation.
        """
        now = _now()
        with self._store.transaction():
            conversation = self.get(conversation_id)
            row = self._store.fetchone(
                "SELECT COALESCE(MAX(position), -1) + 1 FROM messages WHERE conversation_id = ?", (conversation_id,)
            )
            assert row is not None
            self._store.execute(
                "INSERT INTO messages (conversation_id, position, role, content, thinking, stats, state, error, created,"
                " updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (conversation_id, int(row[0]), role.value, content, thinking, _stats_json(stats), state.value, error,
                 now, now),
            )
            added = self._store.fetchone("SELECT * FROM messages WHERE id = last_insert_rowid()")
            title = conversation.title
            if role is Role.USER and not title:
                title = self._unique_title(conversation.model_key, title_from(content), conversation_id)
            self._store.execute("UPDATE conversations SET title = ?, updated = ? WHERE id = ?", (title, now, conversation_id))
        assert added is not None
        return _message(added)

    def _unique_title(self, model_key: str, title: str, conversation_id: int) -> str:
        """`title`, or "title (2)", "(3)"... when another conversation with the same model has it already: the list
        under a model never shows two identical entries."""
        rows = self._store.fetchall("SELECT title FROM conversations WHERE model_key = ? AND id != ?",
                                    (model_key, conversation_id))  # fmt: skip
        taken = {str(r[0]) for r in rows}
        if title not in taken:
            return title
        n = 2
        while f"{title} ({n})" in taken:
            n += 1
        return f"{title} ({n})"

    def begin_streaming(self, conversation_id: int, role: Role = Role.ASSISTANT) -> int:
        """Append an empty message in state 'streaming' and return its id (for update/finish_message)."""
        return self.add_message(conversation_id, role, "", state=MessageState.STREAMING).id

    def update_streaming(self, message_id: int, content: str, thinking: str) -> None:
        """Save the text streamed so far: one small UPDATE, fine to call a few times a second.

        Does nothing once the message is no longer streaming (finished, or deleted by a regenerate).
        """
        self._store.execute(
            "UPDATE messages SET content = ?, thinking = ?, updated = ? WHERE id = ? AND state = ?",
            (content, thinking, _now(), message_id, MessageState.STREAMING.value),
        )

    def finish_message(
        self,
        message_id: int,
        content: str,
        thinking: str = "",
        stats: AnswerStats | None = None,
        state: MessageState = MessageState.DONE,
        *,
        error: str = "",
    ) -> StoredMessage:
        """Save a message's final text, stats and state ('done', 'cancelled' or 'error' with its one-line reason).

        Raises:
            ConversationNotFound: the message was deleted meanwhile (e.g. the conversation was deleted).
        """
        now = _now()
        with self._store.transaction():
            changed = self._store.execute(
                "UPDATE messages SET content = ?, thinking = ?, stats = ?, state = ?, error = ?, updated = ? WHERE id = ?",
                (content, thinking, _stats_json(stats), state.value, error, now, message_id),
            )
            if not changed:
                raise ConversationNotFound(Msg("There is no message with id {message_id}", message_id=str(message_id)))
            self._store.execute(
                "UPDATE conversations SET updated = ? WHERE id = (SELECT conversation_id FROM messages WHERE id = ?)",
                (now, message_id),
            )
            return self.message(message_id)

    def set_sources(self, message_id: int, sources: AnswerSources | None) -> None:
        """Save what an answer from documents was given (its numbered sources), for as long as the message is kept.

        Raises:
            ConversationNotFound: the message was deleted meanwhile.
        """
        changed = self._store.execute("UPDATE messages SET sources = ? WHERE id = ?",
                                      (None if sources is None else sources.to_json(), message_id))  # fmt: skip
        if not changed:
            raise ConversationNotFound(Msg("There is no message with id {message_id}", message_id=str(message_id)))

    def set_steps(self, message_id: int, steps: Sequence[Mapping[str, Any]]) -> None:
        """Save an answer's tool steps (each ``Step.to_json()``).

        Raises:
            ConversationNotFound: the message was deleted meanwhile.
        """
        changed = self._store.execute("UPDATE messages SET steps = ? WHERE id = ?",
                                      (json.dumps([dict(s) for s in steps], default=str) if steps else None,
                                       message_id))  # fmt: skip
        if not changed:
            raise ConversationNotFound(Msg("There is no message with id {message_id}", message_id=str(message_id)))

    def set_content(self, message_id: int, content: str) -> None:
        """Replace a message's text (edit and resend: ``set_content`` on the user message, then ``truncate_after``)."""
        changed = self._store.execute(
            "UPDATE messages SET content = ?, updated = ? WHERE id = ?", (content, _now(), message_id)
        )
        if not changed:
            raise ConversationNotFound(Msg("There is no message with id {message_id}", message_id=str(message_id)))

    def truncate_after(self, message_id: int) -> int:
        """Delete every message after this one in its conversation (edit and resend, regenerate); returns how many.

        Raises:
            ConversationNotFound: no such message.
        """
        with self._store.transaction():
            kept = self.message(message_id)
            count = self._store.execute(
                "DELETE FROM messages WHERE conversation_id = ? AND position > ?", (kept.conversation_id, kept.position)
            )
            self._store.execute("UPDATE conversations SET updated = ? WHERE id = ?", (_now(), kept.conversation_id))
        return count

    def history(self, conversation_id: int) -> list[Message]:
        """What the next turn sends: the system prompt (if any), then every finished or partial message; a message
        still streaming is left out.

        An answer with no text (it failed or was stopped before it said anything, or it only thought) is sent as an
        empty answer, not left out: the questions around it must not reach the model back to back (many chat templates,
        Gemma's and Mistral's among them, refuse a conversation whose roles do not alternate).
        """
        conversation = self.get(conversation_id)
        result = [Message(Role.SYSTEM, conversation.system_prompt)] if conversation.system_prompt else []
        for m in self.messages(conversation_id):
            if m.state is MessageState.STREAMING:
                continue
            result.append(m.to_message())
        return result
