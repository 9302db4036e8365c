"""Import a model into the library: check it, recognise duplicates, copy/move it into the models folder, register it.

A file that is not a readable model registers nothing. A copy goes through ``*.part`` files that are fsynced and renamed
into place only when everything is there, so a cancelled, failed or killed import never leaves a half-written model under
a model's name. Hashing is the expensive part of recognising duplicates, so the source is hashed only when some catalog
entry has exactly its size.
"""

from __future__ import annotations

import contextlib
import enum
import hashlib
import logging
import os
import re
import shutil
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from app.library.catalog import SOURCE_FOUND, SOURCE_IMPORTED, Catalog, CatalogEntry, absolute, stat_files
from app.store import StoreError
from core.errors import said
from core.messages import Message, Text
from formats.cache import HEADERS
from formats.model import ModelFileError, ModelInfo

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]

HASH_CHUNK = 1 << 20
COPY_CHUNK = 8 << 20
PART_SUFFIX = ".part"
_SPLIT = re.compile(r"^(?P<stem>.+)(?P<tail>-\d{5}-of-\d{5}\.gguf)$", re.IGNORECASE)


class ImportMode(enum.Enum):
    COPY = "copy"
    MOVE = "move"
    IN_PLACE = "in_place"


class Cancelled(Exception):
    """The cancel event was set; whatever was half-done has been cleaned up."""


@dataclass(frozen=True)
class ImportResult:
    """What became of one imported path: a new entry, a duplicate of an existing one, or an error (one line)."""

    source_path: Path
    entry: CatalogEntry | None
    duplicate_of: CatalogEntry | None = None
    error: str = ""
    error_said: Message | None = field(default=None, compare=False)
    """``error`` as a message, for the GUI to translate (None: ``error`` only)."""

    @classmethod
    def failed(cls, source_path: Path, error: Text) -> ImportResult:
        """A result whose error is ``error`` (a message keeps its template for the GUI)."""
        return cls(source_path, None, error=str(error), error_said=error if isinstance(error, Message) else None)

    @property
    def error_text(self) -> Text:
        return self.error_said if self.error_said is not None else self.error


def import_model(
    path: Path,
    catalog: Catalog,
    models_dir: Path,
    *,
    mode: ImportMode = ImportMode.COPY,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    source: str = SOURCE_IMPORTED,
    sha256: str | None = None,
) -> ImportResult:
    """Import the model at ``path`` (a file, any part of a split GGUF, or a Hugging Face folder).

    A model already inside ``models_dir`` is registered where it is, whatever the mode. ``progress(done, total)`` reports
    bytes: first of the duplicate-check hash when one is needed, then of the copy. Setting ``cancel`` stops either and
    removes partial files; the result's error is then "cancelled". Never raises for a bad file or a failed copy.
    ``source`` is the catalog's source text (e.g. ``source_downloaded(repo)``); ``sha256`` is the model's content hash
    (see ``sha256_file``) when the caller knows it already, e.g. verified while downloading, so it is not hashed again.
    """
    from formats.inspect import inspect

    src = Path(path).expanduser().absolute()
    try:
        info = inspect(src)
    except ModelFileError as e:
        return ImportResult.failed(src, said(e))
    try:
        registered = catalog.by_path(info.path)
        if registered is not None:
            return ImportResult(src, None, duplicate_of=registered)
        dup, digest = _duplicate(info, catalog, progress, cancel, known=sha256)
        if dup is not None:
            return ImportResult(src, None, duplicate_of=dup)
        target = absolute(models_dir)
        if mode is ImportMode.IN_PLACE or target in absolute(info.path).parents:
            return ImportResult(src, _register(catalog, info, digest, source))
        target.mkdir(parents=True, exist_ok=True)
        placed = _place(info, target, move=mode is ImportMode.MOVE, progress=progress, cancel=cancel)
        HEADERS.rebase(info.path, placed.path)  # the same bytes: their headers need not be read again
        try:
            entry = _register(catalog, inspect(placed.path), digest, source)
        except BaseException:
            placed.undo()
            raise
        log.info("Imported %s (%s) as %s", src, mode.value, entry.path)
        return ImportResult(src, entry)
    except Cancelled:
        return ImportResult(src, None, error="cancelled")
    except ModelFileError as e:
        return ImportResult.failed(src, said(e))
    except OSError as e:
        reason = str(e.strerror or e)
        return ImportResult.failed(src, Message("cannot import {name}: {reason} ({file})", name=src.name, reason=reason,
                                                file=str(e.filename)) if e.filename
                                   else Message("cannot import {name}: {reason}", name=src.name, reason=reason))  # fmt: skip
    except StoreError as e:
        return ImportResult.failed(src, said(e))


def register_in_place(
    path: Path, catalog: Catalog, models_dir: Path, *, source: str, sha256: str | None = None
) -> ImportResult:
    """Register the output of finished work (a job, a download) where it is, with its lineage as ``source``.

    The work claims its paths while it runs, so this process's folder watch leaves them alone; another process's watch
    (the app open while ``modelwerk pull`` or ``quantize`` runs) may have registered the file first as merely found:
    that entry gets the lineage. Never raises for a bad file (the result carries the error).
    """
    result = import_model(path, catalog, models_dir, mode=ImportMode.IN_PLACE, source=source, sha256=sha256)
    found = result.duplicate_of
    if found is not None and found.path == absolute(path) and found.source == SOURCE_FOUND:
        catalog.set_source(found.id, source)
        result = ImportResult(result.source_path, catalog.get(found.id))
    return result


def _register(catalog: Catalog, info: ModelInfo, digest: str | None, source: str) -> CatalogEntry:
    entry = catalog.add(info, source=source)
    if digest is not None:
        catalog.set_sha256(entry.id, digest)
        entry = replace(entry, sha256=digest)
    return entry


def _duplicate(
    info: ModelInfo, catalog: Catalog, progress: Progress | None, cancel: threading.Event | None, *, known: str | None = None
) -> tuple[CatalogEntry | None, str | None]:
    """The entry holding the same bytes, and the source's hash: ``known`` when given, else computed only on a size match."""
    size, _ = stat_files(info.files)
    candidates = [e for e in catalog.same_size(size) if not e.missing]
    if not candidates:
        return None, known
    digest = known or sha256_files(info.files, progress=progress, cancel=cancel)
    for entry in candidates:
        if entry.sha256 is None:
            try:
                entry = replace(entry, sha256=sha256_files(entry.files, progress=progress, cancel=cancel))
            except OSError as e:
                log.warning("Cannot hash %s for the duplicate check: %s", entry.path, e)
                continue
            assert entry.sha256 is not None
            catalog.set_sha256(entry.id, entry.sha256)
        if entry.sha256 == digest:
            return entry, digest
    return None, digest


def sha256_file(path: Path, *, progress: Progress | None = None, cancel: threading.Event | None = None) -> str:
    """The content hash of the model at ``path`` (1 MiB reads): a file's sha256; for a split GGUF or a folder, the sha256
    of its files (as ``inspect`` lists them) one after the other. Raises Cancelled, OSError, or ModelFileError."""
    path = Path(path)
    if path.is_file() and not _SPLIT.match(path.name):
        return sha256_files((path,), progress=progress, cancel=cancel)
    from formats.inspect import inspect

    return sha256_files(inspect(path).files, progress=progress, cancel=cancel)


def sha256_files(files: Sequence[Path], *, progress: Progress | None = None, cancel: threading.Event | None = None) -> str:
    """The sha256 of the files' bytes one after the other; raises Cancelled or OSError."""
    total = sum(os.stat(f).st_size for f in files)
    digest = hashlib.sha256()
    done = 0
    buf = bytearray(HASH_CHUNK)
    view = memoryview(buf)
    if progress:
        progress(0, total)
    for f in files:
        with open(f, "rb", buffering=0) as fh:
            while n := fh.readinto(buf):
                if cancel is not None and cancel.is_set():
                    raise Cancelled()
                digest.update(view[:n])
                done += n
                if progress:
                    progress(done, total)
    return digest.hexdigest()


# --- placing files in the models folder ----------------------------------------------------------------------------------


@dataclass
class _Placed:
    """Where the model ended up, and how to take that back if registering it fails."""

    path: Path
    undo: Callable[[], None]


def numbered(name: str, n: int) -> str:
    """The n-th free-name candidate: tiny.gguf, tiny-2.gguf...; a split part keeps its -0000k-of-0000n suffix."""
    if n < 2:
        return name
    m = _SPLIT.match(name)
    if m:
        return f"{m['stem']}-{n}{m['tail']}"
    stem, dot, suffix = name.rpartition(".")
    return f"{stem}-{n}.{suffix}" if dot and stem else f"{name}-{n}"


def _place(
    info: ModelInfo, models_dir: Path, *, move: bool, progress: Progress | None, cancel: threading.Event | None
) -> _Placed:
    src_files = [absolute(f) for f in info.files]
    folder = absolute(info.path) if info.path.is_dir() else None
    if move and same_filesystem(src_files, models_dir):
        return _rename_into(folder, src_files, models_dir)
    total = sum(os.stat(f).st_size for f in src_files)
    free = shutil.disk_usage(models_dir).free
    if free < total:
        raise OSError(f"not enough free space in {models_dir}: the model needs {total / 1e9:.2f} GB, {free / 1e9:.2f} GB free")
    placed = (
        _copy_folder(folder, src_files, models_dir, progress, cancel)
        if folder
        else _copy_files(src_files, models_dir, progress, cancel)
    )
    if move:  # across filesystems: the copy is complete and on disk, now the originals go
        for f in src_files:
            try:
                f.unlink()
            except OSError as e:
                log.warning("Moved %s but could not delete the original: %s", f, e)
        if folder is not None:
            with contextlib.suppress(OSError):
                folder.rmdir()  # only when nothing else was in it
    return placed


def same_filesystem(files: Sequence[Path], folder: Path) -> bool:
    """Whether a rename can move ``files`` into ``folder`` (else the move is a copy and a delete)."""
    device = os.stat(folder).st_dev
    return all(os.stat(f).st_dev == device for f in files)


def _rename_into(folder: Path | None, src_files: list[Path], models_dir: Path) -> _Placed:
    """Move on one filesystem: a rename each, nothing copied."""
    originals = [folder] if folder is not None else src_files
    for n in range(1, 10_000):
        targets = [models_dir / numbered(p.name, n) for p in originals]
        if not any(t.exists() or _part(t).exists() for t in targets):
            break
    else:
        raise FileExistsError(f"no free name for {originals[0].name} in {models_dir}")
    done: list[tuple[Path, Path]] = []

    def undo() -> None:
        for a, b in reversed(done):
            with contextlib.suppress(OSError):
                os.replace(b, a)

    try:
        for a, b in zip(originals, targets, strict=True):
            os.replace(a, b)
            done.append((a, b))
    except BaseException:
        undo()
        raise
    _sync_dir(models_dir)
    return _Placed(targets[0], undo)


def _copy_files(src_files: list[Path], models_dir: Path, progress: Progress | None, cancel: threading.Event | None) -> _Placed:
    """Copy a file or a split set: each through NAME.part, all renamed once all are written."""
    targets, parts = _reserve_files([f.name for f in src_files], models_dir)
    finals: list[Path] = []

    def undo() -> None:
        for p in [*parts, *finals]:
            with contextlib.suppress(OSError):
                p.unlink()

    try:
        _copy_all(list(zip(src_files, parts, strict=True)), progress, cancel)
        for part, target in zip(parts, targets, strict=True):
            if target.exists():
                raise FileExistsError(f"{target} appeared while copying")
            os.replace(part, target)
            finals.append(target)
    except BaseException:
        undo()
        raise
    _sync_dir(models_dir)
    return _Placed(targets[0], undo)


def _copy_folder(
    folder: Path, src_files: list[Path], models_dir: Path, progress: Progress | None, cancel: threading.Event | None
) -> _Placed:
    """Copy a folder model's files into NAME.part/, then rename the folder."""
    for n in range(1, 10_000):
        target = models_dir / numbered(folder.name, n)
        staging = _part(target)
        if target.exists() or staging.exists():
            continue
        try:
            staging.mkdir()
            break
        except FileExistsError:
            continue
    else:
        raise FileExistsError(f"no free name for {folder.name} in {models_dir}")
    renamed: list[Path] = []

    def undo() -> None:
        for p in (staging, *renamed):
            shutil.rmtree(p, ignore_errors=True)

    try:
        pairs = []
        for f in src_files:
            dest = staging / f.relative_to(folder)
            dest.parent.mkdir(parents=True, exist_ok=True)
            pairs.append((f, dest))
        _copy_all(pairs, progress, cancel)
        if target.exists():
            raise FileExistsError(f"{target} appeared while copying")
        os.replace(staging, target)
        renamed.append(target)
    except BaseException:
        undo()
        raise
    _sync_dir(models_dir)
    return _Placed(target, undo)


def _reserve_files(names: list[str], models_dir: Path) -> tuple[list[Path], list[Path]]:
    """Free target names and their .part files, created exclusively so a concurrent import cannot take the same ones."""
    for n in range(1, 10_000):
        targets = [models_dir / numbered(name, n) for name in names]
        if any(t.exists() or _part(t).exists() for t in targets):
            continue
        made: list[Path] = []
        try:
            for t in targets:
                with open(_part(t), "xb"):
                    made.append(_part(t))
        except FileExistsError:
            for p in made:
                p.unlink(missing_ok=True)
            continue
        return targets, made
    raise FileExistsError(f"no free name for {names[0]} in {models_dir}")


def _part(path: Path) -> Path:
    return path.with_name(path.name + PART_SUFFIX)


def _copy_all(pairs: list[tuple[Path, Path]], progress: Progress | None, cancel: threading.Event | None) -> None:
    total = sum(os.stat(src).st_size for src, _ in pairs)
    done = 0
    buf = bytearray(COPY_CHUNK)
    view = memoryview(buf)
    if progress:
        progress(0, total)
    for src, dest in pairs:
        with open(src, "rb", buffering=0) as fin, open(dest, "wb") as fout:
            while n := fin.readinto(buf):
                if cancel is not None and cancel.is_set():
                    raise Cancelled()
                fout.write(view[:n])
                done += n
                if progress:
                    progress(done, total)
            fout.flush()
            os.fsync(fout.fileno())
        if cancel is not None and cancel.is_set():
            raise Cancelled()


def _sync_dir(folder: Path) -> None:
    """Make the renames durable (POSIX; Windows cannot open a folder for fsync)."""
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
