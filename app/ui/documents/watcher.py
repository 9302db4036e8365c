"""Watched folders: a QFileSystemWatcher on each watching collection's folder, its subfolders and its documents.

A change anywhere below a folder is announced once things have been quiet for ``SETTLE_MS``, so copying a hundred files
in is one check, not a hundred. What to watch is listed in the pool (walking a folder is disk work); the watcher only
adds the paths. Folders tell of files added, removed or renamed (an editor's atomic save too); the documents themselves
tell of changes written in place.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal

from app.documents.indexing import collect_files
from app.documents.parse import DocumentError

SETTLE_MS = 700
MAX_PATHS = 4000
"""At most this many folders and files are watched per collection (each costs an inotify watch on Linux); past it the
deepest are left out, and "Check for changes" still finds their changes."""


def watch_paths(folder: Path) -> list[str]:
    """The folder, its subfolders (hidden ones skipped, links not followed) and its documents, at most ``MAX_PATHS``.

    Raises:
        DocumentError: the folder is gone or holds too many documents.
    """
    if not folder.is_dir():
        raise DocumentError(f"the watched folder {folder} is gone; watch another one or stop watching", path=folder)
    paths = [str(folder)]
    for root, dirs, _names in os.walk(folder, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        paths.extend(str(Path(root) / d) for d in dirs)
        if len(paths) >= MAX_PATHS:
            return paths[:MAX_PATHS]
    paths.extend(str(p) for p in collect_files([folder]))
    return paths[:MAX_PATHS]


class FolderWatcher(QObject):
    """Watches each collection's paths; ``changed(collection)`` once a change below its folder has settled."""

    changed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._fs = QFileSystemWatcher(self)
        self._fs.directoryChanged.connect(self._on_fs_changed)
        self._fs.fileChanged.connect(self._on_fs_changed)
        self._owner: dict[str, str] = {}
        self._dirty: set[str] = set()
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(SETTLE_MS)
        self._settle.timeout.connect(self._on_settle_timeout)

    def collections(self) -> set[str]:
        return set(self._owner.values())

    def watch(self, collection: str, paths: list[str]) -> None:
        """Watch ``paths`` for ``collection`` instead of what it had (an empty list: nothing)."""
        old = [p for p, c in self._owner.items() if c == collection]
        if old:
            self._fs.removePaths(old)
        for p in old:
            del self._owner[p]
        new = [p for p in paths if p not in self._owner]
        for p in new:
            self._owner[p] = collection
        if new:
            self._fs.addPaths(new)  # paths that vanished meanwhile are refused by Qt: nothing to watch there

    def forget_others(self, keep: set[str]) -> None:
        """Stop watching for every collection not in ``keep``."""
        for collection in self.collections() - keep:
            self.watch(collection, [])

    def _on_fs_changed(self, path: str) -> None:
        collection = self._owner.get(path)
        if collection is not None:
            self._dirty.add(collection)
            self._settle.start()  # (re)started: one check once the copying is over

    def _on_settle_timeout(self) -> None:
        dirty, self._dirty = self._dirty, set()
        for collection in sorted(dirty):
            self.changed.emit(collection)
