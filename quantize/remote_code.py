"""A model folder's own Python code: find it, refuse it unless the user allowed it, and keep it from running.

A Hugging Face repository can ship Python (``tokenization_qwen.py``, ``modeling_*.py``) that transformers imports when a
loader is called with ``trust_remote_code=True`` and the folder's configs name it in ``auto_map``. llama.cpp's converter
passes ``trust_remote_code=True`` for about ten architectures, so converting such a folder would run the repository's code
as the user. Three layers keep that from happening unless the user allowed that repository's code:

- `find_code` lists what carries code (``*.py`` files anywhere in the folder, ``auto_map`` or ``custom_pipelines`` in
  any JSON config), and `check` turns a non-empty list into `RemoteCodeRefused` before a job starts;
- `forbid_code_from` installs an audit hook that refuses to compile or execute any Python source from the folder or from
  transformers' dynamic-module cache (``transformers_modules``), whatever a library passes as ``trust_remote_code``;
- ``python -m quantize.remote_code --forbid FOLDER -- SCRIPT ARGS...`` runs a script (llama.cpp's converter) under that hook.

Standard library only: it runs in the app's and in the toolchain's Python.
"""

from __future__ import annotations

import json
import os
import runpy
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from core.messages import Message, Text
from quantize.errors import JobFailed

CODE_SUFFIXES = (".py", ".pyc", ".pyw")
CODE_KEYS = ("auto_map", "custom_pipelines")
"""Config keys through which transformers imports a repository's own module (``auto_map``: config, tokenizer, processor
classes; ``custom_pipelines``: pipeline classes)."""
MAX_CONFIG_BYTES = 64 << 20
"""A JSON file larger than this is not parsed; a large one named like a config counts as carrying code (it cannot be
checked, and transformers would read it)."""
DYNAMIC_MODULES = "transformers_modules"
"""The package under HF_MODULES_CACHE into which transformers copies a repository's code before importing it."""


class RemoteCodeRefused(JobFailed):
    """A model folder carries its own Python code and the user did not allow it to run; the message is one line."""

    def __init__(self, folder: Path, files: Sequence[str], *, hint: str = "") -> None:
        self.folder = folder
        self.files = tuple(files)
        said_hint: Text = hint or Message("allow it with --trust-remote-code (the GUI asks) only if you trust that repository")
        self.hint = str(said_hint)
        shown: Text = ", ".join(self.files[:6])
        if len(self.files) > 6:
            shown = Message("{files} and {count} more", files=shown, count=str(len(self.files) - 6))
        super().__init__(Message("{name} carries Python code that would run on this machine ({files}): not run; {hint}",
                                 name=folder.name, files=shown, hint=said_hint))  # fmt: skip


class RemoteCodeBlocked(PermissionError):
    """Raised by the audit hook when something tries to compile or run a model folder's code."""


def is_code_file(name: str) -> bool:
    """Whether a file name (or a repository path) is Python code: ``*.py``, ``*.pyc``, ``*.pyw``."""
    return name.lower().endswith(CODE_SUFFIXES)


def find_code(folder: Path) -> tuple[str, ...]:
    """The files of ``folder`` that carry code, as sorted paths relative to it: Python files anywhere in it, and JSON
    configs that name a module to import (``auto_map``, ``custom_pipelines``). Empty for a folder without code, or a path
    that is not a folder. Never raises for unreadable files (they are skipped; transformers could not read them either).
    """
    found: list[str] = []
    if not folder.is_dir():
        return ()
    visited: set[str] = set()
    for root, dirs, files in os.walk(folder, followlinks=True):  # a linked folder's code is the folder's code too
        real = os.path.realpath(root)
        if real in visited:  # a link loop
            dirs[:] = []
            continue
        visited.add(real)
        for name in files:
            path = Path(root) / name
            rel = path.relative_to(folder).as_posix()
            if is_code_file(name) or (name.lower().endswith(".json") and _config_names_code(path)):
                found.append(rel)
    return tuple(sorted(found))


def _config_names_code(path: Path) -> bool:
    try:
        size = path.stat().st_size
    except OSError:
        return False
    if size > MAX_CONFIG_BYTES:
        return "config" in path.name.lower()
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError, RecursionError):
        return False
    return _names_code(data)


def _names_code(data: Any) -> bool:
    """An ``auto_map`` / ``custom_pipelines`` key with a non-empty value anywhere in a JSON document (nested configs such
    as ``text_config`` included)."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if any(item.get(key) for key in CODE_KEYS):
                return True
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def check(folder: Path, *, allowed: bool, hint: str = "") -> tuple[str, ...]:
    """The code files of ``folder``; raises when there are some and the user did not allow them.

    Raises:
        RemoteCodeRefused: the folder carries code and ``allowed`` is False.
    """
    files = find_code(folder)
    if files and not allowed:
        raise RemoteCodeRefused(folder, files, hint=hint)
    return files


def _inside(path: str, roots: Sequence[str]) -> bool:
    return any(path == r or path.startswith(r + os.sep) for r in roots)


def forbid_code_from(folders: Iterable[Path]) -> None:
    """From now on, this process refuses to compile or execute Python source that lies in ``folders`` or in transformers'
    dynamic-module cache: a loader called with ``trust_remote_code=True`` then fails with `RemoteCodeBlocked` before the
    repository's code runs. Audit hooks cannot be removed: call it only in a process that runs one job (the worker, the
    converter child)."""
    roots = tuple(sorted({os.path.realpath(f) for f in folders}))
    seen: dict[str, bool] = {}

    def blocked(filename: object) -> bool:
        if not isinstance(filename, (str, bytes, os.PathLike)):
            return False
        name = os.fsdecode(filename)
        if name.startswith("<"):  # "<string>", "<frozen ...>": not a file
            return False
        verdict = seen.get(name)
        if verdict is None:
            real = os.path.realpath(name)
            verdict = _inside(real, roots) or DYNAMIC_MODULES in Path(real).parts or DYNAMIC_MODULES in Path(name).parts
            seen[name] = verdict
        return verdict

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if event == "compile" and len(args) >= 2:
            filename = args[1]
        elif event == "exec" and args:
            filename = getattr(args[0], "co_filename", None)
        else:
            return
        if blocked(filename):
            raise RemoteCodeBlocked(f"refused to run {filename}: a model repository's own code runs only when the user "
                                    "allows it (--trust-remote-code)")  # fmt: skip

    sys.addaudithook(hook)


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m quantize.remote_code --forbid FOLDER [--forbid FOLDER...] -- SCRIPT [ARGS...]``: run SCRIPT as
    ``__main__`` (as ``python SCRIPT ARGS`` would, its folder first on sys.path) with the folders' code forbidden."""
    args = list(sys.argv[1:] if argv is None else argv)
    forbid: list[Path] = []
    while args and args[0] == "--forbid" and len(args) >= 2:
        forbid.append(Path(args[1]))
        del args[:2]
    if not args or args[0] != "--" or len(args) < 2:
        sys.exit("usage: python -m quantize.remote_code --forbid FOLDER... -- SCRIPT [ARGS...]")
    script, rest = args[1], args[2:]
    forbid_code_from(forbid)
    sys.argv = [script, *rest]
    sys.path[0] = os.path.dirname(os.path.abspath(script))
    runpy.run_path(script, run_name="__main__")


if __name__ == "__main__":
    main()


__all__ = ["CODE_KEYS", "RemoteCodeBlocked", "RemoteCodeRefused", "check", "find_code", "forbid_code_from", "is_code_file"]
