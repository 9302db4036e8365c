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

from dataclasses import dataclass
from typing import Union

GiB = 1024**3


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
        return template.format(**{name: str(value) for name, value in self.args})


Text = str | Message
"""What an error or an event carries for a user: plain English (not translated) or a message."""
