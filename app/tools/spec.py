"""What a tool is: its name, what it does, its arguments as a JSON schema, and the check of a call's arguments.

The definition goes to the model in OpenAI's ``tools`` shape (the shape chat templates' ``tools`` variable and
OpenAI-compatible servers both take). A call's arguments come from the model, so they are hostile: ``check_arguments``
validates them against the schema (the subset of JSON Schema tools use) and returns one line the model can act on.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from core.messages import Message, Text

__all__ = ["MAX_ARGUMENT_CHARS", "Tool", "ToolResult", "ToolSpec", "check_arguments"]

MAX_ARGUMENT_CHARS = 64 << 10
"""A call's arguments as JSON text: more is refused before parsing (real calls are a few hundred characters; a Python
program of 1,500 lines still fits)."""


@dataclass(frozen=True)
class ToolSpec:
    """A tool as the model sees it. ``parameters`` is a JSON schema of type object."""

    name: str
    description: str
    parameters: Mapping[str, Any] = field(default_factory=lambda: {"type": "object", "properties": {}})

    def to_openai(self) -> dict[str, Any]:
        """The definition in OpenAI's ``tools`` shape."""
        function = {"name": self.name, "description": self.description, "parameters": dict(self.parameters)}
        return {"type": "function", "function": function}


@dataclass(frozen=True)
class ToolResult:
    """What a tool gave back: ``content`` goes to the model (as a tool message), ``summary`` is one line for the
    steps list, ``ok`` false for an error the model should see and may correct."""

    content: str
    summary: str
    ok: bool = True
    data: Mapping[str, Any] = field(default_factory=dict)
    """Structured details for --json and the conversation (files written, sources, exit status...)."""
    said: Message | None = field(default=None, compare=False)
    """``summary`` as a message, for the GUI to translate (None: ``summary`` only)."""

    @classmethod
    def of(cls, content: str, said: Message, *, ok: bool = True, data: Mapping[str, Any] | None = None) -> ToolResult:
        """A result whose summary is a message."""
        return cls(content, str(said), ok, dict(data or {}), said)

    @classmethod
    def error(cls, message: Text) -> ToolResult:
        return cls.of(f"Error: {message}", Message("error: {message}", message=message), ok=False)


@dataclass(frozen=True)
class Tool:
    """A tool the loop can run: its definition and the function that runs a call whose arguments fit the schema.

    ``run(arguments, cancel)`` runs on the loop's thread, may take seconds, and should return soon after ``cancel`` is
    set; what it raises becomes an error result for the model.
    """

    spec: ToolSpec
    run: Callable[[Mapping[str, Any], threading.Event], ToolResult]
    origin: str = ""
    """Where the tool comes from and what it can reach, one line for the approval question (an MCP server's name and
    command, or what a built-in may touch)."""

    @property
    def name(self) -> str:
        return self.spec.name


_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,), "array": (list,), "string": (str,), "integer": (int,), "number": (int, float),
    "boolean": (bool,), "null": (type(None),),
}  # fmt: skip


def check_arguments(schema: Mapping[str, Any], value: Any, *, where: str = "arguments") -> str | None:
    """None when ``value`` fits ``schema``, else one line saying what is wrong (for the model to correct).

    Supports type, properties, required, additionalProperties (false), enum, minLength/maxLength, minimum/maximum,
    items, minItems/maxItems; other keywords are ignored.
    """
    kinds = schema.get("type")
    if kinds is not None:
        names = [kinds] if isinstance(kinds, str) else list(kinds)
        if not any(_is(value, k) for k in names):
            return f"{where} must be {' or '.join(str(n) for n in names)}, not {_json_type(value)}"
    if "enum" in schema and value not in schema["enum"]:
        return f"{where} must be one of {', '.join(repr(v) for v in schema['enum'])}"
    if isinstance(value, str):
        if isinstance(schema.get("maxLength"), int) and len(value) > schema["maxLength"]:
            return f"{where} is {len(value):,} characters long, more than the {schema['maxLength']:,} allowed"
        if isinstance(schema.get("minLength"), int) and len(value) < schema["minLength"]:
            return f"{where} must have at least {schema['minLength']} characters"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if isinstance(schema.get("minimum"), (int, float)) and value < schema["minimum"]:
            return f"{where} must be at least {schema['minimum']}"
        if isinstance(schema.get("maximum"), (int, float)) and value > schema["maximum"]:
            return f"{where} must be at most {schema['maximum']}"
    if isinstance(value, list):
        if isinstance(schema.get("maxItems"), int) and len(value) > schema["maxItems"]:
            return f"{where} has {len(value)} items, more than the {schema['maxItems']} allowed"
        if isinstance(schema.get("minItems"), int) and len(value) < schema["minItems"]:
            return f"{where} must have at least {schema['minItems']} items"
        items = schema.get("items")
        if isinstance(items, Mapping):
            for i, item in enumerate(value):
                if (problem := check_arguments(items, item, where=f"{where}[{i}]")) is not None:
                    return problem
    if isinstance(value, dict):
        props: Mapping[str, Any] = schema.get("properties") or {}
        for name in schema.get("required") or ():
            if name not in value:
                return f"{where} lacks the required {name!r}"
        if schema.get("additionalProperties") is False:
            extra = sorted(k for k in value if k not in props)
            if extra:
                return f"{where} has unknown {', '.join(repr(str(k)[:40]) for k in extra[:5])} (known: {', '.join(props)})"
        for name, sub in props.items():
            if name in value and isinstance(sub, Mapping) and (problem := check_arguments(sub, value[name], where=name)):
                return problem
    return None


def _is(value: Any, kind: str) -> bool:
    if kind in ("integer", "number") and isinstance(value, bool):
        return False  # JSON true is not 1
    if kind == "integer" and isinstance(value, float):
        return value.is_integer()
    return isinstance(value, _TYPES.get(kind, (object,)))


def _json_type(value: Any) -> str:
    for name in _TYPES:
        if _is(value, name) and name != "number":
            return name
    return type(value).__name__
