"""`modelwerk eval`: measure a model's perplexity, speed and size, and its KL divergence against a reference.

GGUF models are measured in this process with llama.cpp; GPTQ / Hugging Face folders by the job worker in the toolchain
environment (transformers). Each result is saved in the results store that the GUI's results view reads.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app import paths
from app.cli import common as c
from app.cli.quantize import add_trust_remote_code, allow_code
from core.messages import Text
from quantize.errors import JobFailed

RESULTS_DB = "jobs.db"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> dict[str, Callable[[argparse.Namespace], int]]:
    """Add the subcommand; returns name -> handler."""
    p = sub.add_parser("eval", help="measure perplexity, KL divergence against a reference, speed and size of a model")
    p.add_argument("model", metavar="MODEL", help="a library id or name, a GGUF file, or a GPTQ / Hugging Face folder")
    p.add_argument("--reference", metavar="MODEL", default=None,
                   help="the model it was made from (same vocabulary): adds KL divergence and top-1 agreement")  # fmt: skip
    p.add_argument("--text", metavar="FILE", type=Path, default=None, help="evaluation text (default: a built-in ~6 KB text)")
    p.add_argument("--context", type=int, default=512, help="window length in tokens (default 512)")
    p.add_argument("--threads", type=int, default=0, help="CPU threads (default: the physical cores)")
    p.add_argument("--gpu-layers", type=int, default=0, help="layers to put on the GPU (default 0; GGUF only)")
    p.add_argument("--no-save", action="store_true", help="do not add the result to the results store")
    p.add_argument("--json", action="store_true", help="print the metrics as JSON")
    add_trust_remote_code(p)
    return {"eval": _cmd_eval}


def resolve(arg: str) -> Path:
    """A GGUF file or a model folder with a config.json (GPTQ, Hugging Face): a path, a library id or a library name.

    Raises:
        ChatError: no such model, or its files are missing (one line).
    """
    from app.chat.messages import ChatError
    from app.cli.serve import resolve_model

    path = Path(arg).expanduser()
    if path.is_dir() and (path / "config.json").is_file():
        return path
    try:
        return resolve_model(arg)
    except ChatError:
        folder = _library_folder(arg)
        if folder is None:
            raise
        return folder


def _library_folder(arg: str) -> Path | None:
    """The folder of a library entry (a GPTQ or Hugging Face model) with this id or name."""
    from app.library.catalog import Catalog
    from app.store import Store

    with Store.open(paths.database_path()) as store:
        entries = Catalog(store).entries()
    for e in entries:
        if (str(e.id) == arg or e.name.lower() == arg.lower()) and e.path.is_dir() and (e.path / "config.json").is_file():
            return e.path
    return None


def _cmd_eval(args: argparse.Namespace) -> int:
    if args.context < 16:
        raise c.UsageError("--context must be at least 16 tokens")
    if args.threads < 0 or args.gpu_layers < 0:
        raise c.UsageError("--threads and --gpu-layers must be zero or more")
    if args.text is not None and not args.text.is_file():
        raise c.UsageError(f"--text {args.text}: no such file")
    model = resolve(args.model)
    reference = resolve(args.reference) if args.reference else None
    if model.is_dir():
        for folder in [model] + ([reference] if reference is not None and reference.is_dir() else []):
            allow_code(folder, allowed=args.trust_remote_code)  # RemoteCodeRefused: one line, exit 1
        result = _evaluate_in_toolchain(model, reference=reference, args=args)
    else:
        result = _evaluate_gguf(model, reference=reference, args=args)
    if not args.no_save:
        from quantize.results import ResultStore

        result["id"] = ResultStore(paths.data_dir() / RESULTS_DB).add(result)
    if args.json:
        c.print_json(result)
    else:
        _print_table(result)
    return 0


def _evaluate_gguf(model: Path, *, reference: Path | None, args: argparse.Namespace) -> dict[str, Any]:
    from quantize.evaluate import evaluate_gguf, read_text

    line = _StatusLine()
    try:
        metrics = evaluate_gguf(model, reference=reference, text=read_text(args.text), context=args.context,
                                threads=args.threads, gpu_layers=args.gpu_layers, progress=line)  # fmt: skip
    finally:
        line.end()
    return metrics.to_dict()


def _evaluate_in_toolchain(model: Path, *, reference: Path | None, args: argparse.Namespace) -> dict[str, Any]:
    """Run the evaluation job worker with the toolchain's Python (transformers, gptqmodel)."""
    from procs.launch import Command
    from procs.supervisor import Child
    from quantize import spec as specs
    from quantize.progress import parse_event
    from quantize.toolchain import Toolchain, default_root

    toolchain = Toolchain(default_root(paths.data_dir()))
    status = toolchain.status()
    if not status.installed:
        raise JobFailed(
            f"evaluating the folder {model.name} needs the toolchain: run `modelwerk toolchain install` first"
            + (f" ({status.problem})" if status.problem else "")
        )
    with tempfile.TemporaryDirectory(prefix="mw-eval-") as tmp:
        output = Path(tmp) / "metrics.json"
        spec = specs.EvaluateSpec(
            source=model.resolve(), output=output, reference=reference.resolve() if reference else None,
            text=args.text.resolve() if args.text else None, context=args.context, threads=args.threads,
            trust_remote_code=args.trust_remote_code,
        )  # fmt: skip
        spec_file = Path(tmp) / "spec.json"
        spec_file.write_text(specs.dumps(spec), encoding="utf-8")
        env = toolchain.env()
        line = _StatusLine()
        error = ""
        command = Command(argv=(str(toolchain.python), "-m", "quantize.worker", str(spec_file)), env=env, cwd=Path(tmp),
                          label="the evaluation worker")  # fmt: skip
        child = Child.start(command)  # its own group; its watchdog ends it if we die (stdin closes)
        try:
            for raw in child.stdout_lines():
                event = parse_event(raw)
                if event is None:
                    continue
                if event.event == "progress":
                    line(event.stage, event.fraction, event.message)
                elif event.event == "failed":
                    error = event.error
        except KeyboardInterrupt:
            child.kill()  # the whole group: the worker and anything it started
            child.wait()
            raise
        finally:
            line.end()
        code = child.wait().returncode
        if code != 0 or not output.is_file():
            raise JobFailed(error or f"the evaluation worker failed (exit code {code})")
        result: dict[str, Any] = json.loads(output.read_text(encoding="utf-8"))
        return result


class _StatusLine:
    """A self-overwriting stage line on stderr, only on a terminal."""

    def __init__(self) -> None:
        self._width = 0
        self._tty = sys.stderr.isatty()

    def __call__(self, stage: str, fraction: float | None, message: Text) -> None:
        if not self._tty or stage == "done":
            return
        pct = f"{fraction:4.0%} " if fraction is not None else ""
        text = f"{pct}{stage}: {message}"[:120]
        sys.stderr.write("\r" + text.ljust(self._width))
        sys.stderr.flush()
        self._width = len(text)

    def end(self) -> None:
        if self._width:
            sys.stderr.write("\r" + " " * self._width + "\r")
            sys.stderr.flush()
            self._width = 0


def _print_table(r: dict[str, Any]) -> None:
    def num(key: str, fmt: str) -> str:
        value = r.get(key)
        return "-" if value is None else format(value, fmt)

    rows = [
        ("model", f"{r['model']}" + (f" ({r['quant_type']})" if r.get("quant_type") else "")),
        ("size", c.size(r["size_bytes"]) + (f", {c.params(r['params'])} parameters" if r.get("params") else "")),
        ("perplexity", f"{num('perplexity', '.3f')} over {r['ppl_tokens']} tokens (context {r['context']})"),
    ]
    if r.get("reference"):
        rows += [
            ("reference", f"{r['reference']} (perplexity {num('reference_perplexity', '.3f')})"),
            ("KL divergence", f"{num('kld_mean', '.5f')} mean, {num('kld_p99', '.4f')} 99th percentile"),
            ("top-1 agreement", "-" if r.get("top1_agreement") is None else f"{r['top1_agreement']:.1%}"),
        ]
    rows += [
        ("speed", f"prompt {num('prompt_tps', '.1f')} tok/s, generation {num('gen_tps', '.1f')} tok/s ({r['backend']})"),
        ("time", f"{num('seconds', '.1f')} s"),
    ]
    if "id" in r:
        rows.append(("saved", f"result {r['id']}"))
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"{key.ljust(width)}  {value}")
