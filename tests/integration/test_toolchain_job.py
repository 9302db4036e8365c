"""The toolchain install as a queue job, through the real runner and worker: against an installed toolchain it is done at
once; a cancel while it runs stops its child processes, keeps the folder, and leaves an install that the next one repairs.

The first test needs the real toolchain (MODELWERK_TOOLCHAIN, as `make test` sets it): without it, it skips locally and
fails in CI (CI=true). The others make a venv of their own (seconds) and never download anything.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.jobs import python_for, register_output
from procs import watchdog
from quantize.progress import parse_event
from quantize.queue import TOOLCHAIN_TITLE, JobQueue, JobState
from quantize.runner import JobRunner
from quantize.spec import ToolchainSpec, dumps
from quantize.toolchain import STAMP_NAME, Toolchain, ToolchainError

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT_S = 60


@pytest.fixture
def queue(tmp_path: Path) -> Iterator[JobQueue]:
    q = JobQueue(tmp_path / "jobs.db", log_dir=tmp_path / "logs")
    yield q
    q.close()


@pytest.fixture
def offline_pip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """pip (in this process's children) finds no package anywhere: an install that gets as far as pip fails there, fast."""
    (tmp_path / "no-wheels").mkdir()
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(tmp_path / "no-wheels"))


def test_the_install_job_is_done_at_once_when_the_toolchain_is_installed(
    queue: JobQueue, tmp_path: Path, real_toolchain: Toolchain
) -> None:
    toolchain = real_toolchain
    stamp = toolchain.stamp_path.stat().st_mtime_ns
    spec = ToolchainSpec(output=toolchain.root)
    assert python_for(spec) == [sys.executable]  # the app's own Python: the toolchain's may not be there yet
    job = queue.add(spec)
    assert job.title == TOOLCHAIN_TITLE
    runner = JobRunner(queue, python_for=python_for)
    runner.start()
    try:
        assert runner.wait_idle(TIMEOUT_S)
    finally:
        runner.stop()
    done = queue.get(job.id)
    assert done.state is JobState.DONE, done.error + queue.read_log(job.id)
    assert done.outputs == () and done.fraction == 1.0
    assert (done.stage, done.message) == ("done", f"already installed in {toolchain.root}")
    assert register_output(done, None, tmp_path / "models") == []
    assert toolchain.status().installed and toolchain.stamp_path.stat().st_mtime_ns == stamp


def test_cancelling_a_running_install_stops_it_keeps_the_folder_and_the_next_install_repairs_it(
    queue: JobQueue, tmp_path: Path, offline_pip: None
) -> None:
    root = tmp_path / "toolchain"
    root.mkdir()
    (root / "keep.txt").write_text("what an earlier install left")
    job = queue.add(ToolchainSpec(output=root))
    runner = JobRunner(queue, python_for=python_for, grace_s=5)
    runner.start()
    try:
        deadline = time.monotonic() + TIMEOUT_S
        while queue.get(job.id).stage != "creating the environment":  # `python -m venv` with pip: a few seconds
            assert time.monotonic() < deadline and not queue.get(job.id).state.finished, queue.read_log(job.id)
            time.sleep(0.02)
        runner.cancel(job.id)
        assert runner.wait_idle(TIMEOUT_S)
    finally:
        runner.stop()
    cancelled = queue.get(job.id)
    assert cancelled.state is JobState.CANCELLED and cancelled.error == "cancelled"
    assert "toolchain install cancelled while creating the environment" in queue.read_log(job.id)
    assert (root / "keep.txt").is_file()  # a cancel deletes no toolchain
    toolchain = Toolchain(root)
    assert not toolchain.status().installed and not (root / STAMP_NAME).exists()
    # The next install makes the environment whole again and gets as far as pip (which finds nothing offline).
    with pytest.raises(ToolchainError, match=r"^installing torch failed: "):
        toolchain.install()
    assert toolchain.python.exists() and not toolchain.status().installed


def test_a_worker_whose_runner_died_stops_the_install_it_started(tmp_path: Path, offline_pip: None) -> None:
    """The end of stdin (the app was killed) makes an install worker stop its venv or pip, say so, and exit."""
    spec_file = tmp_path / "spec.json"
    spec_file.write_text(dumps(ToolchainSpec(output=tmp_path / "toolchain")), encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1", **{watchdog.ENV: "1"})
    proc = subprocess.Popen([sys.executable, "-m", "quantize.worker", str(spec_file)], cwd=tmp_path, env=env,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            start_new_session=True)  # fmt: skip
    try:
        assert proc.stdout is not None and proc.stdin is not None
        events = []
        for line in proc.stdout:
            event = parse_event(line)
            if event is not None:
                events.append(event)
                if event.stage == "creating the environment":
                    break
        proc.stdin.close()
        rest = proc.stdout.read()
        code = proc.wait(timeout=TIMEOUT_S)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    last = json.loads(rest.splitlines()[-1])
    assert code == 1 and last == {"event": "failed", "error": "toolchain install cancelled while creating the environment"}
    assert not Toolchain(tmp_path / "toolchain").status().installed
