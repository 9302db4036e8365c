"""Retrieval: a query to the best passages of a collection, each with a snippet and a citation.

``Retriever`` is the protocol every way of searching follows: BM25 over SQLite FTS5 (``Bm25Retriever``) now; a vector
retriever (an embedding model run by llama.cpp) and their fusion by reciprocal rank later, beside it, with the same
``search`` and the same ``Hit``; ``FusedRetriever`` fuses any of them by reciprocal rank (hybrid search). The self-test
measures any of them the same way.
"""

from __future__ import annotations

import bisect
import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from app.documents.chunk import Passage
from app.documents.store import DocumentStore
from app.shield.flags import Flag

SNIPPET_CHARS = 240

# Words too common to help find a passage; dropped from a question unless nothing else is left (English and German).
_STOPWORDS = """
a about an and are as at be but by can could did do does for from had has have how i if in into is it its me my no not of
on or our should so than that the their them then there these they this to was we were what when where which who why will
with would you your
aber als am an auch auf aus bei bin bis da das dass dem den der des die dies diese diesem diesen dieser doch du durch ein
eine einem einen einer es für hat hatte ich ihr im in ist ja kann man mit nach nicht noch nur ob oder sich sie sind so um
und uns von vor war was welche welcher welches wenn wer werden wie wir wird wo zu zum zur über
"""
STOPWORDS = frozenset(_STOPWORDS.split())


@dataclass(frozen=True)
class Source:
    """Where a passage comes from: enough to cite it and to open it in place."""

    path: Path
    start: int
    end: int
    page: int | None = None
    page_end: int | None = None
    heading: str = ""

    def citation(self) -> str:
        """``report.pdf, p. 3–4 · Setup › Linux``; offsets when there are neither pages nor headings."""
        parts = [self.path.name]
        if self.page is not None:
            parts.append(f"p. {self.page}" if self.page_end in (None, self.page) else f"p. {self.page}–{self.page_end}")
        if self.heading:
            parts.append(self.heading)
        if self.page is None and not self.heading:
            parts.append(f"chars {self.start}–{self.end}")
        return " · ".join(parts) if len(parts) > 1 else parts[0]


@dataclass(frozen=True)
class Hit:
    """One retrieved passage.

    Attributes:
        passage_id: its row in the documents database.
        rank: 1 for the best.
        score: the retriever's own score, higher is better (not comparable across retrievers).
        snippet: the part of the text that matches best, shortened with "…".
        flags: the passage's marks (the shield's seam); a prompt builder must honour them.
    """

    passage_id: int
    rank: int
    score: float
    retriever: str
    source: Source
    text: str
    snippet: str
    flags: tuple[Flag, ...] = ()


class Retriever(Protocol):
    """A way of searching one collection."""

    name: str

    def search(self, query: str, *, k: int = 8) -> list[Hit]:
        """The ``k`` best passages for ``query``, best first (fewer when fewer match)."""
        ...


def query_terms(query: str) -> list[str]:
    """The words of a question worth searching for: lower-cased, each once, stop words dropped unless nothing is left."""
    words = list(dict.fromkeys(w.lower() for w in re.findall(r"\w+", query)))
    content = [w for w in words if w not in STOPWORDS]
    return content or words


COMMON_ROWS = 2_000
"""A term in more passages than this is "common" in a question that also has rarer terms: it ranks the passages the
rarer terms find but finds none itself (Lucene's common-terms query). BM25 costs FTS5 a lookup per matching passage, so
one word in 40% of 100,000 passages cost more than the rest of a hybrid search together; such a word's weight in BM25
(its inverse document frequency) is small anyway."""


def fts_query(terms: list[str], common: Sequence[str] = ()) -> str:
    """An FTS5 query that matches any of ``terms`` (BM25 ranks those that match more, and rarer ones, higher); the
    ``common`` terms only add to the rank of passages that match one of ``terms``.

    Every term is quoted, so nothing a user types is read as FTS5 syntax (AND, NEAR, column filters, ``*``).
    """
    quoted = " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)
    if not common or not terms:
        return fts_query(list(terms) + list(common)) if common else quoted
    # (rare) OR (common1 AND (rare)) OR ...: FTS5 seeks a common term's long list only at the rare terms' passages
    return " OR ".join([f"({quoted})"] + [f"({fts_query([c])} AND ({quoted}))" for c in common])


def split_common(terms: list[str], frequencies: Sequence[int], *, limit: int = COMMON_ROWS) -> tuple[list[str], list[str]]:
    """``terms`` as (rare, common) by how many passages contain each; all rare when every term is common."""
    rare = [t for t, n in zip(terms, frequencies, strict=True) if n <= limit]
    return (rare, [t for t, n in zip(terms, frequencies, strict=True) if n > limit]) if rare else (terms, [])


def snippet(text: str, terms: list[str], *, width: int = SNIPPET_CHARS) -> str:
    """The ``width`` characters of ``text`` around the densest cluster of ``terms``, cut at spaces, "…" where cut."""
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    lowered = text.lower()
    hits = sorted(m.start() for t in terms for m in re.finditer(r"(?<!\w)" + re.escape(t) + r"(?!\w)", lowered))
    best, best_count = 0, 0
    for i, h in enumerate(hits):  # the window starting at each hit; sorted, so count by bisection
        count = bisect.bisect_left(hits, h + width, lo=i) - i
        if count > best_count:
            best, best_count = h, count
    start = max(0, min(best - width // 5, len(text) - width))
    if start > 0:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < start + 30 else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start + width // 2 else end
    return ("…" if start > 0 else "") + text[start:end].strip() + ("…" if end < len(text) else "")


def _source(path: Path, p: Passage) -> Source:
    return Source(path, p.start, p.end, p.page, p.page_end, p.heading)


class Bm25Retriever:
    """BM25 over the collection's FTS5 index (always there, no model needed)."""

    name = "bm25"

    def __init__(self, store: DocumentStore, collection_id: int, *, common_rows: int = COMMON_ROWS) -> None:
        self.store = store
        self.collection_id = collection_id
        self.common_rows = common_rows

    def search(self, query: str, *, k: int = 8) -> list[Hit]:
        terms = query_terms(query)
        if not terms or k < 1:
            return []
        rare, common = split_common(terms, self.store.document_frequencies(terms), limit=self.common_rows)
        found = self.store.match(self.collection_id, fts_query(rare, common), k=k)
        return [
            Hit(sp.id, rank, score, self.name, _source(sp.path, sp.passage), sp.passage.text, snippet(sp.passage.text, terms),
                sp.passage.flags)
            for rank, (sp, score) in enumerate(found, start=1)
        ]  # fmt: skip


RRF_K = 60
"""Reciprocal rank fusion's constant (Cormack et al. 2009): a hit at rank r adds 1/(RRF_K + r)."""


class FusedRetriever:
    """Hybrid search: several retrievers' hits fused by reciprocal rank, so no retriever's raw scores need to be
    comparable with another's. Each is asked for ``depth`` hits (default ``4 * k``); a passage found by several ranks
    by the sum of its 1/(RRF_K + rank). The fused hits carry the fused score and ``retriever`` "hybrid"."""

    name = "hybrid"

    def __init__(self, retrievers: Sequence[Retriever], *, depth: int | None = None, rrf_k: int = RRF_K) -> None:
        self.retrievers = list(retrievers)
        self.depth = depth
        self.rrf_k = rrf_k

    def search(self, query: str, *, k: int = 8) -> list[Hit]:
        scores: dict[int, float] = {}
        first: dict[int, Hit] = {}
        for retriever in self.retrievers:  # the question's vector is made while BM25 searches
            prefetch = getattr(retriever, "prefetch", None)
            if prefetch is not None:
                prefetch(query)
        for retriever in self.retrievers:
            for hit in retriever.search(query, k=self.depth or 4 * k):
                scores[hit.passage_id] = scores.get(hit.passage_id, 0.0) + 1.0 / (self.rrf_k + hit.rank)
                first.setdefault(hit.passage_id, hit)
        best = sorted(scores, key=lambda pid: (-scores[pid], first[pid].rank))[:k]
        return [dataclasses.replace(first[pid], rank=rank, score=scores[pid], retriever=self.name)
                for rank, pid in enumerate(best, start=1)]  # fmt: skip
