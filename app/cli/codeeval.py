"""`modelwerk codeeval`: how often a model's code passes a problem's tests (HumanEval, or a file in its format).

The model runs in a runtime (llama-server, as in the Chat page), answers each problem, and each answer runs against the
problem's tests in the sandbox (procs/sandbox.py) while the model writes the next one. Greedy (temperature 0) with one
sample gives pass@1; ``--samples N`` samples at ``--temperature`` (default 0.8 then) and reports pass@k for k = 1 and N.
Bad input (an unknown model, a broken problem file, an unknown id) is one line on stderr and exit 1, before a model loads.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.cli import common as c

if TYPE_CHECKING:
    from app.codeeval.evaluation import ProblemResult, Report

INTERRUPTED = 130


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> dict[str, Callable[[argparse.Namespace], int]]:
    """Add the subcommand; returns name -> handler."""
    p = sub.add_parser("codeeval", help="measure how often a model's code passes tests (HumanEval pass@1)")
    p.add_argument("model", metavar="MODEL", help="a library id, a library name or a path to a GGUF file")
    which = p.add_mutually_exclusive_group()
    which.add_argument("--problems", type=int, default=None, metavar="N", help="only the first N problems")
    which.add_argument("--ids", default="", metavar="ID,...", help="only these problems, e.g. HumanEval/0,HumanEval/7")
    p.add_argument("--file", type=Path, default=None, metavar="PROBLEMS.jsonl",
                   help="problems in HumanEval's JSONL format, plain or gzipped (default: HumanEval's 164)")  # fmt: skip
    p.add_argument("--samples", type=int, default=1, metavar="N", help="solutions per problem (pass@k; default 1)")
    p.add_argument("--reasoning", choices=["off", "native", "prompted"], default="off",
                   help="System 1 (off) or System 2: the model's native thinking, or prompted reasoning")  # fmt: skip
    p.add_argument("--temperature", type=float, default=None,
                   help="sampling temperature (default 0: greedy; 0.8 with --samples above 1)")  # fmt: skip
    p.add_argument("--max-tokens", type=int, default=768, help="answer tokens at most per solution (default 768)")
    p.add_argument("--ctx", type=int, default=4096, help="context length in tokens (default 4096)")
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--json", action="store_true",
                   help="print {model, pass_at_1, problems: [{id, passed, error_kind, ...}], tokens, seconds}")  # fmt: skip
    return {"codeeval": _cmd_codeeval}


def _cmd_codeeval(args: argparse.Namespace) -> int:
    from app.chat.engine import ChatEngine
    from app.chat.messages import ReasoningMode, Sampling
    from app.chat.reasoning import detect
    from app.chat.runtime import LoadOptions, Runtime
    from app.chat.templates import template_for
    from app.cli.serve import resolve_model
    from app.codeeval.evaluation import evaluate
    from app.codeeval.problems import ProblemError, load_problems, select
    from formats.gguf_info import inspect_gguf
    from procs.sandbox import bwrap

    if args.samples < 1:
        raise ProblemError("--samples must be 1 or more")
    if args.max_tokens < 16:
        raise ProblemError("--max-tokens must be at least 16")
    ids = [i.strip() for i in args.ids.split(",") if i.strip()]
    problems = select(load_problems(args.file), count=args.problems, ids=ids)
    path = resolve_model(args.model)
    template = template_for(inspect_gguf(path))
    temperature = args.temperature if args.temperature is not None else (0.8 if args.samples > 1 else 0.0)
    sampling = Sampling(temperature=temperature, max_tokens=args.max_tokens, seed=args.seed)
    if temperature == 0:
        sampling = dataclasses.replace(sampling, top_k=1, top_p=1.0, min_p=0.0)
    if bwrap() is None and not args.json:
        print("Note: the sandbox runs with limits only (no network or file isolation): install bubblewrap",
              file=sys.stderr)  # fmt: skip
    status = c.StatusLine()

    def progress(result: ProblemResult, finished: int, total: int) -> None:
        if not args.json and sys.stderr.isatty():
            status.write(f"[{finished}/{total}] {result.task_id}: {result.verdict.value}")

    runtime = Runtime.launch(path, options=LoadOptions(context=args.ctx, parallel=1), name=path.name)
    try:
        runtime.wait_ready(timeout_s=300)
        engine = ChatEngine(runtime.client(), template=template, support=detect(template))
        report = evaluate(engine, problems, samples=args.samples, sampling=sampling, mode=ReasoningMode(args.reasoning),
                          on_result=progress)  # fmt: skip
    except KeyboardInterrupt:
        print("modelwerk codeeval: interrupted", file=sys.stderr)
        return INTERRUPTED
    finally:
        status.end()
        runtime.stop()
    if report.results:  # beside the model's perplexity in Results (Jobs page); a later run of the same set replaces it
        from app.codeeval.evaluation import result_metrics
        from app.jobs import jobs_db_path
        from quantize.results import ResultStore

        problem_set = args.file.name if args.file is not None else "HumanEval"
        ResultStore(jobs_db_path()).add(result_metrics(report, model=path, problem_set=problem_set,
                                                       reasoning=args.reasoning, samples=args.samples,
                                                       temperature=temperature))  # fmt: skip
    if args.json:
        c.print_json(_json(report, model=path, samples=args.samples, reasoning=args.reasoning, temperature=temperature))
    else:
        _print(report, model=path, samples=args.samples)
    return 0


def _json(report: Report, *, model: Path, samples: int, reasoning: str, temperature: float) -> dict[str, Any]:
    from procs.sandbox import bwrap

    return {
        "model": str(model), "samples": samples, "reasoning": reasoning, "temperature": temperature,
        "pass_at_1": report.pass_at(1), f"pass_at_{samples}": report.pass_at(samples),
        "problems": [{"id": r.task_id, "passed": r.passed == len(r.samples), "passed_samples": r.passed,
                      "error_kind": None if r.verdict.value == "passed" else r.verdict.value,
                      "error": r.samples[0].checked.detail, "tokens": sum(s.answer_tokens for s in r.samples),
                      "seconds": round(sum(s.seconds for s in r.samples), 3), "answer": r.samples[0].answer}
                     for r in report.results],
        "verdicts": report.verdicts(), "tokens": report.tokens, "generation_s": round(report.generation_s, 3),
        "seconds": round(report.seconds, 3),
        "tokens_per_s": round(report.tokens / report.generation_s, 1) if report.generation_s else None,
        "sandbox": "isolated" if bwrap() is not None else "limits only",
    }  # fmt: skip


def _print(report: Report, *, model: Path, samples: int) -> None:
    n = len(report.results)
    p1 = report.pass_at(1) or 0.0
    print(f"{c.safe(model.name)}: pass@1 {p1:.1%} ({round(p1 * n)} of {n} problems)")
    if samples > 1:
        print(f"  pass@{samples} {report.pass_at(samples) or 0.0:.1%} ({samples} samples per problem)")
    print("  " + ", ".join(f"{v} {k}" for k, v in report.verdicts().items() if v))
    rate = f", {report.tokens / report.generation_s:.1f} tok/s" if report.generation_s else ""
    print(f"  {report.tokens:,} tokens in {report.seconds:.1f} s{rate}")
    for r in report.results:
        if r.passed < len(r.samples):
            print(f"  {r.task_id}: {r.verdict.value}: {c.safe(r.samples[0].checked.detail)}")
