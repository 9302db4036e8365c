"""Code evaluation: problems per minute through the app's job vs a plain script, and the sandbox's cost per run.

1. Throughput (target: job / script >= 0.9): the first ``--problems`` HumanEval problems, greedy, ``--max-tokens`` each,
   the same model (default: the instruct demo SmolLM2 135M) and threads. The script is what one would write by hand:
   load the model in the runtime, then for each problem ask and check, one after the other. The job is a CodeEvalSpec run
   by the queue's runner in a worker process (model load included, as for the script), where each check overlaps the
   writing of the next solution. Both write the same answers (greedy), so pass@1 must agree.
2. The sandbox (procs/sandbox.py): spawn to result for ``print(1)`` with bubblewrap's isolation, with limits only, and a
   bare ``python -c pass`` for scale.

Run: .venv/bin/python bench/codeeval.py [--problems 10] [--max-tokens 256] [--threads 2] [--model M.gguf]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

from app.chat.engine import ChatEngine  # noqa: E402
from app.chat.messages import ReasoningMode, Sampling  # noqa: E402
from app.chat.reasoning import detect  # noqa: E402
from app.chat.runtime import LoadOptions, Runtime  # noqa: E402
from app.chat.templates import template_for  # noqa: E402
from app.codeeval.check import check  # noqa: E402
from app.codeeval.evaluation import messages_for  # noqa: E402
from app.codeeval.problems import load_problems, select  # noqa: E402
from formats.gguf_info import inspect_gguf  # noqa: E402
from procs.sandbox import bwrap, python_prefix, run_python  # noqa: E402


def script(model: Path, problems: list, threads: int, max_tokens: int) -> tuple[float, int]:  # type: ignore[type-arg]
    """The hand-written way; returns (seconds, passed)."""
    t0 = time.perf_counter()
    runtime = Runtime.launch(model, options=LoadOptions(context=4096, parallel=1, threads=threads), name=model.name)
    try:
        runtime.wait_ready(timeout_s=300)
        template = template_for(inspect_gguf(model))
        engine = ChatEngine(runtime.client(), template=template, support=detect(template))
        sampling = Sampling(temperature=0.0, top_k=1, top_p=1.0, min_p=0.0, max_tokens=max_tokens)
        passed = 0
        for p in problems:
            answer = engine.answer(messages_for(p), mode=ReasoningMode.OFF, sampling=sampling)
            passed += check(p, answer.content).passed
    finally:
        runtime.stop()
    return time.perf_counter() - t0, passed


def job(model: Path, problems: list, threads: int, max_tokens: int, work: Path) -> tuple[float, int]:  # type: ignore[type-arg]
    """The app's way: a queued job in a worker process; returns (seconds, passed)."""
    from app.jobs import worker_for
    from quantize.queue import JobQueue, JobState
    from quantize.runner import JobRunner
    from quantize.spec import CodeEvalSpec

    queue = JobQueue(work / "jobs.db", log_dir=work / "logs")
    spec = CodeEvalSpec(source=model, output=work / "result.json", ids=tuple(p.task_id for p in problems),
                        max_tokens=max_tokens, threads=threads)  # fmt: skip
    t0 = time.perf_counter()
    queued = queue.add(spec)
    runner = JobRunner(queue, worker_for=worker_for)
    runner.start()
    try:
        runner.wait_idle(3600)
    finally:
        runner.stop()
    seconds = time.perf_counter() - t0
    done = queue.get(queued.id)
    queue.close()
    if done.state is not JobState.DONE:
        raise SystemExit(f"the job failed: {done.error}")
    return seconds, round(float(done.result["pass_at_1"]) * len(problems))


def sandbox(runs: int) -> None:
    def timed(fn: object) -> list[float]:
        out = []
        for _ in range(runs):
            t = time.perf_counter()
            fn()  # type: ignore[operator]
            out.append((time.perf_counter() - t) * 1000)
        return out

    exe, _prefix = python_prefix()
    bare = [str(exe), "-I", "-S", "-c", "pass"]
    rows = {"bare `python -c pass` (no sandbox)": timed(lambda: subprocess.run(bare, check=True))}
    rows["sandbox, limits only"] = timed(lambda: run_python("print(1)", isolate=False))
    if bwrap() is not None:
        rows["sandbox, bubblewrap isolation"] = timed(lambda: run_python("print(1)"))
    print(f"Sandbox: spawn to result for print(1), {runs} runs")
    for name, times in rows.items():
        print(f"  {name:<38} p50 {statistics.median(times):6.1f} ms  p95 {sorted(times)[int(0.95 * (runs - 1))]:6.1f} ms")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--model", type=Path, default=None)
    ap.add_argument("--problems", type=int, default=10)
    ap.add_argument("--max-tokens", type=int, default=256)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--runs", type=int, default=30)
    args = ap.parse_args()
    if args.model is None:
        from app.library.demo import instruct_model_file

        args.model = instruct_model_file()
        if args.model is None:
            raise SystemExit("no model: give --model, or install the instruct demo (make)")
    print(f"load: {os.getloadavg()[0]:.2f} (1 min)")
    sandbox(args.runs)
    problems = select(load_problems(), count=args.problems)
    with tempfile.TemporaryDirectory(prefix="mw-bench-codeeval-") as tmp:
        os.environ["MODELWERK_HOME"] = str(Path(tmp) / "home")
        s_time, s_passed = script(args.model, problems, args.threads, args.max_tokens)
        j_time, j_passed = job(args.model, problems, args.threads, args.max_tokens, Path(tmp))
    n = len(problems)
    print(f"Throughput: {n} problems of HumanEval, {args.model.name}, greedy, {args.max_tokens} tokens at most, "
          f"{args.threads} threads (model load included)")  # fmt: skip
    print(f"  plain script  {n / s_time * 60:6.1f} problems/min  ({s_time:.1f} s, {s_passed} passed)")
    print(f"  the app's job {n / j_time * 60:6.1f} problems/min  ({j_time:.1f} s, {j_passed} passed)")
    ratio = s_time / j_time
    print(f"  ratio job / script: {ratio:.2f} (target >= 0.9: {'met' if ratio >= 0.9 else 'NOT met'}); "
          f"same pass@1: {'yes' if s_passed == j_passed else 'NO'}")
    print(f"load: {os.getloadavg()[0]:.2f} (1 min)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
