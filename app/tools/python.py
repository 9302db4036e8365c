"""The Python tool: the model's code runs in the sandbox (procs.sandbox) and its output comes back to it.

The sandbox runs the base interpreter isolated (``-I -S``): the standard library only, no network, no access to the
user's files, its own temporary folder. Figures (matplotlib) are not available yet; the description says so, so the
model does not try.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from app.tools.spec import Tool, ToolResult, ToolSpec
from procs.sandbox import Limits, run_python

__all__ = ["LIMITS", "MAX_CODE_CHARS", "MAX_OUTPUT_CHARS", "python_tool"]

MAX_CODE_CHARS = 32_000
MAX_OUTPUT_CHARS = 6_000
"""Of stdout that goes back to the model (the beginning and the end): a model's context is small."""
LIMITS = Limits(cpu_s=10, wall_s=30.0, memory_mb=1024, processes=16, output_bytes=1_000_000, file_mb=16)

DESCRIPTION = (
    "Run Python 3 code and get back what it prints. Use it for arithmetic, dates, string work and any exact computation: "
    "print the results you need. Only the standard library is available (math, statistics, fractions, decimal, datetime, "
    "json, re, itertools, collections, csv...): no numpy, pandas or matplotlib, no pip, no network, no access to the "
    "user's files. Limits: 10 s of CPU, 1 GB of memory. Each call starts afresh (nothing is kept between calls); files "
    "written in the current folder are listed with their sizes."
)

SPEC = ToolSpec("python", DESCRIPTION, {
    "type": "object",
    "properties": {"code": {"type": "string", "description": "the Python program to run", "minLength": 1,
                            "maxLength": MAX_CODE_CHARS}},
    "required": ["code"],
    "additionalProperties": False,
})  # fmt: skip


def python_tool(limits: Limits = LIMITS) -> Tool:
    """The Python tool with these sandbox limits."""

    def run(arguments: Mapping[str, Any], cancel: threading.Event) -> ToolResult:
        return run_code(str(arguments["code"]), limits=limits, cancel=cancel)

    return Tool(SPEC, run, origin="Modelwerk's sandbox: no network, no access to your files, time and memory limits")


def run_code(code: str, *, limits: Limits = LIMITS, cancel: threading.Event | None = None) -> ToolResult:
    """Run ``code`` in the sandbox; the result the model reads: stdout, the error's last line, the files written."""
    try:
        r = run_python(code, limits=limits, cancel=cancel)
    except OSError as e:  # the sandbox itself could not start
        return ToolResult.error(f"the sandbox could not start: {' '.join(str(e).split())}")
    out = _clip(r.stdout)
    parts = [f"stdout:\n{out}" if out.strip() else "stdout: (nothing printed)"]
    error = ""
    if r.outcome == "error":
        error = r.last_line() or f"exit status {r.exit_code}"
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
    if r.files:
        files = ", ".join(f"{_name(name)} ({size:,} bytes)" for name, size in sorted(r.files.items()))
        parts.append(f"files written: {files}")
    first = next((line for line in r.stdout.splitlines() if line.strip()), "")
    summary = f"error: {error}" if error else f"printed {len(r.stdout):,} characters" + (f": {first[:80]}" if first else "")
    data = {"outcome": r.outcome, "exit_code": r.exit_code, "stdout": r.stdout[:MAX_OUTPUT_CHARS], "error": error,
            "files": dict(r.files), "wall_s": round(r.wall_s, 3), "isolation": r.isolation.describe()}  # fmt: skip
    return ToolResult("\n".join(parts), summary, ok=not error, data=data)


def _name(name: str) -> str:
    """A file name the code chose, on one line (a newline in it must not forge a line of the result)."""
    return name if name.isprintable() else repr(name)


def _clip(text: str) -> str:
    if len(text) <= MAX_OUTPUT_CHARS:
        return text
    half = MAX_OUTPUT_CHARS // 2
    return f"{text[:half]}\n[... {len(text) - 2 * half:,} characters left out ...]\n{text[-half:]}"
