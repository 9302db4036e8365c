"""`modelwerk info`, `import` and `list`: the models on disk."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable
from pathlib import Path

from app import paths
from app.cli import common as c
from app.settings import load_settings
from app.store import Store
from formats.model import ModelInfo
from hardware.fit import FitOptions, fit

log = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> dict[str, Callable[[argparse.Namespace], int]]:
    """Add the subcommands; returns name -> handler."""
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
    return {"info": _cmd_info, "import": _cmd_import, "list": _cmd_list}


INFO_CONTEXT = 8192
"""Context length at which `modelwerk info` gives the fit verdict (the model's own maximum when smaller)."""
def _cmd_info(args: argparse.Namespace) -> int:
    from formats.inspect import inspect

    info = inspect(Path(args.file))
    report = None
    if info.shape is not None:
        context = min(INFO_CONTEXT, info.context_length) if info.context_length > 0 else INFO_CONTEXT
        report = fit(info.shape, c.report(bandwidth=False), FitOptions(context=context, gpu_margin=c.settings().gpu_margin))
    if args.json:
        data = c.to_jsonable(info) | {"has_template": info.has_template}
        data["fit"] = c.fit_summary(report) if report else None
        c.print_json(data)
        return 0
    for label, value in _info_lines(info):
        print(f"{label:<13} {c.safe(value)}")  # names and metadata come from the file
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
        ("Size", c.size(info.size_bytes)),
        ("Architecture", info.architecture or "unknown"),
        ("Parameters", c.params(info.n_params) if info.n_params else "unknown"),
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
        lines.append(("Tensors" if n == 0 else "", f"{group.type_name:<8} {group.count:>5} tensors  {c.size(group.n_bytes)}"))
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
            progress = c.ProgressLine(Path(raw).name)
            try:
                result = import_model(Path(raw), catalog, models_dir, mode=mode, progress=progress)
            finally:
                progress.end()
            if result.entry is not None:
                print(f"imported {c.safe(result.entry.name)} (id {result.entry.id})")
            elif result.duplicate_of is not None:
                print(f"already in the library as {c.safe(result.duplicate_of.name)}")
            else:
                failed += 1
                print(f"{c.safe(raw)}: {c.safe(result.error)}", file=sys.stderr)
    return 1 if failed else 0



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
        c.print_json(entries)
        return 0
    if not entries:
        print("The library is empty: add a model with `modelwerk import FILE`.")
        return 0
    header = ("ID", "NAME", "FORMAT", "QUANT", "SIZE", "PARAMS", "CONTEXT", "SOURCE", "")
    rows = [
        (
            str(e.id), e.name, e.format.value, e.quantization or "-", c.size(e.size_bytes),
            c.params(e.n_params) if e.n_params else "-", f"{e.context_length:,}" if e.context_length else "-", e.source,
            "MISSING" if e.missing else "",
        )
        for e in entries
    ]  # fmt: skip
    c.table([header, *rows], right=(0, 4, 5, 6))
    return 0

