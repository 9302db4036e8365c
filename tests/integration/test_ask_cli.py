"""`modelwerk ask` with the real SmolLM2 135M Instruct on a tiny collection. A 135M model's answers are poor, so the
tests check the shape: the mode, the sources, the citations list, the JSON fields."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app import cli


@pytest.fixture
def notes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    d = tmp_path / "notes"
    d.mkdir()
    (d / "walrus.md").write_text("# Walrus\n\nThe walrus hauls out onto the ice and weighs over a tonne.\n\n"
                                 "## Tusks\n\nBoth sexes have tusks up to one metre long.\n")  # fmt: skip
    (d / "kea.md").write_text("# Kea\n\nThe kea is a parrot from New Zealand that opens car doors.\n")
    assert cli.main(["docs", "add", "Notes", str(d)]) == 0
    capsys.readouterr()
    return d


FAST = ["--max-tokens", "8", "--temperature", "0", "--ctx", "1024"]


def test_ask_json_whole_document_with_the_default_model(smollm2_model: Path, notes: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    rc = cli.main(["ask", "Notes", "--prompt", "How heavy is a walrus?", "--json", *FAST])
    out = json.loads(capsys.readouterr().out)
    assert rc == 0
    assert out["model"] == smollm2_model.name and out["base_model"] is False  # no Library model: the instruct demo
    assert out["mode"] == "whole document" and out["query"] == ""
    assert out["shield"] == "on" and out["marker"] and isinstance(out["flagged_links"], list)  # the shield is on by default
    assert [s["n"] for s in out["sources"]] == [1, 2]
    assert {Path(s["source"]["path"]).name for s in out["sources"]} == {"walrus.md", "kea.md"}
    assert all(s["flags"] == [] and s["passage_id"] is None for s in out["sources"])
    assert isinstance(out["answer"], str) and isinstance(out["citations"], list)
    for cite in out["citations"]:
        assert set(cite) == {"n", "valid", "citation", "source", "text", "flags", "spans"}
        assert cite["valid"] == (cite["n"] in (1, 2)) and (cite["text"] is None) == (not cite["valid"])
    assert out["wrong_citations"] == [c["n"] for c in out["citations"] if not c["valid"]]
    stats = out["stats"]
    assert stats["counted_by"] == "tokenizer" and stats["answer_tokens"] > 0
    assert 0 < stats["source_tokens"] == stats["whole_document_tokens"] <= stats["available_tokens"] < 1024


def test_ask_text_retrieval(smollm2_model: Path, notes: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc = cli.main(["ask", "Notes", "--prompt", "How long are walrus tusks?", "--model", str(smollm2_model),
                   "--sources", "retrieval", "-k", "1", "--shield", "off", *FAST])  # fmt: skip
    out, err = capsys.readouterr()
    assert (rc, err) == (0, "")
    assert "shield off" in out
    assert "Citations:" in out and "walrus.md · Walrus › Tusks" in out
    assert "Sources: retrieval (1 passage for 'How long are walrus tusks?')" in out
