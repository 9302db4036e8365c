"""Indexing a collection: files are registered as pending, then each is parsed, cut and written in one transaction.

The work is resumable by construction: what is still to do is the files in state ``pending``, kept in the database. A
crash, a kill or a cancel in the middle of a file leaves that file pending with its previous passages (or none), never
half of the new ones, and the next ``index_pending`` goes on from there. A file whose content hash and chunker version
match what was indexed is not parsed again. An unreadable file gets its one-line error and the others go on.

``index_pending`` takes a progress callback and a cancel check, so it runs the same under a job, a thread of the GUI or
the command line. PDF, Word and HTML files are read in a child process (``app.documents.isolated``), so a hostile one
costs a child, not the app.
"""

from __future__ import annotations

import enum
import hashlib
import logging
import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from app.documents.chunk import CHUNKER_VERSION, ChunkOptions, chunk_document
from app.documents.flagging import flag_passages
from app.documents.isolated import DocumentReader, ParseCancelled
from app.documents.parse import DEFAULT_LIMITS, DocumentError, Limits, UnreadableDocument, kind_of
from app.documents.store import DocumentStore, FileRecord, FileState, path_key
from core.errors import said
from core.messages import Message, Text

log = logging.getLogger(__name__)

MAX_FILES_PER_ADD = 20_000
"""A folder with more documents than this is refused (a home folder dropped by mistake)."""


class Outcome(enum.Enum):
    INDEXED = "indexed"
    UNCHANGED = "unchanged"
    FAILED = "failed"


@dataclass(frozen=True)
class FileResult:
    path: Path
    outcome: Outcome
    passages: int = 0
    error: str = ""
    seconds: float = 0.0
    error_text: Text = ""
    """``error`` as the message it was made with (the GUI translates it); '' when the same as ``error``."""


@dataclass(frozen=True)
class Progress:
    """Where indexing is: ``done`` of ``total`` files finished; ``current`` is being read (None once all are done)."""

    done: int
    total: int
    current: Path | None
    last: FileResult | None = None


@dataclass
class IndexReport:
    results: list[FileResult] = field(default_factory=list)
    cancelled: bool = False
    remaining: int = 0
    """Files still pending (after a cancel): the next run indexes them."""

    def count(self, outcome: Outcome) -> int:
        return sum(1 for r in self.results if r.outcome is outcome)

    @property
    def failed(self) -> list[FileResult]:
        return [r for r in self.results if r.outcome is Outcome.FAILED]


def collect_files(paths: Sequence[Path], *, max_files: int = MAX_FILES_PER_ADD) -> list[Path]:
    """The files that ``paths`` name: files as given, folders walked for the types Modelwerk reads (hidden files and
    folders skipped, symbolic links to folders not followed).

    Raises:
        DocumentError: a path does not exist or is no regular file, or the folders hold more than ``max_files``
            documents.
    """
    found: dict[str, Path] = {}
    for given in paths:
        p = given.expanduser()
        if not p.exists():
            raise DocumentError(Message("no such file or folder: {given}", given=str(given)), path=given)
        if p.is_dir():
            for root, dirs, names in os.walk(p, followlinks=False):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(names):
                    f = Path(root) / name
                    if name.startswith(".") or kind_of(f) is None or not f.is_file():
                        continue
                    found.setdefault(str(f.resolve()), f)
                    if len(found) > max_files:
                        raise DocumentError(Message("{given} holds more than {max_files} documents; add fewer at a time",
                                                    given=str(given), max_files=format(max_files, ',')),
                                            path=given)  # fmt: skip
        elif not p.is_file():  # a pipe, socket or device: reading it could block forever or never end
            raise DocumentError(Message("{given} is not a regular file (a pipe, socket or device); give a document file",
                                        given=str(given)),
                                path=given)  # fmt: skip
        else:
            found.setdefault(str(p.resolve()), p)
    return list(found.values())


def add_files(store: DocumentStore, collection: str, paths: Sequence[Path]) -> tuple[int, list[Path]]:
    """Register what ``paths`` name in ``collection`` (made when new) as pending; nothing is read yet.

    Returns:
        The collection's id and the files registered.

    Raises:
        DocumentError: a missing path or a bad name (nothing is registered then).
    """
    files = collect_files(paths)
    cid = store.collection_id(collection, create=True)
    store.mark_pending(cid, files)
    return cid, files


def changed_files(store: DocumentStore, collection_id: int, folder: Path) -> list[Path]:
    """The documents under ``folder`` that are new to the collection, or whose size or modification time says they
    changed since they were indexed (a watched folder: the content hash then decides). Pending files are left out.

    Raises:
        DocumentError: the folder is gone, or holds too many documents.
    """
    known = {f.path: f for f in store.files(collection_id)}
    found = []
    for path in collect_files([folder]):
        record = known.get(Path(path_key(path)))
        if record is None:
            found.append(path)
            continue
        if record.state is FileState.PENDING:
            continue
        try:
            st = path.stat()
        except OSError:
            continue  # gone again: "Check for changes" says so
        if st.st_size != record.size or record.indexed_at is None or st.st_mtime > record.indexed_at:
            found.append(path)
    return found


def file_sha256(path: Path) -> tuple[str, int]:
    h = hashlib.sha256()
    size = 0
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size


def index_pending(
    store: DocumentStore,
    collection_id: int,
    *,
    progress: Callable[[Progress], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    limits: Limits = DEFAULT_LIMITS,
    chunking: ChunkOptions | None = None,
    scan: bool = True,
) -> IndexReport:
    """Index the collection's pending files, one transaction each.

    Args:
        progress: called before each file and after the last one.
        cancelled: checked before each file, while the child process reads a PDF, Word or HTML file (it is stopped), and
            before the file's transaction; when it says yes the run stops and the file stays pending (its previous
            passages, if any, untouched).
        scan: flag each passage with the shield's findings (``app.documents.flagging``); off only to measure its cost.

    Returns:
        What happened to each file the run got to.
    """
    todo = store.files(collection_id, state=FileState.PENDING)
    report = IndexReport()
    with DocumentReader() as reader:  # one reading child for the run (started on the first PDF, Word or HTML file)
        for i, record in enumerate(todo):
            if cancelled is not None and cancelled():
                report.cancelled = True
                break
            if progress is not None:
                progress(Progress(i, len(todo), record.path, report.results[-1] if report.results else None))
            result = _index_one(store, record, reader, cancelled=cancelled, limits=limits, chunking=chunking, scan=scan)
            if result is None:
                report.cancelled = True
                break
            report.results.append(result)
    report.remaining = len(store.files(collection_id, state=FileState.PENDING))
    if progress is not None:
        progress(Progress(len(report.results), len(todo), None, report.results[-1] if report.results else None))
    return report


def _index_one(store: DocumentStore, record: FileRecord, reader: DocumentReader, *, cancelled: Callable[[], bool] | None,
               limits: Limits, chunking: ChunkOptions | None, scan: bool = True) -> FileResult | None:  # fmt: skip
    """Index one file; None when cancelled before its transaction."""
    t0 = time.monotonic()
    path = record.path
    try:
        sha, size = file_sha256(path)
        if sha == record.sha256 and record.chunker == CHUNKER_VERSION and record.indexed_at is not None:
            store.write_unchanged(record.id)
            return FileResult(path, Outcome.UNCHANGED, record.passages, seconds=time.monotonic() - t0)
        doc = reader.read(path, limits=limits, cancelled=cancelled)
        passages = chunk_document(doc, chunking)
        if scan:
            passages = flag_passages(doc, passages)
    except ParseCancelled:
        return None
    except FileNotFoundError:
        return _failed(store, record, Message("{name}: the file is gone", name=path.name), t0)
    except UnreadableDocument as e:
        return _failed(store, record, said(e), t0)
    except OSError as e:
        return _failed(store, record, Message("{name}: cannot be read ({reason})", name=path.name,
                                              reason=e.strerror or str(e)), t0)  # fmt: skip
    if cancelled is not None and cancelled():
        return None
    store.write_indexed(record.id, doc, passages, sha256=sha, size=size, chunker=CHUNKER_VERSION)
    log.info("indexed %s: %d passages", path, len(passages))
    return FileResult(path, Outcome.INDEXED, len(passages), seconds=time.monotonic() - t0)


def _failed(store: DocumentStore, record: FileRecord, error: Text, t0: float) -> FileResult:
    store.write_failed(record.id, error)
    log.info("could not index %s: %s", record.path, error)
    return FileResult(record.path, Outcome.FAILED, error=str(error), seconds=time.monotonic() - t0, error_text=error)


def cancel_pending(store: DocumentStore, collection_id: int) -> int:
    """Cancel (rather than pause) indexing: the files it had still to add leave the collection, files it had still to
    check again keep what they had. Pausing is only stopping: ``index_pending`` later goes on with what is pending.
    Returns the files that left."""
    return store.abandon_pending(collection_id)


def remove_files(store: DocumentStore, collection: str, paths: Iterable[Path]) -> list[Path]:
    """Remove files (or everything under folders) from a collection with their passages.

    Raises:
        UnknownCollection: no such collection.
        DocumentError: none of ``paths`` is in the collection.
    """
    cid = store.collection_id(collection)
    paths = list(paths)
    removed = store.remove_files(cid, paths)
    if paths and not removed:
        raise DocumentError(Message("{paths} is not in the collection {collection}", paths=str(paths[0]),
                                    collection=repr(collection)), path=paths[0])
    return removed
