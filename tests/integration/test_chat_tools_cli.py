"""`modelwerk chat --tools ...` through the real entry point: the real SmolLM2 in a real runtime, the real sandbox."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import main

QWEN_TEMPLATE = Path(__file__).parent.parent / "fixtures" / "templates" / "qwen2.5.jinja"


def chat(argv: list[str]) -> int:
    return main(["chat", *argv])


@pytest.mark.parametrize(("argv", "error"), [
    (["--tools", "fetch"], "--tools fetch reads only pages whose http(s) URL is in --prompt, and there is none"),
    (["--tools", "python", "--mcp", "no-such-mcp.json"], "cannot read no-such-mcp.json"),
    (["--tools", "shell"], "unknown tool 'shell'"),
    (["--tools", "python,python"], "names each tool once"),
    (["--tools", "python", "--max-steps", "0"], "--max-steps must be at least 1"),
])  # fmt: skip
def test_what_is_not_built_or_not_right_is_one_line_exit_2(argv: list[str], error: str,
                                                         capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    assert chat(["no-such-model", "--prompt", "hi", *argv]) == 2
    err = capsys.readouterr().err.strip()
    assert error in err and "\n" not in err


def test_a_bad_mcp_json_is_one_line_per_problem_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "mcp.json"
    config.write_text(json.dumps({"mcpServers": {"a": {"url": "file:///etc"}, "b": {"command": "x", "args": "-v"}}}))
    assert chat(["no-such-model", "--prompt", "hi", "--mcp", str(config)]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert "server 'a': url must be an http(s) address" in lines[0] and "server 'b': args must be a list" in lines[1]
    assert len(lines) == 2
    config.write_text(json.dumps({"mcpServers": {"a": {"command": "x", "disabled": True}}}))
    assert chat(["no-such-model", "--prompt", "hi", "--mcp", str(config)]) == 2
    assert "names no enabled MCP server" in capsys.readouterr().err


def test_a_model_without_tool_calling_says_so_before_it_loads(smollm2_model: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    assert chat([str(smollm2_model), "--prompt", "What is 6*7?", "--tools", "python", "--no-history"]) == 1
    err = capsys.readouterr().err.strip()
    assert "this model has no tool calling" in err and "--chat-template" in err and "\n" not in err


def test_an_unknown_collection_is_one_line(smollm2_model: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc = chat([str(smollm2_model), "--prompt", "hi", "--tools", "docs:Nope", "--chat-template", str(QWEN_TEMPLATE),
               "--no-history"])  # fmt: skip
    err = capsys.readouterr().err.strip()
    assert rc == 1 and "Nope" in err and "\n" not in err


@pytest.mark.slow
def test_smollm2_with_tools_ends_within_the_step_limit(smollm2_model: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Whatever a 135M model does with a tool prompt, the loop ends within its limit and the JSON is whole; the
    conversation keeps the answer with its steps."""
    from app import paths
    from app.chat.messages import Role
    from app.chat.sessions import Conversations
    from app.store import Store

    rc = chat([str(smollm2_model), "--prompt", "Use the python tool to compute 6*7, then tell me the result.",
               "--tools", "python", "--yes", "--max-steps", "2", "--json", "--temperature", "0", "--max-tokens", "96",
               "--ctx", "2048", "--chat-template", str(QWEN_TEMPLATE)])  # fmt: skip
    out = json.loads(capsys.readouterr().out)
    assert rc == 0 and out["stopped"] in ("answered", "step limit") and 1 <= out["rounds"] <= 3
    assert out["tools"] == ["python"] and out["template"] == "file"
    assert len([s for s in out["steps"] if s["approval"] != "not run"]) <= 2
    for step in out["steps"]:
        assert {"tool", "arguments", "approval", "ok", "summary", "result"} <= step.keys()
    with Store.open(paths.database_path()) as store:
        messages = Conversations(store).messages(out["conversation"])
    assert [m.role for m in messages] == [Role.USER, Role.ASSISTANT]
    assert messages[1].content == out["answer"]
