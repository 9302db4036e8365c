"""A text's paragraphs with the words in each, computed once in C-speed steps (lower-case, encode, translate, split):
the scanners' prefilter. A scanner runs its regular expressions only over paragraphs whose words could start a match,
so benign text costs a few passes of ``bytes`` methods instead of a dozen regular expressions over every character."""

from __future__ import annotations

from dataclasses import dataclass

_PUNCT = b"!\"#$&()*,.:;<>?@[]^`{|}~'"
"""Made spaces before splitting into words; base64's + / = and %, \\, - and _ stay inside a word."""
_TABLE = bytes.maketrans(_PUNCT, b" " * len(_PUNCT))


@dataclass(frozen=True)
class Paragraph:
    """``text[start:end]``, a run between blank lines, with its lower-cased words (UTF-8) and its longest word's
    length in bytes."""

    start: int
    end: int
    words: frozenset[bytes]
    longest: int
    lower: bytes


GROUP = 600
"""Characters a paragraph has at least: shorter ones are joined with the next (a text of a million blank lines is a
few thousand paragraphs, not a million objects)."""


def paragraphs(text: str) -> list[Paragraph]:
    """The paragraphs of ``text``: runs of at least ``GROUP`` characters cut at blank lines (a pattern never spans
    one)."""
    out = []
    start, n = 0, len(text)
    while start < n:
        cut = text.find("\n\n", start + GROUP) if start + GROUP < n else -1
        end = n if cut < 0 else cut
        raw = text[start:end].lower().encode("utf-8", "surrogatepass")
        words = raw.translate(_TABLE).split()
        out.append(Paragraph(start, end, frozenset(words), max(map(len, words), default=0), raw))
        start = n if cut < 0 else cut + 2
    return out


def merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Adjacent paragraphs' spans joined into one (fewer, longer regular-expression runs)."""
    out: list[tuple[int, int]] = []
    for s, e in spans:
        if out and s <= out[-1][1] + 2:
            out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out
