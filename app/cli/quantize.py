"""`modelwerk quantize` and `modelwerk jobs`: make GGUF quantizations through the persistent job queue, list the queue.

`quantize` adds one job per type to the same queue the GUI's Jobs page shows and runs just those here through the
workbench's job service (worker child processes) with a progress line; the service registers each output in the Library
as "quantized from MODEL with TYPE" as the job ends, like in the window.
Ctrl-C stops the worker; the job shows as interrupted in `modelwerk jobs`, and `modelwerk jobs --retry ID` runs it again.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.cli import common as c
from core.errors import user_message

INTERRUPTED = 130
REDRAW_S = 0.25


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> dict[str, Callable[[argparse.Namespace], int]]:
    """Add the subcommands; returns name -> handler."""
    p = sub.add_parser("quantize", help="quantize a GGUF model to other llama.cpp types (through the job queue)")
    p.add_argument("model", metavar="MODEL", help="a library id, a library name or a path to a GGUF file")
    p.add_argument("--type", dest="types", action="append", required=True, metavar="TYPE",
                   help="a llama.cpp type such as Q4_K_M, Q8_0, Q5_K_M (repeat for several)")  # fmt: skip
    p.add_argument("--out", type=Path, default=None, metavar="DIR", help="output folder (default: the models folder)")
    p.add_argument("--imatrix", type=Path, default=None, metavar="FILE", help="importance matrix (llama-imatrix output)")
    p.add_argument("--allow-requantize", action="store_true",
                   help="allow quantizing an already-quantized model (quality suffers twice)")  # fmt: skip
    p.add_argument("--leave-output-tensor", action="store_true", help="keep output.weight unquantized (larger, better)")
    p.add_argument("--threads", type=int, default=0, help="threads (default: all cores)")
    p.add_argument("--dry-run", action="store_true", help="show predicted sizes and problems; write nothing")
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    r = sub.add_parser("recipe", help="a chain of jobs: (convert ->) quantize to each type -> evaluate each")
    r.add_argument(
        "model",
        metavar="MODEL",
        help="a Hugging Face folder (converted first), a GGUF file, a library id or name, a pulled repo",
    )
    r.add_argument("--type", dest="types", action="append", metavar="TYPE",
                   help="a llama.cpp type (repeat; default Q8_0, Q5_K_M, Q4_K_M)")  # fmt: skip
    r.add_argument("--outtype", default="f16", choices=("f16", "bf16", "f32"), help="a Hugging Face folder's GGUF type")
    r.add_argument("--out", type=Path, default=None, metavar="DIR", help="output folder (default: the models folder)")
    r.add_argument("--no-eval", action="store_true", help="skip the evaluations")
    r.add_argument("--allow-requantize", action="store_true", help="allow an already-quantized GGUF as the source")
    add_trust_remote_code(r)
    r.add_argument("--threads", type=int, default=0, help="threads (default: all cores)")
    r.add_argument("--json", action="store_true", help="print the results as JSON")
    j = sub.add_parser("jobs", help="list the job queue (quantize, convert, GPTQ, evaluate)")
    act = j.add_mutually_exclusive_group()
    act.add_argument("--log", type=int, default=None, metavar="ID", help="print one job's log")
    act.add_argument("--retry", type=int, default=None, metavar="ID",
                     help="queue a failed, cancelled or interrupted job again and run it here")  # fmt: skip
    j.add_argument("--json", action="store_true", help="print the jobs as JSON")
    return {"quantize": _cmd_quantize, "recipe": _cmd_recipe, "jobs": _cmd_jobs}


def add_trust_remote_code(p: argparse.ArgumentParser) -> None:
    """The ``--trust-remote-code`` flag of the commands that load a Hugging Face folder with transformers."""
    p.add_argument("--trust-remote-code", action="store_true",
                   help="let a Hugging Face folder's own Python code (*.py, auto_map in its configs) run on this machine; "
                        "refused without it. Only for a repository whose code you have read and trust")  # fmt: skip


def allow_code(folder: Path, *, allowed: bool) -> tuple[str, ...]:
    """A folder's code files, before a job is queued: refused without ``--trust-remote-code``, named on stderr with it.

    Raises:
        RemoteCodeRefused: the folder carries code and ``allowed`` is False (one line, exit 1).
    """
    from quantize.remote_code import check

    files = check(folder, allowed=allowed, hint="check it, then allow it with --trust-remote-code if you trust it")
    if files:
        print(f"warning: {folder.name}'s own code may run on this machine, as --trust-remote-code allows: "
              f"{', '.join(files)}", file=sys.stderr)  # fmt: skip
    return files


def _cmd_quantize(args: argparse.Namespace) -> int:
    from app.cli.serve import resolve_model
    from app.jobs import quantize_specs
    from quantize.spec import SpecError

    if args.threads < 0:
        raise c.UsageError("--threads must be zero (all cores) or more")
    source = resolve_model(args.model)
    out_dir = args.out if args.out is not None else c.settings().models_dir
    try:
        specs = quantize_specs(
            source, args.types, out_dir=out_dir, imatrix=args.imatrix, threads=args.threads,
            allow_requantize=args.allow_requantize, keep_output_tensor=args.leave_output_tensor,
        )  # fmt: skip
    except SpecError as e:
        raise c.UsageError(user_message(e)) from None
    if args.allow_requantize:
        print("warning: requantizing an already-quantized model loses quality twice; prefer an F16/BF16 source",
              file=sys.stderr)  # fmt: skip
    if args.dry_run:
        return _dry_run(specs, as_json=args.json)
    return _run(specs, as_json=args.json)


def _cmd_recipe(args: argparse.Namespace) -> int:
    from app.jobs import queue_recipe
    from quantize.spec import SpecError
    from quantize.types import gguf_type

    if args.threads < 0:
        raise c.UsageError("--threads must be zero (all cores) or more")
    source = recipe_source(args.model)
    if source.is_dir():
        allow_code(source, allowed=args.trust_remote_code)
    types = args.types or ["Q8_0", "Q5_K_M", "Q4_K_M"]
    try:
        [gguf_type(t) for t in types]
    except SpecError as e:
        raise c.UsageError(user_message(e)) from None
    out_dir = args.out if args.out is not None else c.settings().models_dir
    return _run([], as_json=args.json, make_jobs=lambda queue: queue_recipe(
        queue, source, types, out_dir=out_dir, outtype=args.outtype, evaluate=not args.no_eval,
        allow_requantize=args.allow_requantize, threads=args.threads,
        trust_remote_code=args.trust_remote_code))  # fmt: skip


def recipe_source(arg: str) -> Path:
    """What a recipe starts from: a Hugging Face folder or a GGUF file, given as a path, a library id or name, or the
    repository a library model was downloaded from (its safetensors original first, else its largest GGUF).

    Raises:
        ChatError: nothing matches, the files are missing, or a format a recipe cannot start from (one line).
    """
    from app.chat.messages import ChatError
    from app.cli.serve import resolve_model
    from app.library.catalog import source_downloaded
    from formats.model import ModelFormat

    path = Path(arg).expanduser()
    if path.is_dir():
        return path
    if path.is_file():
        return resolve_model(arg)
    entry, entries = c.library_entry(arg)
    if entry is None:
        # Files on disk first; the original converts losslessly; of several GGUFs the largest is the least quantized.
        rank = {ModelFormat.SAFETENSORS: 0, ModelFormat.GGUF: 1}
        pulled = [e for e in entries if e.source == source_downloaded(arg)]
        pulled.sort(key=lambda e: (e.missing, rank.get(e.format, 2), -e.size_bytes))
        entry = pulled[0] if pulled else None
    if entry is None:
        if arg.count("/") == 1:
            raise ChatError(f"no model {arg} in the library: download it with `modelwerk pull {arg}`")
        raise ChatError(f"no model {arg!r}: give a Hugging Face folder, a GGUF file, a library id or name (see "
                        "`modelwerk list`) or a repository you pulled")  # fmt: skip
    if entry.format is ModelFormat.SAFETENSORS:
        if entry.missing or not entry.path.is_dir():
            raise ChatError(f"the files of {entry.name} are missing: {entry.path}")
        return entry.path
    if entry.format is not ModelFormat.GGUF:
        raise ChatError(f"{entry.name} is a {entry.format.value} model: a recipe needs a safetensors folder or a GGUF file")
    if entry.missing or not entry.path.is_file():
        raise ChatError(f"the file of {entry.name} is missing: {entry.path}")
    return entry.path


def _dry_run(specs: list[Any], *, as_json: bool) -> int:
    import shutil

    from quantize.errors import JobFailed
    from quantize.gguf_quantize import check

    rows = []
    for spec in specs:
        row: dict[str, Any] = {"type": spec.quant_type, "output": str(spec.output), "predicted_bytes": None,
                               "memory_bytes": None, "estimate_s": None, "problem": ""}  # fmt: skip
        try:
            _, est = check(spec, strict=True)
            row.update(predicted_bytes=est.output_bytes, memory_bytes=est.memory_bytes, estimate_s=est.seconds)
        except JobFailed as e:
            row["problem"] = user_message(e)
        rows.append(row)
    if as_json:
        c.print_json(rows)
    else:
        folder = specs[0].output.parent
        free = shutil.disk_usage(folder).free if folder.exists() else None
        for row in rows:
            size = c.size(row["predicted_bytes"]) if row["predicted_bytes"] else "-"
            cost = f"memory {c.size(row['memory_bytes'])}, ~{row['estimate_s']:.0f} s" if row["memory_bytes"] else ""
            note = f"  ({row['problem']})" if row["problem"] else ""
            print(f"{row['type']:8} {size:>10}  {cost:24} {row['output']}{note}")
        if free is not None:
            print(f"free in {folder}: {c.size(free)}")
    return 1 if any(r["problem"] for r in rows) else 0


def _run(
    specs: list[Any], *, as_json: bool, retry: int | None = None, make_jobs: Callable[[Any], list[Any]] | None = None
) -> int:
    from app.workbench import Workbench
    from quantize.queue import JobState

    with Workbench() as workbench:
        service = workbench.jobs  # the user's parallel limit, as in the window; outputs registered as each job ends
        queue = service.queue
        if queue.paused:
            print("modelwerk quantize: the job queue is paused (in the Modelwerk window); resume it there", file=sys.stderr)
            return 1
        if make_jobs is not None:
            jobs = make_jobs(queue)
        else:
            jobs = [queue.retry(retry)] if retry is not None else [queue.add(spec) for spec in specs]
        ids = [j.id for j in jobs]
        bar = _Bar()
        try:
            finished = service.run(ids, tick=bar.show, tick_s=REDRAW_S)
        except KeyboardInterrupt:
            bar.end()
            again = " and ".join(f"`modelwerk jobs --retry {i}`" for i in ids)
            print(f"modelwerk quantize: interrupted; continue with {again}", file=sys.stderr)
            return INTERRUPTED
        bar.end()
    rows = []
    for ended in finished:
        job = ended.job
        row: dict[str, Any] = {
            "job_id": job.id, "type": getattr(job.spec, "quant_type", "") or job.spec.kind.value, "state": job.state.value,
            "output": str(job.spec.output), "error": job.error, "model_id": None,
            "size_bytes": job.result.get("size_bytes"), "predicted_bytes": job.result.get("predicted_bytes"),
            "seconds": job.result.get("seconds"), "result": job.result,
        }  # fmt: skip
        if job.state is JobState.DONE:
            _measure(row, job)
            for result in ended.imported:
                entry = result.entry or result.duplicate_of
                row["model_id"] = entry.id if entry is not None else None
                row["error"] = result.error
        rows.append(row)
    if as_json:
        c.print_json(rows)
    else:
        for row in rows:
            if row["state"] == "done" and job_kind(row) == "evaluate":
                print(f"evaluate: {Path(row['output']).name.removesuffix('.eval.json')}: {_metrics_line(row['result'])}")
            elif row["state"] == "done" and row["type"] == "toolchain":
                print(f"toolchain: ready at {row['output']} ({row['seconds']} s)")
            elif row["state"] == "done":
                registered = row["model_id"] is not None
                where = f"library id {row['model_id']}" if registered else f"not in the library: {row['error']}"
                print(f"{row['type']}: {row['output']} ({c.size(row['size_bytes'] or 0)}, {row['seconds']} s), {where}")
            else:
                why = row["error"] or ("not run: a job it needs did not finish" if row["state"] == "queued" else "")
                print(f"{row['type']}: {row['state']}: {why}", file=sys.stderr)
    return 0 if all(r["state"] == "done" for r in rows) else 1


def _measure(row: dict[str, Any], job: Any) -> None:
    """Size and time for a finished job whose worker does not report them (convert, GPTQ): from its file and its clock."""
    output = Path(row["output"])
    if row["size_bytes"] is None and output.is_file():
        row["size_bytes"] = output.stat().st_size
    if row["seconds"] is None and job.started is not None and job.finished is not None:
        row["seconds"] = round((job.finished - job.started).total_seconds(), 1)


def job_kind(row: dict[str, Any]) -> str:
    return "evaluate" if row["type"] == "evaluate" else "model"


def _metrics_line(m: dict[str, Any]) -> str:
    """ "PPL 9.14, KLD 0.016, top-1 97.6 %, 38 tok/s" from an evaluation's metrics."""
    parts = [f"PPL {m['perplexity']:.3f}"] if m.get("perplexity") is not None else []
    if m.get("kld_mean") is not None:
        parts.append(f"KLD {m['kld_mean']:.4f}")
    if m.get("top1_agreement") is not None:
        parts.append(f"top-1 {m['top1_agreement'] * 100:.1f} %")
    if m.get("gen_tps"):
        parts.append(f"{m['gen_tps']:.0f} tok/s")
    return ", ".join(parts) or "no figures"


def _cmd_jobs(args: argparse.Namespace) -> int:
    from app.jobs import open_queue

    if args.retry is not None:
        return _run([], as_json=args.json, retry=args.retry)
    queue = open_queue()
    try:
        if args.log is not None:
            queue.get(args.log)  # JobNotFound: one line, exit 1
            sys.stdout.write(queue.read_log(args.log))
            return 0
        jobs = queue.jobs()
        paused = queue.paused
    finally:
        queue.close()
    if args.json:
        c.print_json({"paused": paused, "jobs": [_job_json(j) for j in jobs]})
        return 0
    if not jobs:
        print("No jobs: make one with `modelwerk quantize MODEL --type Q4_K_M`.")
        return 0
    for j in jobs:
        progress = f"{j.fraction * 100:3.0f}%" if j.fraction is not None and j.state.value == "running" else ""
        detail = j.error or (", ".join(str(p) for p in j.outputs)) or j.message
        print(f"{j.id:4d}  {j.state.value:11} {progress:4}  {c.safe(j.title)}" + (f"  [{c.safe(detail)}]" if detail else ""))
    if paused:
        print("(the queue is paused)")
    return 0


def _job_json(j: Any) -> dict[str, Any]:
    from quantize.spec import to_dict

    return {"id": j.id, "title": j.title, "state": j.state.value, "position": j.position, "spec": to_dict(j.spec),
            "created": j.created, "started": j.started, "finished": j.finished, "stage": j.stage, "fraction": j.fraction,
            "message": j.message, "error": j.error, "outputs": [str(p) for p in j.outputs], "result": j.result,
            "eta_s": j.eta_s, "log": str(j.log_path)}  # fmt: skip


class _Bar:
    """One self-overwriting line on stderr: each job's type, percent and ETA."""

    def __init__(self) -> None:
        self._line = c.StatusLine()
        self._last = 0.0

    def show(self, jobs: list[Any]) -> None:
        now = time.monotonic()
        if now - self._last < REDRAW_S or (not sys.stderr.isatty() and now - self._last < 5):
            return
        self._last = now
        parts = []
        for j in jobs:
            name = getattr(j.spec, "quant_type", j.spec.kind.value)
            if j.state.value == "running":
                pct = f"{j.fraction * 100:3.0f}%" if j.fraction is not None else j.stage or "starting"
                eta = f" ETA {c.clock(j.eta_s)}" if j.eta_s is not None else ""
                parts.append(f"{name} {pct}{eta} {j.message[:40]}")
            else:
                parts.append(f"{name} {j.state.value}")
        self._line.write(" | ".join(parts))

    def end(self) -> None:
        self._line.end()
