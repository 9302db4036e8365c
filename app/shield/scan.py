"""The shield's scan of one untrusted text: every scanner, and the scanners again over what invisible characters or an
encoding hid from them.

``scan_text`` is what indexing runs on each passage and what a fetched page or a tool result goes through. Each kind
keeps at most ``MAX_PER_KIND`` flags (a hostile text with a million zero-width spaces gets a few flags and a count,
not a million rows). Linear in the text's length, like each scanner. The text is prepared once (``app.shield.tokens``:
its bytes, lower-cased, its paragraphs with their words), and each scanner runs only where that says it could find
something: the Unicode scan when a byte of an invisible character is there (never on ASCII text), the encodings'
decoders on the runs where RE2 finds one of them can match (``_CANDIDATES``), the links' patterns in the paragraphs
where RE2 finds an image or an address with a placeholder's character (``_MAY_CARRY``), the instructions' patterns in
the paragraphs where RE2 finds that one of them can match (``app.shield.instructions``) and there where their words
are. Each RE2 search is one pass in C over the text's bytes; tests check that each finds everything looking everywhere
finds.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import re2

from app.shield import tokens
from app.shield.encoded import MIN_TEXT_RUN, scan_encoded
from app.shield.flags import Flag, Kind
from app.shield.hidden import scan_inline_html
from app.shield.instructions import ANY, SURROGATE, VOCABULARY, options, scan_instructions
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
    touched = _touched(prep)
    seen = set()
    for flag in scan_instructions(text, prep, touched=touched):
        seen.add(flag.reason)
        yield flag
    if "<" in text:
        yield from scan_inline_html(text)
    for start, end in tokens.merged([(p.start, p.end) for p in touched]):
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


_MAY_CARRY = r"https?:[^\s()<>\[\]?{$%]*[?{$%]|!\[[^\[\]\n]*\]\([^)]*http|<img"
"""Where ``links.scan_document_links`` can flag something (in lower-case bytes): an http(s) address with one of the
characters a placeholder for data needs, a Markdown image whose address is http(s) (only such an address can carry
data; ``links._pieces``), an HTML image. Each alternative reaches further than the link it stands for: it misses none."""
_FIRST = re2.compile(f"{ANY}|{_MAY_CARRY}", options())
"""Where an instruction pattern (``instructions.ANY``) or a link with data can be, in one RE2 pass in C over the text's
lower-cased bytes (Python's ``re`` would backtrack through each address). Leftmost and not overlapping, a span of one
kind may hide one of the other inside it, so both scans look in every paragraph a span touches."""


def _touched(prep: tokens.Prepared) -> list[tokens.Paragraph]:
    """The paragraphs where an instruction pattern or a link with data can be (``_FIRST``); every one when the text has
    a lone surrogate (invalid UTF-8, which RE2 may read otherwise)."""
    if b"\xed" in prep.lower and SURROGATE.search(prep.lower):
        return prep.paragraphs
    spans = [m.span() for m in _FIRST.finditer(prep.lower)]
    return prep.touching(spans) if spans else []


def _candidates() -> re2._Regexp:
    """Where ``scan_encoded`` can find something, in a text's bytes: a run of base64's alphabet of ``MIN_TEXT_RUN``
    characters or more with a capital in it (``encoded._looks_like_base64`` wants both cases; the alternatives say
    where its first capital is), a hex run, a percent-encoded run, a run of escapes (``encoded``'s own patterns). RE2
    finds them all in one pass in C; a base64 match starts where its run starts (the search is leftmost) and takes the
    rest of it (greedy)."""
    small, base64 = rb"[a-z0-9+/=_-]", rb"[A-Za-z0-9+/=_-]"
    n = MIN_TEXT_RUN - 1
    capital = [small + b"{%d}[A-Z]" % i + base64 + b"{%d,}" % (n - i) for i in range(n)]
    capital.append(small + b"{%d,}[A-Z]" % n + base64 + b"*")
    hexes = rb"[0-9A-Fa-f]{%d,}" % (2 * MIN_TEXT_RUN)
    options = re2.Options()
    options.max_mem = 64 << 20
    return re2.compile(b"|".join([*capital, hexes, rb"(?:%[0-9A-Fa-f]{2}){12,}", rb"(?:\\x[0-9A-Fa-f]{2}){12,}",
                                  rb"(?:\\u[0-9A-Fa-f]{4}){8,}"]), options)  # fmt: skip


_CANDIDATES = _candidates()


def _encoded_runs(prep: tokens.Prepared) -> list[tuple[int, int]]:
    """The spans of the text where ``scan_encoded`` can find something (``_CANDIDATES``), but for base64 runs that
    look like a path or a hyphenated name (``_could_be_encoded``)."""
    raw = prep.raw
    ends: list[int] = []
    for m in _CANDIDATES.finditer(raw):
        j, e = m.span()
        if raw[j] in _ESCAPED or _could_be_encoded(raw[j:e]):
            ends += (j, e)
    at = prep.char_offsets(ends) if ends else []
    return [(at[i], at[i + 1]) for i in range(0, len(at), 2)]


_ESCAPED = frozenset(b"%\\")


def _could_be_encoded(run: bytes) -> bool:
    """Not a path or a hyphenated name (base64 has few slashes and no hyphens)."""
    return (run.count(b"/") + run.count(b"-") + run.count(b"_")) * 8 <= len(run)


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
