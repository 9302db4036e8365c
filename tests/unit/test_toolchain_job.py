"""Installing the toolchain is a job in the queue: its spec, the one install every recipe from a Hugging Face folder
shares and waits for, and a chain that holds behind a failed or cancelled install and goes on once it is retried."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fixtures.fake_toolchain import installed_toolchain
from fixtures.hf_folders import write_llama_folder

from app.jobs import python_for, queue_recipe, register_output, toolchain_job
from quantize.queue import TOOLCHAIN_TITLE, JobQueue, JobState
from quantize.runner import JobRunner
from quantize.spec import (
    ConvertSpec,
    EvaluateSpec,
    JobKind,
    QuantizeSpec,
    ToolchainSpec,
    dumps,
    from_dict,
    loads,
    needs_toolchain,
    partial_output,
    to_dict,
)
from quantize.toolchain import ROOT_ENV

DIMS = {"hidden": 256, "ff": 512, "layers": 2, "heads": 4, "kv_heads": 2, "vocab": 512}


@pytest.fixture
def queue(tmp_path: Path) -> Iterator[JobQueue]:
    q = JobQueue(tmp_path / "jobs.db", log_dir=tmp_path / "logs")
    yield q
    q.close()


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where the app looks for the toolchain (nothing there yet)."""
    path = tmp_path / "toolchain"
    monkeypatch.setenv(ROOT_ENV, str(path))
    return path


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return write_llama_folder(tmp_path / "models" / "tiny-llama", **DIMS)  # type: ignore[arg-type]


def test_the_spec_round_trips_and_names_the_toolchain_root(tmp_path: Path) -> None:
    spec = ToolchainSpec(output=tmp_path / "tc")
    assert to_dict(spec) == {"kind": "toolchain", "output": str(tmp_path / "tc")}
    assert from_dict(to_dict(spec)) == spec and loads(dumps(spec)) == spec
    assert spec.kind is JobKind.TOOLCHAIN and spec.source == spec.output == tmp_path / "tc"
    assert not needs_toolchain(spec)  # it runs in the app's own Python
    assert python_for(spec) == [sys.executable]
    assert partial_output(spec) is None  # no .part: a cancel must never delete the toolchain
    assert partial_output(ConvertSpec(source=tmp_path, output=tmp_path / "m.gguf")) == tmp_path / "m.gguf.part"


def test_no_install_job_when_the_toolchain_is_installed(queue: JobQueue, root: Path, folder: Path, tmp_path: Path) -> None:
    installed_toolchain(root)
    assert toolchain_job(queue) is None
    convert, quant = queue_recipe(queue, folder, ["Q8_0"], out_dir=tmp_path / "out", evaluate=False)
    assert isinstance(convert.spec, ConvertSpec) and convert.after is None and quant.after == convert.id
    assert [j.spec.kind for j in queue.jobs()] == [JobKind.CONVERT, JobKind.QUANTIZE]


def test_one_unfinished_install_is_shared_and_a_failed_one_is_queued_again(queue: JobQueue, root: Path) -> None:
    first = toolchain_job(queue)
    assert first is not None and first.spec == ToolchainSpec(output=root.absolute())
    assert first.title == TOOLCHAIN_TITLE == "Install the toolchain (PyTorch, transformers, llama.cpp converter)"
    assert first.state is JobState.QUEUED and first.after is None
    assert toolchain_job(queue) == first  # queued: the same one
    assert queue.claim_next(runner="another window") is not None
    running = toolchain_job(queue)
    assert running is not None and running.id == first.id and running.state is JobState.RUNNING
    queue.finish(first.id, JobState.FAILED, error="installing torch failed: no network")
    again = toolchain_job(queue)
    assert again is not None and again.id == first.id and again.state is JobState.QUEUED and again.error == ""
    queue.cancel(first.id)
    assert toolchain_job(queue).id == first.id  # type: ignore[union-attr]
    assert queue.claim_next(runner="me") is not None
    queue.finish(first.id, JobState.DONE)  # done, but the toolchain is not there (removed since): a new install
    fresh = toolchain_job(queue)
    assert fresh is not None and fresh.id != first.id and fresh.state is JobState.QUEUED
    assert [j.spec.kind for j in queue.jobs()] == [JobKind.TOOLCHAIN, JobKind.TOOLCHAIN]


def test_a_recipe_from_a_folder_waits_for_the_install_and_shares_it(
    queue: JobQueue, root: Path, folder: Path, tmp_path: Path, kquant_gguf: Path
) -> None:
    out = tmp_path / "out"
    install, convert, q8, q8_eval, q4, q4_eval = queue_recipe(queue, folder, ["Q8_0", "Q4_K_M"], out_dir=out)
    assert isinstance(install.spec, ToolchainSpec) and install.after is None and install.spec.output == root.absolute()
    assert isinstance(convert.spec, ConvertSpec) and convert.after == install.id
    f16 = (out / "tiny-llama.F16.gguf").absolute()
    for quant, check in ((q8, q8_eval), (q4, q4_eval)):
        assert isinstance(quant.spec, QuantizeSpec) and quant.after == convert.id and quant.spec.source == f16
        assert isinstance(check.spec, EvaluateSpec) and check.after == quant.id
    assert [j.id for j in queue.jobs()] == [j.id for j in (install, convert, q8, q8_eval, q4, q4_eval)]

    # A second recipe shares the install; a GGUF source needs no toolchain at all.
    other = write_llama_folder(tmp_path / "models" / "other", **DIMS)  # type: ignore[arg-type]
    shared, convert2, _ = queue_recipe(queue, other, ["Q8_0"], out_dir=out, evaluate=False)
    assert shared.id == install.id and convert2.after == install.id
    plain = queue_recipe(queue, kquant_gguf, ["Q8_0"], out_dir=out, evaluate=False)
    assert [j.spec.kind for j in plain] == [JobKind.QUANTIZE] and plain[0].after is None
    assert sum(isinstance(j.spec, ToolchainSpec) for j in queue.jobs()) == 1


def _run(queue: JobQueue) -> None:
    runner = JobRunner(queue, python_for=python_for)
    runner.start()
    try:
        assert runner.wait_idle(60)
    finally:
        runner.stop()


def test_the_chain_holds_behind_a_failed_or_cancelled_install_and_a_retry_continues_it(
    queue: JobQueue, tmp_path: Path, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("the toolchain's folder cannot be made under a file")
    root = blocker / "toolchain"
    monkeypatch.setenv(ROOT_ENV, str(root))
    install, convert, quant = queue_recipe(queue, folder, ["Q8_0"], out_dir=tmp_path / "out", evaluate=False)

    # A cancelled install: nothing runs after it.
    queue.cancel(install.id)
    _run(queue)
    assert queue.get(install.id).state is JobState.CANCELLED
    assert queue.get(convert.id).state is JobState.QUEUED and queue.stuck(queue.get(convert.id))

    # Retried, the install runs for real (the worker in the app's Python) and fails in one line: the chain still waits.
    queue.retry(install.id)
    _run(queue)
    failed = queue.get(install.id)
    assert failed.state is JobState.FAILED and failed.error == f"cannot install the toolchain in {root}: File exists"
    assert blocker.is_file()
    assert queue.get(convert.id).state is JobState.QUEUED and queue.stuck(queue.get(convert.id))
    assert queue.get(quant.id).state is JobState.QUEUED

    # Once the toolchain can be there, a retry finishes the install and the conversion runs (and fails on the fake
    # toolchain's empty python: it started, which is what this is about); the quantization waits for it in turn.
    blocker.unlink()
    installed_toolchain(root)
    queue.retry(install.id)
    _run(queue)
    done = queue.get(install.id)
    assert done.state is JobState.DONE and done.outputs == () and done.message == f"already installed in {root}"
    assert register_output(done, None, tmp_path / "models") == []
    converted = queue.get(convert.id)
    assert converted.started is not None and converted.state is JobState.FAILED
    assert converted.error.startswith("could not start the worker"), converted.error
    assert queue.stuck(queue.get(quant.id))


def test_modelwerk_recipe_runs_the_install_first_and_says_why_the_rest_did_not_run(
    tmp_path: Path, folder: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from app import cli
    from app.jobs import open_queue

    blocker = tmp_path / "a-file"
    blocker.write_text("")
    root = blocker / "toolchain"
    monkeypatch.setenv(ROOT_ENV, str(root))
    assert cli.main(["recipe", str(folder), "--type", "Q8_0", "--no-eval", "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[-3:] == [f"toolchain: failed: cannot install the toolchain in {root}: File exists",
                        "convert: queued: not run: a job it needs did not finish",
                        "Q8_0: queued: not run: a job it needs did not finish"]  # fmt: skip
    # Again: the same install job is retried, not a second one added.
    assert cli.main(["recipe", str(folder), "--type", "Q4_K_M", "--no-eval", "--out", str(tmp_path / "out")]) == 1
    queue = open_queue()
    try:
        installs = [j for j in queue.jobs() if isinstance(j.spec, ToolchainSpec)]
        assert len(installs) == 1 and installs[0].state is JobState.FAILED
        # ... and the conversion still waiting behind it is shared too.
        assert [j.after for j in queue.jobs() if isinstance(j.spec, ConvertSpec)] == [installs[0].id]
    finally:
        queue.close()
