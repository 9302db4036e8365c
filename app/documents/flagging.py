"""The shield's flags on a document's passages: the document's text scanned once (``app.shield.scan``; passages
overlap, so scanning each would read the overlaps twice), each flag given to the passages it falls in, and the text
the parser saw hidden (hidden HTML) flagged on every passage it touches. Offsets are the document's, so a flag points
into the text the user sees in place."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from app.documents.chunk import Passage
from app.documents.parse import ParsedDocument
from app.shield.scan import MAX_PER_KIND, capped, scan_text

MAX_PER_DOCUMENT = 10_000
"""Flags of one kind kept for a whole document before they are shared out (each passage then keeps its first few)."""


def flag_passages(doc: ParsedDocument, passages: Sequence[Passage]) -> list[Passage]:
    """``passages`` with their flags set."""
    found = sorted([*scan_text(doc.text, cap=MAX_PER_DOCUMENT), *doc.hidden], key=lambda f: (f.start, f.end))
    if not found:
        return list(passages)
    out = []
    first = 0  # flags before this one end before every later passage starts (passages come in order of start)
    for p in passages:
        while first < len(found) and found[first].end <= p.start and found[first].start < p.start:
            first += 1
        mine = []
        for f in found[first:]:
            if f.start >= p.end:
                break
            if f.end > p.start or f.start >= p.start:
                mine.append(dataclasses.replace(f, start=max(f.start, p.start), end=max(min(f.end, p.end), p.start)))
        out.append(dataclasses.replace(p, flags=tuple(capped(mine, MAX_PER_KIND))) if mine else p)
    return out
