"""Where a tool call's arguments came from: a value the model copied out of untrusted text (a fetched page, a
document, another tool's output) is named in the approval question ("this URL came from the result of fetch"), so the
user sees when a document, not the conversation, chose what is about to run.

A value is traced when it is long enough to be specific (``MIN_CHARS``; any URL) and occurs, as it is, in an untrusted
text seen earlier in the turn; a value the user typed too is not traced (the user chose it).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from core.messages import Message, Text

MIN_CHARS = 12
"""Shorter values ("de", "print(1)") occur anywhere by chance."""

_URL = re.compile(r"https?://", re.IGNORECASE)
_URL_IN = re.compile(r"https?://[^\s'\"<>()\[\]{}]+", re.IGNORECASE)


def _values(arguments: Any, key: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(arguments, str):
        yield key, arguments
    elif isinstance(arguments, Mapping):
        for k, v in arguments.items():
            yield from _values(v, f"{key}.{k}" if key else str(k))
    elif isinstance(arguments, list | tuple):
        for i, v in enumerate(arguments):
            yield from _values(v, f"{key}[{i}]")


def trace(arguments: Mapping[str, Any], untrusted: Sequence[tuple[Text, str]], *, trusted: str = "") -> list[str]:
    """One line per argument value found in an untrusted text: which argument and where it came from (English;
    ``traced`` gives the lines as messages)."""
    return [str(note) for note in traced(arguments, untrusted, trusted=trusted)]


def traced(arguments: Mapping[str, Any], untrusted: Sequence[tuple[Text, str]], *, trusted: str = "") -> list[Message]:
    """``trace``'s lines as messages, for the GUI to translate.

    Args:
        arguments: the call's arguments.
        untrusted: (where, text) of what the model read that nobody vouched for, e.g. ("the result of fetch", page);
            ``where`` may be a message.
        trusted: what the user wrote in the conversation; a value in it is the user's own.
    """
    notes: list[Message] = []
    for key, value in _values(arguments):
        value = value.strip()
        # the whole value (a URL, a command), and each URL inside it (a program that calls out)
        for piece in dict.fromkeys([value, *_URL_IN.findall(value)]):
            if (len(piece) < MIN_CHARS and not _URL.match(piece)) or len(piece) < 8 or piece in trusted:
                continue
            where = next((w for w, text in untrusted if piece in text), None)
            if where is not None:
                if _URL.match(piece):
                    notes.append(Message("the URL in {key} came from {where}, not from you", key=repr(key), where=where))
                else:
                    notes.append(Message("the value in {key} came from {where}, not from you", key=repr(key), where=where))
                break
    return notes
