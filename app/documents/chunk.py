"""Parsed documents to passages: about ``max_tokens`` long, overlapping, never across a heading or a page, cut at
paragraphs.

A passage is ``document.text[start:end]`` exactly (offsets round-trip), so it can be shown in place. Its length is counted
in token-ish units (words, and punctuation marks with a run of the same mark as one: ``----`` in a Markdown table is
one), which tracks a model tokenizer's count closely
enough to size a prompt without loading one. A paragraph longer than a passage is cut into overlapping windows at
those units.
"""

from __future__ import annotations

import collections
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from app.documents.parse import Block, ParsedDocument
from app.shield.flags import Flag

_UNIT = re.compile(r"\w+|([^\w\s])\1*")

CHUNKER_VERSION = 2
"""Bumped when the cutting changes (2: passages carry the shield's flags): files cut by an older chunker are indexed
again."""


def count_tokens(text: str) -> int:
    """Token-ish units in ``text`` (words and punctuation marks, a run of one mark counted once)."""
    return sum(1 for _ in _UNIT.finditer(text))


@dataclass(frozen=True)
class ChunkOptions:
    max_tokens: int = 220
    overlap_tokens: int = 40
    """Up to this many units of the previous passage's end start the next one (whole paragraphs, or a window's tail)."""

    def __post_init__(self) -> None:
        if self.max_tokens < 8 or not 0 <= self.overlap_tokens < self.max_tokens // 2:
            raise ValueError("max_tokens >= 8 and 0 <= overlap_tokens < max_tokens / 2")


@dataclass(frozen=True)
class Passage:
    """A piece of one document, with where it comes from.

    Attributes:
        ordinal: its place among the document's passages (0-based).
        start, end: offsets into the document's text; ``text == document.text[start:end]``.
        page, page_end: the pages it starts and ends on (PDF), else None.
        heading: the trail of headings it sits under ("Setup › Linux"), "" when none.
        flags: the shield's findings on this passage's text (offsets into the document's text), set at indexing.
    """

    ordinal: int
    start: int
    end: int
    text: str
    tokens: int
    page: int | None = None
    page_end: int | None = None
    heading: str = ""
    flags: tuple[Flag, ...] = field(default=())


@dataclass(frozen=True)
class _Unit:
    start: int
    end: int
    tokens: int
    page: int | None


def _units(doc: ParsedDocument, block: Block, opts: ChunkOptions) -> Iterator[_Unit]:
    """A block as one unit, or as overlapping windows of at most ``max_tokens`` when it is longer.

    Streams: memory stays at one window however long the block (a minified file can be one 20-million-character line).
    """
    window: collections.deque[tuple[int, int]] = collections.deque()
    step = opts.max_tokens - opts.overlap_tokens
    first = True
    for m in _UNIT.finditer(doc.text, block.start, block.end):
        if len(window) == opts.max_tokens:  # full, and more follows: not the last window
            yield _Unit(block.start if first else window[0][0], window[-1][1], len(window), block.page)
            first = False
            for _ in range(step):
                window.popleft()
        window.append((m.start(), m.end()))
    if first:
        yield _Unit(block.start, block.end, len(window), block.page)
    elif window:
        yield _Unit(window[0][0], block.end, len(window), block.page)


def chunk_document(doc: ParsedDocument, opts: ChunkOptions | None = None) -> list[Passage]:
    """Cut ``doc`` into passages.

    Paragraphs are packed into a passage until the next would pass ``max_tokens``; the next passage then starts with the
    last paragraphs of this one that fit in ``overlap_tokens``. A heading ends the passage before it and is the first line
    of the next one, so a passage never spans two sections and its ``heading`` is the trail it sits under. Likewise a new
    page starts a new passage (without overlap), so a PDF passage cites the one page it is on.
    """
    opts = opts or ChunkOptions()
    passages: list[Passage] = []
    current: list[_Unit] = []
    heading = ""

    def emit() -> None:
        if not current or all(u.tokens == 0 for u in current):
            return
        start, end = current[0].start, current[-1].end
        pages = [u.page for u in current if u.page is not None]
        passages.append(Passage(
            ordinal=len(passages), start=start, end=end, text=doc.text[start:end], tokens=sum(u.tokens for u in current),
            page=pages[0] if pages else None, page_end=pages[-1] if pages else None, heading=heading,
        ))  # fmt: skip

    for block in doc.blocks:
        if block.is_heading:
            if not _only_headings(current):
                emit()
                current = []
            heading = block.heading
            current.append(_HeadingUnit(block.start, block.end, count_tokens(doc.text[block.start : block.end]), block.page))
            continue
        for unit in _units(doc, block, opts):
            if unit.page is not None and any(u.page not in (None, unit.page) for u in current):
                emit()  # a new page starts a new passage, so a citation names one page
                current = []
            used = sum(u.tokens for u in current)
            # A heading stays with the text under it, even when that makes the passage a little longer.
            heading_only = _only_headings(current) and used < opts.max_tokens // 2
            if current and used + unit.tokens > opts.max_tokens and not heading_only:
                emit()
                current = _overlap(current, opts.overlap_tokens)
                if sum(u.tokens for u in current) + unit.tokens > opts.max_tokens:
                    current = []  # overlap plus this unit would be too long: the unit starts clean
            current.append(unit)
    emit()
    return passages


@dataclass(frozen=True)
class _HeadingUnit(_Unit):
    """A heading line: it leads its section's first passage and is never carried over as overlap."""


def _only_headings(units: list[_Unit]) -> bool:
    return all(isinstance(u, _HeadingUnit) for u in units)


def _overlap(units: list[_Unit], budget: int) -> list[_Unit]:
    """The trailing units (not headings) whose tokens fit in ``budget``, to start the next passage with."""
    kept: list[_Unit] = []
    used = 0
    for u in reversed(units):
        if isinstance(u, _HeadingUnit) or used + u.tokens > budget:
            break
        kept.append(u)
        used += u.tokens
    return list(reversed(kept))
