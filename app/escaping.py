"""Text that came from outside (file names, repository names, model metadata) made safe for a log line or a terminal.

A name may carry a newline (which forges a new log record or table row), an escape sequence (which drives the terminal)
or a bidirectional override (which shows ``gguf.exe`` as ``exe.fug``): each such character is written as a visible
Python-style escape instead, so the text stays on its line and reads as what it is.
"""

from __future__ import annotations

import re

# C0 controls (tab and newline included), DEL, C1 controls (NEL included), the line and paragraph separators, the
# bidirectional marks, embeddings, overrides and isolates (LRM, RLM, ALM, U+202A-202E, U+2066-2069), and BOM/ZWNBSP.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]")
_UNSAFE_BUT_NEWLINE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape_char(m: re.Match[str]) -> str:
    ch = m.group(0)
    code = ord(ch)
    return _NAMED.get(ch) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def escape_controls(text: str) -> str:
    """``text`` with every control, line-separator and bidi character written as an escape (``\\n``, ``\\x1b``, ``\\u202e``).

    Printable text, backslashes included, is left as it is: Windows paths stay readable.
    """
    return _UNSAFE.sub(_escape_char, text)


def escape_controls_keep_newlines(text: str) -> str:
    """Like ``escape_controls`` but keeps ``\\n``: for multi-line text we wrote ourselves (a traceback)."""
    return _UNSAFE_BUT_NEWLINE.sub(_escape_char, text)


def has_controls(text: str) -> bool:
    """Whether ``text`` holds any character ``escape_controls`` would escape (newline included)."""
    return _UNSAFE.search(text) is not None
