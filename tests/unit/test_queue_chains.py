"""Chains of jobs (recipes: convert -> quantize -> evaluate): when the first fails, everything behind it waits, and the
runner goes idle instead of waiting for work that cannot start."""

from __future__ import annotations

from pathlib import Path

import pytest

from quantize.queue import JobQueue, JobState
from quantize.runner import JobRunner
from quantize.spec import QuantizeSpec


def _spec(tmp_path: Path, name: str) -> QuantizeSpec:
    return QuantizeSpec(source=tmp_path / f"{name}.gguf", output=tmp_path / f"{name}.Q8_0.gguf", quant_type="Q8_0")


def test_a_failed_first_step_leaves_the_whole_chain_stuck_and_a_retry_frees_it(tmp_path: Path) -> None:
    queue = JobQueue(tmp_path / "jobs.db", log_dir=tmp_path / "logs")
    first = queue.add(_spec(tmp_path, "a"))
    second = queue.add(_spec(tmp_path, "b"), after=first.id)
    third = queue.add(_spec(tmp_path, "c"), after=second.id)
    alone = queue.add(_spec(tmp_path, "d"))
    assert not any(queue.stuck(j) for j in queue.jobs())  # all can still happen

    assert queue.claim_next(runner="test").id == first.id  # type: ignore[union-attr]
    assert not queue.stuck(queue.get(third.id))  # its chain is running
    queue.finish(first.id, JobState.FAILED, error="no")
    assert [queue.stuck(queue.get(j.id)) for j in (second, third, alone)] == [True, True, False]

    queue.retry(first.id)
    assert not queue.stuck(queue.get(third.id))
    queue.close()


def test_the_runner_goes_idle_when_a_chain_cannot_go_on(tmp_path: Path) -> None:
    queue = JobQueue(tmp_path / "jobs.db", log_dir=tmp_path / "logs")

    def no_python(_spec: object) -> list[str]:
        raise RuntimeError("convert jobs need the toolchain")

    first = queue.add(_spec(tmp_path, "a"))
    second = queue.add(_spec(tmp_path, "b"), after=first.id)
    third = queue.add(_spec(tmp_path, "c"), after=second.id)
    runner = JobRunner(queue, python_for=no_python)
    runner.start()
    try:
        assert runner.wait_idle(30)  # it waited forever for the third job before
    finally:
        runner.stop()
    states = [queue.get(j.id).state for j in (first, second, third)]
    assert states == [JobState.FAILED, JobState.QUEUED, JobState.QUEUED]
    queue.close()


def test_a_recipe_queued_twice_converts_once_and_an_unknown_type_queues_nothing(tmp_path: Path,
                                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from fixtures.fake_toolchain import installed_toolchain
    from fixtures.hf_folders import write_llama_folder

    from app.jobs import queue_recipe
    from quantize.spec import ConvertSpec, SpecError
    from quantize.toolchain import ROOT_ENV

    monkeypatch.setenv(ROOT_ENV, str(tmp_path / "toolchain"))
    installed_toolchain(tmp_path / "toolchain")
    folder = write_llama_folder(tmp_path / "models" / "tiny", hidden=256, ff=512, layers=2, heads=4, kv_heads=2, vocab=512)
    queue = JobQueue(tmp_path / "jobs.db", log_dir=tmp_path / "logs")
    with pytest.raises(SpecError):
        queue_recipe(queue, folder, ["Q8_0", "Q9_Z"], out_dir=tmp_path / "out")
    assert queue.jobs() == []  # no lone conversion left behind

    first = queue_recipe(queue, folder, ["Q8_0"], out_dir=tmp_path / "out", evaluate=False)
    second = queue_recipe(queue, folder, ["Q4_K_M"], out_dir=tmp_path / "out", evaluate=False)  # e.g. clicked twice
    converts = [j for j in queue.jobs() if isinstance(j.spec, ConvertSpec)]
    assert len(converts) == 1 and first[0].id == second[0].id == converts[0].id
    assert second[1].after == converts[0].id

    queue.claim_next(runner="test")
    queue.finish(converts[0].id, JobState.FAILED, error="no")
    third = queue_recipe(queue, folder, ["Q8_0"], out_dir=tmp_path / "out", evaluate=False)
    assert third[0].id == converts[0].id and queue.get(converts[0].id).state is JobState.QUEUED  # retried, not doubled
    queue.close()
