"""Long encoded runs: base64 (standard and URL-safe), hex and percent-encoding.

A run that decodes to readable text is flagged, and its decoded text is handed back so the other scanners read it too
("aWdub3Jl..." that says "ignore previous instructions" is an instruction). A run that decodes to bytes is flagged only
when it is long: hashes and short keys are common in technical documents, a kilobyte of opaque data is not something a
reader sees.

Every pattern starts only where a run starts (a lookbehind), so a failed match costs its run's length once: linear.
"""

from __future__ import annotations

import base64
import binascii
import re
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass

from app.shield.flags import Flag, Kind, quoted
from core.messages import Message

MIN_TEXT_RUN = 24
"""Characters of an encoded run that decodes to readable text, at least (18 bytes: a short sentence)."""
MIN_OPAQUE_RUN = 400
"""Characters of an encoded run that decodes to bytes (not text), at least, to be flagged."""
MAX_DECODE = 1 << 20
"""A run is decoded up to this many characters: enough to read what it says, bounded for hostile input."""

_RUN = f"{{{MIN_TEXT_RUN},}}"
_BASE64 = re.compile(rf"(?<![A-Za-z0-9+/=_-])(?:[A-Za-z0-9+/]{_RUN}={{0,2}}|[A-Za-z0-9_-]{_RUN}={{0,2}})(?![A-Za-z0-9+/=_-])")
_HEX = re.compile(rf"(?<![0-9A-Fa-f])(?:0x)?[0-9A-Fa-f]{{{2 * MIN_TEXT_RUN},}}(?![0-9A-Fa-f])")
_PERCENT = re.compile(r"(?:%[0-9A-Fa-f]{2}){12,}")
_ESCAPES = re.compile(r"(?:\\x[0-9A-Fa-f]{2}){12,}|(?:\\u[0-9A-Fa-f]{4}){8,}")


@dataclass(frozen=True)
class Decoded:
    """A run's flag and, when it decoded to text, that text (for the other scanners)."""

    flag: Flag
    text: str | None


def readable(data: bytes) -> str | None:
    """``data`` as text when it is mostly printable UTF-8 (at least 90% letters, digits, punctuation and spaces)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if not text:
        return None
    printable = sum(1 for ch in text if ch.isprintable() or ch in "\n\t\r")
    letters = sum(1 for ch in text if ch.isalpha())
    return text if printable >= 0.9 * len(text) and letters >= 0.5 * len(text) else None


def _b64(run: str) -> bytes | None:
    s = run[:MAX_DECODE].rstrip("=")
    s = s[: len(s) - len(s) % 4] if len(s) % 4 == 1 else s  # one stray character cannot be base64
    try:
        if "-" in s or "_" in s:
            return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))
        return base64.b64decode(s + "=" * (-len(s) % 4), validate=True)
    except (binascii.Error, ValueError):
        return None


_CASES = re.compile("[A-Z]"), re.compile("[a-z]"), re.compile("[0-9]")


def _looks_like_base64(run: str) -> bool:
    """Mixed case and digits, few slashes: base64, not a word, a path or a CamelCase identifier."""
    has_upper, has_lower, has_digit = (p.search(run) is not None for p in _CASES)  # a run is ASCII: one C scan each
    slashes = run.count("/") + run.count("-") + run.count("_")
    return has_upper and has_lower and (has_digit or run.endswith("=") or len(run) >= 64) and slashes * 8 <= len(run)


def scan_encoded(text: str, start: int = 0, end: int | None = None) -> Iterator[Decoded]:
    """Encoded runs in ``text[start:end]`` (base64, hex, percent-encoding, escape sequences), each with what it decodes
    to."""
    end = len(text) if end is None else end
    for m in _BASE64.finditer(text, start, end):
        run = m.group()
        if not _looks_like_base64(run):
            continue
        yield from _judge(m.start(), m.end(), "base64", _b64(run))
    for m in _HEX.finditer(text, start, end):
        run = m.group().removeprefix("0x")[:MAX_DECODE]
        yield from _judge(m.start(), m.end(), "hex", bytes.fromhex(run[: len(run) // 2 * 2]))
    for m in _PERCENT.finditer(text, start, end):
        data = urllib.parse.unquote_to_bytes(m.group()[:MAX_DECODE])
        yield from _judge(m.start(), m.end(), Message("percent-encoded"), data)
    for m in _ESCAPES.finditer(text, start, end):
        run = m.group()[:MAX_DECODE]
        if run.startswith("\\x"):
            data = bytes.fromhex(run.replace("\\x", ""))
        else:
            data = "".join(chr(int(run[i + 2 : i + 6], 16)) for i in range(0, len(run) - 5, 6)).encode("utf-8", "replace")
        yield from _judge(m.start(), m.end(), Message("escaped"), data)


def _judge(start: int, end: int, what: str | Message, data: bytes | None) -> Iterator[Decoded]:
    if data is None:
        return
    decoded = readable(data)
    n = end - start
    if decoded is not None:
        said = Message("{n} characters of {what} that decode to text: {decoded}", n=str(n), what=what,
                       decoded=quoted(decoded))  # fmt: skip
        yield Decoded(Flag.of(Kind.ENCODED, start, end, said), decoded)
    elif n >= MIN_OPAQUE_RUN:
        said = Message("{n} characters of {what} data (opaque bytes)", n=str(n), what=what)
        yield Decoded(Flag.of(Kind.ENCODED, start, end, said), None)
