"""The shield's scan of one untrusted text: every scanner, and the scanners again over what invisible characters or an
encoding hid from them.

``scan_text`` is what indexing runs on each passage and what a fetched page or a tool result goes through. Each kind
keeps at most ``MAX_PER_KIND`` flags (a hostile text with a million zero-width spaces gets a few flags and a count,
not a million rows). Linear in the text's length, like each scanner.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from app.shield.encoded import scan_encoded
from app.shield.flags import Flag, Kind
from app.shield.hidden import scan_inline_html
from app.shield.instructions import scan_instructions
from app.shield.links import scan_document_links
from app.shield.unicode import scan_unicode, strip_invisible

MAX_PER_KIND = 8
MAX_DEPTH = 2
"""Encodings decoded inside each other at most this deep (base64 of base64 of an instruction)."""


def scan_text(text: str) -> list[Flag]:
    """Every flag on ``text``, in order of where it starts, at most ``MAX_PER_KIND`` of each kind (the last one of a
    kind that had more says how many were left out)."""
    return _capped(sorted(_scan(text, 0), key=lambda f: (f.start, f.end)))


def _scan(text: str, depth: int) -> Iterator[Flag]:
    invisible = list(scan_unicode(text))
    yield from invisible
    seen = set()
    for flag in scan_instructions(text):
        seen.add(flag.reason)
        yield flag
    yield from scan_inline_html(text)
    yield from scan_document_links(text)
    if invisible:
        # Words cut by zero-width characters, or spelled in tag characters, read again as a model reads them.
        plain = strip_invisible(text)
        for flag in scan_instructions(plain):
            if flag.reason not in seen:
                yield Flag(flag.kind, 0, len(text), f"{flag.reason} (behind invisible characters)")
    if depth < MAX_DEPTH:
        for found in scan_encoded(text):
            yield found.flag
            if found.text is not None:
                for inner in _scan(found.text, depth + 1):
                    if inner.kind is not Kind.ENCODED or depth + 1 < MAX_DEPTH:
                        yield Flag(inner.kind, found.flag.start, found.flag.end, f"{inner.reason} (encoded)")


def _capped(flags: Iterable[Flag]) -> list[Flag]:
    kept: list[Flag] = []
    counts: dict[Kind, int] = {}
    for f in flags:
        n = counts.get(f.kind, 0)
        counts[f.kind] = n + 1
        if n < MAX_PER_KIND:
            kept.append(f)
    for kind, n in counts.items():
        if n > MAX_PER_KIND:
            i = max(i for i, f in enumerate(kept) if f.kind is kind)
            last = kept[i]
            kept[i] = Flag(kind, last.start, last.end, f"{last.reason} (and {n - MAX_PER_KIND} more of this kind)")
    return kept
