"""The model catalog: one row per model in the `models` table of the store (a file, a split GGUF set or a folder).

Paths are stored absolute and resolved, so one model has one row whichever way its path was spelled. Thread safety comes
from the Store (one connection behind a lock); a method that needs several statements runs them in one transaction.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from app.store import Store
from core.errors import ModelwerkError
from core.messages import N_, Message
from formats.model import ModelFormat, ModelInfo

log = logging.getLogger(__name__)

SOURCE_IMPORTED = "imported"
SOURCE_FOUND = "found in the models folder"


def source_downloaded(repo: str) -> str:
    """The source text of a model downloaded from a Hugging Face repo."""
    return f"downloaded from {repo}"


def source_quantized(model: str, quant_type: str) -> str:
    """The source text of a model Modelwerk quantized itself."""
    return f"quantized from {model} with {quant_type}"


class CatalogError(ModelwerkError):
    """A catalog operation failed; the message is one line for the user."""

    hint = N_("refresh the Library and try again")


class EntryNotFound(CatalogError):
    """No catalog entry has the given id (it was removed meanwhile)."""

    hint = N_("the model was removed from the Library: import it again")


@dataclass(frozen=True)
class CatalogEntry:
    """One model in the library, as stored."""

    id: int
    name: str
    format: ModelFormat
    path: Path
    """The file (the first part of a split GGUF) or the folder."""
    files: tuple[Path, ...]
    size_bytes: int
    """The model's files on disk, together."""
    architecture: str
    n_params: int
    quantization: str
    context_length: int
    has_template: bool
    source: str
    """"imported", "downloaded from REPO", "quantized from MODEL with TYPE", "found in the models folder"..."""
    added: datetime
    last_used: datetime | None
    sha256: str | None
    """None until computed (in the background, after registration)."""
    missing: bool
    """Some of its files are gone from disk."""
    mtime: float
    """The newest modification time of its files when it was last read."""


def absolute(path: Path) -> Path:
    """The resolved absolute form under which catalog paths are stored."""
    return Path(path).expanduser().resolve()


def stat_files(files: tuple[Path, ...] | list[Path]) -> tuple[int, float]:
    """Total size and newest mtime of files; raises OSError (FileNotFoundError when one is gone)."""
    size, mtime = 0, 0.0
    for f in files:
        st = os.stat(f)
        size += st.st_size
        mtime = max(mtime, st.st_mtime)
    return size, mtime


def _now() -> str:
    return datetime.now(timezone.utc).isoformat()


def _time(text: str | None) -> datetime | None:
    if not text:
        return None
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _entry(row: sqlite3.Row) -> CatalogEntry:
    added = _time(row["added"])
    assert added is not None
    return CatalogEntry(
        id=int(row["id"]),
        name=str(row["name"]),
        format=ModelFormat(row["format"]),
        path=Path(row["path"]),
        files=tuple(Path(p) for p in json.loads(row["files"])),
        size_bytes=int(row["size_bytes"]),
        architecture=str(row["architecture"]),
        n_params=int(row["n_params"]),
        quantization=str(row["quantization"]),
        context_length=int(row["context_length"]),
        has_template=bool(row["has_template"]),
        source=str(row["source"]),
        added=added,
        last_used=_time(row["last_used"]),
        sha256=row["sha256"],
        missing=bool(row["missing"]),
        mtime=float(row["mtime"]),
    )


class Catalog:
    """The models Modelwerk knows about, stored in the `models` table."""

    def __init__(self, store: Store) -> None:
        self._store = store

    @property
    def store(self) -> Store:
        return self._store

    def add(self, info: ModelInfo, *, source: str) -> CatalogEntry:
        """Register a model (or, if its path is registered already, refresh that entry from ``info``).

        A refreshed entry keeps its id, added time and last use; its hash is cleared (the content may have changed)
        and it is no longer missing. Size and mtime are read from the files now.

        Raises:
            OSError: a file of the model cannot be read (stat).
            StoreError: the database refused the write.
        """
        files = [absolute(f) for f in info.files] or [absolute(info.path)]
        size, mtime = stat_files(files)
        path = str(absolute(info.path))
        values = (
            info.name, info.format.value, path, json.dumps([str(f) for f in files]), size, info.architecture,
            info.n_params, info.quantization, info.context_length, int(info.has_template), source, _now(), mtime,
        )  # fmt: skip
        with self._store.transaction():
            self._store.execute(
                """
                INSERT INTO models (name, format, path, files, size_bytes, architecture, n_params, quantization,
                                    context_length, has_template, source, added, mtime)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (path) DO UPDATE SET
                    name = excluded.name, format = excluded.format, files = excluded.files,
                    size_bytes = excluded.size_bytes, architecture = excluded.architecture, n_params = excluded.n_params,
                    quantization = excluded.quantization, context_length = excluded.context_length,
                    has_template = excluded.has_template, source = excluded.source, mtime = excluded.mtime,
                    sha256 = NULL, missing = 0
                """,
                values,
            )
            row = self._store.fetchone("SELECT * FROM models WHERE path = ?", (path,))
        assert row is not None
        entry = _entry(row)
        log.info("Catalog: %s (id %d) at %s, %s", entry.name, entry.id, entry.path, source)
        return entry

    def entries(self) -> list[CatalogEntry]:
        """All entries, oldest first."""
        return [_entry(row) for row in self._store.fetchall("SELECT * FROM models ORDER BY id")]

    def get(self, entry_id: int) -> CatalogEntry:
        """The entry with this id; raises EntryNotFound."""
        row = self._store.fetchone("SELECT * FROM models WHERE id = ?", (entry_id,))
        if row is None:
            raise EntryNotFound(Message("There is no model with id {entry_id} in the library", entry_id=str(entry_id)))
        return _entry(row)

    def by_path(self, path: Path) -> CatalogEntry | None:
        """The entry whose main path (file, first split part or folder) is ``path``, or None."""
        row = self._store.fetchone("SELECT * FROM models WHERE path = ?", (str(absolute(path)),))
        return None if row is None else _entry(row)

    def remove(self, entry_id: int, *, delete_files: bool = False) -> None:
        """Forget an entry; with ``delete_files``, delete its files first (a folder model: the whole folder).

        Raises:
            EntryNotFound: no such entry.
            CatalogError: a file could not be deleted (the entry is kept).
        """
        entry = self.get(entry_id)
        if delete_files:
            _delete_model_files(entry)
        self._store.execute("DELETE FROM models WHERE id = ?", (entry_id,))
        log.info("Catalog: removed %s (id %d)%s", entry.name, entry.id, " and its files" if delete_files else "")

    def set_sha256(self, entry_id: int, digest: str) -> None:
        """Record the content hash computed for an entry (ignored if the entry was removed meanwhile)."""
        self._store.execute("UPDATE models SET sha256 = ? WHERE id = ?", (digest, entry_id))

    def set_source(self, entry_id: int, source: str) -> None:
        """Say where a model came from (e.g. a quantization found by the folder scan before the job registered it)."""
        self._store.execute("UPDATE models SET source = ? WHERE id = ?", (source, entry_id))

    def set_missing(self, entry_id: int, missing: bool) -> None:
        """Mark an entry's files as gone from disk (or back)."""
        self._store.execute("UPDATE models SET missing = ? WHERE id = ?", (int(missing), entry_id))

    def touch(self, entry_id: int) -> None:
        """Record that the model was used now."""
        self._store.execute("UPDATE models SET last_used = ? WHERE id = ?", (_now(), entry_id))

    def find_duplicate(self, size_bytes: int, sha256: str) -> CatalogEntry | None:
        """An entry with this size and hash (one present on disk first), or None."""
        row = self._store.fetchone(
            "SELECT * FROM models WHERE size_bytes = ? AND sha256 = ? ORDER BY missing, id LIMIT 1", (size_bytes, sha256)
        )
        return None if row is None else _entry(row)

    def same_size(self, size_bytes: int) -> list[CatalogEntry]:
        """Entries of exactly this size: the only candidates for a duplicate."""
        rows = self._store.fetchall("SELECT * FROM models WHERE size_bytes = ? ORDER BY id", (size_bytes,))
        return [_entry(row) for row in rows]


def _delete_model_files(entry: CatalogEntry) -> None:
    try:
        if entry.path.is_dir():
            shutil.rmtree(entry.path)  # a folder model is the folder: its tokenizer and config files go with it
        else:
            for f in entry.files:
                Path(f).unlink(missing_ok=True)
    except OSError as e:
        raise CatalogError(Message("Cannot delete the files of {name}: {reason}", name=str(entry.name),
                                   reason=str(e.strerror or e))) from e
