"""The ``downloads`` table: Download records, their states, and the reads and writes the queue makes (no threads here)."""

from __future__ import annotations

import enum
import json
import os
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath

from app.hub.errors import DownloadError
from app.hub.files import FileGroup, HubFile
from app.hub.portable_names import name_problem, path_problem
from app.store import Store
from core.messages import Message, Text


class DownloadState(enum.Enum):
    QUEUED = "queued"
    RUNNING = "running"
    PAUSED = "paused"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


FINISHED = frozenset({DownloadState.DONE, DownloadState.FAILED, DownloadState.CANCELLED})
"""States no worker will change by itself; remove() accepts these."""
SETTLED = FINISHED | {DownloadState.PAUSED}
"""States wait() returns on."""


@dataclass(frozen=True)
class Download:
    """One queued model download (a GGUF file, all parts of a split GGUF, or a folder model's files), as the user sees it.

    Attributes:
        files: in download order; each goes to ``dest_dir / file.path``.
        done_bytes: bytes on disk so far (live while running, saved about once a second).
        speed_bps: bytes per second over the last few seconds; 0 when not running.
        eta_s: seconds left at that speed; None when unknown.
        error: the one-line reason of a FAILED download; "" otherwise.
        model_id: the Library (catalog) entry once registered.
        then_quantize: llama.cpp types to quantize the model to once it is registered (Discover's "Quantize it
            myself"); empty when there is nothing to do, or once the recipe is in the job queue.
    """

    id: int
    repo_id: str
    revision: str
    name: str
    quant: str
    files: tuple[HubFile, ...]
    dest_dir: Path
    state: DownloadState
    done_bytes: int
    total_bytes: int
    speed_bps: float = 0.0
    eta_s: float | None = None
    error: str = ""
    model_id: int | None = None
    then_quantize: tuple[str, ...] = ()
    error_said: Message | None = field(default=None, compare=False)
    """``error`` as a message while the process that recorded it runs (the GUI translates it); not stored."""

    @property
    def error_text(self) -> Text:
        """The error as a message where this process knows one that still says ``error``; else ``error``."""
        said = self.error_said
        return said if said is not None and str(said) == self.error else self.error

    @property
    def fraction(self) -> float:
        """Done, from 0.0 to 1.0."""
        if self.total_bytes <= 0:
            return float(self.state is DownloadState.DONE)
        return min(1.0, self.done_bytes / self.total_bytes)

    def dest(self, f: HubFile) -> Path:
        """Where one of its files goes."""
        return self.dest_dir / PurePosixPath(f.path)

    @property
    def model_path(self) -> Path:
        """What the Library registers: the (first) GGUF file, or the folder holding a folder model's files."""
        if all(f.path.lower().endswith(".gguf") for f in self.files):
            return self.dest(self.files[0])
        return Path(os.path.commonpath([self.dest(f).parent for f in self.files]))


def dest_dir_for(models_dir: Path, repo_id: str, revision: str = "main") -> Path:
    """``models_dir/author/name`` (``name@revision`` for a branch other than main, whose files share names with main's)."""
    parts = [p for p in repo_id.split("/") if p]
    if not parts or any(name_problem(p) for p in parts) or len(parts) > 2:
        raise DownloadError(Message("{repo_id} is not a repository name: use OWNER/NAME", repo_id=repr(repo_id)))
    folder = Path(models_dir, *parts)
    if revision and revision != "main":
        folder = folder.with_name(f"{folder.name}@{revision.replace('/', '_')}")
        if name_problem(folder.name):
            raise DownloadError(Message("{revision} is not a revision that can name a folder", revision=repr(revision)))
    return folder


def check_file_paths(files: tuple[HubFile, ...]) -> None:
    """Refuse a repository path that would land outside the download folder, or that is not portable.

    Not portable: a drive letter or stream colon, a reserved device name, a trailing dot or space, a control character
    (see app.hub.portable_names); refused on every OS, as the folder may be copied to Windows.
    """
    for f in files:
        p = PurePosixPath(f.path)
        if not f.path or p.is_absolute() or ".." in p.parts or "\\" in f.path:
            raise DownloadError(Message("refusing to download {path}: the path leaves the model's folder", path=repr(f.path)))
        why = path_problem(f.path)
        if why is not None:
            raise DownloadError(Message("refusing to download {path}: {why}, which is not a portable file name",
                                        path=repr(f.path), why=str(why)))

STATE_SAID = {DownloadState.QUEUED: Message("queued"), DownloadState.RUNNING: Message("running"),
              DownloadState.PAUSED: Message("paused"), DownloadState.DONE: Message("done"),
              DownloadState.FAILED: Message("failed"), DownloadState.CANCELLED: Message("cancelled")}  # fmt: skip
"""Each state as an error message names it (its value), for the GUI to translate."""


def now() -> str:
    return datetime.now(timezone.utc).isoformat()


def to_download(row: sqlite3.Row) -> Download:
    files = tuple(HubFile(path=str(f["path"]), size=int(f["size"]), sha256=f.get("sha256")) for f in json.loads(row["files"]))
    return Download(
        id=int(row["id"]),
        repo_id=str(row["repo_id"]),
        revision=str(row["revision"]),
        name=str(row["name"]),
        quant=str(row["quant"]),
        files=files,
        dest_dir=Path(row["dest_dir"]),
        state=DownloadState(row["state"]),
        done_bytes=int(row["done_bytes"]),
        total_bytes=int(row["total_bytes"]),
        error=str(row["error"]),
        model_id=None if row["model_id"] is None else int(row["model_id"]),
        then_quantize=tuple(t for t in str(row["then_quantize"]).split(",") if t),
    )


class Rows:
    """The queue's statements; every write stamps ``updated``."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def get(self, download_id: int) -> Download:
        row = self.store.fetchone("SELECT * FROM downloads WHERE id = ?", (download_id,))
        if row is None:
            raise DownloadError(Message("there is no download {download_id} (it was removed)", download_id=str(download_id)))
        return to_download(row)

    def all(self) -> list[Download]:
        return [to_download(r) for r in self.store.fetchall("SELECT * FROM downloads ORDER BY position, id")]

    def insert(self, repo_id: str, group: FileGroup, dest_dir: Path, then_quantize: tuple[str, ...] = ()) -> int:
        files = json.dumps([{"path": f.path, "size": f.size, "sha256": f.sha256} for f in group.files])
        stamp = now()
        with self.store.transaction():
            self.store.execute(
                """
                INSERT INTO downloads (repo_id, revision, name, quant, files, dest_dir, state, total_bytes, position,
                                       added, updated, then_quantize)
                VALUES (?, ?, ?, ?, ?, ?, 'queued', ?, (SELECT COALESCE(MAX(position), 0) + 1 FROM downloads), ?, ?, ?)
                """,
                (repo_id, group.revision, group.name, group.quant, files, str(dest_dir), group.size, stamp, stamp,
                 ",".join(then_quantize)),
            )
            row = self.store.fetchone("SELECT last_insert_rowid()")
        assert row is not None
        return int(row[0])

    def same(self, repo_id: str, group: FileGroup) -> Download | None:
        """The newest unfinished-or-failed row for the same files, so adding twice does not download twice."""
        row = self.store.fetchone(
            "SELECT * FROM downloads WHERE repo_id = ? AND revision = ? AND name = ? AND state != 'done'"
            " ORDER BY id DESC LIMIT 1",
            (repo_id, group.revision, group.name),
        )
        return None if row is None else to_download(row)

    def set_state(
        self, download_id: int, state: DownloadState, *, only_from: tuple[DownloadState, ...] = (), **fields: object
    ) -> bool:
        """Change a row's state (and other columns); with ``only_from``, only when it is in one of those states."""
        cols = {"state": state.value, "updated": now(), **fields}
        if state is not DownloadState.RUNNING:
            cols.setdefault("owner_pid", None)
        sets = ", ".join(f"{k} = ?" for k in cols)
        where = "id = ?"
        params: list[object] = [*cols.values(), download_id]
        if only_from:
            where += f" AND state IN ({', '.join('?' for _ in only_from)})"
            params.extend(s.value for s in only_from)
        return self.store.execute(f"UPDATE downloads SET {sets} WHERE {where}", params) > 0

    def set_then_quantize(self, download_id: int, types: tuple[str, ...]) -> None:
        self.store.execute("UPDATE downloads SET then_quantize = ? WHERE id = ?", (",".join(types), download_id))

    def follow_ups(self) -> list[Download]:
        """Registered downloads whose quantization is still to be queued."""
        sql = "SELECT * FROM downloads WHERE state = 'done' AND then_quantize != '' AND model_id IS NOT NULL ORDER BY id"
        return [to_download(r) for r in self.store.fetchall(sql)]

    def save_progress(self, download_id: int, done: int) -> None:
        self.store.execute("UPDATE downloads SET done_bytes = ?, updated = ? WHERE id = ?", (done, now(), download_id))

    def next_queued(self, only: frozenset[int] | None = None) -> int | None:
        if only is not None:
            if not only:
                return None
            marks = ", ".join("?" for _ in only)
            sql = f"SELECT id FROM downloads WHERE state = 'queued' AND id IN ({marks}) ORDER BY position, id LIMIT 1"
            row = self.store.fetchone(sql, tuple(only))
        else:
            row = self.store.fetchone("SELECT id FROM downloads WHERE state = 'queued' ORDER BY position, id LIMIT 1")
        return None if row is None else int(row[0])

    def claim(self, download_id: int) -> bool:
        """Mark a queued row RUNNING by this process; False when another process took it first."""
        queued = (DownloadState.QUEUED,)
        return self.set_state(download_id, DownloadState.RUNNING, only_from=queued, owner_pid=os.getpid(), error="")

    def orphaned(self) -> list[int]:
        """RUNNING rows whose process is gone (killed, crashed) or is this one (a queue closed without its workers)."""
        rows = self.store.fetchall("SELECT id, owner_pid, updated FROM downloads WHERE state = 'running'")
        return [int(r["id"]) for r in rows if not _owner_alive(r["owner_pid"], str(r["updated"]))]

    def delete(self, download_id: int) -> None:
        self.store.execute("DELETE FROM downloads WHERE id = ?", (download_id,))


def _owner_alive(pid: object, updated: str) -> bool:
    """Whether another live Modelwerk process runs the row (a reused pid started after the row's last update is not)."""
    import psutil

    if not isinstance(pid, int) or pid == os.getpid():
        return False
    try:
        proc = psutil.Process(pid)
        if proc.status() == psutil.STATUS_ZOMBIE:
            return False
        started = proc.create_time()
    except psutil.Error:
        return False
    try:
        last = datetime.fromisoformat(updated).timestamp()
    except ValueError:
        return False
    return bool(started <= last + 1.0)
