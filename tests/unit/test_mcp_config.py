"""The mcp.json: the notation LM Studio and Cursor use, checked, every problem one line naming its server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from app.tools.mcp_config import McpConfigError, McpServer, load_config, parse_config


def test_stdio_and_http_servers_are_read_with_our_keys() -> None:
    servers, problems = parse_config({"mcpServers": {
        "files": {"command": "npx", "args": ["-y", "server-filesystem", "/tmp"], "env": {"A": "1"}},
        "web search": {"url": "https://example.org/mcp", "headers": {"Authorization": "Bearer x"}, "type": "http"},
        "calc": {"command": "python3", "allowedTools": ["add"], "timeout": 5},
        "off": {"command": "nothing", "disabled": True},
    }})  # fmt: skip
    assert problems == []
    files, web, calc = servers
    assert (files.command, files.args, dict(files.env)) == ("npx", ("-y", "server-filesystem", "/tmp"), {"A": "1"})
    assert (web.url, web.key, web.allowed_tools) == ("https://example.org/mcp", "web_search", None)
    assert (calc.allowed_tools, calc.timeout_s) == (("add",), 5.0)
    assert McpServer("s", url="https://me:secret@example.org:8443/mcp").describe() == "https://example.org:8443/mcp"


@pytest.mark.parametrize(("data", "problem"), [
    ([], 'expected {"mcpServers"'),
    ({"servers": {}}, 'expected {"mcpServers"'),
    ({"mcpServers": {"a": "python3"}}, "server 'a' must be an object"),
    ({"mcpServers": {"a": {}}}, "server 'a': has neither a command"),
    ({"mcpServers": {"a": {"command": "x", "url": "http://h/"}}}, "server 'a': give either a command"),
    ({"mcpServers": {"a": {"command": ""}}}, "server 'a': command must be a program"),
    ({"mcpServers": {"a": {"url": "file:///etc/passwd"}}}, "server 'a': url must be an http(s) address"),
    ({"mcpServers": {"a": {"url": "http://h:99999/mcp"}}}, "server 'a': url must be an http(s) address"),
    ({"mcpServers": {"a": {"command": "x", "args": "-v"}}}, "server 'a': args must be a list of strings"),
    ({"mcpServers": {"a": {"command": "x", "env": {"K": 1}}}}, "server 'a': env must map names to strings"),
    ({"mcpServers": {"a": {"command": "x", "allowedTools": "add"}}}, "server 'a': allowedTools must be a list"),
    ({"mcpServers": {"a": {"command": "x", "timeout": 0}}}, "server 'a': timeout must be seconds"),
    ({"mcpServers": {"a": {"command": "x", "autoRun": True}}}, "server 'a': unknown 'autoRun'"),
    ({"mcpServers": {"a b": {"command": "x"}, "a_b": {"command": "y"}}}, "server 'a_b': its tool prefix 'a_b'"),
])  # fmt: skip
def test_each_problem_is_one_line_naming_the_server(data: Any, problem: str) -> None:
    _, problems = parse_config(data)
    assert any(problem in p for p in problems), problems
    assert all("\n" not in p for p in problems)


def test_load_config_says_every_problem_with_the_file_name(tmp_path: Path) -> None:
    path = tmp_path / "mcp.json"
    path.write_text(json.dumps({"mcpServers": {"a": {}, "b": {"url": "ftp://x"}, "c": {"command": "ok"}}}))
    with pytest.raises(McpConfigError) as e:
        load_config(path)
    lines = str(e.value).splitlines()
    assert len(lines) == 2 and lines[0].startswith("mcp.json: server 'a'") and "server 'b'" in lines[1]
    path.write_text("{not json")
    with pytest.raises(McpConfigError, match="is not JSON"):
        load_config(path)
    with pytest.raises(McpConfigError, match="cannot read"):
        load_config(tmp_path / "missing.json")


def test_the_terminal_question_names_the_server_the_tool_and_every_argument(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    import io
    import threading

    from app.cli.chat_tools import ask_on_terminal
    from app.tools.calls import ToolCall
    from app.tools.loop import Approval
    from app.tools.spec import Tool, ToolResult, ToolSpec

    def run(arguments: object, cancel: threading.Event) -> ToolResult:
        return ToolResult("", "")

    tool = Tool(ToolSpec("files__read", "d"), run, origin="MCP server 'files' (npx server), its tool 'read'")
    monkeypatch.setattr("sys.stdin", io.StringIO("n\n"))
    call = ToolCall("c1", "files__read", {"path": "/etc/passwd\u202e"})
    assert ask_on_terminal(call, tool) is Approval.DENY
    err = capsys.readouterr().err
    assert "run files__read:\n  (MCP server 'files' (npx server), its tool 'read')" in err and "/etc/passwd" in err
    assert "\u202e" not in err  # a bidi override is shown escaped, never obeyed
