"""The persistent job queue: order, reorder, pause, cancel, retry, remove, persistence, crash recovery, ETA; the worker CLI."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from quantize.queue import JobNotFound, JobQueue, JobQueueError, JobState, process_tag, runner_alive
from quantize.spec import EvaluateSpec, QuantizeSpec, part_path

ROOT = Path(__file__).resolve().parents[2]


def _spec(tmp_path: Path, name: str, quant: str = "Q4_K_M") -> QuantizeSpec:
    return QuantizeSpec(source=tmp_path / f"{name}.gguf", output=tmp_path / f"{name}.{quant}.gguf", quant_type=quant)


@pytest.fixture
def queue(tmp_path: Path) -> JobQueue:
    return JobQueue(tmp_path / "jobs.db", log_dir=tmp_path / "logs")


def test_jobs_are_kept_in_the_order_they_were_added(queue: JobQueue, tmp_path: Path) -> None:
    a = queue.add(_spec(tmp_path, "a"))
    b = queue.add(_spec(tmp_path, "b"), title="my title")
    assert [j.id for j in queue.jobs()] == [a.id, b.id]
    assert a.state is JobState.QUEUED and a.title == "Quantize a.gguf → Q4_K_M" and b.title == "my title"
    assert a.spec == _spec(tmp_path, "a") and a.log_path == tmp_path / "logs" / f"job-{a.id}.log"
    assert a.fraction is None and a.eta_s is None and a.started is None
    with pytest.raises(JobNotFound, match="there is no job 99"):
        queue.get(99)


def test_move_reorders_queued_jobs(queue: JobQueue, tmp_path: Path) -> None:
    ids = [queue.add(_spec(tmp_path, n)).id for n in "abcd"]
    queue.move(ids[3], 0)
    assert [j.id for j in queue.jobs()] == [ids[3], ids[0], ids[1], ids[2]]
    queue.move(ids[3], 99)
    assert [j.id for j in queue.jobs()] == [ids[0], ids[1], ids[2], ids[3]]
    queue.move(ids[0], 2)
    assert [j.id for j in queue.jobs()] == [ids[1], ids[2], ids[0], ids[3]]
    assert [j.position for j in queue.jobs()] == [0, 1, 2, 3]
    queue.cancel(ids[1])
    with pytest.raises(JobQueueError, match="only queued jobs can be moved"):
        queue.move(ids[1], 0)


def test_claim_follows_the_order_pause_and_max_parallel(queue: JobQueue, tmp_path: Path) -> None:
    a, b, c = (queue.add(_spec(tmp_path, n)).id for n in "abc")
    queue.move(c, 0)
    queue.paused = True
    assert queue.claim_next(runner=process_tag(0)) is None
    queue.paused = False
    first = queue.claim_next(runner="me")
    assert first is not None and first.id == c and first.state is JobState.RUNNING and first.started is not None
    assert queue.claim_next(runner="me") is None  # one at a time by default
    queue.max_parallel = 2
    second = queue.claim_next(runner="me", only={b})
    assert second is not None and second.id == b
    with pytest.raises(JobQueueError):
        queue.max_parallel = 0
    assert queue.get(a).state is JobState.QUEUED


def test_cancel_retry_remove(queue: JobQueue, tmp_path: Path) -> None:
    a = queue.add(_spec(tmp_path, "a")).id
    b = queue.add(_spec(tmp_path, "b")).id
    queue.cancel(a)
    assert queue.get(a).state is JobState.CANCELLED and queue.get(a).finished is not None
    with pytest.raises(JobQueueError, match="only failed, cancelled or interrupted jobs can be retried"):
        queue.retry(b)
    retried = queue.retry(a)
    assert retried.state is JobState.QUEUED and retried.id == a and retried.finished is None
    assert [j.id for j in queue.jobs()] == [b, a]  # a retry goes to the end
    assert "retry" in queue.read_log(a)
    running = queue.claim_next(runner=process_tag(__import__("os").getpid()))
    assert running is not None and running.id == b
    with pytest.raises(JobQueueError, match="is running; cancel it first"):
        queue.remove(b)
    queue.cancel(b)  # running: only marked, the runner kills it
    assert queue.get(b).state is JobState.RUNNING and queue.get(b).cancel_requested
    queue.finish(b, JobState.FAILED, error="boom")
    queue.append_log(a, "hello")
    queue.remove(a)
    assert not queue.log_path(a).exists()
    assert [j.id for j in queue.jobs()] == [b] and queue.get(b).error == "boom"


def test_everything_survives_reopening(tmp_path: Path) -> None:
    q = JobQueue(tmp_path / "jobs.db", log_dir=tmp_path / "logs")
    a = q.add(_spec(tmp_path, "a")).id
    b = q.add(EvaluateSpec(source=tmp_path / "m.gguf", output=tmp_path / "r.json", context=256)).id
    q.move(b, 0)
    q.paused = True
    q.max_parallel = 3
    claimed = q.claim_next(runner="x", only={a}) if not q.paused else None
    assert claimed is None
    q.paused = False
    done = q.claim_next(runner="x", only={a})
    assert done is not None
    q.finish(a, JobState.DONE, outputs=[tmp_path / "a.Q4_K_M.gguf"], result={"size_bytes": 5})
    q.paused = True
    q.close()
    q2 = JobQueue(tmp_path / "jobs.db", log_dir=tmp_path / "logs")
    assert [j.id for j in q2.jobs()] == [b, a]
    assert q2.paused and q2.max_parallel == 1  # the limit is the opener's (app.settings' parallel_jobs), not the file's
    job = q2.get(a)
    assert job.state is JobState.DONE and job.outputs == (tmp_path / "a.Q4_K_M.gguf",) and job.result == {"size_bytes": 5}
    assert job.fraction == 1.0
    assert isinstance(q2.get(b).spec, EvaluateSpec) and q2.get(b).spec.context == 256  # type: ignore[union-attr]


def test_the_queue_file_migrates_through_the_shared_runner_and_refuses_a_newer_one(tmp_path: Path) -> None:
    from core import migrations
    from quantize.queue import MIGRATIONS

    JobQueue(tmp_path / "jobs.db", log_dir=tmp_path / "logs").close()
    db = sqlite3.connect(tmp_path / "jobs.db")
    assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert db.execute("SELECT value FROM jobs_meta WHERE key = 'schema_version'").fetchone() is None
    db.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    db.commit()
    db.close()
    with pytest.raises(JobQueueError, match="newer Modelwerk") as info:
        JobQueue(tmp_path / "jobs.db", log_dir=tmp_path / "logs")
    assert isinstance(info.value.__cause__, migrations.NewerSchema)


def test_a_running_job_of_a_dead_runner_becomes_interrupted_on_open(tmp_path: Path) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    tag = process_tag(dead.pid)
    dead.wait()
    assert tag and not runner_alive(tag)
    q = JobQueue(tmp_path / "jobs.db", log_dir=tmp_path / "logs")
    lost = q.add(_spec(tmp_path, "lost")).id
    alive = q.add(_spec(tmp_path, "alive")).id
    q.max_parallel = 2
    assert q.claim_next(runner=tag, only={lost}) is not None
    assert q.claim_next(runner=process_tag(__import__("os").getpid()), only={alive}) is not None
    part_path(q.get(lost).spec.output).write_bytes(b"half a model")
    part_path(q.get(alive).spec.output).write_bytes(b"being written")
    q.close()
    q2 = JobQueue(tmp_path / "jobs.db", log_dir=tmp_path / "logs")
    assert q2.get(lost).state is JobState.INTERRUPTED and "interrupted" in q2.get(lost).error
    assert not part_path(q2.get(lost).spec.output).exists() and part_path(q2.get(alive).spec.output).exists()
    assert q2.get(alive).state is JobState.RUNNING  # its runner (this process) is alive: another window's job
    assert "interrupted" in q2.read_log(lost)
    assert q2.retry(lost).state is JobState.QUEUED


def test_eta_follows_the_progress_rate(queue: JobQueue, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    job_id = queue.add(_spec(tmp_path, "a")).id
    queue.claim_next(runner="me")
    clock = [1000.0]
    monkeypatch.setattr(time, "time", lambda: clock[0])
    queue.update_progress(job_id, stage="quantize", fraction=0.0, message="[1/10] a")
    assert queue.get(job_id).eta_s is None
    clock[0] += 10
    queue.update_progress(job_id, stage="quantize", fraction=0.25, message="[3/10] c")
    job = queue.get(job_id)
    assert job.fraction == 0.25 and job.message == "[3/10] c" and job.stage == "quantize"
    assert job.eta_s == pytest.approx(30.0)
    queue.finish(job_id, JobState.DONE)
    assert queue.get(job_id).eta_s is None


def test_worker_exits_2_on_a_bad_spec_and_1_on_a_failed_job(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text("{not json")
    proc = subprocess.run([sys.executable, "-m", "quantize.worker", str(tmp_path / "bad.json")], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert proc.returncode == 2
    event = json.loads(proc.stdout.splitlines()[-1])
    assert event["event"] == "failed" and "cannot read the job spec" in event["error"]

    from quantize.spec import dumps

    spec = _spec(tmp_path, "missing")
    (tmp_path / "spec.json").write_text(dumps(spec))
    proc = subprocess.run([sys.executable, "-m", "quantize.worker", str(tmp_path / "spec.json")], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert proc.returncode == 1
    event = json.loads(proc.stdout.splitlines()[-1])
    assert (
        event == {"event": "failed", "error": event["error"]} and "missing.gguf is not a readable GGUF file" in event["error"]
    )
    assert "\n" not in event["error"] and not part_path(spec.output).exists()


def test_a_missing_job_module_fails_the_job_not_the_worker(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import io

    from quantize import worker
    from quantize.spec import JobKind

    monkeypatch.setitem(worker.DISPATCH, JobKind.GPTQ, "quantize.no_such_module")
    from quantize.spec import GptqSpec

    out = io.StringIO()
    code = worker.run_spec(GptqSpec(source=tmp_path, output=tmp_path / "o"), worker._TrackingReporter(out))
    event = json.loads(out.getvalue().splitlines()[-1])
    assert code == 1 and event["event"] == "failed" and event["error"].startswith("gptq jobs are not available here")


def test_python_for_picks_the_toolchain_for_torch_jobs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.jobs import ToolchainMissing, python_for
    from quantize.spec import ConvertSpec

    monkeypatch.setenv("MODELWERK_TOOLCHAIN", str(tmp_path / "tc"))
    assert python_for(_spec(tmp_path, "a")) == [sys.executable]
    convert = ConvertSpec(source=tmp_path / "hf", output=tmp_path / "m.gguf")
    with pytest.raises(
        ToolchainMissing, match="convert jobs need the toolchain; install it with `modelwerk toolchain install`"
    ):
        python_for(convert)
    from quantize.toolchain import Toolchain

    python = Toolchain(tmp_path / "tc").python
    python.parent.mkdir(parents=True)
    python.write_text("")
    assert python_for(convert) == [str(python)]


def test_a_job_whose_python_cannot_be_found_fails_with_that_reason(queue: JobQueue, tmp_path: Path) -> None:
    from quantize.runner import JobRunner

    def no_python(_spec: object) -> list[str]:
        raise RuntimeError("convert jobs need the toolchain\nmore")

    job_id = queue.add(_spec(tmp_path, "a")).id
    runner = JobRunner(queue, python_for=no_python)
    runner.start()
    try:
        assert runner.wait_idle(30)
    finally:
        runner.stop()
    assert queue.get(job_id).state is JobState.FAILED and queue.get(job_id).error == "convert jobs need the toolchain"


def test_a_schema_1_queue_gains_job_dependencies_and_keeps_its_jobs(tmp_path: Path) -> None:
    q = JobQueue(tmp_path / "jobs.db", log_dir=tmp_path / "logs")
    old = q.add(QuantizeSpec(source=tmp_path / "a.gguf", output=tmp_path / "a.Q8_0.gguf", quant_type="Q8_0"))
    q.close()
    db = sqlite3.connect(tmp_path / "jobs.db")
    # What a schema-1 file of an older Modelwerk looks like: no jobs.after, its version in jobs_meta, user_version 0.
    db.execute("ALTER TABLE jobs DROP COLUMN after")
    db.execute("INSERT OR REPLACE INTO jobs_meta (key, value) VALUES ('schema_version', '1')")
    db.execute("PRAGMA user_version = 0")
    db.commit()
    db.close()
    q = JobQueue(tmp_path / "jobs.db", log_dir=tmp_path / "logs")
    assert q.get(old.id).after is None
    assert q._db.execute("PRAGMA user_version").fetchone()[0] == 4
    later = q.add(QuantizeSpec(source=tmp_path / "b.gguf", output=tmp_path / "b.Q8_0.gguf", quant_type="Q8_0"), after=old.id)
    assert q.get(later.id).after == old.id
    q.max_parallel = 2  # room for both: only the dependency can hold the second back
    assert q.claim_next(runner="test").id == old.id  # type: ignore[union-attr]
    assert q.claim_next(runner="test") is None  # the second waits for the first
    q.finish(old.id, JobState.DONE)
    assert q.claim_next(runner="test").id == later.id  # type: ignore[union-attr]
    q.close()
