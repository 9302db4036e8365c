"""The headless CLI: output, JSON, exit codes."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from fixtures.hardware_reports import cpu_only, desktop_24gb

from app import cli, paths
from app.cli import common

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def desktop(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(common, "report", lambda bandwidth=True: desktop_24gb())


def test_fit_json_on_the_24_gb_desktop(desktop: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["fit", "--params", "7B", "--quant", "Q4_K_M", "--ctx", "8192", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["placement"] == "full_gpu"
    assert data["verdict"] == "Full GPU"
    assert data["kv_cache"] == 1024**3  # Mistral 7B: 32 layers x 8 KV heads x 256 x 2 bytes x 8192
    assert data["vram"]["total"] > data["vram"]["weights"] > 4 * 1024**3
    assert data["tokens_per_s_estimate"] > 0


def test_fit_text_says_where_and_why(desktop: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["fit", "--params", "70B", "--quant", "Q4_K_M", "--ctx", "8192"]) == 0
    out = capsys.readouterr().out
    assert "layers on GPU" in out
    assert "estimate" in out


def test_advice_table_and_answer(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(common, "report", lambda bandwidth=True: cpu_only())
    assert cli.main(["advice", "--ctx", "4096"]) == 0
    out = capsys.readouterr().out
    assert "70B" in out and "Q4_K_M" in out
    assert "rather than" in out or "Run " in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["fit", "--params", "seven", "--quant", "Q4_K_M"], "write it like 7B"),
        (["fit", "--params", "7B", "--quant", "Q9_Z"], "unknown quantization"),
        (["fit", "--params", "7B", "--ctx", "0"], "--ctx must be"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    desktop: None, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert message in err
    assert len(err.strip().splitlines()) == 1


def test_argparse_usage_error_exits_2() -> None:
    with pytest.raises(SystemExit) as e:
        cli.main(["fit"])  # --params missing
    assert e.value.code == 2


def test_runtime_error_is_one_line_exit_1_and_traceback_only_with_debug(modelwerk_home: Path) -> None:
    # A database written by a newer Modelwerk: a real error the user must act on.
    db = paths.database_path()
    with sqlite3.connect(db) as con:
        con.execute("PRAGMA user_version = 999")
    cmd = [sys.executable, "-m", "app", "fit", "--params", "7B"]
    env = {"MODELWERK_HOME": str(modelwerk_home), "PATH": "/usr/bin:/bin"}
    out = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    assert out.returncode == 1
    assert len(out.stderr.strip().splitlines()) == 1
    assert "newer Modelwerk" in out.stderr
    debug = subprocess.run([*cmd[:3], "--debug", *cmd[3:]], cwd=ROOT, env=env, capture_output=True, text=True)
    assert debug.returncode == 1
    assert "Traceback" in debug.stderr


def test_hw_json_on_this_machine(modelwerk_home: Path) -> None:
    env = {"MODELWERK_HOME": str(modelwerk_home), "PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [sys.executable, "-m", "app", "hw", "--json", "--no-bandwidth"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["cpu"]["logical_cores"] >= 1
    assert data["ram_total"] >= data["ram_available"] > 0
    assert isinstance(data["gpus"], list)
    binding, server = data["llama_cpp"]["binding"], data["llama_cpp"]["server"]
    assert binding["version"] and "CPU" in binding["backends"]
    assert "CPU" in server["backends"] and server["version"] and server["path"].endswith("llama-server")
    assert data["llama_backends"][0] == "CPU"  # what the fit verdicts rest on (this machine: CPU only)
    assert data["cpu_kernels"] == {} and data["cpu_bandwidth"] == 0.0  # --no-bandwidth: nothing measured, nothing shown
