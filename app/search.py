"""How a document collection is searched, for every face that searches one: answers from documents (app.answering), the
chat's search tool (app.tools.docs), ``modelwerk docs search`` and the Documents page.

Hybrid (BM25 and vectors fused by reciprocal rank) when the collection has vectors and its embedding model's file is
still there, else BM25; reranked when the collection has a reranker. The embedder and the reranker are llama-server
children (app.chat), so this sits above both app.documents and app.chat, and below the workflows that use it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from app.documents.rerank import RerankError, RerankingRetriever, reranker_of
from app.documents.retrieval import Bm25Retriever, Hit, Retriever
from app.documents.store import DocumentStore
from core.messages import Message as Msg

if TYPE_CHECKING:  # vectors and embedders need numpy: imported by the calls that search with them, not by the GUI thread
    from app.documents.selftest import Probe, SelfTestResult
    from app.documents.vectors import SearchMode

__all__ = ["LazyRetriever", "default_search", "how_searched", "measure_search", "open_retriever", "reranker_file"]


def default_search(store: DocumentStore, collection_id: int) -> SearchMode:
    """How a collection is searched unless told otherwise: hybrid when it has vectors and its embedding model's file is
    still there, else BM25."""
    from app.documents.vectors import SearchMode, VectorIndex

    index = VectorIndex(store)
    record = index.embedder_of(collection_id)
    usable = record is not None and Path(record.location).is_file() and index.count(collection_id) > 0
    return SearchMode.HYBRID if usable else SearchMode.BM25


@contextlib.contextmanager
def open_retriever(store: DocumentStore, collection_id: int, mode: SearchMode | None = None, *,
                   rerank: Path | bool = True) -> Iterator[Retriever]:  # fmt: skip
    """How a collection is searched, for as long as the ``with`` lasts: ``mode``, or by default hybrid (BM25 and vectors
    fused by reciprocal rank) when the collection has vectors and its embedding model's file is still there, else BM25;
    then reranked when ``rerank`` says so. Vectors need the collection's embedder and reranking a reranker, each in its
    own llama-server child until the block ends.

    Args:
        rerank: True: with the collection's reranker when it has one; False: never; a path: with that GGUF reranker.

    Raises:
        EmbedderError: vector or hybrid asked of a collection without vectors, or whose embedder's file is gone.
        RerankError: the collection's reranker's file is gone.
        ChatError: the embedder or the reranker failed to start, or the reranker is no reranker.
    """
    with contextlib.ExitStack() as stack:
        retriever = _first_stage(store, collection_id, mode, stack)
        model = reranker_file(store, collection_id, rerank)
        if model is not None:
            from app.chat.reranking import LlamaServerReranker

            retriever = RerankingRetriever(retriever, stack.enter_context(LlamaServerReranker(model)))
        yield retriever


def reranker_file(store: DocumentStore, collection_id: int, rerank: Path | bool = True) -> Path | None:
    """The GGUF to rerank a collection's search with (see ``open_retriever``), or None.

    Raises:
        RerankError: the collection's reranker's file is gone.
    """
    if rerank is False:
        return None
    if rerank is not True:
        return Path(rerank)
    choice = reranker_of(store, collection_id)
    if choice is None:
        return None
    if not choice.location.is_file():
        raise RerankError(Msg("this collection's reranker ({name}) is no longer at {location}: choose another one, or none",
                              name=str(choice.name), location=str(choice.location)))  # fmt: skip
    return choice.location


def measure_search(store: DocumentStore, collection_id: int, probes: Sequence[Probe]) -> tuple[list[SelfTestResult], str]:
    """The self-test of each way the collection is searched: BM25; vector and hybrid when it has vectors and its
    embedding model's file is there (the embedder runs meanwhile); then its search (hybrid, else BM25) reranked when it
    has a reranker (which runs meanwhile too). Returns the results, and what reranked ("" when nothing did).

    Raises:
        RerankError: the collection's reranker's file is gone.
        ChatError: the embedder or the reranker failed.
    """
    from app.documents.retrieval import FusedRetriever
    from app.documents.selftest import evaluate
    from app.documents.vectors import SearchMode

    bm25 = Bm25Retriever(store, collection_id)
    results = [evaluate(bm25, probes)]
    reranker = reranker_file(store, collection_id)
    best: Retriever = bm25
    with contextlib.ExitStack() as stack:
        if default_search(store, collection_id) is SearchMode.HYBRID:
            vector = _first_stage(store, collection_id, SearchMode.VECTOR, stack)
            best = FusedRetriever([bm25, vector])
            results += [evaluate(vector, probes), evaluate(best, probes)]
        if reranker is None:
            return results, ""
        from app.chat.reranking import LlamaServerReranker

        reranking = RerankingRetriever(best, stack.enter_context(LlamaServerReranker(reranker)))
        results.append(evaluate(reranking, probes))
        return results, reranking.reranked_by


def _first_stage(store: DocumentStore, collection_id: int, mode: SearchMode | None,
                 stack: contextlib.ExitStack) -> Retriever:  # fmt: skip
    from app.documents.embedder import EmbedderError
    from app.documents.vectors import SearchMode, VectorIndex, retriever_for

    index = VectorIndex(store)
    record = index.embedder_of(collection_id)
    if mode is None:
        mode = default_search(store, collection_id)
    if mode is SearchMode.BM25:
        return Bm25Retriever(store, collection_id)
    if record is None or index.count(collection_id) == 0:
        raise EmbedderError(Msg("{value} search needs vectors, which this collection has none of yet: `modelwerk docs "
                                "embed COLLECTION` makes them", value=str(mode.value)))  # fmt: skip
    if not Path(record.location).is_file():
        raise EmbedderError(Msg("this collection's embedding model ({name}) is no longer at {location}: embed the "
                                "collection again (`modelwerk docs embed COLLECTION --model M`)", name=str(record.name),
                                location=str(record.location)))  # fmt: skip
    from app.chat.embedding import LlamaServerEmbedder

    embedder = stack.enter_context(LlamaServerEmbedder(Path(record.location)))
    return retriever_for(store, collection_id, mode, embedder, index=index)


class LazyRetriever:
    """``open_retriever`` on the first search only, closed with ``stack``: whole documents need no embedder or reranker
    process started."""

    def __init__(self, store: DocumentStore, collection_id: int, stack: contextlib.ExitStack, *,
                 rerank: Path | bool = True) -> None:  # fmt: skip
        self.store, self.collection_id, self.stack = store, collection_id, stack
        self.rerank = rerank
        self.name = ""
        self._retriever: Retriever | None = None

    @property
    def reranked_by(self) -> str:
        return str(getattr(self._retriever, "reranked_by", ""))

    @property
    def reranked_said(self) -> Msg | None:
        said = getattr(self._retriever, "reranked_said", None)
        return said if isinstance(said, Msg) else None

    def search(self, query: str, *, k: int = 8) -> list[Hit]:
        if self._retriever is None:
            self._retriever = self.stack.enter_context(open_retriever(self.store, self.collection_id, rerank=self.rerank))
            self.name = self._retriever.name
        return self._retriever.search(query, k=k)


_SEARCHES = {"bm25": Msg("BM25 search"), "hybrid": Msg("hybrid search (BM25 and vectors)"), "vector": Msg("vector search")}


def how_searched(retriever: Retriever) -> Msg:
    """Which search found the passages, for people: "BM25 search", "hybrid search (BM25 and vectors)", or "reranked by
    bge-reranker-v2-m3 over the first 30 hits of hybrid search"."""
    reranked = getattr(retriever, "reranked_said", None)
    if isinstance(reranked, Msg):
        return Msg("reranked by {model}", model=reranked)
    return _SEARCHES.get(retriever.name) or Msg("{name} search", name=retriever.name)
