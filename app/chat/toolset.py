"""Which tools a conversation's model may call: the Chat page's Tools control, saved with the conversation.

Stored as JSON in the conversations table (migration 10). What the database holds is read leniently: an unknown key or
a wrong type is dropped, never an error (a newer Modelwerk may have written it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

__all__ = ["ToolSet"]


@dataclass(frozen=True)
class ToolSet:
    """``python``: run code in the sandbox; ``fetch``: read the pages whose URLs the user wrote in the conversation;
    ``collection``: search this document collection ("" none); ``mcp``: the MCP servers of the configured mcp.json."""

    python: bool = False
    fetch: bool = False
    collection: str = ""
    mcp: bool = False

    def __bool__(self) -> bool:
        return self.python or self.fetch or bool(self.collection) or self.mcp

    def labels(self) -> list[str]:
        """What is on, for the control's text: ["Python", "fetch", "docs: Papers", "MCP"]."""
        out = ["Python"] if self.python else []
        out += ["fetch"] if self.fetch else []
        out += [f"docs: {self.collection}"] if self.collection else []
        return out + (["MCP"] if self.mcp else [])

    def to_json(self) -> str:
        return json.dumps({"python": self.python, "fetch": self.fetch, "collection": self.collection, "mcp": self.mcp})

    @classmethod
    def from_json(cls, text: str | None) -> ToolSet:
        try:
            data: Any = json.loads(text or "{}")
        except ValueError:
            return cls()
        if not isinstance(data, dict):
            return cls()
        flags = {k: data[k] for k in ("python", "fetch", "mcp") if isinstance(data.get(k), bool)}
        collection = data.get("collection")
        return cls(collection=collection[:200] if isinstance(collection, str) else "", **flags)
