"""Calls on the documents database in the pool: each opens its own DocumentStore (a SQLite connection belongs to the
thread that opened it), so documents.db is never read or written on the GUI thread."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from app.documents.store import DocumentStore
from app.ui.common.tasks import TaskGroup

T = TypeVar("T")


class StoreCalls:
    """``calls(fn, on_done, what=...)`` runs ``fn(store)`` in the pool of ``tasks`` and hands its result to ``on_done``
    on the GUI thread; a failure is one line for ``on_error`` (the given one, else the default)."""

    def __init__(self, db_path: Path, tasks: TaskGroup, *, on_error: Callable[[str], None]) -> None:
        self.db_path = db_path
        self.tasks = tasks
        self.on_error = on_error

    def __call__(self, fn: Callable[[DocumentStore], T], on_done: Callable[[T], None], *, what: str,
                 on_error: Callable[[str], None] | None = None) -> None:  # fmt: skip
        path = self.db_path

        def call() -> T:
            with DocumentStore.open(path) as store:
                return fn(store)

        self.tasks.start(call, on_done, on_error or self.on_error, what=what)
