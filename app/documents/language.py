"""Which language a collection is written in, well enough to advise on the embedder: German or English, counted by
their most common function words (no model, no library: two languages with distinct, frequent stop words need none).

A passage whose function words are mostly German counts as German; one with too few of either counts as neither.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from app.documents.store import DocumentStore

_GERMAN = ("der die das und ist nicht ein eine mit auf für sich den dem des von zu im auch es wird sind bei oder wie "
           "noch nur aus wenn dass kann werden hat man aber")
_ENGLISH = ("the and is not a an with on for of to in it that this are be or as by from at can was have has which when "
            "but you will more")
_WORDS = {"de": frozenset(_GERMAN.split(" ")), "en": frozenset(_ENGLISH.split(" "))}
_WORD = re.compile(r"[a-zäöüß]+")
MIN_WORDS = 5
"""A passage with fewer function words than this is not counted (code, tables, headings)."""
SAMPLE = 400
"""Passages looked at per collection (evenly spread): enough for a share to the percent, cheap on a large one."""


def language_of(text: str) -> str:
    """"de", "en", or "" when the text has too few function words of either."""
    counts: Counter[str] = Counter()
    for word in _WORD.findall(text.lower()[:20_000]):
        for code, words in _WORDS.items():
            if word in words:
                counts[code] += 1
    if sum(counts.values()) < MIN_WORDS:
        return ""
    code, _n = counts.most_common(1)[0]
    return code


def languages(texts: Iterable[str]) -> dict[str, float]:
    """Each language's share of the texts whose language could be told, e.g. ``{"de": 0.7, "en": 0.3}``."""
    found = Counter(code for code in map(language_of, texts) if code)
    total = sum(found.values())
    return {code: n / total for code, n in found.most_common()} if total else {}


def collection_languages(store: DocumentStore, collection_id: int) -> dict[str, float]:
    """``languages`` over up to ``SAMPLE`` of the collection's passages, spread over all of them."""
    count = int(store.conn.execute("SELECT COUNT(*) FROM passages p JOIN files f ON f.id = p.file_id "
                                   "WHERE f.collection_id = ?", (collection_id,)).fetchone()[0])  # fmt: skip
    step = max(1, count // SAMPLE)
    rows = store.conn.execute(
        """SELECT text FROM (SELECT p.text, ROW_NUMBER() OVER (ORDER BY p.id) AS n FROM passages p
           JOIN files f ON f.id = p.file_id WHERE f.collection_id = ?) WHERE n % ? = 0 LIMIT ?""",
        (collection_id, step, SAMPLE),
    ).fetchall()
    return languages(str(r[0]) for r in rows)
