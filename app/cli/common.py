"""Helpers shared by the command modules: settings, the hardware report, fit options, JSON, size formatting and tables.

Names that came from outside (file names, repository ids, model metadata) go through ``safe`` or ``table`` before they
are printed, so a newline or an escape sequence in one cannot forge a row or drive the terminal.
"""

from __future__ import annotations

import argparse
import dataclasses
import enum
import json
import sys
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app import paths
from app.escaping import escape_controls
from app.settings import Settings, load_settings
from app.store import Store
from core.errors import ModelwerkError
from core.messages import N_
from hardware.fit import FitOptions, FitReport
from hardware.quants import KvType
from hardware.report import GiB, HardwareReport

if TYPE_CHECKING:
    from app.library.catalog import CatalogEntry


class UsageError(ModelwerkError):
    """Bad command-line input: exit 2."""

    hint = N_("see `modelwerk --help`")


PROGRESS_MIN_BYTES = 64 << 20
"""Transfers smaller than this finish too fast to need a progress line."""


def add_load_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--ctx", type=int, default=8192, help="context length in tokens (default 8192)")
    p.add_argument("--kv-type", default="f16", choices=[k.value for k in KvType], help="KV cache type (default f16)")
    p.add_argument("--flash-attn", dest="flash_attn", action="store_true", default=True,
                   help="flash attention where llama.cpp supports it (the default)")
    p.add_argument("--no-flash-attn", dest="flash_attn", action="store_false", help="flash attention off")
    p.add_argument("--gpu-layers", type=int, default=None, help="layers to put on the GPU (default: as many as fit)")
    p.add_argument("--gpu-margin", type=float, default=None, help="GiB to leave free on each GPU (default from settings: 1)")


def settings() -> Settings:
    with Store.open(paths.database_path()) as store:
        return load_settings(store)


def report(*, bandwidth: bool = True) -> HardwareReport:
    from app.machine import current_report

    return current_report(settings().models_dir, measure_bandwidth=bandwidth)


def options(args: argparse.Namespace) -> FitOptions:
    if args.ctx < 1:
        raise UsageError("--ctx must be a positive number of tokens, e.g. 8192")
    margin = settings().gpu_margin if args.gpu_margin is None else round(args.gpu_margin * GiB)
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


def library_entry(arg: str) -> tuple[CatalogEntry | None, list[CatalogEntry]]:
    """The Library model named by MODEL (a library id, else a name, case-insensitive), or None; and every entry."""
    from app.library.catalog import Catalog, EntryNotFound

    with Store.open(paths.database_path()) as store:
        catalog = Catalog(store)
        entries = catalog.entries()
        entry = None
        if arg.isdigit():
            try:
                entry = catalog.get(int(arg))
            except EntryNotFound:
                entry = None
    if entry is None:
        entry = next((e for e in entries if e.name.lower() == arg.lower()), None)
    return entry, entries


def fit_summary(r: FitReport) -> dict[str, Any]:
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
        "ram": to_jsonable(r.ram) | {"total": r.ram.total},
        "vram": to_jsonable(r.vram) | {"total": r.vram.total},
        "kv_cache": r.kv_cache,
        "max_context": r.max_context,
        "tokens_per_s_estimate": round(r.tokens_per_s, 2),
        "notes": list(r.notes),
    }


def to_jsonable(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, enum.Enum):
        return obj.value
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(x) for x in obj]
    if isinstance(obj, (set, frozenset)):
        return sorted(to_jsonable(x) for x in obj)
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, Path):
        return str(obj)
    if isinstance(obj, datetime):
        return obj.isoformat()
    return obj


def safe(text: object) -> str:
    """``str(text)`` with control, line-separator and bidi characters escaped: one line, shown as it is."""
    return escape_controls(str(text))


def table(rows: Sequence[Sequence[str]], *, right: Sequence[int] = ()) -> None:
    """Print rows as aligned columns (``right``: the right-aligned ones), every cell made ``safe``."""
    cells_of = [[safe(cell) for cell in row] for row in rows]
    widths = [max(len(r[i]) for r in cells_of) for i in range(len(cells_of[0]))]
    for row in cells_of:
        cells = [cell.rjust(w) if i in right else cell.ljust(w) for i, (cell, w) in enumerate(zip(row, widths, strict=True))]
        print("  ".join(cells).rstrip())


def print_json(obj: Any) -> None:
    print(json.dumps(to_jsonable(obj), indent=2))


def gib(n: float) -> str:
    return f"{n / GiB:.1f} GiB"


class ProgressLine:
    """A self-overwriting progress line on stderr, only for large copies, at most a few times a second."""

    def __init__(self, label: str) -> None:
        self._label = safe(label)
        self._shown = False
        self._last = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if total < PROGRESS_MIN_BYTES or (now - self._last < 0.25 and done < total):
            return
        self._last = now
        self._shown = True
        sys.stderr.write(f"\r{self._label}: {done * 100 // total:3d}% of {size(total)}")
        sys.stderr.flush()

    def end(self) -> None:
        if self._shown:
            sys.stderr.write("\n")
            self._shown = False


class StatusLine:
    """One self-overwriting line on stderr (a terminal progress bar); `end()` moves past it."""

    def __init__(self) -> None:
        self._width = 0

    def write(self, line: str) -> None:
        sys.stderr.write("\r" + line.ljust(self._width))
        sys.stderr.flush()
        self._width = len(line)

    def end(self) -> None:
        if self._width:
            sys.stderr.write("\n")
            sys.stderr.flush()
            self._width = 0


def clock(seconds: float) -> str:
    """A time left as a terminal shows it: 4:05, 1:02:03."""
    s = int(seconds)
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


def size(n: float) -> str:
    for unit, scale in (("GiB", GiB), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{int(n)} B"


def params(n: int) -> str:
    for unit, scale in (("T", 10**12), ("B", 10**9), ("M", 10**6), ("K", 10**3)):
        if n >= scale:
            return f"{n / scale:.1f}{unit}"
    return str(n)

