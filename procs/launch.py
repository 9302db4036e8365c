"""What to launch: a `Command`, from a source checkout or from a frozen (PyInstaller) bundle.

From a source checkout a Python child is `python -m MODULE` with the checkout on PYTHONPATH. In a frozen bundle there is
no `python -m`: the bundle's own executable runs the module when called as `modelwerk --run-module MODULE ...`
(installer/entry.py), and the pure packages' sources ship beside it (`src/`) for the toolchain's Python, which must not
see the bundle's own compiled libraries. A native child (llama.cpp's llama-server) is just a program with arguments.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

RUN_MODULE_FLAG = "--run-module"


@dataclass(frozen=True)
class Command:
    """A child process to start: its argument vector, environment, working folder and a label for messages."""

    argv: tuple[str, ...]
    env: Mapping[str, str] | None = None
    """The whole environment (None: ours)."""
    cwd: Path | None = None
    label: str = "the process"
    """How messages name it: "the runtime exited with code 1"."""


def frozen() -> bool:
    """True inside a PyInstaller bundle."""
    return bool(getattr(sys, "frozen", False))


def module_command(module: str, python: Sequence[str] | None = None) -> list[str]:
    """The command that runs `python -m module`: with `python` (e.g. the toolchain's), else this installation's own."""
    if python is not None and list(python) != [sys.executable]:
        return [*python, "-m", module]
    if frozen():
        return [sys.executable, RUN_MODULE_FLAG, module]
    return [sys.executable, "-m", module]


def source_root() -> Path:
    """The folder that holds the pure packages (`procs`, `quantize`, `hardware`, ...) as source files."""
    if frozen():
        return Path(getattr(sys, "_MEIPASS", Path(sys.executable).parent)) / "src"
    return Path(__file__).resolve().parents[1]


def child_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of a Python child: ours, the sources first on PYTHONPATH, plus `extra`."""
    env = dict(os.environ, **(extra or {}))
    root = str(source_root())
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def python_module(module: str, args: Sequence[str] = (), *, python: Sequence[str] | None = None,
                  env: Mapping[str, str] | None = None, cwd: Path | None = None,
                  label: str = "the process") -> Command:  # fmt: skip
    """`python -m module args...` from this checkout or bundle, the sources on PYTHONPATH, `env` added to ours."""
    return Command(argv=(*module_command(module, python), *args), env=child_env(env), cwd=cwd, label=label)


def program(path: str | Path, args: Sequence[str] = (), *, env: Mapping[str, str] | None = None,
            cwd: Path | None = None, label: str = "the process") -> Command:  # fmt: skip
    """A native program (e.g. llama-server) with arguments; `env` is added to ours."""
    return Command(argv=(str(path), *args), env=dict(os.environ, **(env or {})), cwd=cwd, label=label)
