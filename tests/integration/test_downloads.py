"""`modelwerk pull` end to end against the fake hub: a killed or interrupted pull resumes; exit codes and messages."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fakehub import FakeHub, Fault, closed_port_url
from fakehub.repos import GATED_GGUF, TINY_GGUF, gated_repo, tiny_gguf_repo

from app.cli import main
from app.hub.partial_file import incomplete_path
from app.library.catalog import Catalog
from app.store import Store

ROOT = Path(__file__).resolve().parents[2]
FILE = "Tiny-Q8_0.gguf"


@pytest.fixture
def hub(fakehub: FakeHub, monkeypatch: pytest.MonkeyPatch) -> FakeHub:
    tiny_gguf_repo(fakehub)
    monkeypatch.setenv("HF_ENDPOINT", fakehub.url)
    monkeypatch.delenv("HF_TOKEN", raising=False)
    return fakehub


def _dest(home: Path, name: str = FILE) -> Path:
    return home / "models" / "modelwerk-test" / "Tiny-GGUF" / name


def _catalog_sources(home: Path) -> list[tuple[str, str]]:
    with Store(home / "modelwerk.db") as store:
        return [(e.path.name, e.source) for e in Catalog(store).entries()]


def _gets(hub: FakeHub, name: str = FILE) -> list[str | None]:
    return [r.headers.get("Range") for r in hub.requests if r.method == "GET" and r.path.endswith("/" + name)]


@pytest.fixture
def child() -> Iterator[list[subprocess.Popen[str]]]:
    procs: list[subprocess.Popen[str]] = []
    yield procs
    for p in procs:  # never leave one running, whatever failed
        if p.poll() is None:
            p.kill()
        p.communicate(timeout=10)


def _start_pull(procs: list[subprocess.Popen[str]], hub: FakeHub, home: Path) -> subprocess.Popen[str]:
    env = dict(os.environ, MODELWERK_HOME=str(home), HF_ENDPOINT=hub.url, PYTHONPATH=str(ROOT))
    p = subprocess.Popen([sys.executable, "-m", "app", "pull", TINY_GGUF, "--file", FILE], cwd=ROOT, env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    procs.append(p)
    return p


def _wait_for_bytes(p: subprocess.Popen[str], part: Path, n: int) -> int:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert p.poll() is None, f"pull ended early: {p.communicate()}"
        if part.exists() and part.stat().st_size >= n:
            return part.stat().st_size
        time.sleep(0.02)
    raise AssertionError("the download did not start")


def test_killed_pull_resumes_in_the_next_pull(hub: FakeHub, modelwerk_home: Path, child: list[subprocess.Popen[str]]) -> None:
    hub.set_fault(TINY_GGUF, FILE, Fault(slow_bytes_per_s=200_000))
    p = _start_pull(child, hub, modelwerk_home)
    _wait_for_bytes(p, incomplete_path(_dest(modelwerk_home)), 100_000)
    p.send_signal(signal.SIGKILL)
    p.communicate(timeout=10)
    kept = incomplete_path(_dest(modelwerk_home)).stat().st_size
    assert kept > 0 and not _dest(modelwerk_home).exists()
    hub.clear_faults()
    hub.clear_requests()

    second = _start_pull(child, hub, modelwerk_home)
    out, err = second.communicate(timeout=60)
    assert second.returncode == 0, err
    assert "downloaded Tiny-Q8_0 from modelwerk-test/Tiny-GGUF: library id" in out
    ranges = _gets(hub)
    assert ranges and ranges[0] is not None
    assert ranges[0] == f"bytes={kept}-" and kept > 0
    assert _catalog_sources(modelwerk_home) == [(FILE, f"downloaded from {TINY_GGUF}")]


def test_ctrl_c_exits_130_and_the_download_stays_resumable(
    hub: FakeHub, modelwerk_home: Path, child: list[subprocess.Popen[str]]
) -> None:
    hub.set_fault(TINY_GGUF, FILE, Fault(slow_bytes_per_s=200_000))
    p = _start_pull(child, hub, modelwerk_home)
    _wait_for_bytes(p, incomplete_path(_dest(modelwerk_home)), 50_000)
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=20)
    assert p.returncode == 130
    assert "interrupted; run the same command again to resume Tiny-Q8_0.gguf" in err
    assert incomplete_path(_dest(modelwerk_home)).stat().st_size > 0
    with Store(modelwerk_home / "modelwerk.db") as store:
        rows = store.fetchall("SELECT state, done_bytes FROM downloads")
    assert [r["state"] for r in rows] == ["queued"] and rows[0]["done_bytes"] > 0


def test_pull_by_quant_prints_json(hub: FakeHub, modelwerk_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["pull", TINY_GGUF, "--quant", "q4_k_m", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["file"] == "Tiny-Q4_K_M.gguf" and data["quant"] == "Q4_K_M" and data["model_id"] == 1
    assert Path(data["path"]) == _dest(modelwerk_home, "Tiny-Q4_K_M.gguf").resolve()


def test_pull_of_a_missing_quant_lists_what_there_is(hub: FakeHub, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["pull", TINY_GGUF, "--quant", "Q2_K"]) == 1
    err = capsys.readouterr().err.strip()
    assert err == f"modelwerk pull: {TINY_GGUF} has no Q2_K file; quantizations there: F16, Q4_0, Q4_K_M, Q8_0"


def test_pull_of_a_corrupted_file_registers_nothing(hub: FakeHub, modelwerk_home: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    hub.set_fault(TINY_GGUF, "Tiny-Q4_0.gguf", Fault(corrupt=True))
    assert main(["pull", TINY_GGUF, "--file", "Tiny-Q4_0.gguf"]) == 1
    err = capsys.readouterr().err
    assert "modelwerk pull: Tiny-Q4_0.gguf was corrupted in transit (sha256 mismatch); it was deleted" in err
    assert _catalog_sources(modelwerk_home) == []
    assert not _dest(modelwerk_home, "Tiny-Q4_0.gguf").exists()


def test_pull_from_a_gated_repo_without_token(hub: FakeHub, capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.setenv("HF_HUB_DISABLE_IMPLICIT_TOKEN", "1")
    gated_repo(hub)
    assert main(["pull", GATED_GGUF, "--quant", "Q4_K_M"]) == 1
    err = capsys.readouterr().err
    assert f"{GATED_GGUF} is gated: accept its terms at {hub.url}/{GATED_GGUF}" in err and "HF_TOKEN" in err


def test_pull_offline_fails_fast_with_a_clear_message(monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    monkeypatch.setenv("HF_ENDPOINT", closed_port_url())
    assert main(["pull", TINY_GGUF, "--quant", "Q4_K_M"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("modelwerk pull: cannot reach http://127.0.0.1:") and "\n" not in err
