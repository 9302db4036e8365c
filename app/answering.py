"""Answering a question from a document collection: the workflow that crosses documents and chat, for every face.

The question (rewritten with the conversation when it is a follow-up: ``app.documents.followup``) retrieves passages,
or the whole documents go in when they fit (``app.documents.context``); the model answers through a ``ChatEngine``; the
answer's [n] markers are mapped to the sources (``app.documents.citations``). The CLI (`modelwerk ask`) runs it today;
the Chat page attaches a collection through the same function.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from app.chat.engine import ChatBackend, ChatEngine
from app.chat.messages import Answer, Message, Piece, ReasoningMode, Role, Sampling
from app.documents.citations import Citation, parse_citations
from app.documents.context import (
    DEFAULT_K,
    Budget,
    DocumentContext,
    SourceMode,
    TokenCounter,
    build_context,
    estimate_tokens,
)
from app.documents.followup import retrieval_query
from app.documents.retrieval import Bm25Retriever, Retriever
from app.documents.store import DocumentStore

__all__ = ["DocumentAnswer", "ask_documents", "retriever_for", "token_counter"]


@dataclass(frozen=True)
class DocumentAnswer:
    """The model's answer with the context it was given and its citations.

    Attributes:
        answer: the model's answer (content, thinking, stats).
        context: the sources and how they were chosen (mode, query, tokens).
        citations: every [n] of the answer, in order; ``valid`` false for a number that names no source.
        counted_by: "tokenizer" (the runtime's /tokenize) or "estimate".
        retrieval_s: seconds spent choosing the sources (retrieval or reading the whole documents, and counting).
    """

    answer: Answer
    context: DocumentContext
    citations: list[Citation]
    counted_by: str
    retrieval_s: float
    notes: list[str] = field(default_factory=list)

    @property
    def wrong_citations(self) -> list[Citation]:
        return [c for c in self.citations if not c.valid]


def retriever_for(store: DocumentStore, collection_id: int) -> Retriever:
    """How a collection is searched: BM25 now; a vector or hybrid retriever when the collection has an embedder."""
    return Bm25Retriever(store, collection_id)


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
                  on_piece: Callable[[Piece], None] | None = None,
                  cancel: threading.Event | None = None) -> DocumentAnswer:  # fmt: skip
    """Answer ``question`` from the collection's documents.

    Args:
        history: the conversation so far (user and assistant turns, no system turn): it goes into the prompt before the
            question, and its latest user turn's key terms into the retrieval query.
        budget: the model's context and the answer's tokens (``sampling.max_tokens``).

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
                            retriever=retriever or retriever_for(store, collection_id), budget=budget, query=query,
                            count=counter, k=k, mode=sources, paths=paths, history_tokens=history_tokens,
                            system_prompt=system_prompt)  # fmt: skip
    retrieval_s = time.monotonic() - t0
    messages = [Message(Role.SYSTEM, context.system), *turns, Message(Role.USER, context.user)]
    answer = engine.answer(messages, mode=mode, sampling=sampling, on_piece=on_piece, cancel=cancel)
    notes = []
    if context.dropped:
        notes.append(f"{context.dropped} retrieved passage{'s' * (context.dropped != 1)} did not fit the context")
    return DocumentAnswer(answer, context, parse_citations(answer.content, context.sources),
                          "tokenizer" if counter.exact else "estimate", retrieval_s, notes)  # fmt: skip
