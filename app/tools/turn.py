"""A chat turn with tools: the Chat page's answer when the conversation has tools on.

It is a ``ChatTurn`` (streamed, saved partially and finally, stopped the same way) whose answer comes from the agent
loop. The tools are made on the thread that runs it (the documents database opens there, and the search's embedder
and reranker start there at its first search) and end with it; the conversation's MCP servers start there too, but
stay running for its next answer (``app.tools.mcp_pool``). Each step is saved with the answer as it happens
(``set_steps``) and announced through ``stepped``, so a reopened conversation shows them and a stop keeps those done.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.chat.engine import ChatEngine
from app.chat.messages import Answer, ChatError, Message, Piece, Role
from app.chat.sessions import ConversationNotFound
from app.chat.toolset import ToolSet
from app.chat.turn import ChatTurn
from app.events import Event
from app.tools.fetch import fetch_tool, urls_in
from app.tools.loop import AgentLoop, Approver, Step, StopReason
from app.tools.spec import Tool

if TYPE_CHECKING:
    from app.tools.mcp_pool import McpPool
from core.errors import ModelwerkError, user_said
from core.messages import Message as Said
from core.messages import Text

__all__ = ["ToolTurn"]

log = logging.getLogger(__name__)


class ToolTurn(ChatTurn):
    """Build it with ``ToolTurn.ask`` / ``regenerate`` / ``resend`` and the extra keywords ``toolset``, ``approve`` (asked
    on the turn's thread before a call), ``max_steps``, ``documents`` (documents.db, for a collection), ``mcp_config``
    (the mcp.json, for MCP) and ``mcp_pool`` (where the conversation's MCP servers stay running between its answers;
    without it, or without a saved conversation, they start for this answer and stop after it).

    Events:
        stepped(steps, notes): every step so far (``Step``) and the lines about tools that could not be used.
    """

    def __init__(self, engine: ChatEngine, history: Sequence[Message], *, toolset: ToolSet, approve: Approver,
                 max_steps: int = 8, documents: Path | None = None, mcp_config: Path | None = None,
                 mcp_pool: McpPool | None = None, **options: Any) -> None:  # fmt: skip
        super().__init__(engine, history, **options)
        self.toolset = toolset
        self.approve = approve
        self.max_steps = max_steps
        self.documents = documents
        self.mcp_config = mcp_config
        self.mcp_pool = mcp_pool
        self.steps: list[Step] = []
        self.notes: list[Text] = []
        self.stopped: StopReason | None = None
        self.stepped: Event[[list[Step], list[Text]]] = Event("ToolTurn.stepped")

    def _respond(self, on_piece: Callable[[Piece], None]) -> Answer:
        with contextlib.ExitStack() as stack:
            tools = self._tools(stack)
            self.stepped.emit(list(self.steps), list(self.notes))
            loop = AgentLoop(self.engine, tools, approve=self.approve, max_steps=self.max_steps, mode=self.mode,
                             sampling=self.sampling, on_step=self._on_step, on_piece=on_piece,
                             cancel=self.cancel)  # fmt: skip
            result = loop.run(_openai(self.history))
        self.stopped = result.stopped
        answer = result.answer
        if result.stopped is StopReason.CANCELLED and answer.stats.finish_reason != "cancelled":
            answer = dataclasses.replace(answer, stats=dataclasses.replace(answer.stats, finish_reason="cancelled"))
        if result.stopped is StopReason.STEP_LIMIT:
            self.notes.append(Said.plural("Stopped after %n round of tool calls: the answer may be incomplete.",
                                          "Stopped after %n rounds of tool calls: the answer may be incomplete.",
                                          self.max_steps))  # fmt: skip
            self.stepped.emit(list(self.steps), list(self.notes))
        return answer

    def _on_step(self, step: Step) -> None:
        self.steps.append(step)
        if self.sessions is not None and self.message_id is not None:
            try:
                self.sessions.set_steps(self.message_id, [s.to_json() for s in self.steps])
            except ConversationNotFound as e:  # deleted meanwhile: the final save says so too
                log.info("steps not saved: %s", e)
        self.stepped.emit(list(self.steps), list(self.notes))

    def _tools(self, stack: contextlib.ExitStack) -> list[Tool]:
        """The tools of the toolset; one that cannot be had is a note, and the answer goes on without it."""
        chosen = self.toolset
        tools: list[Tool] = []
        if chosen.python:
            from app.tools.python import python_tool

            tools.append(python_tool())
        if chosen.fetch:
            urls = [u for m in self.history if m.role is Role.USER for u in urls_in(m.content)]
            if urls:
                tools.append(fetch_tool(list(dict.fromkeys(urls))))
            else:
                self.notes.append(Said("fetch: no web address in your messages, so no page can be read"))
        if chosen.collection:
            tools += self._docs(stack, chosen.collection)
        if chosen.mcp:
            tools += self._mcp(stack)
        if not tools:
            reasons: Text = self.notes[0] if self.notes else ""
            for note in self.notes[1:]:
                reasons = Said("{before}; {note}", before=reasons, note=note)
            raise ChatError(Said("none of this conversation's tools can be used: {reasons}", reasons=reasons),
                            hint=Said("change the Tools of this conversation"))
        return tools

    def _docs(self, stack: contextlib.ExitStack, name: str) -> list[Tool]:
        from app.documents.store import DocumentStore
        from app.search import LazyRetriever
        from app.tools.docs import docs_tool

        if self.documents is None:
            self.notes.append(Said("documents: there is no documents database"))
            return []
        try:
            store = stack.enter_context(DocumentStore.open(self.documents))
            info = store.collection(name)
        except ModelwerkError as e:  # a collection deleted meanwhile, a newer database: one note, the chat goes on
            self.notes.append(Said("documents: {problem}", problem=user_said(e)))
            return []
        # Searched as answers from documents are (hybrid, reranked); the embedder and reranker start at the first search.
        return [docs_tool(LazyRetriever(store, info.id, stack), collection=info.name)]

    def _mcp(self, stack: contextlib.ExitStack) -> list[Tool]:
        from app.tools.mcp_config import McpConfigError
        from app.tools.mcp_pool import McpPool

        if self.mcp_config is None or not self.mcp_config.is_file():
            self.notes.append(Said("MCP: there is no {file} (see the README's Tools section)",
                                   file=str(self.mcp_config or "mcp.json")))
            return []
        pool = self.mcp_pool or McpPool()  # a pool of none: servers for this answer only
        owner = None
        if self.mcp_pool is not None and self.sessions is not None and self.message_id is not None:
            with contextlib.suppress(ConversationNotFound):  # deleted meanwhile: servers for this answer only
                owner = self.sessions.message(self.message_id).conversation_id
        try:
            lease = stack.enter_context(pool.lease(owner, self.mcp_config))
        except McpConfigError as e:
            self.notes += [f"MCP: {line}" for line in str(e).splitlines()]
            return []
        self.notes += lease.notes
        return lease.tools


def _openai(history: Sequence[Message]) -> list[dict[str, Any]]:
    return [{"role": m.role.value, "content": m.content} for m in history]
