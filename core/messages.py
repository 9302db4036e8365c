"""Texts a user reads, made below the GUI and translated by it: the seam between the pure packages and the interface.

The pure packages (hardware, formats, quantize, the app's domains) never import Qt and speak English: the command line
prints ``str(message)``. A ``Message`` keeps its English template and its values apart, so the GUI can look the template
up in its catalogue (context ``messages``) and write the values the interface language's way (1.234,5 in German)::

    Message("{layers} of {total} layers fit in VRAM", layers=Number(24), total=Number(32))
    Message.plural("answered from %n passage", "answered from %n passages", 3)
    hint = N_("update Modelwerk")   # a constant: the GUI translates it when shown

``tools/translations.py`` collects the literal templates of ``Message(...)``, ``Message.plural(...)`` and ``N_(...)``
calls in the pure sources, so pass literals only (never an f-string or a variable): a test compares the catalogue with the
code. ``{name}`` fields are filled after translating; a plural text counts with ``%n`` (German has its own forms).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Union

GiB = 1024**3
_FIELD = re.compile(r"\{(\w+)\}")


def fill(template: str, values: Mapping[str, str]) -> str:
    """``template`` with its ``{name}`` fields replaced by ``values`` (an unknown field stays as written). Not
    ``str.format``: a template read back from a file could reach into its values' attributes ("{x.__class__}")."""
    return _FIELD.sub(lambda m: values.get(m.group(1), m.group(0)), template)


def N_(text: str) -> str:
    """Mark a constant text (a class's ``hint``, a table's labels) for the catalogue; the GUI translates it when shown."""
    return text


@dataclass(frozen=True)
class Number:
    """A number to write with the language's separators: 32,768 (32.768 in German); ``decimals=None`` writes the
    shortest form (2.5, 5), as ``format(value, "g")`` does."""

    value: float
    decimals: int | None = 0

    def __str__(self) -> str:
        if self.decimals is None:
            return f"{self.value:g}"
        return f"{self.value:,.{self.decimals}f}"


@dataclass(frozen=True)
class Size:
    """A byte count, written in GiB with one decimal (the GUI writes MiB below 1 GiB)."""

    bytes: float

    def __str__(self) -> str:
        return f"{self.bytes / GiB:.1f} GiB"


Arg = Union[str, Number, Size, "Message"]
"""A value of a field: text as it is (a name, a path, a quantization type), a number, a size, or a message of its own."""


@dataclass(frozen=True, init=False)
class Message:
    """An English template with ``{name}`` fields and their values; ``str()`` is the English text.

    A plural message counts ``n`` with ``%n`` in its template (the English plural form, the catalogue's key) and in
    ``one`` (the English singular form).
    """

    template: str
    args: tuple[tuple[str, Arg], ...]
    n: int | None
    one: str

    def __init__(self, template: str, /, **args: Arg) -> None:
        object.__setattr__(self, "template", template)
        object.__setattr__(self, "args", tuple(args.items()))
        object.__setattr__(self, "n", None)
        object.__setattr__(self, "one", "")

    @classmethod
    def plural(cls, one: str, other: str, n: int, /, **args: Arg) -> Message:
        """A text that counts ``n``: ``one`` and ``other`` are its English forms, each with ``%n`` where the count goes."""
        message = cls(other, **args)
        object.__setattr__(message, "n", n)
        object.__setattr__(message, "one", one)
        return message

    def __str__(self) -> str:
        template = self.template
        if self.n is not None:
            template = (self.one if self.n == 1 else self.template).replace("%n", str(self.n))
        return fill(template, {name: str(value) for name, value in self.args})

    def to_data(self) -> dict[str, Any]:
        """The message as JSON-ready data, to store or send it (``from_data`` reads it back)."""
        data: dict[str, Any] = {"template": self.template, "args": {k: _arg_data(v) for k, v in self.args}}
        if self.n is not None:
            data.update(n=self.n, one=self.one)
        return data

    @classmethod
    def from_data(cls, data: object, _depth: int = 0) -> Message:
        """A message from ``to_data``'s form; ValueError for anything else (the data may come from a damaged file)."""
        if not isinstance(data, dict) or not isinstance(data.get("template"), str):
            raise ValueError("not a message")
        raw = data.get("args", {})
        if not isinstance(raw, dict) or _depth > MAX_DEPTH:
            raise ValueError("not a message")
        args = {str(k): _arg_from_data(v, _depth + 1) for k, v in raw.items()}
        n, one = data.get("n"), data.get("one", "")
        if n is None:
            return cls(data["template"], **args)
        if not isinstance(n, int) or isinstance(n, bool) or not isinstance(one, str):
            raise ValueError("not a plural message")
        return cls.plural(one, data["template"], n, **args)


def text_of(data: object, english: str) -> Text:
    """The message stored or sent as ``to_data`` wrote it; ``english`` when there is none or it cannot be read (data
    from a file or another process is hostile)."""
    if data is None:
        return english
    try:
        return Message.from_data(data)
    except ValueError:
        return english


def _arg_data(v: Arg) -> Any:
    if isinstance(v, Message):
        return {"message": v.to_data()}
    if isinstance(v, Number):
        return {"number": v.value, "decimals": v.decimals}
    if isinstance(v, Size):
        return {"bytes": v.bytes}
    return v


MAX_DEPTH = 8
"""How deeply messages may nest in stored data (ours nest two deep)."""


def _arg_from_data(v: object, depth: int) -> Arg:
    if isinstance(v, str):
        return v
    if isinstance(v, dict) and "message" in v:
        return Message.from_data(v["message"], depth)
    if isinstance(v, dict) and _is_number(v.get("number")):
        decimals = v.get("decimals")
        if decimals is not None and (not isinstance(decimals, int) or not 0 <= decimals <= 9):
            raise ValueError("bad decimals")
        return Number(v["number"], decimals)
    if isinstance(v, dict) and _is_number(v.get("bytes")):
        return Size(v["bytes"])
    raise ValueError("not a message value")


def _is_number(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


Text = str | Message
"""What an error or an event carries for a user: plain English (not translated) or a message."""
