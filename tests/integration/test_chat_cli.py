from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("app.chat.runtime")  # H1's runtime
pytest.importorskip("app.cli.serve")


def chat(argv: list[str]) -> int:
    import argparse

    from app.cli import chat as chat_cli

    p = argparse.ArgumentParser()
    handlers = chat_cli.register(p.add_subparsers(dest="command"))
    args = p.parse_args(["chat", *argv])
    return handlers["chat"](args)


def test_chat_with_gemma_json(gemma_model: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc = chat([str(gemma_model), "--prompt", "The capital of France is", "--json", "--max-tokens", "8",
               "--temperature", "0", "--ctx", "1024"])  # fmt: skip
    out = json.loads(capsys.readouterr().out)
    assert rc == 0 and out["answer"] and out["base_model"] is True
    assert out["stats"]["answer_tokens"] > 0 and out["stats"]["finish_reason"] in ("stop", "length")


def test_chat_prompted_reasoning_with_gemma(gemma_model: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc = chat([str(gemma_model), "--prompt", "2+2?", "--reasoning", "prompted", "--json", "--max-tokens", "16",
               "--temperature", "0", "--ctx", "1024"])  # fmt: skip
    out = json.loads(capsys.readouterr().out)
    assert rc == 0 and out["stats"]["answer_tokens"] + out["stats"]["thinking_tokens"] > 0
