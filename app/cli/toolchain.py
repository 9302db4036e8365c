"""`modelwerk toolchain install|status`, `modelwerk convert` and `modelwerk gptq`: the torch-based jobs.

The toolchain (torch, transformers, gptqmodel, llama.cpp's converter) is a venv of its own, created on first use with a
progress line. `convert` and `gptq` add a job to the same persistent queue the GUI's Jobs page shows and run it here
through the workbench's job service (a worker child process in the toolchain's Python), which registers the output in the
Library with its lineage.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app import paths
from app.cli import common as c
from app.cli.quantize import add_trust_remote_code, allow_code

if TYPE_CHECKING:
    from quantize.spec import JobSpec
    from quantize.toolchain import Toolchain

INTERRUPTED = 130
REDRAW_S = 0.25


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> dict[str, Callable[[argparse.Namespace], int]]:
    """Add the subcommands; returns name -> handler."""
    t = sub.add_parser("toolchain", help="the torch environment for HF->GGUF conversion and GPTQ (install, status)")
    tsub = t.add_subparsers(dest="action", metavar="ACTION", required=True)
    ti = tsub.add_parser("install", help="create or update the toolchain environment (a no-op when it is current)")
    ti.add_argument("--json", action="store_true", help="print the resulting status as JSON")
    ts = tsub.add_parser("status", help="is it installed, which versions (exit 1 when not usable)")
    ts.add_argument("--json", action="store_true", help="print the status as JSON")

    cv = sub.add_parser("convert", help="convert a Hugging Face model folder to GGUF with llama.cpp's converter")
    cv.add_argument("source", type=Path, metavar="HF_DIR", help="a Hugging Face model folder (config.json, *.safetensors)")
    cv.add_argument("--outtype", default="f16", type=str.lower, choices=("f32", "f16", "bf16", "q8_0"),
                    help="GGUF type (default f16)")  # fmt: skip
    cv.add_argument("--out", type=Path, default=None, metavar="PATH",
                    help="output .gguf file (default: MODELS_DIR/<folder>.<TYPE>.gguf)")  # fmt: skip
    cv.add_argument("--json", action="store_true", help="print the result as JSON")
    add_trust_remote_code(cv)

    g = sub.add_parser("gptq", help="quantize a Hugging Face model folder to GPTQ with gptqmodel")
    g.add_argument("source", type=Path, metavar="HF_DIR", help="a Hugging Face model folder (config.json, *.safetensors)")
    g.add_argument("--bits", type=int, default=4, choices=(2, 3, 4, 8), help="bits per weight (default 4)")
    g.add_argument("--group-size", type=int, default=128, help="weights per quantization group; -1 for none (default 128)")
    g.add_argument("--desc-act", action="store_true", help="quantize columns by decreasing activation (slower, better)")
    g.add_argument("--calibration", type=Path, default=None, metavar="FILE",
                   help="calibration texts, separated by blank lines (default: a built-in mixed set)")  # fmt: skip
    g.add_argument("--out", type=Path, default=None, metavar="DIR",
                   help="output folder (default: MODELS_DIR/<folder>-GPTQ-<bits>bit-g<group>)")  # fmt: skip
    g.add_argument("--json", action="store_true", help="print the result as JSON")
    add_trust_remote_code(g)
    return {"toolchain": _cmd_toolchain, "convert": _cmd_convert, "gptq": _cmd_gptq}


def toolchain() -> Toolchain:
    from quantize.toolchain import Toolchain, default_root

    return Toolchain(default_root(paths.data_dir()))


# --- toolchain install / status --------------------------------------------------------------------------------------


def _cmd_toolchain(args: argparse.Namespace) -> int:
    tc = toolchain()
    if args.action == "install":
        started = time.monotonic()
        ensure_installed(tc)
        if not args.json:
            print(f"toolchain ready at {tc.root} ({time.monotonic() - started:.0f} s)")
    status = tc.status()
    if args.json:
        c.print_json({"root": str(tc.root), "python": str(tc.python), "installed": status.installed,
                      "versions": status.versions, "problem": status.problem})  # fmt: skip
    elif args.action == "status":
        print(f"toolchain: {tc.root}")
        print(f"installed: {'yes' if status.installed else 'no'}")
        for name, version in status.versions.items():
            print(f"  {name:20} {version}")
        if status.problem:
            print(f"modelwerk toolchain: {status.problem}", file=sys.stderr)
    return 0 if status.installed else 1


def ensure_installed(tc: Toolchain) -> None:
    """Install the toolchain if it is not current, with a progress line on stderr; Ctrl-C cancels pip.

    Raises:
        ToolchainError: pip or venv failed (one line); KeyboardInterrupt after cancelling.
    """
    if tc.status().installed:
        return
    print(f"installing the toolchain (torch, transformers, gptqmodel, llama.cpp's converter) in {tc.root}", file=sys.stderr)
    line = _Line()
    cancel = threading.Event()
    failure: list[BaseException] = []

    def work() -> None:
        try:
            tc.install(progress=line.show, cancel=cancel)
        except BaseException as e:  # handed to the main thread
            failure.append(e)

    worker = threading.Thread(target=work, name="toolchain-install", daemon=True)
    worker.start()
    try:
        while worker.is_alive():
            worker.join(REDRAW_S)
    except KeyboardInterrupt:
        cancel.set()
        worker.join()
        line.end()
        raise
    line.end()
    if failure:
        raise failure[0]


# --- convert / gptq --------------------------------------------------------------------------------------------------


def _cmd_convert(args: argparse.Namespace) -> int:
    from quantize.convert import inspect_folder
    from quantize.spec import ConvertSpec

    source = args.source.expanduser().absolute()
    folder = inspect_folder(source)  # JobFailed: one line, exit 1
    allow_code(source, allowed=args.trust_remote_code)  # RemoteCodeRefused: one line, exit 1
    out = args.out if args.out is not None else c.settings().models_dir / f"{folder.path.name}.{args.outtype.upper()}.gguf"
    out = out.expanduser().absolute()
    _refuse_existing(out)
    spec = ConvertSpec(source=source, output=out, outtype=args.outtype, trust_remote_code=args.trust_remote_code)
    return _run(spec, title=f"Convert {source.name} → GGUF {args.outtype.upper()}", as_json=args.json)


def _cmd_gptq(args: argparse.Namespace) -> int:
    from quantize.convert import inspect_folder
    from quantize.spec import GptqSpec

    if args.group_size != -1 and args.group_size < 1:
        raise c.UsageError("--group-size must be a positive number (e.g. 128) or -1")
    source = args.source.expanduser().absolute()
    folder = inspect_folder(source)  # JobFailed: one line, exit 1
    allow_code(source, allowed=args.trust_remote_code)  # RemoteCodeRefused: one line, exit 1
    texts: tuple[str, ...] = ()
    if args.calibration is not None:
        try:
            raw = args.calibration.read_text(encoding="utf-8")
        except OSError as e:
            raise c.UsageError(f"cannot read {args.calibration}: {e.strerror or e}") from None
        texts = tuple(t.strip() for t in raw.split("\n\n") if t.strip())
        if not texts:
            raise c.UsageError(f"{args.calibration} holds no text")
    name = f"{folder.path.name}-GPTQ-{args.bits}bit-g{args.group_size}"
    out = (args.out if args.out is not None else c.settings().models_dir / name).expanduser().absolute()
    _refuse_existing(out)
    spec = GptqSpec(source=source, output=out, bits=args.bits, group_size=args.group_size, desc_act=args.desc_act,
                    calibration=texts, trust_remote_code=args.trust_remote_code)  # fmt: skip
    return _run(spec, title=f"GPTQ {source.name} → {args.bits}-bit", as_json=args.json)


def _refuse_existing(out: Path) -> None:
    from quantize.errors import JobFailed

    if out.exists():
        raise JobFailed(f"{out} already exists; remove it or choose another --out")


def _run(spec: JobSpec, *, title: str, as_json: bool) -> int:
    """Queue one toolchain job, run it here with a progress line (the workbench's job service registers its output in
    the Library as it ends)."""
    from app.workbench import Workbench
    from quantize.queue import Job, JobState

    ensure_installed(toolchain())
    line = _Line()

    def show(jobs: list[Job]) -> None:
        [j] = jobs
        if j.state is JobState.RUNNING:
            line.show(f"{j.stage or 'starting'}: {j.message[:60]}", j.fraction)

    with Workbench() as workbench:
        service = workbench.jobs  # the user's parallel limit, as in the window
        if service.queue.paused:
            print(f"modelwerk {spec.kind.value}: the job queue is paused (in the Modelwerk window); resume it there",
                  file=sys.stderr)  # fmt: skip
            return 1
        job = service.queue.add(spec, title=title)
        started = time.monotonic()
        try:
            [ended] = service.run([job.id], tick=show, tick_s=REDRAW_S)
        except KeyboardInterrupt:
            line.end()
            print(f"modelwerk {spec.kind.value}: interrupted; job {job.id} can be retried on the Jobs page", file=sys.stderr)
            return INTERRUPTED
        line.end()
    finished = ended.job
    row: dict[str, Any] = {"job_id": finished.id, "kind": spec.kind.value, "state": finished.state.value,
                           "output": str(spec.output), "error": finished.error, "model_id": None,
                           "seconds": round(time.monotonic() - started, 1), "log": str(finished.log_path)}  # fmt: skip
    if finished.state is JobState.DONE:
        for result in ended.imported:
            entry = result.entry or result.duplicate_of
            row["model_id"] = entry.id if entry is not None else None
            row["library_error"] = result.error
        row["size_bytes"] = _size(spec.output)
    if as_json:
        c.print_json(row)
    elif finished.state is JobState.DONE:
        where = f"library id {row['model_id']}" if row["model_id"] is not None else "not in the library"
        print(f"wrote {spec.output} ({c.size(row['size_bytes'])}, {row['seconds']} s), {where}")
    else:
        print(f"modelwerk {spec.kind.value}: {finished.state.value}: {finished.error} (log: {finished.log_path})",
              file=sys.stderr)  # fmt: skip
    return 0 if finished.state is JobState.DONE else 1


def _size(path: Path) -> int:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return path.stat().st_size if path.exists() else 0


class _Line:
    """One self-overwriting progress line on stderr (a new line every 5 s when stderr is not a terminal)."""

    def __init__(self) -> None:
        self._width = 0
        self._last = 0.0
        self._text = ""
        self._lock = threading.Lock()

    def show(self, text: str, fraction: float | None) -> None:
        now = time.monotonic()
        with self._lock:
            tty = sys.stderr.isatty()
            if text == self._text or now - self._last < (REDRAW_S if tty else 5.0):
                return
            self._last, self._text = now, text
            pct = f"{fraction * 100:3.0f}% " if fraction is not None else ""
            line = f"{pct}{text}"[:120]
            sys.stderr.write(("\r" + line.ljust(self._width)) if tty else line + "\n")
            sys.stderr.flush()
            self._width = len(line) if tty else 0

    def end(self) -> None:
        with self._lock:
            if self._width:
                sys.stderr.write("\n")
                sys.stderr.flush()
                self._width = 0
