"""The shield's scan of one untrusted text: every scanner, and the scanners again over what invisible characters or an
encoding hid from them.

``scan_text`` is what indexing runs on each passage and what a fetched page or a tool result goes through. Each kind
keeps at most ``MAX_PER_KIND`` flags (a hostile text with a million zero-width spaces gets a few flags and a count,
not a million rows). Linear in the text's length, like each scanner. The text is prepared once (``app.shield.tokens``:
its bytes, lower-cased, its paragraphs with their words), and each scanner runs only where that says it could find
something: the Unicode scan when a byte of an invisible character is there (never on ASCII text), the encodings'
decoders on runs of their alphabet long enough to matter (found in one ``bytes.translate`` and a substring search), the
links' patterns in paragraphs with an address, the instructions' patterns in the paragraphs where RE2 finds that one of
them can match (``app.shield.instructions``: one pass in C over the bytes for all of them) and there where their words
are.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from app.shield import tokens
from app.shield.encoded import MIN_TEXT_RUN, scan_encoded
from app.shield.flags import Flag, Kind
from app.shield.hidden import scan_inline_html
from app.shield.instructions import VOCABULARY, scan_instructions
from app.shield.links import scan_document_links
from app.shield.unicode import may_hide, scan_unicode, strip_invisible
from core.messages import Message

MAX_PER_KIND = 8
MAX_DEPTH = 2
"""Encodings decoded inside each other at most this deep (base64 of base64 of an instruction)."""


def scan_text(text: str, *, cap: int = MAX_PER_KIND) -> list[Flag]:
    """Every flag on ``text``, in order of where it starts, at most ``cap`` of each kind (the last one of a kind that
    had more says how many were left out)."""
    return capped(sorted(_scan(text, 0), key=lambda f: (f.start, f.end)), cap)


def _scan(text: str, depth: int) -> Iterator[Flag]:
    prep = tokens.prepare(text, VOCABULARY)
    invisible = list(scan_unicode(text)) if may_hide(text, prep.raw) else []
    yield from invisible
    seen = set()
    for flag in scan_instructions(text, prep):
        seen.add(flag.reason)
        yield flag
    if "<" in text:
        yield from scan_inline_html(text)
    if b"http" in prep.lower or b"<img" in prep.lower:
        linked = [(p.start, p.end) for p in prep.paragraphs if b"http" in p.lower or b"<img" in p.lower]
        for start, end in tokens.merged(linked):
            yield from scan_document_links(text, start, end)
    if invisible:
        # Words cut by zero-width characters, or spelled in tag characters, read again as a model reads them.
        plain = strip_invisible(text)
        for flag in scan_instructions(plain):
            if flag.reason not in seen:
                yield Flag.of(flag.kind, 0, len(text), Message("{reason} (behind invisible characters)",
                                                               reason=flag.reason_text))  # fmt: skip
    if depth < MAX_DEPTH:
        for start, end in _encoded_runs(prep):
            for found in scan_encoded(text, start, end):
                yield found.flag
                if found.text is not None:
                    for inner in _scan(found.text, depth + 1):
                        if inner.kind is not Kind.ENCODED or depth + 1 < MAX_DEPTH:
                            yield Flag.of(inner.kind, found.flag.start, found.flag.end,
                                          Message("{reason} (encoded)", reason=inner.reason_text))  # fmt: skip


_ALPHABET = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=_-%\\")
"""What an encoded run is made of: base64 (standard and URL-safe), hex, percent-encoding and escape sequences."""
_MARK = bytes(0x61 if b in _ALPHABET else 0x20 for b in range(256))
"""``bytes.translate`` table: the alphabet to "a", every other byte (all of UTF-8's non-ASCII ones too) to a space."""
_LONG = b"a" * MIN_TEXT_RUN


def _encoded_runs(prep: tokens.Prepared) -> list[tuple[int, int]]:
    """The runs of ``_ALPHABET`` of at least ``MIN_TEXT_RUN`` characters that could be encoded (``_could_be_encoded``),
    as spans of the text: where the encodings' patterns can match (each of them is made of the alphabet only)."""
    marked = prep.raw.translate(_MARK)
    ends: list[int] = []
    j = marked.find(_LONG)
    while j >= 0:
        e = marked.find(b" ", j + MIN_TEXT_RUN)
        e = len(marked) if e < 0 else e
        ends += (j, e)
        j = marked.find(_LONG, e)
    if not ends:
        return []
    at = prep.char_offsets(ends)
    return [(at[i], at[i + 1]) for i in range(0, len(at), 2) if _could_be_encoded(prep.text[at[i] : at[i + 1]])]


def _could_be_encoded(run: str) -> bool:
    """Not a path or a hyphenated name (base64 has few slashes and no hyphens; percent-encoding and escapes are looked
    at even in a URL)."""
    if "%" in run or "\\" in run:
        return True
    return (run.count("/") + run.count("-") + run.count("_")) * 8 <= len(run)


def capped(flags: Iterable[Flag], cap: int = MAX_PER_KIND) -> list[Flag]:
    """The first ``cap`` flags of each kind; the last one kept says how many more there were."""
    kept: list[Flag] = []
    counts: dict[Kind, int] = {}
    for f in flags:
        n = counts.get(f.kind, 0)
        counts[f.kind] = n + 1
        if n < cap:
            kept.append(f)
    for kind, n in counts.items():
        if n > cap:
            i = max(i for i, f in enumerate(kept) if f.kind is kind)
            last = kept[i]
            kept[i] = Flag.of(kind, last.start, last.end, Message("{reason} (and {n} more of this kind)",
                                                                  reason=last.reason_text, n=str(n - cap)))  # fmt: skip
    return kept
