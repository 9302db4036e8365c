"""The Python tool: the model's code runs in the sandbox (procs.sandbox) and its output comes back to it.

The sandbox runs the base interpreter isolated (``-I -S``): the standard library, plus matplotlib (and numpy beside it)
when the sandbox's Python has them: their site-packages folder is mounted read-only and put on the path. Figures:
``SETUP`` runs before the code: it points matplotlib at its non-interactive backend and at a writable configuration
folder inside the run's own folder (the sandbox has no home); ``AFTER`` runs when the code ends and, when pyplot was
imported, saves every figure still open as a PNG there. Those and any PNG the code wrote itself (``plt.savefig``) are
taken with strict checks (app.chat.figures), stored in the data folder, and the model reads one line for each
("[figure 1: 640x480 PNG, shown to the user]"); the step carries them for the chat, which shows them as images.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from app.chat.figures import MAX_FIGURES, SAVED_PREFIX, Figure, collect, figures_dir
from app.tools.spec import Tool, ToolResult, ToolSpec
from core.messages import Message, Number
from procs.sandbox import Limits, package_folder, run_python

__all__ = ["AFTER", "LIMITS", "MAX_CODE_CHARS", "MAX_OUTPUT_CHARS", "SETUP", "python_tool", "run_code"]

MAX_CODE_CHARS = 32_000
MAX_OUTPUT_CHARS = 6_000
"""Of stdout that goes back to the model (the beginning and the end): a model's context is small."""
LIMITS = Limits(cpu_s=10, wall_s=30.0, memory_mb=1024, processes=16, output_bytes=1_000_000, file_mb=16)

SETUP = """\
import os, warnings
here = os.getcwd()
os.environ.update(MPLBACKEND="Agg", MPLCONFIGDIR=os.path.join(here, ".matplotlib"), XDG_CACHE_HOME=os.path.join(here,
                  ".cache"), OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
warnings.filterwarnings("ignore", message=".*non-interactive.*cannot be shown")
"""
"""Runs in the sandbox before the code. One thread for numpy's BLAS: each thread counts against the process limit.
plt.show() has nothing to show with the Agg backend; the figure is saved at the end anyway, so its warning is noise."""

AFTER = f"""\
import sys
plt = sys.modules.get("matplotlib.pyplot")
for i, number in enumerate(plt.get_fignums()[:{MAX_FIGURES}] if plt is not None else (), 1):
    try:
        plt.figure(number).savefig(os.path.join(here, "{SAVED_PREFIX}%d.png" % i), format="png")
    except Exception as e:
        print("figure %d could not be saved: %s" % (number, e), file=sys.stderr)
"""
"""Runs in the sandbox when the code ends (not an exit hook: pyplot's own closes every figure before ours would run).
Without pyplot imported it does nothing."""

_PLAIN = (
    "Run Python 3 code and get back what it prints. Use it for arithmetic, dates, string work and any exact computation: "
    "print the results you need."
)
_LIMITS = (
    "No pip, no network, no access to the user's files. Limits: 10 s of CPU, 1 GB of memory. Each call starts afresh "
    "(nothing is kept between calls); files written in the current folder are listed with their sizes."
)
DESCRIPTION = (
    f"{_PLAIN} Only the standard library is available (math, statistics, fractions, decimal, datetime, json, re, "
    f"itertools, collections, csv...): no numpy, pandas or matplotlib. {_LIMITS}"
)
DESCRIPTION_WITH_PLOTS = (
    f"{_PLAIN} The standard library is available, and matplotlib and numpy: every matplotlib figure still open at the "
    f"end (or saved as a .png file) is shown to the user as an image (at most {MAX_FIGURES}); no need to call "
    f"plt.show(). {_LIMITS}"
)


def _spec(description: str) -> ToolSpec:
    return ToolSpec("python", description, {
        "type": "object",
        "properties": {"code": {"type": "string", "description": "the Python program to run", "minLength": 1,
                                "maxLength": MAX_CODE_CHARS}},
        "required": ["code"],
        "additionalProperties": False,
    })  # fmt: skip


SPEC = _spec(DESCRIPTION)

_MISSING_MODULE = re.compile(r"ModuleNotFoundError: No module named '([A-Za-z0-9_]+)[.']")


def python_tool(limits: Limits = LIMITS, *, figures: Path | None = None) -> Tool:
    """The Python tool with these sandbox limits; its figures are stored in ``figures`` (default: the data folder's).

    The model is told about matplotlib only when the sandbox's Python has it."""
    plots = package_folder("matplotlib") is not None

    def run(arguments: Mapping[str, Any], cancel: threading.Event) -> ToolResult:
        return run_code(str(arguments["code"]), limits=limits, cancel=cancel, figures=figures)

    return Tool(_spec(DESCRIPTION_WITH_PLOTS) if plots else SPEC, run,
                origin="Modelwerk's sandbox: no network, no access to your files, time and memory limits")  # fmt: skip


def run_code(code: str, *, limits: Limits = LIMITS, cancel: threading.Event | None = None,
             figures: Path | None = None) -> ToolResult:  # fmt: skip
    """Run ``code`` in the sandbox; the result the model reads: stdout, the error's last line, the files written, one
    line per figure (the figures themselves are in ``data["figures"]``, stored in ``figures``)."""
    site = package_folder("matplotlib")
    made: list[Figure] = []
    rejected: list[str] = []

    def take(folder: Path) -> None:
        nonlocal made, rejected
        try:
            made, rejected = collect(folder, store=figures or figures_dir())
        except OSError as e:  # the data folder cannot be written (full, gone): the run's output still comes back
            rejected = [f"the figures could not be kept: {' '.join(str(e).split())}"]

    try:
        r = run_python(code, limits=limits, cancel=cancel, paths=[site] if site else [], setup=SETUP,
                       after=AFTER, collect=take)  # fmt: skip
    except OSError as e:  # the sandbox itself could not start
        return ToolResult.error(f"the sandbox could not start: {' '.join(str(e).split())}")
    out = _clip(r.stdout)
    parts = [f"stdout:\n{out}" if out.strip() else "stdout: (nothing printed)"]
    error = ""
    if r.outcome == "error":
        error = _missing(r.last_line()) or r.last_line() or f"exit status {r.exit_code}"
    elif r.outcome == "timeout":
        error = f"stopped after {limits.wall_s:g} s (time limit)"
    elif r.outcome == "killed":
        error = f"killed (over the CPU limit of {limits.cpu_s} s or the memory limit of {limits.memory_mb} MB)"
    elif r.outcome == "output limit":
        error = f"stopped: printed more than {limits.output_bytes:,} bytes"
    elif r.outcome == "cancelled":
        error = "stopped by the user"
    if error:
        parts.append(f"error: {error}")
    written = {name: size for name, size in r.files.items() if not name.startswith(SAVED_PREFIX)}
    if written:
        files = ", ".join(f"{_name(name)} ({size:,} bytes)" for name, size in sorted(written.items()))
        parts.append(f"files written: {files}")
    parts += [f"[{f.label(i)}, shown to the user]" for i, f in enumerate(made, 1)]
    parts += [f"[{line}]" for line in rejected]
    first = next((line for line in r.stdout.splitlines() if line.strip()), "")
    if error:
        said = Message("error: {message}", message=error)
    elif first:
        said = Message("printed {count} characters: {first}", count=Number(len(r.stdout)), first=first[:80])
    else:
        said = Message("printed {count} characters", count=Number(len(r.stdout)))
    if made:
        said = Message.plural("{summary} · %n figure", "{summary} · %n figures", len(made), summary=said)
    data = {"outcome": r.outcome, "exit_code": r.exit_code, "stdout": r.stdout[:MAX_OUTPUT_CHARS], "error": error,
            "files": written, "wall_s": round(r.wall_s, 3), "isolation": r.isolation.describe(),
            "figures": [f.to_json(figures or figures_dir()) for f in made], "rejected": rejected}  # fmt: skip
    return ToolResult.of("\n".join(parts), said, ok=not error, data=data)


def _missing(line: str) -> str:
    """A clear line for a package the sandbox's Python lacks (instead of the traceback's last line)."""
    found = _MISSING_MODULE.search(line + "'")
    if found is None:
        return ""
    name = found.group(1)
    if name in ("matplotlib", "numpy"):
        return f"{name} is not installed in the sandbox's Python: no plots or arrays here, use the standard library"
    return f"{name} is not installed in the sandbox's Python (only the standard library{_extra()} is available)"


def _extra() -> str:
    return ", matplotlib and numpy" if package_folder("matplotlib") is not None else ""


def _name(name: str) -> str:
    """A file name the code chose, on one line (a newline in it must not forge a line of the result)."""
    return name if name.isprintable() else repr(name)


def _clip(text: str) -> str:
    if len(text) <= MAX_OUTPUT_CHARS:
        return text
    half = MAX_OUTPUT_CHARS // 2
    return f"{text[:half]}\n[... {len(text) - 2 * half:,} characters left out ...]\n{text[-half:]}"
