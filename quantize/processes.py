"""How this installation starts its Python child processes: the chat runtime, quantization workers, toolchain jobs.

From a source checkout a child is `python -m MODULE` with the checkout on PYTHONPATH. In a frozen bundle (PyInstaller)
there is no `python -m`: the bundle's own executable runs the module when called as `modelwerk --run-module MODULE ...`
(installer/entry.py), and the pure packages' sources ship beside it (`src/`) for the toolchain's Python, which must not
see the bundle's own compiled libraries.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

RUN_MODULE_FLAG = "--run-module"


def frozen() -> bool:
    return bool(getattr(sys, "frozen", False))


def module_command(module: str, python: list[str] | None = None) -> list[str]:
    """The command that runs `python -m module`: with `python` (e.g. the toolchain's), else this installation's own."""
    if python is not None and python != [sys.executable]:
        return [*python, "-m", module]
    if frozen():
        return [sys.executable, RUN_MODULE_FLAG, module]
    return [sys.executable, "-m", module]


def source_root() -> Path:
    """The folder that holds the `app`, `quantize` and `hardware` packages as source files."""
    if frozen():
        return Path(getattr(sys, "_MEIPASS", Path(sys.executable).parent)) / "src"
    return Path(__file__).resolve().parents[1]


def child_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a child process: ours, the sources first on PYTHONPATH, plus `extra`."""
    env = dict(os.environ, **(extra or {}))
    root = str(source_root())
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env
