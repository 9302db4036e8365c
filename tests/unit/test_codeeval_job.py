"""Code evaluation as a queue job: app.codeeval.job run by the real JobRunner in a worker child process with the real
SmolLM2 135M Instruct; the result goes to the results store, and a retried job goes on from the problems it finished."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.codeeval.check import Checked, Verdict
from app.codeeval.evaluation import ProblemResult, Sample
from app.codeeval.job import progress_path
from app.jobs import register_output, worker_for
from quantize.job import default_title
from quantize.queue import JobQueue, JobState
from quantize.results import ResultStore
from quantize.runner import JobRunner
from quantize.spec import CodeEvalSpec, loads, partial_output, to_dict

WAIT_S = 300


@pytest.fixture
def queue(tmp_path: Path) -> Iterator[JobQueue]:
    q = JobQueue(tmp_path / "jobs.db", log_dir=tmp_path / "logs")
    yield q
    q.close()


def test_the_spec_travels_as_json_and_has_a_title(tmp_path: Path) -> None:
    spec = CodeEvalSpec(source=tmp_path / "m.Q8_0.gguf", output=tmp_path / "r.json", ids=("HumanEval/0",),
                        reasoning="prompted")  # fmt: skip
    assert loads(json.dumps(to_dict(spec))) == spec and worker_for(spec) == "app.codeeval.job"
    assert partial_output(spec) == tmp_path / "r.json.part"
    assert str(default_title(spec)) == "Code eval m.Q8_0.gguf (HumanEval, 1 problems, reasoning prompted)"


def test_a_job_resumes_from_its_finished_problems_and_stores_the_result(smollm2_model: Path, tmp_path: Path,
                                                                        queue: JobQueue) -> None:  # fmt: skip
    spec = CodeEvalSpec(source=smollm2_model, output=tmp_path / "codeeval" / "smol.json",
                        ids=("HumanEval/0", "HumanEval/2"), max_tokens=96, threads=2)  # fmt: skip
    spec.output.parent.mkdir()
    earlier = ProblemResult("HumanEval/0", (Sample("kept from before", Checked(Verdict.PASSED, "", 0.1, "test"), 5, 0,
                                                   0.5, "stop"),))  # fmt: skip
    progress_path(spec).write_text(json.dumps(earlier.to_dict()) + "\n" + '{"id": "HumanEval/2", "sam')  # torn line
    job = queue.add(spec)
    messages: list[str] = []
    runner = JobRunner(queue, worker_for=worker_for, grace_s=2, on_changed=lambda jid: messages.append(queue.get(jid).message))
    runner.start()
    try:
        assert runner.wait_idle(WAIT_S)
    finally:
        runner.stop()
    done = queue.get(job.id)
    assert done.state is JobState.DONE, (done.error, queue.read_log(job.id))
    report = json.loads(spec.output.read_text())
    assert [p["id"] for p in report["per_problem"]] == ["HumanEval/0", "HumanEval/2"]
    assert report["per_problem"][0]["samples"][0]["answer"] == "kept from before"  # not written again
    second = report["per_problem"][1]["samples"][0]
    assert second["verdict"] in {v.value for v in Verdict} and second["answer_tokens"] > 0
    assert done.result["problems"] == 2 and done.result["pass_at_1"] == (1 + (second["verdict"] == "passed")) / 2
    assert not progress_path(spec).exists()  # removed once the report is written
    assert any(m.startswith("2/2 HumanEval/2: ") for m in messages) and done.message.startswith("pass@1 ")
    register_output(done, None, tmp_path, results_db=tmp_path / "results.db")
    (stored,) = ResultStore(tmp_path / "results.db").all()
    assert stored["kind"] == "codeeval" and stored["model"] == smollm2_model.name


def test_bad_problems_fail_the_job_in_one_line(smollm2_model: Path, tmp_path: Path, queue: JobQueue) -> None:
    spec = CodeEvalSpec(source=smollm2_model, output=tmp_path / "r.json", ids=("HumanEval/999",))
    job = queue.add(spec)
    runner = JobRunner(queue, worker_for=worker_for, grace_s=2)
    runner.start()
    try:
        assert runner.wait_idle(WAIT_S)
    finally:
        runner.stop()
    failed = queue.get(job.id)
    assert failed.state is JobState.FAILED and "unknown problem id 'HumanEval/999'" in failed.error
    assert "\n" not in failed.error
