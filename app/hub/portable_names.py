"""File names from a repository that must work, and mean the same, on every OS a model folder may be copied to.

A Hugging Face repository may name its files anything. On Windows ``C:evil.gguf`` is relative to the current folder of
drive C, ``x.gguf:stream`` writes an alternate data stream of ``x.gguf``, ``CON`` or ``nul.gguf`` is a device, and a
trailing dot or space is silently dropped (two names become one file). A newline or a bidi override in a name forges
log lines and disguises the name. Such names are refused on every OS, so a repository cannot behave differently on
the user's Windows machine than in the tests.
"""

from __future__ import annotations

import re

from app.escaping import has_controls

__all__ = ["MAX_NAME_BYTES", "name_problem", "path_problem"]

MAX_NAME_BYTES = 255
"""The longest file name ext4, NTFS (in UTF-16 units, fewer) and APFS all take."""

_WINDOWS_FORBIDDEN = re.compile(r'[<>:"/\\|?*]')
# CON, PRN, AUX, NUL, COM0-9, LPT0-9 (and the superscript digits Windows also reserves), with any extension.
_RESERVED = re.compile(r"(?i)^(CON|PRN|AUX|NUL|CONIN\$|CONOUT\$|(COM|LPT)[0-9\u00b9\u00b2\u00b3])$")


def name_problem(name: str) -> str | None:
    """Why ``name`` (one path component) is not a portable file name, or None when it is."""
    if name in ("", ".", ".."):
        return "an empty, '.' or '..' name"
    if has_controls(name):
        return "a control or bidirectional character"
    forbidden = _WINDOWS_FORBIDDEN.search(name)
    if forbidden:
        return "a drive or stream colon" if forbidden.group(0) == ":" else f"the character {forbidden.group(0)!r}"
    if name[-1] in ". ":
        return "a trailing dot or space"
    if _RESERVED.match(name.split(".", 1)[0].rstrip(" ")):
        return "a reserved device name (CON, NUL, COM1...)"
    if len(name.encode("utf-8")) > MAX_NAME_BYTES:
        return f"more than {MAX_NAME_BYTES} bytes"
    return None


def path_problem(path: str) -> str | None:
    """Why a repository's ``/``-separated relative file path is not portable (a message naming the part), or None."""
    if not path or path.startswith("/"):
        return "not a relative path"
    for part in path.split("/"):
        why = name_problem(part)
        if why is not None:
            return f"{part!r} has {why}"  # repr: a newline or bidi override shows as an escape
    return None
