"""Checking one solution: the problem's tests run against the model's code in the sandbox, and the outcome becomes a
verdict — passed, wrong answer (an assert failed), syntax error, timeout, crash (any other exception, a limit) — with
one line of detail."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from app.codeeval.problems import Problem
from procs.sandbox import Limits, RunResult, run_python

LIMITS = Limits(cpu_s=10, wall_s=15.0, memory_mb=1024, processes=8, output_bytes=200_000)
"""HumanEval's reference harness gives each problem 3 s; these leave room for a loaded machine, and the CPU limit ends
a busy loop long before the wall clock does."""
_FENCE = re.compile(r"```[ \t]*(?:python3?|py)?[ \t]*\n(.*?)(?:```|\Z)", re.DOTALL | re.IGNORECASE)


class Verdict(enum.Enum):
    PASSED = "passed"
    WRONG = "wrong answer"
    SYNTAX = "syntax"
    TIMEOUT = "timeout"
    CRASH = "crash"


@dataclass(frozen=True)
class Checked:
    verdict: Verdict
    detail: str
    seconds: float
    isolation: str

    @property
    def passed(self) -> bool:
        return self.verdict is Verdict.PASSED


def solution_code(problem: Problem, answer: str) -> str:
    """The program a model's answer stands for: the code of its fenced blocks (or the whole answer when it has none);
    an answer that does not define the function is taken as the function's body, after the problem's prompt (what a
    completion model writes)."""
    blocks = [b for b in _FENCE.findall(answer) if b.strip()]
    code = "\n\n".join(blocks) if blocks else answer
    if re.search(rf"^\s*def\s+{re.escape(problem.entry_point)}\s*\(", code, re.MULTILINE):
        # the answer's own imports may be missing (HumanEval's prompt has them): keep the prompt's import lines
        imports = [line for line in problem.prompt.splitlines() if line.startswith(("import ", "from "))]
        return "\n".join(imports) + "\n\n" + code if imports else code
    return problem.prompt + code


def program(problem: Problem, code: str) -> str:
    """What runs in the sandbox: the solution, the tests, and the call that checks the entry point."""
    return f"{code}\n\n\n{problem.test}\n\n\ncheck({problem.entry_point})\n"


def check(problem: Problem, answer: str, *, limits: Limits = LIMITS) -> Checked:
    """Run the problem's tests against the answer's code (never raises for what the code does)."""
    result = run_python(program(problem, solution_code(problem, answer)), limits=limits)
    return Checked(_verdict(result), _detail(result), result.wall_s, result.isolation.describe())


def _verdict(result: RunResult) -> Verdict:
    if result.ok:
        return Verdict.PASSED
    if result.outcome == "timeout":
        return Verdict.TIMEOUT
    last = result.last_line()
    if last.startswith(("SyntaxError", "IndentationError", "TabError")):
        return Verdict.SYNTAX
    if result.outcome == "error" and last.startswith("AssertionError"):
        return Verdict.WRONG
    return Verdict.CRASH


def _detail(result: RunResult) -> str:
    if result.outcome in ("timeout", "output limit"):
        return result.outcome
    if result.outcome == "killed":
        return "ended by a limit (CPU time or memory)"
    return result.last_line()[:200]
