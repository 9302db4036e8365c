"""A text prepared once for every scanner: its UTF-8 bytes, lower-cased, and its paragraphs with the words in each,
all computed in a few C-speed passes (encode, lower, translate, split). The scanners' prefilters read these instead of
running regular expressions over every character: a pattern runs only in the paragraphs whose words could make it
match, and there only where one of the words it starts with is (``app.shield.instructions``).

The bytes are lower-cased for ASCII letters only (``bytes.lower``: ten times cheaper than lower-casing the text, and the
same length); the scanners' word lists carry their words with upper-case umlauts too ("Übermittle", "GESPRÄCH"), and
their patterns are case-insensitive over the text itself, so this only decides where they look.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

_PUNCT = b"!\"#$%&()*+,-./:;<=>?@[\\]^`{|}~'\t\r\x0b\x0c\x1c\x1d\x1e\x1f"
"""Made spaces before splitting into words: every ASCII character a pattern's ``\\b`` sees as no part of a word, but
the line break (paragraphs are cut at blank lines) and ``_`` (a part of a word: "im_start")."""
_WORDS = bytes.maketrans(_PUNCT, b" " * len(_PUNCT))
_SYMBOLS = (re.compile(rb"\xe2[\x80-\xaf][\x80-\xbf]|\xe1\x9a\x80|\xe3\x80\x80"), b"   "), \
    (re.compile(rb"\xc2[\x85\xa0-\xbf]"), b"  ")  # fmt: skip
r"""Non-ASCII punctuation, symbols and spaces made spaces as well, byte for byte (U+2000..U+2BFF: quotation marks, dashes,
bullets, arrows, the typographic spaces; U+1680 and U+3000, the Ogham and ideographic spaces; the Latin-1 ones: the
next-line control, no-break space, guillemets): a word after „, • or an ideographic space starts a word, as Python's
``\s`` and ``\b`` see it."""

GROUP = 600
"""Bytes a paragraph has at least: shorter ones are joined with the next (a text of a million blank lines is a few
thousand paragraphs, not a million objects)."""


@dataclass(frozen=True)
class Paragraph:
    """``text[start:end]``, a run between blank lines: its lower-cased bytes (``Prepared.lower[at:]``'s piece), the same
    with punctuation made spaces (``spaced``), and the words in that that the scanners look for (``words``). The last
    two are made when first asked for: most paragraphs never are."""

    start: int
    end: int
    lower: bytes
    vocabulary: frozenset[bytes] = field(repr=False)
    at: int = 0
    """Where ``lower`` starts in the text's bytes."""

    @cached_property
    def spaced(self) -> bytes:
        """``lower`` with punctuation, symbols and spaces of every kind as ASCII spaces, byte for byte."""
        spaced = self.lower.translate(_WORDS)
        if len(self.lower) != self.end - self.start:
            for pattern, spaces in _SYMBOLS:
                spaced = pattern.sub(spaces, spaced)
        return spaced

    @cached_property
    def words(self) -> frozenset[bytes]:
        """The words of ``vocabulary`` in the paragraph."""
        return self.vocabulary.intersection(self.spaced.split())

    def offsets(self, byte_offsets: Sequence[int]) -> list[int]:
        """Offsets into ``lower`` (ascending, at characters' first bytes) as offsets into the text."""
        if len(self.lower) == self.end - self.start:
            return [self.start + b for b in byte_offsets]
        return [self.start + c for c in _char_offsets(self.lower, byte_offsets)]


@dataclass(frozen=True)
class Prepared:
    """A text with its bytes and paragraphs (``prepare``). A paragraph is made when first asked for: most texts need
    few or none of them (the scanners' RE2 prefilters find nothing there)."""

    text: str
    raw: bytes
    """``text`` in UTF-8 (lone surrogates passed through)."""
    lower: bytes
    """``raw`` with ASCII letters lower-cased: the same length, so its offsets are ``raw``'s."""
    bounds: list[tuple[int, int]]
    """Each paragraph's span in ``lower``."""
    vocabulary: frozenset[bytes] = field(repr=False)
    _made: dict[int, Paragraph] = field(default_factory=dict, repr=False, compare=False)

    def char_offsets(self, byte_offsets: Sequence[int]) -> list[int]:
        """Offsets into ``raw`` (ascending, each at a character's first byte) as offsets into ``text``."""
        return list(byte_offsets) if len(self.raw) == len(self.text) else _char_offsets(self.raw, byte_offsets)

    @cached_property
    def _chars(self) -> list[int]:
        """Each paragraph's start and end in the text, in one pass."""
        return self.char_offsets([x for s, e in self.bounds for x in (s, e)])

    def paragraph(self, i: int) -> Paragraph:
        """The ``i``-th paragraph."""
        made = self._made.get(i)
        if made is None:
            s, e = self.bounds[i]
            made = self._made[i] = Paragraph(self._chars[2 * i], self._chars[2 * i + 1], self.lower[s:e],
                                             self.vocabulary, s)  # fmt: skip
        return made

    @property
    def paragraphs(self) -> list[Paragraph]:
        """Every paragraph, in order."""
        return [self.paragraph(i) for i in range(len(self.bounds))]

    def touching(self, spans: Sequence[tuple[int, int]]) -> list[Paragraph]:
        """The paragraphs that ``spans`` of ``lower`` (ascending) start in, end in or lie over, each once, in order."""
        starts, ends = self._starts_ends
        chosen: set[int] = set()
        for s, e in spans:
            chosen.update(range(bisect.bisect_left(ends, s), bisect.bisect_right(starts, e)))
        return [self.paragraph(i) for i in sorted(chosen)]

    @cached_property
    def _starts_ends(self) -> tuple[list[int], list[int]]:
        return [s for s, _ in self.bounds], [e for _, e in self.bounds]


def _char_offsets(data: bytes, byte_offsets: Sequence[int]) -> list[int]:
    """Offsets into UTF-8 ``data`` as offsets into its text: decoded piecewise from one to the next, so all of them
    together cost one pass."""
    out, at_byte, at_char = [], 0, 0
    for b in byte_offsets:
        at_char += len(data[at_byte:b].decode("utf-8", "surrogatepass"))
        at_byte = b
        out.append(at_char)
    return out


def prepare(text: str, vocabulary: frozenset[bytes]) -> Prepared:
    """``text`` cut into paragraphs of at least ``GROUP`` bytes at blank lines (a pattern never spans one), each with
    the words of ``vocabulary`` in it (lower case UTF-8: the words the scanners look for)."""
    raw = text.encode("utf-8", "surrogatepass")
    lower = raw.lower()
    bounds = []
    start, n = 0, len(lower)
    while start < n:
        cut = lower.find(b"\n\n", start + GROUP) if start + GROUP < n else -1
        end = n if cut < 0 else cut
        bounds.append((start, end))
        start = n if cut < 0 else cut + 2
    return Prepared(text, raw, lower, bounds, vocabulary)


def merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Adjacent paragraphs' spans joined into one (fewer, longer regular-expression runs)."""
    out: list[tuple[int, int]] = []
    for s, e in spans:
        if out and s <= out[-1][1] + 2:
            out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


_UMLAUTS = {"ä": "Ä", "ö": "Ö", "ü": "Ü"}


def spellings(word: str) -> list[str]:
    """``word`` (lower case) as the prepared bytes can hold it: with each of its umlauts in either case (``bytes.lower``
    leaves "Ü" as it is)."""
    out = [""]
    for ch in word:
        out = [s + c for s in out for c in ((ch, _UMLAUTS[ch]) if ch in _UMLAUTS else (ch,))]
    return out
