"""GGUF quantization through the real queue, runner and worker processes (issue 6, "Show").

Tiny GGUF (hidden 256) -> Q8_0, Q4_0, Q4_K_M: each output loads and generates; a refused requantize leaves no file;
cancelling mid-job leaves no file; killing the app mid-job leaves an interrupted job that a retry completes.
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
from fixtures.tiny_gguf import write_tiny_gguf

from quantize.imatrix import write_legacy_imatrix
from quantize.queue import Job, JobQueue, JobState
from quantize.runner import JobRunner
from quantize.spec import QuantizeSpec, part_path
from quantize.types import predict_size, read_layout

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT_S = 300


@pytest.fixture
def queue(tmp_path: Path) -> Iterator[JobQueue]:
    q = JobQueue(tmp_path / "jobs.db", log_dir=tmp_path / "logs")
    yield q
    q.close()


@pytest.fixture(scope="module")
def slow_model(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A 15 MB model and an importance matrix for it: IQ2_XXS on one thread takes seconds, long enough to interrupt."""
    folder = tmp_path_factory.mktemp("slow")
    model = write_tiny_gguf(folder / "slow.gguf", hidden=512, ff=1536, layers=2, heads=8, dtype="f16", name="slow")
    return model, _imatrix_for(model, folder / "slow.imatrix")


def _imatrix_for(model: Path, path: Path) -> Path:
    data = {t.name: [1.0 + (i % 7) / 7 for i in range(t.shape[0])] for t in read_layout(model).tensors if len(t.shape) == 2}
    return write_legacy_imatrix(path, data)


def _slow_spec(slow_model: tuple[Path, Path], out: Path) -> QuantizeSpec:
    model, imatrix = slow_model
    return QuantizeSpec(source=model, output=out, quant_type="IQ2_XXS", imatrix=imatrix, threads=1)


def _generate(path: Path, n_tokens: int = 4) -> list[int]:
    import llama_cpp

    llm = llama_cpp.Llama(model_path=str(path), n_ctx=64, n_threads=2, seed=0, verbose=False)
    try:
        tokens = llm.tokenize(b"the quick brown fox", add_bos=True)
        out = list(itertools.islice(llm.generate(tokens, temp=0.0), n_tokens))
        assert all(0 <= t < llm.n_vocab() for t in out)
        return out
    finally:
        llm.close()


def _run_all(queue: JobQueue, **kwargs: object) -> list[Job]:
    finished: list[Job] = []
    runner = JobRunner(queue, on_finished=finished.append, **kwargs)  # type: ignore[arg-type]
    runner.start()
    try:
        assert runner.wait_idle(TIMEOUT_S)
    finally:
        runner.stop()
    return finished


def _wait_for(predicate: object, timeout_s: float = TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_tiny_model_to_q8_0_q4_0_q4_k_m_each_loads_and_generates(queue: JobQueue, kquant_gguf: Path, tmp_path: Path) -> None:
    types = ["Q8_0", "Q4_0", "Q4_K_M"]
    ids = [queue.add(QuantizeSpec(source=kquant_gguf, output=tmp_path / f"out.{t}.gguf", quant_type=t, threads=2)).id
           for t in types]  # fmt: skip
    changed: list[int] = []
    finished: list[Job] = []
    runner = JobRunner(queue, on_changed=changed.append, on_finished=finished.append)
    runner.start()
    try:
        assert runner.wait_idle(TIMEOUT_S)
    finally:
        runner.stop()
    assert sorted(j.id for j in finished) == ids
    sizes = {}
    for job_id, t in zip(ids, types, strict=True):
        job = queue.get(job_id)
        out = tmp_path / f"out.{t}.gguf"
        assert job.state is JobState.DONE, job.error
        assert job.outputs == (out,) and job.fraction == 1.0 and job.error == ""
        assert job.result["quant_type"] == t and job.result["size_bytes"] == out.stat().st_size
        assert out.stat().st_size == predict_size(kquant_gguf, t) == job.result["predicted_bytes"]
        assert len(_generate(out)) == 4
        log = queue.read_log(job_id)
        assert "[  21/  21]" in log and "--- done" in log  # llama.cpp's per-tensor lines are kept in the job log
        sizes[t] = out.stat().st_size
    assert sizes["Q8_0"] > sizes["Q4_K_M"] > sizes["Q4_0"]
    assert ids[0] in changed and ids[2] in changed
    assert not list(tmp_path.glob("*.part"))


def test_a_refused_requantize_fails_in_one_line_and_leaves_no_file(queue: JobQueue, kquant_gguf: Path, tmp_path: Path) -> None:
    q4 = tmp_path / "m.Q4_0.gguf"
    first = queue.add(QuantizeSpec(source=kquant_gguf, output=q4, quant_type="Q4_0")).id
    out = tmp_path / "m.Q8_0.gguf"
    second = queue.add(QuantizeSpec(source=q4, output=out, quant_type="Q8_0")).id
    finished = _run_all(queue)
    assert queue.get(first).state is JobState.DONE
    job = queue.get(second)
    assert job.state is JobState.FAILED and [j.state for j in finished] == [JobState.DONE, JobState.FAILED]
    assert "already quantized" in job.error and "allow requantize" in job.error and "\n" not in job.error
    assert not out.exists() and not part_path(out).exists()
    assert job.outputs == ()
    # The same job with requantizing allowed: a retry of a changed spec is a new job.
    ok = queue.add(QuantizeSpec(source=q4, output=out, quant_type="Q8_0", allow_requantize=True)).id
    _run_all(queue)
    assert queue.get(ok).state is JobState.DONE and len(_generate(out)) == 4


def test_cancelling_mid_job_leaves_no_file(queue: JobQueue, slow_model: tuple[Path, Path], tmp_path: Path) -> None:
    out = tmp_path / "slow.IQ2_XXS.gguf"
    job_id = queue.add(_slow_spec(slow_model, out)).id
    finished: list[Job] = []
    runner = JobRunner(queue, on_finished=finished.append, grace_s=5)
    runner.start()
    try:
        _wait_for(lambda: (queue.get(job_id).fraction or 0) > 0)  # past the first tensor: llama.cpp is writing
        assert part_path(out).exists()
        runner.cancel(job_id)
        assert runner.wait_idle(TIMEOUT_S)
    finally:
        runner.stop()
    job = queue.get(job_id)
    assert job.state is JobState.CANCELLED and [j.state for j in finished] == [JobState.CANCELLED]
    assert not out.exists() and not part_path(out).exists()
    assert "--- cancelled" in queue.read_log(job_id)


def test_cancel_from_another_process_reaches_the_runner(
    queue: JobQueue, slow_model: tuple[Path, Path], tmp_path: Path
) -> None:
    out = tmp_path / "slow2.IQ2_XXS.gguf"
    job_id = queue.add(_slow_spec(slow_model, out)).id
    runner = JobRunner(queue)
    runner.start()
    try:
        _wait_for(lambda: (queue.get(job_id).fraction or 0) > 0)
        other = JobQueue(queue.db_path, log_dir=queue.log_dir)  # e.g. the GUI cancelling a `modelwerk quantize` job
        other.cancel(job_id)
        other.close()
        assert runner.wait_idle(TIMEOUT_S)
    finally:
        runner.stop()
    assert queue.get(job_id).state is JobState.CANCELLED
    assert not out.exists() and not part_path(out).exists()


_APP = """
import sys, time
from pathlib import Path
from quantize.queue import JobQueue, JobState
from quantize.runner import JobRunner
from quantize.spec import part_path
queue = JobQueue(Path(sys.argv[1]), log_dir=Path(sys.argv[2]))
runner = JobRunner(queue)
runner.start()
while True:
    job = queue.get(int(sys.argv[3]))
    if job.state is JobState.RUNNING and (job.fraction or 0) > 0 and job.worker_pid:
        print(json.dumps({"worker": job.worker_pid, "part": part_path(job.spec.output).exists()}), flush=True)
        break
    time.sleep(0.01)
time.sleep(600)
"""


def _gone(pid: int) -> bool:
    try:
        return bool(psutil.Process(pid).status() == psutil.STATUS_ZOMBIE)
    except psutil.NoSuchProcess:
        return True


def test_killing_the_app_mid_job_leaves_an_interrupted_job_that_a_retry_completes(
    slow_model: tuple[Path, Path], tmp_path: Path
) -> None:
    db, logs = tmp_path / "jobs.db", tmp_path / "logs"
    out = tmp_path / "killed.IQ2_XXS.gguf"
    q = JobQueue(db, log_dir=logs)
    job_id = q.add(_slow_spec(slow_model, out)).id
    q.close()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    app = subprocess.Popen([sys.executable, "-c", "import json\n" + _APP, str(db), str(logs), str(job_id)], cwd=ROOT,
                           stdout=subprocess.PIPE, text=True, env=env, start_new_session=True)  # fmt: skip
    try:
        assert app.stdout is not None
        state = json.loads(app.stdout.readline())
        assert state["part"], "the job should be writing its .part file when the app dies"
    finally:
        os.killpg(app.pid, signal.SIGKILL)  # the app and its runner thread die at once; the worker is in its own group
        app.wait()
    _wait_for(lambda: _gone(state["worker"]), 60)  # the worker notices its runner is gone and stops
    assert not part_path(out).exists() and not out.exists()

    queue = JobQueue(db, log_dir=logs)  # the app starts again
    try:
        job = queue.get(job_id)
        assert job.state is JobState.INTERRUPTED and "interrupted" in job.error
        queue.retry(job_id)
        _run_all(queue)
        job = queue.get(job_id)
        assert job.state is JobState.DONE, job.error
        assert job.outputs == (out,) and out.stat().st_size > 0 and not part_path(out).exists()
        assert "--- interrupted" in queue.read_log(job_id) and "--- retry" in queue.read_log(job_id)
    finally:
        queue.close()


def test_stop_marks_running_jobs_interrupted(queue: JobQueue, slow_model: tuple[Path, Path], tmp_path: Path) -> None:
    out = tmp_path / "stopped.gguf"
    job_id = queue.add(_slow_spec(slow_model, out)).id
    runner = JobRunner(queue, grace_s=5)
    runner.start()
    _wait_for(lambda: (queue.get(job_id).fraction or 0) > 0)
    runner.stop()
    assert queue.get(job_id).state is JobState.INTERRUPTED
    assert not out.exists() and not part_path(out).exists()


def test_importance_matrix_makes_iq2_types_possible(queue: JobQueue, kquant_gguf: Path, tmp_path: Path) -> None:
    imatrix = _imatrix_for(kquant_gguf, tmp_path / "kq.imatrix")
    without = queue.add(QuantizeSpec(source=kquant_gguf, output=tmp_path / "a.IQ2_XS.gguf", quant_type="IQ2_XS")).id
    out = tmp_path / "b.IQ2_XS.gguf"
    with_matrix = queue.add(QuantizeSpec(source=kquant_gguf, output=out, quant_type="IQ2_XS", imatrix=imatrix)).id
    _run_all(queue)
    assert queue.get(without).state is JobState.FAILED and "needs an importance matrix" in queue.get(without).error
    assert queue.get(with_matrix).state is JobState.DONE, queue.get(with_matrix).error
    assert "importance matrix data with" in queue.read_log(with_matrix)
    assert len(_generate(out)) == 4


def test_a_paused_queue_starts_nothing_until_resumed(queue: JobQueue, kquant_gguf: Path, tmp_path: Path) -> None:
    queue.paused = True
    job_id = queue.add(QuantizeSpec(source=kquant_gguf, output=tmp_path / "p.gguf", quant_type="Q8_0")).id
    runner = JobRunner(queue)
    runner.start()
    try:
        assert not runner.wait_idle(1.0)
        assert queue.get(job_id).state is JobState.QUEUED
        queue.paused = False
        runner.wake()
        assert runner.wait_idle(TIMEOUT_S)
    finally:
        runner.stop()
    assert queue.get(job_id).state is JobState.DONE


def test_a_worker_that_cannot_start_fails_the_job(queue: JobQueue, kquant_gguf: Path, tmp_path: Path) -> None:
    job_id = queue.add(QuantizeSpec(source=kquant_gguf, output=tmp_path / "x.gguf", quant_type="Q8_0")).id
    _run_all(queue, python_for=lambda _spec: [str(tmp_path / "no-such-python")])
    job = queue.get(job_id)
    assert job.state is JobState.FAILED and job.error.startswith("could not start the worker")


def test_cli_quantize_registers_the_output_with_its_lineage(
    kquant_gguf: Path, modelwerk_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from app.cli import main

    out_dir = modelwerk_home / "made"
    assert main(["quantize", str(kquant_gguf), "--type", "q8_0", "--type", "Q4_K_M", "--out", str(out_dir), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["type"], r["state"]) for r in rows] == [("Q8_0", "done"), ("Q4_K_M", "done")]
    assert rows[0]["output"] == str(out_dir / "kquant.Q8_0.gguf") and Path(rows[0]["output"]).is_file()
    assert main(["list", "--json"]) == 0
    entries = {e["id"]: e for e in json.loads(capsys.readouterr().out)}
    entry = entries[rows[1]["model_id"]]
    assert entry["source"] == "quantized from kquant.gguf with Q4_K_M" and entry["quantization"] == "Q4_K_M"

    assert main(["quantize", str(kquant_gguf), "--type", "Q2_K", "--out", str(out_dir), "--dry-run", "--json"]) == 0
    dry = json.loads(capsys.readouterr().out)
    assert dry[0]["predicted_bytes"] == predict_size(kquant_gguf, "Q2_K") and not (out_dir / "kquant.Q2_K.gguf").exists()

    assert main(["jobs", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [j["state"] for j in listed["jobs"]] == ["done", "done"] and listed["paused"] is False
    assert main(["jobs", "--log", str(listed["jobs"][0]["id"])]) == 0
    assert "--- done" in capsys.readouterr().out
    assert main(["quantize", str(kquant_gguf), "--type", "Q9"]) == 2


def test_cli_retries_an_interrupted_job(kquant_gguf: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from app.cli import main
    from app.jobs import open_queue
    from quantize.queue import process_tag

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    tag = process_tag(dead.pid)
    dead.wait()
    queue = open_queue()
    out = tmp_path / "again.Q8_0.gguf"
    job_id = queue.add(QuantizeSpec(source=kquant_gguf, output=out, quant_type="Q8_0")).id
    assert queue.claim_next(runner=tag) is not None  # a runner that died mid-job
    queue.close()
    assert main(["jobs", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["jobs"][0]["state"] == "interrupted"
    assert main(["jobs", "--retry", str(job_id), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows[0]["state"] == "done" and rows[0]["model_id"] is not None and out.is_file()
    assert main(["jobs", "--retry", str(job_id)]) == 1
    assert "only failed, cancelled or interrupted jobs can be retried" in capsys.readouterr().err


@pytest.mark.slow
def test_gemma_requantize_q4_k_m_to_q8_0(queue: JobQueue, gemma_model: Path, tmp_path: Path) -> None:
    out = tmp_path / "gemma-3-270m.Q8_0.gguf"
    job_id = queue.add(QuantizeSpec(source=gemma_model, output=out, quant_type="Q8_0", allow_requantize=True)).id
    _run_all(queue)
    job = queue.get(job_id)
    assert job.state is JobState.DONE, job.error
    assert out.stat().st_size == predict_size(gemma_model, "Q8_0")
    assert out.stat().st_size > gemma_model.stat().st_size
    assert len(_generate(out)) == 4


def test_a_finished_evaluation_job_lands_in_the_results_store(kquant_gguf: Path, tmp_path: Path) -> None:
    """The results view reads the store: a queued evaluation must end up there, not only in the job row."""
    from app.jobs import jobs_db_path, open_queue, python_for, register_output
    from app.library.catalog import Catalog
    from app.store import Store
    from quantize.results import ResultStore
    from quantize.runner import JobRunner
    from quantize.spec import EvaluateSpec

    queue = open_queue()
    finished: list[Job] = []
    runner = JobRunner(queue, python_for=python_for, on_finished=finished.append)
    job = queue.add(EvaluateSpec(source=kquant_gguf, output=tmp_path / "eval.json", reference=kquant_gguf, context=64))
    runner.start()
    try:
        assert runner.wait_idle(120)
    finally:
        runner.stop()
    done = queue.get(job.id)
    assert done.state is JobState.DONE, done.error
    with Store.open(tmp_path / "catalog.db") as store:
        assert register_output(done, Catalog(store), tmp_path) == []
    rows = ResultStore(jobs_db_path()).all()
    assert len(rows) == 1 and rows[0]["kld_mean"] is not None and rows[0]["kld_mean"] < 1e-3


def test_a_recipe_chains_its_jobs_and_a_failed_step_holds_the_rest(kquant_gguf: Path, tmp_path: Path) -> None:
    """quantize to two types -> evaluate each: every job waits for its input; a failed step keeps its dependants queued."""
    from app.jobs import open_queue, python_for, queue_recipe
    from quantize.spec import EvaluateSpec

    queue = open_queue()
    jobs = queue_recipe(queue, kquant_gguf, ["Q8_0", "Q4_0"], out_dir=tmp_path / "out")
    kinds = [type(j.spec).__name__ for j in jobs]
    assert kinds == ["QuantizeSpec", "EvaluateSpec", "QuantizeSpec", "EvaluateSpec"]
    assert jobs[1].after == jobs[0].id and jobs[3].after == jobs[2].id and jobs[0].after is None
    assert isinstance(jobs[1].spec, EvaluateSpec) and jobs[1].spec.reference == kquant_gguf
    queue.move(jobs[1].id, 0)  # the evaluation first in line: it still has to wait for its quantization
    runner = JobRunner(queue, python_for=python_for)
    runner.start()
    try:
        assert runner.wait_idle(180)
    finally:
        runner.stop()
    done = [queue.get(j.id) for j in jobs]
    assert [j.state for j in done] == [JobState.DONE] * 4, [j.error for j in done]
    assert done[1].started is not None and done[0].finished is not None and done[1].started >= done[0].finished
    assert done[1].result["kld_mean"] < done[3].result["kld_mean"]  # Q8_0 is closer to the original than Q4_0

    # A failing first step (the source is gone): its evaluation waits, the runner still goes idle, retry carries on.
    missing = tmp_path / "gone.gguf"
    missing.write_bytes(kquant_gguf.read_bytes())
    chain = queue_recipe(queue, missing, ["Q8_0"], out_dir=tmp_path / "out2")
    missing.unlink()
    runner = JobRunner(queue, python_for=python_for)
    runner.start()
    try:
        assert runner.wait_idle(120)
        assert queue.get(chain[0].id).state is JobState.FAILED
        assert queue.get(chain[1].id).state is JobState.QUEUED and queue.stuck(queue.get(chain[1].id))
        missing.write_bytes(kquant_gguf.read_bytes())
        queue.retry(chain[0].id)
        runner.wake()
        assert runner.wait_idle(120)
    finally:
        runner.stop()
    assert [queue.get(j.id).state for j in chain] == [JobState.DONE, JobState.DONE]


def test_cli_recipe_quantizes_and_evaluates_each(
    kquant_gguf: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from app.cli import main

    out_dir = tmp_path / "made"
    assert main(["recipe", str(kquant_gguf), "--type", "Q8_0", "--out", str(out_dir)]) == 0
    text = capsys.readouterr().out
    assert "Q8_0: " in text and (out_dir / "kquant.Q8_0.gguf").is_file()
    assert "evaluate: kquant.Q8_0.gguf: PPL " in text and "KLD " in text
    assert main(["recipe", str(kquant_gguf), "--type", "Q9"]) == 2


def test_the_folder_watch_skips_a_running_jobs_output_which_is_registered_once_with_its_lineage(
    kquant_gguf: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import app.jobs
    from app.jobs import JobService, open_queue, quantize_specs
    from app.library.catalog import Catalog
    from app.library.scan import scan_folder
    from app.store import Store

    models = tmp_path / "models"
    queue = open_queue()
    [spec] = quantize_specs(kquant_gguf, ["Q8_0"], out_dir=models)
    with Store.open(tmp_path / "catalog.db") as store:
        catalog = Catalog(store)
        service = JobService(queue, catalog=catalog, models_dir=models)
        scans = []
        real = app.jobs.register_output

        def watch_first(job: Job, *args: object, **kwargs: object) -> object:
            # The worst moment for the folder watch: the worker renamed its output into the folder, not registered yet.
            assert spec.output.is_file() and service.claims.paths() == {spec.output.resolve()}
            scans.append(scan_folder(models, catalog, skip=service.claims.paths()))
            return real(job, *args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(app.jobs, "register_output", watch_first)
        finished: list[tuple[Job, list[str]]] = []
        service.finished.connect(lambda job, errors: finished.append((job, errors)))
        job = service.add_specs([spec])[0]
        service.start()
        try:
            assert service.runner.wait_idle(120)
        finally:
            service.stop()
        [(done, errors)] = finished
        assert done.id == job.id and done.state is JobState.DONE and errors == []
        [scan] = scans
        assert scan.added == () and scan.errors == ()
        [entry] = catalog.entries()
        assert entry.path == spec.output.resolve() and entry.source == "quantized from kquant.gguf with Q8_0"
        assert service.claims.paths() == frozenset()
        assert scan_folder(models, catalog, skip=service.claims.paths()).added == ()  # once: the next scan knows it


def test_a_job_run_by_another_process_keeps_its_lineage_when_the_folder_watch_found_it_first(
    kquant_gguf: Path, tmp_path: Path
) -> None:
    """`modelwerk quantize` while the app runs: the app's claims do not cover that job, so its scan may be quicker."""
    from app.jobs import open_queue, python_for, quantize_specs, register_output
    from app.library.catalog import SOURCE_FOUND, Catalog
    from app.store import Store
    from formats.inspect import inspect

    queue = open_queue()
    [spec] = quantize_specs(kquant_gguf, ["Q8_0"], out_dir=tmp_path / "models")
    job = queue.add(spec)
    runner = JobRunner(queue, python_for=python_for)
    runner.start()
    try:
        assert runner.wait_idle(120)
    finally:
        runner.stop()
    with Store.open(tmp_path / "catalog.db") as store:
        catalog = Catalog(store)
        scanned = catalog.add(inspect(spec.output), source=SOURCE_FOUND)  # the other process's watch was quicker
        [result] = register_output(queue.get(job.id), catalog, tmp_path / "models")
        assert result.entry is not None and result.entry.id == scanned.id
        assert catalog.get(scanned.id).source == "quantized from kquant.gguf with Q8_0"


def test_the_job_service_runs_only_the_jobs_it_is_given_and_returns_what_they_became(
    kquant_gguf: Path, tmp_path: Path
) -> None:
    """What `modelwerk quantize` and `convert` run on: the GUI's other queued jobs stay queued; each job comes back
    with its Library registration (lineage included), and a job that never ran comes back as its row."""
    from app.jobs import JobService, open_queue, quantize_specs
    from app.library.catalog import Catalog
    from app.store import Store

    models = tmp_path / "models"
    queue = open_queue()
    mine, other = quantize_specs(kquant_gguf, ["Q8_0", "Q4_0"], out_dir=models)
    with Store.open(tmp_path / "catalog.db") as store:
        catalog = Catalog(store)
        service = JobService(queue, catalog=catalog, models_dir=models)
        waiting = queue.add(other)  # the window's job, queued first: not ours to run
        job = queue.add(mine)
        ticks: list[list[Job]] = []
        try:
            [ended] = service.run([job.id], tick=ticks.append, tick_s=0.05)
        finally:
            service.stop()
            queue.close()
        assert ended.job.id == job.id and ended.job.state is JobState.DONE and ended.errors == ()
        [imported] = ended.imported
        assert imported.entry is not None and imported.entry.source == "quantized from kquant.gguf with Q8_0"
        assert [e.id for e in catalog.entries()] == [imported.entry.id]
        assert all([j.id for j in rows] == [job.id] for rows in ticks)
    again = open_queue()
    try:
        assert again.get(waiting.id).state is JobState.QUEUED and not other.output.exists()
    finally:
        again.close()


def test_a_wake_while_the_runner_looks_at_the_queue_is_not_lost(
    queue: JobQueue, kquant_gguf: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A job added (and the runner woken) just after the runner found the queue empty starts at once, not after a poll
    interval: with an hour's interval it would not start at all."""
    import threading

    import quantize.runner

    monkeypatch.setattr(quantize.runner, "POLL_S", 3600.0)
    looking, added = threading.Event(), threading.Event()
    real = queue.claim_next

    def claim_next(**kwargs: object) -> Job | None:
        found = real(**kwargs)  # type: ignore[arg-type]
        if found is None and not looking.is_set():  # the first look finds nothing; the add comes before it waits
            looking.set()
            added.wait(30)
        return found

    monkeypatch.setattr(queue, "claim_next", claim_next)
    runner = JobRunner(queue)
    runner.start()
    try:
        assert looking.wait(30)
        job = queue.add(QuantizeSpec(source=kquant_gguf, output=tmp_path / "out.Q8_0.gguf", quant_type="Q8_0",
                                     dry_run=True))  # fmt: skip
        runner.wake()
        added.set()
        assert runner.wait_idle(60), "the wake was lost: the runner waits for its next poll"
        assert queue.get(job.id).state is JobState.DONE
    finally:
        runner.stop()
