"""The persistent job queue: one SQLite file (shared with the evaluation results), a log file per job.

States: queued -> running -> done | failed | cancelled; a running job whose runner process is gone (the app crashed or was
killed) becomes interrupted when the queue is next opened, and can be retried. The file is the queue's own (workers open
it without the app) but its schema goes through the app's migration runner, core.migrations: ``MIGRATIONS`` and
``PRAGMA user_version`` (the evaluation results that share the file only ever create their table if missing).

Thread-safe: one connection behind a lock. Several processes may open the same file (the GUI and ``modelwerk quantize``);
a runner claims a job with a conditional UPDATE, so two runners never start the same job.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import sqlite3
import threading
import time
from collections.abc import Collection, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from core.errors import said
from core.messages import Message, Text, text_of
from core.migrations import Migration, MigrationError, migrate
from quantize.job import (
    RETRYABLE,
    STATE_SAID,
    TOOLCHAIN_TITLE,
    Job,
    JobNotFound,
    JobQueueError,
    JobState,
    default_title,
)
from quantize.spec import JobSpec, SpecError, dumps, loads, partial_output

__all__ = [
    "RETRYABLE", "TOOLCHAIN_TITLE", "Job", "JobNotFound", "JobQueue", "JobQueueError", "JobState", "default_title",
    "process_tag", "runner_alive",
]  # fmt: skip

MIN_ETA_FRACTION = 0.02  # below this the rate is mostly start-up noise


def _add_after(db: sqlite3.Connection, _path: Path) -> None:
    """2: jobs.after (a job waits for another: recipes). A file an older Modelwerk upgraded has it already."""
    columns = {row[1] for row in db.execute("PRAGMA table_info(jobs)")}
    if "after" not in columns:
        db.execute("ALTER TABLE jobs ADD COLUMN after INTEGER")


def _add_message_data(db: sqlite3.Connection, _path: Path) -> None:
    """4: the progress message, the error and the title as core.messages data, for the GUI to translate ('': English
    text only). A file whose version was reset (an older Modelwerk's) may have them already."""
    columns = {row[1] for row in db.execute("PRAGMA table_info(jobs)")}
    for name in ("message_data", "error_data", "title_data"):
        if name not in columns:
            db.execute(f"ALTER TABLE jobs ADD COLUMN {name} TEXT NOT NULL DEFAULT ''")


MIGRATIONS: list[Migration] = [
    # 1: the queue (IF NOT EXISTS: a file from before this runner, whose version lived in jobs_meta, has it).
    """
CREATE TABLE IF NOT EXISTS jobs_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    spec TEXT NOT NULL,
    title TEXT NOT NULL,
    state TEXT NOT NULL,
    position INTEGER NOT NULL,
    created TEXT NOT NULL,
    started TEXT,
    finished TEXT,
    stage TEXT NOT NULL DEFAULT '',
    fraction REAL,
    message TEXT NOT NULL DEFAULT '',
    error TEXT NOT NULL DEFAULT '',
    outputs TEXT NOT NULL DEFAULT '[]',
    result TEXT NOT NULL DEFAULT '{}',
    cancel_requested INTEGER NOT NULL DEFAULT 0,
    runner TEXT NOT NULL DEFAULT '',
    worker_pid INTEGER NOT NULL DEFAULT 0,
    rate_t0 REAL,
    rate_f0 REAL
);
""",
    _add_after,
    # 3: the version lives in PRAGMA user_version now.
    "DELETE FROM jobs_meta WHERE key = 'schema_version';",
    _add_message_data,
]


def _waiting(db: sqlite3.Connection, after: int | None) -> bool:
    """Must a job that waits for job ``after`` wait still? Not once that one is done, or was removed."""
    if after is None:
        return False
    row = db.execute("SELECT state FROM jobs WHERE id = ?", (after,)).fetchone()
    return row is not None and row[0] != JobState.DONE.value


def _data(text: Text) -> str:
    """A message as the queue stores it beside its English text ('' for plain text)."""
    return json.dumps(text.to_data()) if isinstance(text, Message) else ""


def _stored(data: str, english: str) -> Text:
    """The message stored as ``_data`` wrote it; its English text when there is none or it cannot be read."""
    try:
        return text_of(json.loads(data) if data else None, english)
    except ValueError:  # not JSON
        return english


def _now() -> str:
    return datetime.now(timezone.utc).isoformat()


def _time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def remove_partial(spec: JobSpec) -> None:
    """Delete a job's ``.part`` output (a file or a folder), if any; the toolchain install has none."""
    part = partial_output(spec)
    if part is None:
        return
    with contextlib.suppress(OSError):
        if part.is_dir():
            shutil.rmtree(part)
        else:
            part.unlink(missing_ok=True)


def process_tag(pid: int) -> str:
    """``pid:start-time``: names one process even after its id is reused by another one."""
    try:
        import psutil

        return f"{pid}:{psutil.Process(pid).create_time():.2f}"
    except ImportError:
        return f"{pid}:?"
    except Exception:  # psutil.NoSuchProcess and friends
        return ""


def runner_alive(tag: str) -> bool:
    """Whether the runner process ``process_tag`` named is still there."""
    pid_text, _, _ = tag.partition(":")
    if not pid_text.isdigit() or int(pid_text) <= 0:
        return False
    return process_tag(int(pid_text)) == tag


class JobQueue:
    """The queue in ``db_path``; each job's log is ``log_dir/job-<id>.log``.

    ``max_parallel``: how many jobs run at once, a preference the opener hands in (the app keeps it in its settings); the
    file keeps only the queue's live state (jobs, paused), which every process that opens it shares.
    """

    def __init__(self, db_path: Path, *, log_dir: Path, max_parallel: int = 1) -> None:
        self.db_path = Path(db_path)
        self.log_dir = Path(log_dir)
        self.db_path.parent.mkdir(parents=True, exist_ok=True)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._max_parallel = 1
        self.max_parallel = max_parallel
        self._db = sqlite3.connect(self.db_path, check_same_thread=False, timeout=10, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        with contextlib.suppress(sqlite3.DatabaseError):
            self._db.execute("PRAGMA journal_mode=WAL")
            # No fsync per progress update (a job sends one per tensor); WAL keeps the file consistent after a crash.
            self._db.execute("PRAGMA synchronous=NORMAL")
        self._migrate()
        self.recover()

    # --- setup ----------------------------------------------------------------------------------------------------

    def _migrate(self) -> None:
        with self._lock:
            try:
                migrate(self._db, MIGRATIONS, path=self.db_path, what="the job queue")
            except MigrationError as exc:
                raise JobQueueError(str(exc), path=self.db_path) from (exc.__cause__ or exc)

    def recover(self) -> list[int]:
        """Running jobs whose runner process is gone become INTERRUPTED (their ``.part`` output is deleted); returns their ids.

        A running job whose runner is alive belongs to another Modelwerk process (the GUI, or ``modelwerk quantize``).
        """
        with self._tx() as db:
            rows = db.execute("SELECT id, runner, spec FROM jobs WHERE state = ?", (JobState.RUNNING.value,)).fetchall()
            lost = [r["id"] for r in rows if not runner_alive(r["runner"])]
            for r in rows:
                if r["id"] in lost:
                    with contextlib.suppress(SpecError, OSError):
                        remove_partial(loads(r["spec"]))
            for job_id in lost:
                db.execute(
                    "UPDATE jobs SET state = ?, finished = ?, error = ?, worker_pid = 0 WHERE id = ?",
                    (JobState.INTERRUPTED.value, _now(), "interrupted: Modelwerk closed or crashed while it ran", job_id),
                )
        for job_id in lost:
            self.append_log(job_id, "--- interrupted: the app closed or crashed while this job ran")
        return lost

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextlib.contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _meta(self, key: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM jobs_meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row["value"])

    def _set_meta(self, key: str, value: str) -> None:
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO jobs_meta (key, value) VALUES (?, ?)", (key, value))

    # --- settings ---------------------------------------------------------------------------------------------------

    @property
    def paused(self) -> bool:
        """A paused queue starts no new job; running ones go on."""
        return self._meta("paused") == "1"

    @paused.setter
    def paused(self, value: bool) -> None:
        self._set_meta("paused", "1" if value else "0")

    @property
    def max_parallel(self) -> int:
        """How many jobs run at once, counting those of other processes (quantization is memory hungry: 1 by default).

        This queue object's own: it is not stored (jobs_meta's ``max_parallel``, from older versions, is read by no one).
        """
        return self._max_parallel

    @max_parallel.setter
    def max_parallel(self, value: int) -> None:
        if value < 1:
            raise JobQueueError(Message("at least one job must be able to run"))
        self._max_parallel = int(value)

    # --- reading ----------------------------------------------------------------------------------------------------

    def _job(self, row: sqlite3.Row) -> Job:
        try:
            spec = loads(row["spec"])
        except SpecError as e:
            raise JobQueueError(Message("job {row} has an unreadable spec: {error}", row=str(row['id']),
                                        error=said(e))) from None
        state = JobState(row["state"])
        fraction = row["fraction"]
        eta = None
        if state is JobState.RUNNING and fraction is not None and row["rate_t0"] is not None:
            done = fraction - (row["rate_f0"] or 0.0)
            elapsed = time.time() - row["rate_t0"]
            if fraction >= MIN_ETA_FRACTION and done > 0 and elapsed > 0:
                eta = max(0.0, elapsed / done * (1.0 - fraction))
        return Job(
            id=row["id"], spec=spec, state=state, position=row["position"], created=_time(row["created"]) or datetime.min,
            started=_time(row["started"]), finished=_time(row["finished"]), stage=row["stage"], fraction=fraction,
            message=row["message"], error=row["error"], outputs=tuple(Path(p) for p in json.loads(row["outputs"])),
            result=json.loads(row["result"]), log_path=self.log_path(row["id"]), title=row["title"], eta_s=eta,
            cancel_requested=bool(row["cancel_requested"]), runner=row["runner"], worker_pid=row["worker_pid"],
            after=row["after"], message_text=_stored(row["message_data"], row["message"]),
            error_text=_stored(row["error_data"], row["error"]), title_text=_stored(row["title_data"], row["title"]),
        )  # fmt: skip

    def log_path(self, job_id: int) -> Path:
        return self.log_dir / f"job-{job_id}.log"

    def jobs(self) -> list[Job]:
        """All jobs in queue order."""
        with self._lock:
            rows = self._db.execute("SELECT * FROM jobs ORDER BY position, id").fetchall()
        return [self._job(r) for r in rows]

    def get(self, job_id: int) -> Job:
        with self._lock:
            row = self._db.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        if row is None:
            raise JobNotFound(Message("there is no job {job_id}", job_id=str(job_id)))
        return self._job(row)

    def read_log(self, job_id: int) -> str:
        """The job's log ("" before it ran)."""
        try:
            return self.log_path(job_id).read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    # --- changing ---------------------------------------------------------------------------------------------------

    def add(self, spec: JobSpec, *, title: Text = "", after: int | None = None) -> Job:
        """Queue a job at the end (relative paths are taken against the current folder); with ``after`` it starts only
        once that job is done (a recipe: convert, then quantize its output, then evaluate that)."""
        from quantize.worker import absolute_spec

        spec = absolute_spec(spec)
        title = title or default_title(spec)
        with self._tx() as db:
            end = db.execute("SELECT COALESCE(MAX(position), -1) + 1 FROM jobs").fetchone()[0]
            cur = db.execute(
                "INSERT INTO jobs (kind, spec, title, title_data, state, position, created, after) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (spec.kind.value, dumps(spec), str(title), _data(title), JobState.QUEUED.value, end, _now(), after),
            )
            job_id = int(cur.lastrowid or 0)
        return self.get(job_id)

    def set_title(self, job_id: int, title: Text) -> None:
        """Name a job anew (a queued index job that takes more files)."""
        with self._tx() as db:
            db.execute("UPDATE jobs SET title = ?, title_data = ? WHERE id = ?", (str(title), _data(title), job_id))

    def move(self, job_id: int, position: int) -> None:
        """Put a queued job at ``position`` in the queue order (0 = first; clamped)."""
        with self._tx() as db:
            job = self.get(job_id)
            if job.state is not JobState.QUEUED:
                raise JobQueueError(Message("job {job_id} is {value}; only queued jobs can be moved", job_id=str(job_id),
                                            value=STATE_SAID[job.state]))
            order = [r[0] for r in db.execute("SELECT id FROM jobs ORDER BY position, id") if r[0] != job_id]
            order.insert(max(0, min(position, len(order))), job_id)
            db.executemany("UPDATE jobs SET position = ? WHERE id = ?", [(i, jid) for i, jid in enumerate(order)])

    def cancel(self, job_id: int) -> None:
        """A queued job is cancelled now; a running one is marked, and its runner kills the worker."""
        with self._tx() as db:
            job = self.get(job_id)
            if job.state is JobState.QUEUED:
                db.execute("UPDATE jobs SET state = ?, finished = ? WHERE id = ?", (JobState.CANCELLED.value, _now(), job_id))
            elif job.state is JobState.RUNNING:
                db.execute("UPDATE jobs SET cancel_requested = 1 WHERE id = ?", (job_id,))

    def retry(self, job_id: int) -> Job:
        """Queue a failed, cancelled or interrupted job again (same id; its log goes on)."""
        with self._tx() as db:
            job = self.get(job_id)
            if job.state not in RETRYABLE:
                raise JobQueueError(Message("job {job_id} is {value}; only failed, cancelled or interrupted jobs can be "
                                            "retried", job_id=str(job_id), value=STATE_SAID[job.state]))
            end = db.execute("SELECT COALESCE(MAX(position), -1) + 1 FROM jobs").fetchone()[0]
            db.execute(
                "UPDATE jobs SET state = ?, position = ?, started = NULL, finished = NULL, stage = '', fraction = NULL, "
                "message = '', error = '', message_data = '', error_data = '', outputs = '[]', result = '{}', "
                "cancel_requested = 0, runner = '', "
                "worker_pid = 0, rate_t0 = NULL, rate_f0 = NULL WHERE id = ?",
                (JobState.QUEUED.value, end, job_id),
            )
        self.append_log(job_id, f"--- retry at {_now()}")
        return self.get(job_id)

    def remove(self, job_id: int) -> None:
        """Forget a job that is not running (its log file goes too)."""
        with self._tx() as db:
            job = self.get(job_id)
            if job.state is JobState.RUNNING:
                raise JobQueueError(Message("job {job_id} is running; cancel it first", job_id=str(job_id)))
            db.execute("DELETE FROM jobs WHERE id = ?", (job_id,))
        self.log_path(job_id).unlink(missing_ok=True)

    # --- for the runner ---------------------------------------------------------------------------------------------

    def claim_next(self, *, runner: str, only: Collection[int] | None = None) -> Job | None:
        """Mark the first queued job RUNNING for this runner, unless paused or ``max_parallel`` jobs already run."""
        if self.paused:
            return None
        with self._tx() as db:
            running = db.execute("SELECT COUNT(*) FROM jobs WHERE state = ?", (JobState.RUNNING.value,)).fetchone()[0]
            if running >= self.max_parallel:
                return None
            rows = db.execute("SELECT id, after FROM jobs WHERE state = ? ORDER BY position, id", (JobState.QUEUED.value,))
            ids = [r[0] for r in rows.fetchall() if (only is None or r[0] in only) and not _waiting(db, r[1])]
            if not ids:
                return None
            db.execute(
                "UPDATE jobs SET state = ?, started = ?, runner = ?, stage = 'starting', fraction = NULL WHERE id = ?",
                (JobState.RUNNING.value, _now(), runner, ids[0]),
            )
        return self.get(ids[0])

    def stuck(self, job: Job) -> bool:
        """A queued job that waits, directly or through queued jobs that wait in turn, for one that ended without success:
        nothing happens until that one is retried (or removed). In a recipe whose conversion failed, the quantization
        and the evaluation behind it are both stuck."""
        if job.state is not JobState.QUEUED:
            return False
        after, seen = job.after, {job.id}
        with self._lock:
            while after is not None and after not in seen:
                seen.add(after)
                row = self._db.execute("SELECT state, after FROM jobs WHERE id = ?", (after,)).fetchone()
                if row is None or row[0] == JobState.DONE.value:
                    return False
                state = JobState(row[0])
                if state.finished:
                    return True
                if state is not JobState.QUEUED:
                    return False  # it is running: the chain moves
                after = row[1]
        return False

    def set_worker(self, job_id: int, pid: int) -> None:
        with self._lock:
            self._db.execute("UPDATE jobs SET worker_pid = ? WHERE id = ?", (pid, job_id))

    def update_progress(self, job_id: int, *, stage: str, fraction: float | None, message: Text) -> None:
        """Record a progress event; the first event with a fraction starts the rate the ETA is computed from."""
        with self._lock:
            self._db.execute(
                "UPDATE jobs SET stage = ?, fraction = ?, message = ?, message_data = ?, "
                "rate_t0 = CASE WHEN rate_t0 IS NULL AND ? IS NOT NULL THEN ? ELSE rate_t0 END, "
                "rate_f0 = CASE WHEN rate_f0 IS NULL AND ? IS NOT NULL THEN ? ELSE rate_f0 END "
                "WHERE id = ? AND state = ?",
                (stage, fraction, str(message), _data(message), fraction, time.time(), fraction, fraction, job_id,
                 JobState.RUNNING.value),
            )  # fmt: skip

    def finish(
        self,
        job_id: int,
        state: JobState,
        *,
        error: Text = "",
        outputs: tuple[Path, ...] | list[Path] = (),
        result: dict[str, Any] | None = None,
    ) -> Job:
        """End a running job in ``state``."""
        with self._lock:
            self._db.execute(
                "UPDATE jobs SET state = ?, finished = ?, error = ?, error_data = ?, outputs = ?, result = ?, worker_pid = 0, "
                "cancel_requested = 0, fraction = CASE WHEN ? = 'done' THEN 1.0 ELSE fraction END WHERE id = ?",
                (state.value, _now(), str(error), _data(error), json.dumps([str(p) for p in outputs]),
                 json.dumps(result or {}), state.value, job_id),
            )  # fmt: skip
        return self.get(job_id)

    def append_log(self, job_id: int, text: str) -> None:
        """Add lines to the job's log file."""
        with open(self.log_path(job_id), "a", encoding="utf-8") as f:
            f.write(text if text.endswith("\n") else text + "\n")
