"""Reranking: the first hits of a search, read again by a reranker with the question and put in its order.

BM25, vectors and their fusion each look at the question and a passage apart; a reranker (a cross-encoder such as
bge-reranker-v2-m3) reads both together and scores how well the passage answers, which costs a model run per passage.
So ``RerankingRetriever`` asks the collection's search for its first ``RERANK_DEPTH`` hits, has the reranker score
them, and returns the best ``k`` in the reranker's order with its scores (``retriever`` "rerank"); a passage the search
did not bring cannot come back. It wraps any ``Retriever``, after hybrid fusion.

Pure: running a model is the runtime's business (``app.chat.reranking`` reads a GGUF reranker's header and runs it in
llama.cpp's llama-server with ``--reranking`` in a child process); here is only the ``Reranker`` protocol, so tests can
rerank with anything, and each collection's choice of reranker (``collection_rerankers`` in documents.db).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from app.documents.parse import DocumentError
from app.documents.retrieval import Hit, Retriever
from app.documents.store import DocumentStore
from core.messages import Message

__all__ = ["RERANK_DEPTH", "RerankError", "Reranker", "RerankerChoice", "RerankingRetriever", "choose_reranker",
           "reranker_of"]  # fmt: skip

RERANK_DEPTH = 30
"""Hits of the first search a reranker reads: enough to lift a passage from far down, few enough for a CPU (a model
run per passage and question)."""
NAME = "rerank"


class RerankError(DocumentError):
    """A reranker that cannot be used, or that answered nonsense; the message is one line."""

    hint = "choose a reranker GGUF (bge-reranker-v2-m3 from Discover), or none"


class Reranker(Protocol):
    """(question, passages) to one relevance score per passage (``app.chat.reranking.LlamaServerReranker`` runs a
    GGUF reranker)."""

    @property
    def name(self) -> str:
        """The model's name, for people."""
        ...

    def score(self, query: str, texts: Sequence[str]) -> list[float]:
        """One score per text, in order; higher is more relevant.

        Raises:
            ModelwerkError: the model failed (one line).
        """
        ...


class RerankingRetriever:
    """``base``'s first ``depth`` hits for a question in the order ``reranker`` gives them: hits carry the reranker's
    score and ``retriever`` "rerank"; equal scores keep the first search's order. Asked for more than ``depth``, the
    hits after the first ``depth`` follow in the first search's order, with its name and scores (the cost stays
    ``depth`` model runs a question).

    Raises (from ``search``):
        RerankError: the reranker answered a score that is no number, or not one per passage.
    """

    name = NAME

    def __init__(self, base: Retriever, reranker: Reranker, *, depth: int = RERANK_DEPTH) -> None:
        self.base = base
        self.reranker = reranker
        self.depth = depth

    @property
    def reranked_by(self) -> str:
        """What the user is told: "bge-reranker-v2-m3 over the first 30 hits of hybrid search"."""
        return str(self.reranked_said)

    @property
    def reranked_said(self) -> Message:
        """``reranked_by`` as a message, for the GUI to translate."""
        return Message.plural("{model} over the first %n hit of {search} search",
                              "{model} over the first %n hits of {search} search", self.depth,
                              model=self.reranker.name, search=self.base.name)  # fmt: skip

    def search(self, query: str, *, k: int = 8) -> list[Hit]:
        if k < 1 or not query.strip():
            return []
        hits = self.base.search(query, k=max(self.depth, k))
        if not hits:
            return []
        head, tail = hits[: self.depth], hits[self.depth :]
        scores = self.reranker.score(query, [h.text for h in head])
        if len(scores) != len(head) or not all(isinstance(s, float | int) and math.isfinite(s) for s in scores):
            raise RerankError(Message("the reranker {name} gave {count} scores for {count2} passages, or a score that is "
                                      "no number", name=str(self.reranker.name), count=str(len(scores)),
                                      count2=str(len(head))))  # fmt: skip
        order = sorted(range(len(head)), key=lambda i: (-scores[i], head[i].rank))
        reranked = [dataclasses.replace(head[i], score=float(scores[i]), retriever=self.name) for i in order]
        return [dataclasses.replace(h, rank=rank) for rank, h in enumerate([*reranked, *tail][:k], start=1)]


# -- each collection's reranker ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RerankerChoice:
    """The reranker a collection's search goes through: its name and its GGUF file."""

    name: str
    location: Path


def reranker_of(store: DocumentStore, collection_id: int) -> RerankerChoice | None:
    """The collection's reranker, or None when its search is not reranked."""
    row = store.conn.execute("SELECT name, location FROM collection_rerankers WHERE collection_id = ?",
                             (collection_id,)).fetchone()  # fmt: skip
    return None if row is None else RerankerChoice(str(row[0]), Path(str(row[1])))


def choose_reranker(store: DocumentStore, collection_id: int, choice: RerankerChoice | None) -> None:
    """Make ``choice`` the collection's reranker (None: no reranking). The caller checked that it is one
    (``app.chat.reranking.read_reranker``)."""
    if choice is None:
        store.conn.execute("DELETE FROM collection_rerankers WHERE collection_id = ?", (collection_id,))
        return
    store.conn.execute("INSERT INTO collection_rerankers(collection_id, name, location) VALUES (?, ?, ?) "
                       "ON CONFLICT(collection_id) DO UPDATE SET name = excluded.name, location = excluded.location",
                       (collection_id, choice.name, str(choice.location.expanduser().absolute())))  # fmt: skip
