"""The citations in a model's answer: each [n] mapped to the source it names, or flagged when it names none.

Models write ``[1]``, ``[1][2]``, ``[1, 3]``, ``[1-3]`` and ``[Source 2]``; each number becomes a citation. A number
that is not one of the prompt's sources (``[9]`` of 3 sources, ``[0]``) is a wrong citation: kept, marked invalid, never
shown as if it pointed somewhere. Brackets that hold no number (``[a]``, Markdown links' ``[text]``) are not citations.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from app.documents.context import ContextSource

MAX_RANGE = 20
"""A range longer than this ([1-999]) is not read as a citation of every number in it."""

_BRACKET = re.compile(r"\[\s*(?:sources?\s*|quelle\s*)?(\d+(?:\s*(?:[-–,;]|and|und)\s*\d+)*)\s*\](?!\()", re.IGNORECASE)
_PART = re.compile(r"(\d+)(?:\s*[-–]\s*(\d+))?")


@dataclass(frozen=True)
class Citation:
    """One source number the answer cites.

    Attributes:
        number: the n of [n].
        source: the prompt's source [n]; None when there is none (a wrong citation).
        spans: where in the answer it is cited: (start, end) of each bracket that names it.
    """

    number: int
    source: ContextSource | None
    spans: tuple[tuple[int, int], ...]

    @property
    def valid(self) -> bool:
        return self.source is not None


def cited_numbers(answer: str) -> list[tuple[int, tuple[int, int]]]:
    """Every source number in the answer's brackets with the bracket's span, in order of appearance."""
    found: list[tuple[int, tuple[int, int]]] = []
    for m in _BRACKET.finditer(answer):
        for part in _PART.finditer(m.group(1)):
            first = int(part.group(1))
            last = int(part.group(2)) if part.group(2) else first
            numbers: Sequence[int] = range(first, last + 1) if first <= last <= first + MAX_RANGE else (first, last)
            found.extend((n, m.span()) for n in numbers)
    return found


def parse_citations(answer: str, sources: Sequence[ContextSource]) -> list[Citation]:
    """The answer's citations, one per number in order of first appearance, each with its source or None."""
    by_number = {s.number: s for s in sources}
    spans: dict[int, list[tuple[int, int]]] = {}
    for n, span in cited_numbers(answer):
        if span not in spans.setdefault(n, []):
            spans[n].append(span)
    return [Citation(n, by_number.get(n), tuple(s)) for n, s in spans.items()]
