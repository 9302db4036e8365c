"""Code evaluation as a queue job: ``python -m app.codeeval.job SPEC.json`` loads the model in a runtime, writes and
checks solutions problem by problem, and reports each finished problem as progress.

It is ``quantize.worker``'s main loop with a dispatch table of its own (like ``app.documents.job``). Every finished
problem is appended to ``OUTPUT.progress.jsonl`` at once, so a cancelled, killed or crashed job loses at most the problem
it was writing: a retry reads the file and goes on with the rest. The result (pass@1 and the counts) goes to the results
store beside the model's perplexity; the whole report, per problem, to the output JSON.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

from app.codeeval.check import Verdict
from app.codeeval.evaluation import ProblemResult, Report, evaluate, result_metrics
from app.codeeval.problems import ProblemError, load_problems, select
from core.errors import ModelwerkError, said
from core.messages import Message, Number
from quantize import worker
from quantize.errors import JobFailed
from quantize.progress import Reporter
from quantize.spec import CodeEvalSpec, JobKind, part_path

log = logging.getLogger(__name__)

VERDICTS = {Verdict.PASSED: Message("passed"), Verdict.WRONG: Message("wrong answer"), Verdict.SYNTAX: Message("syntax"),
            Verdict.TIMEOUT: Message("timeout"), Verdict.CRASH: Message("crash")}  # fmt: skip
"""Each verdict as the progress line says it (``Verdict.value``), for the GUI to translate."""

MODULE = "app.codeeval.job"
DISPATCH = {JobKind.CODEEVAL: MODULE}


def progress_path(spec: CodeEvalSpec) -> Path:
    """Where a job keeps its finished problems (kept on cancel and crash; removed once the result is written)."""
    return spec.output.with_name(spec.output.name + ".progress.jsonl")


def finished_problems(path: Path) -> list[ProblemResult]:
    """The problems a previous run of the job finished; a torn last line (a kill mid-write) is left out."""
    done: list[ProblemResult] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return done
    except OSError as e:
        raise JobFailed(Message("cannot read {name}: {reason}", name=path.name, reason=str(e.strerror or e))) from None
    for line in lines:
        try:
            done.append(ProblemResult.from_dict(json.loads(line)))
        except (ValueError, KeyError, TypeError):
            log.warning("a torn line in %s was left out: that problem is written again", path.name)
    return done


def run(spec: CodeEvalSpec, reporter: Reporter) -> list[Path]:
    """Run the evaluation; sends ``done`` with the result metrics itself and returns the report file.

    Raises:
        JobFailed: bad problems, a model that does not load, a runtime that fails (one line).
    """
    from app.chat.engine import ChatEngine
    from app.chat.messages import ReasoningMode, Sampling
    from app.chat.reasoning import detect
    from app.chat.runtime import LoadOptions, Runtime
    from app.chat.templates import template_for
    from formats.gguf_info import inspect_gguf

    try:
        problems = select(load_problems(spec.problem_file), count=spec.problems or None, ids=list(spec.ids))
    except ProblemError as e:
        raise JobFailed(said(e)) from None
    spec.output.parent.mkdir(parents=True, exist_ok=True)
    progress_file = progress_path(spec)
    wanted = {p.task_id for p in problems}
    done = [r for r in finished_problems(progress_file) if r.task_id in wanted]
    if done:
        before = Message("{done} of {total} problems done before", done=str(len(done)), total=str(len(problems)))
        reporter.progress("resume", len(done) / len(problems), before)
    sampling = Sampling(temperature=spec.temperature, max_tokens=spec.max_tokens)
    if spec.temperature == 0:
        sampling = Sampling(temperature=0.0, top_k=1, top_p=1.0, min_p=0.0, max_tokens=spec.max_tokens)
    reporter.progress("load", 0.0, Message("loading {name}", name=spec.source.name))
    try:
        options = LoadOptions(context=spec.context, parallel=1, threads=spec.threads or None)
        runtime = Runtime.launch(spec.source, options=options, name=spec.source.name)
    except ModelwerkError as e:
        raise JobFailed(Message("cannot load {name}: {reason}", name=spec.source.name, reason=said(e))) from None
    passed = sum(r.passed for r in done)
    with progress_file.open("a", encoding="utf-8") as log_file:

        def finished(result: ProblemResult, count: int, total: int) -> None:
            nonlocal passed
            log_file.write(json.dumps(result.to_dict()) + "\n")
            log_file.flush()
            os.fsync(log_file.fileno())
            passed += result.passed
            said = Message("{count}/{total} {task}: {verdict}; {passed} passed so far", count=str(count), total=str(total),
                           task=result.task_id, verdict=VERDICTS.get(result.verdict, result.verdict.value),
                           passed=str(passed))  # fmt: skip
            reporter.progress("problems", count / total, said)

        try:
            runtime.wait_ready(timeout_s=300)
            template = template_for(inspect_gguf(spec.source))
            engine = ChatEngine(runtime.client(), template=template, support=detect(template))
            report = evaluate(engine, problems, samples=spec.samples, sampling=sampling,
                              mode=ReasoningMode(spec.reasoning), done=done, on_result=finished)  # fmt: skip
        except ModelwerkError as e:
            raise JobFailed(said(e)) from None
        finally:
            runtime.stop()
    problem_set = spec.problem_file.name if spec.problem_file is not None else "HumanEval"
    metrics = result_metrics(report, model=spec.source, problem_set=problem_set, reasoning=spec.reasoning,
                             samples=spec.samples, temperature=spec.temperature)  # fmt: skip
    _write_report(spec, report, metrics)
    progress_file.unlink(missing_ok=True)
    p1 = metrics["pass_at_1"] or 0.0
    reporter.progress("done", 1.0, Message("pass@1 {percent}% ({passed} of {total} problems)", percent=Number(100 * p1, 1),
                                           passed=str(passed), total=str(len(report.results))))  # fmt: skip
    reporter.done([str(spec.output)], result=metrics)
    return [spec.output]


def _write_report(spec: CodeEvalSpec, report: Report, metrics: dict[str, Any]) -> None:
    part = part_path(spec.output)
    part.write_text(json.dumps({**metrics, "per_problem": [r.to_dict() for r in report.results]}, indent=1),
                    encoding="utf-8")  # fmt: skip
    part.replace(spec.output)


if __name__ == "__main__":
    sys.exit(worker.main(dispatch=DISPATCH, name=MODULE))
