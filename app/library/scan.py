"""Keep the catalog in step with the models folder: new models appear, vanished ones are marked missing.

A model whose files have the size and mtime recorded at its last read is not read again, so a rescan of a folder of large
models costs a stat per file.
"""

from __future__ import annotations

import logging
import os
import threading
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path

from app.library.catalog import SOURCE_FOUND, Catalog, CatalogEntry, absolute, stat_files
from formats.model import ModelFileError

log = logging.getLogger(__name__)

IGNORED_SUFFIXES = (".part", ".incomplete")
"""Files still being written (our copies, downloads): never models yet."""


@dataclass(frozen=True)
class ScanResult:
    added: tuple[CatalogEntry, ...]
    """New models found (and models re-read because their files changed)."""
    missing: tuple[CatalogEntry, ...]
    """Entries whose files are gone since the last scan."""
    returned: tuple[CatalogEntry, ...]
    """Entries marked missing before whose files are back."""
    errors: tuple[tuple[Path, str], ...]
    """Paths in the folder that look like models but cannot be read, with the reason."""


class Claims:
    """Paths that running work (a job, a download) will register in the Library itself, with its lineage: the folder
    watch passes over them (``scan_folder(..., skip=claims.paths())``) until the work has registered them and released
    them. A path may be claimed more than once (a count); thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[Path] = Counter()

    def claim(self, paths: Iterable[Path]) -> None:
        with self._lock:
            self._counts.update(absolute(p) for p in paths)

    def release(self, paths: Iterable[Path]) -> None:
        with self._lock:
            for path in (absolute(p) for p in paths):
                if self._counts[path] > 1:
                    self._counts[path] -= 1
                else:
                    self._counts.pop(path, None)

    def paths(self) -> frozenset[Path]:
        with self._lock:
            return frozenset(self._counts)


def candidates(models_dir: Path) -> list[Path]:
    """Model files directly in ``models_dir`` and model folders one level down (by name, nothing opened)."""
    from formats.inspect import is_model_path

    try:
        children = sorted(Path(models_dir).iterdir())
    except FileNotFoundError:
        return []
    found = []
    for child in children:
        name = child.name.lower()
        if name.startswith(".") or name.endswith(IGNORED_SUFFIXES):
            continue
        if is_model_path(child):
            found.append(child)
    return found


def scan_folder(models_dir: Path, catalog: Catalog, *, skip: Collection[Path] = ()) -> ScanResult:
    """Register new models in ``models_dir``, re-read changed ones, and mark entries missing or back.

    Every catalog entry is checked for its files, including models imported in place elsewhere. ``skip``: absolute
    paths that running work registers itself (``Claims``): neither registered as found nor marked missing here.

    Raises:
        OSError: the models folder exists but cannot be listed.
        StoreError: the database could not be used.
    """
    from formats.inspect import inspect

    added: list[CatalogEntry] = []
    missing: list[CatalogEntry] = []
    returned: list[CatalogEntry] = []
    errors: list[tuple[Path, str]] = []
    seen: set[int] = set()

    claimed = {absolute(p) for p in skip}
    for path in candidates(models_dir):
        if absolute(path) in claimed:
            continue
        entry = catalog.by_path(path)
        if entry is not None:
            seen.add(entry.id)
            try:
                current = stat_files(entry.files)
            except OSError:
                current = None  # a part or a folder file vanished: missing below, unless it reads as a new model
            if current == (entry.size_bytes, entry.mtime):
                if entry.missing:
                    catalog.set_missing(entry.id, False)
                    returned.append(catalog.get(entry.id))
                continue
        try:
            info = inspect(path)
            fresh = catalog.add(info, source=entry.source if entry is not None else SOURCE_FOUND)
        except (ModelFileError, OSError) as e:
            message = str(e) if isinstance(e, ModelFileError) else f"cannot read {path.name}: {e.strerror or e}"
            errors.append((path, message))
            log.warning("Scan: skipped %s: %s", path, message)
            if entry is not None and not entry.missing:
                catalog.set_missing(entry.id, True)
                missing.append(catalog.get(entry.id))
            continue
        seen.add(fresh.id)
        added.append(fresh)  # new, or changed and re-read
        if entry is not None and entry.missing:
            returned.append(fresh)

    for entry in catalog.entries():
        if entry.id in seen or absolute(entry.path) in claimed:
            continue
        present = _present(entry)
        if entry.missing == (not present):
            continue
        catalog.set_missing(entry.id, not present)
        (returned if present else missing).append(catalog.get(entry.id))
    result = ScanResult(tuple(added), tuple(missing), tuple(returned), tuple(errors))
    if added or missing or returned or errors:
        log.info(
            "Scan of %s: %d added, %d missing, %d back, %d unreadable",
            absolute(models_dir), len(added), len(missing), len(returned), len(errors),
        )  # fmt: skip
    return result


def _present(entry: CatalogEntry) -> bool:
    return all(os.path.isfile(f) for f in entry.files) if entry.files else entry.path.exists()
