"""The shield's flags on a document's passages: each passage's text scanned (``app.shield.scan``), and the text the
parser saw hidden (hidden HTML) flagged on every passage it falls in. Offsets are the document's, so a flag points into
the text the user sees in place."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from app.documents.chunk import Passage
from app.documents.parse import ParsedDocument
from app.shield.scan import scan_text


def flag_passages(doc: ParsedDocument, passages: Sequence[Passage]) -> list[Passage]:
    """``passages`` with their flags set."""
    out = []
    hidden = sorted(doc.hidden, key=lambda f: f.start)
    for p in passages:
        flags = [f.shifted(p.start) for f in scan_text(p.text)]
        flags += [dataclasses.replace(h, start=max(h.start, p.start), end=min(h.end, p.end))
                  for h in hidden if h.start < p.end and h.end > p.start]  # fmt: skip
        out.append(dataclasses.replace(p, flags=tuple(sorted(flags, key=lambda f: (f.start, f.end)))) if flags else p)
    return out
