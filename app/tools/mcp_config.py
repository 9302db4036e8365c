"""The ``mcp.json``: read, checked, and turned into the servers to start (``app.tools.mcp`` starts them).

The file uses the notation of LM Studio, Cursor and Claude Desktop::

    {"mcpServers": {
        "files": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem", "/tmp"], "env": {}},
        "search": {"url": "http://127.0.0.1:8000/mcp", "headers": {"Authorization": "Bearer ..."}},
        "calc": {"command": "python3", "args": ["calc.py"], "allowedTools": ["add"], "timeout": 20}}}

``command`` starts a stdio server, ``url`` speaks streamable HTTP. Our own keys: ``allowedTools`` (the server's tool
names the model may see; absent means all of them), ``disabled`` (true skips the server), ``timeout`` (seconds per call,
default 60), ``cwd``. The file is hostile too: every problem is one line naming the server.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.errors import ModelwerkError, first_line
from core.messages import N_, Message

__all__ = ["CALL_TIMEOUT_S", "McpConfigError", "McpServer", "load_config", "parse_config", "safe_name"]

MAX_CONFIG_BYTES = 1 << 20
MAX_SERVERS = 32
CALL_TIMEOUT_S = 60.0
_SAFE = re.compile(r"[^A-Za-z0-9_-]+")
_KEYS = {"command", "args", "env", "cwd", "url", "headers", "type", "allowedTools", "disabled", "timeout"}
_TYPES = {"stdio", "http", "streamable-http", "streamableHttp", "streamable_http"}


class McpConfigError(ModelwerkError):
    """The mcp.json cannot be used (each problem on its own line, with the server's name)."""

    hint = N_("correct the mcp.json (see the README's Tools section for the notation)")


@dataclass(frozen=True)
class McpServer:
    """One server of the mcp.json. Exactly one of ``command`` (stdio) and ``url`` (streamable HTTP) is set."""

    name: str
    command: str = ""
    args: tuple[str, ...] = ()
    env: Mapping[str, str] = field(default_factory=dict)
    cwd: str = ""
    url: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)
    allowed_tools: tuple[str, ...] | None = None
    timeout_s: float = CALL_TIMEOUT_S

    @property
    def key(self) -> str:
        """The name as tool names carry it (letters, digits, _ and -)."""
        return safe_name(self.name, 24)

    def describe(self) -> str:
        """The command line or the URL, for the approval question (a URL's user and password left out)."""
        if self.url:
            parts = urllib.parse.urlsplit(self.url)
            return parts._replace(netloc=parts.hostname + (f":{parts.port}" if parts.port else "")).geturl()[:200] \
                if parts.hostname else self.url[:200]  # fmt: skip
        return " ".join([self.command, *self.args])[:120]


def safe_name(text: str, limit: int) -> str:
    """``text`` as a tool name may carry it: letters, digits, _ and -, at most ``limit`` characters."""
    return _SAFE.sub("_", text).strip("_")[:limit] or "x"


def load_config(path: Path) -> list[McpServer]:
    """The enabled servers of the mcp.json at ``path``.

    Raises:
        McpConfigError: unreadable, not JSON, or not in the notation (every problem, one line each).
    """
    try:
        size = path.stat().st_size
        if size > MAX_CONFIG_BYTES:
            raise McpConfigError(
                Message("{path} is {size} bytes; an mcp.json is a few hundred", path=str(path), size=format(size, ",")),
                path=path,
            )
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise McpConfigError(
            Message("cannot read {path}: {reason}", path=str(path), reason=str(first_line(e))), path=path
        ) from e
    try:
        data = json.loads(text)
    except ValueError as e:
        raise McpConfigError(
            Message("{path} is not JSON: {reason}", path=str(path), reason=str(first_line(e))), path=path
        ) from e
    servers, problems = parse_config(data)
    if problems:
        raise McpConfigError("\n".join(f"{path.name}: {p}" for p in problems), path=path)
    return servers


def parse_config(data: Any) -> tuple[list[McpServer], list[str]]:
    """The enabled servers of a parsed mcp.json and its problems (one line each, naming the server)."""
    if not isinstance(data, dict) or not isinstance(data.get("mcpServers"), dict):
        return [], ['expected {"mcpServers": {"NAME": {"command": ..., "args": [...]} or {"url": ...}}}']
    entries = data["mcpServers"]
    if len(entries) > MAX_SERVERS:
        return [], [f"{len(entries)} servers; at most {MAX_SERVERS}"]
    servers: list[McpServer] = []
    problems: list[str] = []
    keys: dict[str, str] = {}
    for name, entry in entries.items():
        label = f"server {name[:40]!r}"
        if not isinstance(entry, dict):
            problems.append(f"{label} must be an object with a command or a url")
            continue
        mine = [p for p in _check_entry(entry)]
        problems += [f"{label}: {p}" for p in mine]
        if mine or entry.get("disabled") is True:
            continue
        server = _server(name, entry)
        if server.key in keys:
            problems.append(f"{label}: its tool prefix {server.key!r} is that of server {keys[server.key]!r}; rename one")
            continue
        keys[server.key] = name
        servers.append(server)
    return servers, problems


def _check_entry(e: dict[str, Any]) -> list[str]:
    out: list[str] = []
    unknown = sorted(str(k)[:30] for k in e if k not in _KEYS)
    if unknown:
        out.append(f"unknown {', '.join(repr(k) for k in unknown)} (known: {', '.join(sorted(_KEYS))})")
    has_command, has_url = "command" in e, "url" in e
    if has_command == has_url:
        out.append("give either a command (a stdio server) or a url (streamable HTTP), not both" if has_command
                   else "has neither a command (a stdio server) nor a url (streamable HTTP)")  # fmt: skip
    if has_command and (not isinstance(e["command"], str) or not e["command"].strip()):
        out.append("command must be a program name or path")
    if has_url and not _http_url(e["url"]):
        out.append("url must be an http(s) address")
    if "args" in e and not _strings(e["args"]):
        out.append("args must be a list of strings")
    for key in ("env", "headers"):
        if key in e and not (isinstance(e[key], dict) and all(isinstance(v, str) for v in e[key].values())):
            out.append(f"{key} must map names to strings")
    if "cwd" in e and not isinstance(e["cwd"], str):
        out.append("cwd must be a folder path")
    if "type" in e and e["type"] not in _TYPES:
        out.append(f"type must be one of {', '.join(sorted(_TYPES))}")
    if "allowedTools" in e and not _strings(e["allowedTools"]):
        out.append("allowedTools must be a list of the server's tool names")
    if "disabled" in e and not isinstance(e["disabled"], bool):
        out.append("disabled must be true or false")
    timeout = e.get("timeout", CALL_TIMEOUT_S)
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not 1 <= timeout <= 3600:
        out.append("timeout must be seconds, 1 to 3600")
    return out


def _http_url(url: Any) -> bool:
    if not isinstance(url, str):
        return False
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 (raises on a port that is no number, or out of range)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _server(name: str, e: dict[str, Any]) -> McpServer:
    allowed = e.get("allowedTools")
    return McpServer(name, command=e.get("command", "").strip(), args=tuple(e.get("args", ())), env=dict(e.get("env", {})),
                     cwd=e.get("cwd", ""), url=e.get("url", ""), headers=dict(e.get("headers", {})),
                     allowed_tools=tuple(allowed) if allowed is not None else None,
                     timeout_s=float(e.get("timeout", CALL_TIMEOUT_S)))  # fmt: skip
