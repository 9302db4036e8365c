"""Answering a question from a document collection: the workflow that crosses documents and chat, for every face.

The question (rewritten with the conversation when it is a follow-up: ``app.documents.followup``) retrieves passages,
or the whole documents go in when they fit (``app.documents.context``); the model answers through a ``ChatEngine``; the
answer's [n] markers are mapped to the sources (``app.documents.citations``). The CLI (`modelwerk ask`) runs it today;
the Chat page attaches a collection through the same function.
"""

from __future__ import annotations

import contextlib
import dataclasses
import threading
import time
from collections.abc import Callable, Iterator, Sequence
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
from app.documents.embedder import EmbedderError
from app.documents.followup import retrieval_query
from app.documents.retrieval import Bm25Retriever, Retriever
from app.documents.store import DocumentStore
from app.documents.vectors import SearchMode, VectorIndex, retriever_for
from app.shield.flags import Flag
from app.shield.links import scan_answer
from app.shield.marking import unmark

__all__ = ["DocumentAnswer", "ask_documents", "open_retriever", "token_counter"]


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
    notes: list[str] = field(default_factory=list)
    flagged_links: list[Flag] = field(default_factory=list)

    @property
    def wrong_citations(self) -> list[Citation]:
        return [c for c in self.citations if not c.valid]


@contextlib.contextmanager
def open_retriever(store: DocumentStore, collection_id: int, mode: SearchMode | None = None) -> Iterator[Retriever]:
    """How a collection is searched, for as long as the ``with`` lasts: ``mode``, or by default hybrid (BM25 and vectors
    fused by reciprocal rank) when the collection has vectors and its embedding model's file is still there, else BM25.
    Vectors need the collection's embedder, which runs in its own llama-server child until the block ends.

    Raises:
        EmbedderError: vector or hybrid asked of a collection without vectors, or whose embedder's file is gone.
        ChatError: the embedder failed to start.
    """
    index = VectorIndex(store)
    record = index.embedder_of(collection_id)
    usable = record is not None and Path(record.location).is_file() and index.count(collection_id) > 0
    if mode is None:
        mode = SearchMode.HYBRID if usable else SearchMode.BM25
    if mode is SearchMode.BM25:
        yield Bm25Retriever(store, collection_id)
        return
    if record is None or index.count(collection_id) == 0:
        raise EmbedderError(f"{mode.value} search needs vectors, which this collection has none of yet: "
                            "`modelwerk docs embed COLLECTION` makes them")  # fmt: skip
    if not Path(record.location).is_file():
        raise EmbedderError(f"this collection's embedding model ({record.name}) is no longer at {record.location}: "
                            "embed the collection again (`modelwerk docs embed COLLECTION --model M`)")  # fmt: skip
    from app.chat.embedding import LlamaServerEmbedder

    with LlamaServerEmbedder(Path(record.location)) as embedder:
        yield retriever_for(store, collection_id, mode, embedder, index=index)


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
                  shield: bool = True) -> DocumentAnswer:  # fmt: skip
    """Answer ``question`` from the collection's documents.

    Args:
        history: the conversation so far (user and assistant turns, no system turn): it goes into the prompt before the
            question, and its latest user turn's key terms into the retrieval query.
        budget: the model's context and the answer's tokens (``sampling.max_tokens``).
        retriever: what finds the passages (default BM25; ``open_retriever`` gives hybrid when the collection has vectors).
        shield: datamark the sources in the prompt (``app.documents.context``); links are checked either way.

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
                            system_prompt=system_prompt, shield=shield)  # fmt: skip
    retrieval_s = time.monotonic() - t0
    messages = [Message(Role.SYSTEM, context.system), *turns, Message(Role.USER, context.user)]
    answer = engine.answer(messages, mode=mode, sampling=sampling, on_piece=on_piece, cancel=cancel)
    notes = []
    if context.marking is not None and context.marking.marker in answer.content:
        # A model that copies marked text writes the marker too (Gemma 3 270M does): the answer gets its spaces back.
        answer = dataclasses.replace(answer, content=unmark(answer.content, context.marking.marker))
        notes.append("the model wrote the sources' marking into its answer; it was turned back into spaces")
    if context.dropped:
        notes.append(f"{context.dropped} retrieved passage{'s' * (context.dropped != 1)} did not fit the context")
    known = [question, *(m.content for m in turns), *(s.text for s in context.sources)]
    return DocumentAnswer(answer, context, parse_citations(answer.content, context.sources),
                          "tokenizer" if counter.exact else "estimate", retrieval_s, notes,
                          scan_answer(answer.content, known=known))  # fmt: skip
