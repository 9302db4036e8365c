"""The pure packages' messages (core.messages) in the interface language: the template from the catalogue's
``messages`` context, the values written the language's way (numbers and sizes through QLocale)."""

from __future__ import annotations

from app.ui.common.format import gib, number
from app.ui.common.i18n import locale, translate
from core.messages import Arg, Message, Number, Size, Text, fill

CONTEXT = "messages"


def text(message: Text) -> str:
    """``message`` as the interface shows it; a plain string is shown as it is unless it is a marked constant (``N_``),
    which the catalogue knows."""
    if isinstance(message, str):
        return translate(CONTEXT, message) if message else message
    template = translate(CONTEXT, message.template, None, -1 if message.n is None else message.n)
    return fill(template, {name: _value(v) for name, v in message.args})


def said(message: Text, english: str) -> str:
    """A stored pair (a job's ``message`` and ``message_text``): the message in the interface language while it still
    says ``english``, else ``english`` itself (a copy whose text changed without its message)."""
    return text(message) if isinstance(message, Message) and str(message) == english else english


def _value(v: Arg) -> str:
    if isinstance(v, Message):
        return text(v)
    if isinstance(v, Number):
        if v.decimals is None:
            return locale().toString(float(v.value), "g", 6)
        return number(v.value, v.decimals)
    if isinstance(v, Size):
        return gib(v.bytes)
    return v
