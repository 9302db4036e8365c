"""What the Documents page shares with its controllers: calls on the documents database in the pool, the selected
collection and the page's banner.

Each pool call opens its own DocumentStore (a SQLite connection belongs to the thread that opened it), so documents.db
is never read or written on the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from app.documents.store import CollectionInfo, DocumentStore
from app.ui.common.i18n import translate
from app.ui.common.status_rows import Banner
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


@dataclass(frozen=True)
class PageContext:
    """The page's pool calls, its selected collection (``selected()``, None when there is none) and its banner."""

    calls: StoreCalls
    selected: Callable[[], CollectionInfo | None]
    banner: Banner

    def with_passages(self) -> CollectionInfo | None:
        """The selected collection when it has passages; else None (and a line on the banner when it has none)."""
        info = self.selected()
        if info is None:
            return None
        if info.passages == 0:
            self.banner.add(translate("Documents", "{name} has no passages yet: add files first.").format(name=info.name),
                            kind="error")  # fmt: skip
            return None
        return info
