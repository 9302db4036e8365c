"""The retrieval self-test: does searching this collection find the passage that answers a question?

Questions come from the collection itself (``generate_probes``: a sentence of a passage, cut down to some of its content
words, must bring back a passage that holds that sentence) or from a labelled file (``load_probes``: questions written by
a person, each with the file and a piece of text that answers it). ``evaluate`` runs any ``Retriever`` over them and
reports recall@k, the mean reciprocal rank, and how many distinct passages come first.

Generated questions reuse the passage's own words, which flatters BM25 (it matches words); a labelled set written in
other words is the fairer measure, and the one to compare BM25, vectors and hybrid on.
"""

from __future__ import annotations

import json
import random
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from app.documents.parse import DocumentError
from app.documents.retrieval import STOPWORDS, Hit, Retriever
from app.documents.store import DocumentStore
from core.errors import said
from core.messages import Message

KS = (1, 3, 5, 10)
MIN_WORDS = 6


@dataclass(frozen=True)
class Probe:
    """A question and where its answer is: ``start:end`` of the file's indexed text."""

    question: str
    path: Path
    start: int
    end: int


@dataclass(frozen=True)
class Miss:
    question: str
    expected: str
    got: str


@dataclass(frozen=True)
class SelfTestResult:
    retriever: str
    probes: int
    recall: dict[int, float]
    mrr: float
    seconds: float
    distinct_first: float = 0.0
    """Distinct first hits over questions: near 1 when each question brings its own passage first; low when the same
    few passages come back for everything (a failure users of other apps report)."""
    misses: list[Miss] = field(default_factory=list)
    """Questions whose answer was not among the top ``max(KS)`` hits (the first few, to show the user)."""


def _sentences(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(r"[^.!?\n]+(?:[.!?]+|$)", text, re.MULTILINE)]


def _content_words(sentence: str) -> list[str]:
    return [w for w in re.findall(r"[^\W\d_]{3,}", sentence) if w.lower() not in STOPWORDS]


def generate_probes(store: DocumentStore, collection_id: int, *, n: int = 50, seed: int = 0) -> list[Probe]:
    """Up to ``n`` questions made from the collection's passages (the same ones for the same collection and seed).

    Each takes one sentence of a random passage with at least ``MIN_WORDS`` content words and keeps about half of them, in
    order: a terse query a user might type. The sentence's span is the answer.
    """
    rng = random.Random(seed)
    passages = store.passages(collection_id, min_tokens=20)
    rng.shuffle(passages)
    probes: list[Probe] = []
    for sp in passages:
        if len(probes) >= n:
            break
        p = sp.passage
        candidates = [(s, e) for s, e in _sentences(p.text) if len(_content_words(p.text[s:e])) >= MIN_WORDS]
        if not candidates:
            continue
        s, e = rng.choice(candidates)
        words = _content_words(p.text[s:e])
        keep = sorted(rng.sample(range(len(words)), k=max(3, min(8, len(words) // 2))))
        probes.append(Probe(" ".join(words[i] for i in keep), sp.path, p.start + s, p.start + e))
    return probes


def load_probes(store: DocumentStore, collection_id: int, path: Path) -> list[Probe]:
    """Questions from a labelled JSON file: ``[{"question": ..., "file": NAME, "answer": TEXT}, ...]``; ``file`` is the
    document's file name (or the end of its path), ``answer`` a piece of its text (whitespace and case need not match).

    Raises:
        DocumentError: the file is not such a list, or an answer is not found in the named file.
    """
    try:
        items = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise DocumentError(Message("cannot read the questions {path}: {error}", path=str(path),
                                    error=said(e)), path=path) from None
    if not isinstance(items, list):
        raise DocumentError(Message("{path}: expected a JSON list of questions", path=str(path)), path=path)
    files = store.files(collection_id)
    probes = []
    for i, item in enumerate(items, start=1):
        if not isinstance(item, dict) or not all(isinstance(item.get(k), str) for k in ("question", "file", "answer")):
            raise DocumentError(Message("{path}: question {i} needs the strings question, file and answer", path=str(path),
                                        i=str(i)), path=path)
        record = next((f for f in files if str(f.path).endswith(item["file"])), None)
        if record is None:
            raise DocumentError(Message("{path}: question {i} names {item}, which is not in the collection", path=str(path),
                                        i=str(i), item=repr(item['file'])), path=path)
        span = find_span(store.file_text(record.id), item["answer"])
        if span is None:
            raise DocumentError(Message("{path}: question {i}'s answer is not in {name}", path=str(path), i=str(i),
                                        name=str(record.path.name)), path=path)
        probes.append(Probe(item["question"], record.path, *span))
    return probes


def find_span(text: str, answer: str) -> tuple[int, int] | None:
    """Where ``answer`` occurs in ``text``, ignoring case and differences in whitespace; None when it does not."""
    words = answer.split()
    if not words:
        return None
    m = re.search(r"\s+".join(re.escape(w) for w in words), text, re.IGNORECASE)
    return None if m is None else (m.start(), m.end())


def relevant(hit: Hit, probe: Probe) -> bool:
    """The hit holds (part of) the answer: same file, overlapping spans."""
    s = hit.source
    return s.path == probe.path and s.start < probe.end and probe.start < s.end


def evaluate(retriever: Retriever, probes: Sequence[Probe], *, ks: Sequence[int] = KS, keep_misses: int = 5) -> SelfTestResult:
    """Recall@k (share of questions with a relevant hit in the top k) and MRR (mean of 1/rank of the first relevant
    hit, 0 when none in the top ``max(ks)``)."""
    depth = max(ks)
    found_at: list[int | None] = []
    firsts: set[int] = set()
    misses: list[Miss] = []
    t0 = time.monotonic()
    for probe in probes:
        hits = retriever.search(probe.question, k=depth)
        rank = next((h.rank for h in hits if relevant(h, probe)), None)
        if hits:
            firsts.add(hits[0].passage_id)
        found_at.append(rank)
        if rank is None and len(misses) < keep_misses:
            misses.append(Miss(probe.question, probe.path.name, hits[0].source.citation() if hits else "nothing"))
    n = len(probes)
    recall = {k: (sum(1 for r in found_at if r is not None and r <= k) / n if n else 0.0) for k in ks}
    mrr = sum(1.0 / r for r in found_at if r is not None) / n if n else 0.0
    return SelfTestResult(retriever.name, n, recall, mrr, time.monotonic() - t0, len(firsts) / n if n else 0.0, misses)
