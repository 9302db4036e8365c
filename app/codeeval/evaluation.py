"""A code evaluation: for each problem a model writes ``samples`` solutions through a ``ChatEngine`` (the runtime and
chat engine the Chat page uses, System 1 or System 2), each is checked in the sandbox while the model writes the next
one, and pass@1 (and pass@k) say how often it was right.

pass@k is the unbiased estimator of Chen et al. 2021 (HumanEval's paper): with n samples of which c pass,
1 - C(n-c, k) / C(n, k), averaged over the problems; greedy decoding (temperature 0) with one sample gives pass@1.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.chat.engine import ChatEngine
from app.chat.messages import Message, ReasoningMode, Role, Sampling
from app.codeeval.check import Checked, Verdict, check
from app.codeeval.problems import Problem

INSTRUCTION = ("Complete the following Python function. Answer with the complete function in one ```python code block, "
               "with any imports it needs, and nothing else.")  # fmt: skip


@dataclass(frozen=True)
class Sample:
    """One solution: the model's answer, how the check went, and what writing it cost."""

    answer: str
    checked: Checked
    answer_tokens: int
    thinking_tokens: int
    seconds: float
    finish_reason: str = ""


@dataclass(frozen=True)
class ProblemResult:
    task_id: str
    samples: tuple[Sample, ...]

    @property
    def passed(self) -> int:
        return sum(s.checked.passed for s in self.samples)

    def pass_at(self, k: int) -> float:
        return pass_at_k(len(self.samples), self.passed, k)

    @property
    def verdict(self) -> Verdict:
        """The first sample's verdict (greedy pass@1's)."""
        return self.samples[0].checked.verdict


@dataclass
class Report:
    """What a run found so far; ``results`` in problem order."""

    results: list[ProblemResult] = field(default_factory=list)
    seconds: float = 0.0

    def pass_at(self, k: int) -> float | None:
        usable = [r for r in self.results if len(r.samples) >= k]
        return sum(r.pass_at(k) for r in usable) / len(usable) if usable else None

    @property
    def tokens(self) -> int:
        return sum(s.answer_tokens + s.thinking_tokens for r in self.results for s in r.samples)

    @property
    def generation_s(self) -> float:
        return sum(s.seconds for r in self.results for s in r.samples)

    def verdicts(self) -> dict[str, int]:
        counts = {v.value: 0 for v in Verdict}
        for r in self.results:
            for s in r.samples:
                counts[s.checked.verdict.value] += 1
        return counts


def pass_at_k(n: int, c: int, k: int) -> float:
    """The chance that at least one of ``k`` samples drawn from ``n`` (``c`` correct) is correct."""
    if n - c < k:
        return 1.0
    return 1.0 - math.comb(n - c, k) / math.comb(n, k)


def messages_for(problem: Problem) -> list[Message]:
    return [Message(Role.USER, f"{INSTRUCTION}\n\n```python\n{problem.prompt}```")]


def evaluate(engine: ChatEngine, problems: Sequence[Problem], *, samples: int = 1, sampling: Sampling,
             mode: ReasoningMode = ReasoningMode.OFF, done: Sequence[ProblemResult] = (),
             on_result: Callable[[ProblemResult, int, int], None] | None = None,
             cancel: threading.Event | None = None,
             checker: Callable[[Problem, str], Checked] = check) -> Report:  # fmt: skip
    """Write and check ``samples`` solutions per problem; ``done`` are results of an earlier run that are kept (a
    resumed run does not write them again). ``on_result(result, finished, total)`` after each problem, in order.

    Checking runs in one background thread, so the sandbox's work overlaps the model's writing of the next solution.
    A cancel stops after the answer being written; the report holds the problems finished until then.

    Raises:
        ChatError: the runtime failed.
    """
    t0 = time.monotonic()
    kept = {r.task_id: r for r in done}
    report = Report()
    todo = [p for p in problems if p.task_id not in kept]
    finished = 0
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="codeeval-check") as pool:
        pending: list[tuple[Problem, list[Future[Sample]]]] = []

        def settle(upto: int) -> None:
            nonlocal finished
            while len(pending) > upto:
                problem, futures = pending.pop(0)
                result = ProblemResult(problem.task_id, tuple(f.result() for f in futures))
                kept[problem.task_id] = result
                finished += 1
                if on_result is not None:
                    on_result(result, finished + len(done), len(problems))

        for problem in todo:
            futures: list[Future[Sample]] = []
            for _ in range(samples):
                if cancel is not None and cancel.is_set():
                    break
                answer = engine.answer(messages_for(problem), mode=mode, sampling=sampling, cancel=cancel)
                if answer.stats.finish_reason == "cancelled":
                    break
                futures.append(pool.submit(_checked, checker, problem, answer.content, answer.stats.answer_tokens,
                                           answer.stats.thinking_tokens, answer.stats.elapsed_s,
                                           answer.stats.finish_reason))  # fmt: skip
            if len(futures) < samples:  # cancelled: an unfinished problem is not reported
                for f in futures:
                    f.cancel()
                break
            pending.append((problem, futures))
            settle(upto=1)  # the previous problem's checks ran while this one was written
        settle(upto=0)
    report.results = [kept[p.task_id] for p in problems if p.task_id in kept]
    report.seconds = time.monotonic() - t0
    return report


def _checked(checker: Callable[[Problem, str], Checked], problem: Problem, answer: str, answer_tokens: int,
             thinking_tokens: int, seconds: float, finish_reason: str) -> Sample:  # fmt: skip
    return Sample(answer, checker(problem, answer), answer_tokens, thinking_tokens, seconds, finish_reason)


def result_metrics(report: Report, *, model: Path, problem_set: str, reasoning: str, samples: int,
                   temperature: float) -> dict[str, Any]:  # fmt: skip
    """The run as a row of the results store (``quantize.results``), beside the model's perplexity and KL divergence:
    the Results view shows pass@1 against file size for every quantization of a family, System 1 and System 2."""
    try:
        size: int | None = model.stat().st_size
    except OSError:
        size = None
    rate = report.tokens / report.generation_s if report.generation_s else None
    return {
        "kind": KIND, "model": model.name, "model_path": str(model), "size_bytes": size,
        "quant_type": _quant_type(model.name), "problem_set": problem_set, "problems": len(report.results),
        "reasoning": reasoning, "samples": samples, "temperature": temperature,
        "pass_at_1": report.pass_at(1), f"pass_at_{samples}": report.pass_at(samples),
        "verdicts": report.verdicts(), "tokens": report.tokens, "gen_tokens_per_s": rate,
        "seconds": round(report.seconds, 1),
    }  # fmt: skip


KIND = "codeeval"
"""The ``kind`` of a code evaluation's row in the results store (perplexity rows have none)."""


def _quant_type(name: str) -> str:
    from quantize.results import family_name

    stem = name[: -len(".gguf")] if name.lower().endswith(".gguf") else name
    family = family_name(name)
    rest = stem[len(family) :].lstrip("-._") if stem.lower().startswith(family) else ""
    return rest.upper()
