"""`modelwerk codeeval` with the real SmolLM2 135M Instruct on two HumanEval problems: its code runs in the sandbox and
the report has the contract's fields (a 135M model rarely passes; the verdicts are what is checked). Bad input is one
line and exit 1 before a model loads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app import cli


def test_codeeval_json_with_the_instruct_demo_model(smollm2_model: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc = cli.main(["codeeval", str(smollm2_model), "--ids", "HumanEval/0,HumanEval/2", "--max-tokens", "160", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 0
    assert out["samples"] == 1 and out["temperature"] == 0.0 and out["sandbox"] == "isolated"
    assert [p["id"] for p in out["problems"]] == ["HumanEval/0", "HumanEval/2"]
    for p in out["problems"]:
        assert p["error_kind"] in (None, "wrong answer", "syntax", "timeout", "crash")
        assert p["passed"] == (p["error_kind"] is None) and p["tokens"] > 0 and p["answer"]
    assert out["pass_at_1"] == sum(p["passed"] for p in out["problems"]) / 2
    assert sum(out["verdicts"].values()) == 2 and out["tokens"] > 0
    from app.jobs import jobs_db_path
    from quantize.results import ResultStore

    (stored,) = ResultStore(jobs_db_path()).all()  # shown in Results beside the model's perplexity
    assert stored["kind"] == "codeeval" and stored["pass_at_1"] == out["pass_at_1"] and stored["problems"] == 2
    assert stored["quant_type"] == "Q4_1" and stored["reasoning"] == "off"


def _err(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    rc = cli.main(["codeeval", *argv])
    out, err = capsys.readouterr()
    assert (rc, out) == (1, ""), err
    assert err.count("\n") == 1 and err.startswith("modelwerk codeeval: ")
    return err


def test_bad_input_is_one_line_before_a_model_loads(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"task_id": "x"}\n')
    assert "no model 'no-such-model'" in _err(capsys, "no-such-model")
    assert "unknown problem id 'HumanEval/999'" in _err(capsys, "no-such-model", "--ids", "HumanEval/999")
    assert "broken.jsonl line 1: the field 'prompt' is missing" in _err(capsys, "x", "--file", str(broken))
    assert "--samples must be 1 or more" in _err(capsys, "x", "--samples", "0")
    assert "--problems must be 1 or more" in _err(capsys, "x", "--problems", "0")
