"""Invisible and bidirectional Unicode: text a reader does not see, or sees in another order than a model reads it.

- Unicode tag characters (U+E0000..U+E007F) mirror ASCII invisibly ("ASCII smuggling"): the hidden text is decoded
  and quoted in the reason, so the user reads what the model would.
- Zero-width characters (U+200B, U+2060..U+2064, U+FEFF inside the text, U+180E) anywhere; joiners (U+200C, U+200D)
  only inside a word of Latin letters, where no script needs them (emoji and Indic or Arabic text do).
- Runs of variation selectors (a legitimate emoji takes one): bytes can be hidden in them.
- Bidirectional embeddings, overrides and isolates (U+202A..U+202E, U+2066..U+2069).

One regular expression pass over the text: linear in its length; ``may_hide`` says first whether it is needed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from app.shield.flags import Flag, Kind, quoted
from core.messages import Message

_TAGS = "\U000e0000-\U000e007f"
_ZERO_WIDTH = "\u200b\u2060-\u2064\ufeff\u180e"
_JOINERS = "\u200c\u200d"
_SELECTORS = "\ufe00-\ufe0f\U000e0100-\U000e01ef"
_BIDI = "\u202a-\u202e\u2066-\u2069"

_SUSPECT = re.compile(f"[{_TAGS}]+|[{_ZERO_WIDTH}{_JOINERS}]+|[{_SELECTORS}]{{2,}}|[{_BIDI}]+")

_NAMES = {"\u200b": "zero-width space", "\u2060": "word joiner", "\u2061": "invisible function application",
          "\u2062": "invisible times", "\u2063": "invisible separator", "\u2064": "invisible plus",
          "\ufeff": "zero-width no-break space", "\u180e": "Mongolian vowel separator", "\u200c": "zero-width non-joiner",
          "\u200d": "zero-width joiner"}  # fmt: skip


def _latin(ch: str) -> bool:
    return ch.isascii() and ch.isalpha()


_ANY_UTF8 = re.compile(rb"\xe2\x80[\x8b-\x8d\xaa-\xae]|\xe2\x81[\xa0-\xa4\xa6-\xa9]|\xef\xbb\xbf|\xef\xb8[\x80-\x8f]|"
                       rb"\xe1\xa0\x8e|\xf3\xa0[\x80\x81\x84-\x87]")  # fmt: skip
"""The characters this module looks at, in UTF-8: searched in the text's non-ASCII bytes only (each pattern starts
with a lead byte, so it cannot match across two characters)."""
_ASCII = bytes(range(128))


def may_hide(text: str, raw: bytes | None = None) -> bool:
    """Whether ``text`` has any character this module looks at: never when it is ASCII; else one search over its
    non-ASCII bytes (``raw``: the text in UTF-8, when the caller has it)."""
    if text.isascii():
        return False
    if raw is None:
        raw = text.encode("utf-8", "surrogatepass")
    return _ANY_UTF8.search(raw.translate(None, _ASCII)) is not None


def scan_unicode(text: str) -> Iterator[Flag]:
    """Flags for invisible and bidirectional characters in ``text``."""
    for m in _SUSPECT.finditer(text):
        run = m.group()
        s, e = m.span()
        first = run[0]
        if "\U000e0000" <= first <= "\U000e007f":
            hidden = "".join(chr(ord(c) - 0xE0000) for c in run if 0x20 <= ord(c) - 0xE0000 < 0x7F)
            if hidden.strip():
                yield Flag.of(Kind.INVISIBLE, s, e, Message("{n} invisible Unicode tag characters spelling {hidden}",
                                                            n=str(len(run)), hidden=quoted(hidden)))  # fmt: skip
            else:
                yield Flag.of(Kind.INVISIBLE, s, e, Message("{n} invisible Unicode tag characters", n=str(len(run))))
        elif "\u202a" <= first <= "\u202e" or "\u2066" <= first <= "\u2069":
            yield Flag.of(Kind.BIDI, s, e, Message.plural(
                "%n bidirectional control character (the text shown is not the order it is read in)",
                "%n bidirectional control characters (the text shown is not the order it is read in)", len(run)))
        elif first in _NAMES:
            if all(c in _JOINERS for c in run) and (s == 0 or e == len(text)
                                                     or not (_latin(text[s - 1]) and _latin(text[e]))):  # fmt: skip
                continue  # emoji sequences and scripts that need joiners
            if run == "\ufeff" and s == 0:
                continue  # a byte-order mark at the start
            names = ", ".join(dict.fromkeys(_NAMES[c] for c in run))
            yield Flag.of(Kind.INVISIBLE, s, e, Message.plural("%n invisible character ({names})",
                                                               "%n invisible characters ({names})", len(run), names=names))
        else:
            yield Flag.of(Kind.INVISIBLE, s, e, Message("{n} variation selectors in a row (can hide bytes; an emoji takes "
                                                        "one)", n=str(len(run))))  # fmt: skip


def strip_invisible(text: str) -> str:
    """``text`` without the characters this module flags, tag characters turned back into the ASCII they mirror: what
    the other scanners read when the invisible ones hid words from them."""
    def repl(m: re.Match[str]) -> str:
        run = m.group()
        if "\U000e0000" <= run[0] <= "\U000e007f":
            return "".join(chr(ord(c) - 0xE0000) for c in run if 0x20 <= ord(c) - 0xE0000 < 0x7F)
        return ""

    return _STRIP.sub(repl, text)


_STRIP = re.compile(f"[{_TAGS}]+|[{_ZERO_WIDTH}{_JOINERS}{_SELECTORS}{_BIDI}]+")
