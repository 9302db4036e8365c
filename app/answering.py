"""Answering a question from a document collection: the workflow that crosses documents and chat, for every face.

The question (rewritten with the conversation when it is a follow-up: ``app.documents.followup``) retrieves passages,
or the whole documents go in when they fit (``app.documents.context``); the model answers through a ``ChatEngine``; the
answer's [n] markers are mapped to the sources (``app.documents.citations``). How the collection is searched (hybrid,
reranked) is ``app.search``'s. The CLI (`modelwerk ask`) runs it; the
Chat page runs it through ``DocumentTurn``, a chat turn that answers from the conversation's attached collection and
saves the sources with the answer.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.chat.attachments import AnswerSource, AnswerSources, Attachment
from app.chat.engine import ChatBackend, ChatEngine
from app.chat.messages import Answer, ChatError, Message, Piece, PromptedStrategy, ReasoningMode, Role, Sampling
from app.chat.sessions import ConversationNotFound
from app.chat.turn import ChatTurn
from app.documents.citations import Citation, parse_citations
from app.documents.context import (
    DEFAULT_K,
    Budget,
    ContextMode,
    DocumentContext,
    SourceMode,
    TokenCounter,
    build_context,
    estimate_tokens,
)
from app.documents.followup import retrieval_query
from app.documents.parse import DocumentError
from app.documents.retrieval import Bm25Retriever, Retriever
from app.documents.store import CollectionInfo, DocumentStore, UnknownCollection
from app.search import LazyRetriever
from app.shield.flags import Flag
from app.shield.links import scan_answer
from app.shield.marking import unmark
from core.messages import Message as Msg  # app.chat.messages has a Message of its own
from core.messages import Text

__all__ = ["DocumentAnswer", "DocumentTurn", "answer_sources", "ask_documents", "attached_collection", "token_counter"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DocumentAnswer:
    """The model's answer with the context it was given and its citations.

    Attributes:
        answer: the model's answer (content, thinking, stats).
        context: the sources and how they were chosen (mode, query, tokens).
        citations: every [n] of the answer, in order; ``valid`` false for a number that names no source.
        counted_by: "tokenizer" (the runtime's /tokenize) or "estimate".
        retrieval_s: seconds spent choosing the sources (retrieval or reading the whole documents, and counting).
        flagged_links: the answer's links and images whose address carries data from the conversation or the
            sources, or data of its own (the shield's output check, ``app.shield.links``).
    """

    answer: Answer
    context: DocumentContext
    citations: list[Citation]
    counted_by: str
    retrieval_s: float
    notes: list[Text] = field(default_factory=list)
    flagged_links: list[Flag] = field(default_factory=list)

    @property
    def wrong_citations(self) -> list[Citation]:
        return [c for c in self.citations if not c.valid]


class _Counter:
    """The runtime's tokenizer (/tokenize), falling back to ``estimate_tokens`` when the backend has none."""

    def __init__(self, backend: ChatBackend) -> None:
        self.backend = backend
        self.exact = True

    def __call__(self, text: str) -> int:
        if self.exact:
            tokens = self.backend.tokenize(text)
            if tokens is not None:
                return len(tokens)
            self.exact = False
        return estimate_tokens(text)


def token_counter(backend: ChatBackend) -> TokenCounter:
    """Token counts as the backend's model counts them, else a conservative estimate."""
    return _Counter(backend)


def ask_documents(engine: ChatEngine, store: DocumentStore, collection_id: int, question: str, *, budget: Budget,
                  history: Sequence[Message] = (), mode: ReasoningMode = ReasoningMode.OFF,
                  sampling: Sampling | None = None, k: int = DEFAULT_K, sources: SourceMode = SourceMode.AUTO,
                  paths: Sequence[Path] | None = None, system_prompt: str = "", retriever: Retriever | None = None,
                  on_piece: Callable[[Piece], None] | None = None, cancel: threading.Event | None = None,
                  thinking_budget: int = 1024, strategy: PromptedStrategy = PromptedStrategy.BUDGET,
                  shield: bool = True, exclude_flagged: bool = False) -> DocumentAnswer:  # fmt: skip
    """Answer ``question`` from the collection's documents.

    Args:
        history: the conversation so far (user and assistant turns, no system turn): it goes into the prompt before the
            question, and its latest user turn's key terms into the retrieval query.
        budget: the model's context and the answer's tokens (``sampling.max_tokens``).
        retriever: what finds the passages (default BM25; ``open_retriever`` gives hybrid when the collection has vectors).
        shield: datamark the sources in the prompt (``app.documents.context``); links are checked either way.
        exclude_flagged: leave out the passages (or whole documents) the shield flagged at indexing.

    Raises:
        DocumentError: nothing to answer from, or no room for sources in the context.
        ChatError: the model failed.
    """
    sampling = sampling or Sampling(max_tokens=budget.answer)
    counter = _Counter(engine.backend)
    t0 = time.monotonic()
    turns = [m for m in history if m.role is not Role.SYSTEM]
    query = retrieval_query(question, [m.content for m in turns if m.role is Role.USER])
    history_tokens = sum(counter(m.content) + 4 for m in turns)
    context = build_context(question, store=store, collection_id=collection_id,
                            retriever=retriever or Bm25Retriever(store, collection_id), budget=budget, query=query,
                            count=counter, k=k, mode=sources, paths=paths, history_tokens=history_tokens,
                            system_prompt=system_prompt, shield=shield, exclude_flagged=exclude_flagged)  # fmt: skip
    retrieval_s = time.monotonic() - t0
    messages = [Message(Role.SYSTEM, context.system), *turns, Message(Role.USER, context.user)]
    answer = engine.answer(messages, mode=mode, sampling=sampling, thinking_budget=thinking_budget, strategy=strategy,
                           on_piece=on_piece, cancel=cancel)  # fmt: skip
    notes: list[Text] = []
    if context.marking is not None and context.marking.marker in answer.content:
        # A model that copies marked text writes the marker too (Gemma 3 270M does): the answer gets its spaces back.
        answer = dataclasses.replace(answer, content=unmark(answer.content, context.marking.marker))
        notes.append(Msg("the model wrote the sources' marking into its answer; it was turned back into spaces"))
    if context.excluded:
        notes.append(Msg.plural("%n flagged passage left out, as asked", "%n flagged passages left out, as asked",
                                    context.excluded))  # fmt: skip
    if context.dropped:
        notes.append(Msg.plural("%n retrieved passage did not fit the context",
                                "%n retrieved passages did not fit the context", context.dropped))  # fmt: skip
    reranked_by = getattr(retriever, "reranked_said", None) or getattr(retriever, "reranked_by", "")
    if context.mode is ContextMode.RETRIEVAL and context.sources and reranked_by:
        model = reranked_by if isinstance(reranked_by, Msg) else str(reranked_by)
        notes.append(Msg("passages reranked by {model}", model=model))
    known = [question, *(m.content for m in turns), *(s.text for s in context.sources)]
    return DocumentAnswer(answer, context, parse_citations(answer.content, context.sources),
                          "tokenizer" if counter.exact else "estimate", retrieval_s, notes,
                          scan_answer(answer.content, known=known))  # fmt: skip


def answer_sources(result: DocumentAnswer, collection: CollectionInfo, search: str = "") -> AnswerSources:
    """What the answer was given, as the chat stores it with the message: its numbered sources and how they were chosen.

    Args:
        search: the retriever that found the passages ("hybrid", "bm25"); "" when none was asked.
    """
    ctx = result.context
    cited = {c.number for c in result.citations if c.valid}
    sources = tuple(
        AnswerSource(s.number, str(s.source.path), s.source.start, s.source.end, s.text, s.source.page,
                     s.source.page_end, s.source.heading, s.flags, s.passage_id, s.tokens, s.number in cited)
        for s in ctx.sources
    )  # fmt: skip
    wrong = tuple(dict.fromkeys(c.number for c in result.wrong_citations))
    return AnswerSources(collection.id, collection.name, ctx.mode.value,
                         search if ctx.mode is ContextMode.RETRIEVAL else "", ctx.query, sources, ctx.source_tokens,
                         wrong, tuple(result.notes))  # fmt: skip


def attached_collection(store: DocumentStore, attachment: Attachment) -> CollectionInfo:
    """The collection an attachment names, by id (a renamed collection is still found).

    Raises:
        UnknownCollection: it was deleted.
        DocumentError: it has no indexed text.
    """
    info = next((c for c in store.collections() if c.id == attachment.collection_id), None)
    if info is None:
        raise UnknownCollection(Msg("the collection {collection} attached to this chat no longer exists: detach it or "
                                    "attach another", collection=repr(attachment.collection)))  # fmt: skip
    if info.passages == 0:
        raise DocumentError(Msg("the collection {name} has no indexed text yet: add files on the Documents page",
                                name=repr(info.name)))
    return info


class DocumentTurn(ChatTurn):
    """A chat turn answered from the conversation's attached collection, streamed and saved like any turn, its sources
    saved with the answer (``sources`` once it ran). The documents database is opened on the thread that runs it.

    Build it with ``DocumentTurn.ask`` / ``regenerate`` / ``resend`` and the extra keywords ``db_path`` (documents.db),
    ``attachment`` and ``context`` (the model's context in tokens).
    """

    def __init__(self, engine: ChatEngine, history: Sequence[Message], *, db_path: Path, attachment: Attachment,
                 context: int, k: int = DEFAULT_K, **options: Any) -> None:  # fmt: skip
        super().__init__(engine, history, **options)
        self.db_path = db_path
        self.attachment = attachment
        self.context = context
        self.k = k
        self.sources: AnswerSources | None = None

    def _respond(self, on_piece: Callable[[Piece], None]) -> Answer:
        system = next((m.content for m in self.history if m.role is Role.SYSTEM), "")
        turns = [m for m in self.history if m.role is not Role.SYSTEM]
        if not turns or turns[-1].role is not Role.USER:
            raise ChatError(Msg("there is no question to answer from the documents"))
        files = [Path(f) for f in self.attachment.files] or None
        with DocumentStore.open(self.db_path) as store, contextlib.ExitStack() as stack:
            info = attached_collection(store, self.attachment)
            retriever = LazyRetriever(store, info.id, stack)
            result = ask_documents(self.engine, store, info.id, turns[-1].content, history=turns[:-1],
                                   budget=Budget(self.context, self.sampling.max_tokens), mode=self.mode,
                                   sampling=self.sampling, thinking_budget=self.thinking_budget, strategy=self.strategy,
                                   k=self.k, sources=SourceMode(self.attachment.sources), paths=files,
                                   system_prompt=system, retriever=retriever, on_piece=on_piece,
                                   cancel=self.cancel, exclude_flagged=self.attachment.exclude_flagged)  # fmt: skip
        self.sources = answer_sources(result, info, retriever.name)
        if self.sessions is not None and self.message_id is not None:
            try:
                self.sessions.set_sources(self.message_id, self.sources)
            except ConversationNotFound as e:  # deleted meanwhile: the final save says so too
                log.info("sources not saved: %s", e)
        return result.answer
