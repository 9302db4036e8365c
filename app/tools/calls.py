"""Tool calls: found in a model's text in the formats real chat templates teach, or in an OpenAI-style ``tool_calls``.

Formats: Hermes/Qwen ``<tool_call>{"name": .., "arguments": {..}}</tool_call>``; Llama 3.x ``{"name": .., "parameters":
{..}}`` as the whole answer, optionally after ``<|python_tag|>``; Mistral ``[TOOL_CALLS][{..}, ..]``; gpt-oss harmony
``to=functions.NAME<|channel|>commentary json<|message|>{..}<|call|>``.

Everything here is hostile input: a call that cannot be read becomes a ``ToolCall`` with an ``error`` (the model is told
and may try again), never an exception; arguments are size-capped before they are parsed.
"""

from __future__ import annotations

import enum
import json
import re
import secrets
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.tools.spec import MAX_ARGUMENT_CHARS
from core.messages import Message

__all__ = ["MAX_CALLS", "CallFormat", "ToolCall", "from_openai", "new_call_id", "parse_calls"]

MAX_CALLS = 8
"""Calls taken from one answer; more are dropped (a model looping on calls in one answer)."""
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.:-]{0,63}$")
_ID_CHARS = string.ascii_letters + string.digits


class CallFormat(enum.Enum):
    """How a template's model writes a call."""

    HERMES = "hermes"
    LLAMA3 = "llama3"
    MISTRAL = "mistral"
    HARMONY = "harmony"
    ANY = "any"
    """A template that takes tools but teaches none of the known formats: every format is tried."""


@dataclass(frozen=True)
class ToolCall:
    """One call. ``error`` is set when it could not be read (then ``arguments`` is empty)."""

    id: str
    name: str
    arguments: Mapping[str, Any] = field(default_factory=dict)
    error: str = ""
    provenance: tuple[str, ...] = ()
    """Arguments copied from untrusted text, one line each (``app.shield.provenance``): shown when approving."""
    provenance_said: tuple[Message, ...] = field(default=(), compare=False)
    """The same lines as messages, for the GUI to translate (empty: ``provenance`` only)."""

    def to_openai(self) -> dict[str, Any]:
        """The call as an assistant message's ``tool_calls`` item; arguments as a dict (what templates expect)."""
        return {"id": self.id, "type": "function", "function": {"name": self.name, "arguments": dict(self.arguments)}}


def new_call_id() -> str:
    """Nine letters and digits: Mistral's templates refuse any other id."""
    return "".join(secrets.choice(_ID_CHARS) for _ in range(9))


def _call(name: Any, arguments: Any, call_id: str = "") -> ToolCall:
    """A call from hostile parts: arguments may be a dict or JSON text."""
    call_id = call_id if call_id and len(call_id) <= 64 and call_id.isprintable() else new_call_id()
    if not isinstance(name, str) or not _NAME.match(name):
        shown = name[:40] if isinstance(name, str) else type(name).__name__
        return ToolCall(call_id, "?", error=f"a call needs a tool name, got {shown!r}")
    if arguments is None or arguments == "":
        arguments = {}
    if isinstance(arguments, str):
        if len(arguments) > MAX_ARGUMENT_CHARS:
            return ToolCall(call_id, name, error=f"the arguments are {len(arguments):,} characters, more than the "
                                                 f"{MAX_ARGUMENT_CHARS:,} allowed")  # fmt: skip
        try:
            arguments = json.loads(arguments)
        except (ValueError, RecursionError) as e:
            return ToolCall(call_id, name, error=f"the arguments are not valid JSON ({_one_line(e)})")
    if not isinstance(arguments, dict):
        return ToolCall(call_id, name, error="the arguments must be a JSON object")
    try:  # a dict some servers send parsed: the same cap as for text
        size = len(json.dumps(arguments))
    except (ValueError, TypeError, RecursionError) as e:
        return ToolCall(call_id, name, error=f"the arguments are not plain JSON ({_one_line(e)})")
    if size > MAX_ARGUMENT_CHARS:
        return ToolCall(call_id, name, error=f"the arguments are {size:,} characters, more than the "
                                             f"{MAX_ARGUMENT_CHARS:,} allowed")  # fmt: skip
    return ToolCall(call_id, name, arguments)


def _one_line(e: BaseException) -> str:
    return " ".join(str(e).split())[:200] or type(e).__name__


def _loads(text: str) -> Any:
    """JSON from hostile text. Raises ValueError (too long, not JSON) or RecursionError (nested past the stack)."""
    if len(text) > MAX_ARGUMENT_CHARS * 2:
        raise ValueError(f"{len(text):,} characters, more than the {MAX_ARGUMENT_CHARS * 2:,} allowed")
    return json.loads(text)


def _decode_first(text: str) -> tuple[Any, int]:
    """The first JSON value of hostile text and where it ends."""
    if len(text) > MAX_ARGUMENT_CHARS * 2:
        raise ValueError(f"{len(text):,} characters, more than the {MAX_ARGUMENT_CHARS * 2:,} allowed")
    return json.JSONDecoder().raw_decode(text)


def _from_object(obj: Any) -> ToolCall:
    """A call from a parsed JSON object: Hermes and Mistral name the arguments "arguments", Llama 3 "parameters"."""
    if not isinstance(obj, dict):
        return ToolCall(new_call_id(), "?", error="a call must be a JSON object with a name and arguments")
    if isinstance(obj.get("function"), dict):  # {"type": "function", "function": {...}}
        obj = obj["function"]
    # A fresh id, whatever the model wrote: ours are what templates accept (Mistral's refuse all but 9 alphanumerics).
    return _call(obj.get("name"), obj["arguments"] if "arguments" in obj else obj.get("parameters"))


def _broken(text: str, e: BaseException) -> ToolCall:
    return ToolCall(new_call_id(), "?", error=f"the call is not valid JSON ({_one_line(e)}): {text[:80]!r}")


_HERMES = re.compile(r"<tool_call>(.*?)(?:</tool_call>|\Z)", re.S)
_HARMONY_TO = re.compile(r"to=functions\.([^\s<]{1,64})")
_HARMONY_HEADER = 200
"""Characters allowed between ``to=functions.NAME`` and ``<|message|>`` (`` <|constrain|>json`` and the like)."""
_HARMONY_PREFIX = ("<|start|>assistant", "<|channel|>commentary", "<|channel|>analysis")
_MISTRAL = "[TOOL_CALLS]"
_PYTHON_TAG = "<|python_tag|>"


def parse_calls(text: str, fmt: CallFormat) -> tuple[str, list[ToolCall]]:
    """The calls in an answer's text (thinking already taken out) and the text that is left for the user.

    Never raises: an unreadable call is a ToolCall with an ``error``.
    """
    formats = [fmt] if fmt is not CallFormat.ANY else [CallFormat.HERMES, CallFormat.MISTRAL, CallFormat.HARMONY,
                                                       CallFormat.LLAMA3]  # fmt: skip
    for f in formats:
        rest, calls = _PARSERS[f](text)
        if calls:
            return rest.strip(), calls[:MAX_CALLS]
    return text, []


def _hermes(text: str) -> tuple[str, list[ToolCall]]:
    calls = []
    for m in _HERMES.finditer(text):
        body = m.group(1).strip()
        try:
            calls.append(_from_object(_loads(body)))
        except (ValueError, RecursionError) as e:
            calls.append(_broken(body, e))
    return _HERMES.sub("", text), calls


def _mistral(text: str) -> tuple[str, list[ToolCall]]:
    i = text.find(_MISTRAL)
    if i < 0:
        return text, []
    body = text[i + len(_MISTRAL):].strip()
    try:
        # Only the first JSON value counts: whatever the model writes after it is not a call.
        obj, _end = _decode_first(body)
    except (ValueError, RecursionError) as e:
        return text[:i], [_broken(body, e)]
    items = obj if isinstance(obj, list) else [obj]
    return text[:i], [_from_object(o) for o in items[:MAX_CALLS]]


def _harmony(text: str) -> tuple[str, list[ToolCall]]:
    # Scanned with find, not one regular expression: a pattern with optional parts before the name backtracks
    # quadratically on long hostile text.
    calls: list[ToolCall] = []
    first, pos = -1, 0
    while len(calls) < MAX_CALLS and (m := _HARMONY_TO.search(text, pos)):
        start = text.find("<|message|>", m.end(), m.end() + _HARMONY_HEADER)
        if start < 0:
            pos = m.end()
            continue
        start += len("<|message|>")
        end = text.find("<|call|>", start)
        calls.append(_call(m.group(1), text[start:end if end >= 0 else len(text)].strip()))
        first = m.start() if first < 0 else first
        pos = end + len("<|call|>") if end >= 0 else len(text)
    if not calls:
        return text, []
    rest = text[:first].rstrip()
    while rest.endswith(_HARMONY_PREFIX):  # the header of the call's own message
        rest = rest[: rest.rfind("<|")].rstrip()
    return rest, calls


def _llama3(text: str) -> tuple[str, list[ToolCall]]:
    body = text.strip()
    tagged = body.startswith(_PYTHON_TAG)
    if tagged:
        body = body[len(_PYTHON_TAG):].strip()
    if not body.startswith("{"):
        return text, []
    try:
        obj, end = _decode_first(body)
    except (ValueError, RecursionError) as e:
        return (text, []) if not tagged else ("", [_broken(body, e)])
    # An answer that merely contains JSON is not a call: the object must be the whole answer and look like one.
    if not isinstance(obj, dict) or "name" not in obj or not ({"parameters", "arguments"} & obj.keys()):
        return (text, []) if not tagged else ("", [_from_object(obj)])
    if body[end:].strip() and not tagged:
        return text, []
    return "", [_from_object(obj)]


_PARSERS = {CallFormat.HERMES: _hermes, CallFormat.MISTRAL: _mistral, CallFormat.HARMONY: _harmony,
            CallFormat.LLAMA3: _llama3}  # fmt: skip


def from_openai(tool_calls: Sequence[Any]) -> list[ToolCall]:
    """Calls from an OpenAI-compatible response's ``tool_calls`` (arguments as JSON text, or a dict as some servers
    send); never raises."""
    out = []
    for item in list(tool_calls)[:MAX_CALLS]:
        if not isinstance(item, Mapping):
            out.append(ToolCall(new_call_id(), "?", error="a tool call must be an object"))
            continue
        fn = item.get("function")
        if not isinstance(fn, Mapping):
            out.append(ToolCall(new_call_id(), "?", error="a tool call needs a function"))
            continue
        call_id = item.get("id")
        out.append(_call(fn.get("name"), fn.get("arguments"), call_id if isinstance(call_id, str) else ""))
    return out
