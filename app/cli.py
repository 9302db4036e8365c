"""`modelwerk`: the GUI by default, headless subcommands for scripts.

Exit codes: 0 success, 1 an error (one line on stderr; the traceback only with --debug), 2 a usage error.
"""

from __future__ import annotations

import argparse
import dataclasses
import enum
import json
import logging
import sys
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from app import paths
from app.library.model import ModelInfo
from app.logs import setup_logging
from app.settings import Settings, load_settings
from app.store import Store
from hardware.advice import advice_table, bigger_or_smaller
from hardware.fit import FitOptions, FitReport, fit
from hardware.quants import KvType, quant_type
from hardware.report import GiB, HardwareReport
from hardware.shape import parse_params, shape_for_params

log = logging.getLogger(__name__)


class UsageError(Exception):
    """Bad command-line input: exit 2."""


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="modelwerk", description="A workbench for local language models.")
    p.add_argument("--debug", action="store_true", help="log debug details and show tracebacks")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    hw = sub.add_parser("hw", help="show this machine's CPU, RAM, GPUs and memory bandwidth")
    hw.add_argument("--json", action="store_true", help="print JSON")
    hw.add_argument("--no-bandwidth", action="store_true", help="skip the memory-bandwidth measurement")

    f = sub.add_parser("fit", help="will a model of a given size and quantization run here?")
    f.add_argument("--params", required=True, help="parameter count, e.g. 7B, 13B, 270M")
    f.add_argument("--quant", default="Q4_K_M", help="quantization type (default Q4_K_M)")
    _add_load_options(f)
    f.add_argument("--json", action="store_true", help="print JSON")

    a = sub.add_parser("advice", help="the model-size x quantization table for this machine")
    _add_load_options(a)
    a.add_argument("--json", action="store_true", help="print JSON")

    i = sub.add_parser("info", help="what a model file or folder is, and whether it fits here")
    i.add_argument("file", metavar="FILE", help="a .gguf file, a safetensors file, or a Hugging Face model folder")
    i.add_argument("--json", action="store_true", help="print JSON")

    im = sub.add_parser("import", help="add model files or folders to the library")
    im.add_argument("paths", nargs="+", metavar="PATH", help="model files (any part of a split GGUF) or folders")
    how = im.add_mutually_exclusive_group()
    how.add_argument("--copy", dest="mode", action="store_const", const="copy", help="copy into the models folder (default)")
    how.add_argument("--move", dest="mode", action="store_const", const="move", help="move into the models folder")
    how.add_argument("--in-place", dest="mode", action="store_const", const="in_place", help="register where it is")
    im.set_defaults(mode="copy")

    ls = sub.add_parser("list", help="the models in the library")
    ls.add_argument("--json", action="store_true", help="print JSON")
    return p


def _add_load_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--ctx", type=int, default=8192, help="context length in tokens (default 8192)")
    p.add_argument("--kv-type", default="f16", choices=[k.value for k in KvType], help="KV cache type (default f16)")
    p.add_argument("--flash-attn", action="store_true", help="flash attention on")
    p.add_argument("--gpu-layers", type=int, default=None, help="layers to put on the GPU (default: as many as fit)")
    p.add_argument("--gpu-margin", type=float, default=None, help="GiB to leave free on each GPU (default from settings: 1)")


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = _parser()
    args = parser.parse_args(args_list)  # exits 2 on usage errors
    if args.command is None:
        from app.ui.app import run_gui  # Qt only when the GUI is wanted

        return int(run_gui(args_list))
    try:
        setup_logging(paths.log_dir(), debug=args.debug)
        command: Callable[[argparse.Namespace], int] = _COMMANDS[args.command]
        return command(args)
    except UsageError as e:
        print(f"modelwerk {args.command}: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as e:
        log.debug("command failed", exc_info=True)
        if args.debug:
            raise
        print(f"modelwerk {args.command}: {_one_line(e)}", file=sys.stderr)
        return 1


def _one_line(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return text[0] if text else type(e).__name__


def _settings() -> Settings:
    with Store.open(paths.database_path()) as store:
        return load_settings(store)


def _report(*, bandwidth: bool = True) -> HardwareReport:
    from app.machine import current_report

    return current_report(_settings().models_dir, measure_bandwidth=bandwidth)


def _options(args: argparse.Namespace) -> FitOptions:
    if args.ctx < 1:
        raise UsageError("--ctx must be a positive number of tokens, e.g. 8192")
    margin = _settings().gpu_margin if args.gpu_margin is None else round(args.gpu_margin * GiB)
    if margin < 0:
        raise UsageError("--gpu-margin must be zero or more GiB")
    if args.gpu_layers is not None and args.gpu_layers < 0:
        raise UsageError("--gpu-layers must be zero or more")
    return FitOptions(
        context=args.ctx,
        kv_type=KvType(args.kv_type),
        flash_attention=args.flash_attn,
        gpu_layers=args.gpu_layers,
        gpu_margin=margin,
    )


def _cmd_hw(args: argparse.Namespace) -> int:
    report = _report(bandwidth=not args.no_bandwidth)
    if args.json:
        _print_json(report)
        return 0
    cpu = report.cpu
    print(f"OS          {report.os}")
    print(f"CPU         {cpu.model} ({cpu.physical_cores} cores, {cpu.logical_cores} threads)")
    print(f"            {' '.join(cpu.instruction_sets) or 'no SIMD extensions found'}")
    print(f"RAM         {_gib(report.ram_total)} total, {_gib(report.ram_available)} available")
    if report.cpu_bandwidth:
        print(f"Bandwidth   {report.cpu_bandwidth / 1e9:.1f} GB/s memory read (measured)")
    for g in report.gpus:
        details = [f"driver {g.driver}" if g.driver else "", f"compute {g.compute_capability}" if g.compute_capability else ""]
        extra = "; " + ", ".join(d for d in details if d) if any(details) else ""
        shared = " (unified memory)" if g.unified_memory else ""
        print(f"GPU {g.index}       {g.name}: {_gib(g.vram_total)}{shared}, {_gib(g.vram_free)} free{extra}")
    if not report.gpus:
        print("GPU         none found (CPU inference only)")
    if report.disk_free:
        print(f"Disk        {_gib(report.disk_free)} free in the models folder")
    return 0


def _cmd_fit(args: argparse.Namespace) -> int:
    try:
        q = quant_type(args.quant)
        shape = shape_for_params(parse_params(args.params), q)
    except ValueError as e:
        raise UsageError(str(e)) from e
    options = _options(args)
    report = fit(shape, _report(), options)
    if args.json:
        _print_json(_fit_summary(report))
        return 0
    print(f"{shape.name} at {q.name}, {options.context:,} tokens of context, KV cache {options.kv_type.value}")
    print(f"Verdict     {report.verdict}: {report.reason}")
    for side, mem in (("VRAM", report.vram), ("RAM", report.ram)):
        if mem.total:
            print(
                f"{side:<11} {_gib(mem.total)} = weights {_gib(mem.weights)} + KV cache {_gib(mem.kv_cache)}"
                f" + compute {_gib(mem.compute)} + overhead {_gib(mem.overhead)}"
            )
    if report.max_context:
        print(f"Max context {report.max_context:,} tokens")
    if report.tokens_per_s:
        print(f"Speed       ~{report.tokens_per_s:.1f} tokens/s generation (estimate from memory bandwidth)")
    for note in report.notes:
        print(f"Note        {note}")
    return 0


def _cmd_advice(args: argparse.Namespace) -> int:
    options = _options(args)
    hw = _report()
    table = advice_table(hw, options)
    rec = bigger_or_smaller(hw, options)
    if args.json:
        cells = [
            {"size": s, "quant": q, **_fit_summary(table.cell(s, q))} for s in table.sizes for q in table.quants
        ]
        _print_json({"context": table.context, "cells": cells, "answer": rec.answer, "facts": list(rec.facts)})
        return 0
    print(f"What runs here at {options.context:,} tokens of context (KV cache {options.kv_type.value}):")
    print("      " + "".join(f"{q:>14}" for q in table.quants))
    for size in table.sizes:
        row = "".join(f"{_short(table.cell(size, q)):>14}" for q in table.quants)
        print(f"{size:>5} {row}")
    print()
    print(rec.answer)
    for fact in rec.facts:
        print(f"  - {fact}")
    return 0


def _short(r: FitReport) -> str:
    if not r.fits:
        return "-"
    where = {"full_gpu": "GPU", "partial": f"{r.gpu_layers}/{r.n_layers}", "cpu_only": "CPU"}[r.placement.value]
    speed = f" {r.tokens_per_s:.0f}t/s" if r.tokens_per_s else ""
    return where + speed


def _fit_summary(r: FitReport) -> dict[str, Any]:
    return {
        "model": r.shape.name,
        "quant": r.shape.quant,
        "params": r.shape.n_params,
        "context": r.options.context,
        "kv_type": r.options.kv_type.value,
        "placement": r.placement.value,
        "verdict": r.verdict,
        "reason": r.reason,
        "gpu_layers": r.gpu_layers,
        "layers": r.n_layers,
        "output_on_gpu": r.output_on_gpu,
        "ram": _to_jsonable(r.ram) | {"total": r.ram.total},
        "vram": _to_jsonable(r.vram) | {"total": r.vram.total},
        "kv_cache": r.kv_cache,
        "max_context": r.max_context,
        "tokens_per_s_estimate": round(r.tokens_per_s, 2),
        "notes": list(r.notes),
    }


def _to_jsonable(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: _to_jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, enum.Enum):
        return obj.value
    if isinstance(obj, (list, tuple)):
        return [_to_jsonable(x) for x in obj]
    if isinstance(obj, (set, frozenset)):
        return sorted(_to_jsonable(x) for x in obj)
    if isinstance(obj, dict):
        return {str(k): _to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, Path):
        return str(obj)
    if isinstance(obj, datetime):
        return obj.isoformat()
    return obj


def _print_json(obj: Any) -> None:
    print(json.dumps(_to_jsonable(obj), indent=2))


def _gib(n: float) -> str:
    return f"{n / GiB:.1f} GiB"


INFO_CONTEXT = 8192
"""Context length at which `modelwerk info` gives the fit verdict (the model's own maximum when smaller)."""
PROGRESS_MIN_BYTES = 64 << 20
"""Copies smaller than this finish too fast to need a progress line."""


def _cmd_info(args: argparse.Namespace) -> int:
    from app.library.inspect import inspect

    info = inspect(Path(args.file))
    report = None
    if info.shape is not None:
        context = min(INFO_CONTEXT, info.context_length) if info.context_length > 0 else INFO_CONTEXT
        report = fit(info.shape, _report(bandwidth=False), FitOptions(context=context, gpu_margin=_settings().gpu_margin))
    if args.json:
        data = _to_jsonable(info) | {"has_template": info.has_template}
        data["fit"] = _fit_summary(report) if report else None
        _print_json(data)
        return 0
    for label, value in _info_lines(info):
        print(f"{label:<13} {value}")
    if report is not None:
        print(f"{'Fit':<13} {report.verdict} at {report.options.context:,} tokens of context: {report.reason}")
    else:
        print(f"{'Fit':<13} not known: {info.shape_note or 'the model shape is unknown'}")
    return 0


def _info_lines(info: ModelInfo) -> list[tuple[str, str]]:
    lines = [
        ("Name", info.name),
        ("Path", str(info.path) + (f" ({len(info.files)} files)" if len(info.files) > 1 else "")),
        ("Format", info.format.value + (f" - unsafe: {info.unsafe_reason}" if info.unsafe_reason else "")),
        ("Size", _size(info.size_bytes)),
        ("Architecture", info.architecture or "unknown"),
        ("Parameters", _params(info.n_params) if info.n_params else "unknown"),
        ("Quantization", info.quantization or "unknown"),
        ("Context", f"{info.context_length:,} tokens" if info.context_length else "unknown"),
    ]
    if info.n_layers:
        kv = f", {info.n_kv_heads} KV heads" if info.n_kv_heads and info.n_kv_heads != info.n_heads else ""
        dims = f", head dim {info.head_dim_k}" + (f"/{info.head_dim_v}" if info.head_dim_v != info.head_dim_k else "")
        lines.append(("Layers", f"{info.n_layers} layers, {info.n_heads} heads{kv}{dims}, embedding {info.n_embd}"))
    if info.sliding_window:
        lines.append(("Sliding win.", f"{info.sliding_window:,} tokens"))
    if info.n_vocab or info.tokenizer:
        special = ", ".join(f"{k} {v!r}" for k, v in (("BOS", info.bos_token), ("EOS", info.eos_token)) if v is not None)
        lines.append(("Tokenizer", ", ".join(x for x in (info.tokenizer, f"{info.n_vocab:,} tokens", special) if x)))
    template = info.chat_template.strip().splitlines()[0][:100] if info.chat_template and info.chat_template.strip() else ""
    lines.append(("Template", f"yes: {template}" if info.has_template else "no"))
    for n, group in enumerate(info.tensor_groups):
        lines.append(("Tensors" if n == 0 else "", f"{group.type_name:<8} {group.count:>5} tensors  {_size(group.n_bytes)}"))
    lines.extend(("Details" if n == 0 else "", f"{k}: {v}") for n, (k, v) in enumerate(sorted(info.details.items())))
    return lines


def _cmd_import(args: argparse.Namespace) -> int:
    from app.library.catalog import Catalog
    from app.library.importer import ImportMode, import_model

    mode = ImportMode(args.mode)
    failed = 0
    with Store.open(paths.database_path()) as store:
        models_dir = load_settings(store).models_dir
        catalog = Catalog(store)
        for raw in args.paths:
            progress = _ProgressLine(Path(raw).name)
            try:
                result = import_model(Path(raw), catalog, models_dir, mode=mode, progress=progress)
            finally:
                progress.end()
            if result.entry is not None:
                print(f"imported {result.entry.name} (id {result.entry.id})")
            elif result.duplicate_of is not None:
                print(f"already in the library as {result.duplicate_of.name}")
            else:
                failed += 1
                print(f"{raw}: {result.error}", file=sys.stderr)
    return 1 if failed else 0


class _ProgressLine:
    """A self-overwriting progress line on stderr, only for large copies, at most a few times a second."""

    def __init__(self, label: str) -> None:
        self._label = label
        self._shown = False
        self._last = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if total < PROGRESS_MIN_BYTES or (now - self._last < 0.25 and done < total):
            return
        self._last = now
        self._shown = True
        sys.stderr.write(f"\r{self._label}: {done * 100 // total:3d}% of {_size(total)}")
        sys.stderr.flush()

    def end(self) -> None:
        if self._shown:
            sys.stderr.write("\n")
            self._shown = False


def _cmd_list(args: argparse.Namespace) -> int:
    from app.library.catalog import Catalog
    from app.library.scan import scan_folder

    with Store.open(paths.database_path()) as store:
        catalog = Catalog(store)
        try:
            scan_folder(load_settings(store).models_dir, catalog)  # so missing files show as missing
        except OSError as e:
            log.warning("Could not scan the models folder: %s", e)
        entries = catalog.entries()
    if args.json:
        _print_json(entries)
        return 0
    if not entries:
        print("The library is empty: add a model with `modelwerk import FILE`.")
        return 0
    header = ("ID", "NAME", "FORMAT", "QUANT", "SIZE", "PARAMS", "CONTEXT", "SOURCE", "")
    rows = [
        (
            str(e.id), e.name, e.format.value, e.quantization or "-", _size(e.size_bytes),
            _params(e.n_params) if e.n_params else "-", f"{e.context_length:,}" if e.context_length else "-", e.source,
            "MISSING" if e.missing else "",
        )
        for e in entries
    ]  # fmt: skip
    widths = [max(len(r[i]) for r in (header, *rows)) for i in range(len(header))]
    right = {0, 4, 5, 6}
    for r in (header, *rows):
        cells = [c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True))]
        print("  ".join(cells).rstrip())
    return 0


def _size(n: float) -> str:
    for unit, scale in (("GiB", GiB), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{int(n)} B"


def _params(n: int) -> str:
    for unit, scale in (("T", 10**12), ("B", 10**9), ("M", 10**6), ("K", 10**3)):
        if n >= scale:
            return f"{n / scale:.1f}{unit}"
    return str(n)


_COMMANDS = {
    "hw": _cmd_hw, "fit": _cmd_fit, "advice": _cmd_advice, "info": _cmd_info, "import": _cmd_import, "list": _cmd_list,
}  # fmt: skip
