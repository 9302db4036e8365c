"""The one SQLite database (catalog, downloads, jobs, chats, settings) and its migrations.

The schema version lives in ``PRAGMA user_version``: version N means ``MIGRATIONS[:N]`` have been
applied; core.migrations runs them (the same runner as the job queue's file). Migrations are only ever appended,
never edited, once released. A migration is an SQL script, or a Python function of the connection and the
database's path for what SQL cannot do (moving keys to the keyring).

The file is the user's alone (0600, its WAL too, whatever the umask), holds no secrets (see app.keystore), and
deleted content is overwritten (``secure_delete``), so a key moved out does not linger in free pages.
"""

from __future__ import annotations

import configparser
import json
import logging
import os
import sqlite3
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from types import TracebackType
from typing import Any, TypeAlias

from app.keystore import KeyStore, KeyStoreError, new_ref
from core.errors import ModelwerkError
from core.messages import N_, Message
from core.migrations import Migration, MigrationError, migrate
from core.migrations import one_line as _one_line

_log = logging.getLogger(__name__)

Params: TypeAlias = Sequence[Any] | Mapping[str, Any]
FILE_MODE = 0o600

# Seconds a statement waits for a lock held by another process (a quantize worker shares the file).
BUSY_TIMEOUT_S = 10.0


def _move_endpoint_keys(conn: sqlite3.Connection, db_path: Path) -> None:
    """7: endpoint API keys leave the database for the system keyring (or the private key file); ``key_ref`` names them.

    Each key is stored and read back before its column is emptied, all in the migration's transaction: if the key
    store fails, the migration rolls back and the keys stay where they were. None is ever lost.
    """
    conn.execute("ALTER TABLE endpoints ADD COLUMN key_ref TEXT NOT NULL DEFAULT ''")
    rows = conn.execute("SELECT id, api_key FROM endpoints WHERE api_key != ''").fetchall()
    if not rows:
        return
    keys = KeyStore(db_path.parent)
    for row in rows:
        ref, key = new_ref("endpoint"), str(row[1])
        keys.set(ref, key)
        if keys.get(ref) != key:
            raise sqlite3.OperationalError("an endpoint key could not be stored outside the database")
        conn.execute("UPDATE endpoints SET api_key = '', key_ref = ? WHERE id = ?", (ref, row[0]))
    _log.info("Moved %d endpoint key(s) out of the database (%s)", len(rows),
              "system keyring" if keys.uses_keyring else keys.file)  # fmt: skip


# The import dialog's choices as QSettings wrote them to ui.ini (section "import", keys "mode" and "ask").
_UI_INI = "ui.ini"
_IMPORT_MODES = ("copy", "move", "in_place")  # app.settings.IMPORT_MODES (app.store stays below app.settings)
_JOBS_DB = "jobs.db"  # app.jobs.JOBS_DB
_MAX_PARALLEL_JOBS = 8  # app.settings.MAX_PARALLEL_JOBS


def _ini_text(value: str) -> str:
    """A QSettings INI value as text: a quoted string loses its quotes (QSettings quotes one with special characters)."""
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    return value


def _ini_bool(value: str) -> bool:
    """QVariant's string-to-bool: false for "", "0" and "false" (any case), true otherwise."""
    return _ini_text(value).lower() not in ("", "0", "false")


def _read_ui_ini(path: Path) -> dict[str, object]:
    """The import choices stored in ``ui.ini`` (by an older Modelwerk) as settings; {} when there is none or it cannot be
    read (a value not worth failing the database upgrade for: the user is asked again)."""
    # [DEFAULT] is no special section to Qt: no section lends its keys to the others here.
    ini = configparser.ConfigParser(interpolation=None, strict=False, default_section=" no defaults ")
    ini.optionxform = str  # type: ignore[assignment,method-assign]  # QSettings keys are case-sensitive
    try:
        with path.open(encoding="utf-8", errors="replace") as f:
            ini.read_file(f)
    except FileNotFoundError:
        return {}
    except (OSError, configparser.Error) as exc:
        _log.warning("Not moving the import choices out of %s: %s", path, _one_line(exc))
        return {}
    if not ini.has_section("import"):
        return {}
    found: dict[str, object] = {}
    section = ini["import"]
    if "mode" in section:
        mode = _ini_text(section["mode"])
        if mode in _IMPORT_MODES:
            found["import_mode"] = mode
        else:
            _log.warning("Ignoring the import mode %r in %s (not one of %s)", mode, path, ", ".join(_IMPORT_MODES))
    if "ask" in section:
        found["import_ask"] = _ini_bool(section["ask"])
    return found


def _read_jobs_parallel(path: Path) -> int | None:
    """The job queue's parallel limit as an older Modelwerk kept it in ``jobs.db`` (``jobs_meta.max_parallel``), or None
    when there is none. The file is only read, never changed (a ``modelwerk quantize`` may have it open)."""
    if not path.is_file():
        return None
    try:
        jobs = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_S)
        try:
            row = jobs.execute("SELECT value FROM jobs_meta WHERE key = 'max_parallel'").fetchone()
        finally:
            jobs.close()
    except sqlite3.Error as exc:  # no jobs_meta table, not a database, unreadable: nothing to move
        _log.warning("Not moving the parallel job limit out of %s: %s", path, _one_line(exc))
        return None
    if row is None:
        return None
    try:
        number = int(str(row[0]).strip())
    except ValueError:
        _log.warning("Ignoring the parallel job limit %r in %s", row[0], path)
        return None
    return min(max(number, 1), _MAX_PARALLEL_JOBS)


def _move_preferences(conn: sqlite3.Connection, db_path: Path) -> None:
    """8: the preferences kept elsewhere join the settings table (see app.settings): the import dialog's mode and "ask
    every time" from ``ui.ini`` (QSettings), the job queue's parallel limit from ``jobs.db``. Read once; a value the
    table has already is kept; the old copies are left where they were (read by no one now, and by an older Modelwerk
    sharing the data folder still)."""
    moved: dict[str, object] = _read_ui_ini(db_path.parent / _UI_INI)
    parallel = _read_jobs_parallel(db_path.parent / _JOBS_DB)
    if parallel is not None:
        moved["parallel_jobs"] = parallel
    for key, value in moved.items():
        conn.execute("INSERT OR IGNORE INTO settings (key, value) VALUES (?, ?)", (key, json.dumps(value)))
    if moved:
        _log.info("Moved preferences into the settings table: %s", ", ".join(sorted(moved)))


MIGRATIONS: list[Migration] = [
    # 1: user settings, one JSON-encoded value per key (see app.settings).
    """
    CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    """,
    # 2: the model catalog (app.library.catalog): one row per model (a file, a split GGUF set or a folder).
    """
    CREATE TABLE models (
        id             INTEGER PRIMARY KEY AUTOINCREMENT,
        name           TEXT    NOT NULL,
        format         TEXT    NOT NULL,
        path           TEXT    NOT NULL UNIQUE,
        files          TEXT    NOT NULL,  -- JSON list of absolute paths
        size_bytes     INTEGER NOT NULL,
        architecture   TEXT    NOT NULL DEFAULT '',
        n_params       INTEGER NOT NULL DEFAULT 0,
        quantization   TEXT    NOT NULL DEFAULT '',
        context_length INTEGER NOT NULL DEFAULT 0,
        has_template   INTEGER NOT NULL DEFAULT 0,
        source         TEXT    NOT NULL DEFAULT '',
        added          TEXT    NOT NULL,  -- ISO 8601, UTC
        last_used      TEXT,
        sha256         TEXT,
        missing        INTEGER NOT NULL DEFAULT 0,
        mtime          REAL    NOT NULL DEFAULT 0
    );
    CREATE INDEX models_size_sha256 ON models (size_bytes, sha256);
    """,
    # 3: the download queue (app.hub.downloads): one row per model being downloaded (a file, split parts or a folder).
    """
    CREATE TABLE downloads (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        repo_id     TEXT    NOT NULL,
        revision    TEXT    NOT NULL DEFAULT 'main',
        name        TEXT    NOT NULL,
        quant       TEXT    NOT NULL DEFAULT '',
        files       TEXT    NOT NULL,  -- JSON list of {"path", "size", "sha256"}, in download order
        dest_dir    TEXT    NOT NULL,
        state       TEXT    NOT NULL,  -- queued, running, paused, done, failed, cancelled
        done_bytes  INTEGER NOT NULL DEFAULT 0,
        total_bytes INTEGER NOT NULL DEFAULT 0,
        error       TEXT    NOT NULL DEFAULT '',
        model_id    INTEGER,           -- the catalog entry once registered; no foreign key: history outlives the model
        owner_pid   INTEGER,           -- the process running it, so a second Modelwerk leaves it alone
        position    INTEGER NOT NULL,
        added       TEXT    NOT NULL,  -- ISO 8601, UTC
        updated     TEXT    NOT NULL
    );
    CREATE INDEX downloads_state ON downloads (state, position);
    """,
    # 4: chats (app.chat.sessions, app.chat.endpoints, app.chat.elo): conversations and their messages, remote
    # OpenAI-compatible endpoints, and compare votes.
    """
    CREATE TABLE conversations (
        id            INTEGER PRIMARY KEY AUTOINCREMENT,
        model_key     TEXT    NOT NULL,  -- "model:<catalog id>" or "endpoint:<endpoint id>/<model name>"
        title         TEXT    NOT NULL DEFAULT '',
        system_prompt TEXT    NOT NULL DEFAULT '',
        sampling      TEXT    NOT NULL DEFAULT '{}',  -- JSON of app.chat.messages.Sampling
        reasoning     TEXT    NOT NULL DEFAULT 'off', -- off, native, prompted
        created       TEXT    NOT NULL,  -- ISO 8601, UTC
        updated       TEXT    NOT NULL
    );
    CREATE INDEX conversations_model ON conversations (model_key, updated);
    CREATE TABLE messages (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        position        INTEGER NOT NULL,
        role            TEXT    NOT NULL,  -- system, user, assistant
        content         TEXT    NOT NULL DEFAULT '',
        thinking        TEXT    NOT NULL DEFAULT '',
        stats           TEXT,              -- JSON of app.chat.messages.AnswerStats, or NULL
        state           TEXT    NOT NULL DEFAULT 'done',  -- done, streaming, error, cancelled
        error           TEXT    NOT NULL DEFAULT '',      -- the one-line reason of an 'error' message
        created         TEXT    NOT NULL,
        updated         TEXT    NOT NULL,
        UNIQUE (conversation_id, position)
    );
    CREATE INDEX messages_state ON messages (state);
    CREATE TABLE endpoints (
        id      INTEGER PRIMARY KEY AUTOINCREMENT,
        name    TEXT    NOT NULL,
        url     TEXT    NOT NULL,  -- normalised base URL ending in /v1
        api_key TEXT    NOT NULL DEFAULT '',  -- emptied by migration 7: keys live in app.keystore (key_ref)
        added   TEXT    NOT NULL
    );
    CREATE TABLE votes (
        id      INTEGER PRIMARY KEY AUTOINCREMENT,
        prompt  TEXT    NOT NULL,
        model_a TEXT    NOT NULL,
        model_b TEXT    NOT NULL,
        winner  TEXT    NOT NULL CHECK (winner IN ('a', 'b', 'tie', 'both_bad')),
        created TEXT    NOT NULL
    );
    """,
    # 5: a conversation's System 2 settings: the thinking budget (tokens) and the prompted strategy.
    """
    ALTER TABLE conversations ADD COLUMN thinking_budget INTEGER NOT NULL DEFAULT 1024;
    ALTER TABLE conversations ADD COLUMN strategy TEXT NOT NULL DEFAULT 'budget'; -- budget, draft_critique_revise, vote
    """,
    # 6: Discover's "Quantize it myself": the types a downloaded original is to be quantized to once it is in the Library
    # (comma-separated; '' when none, or once the recipe is in the job queue).
    """
    ALTER TABLE downloads ADD COLUMN then_quantize TEXT NOT NULL DEFAULT '';
    """,
    # 7: endpoint API keys out of the database.
    _move_endpoint_keys,
    # 8: one place for preferences: the import choices (ui.ini) and the parallel job limit (jobs.db) into settings.
    _move_preferences,
    # 9: chat with documents: a conversation's attached collection, and the sources each answer from it was given.
    """
    ALTER TABLE conversations ADD COLUMN attachment TEXT NOT NULL DEFAULT ''; -- JSON of app.chat.attachments.Attachment
    ALTER TABLE messages ADD COLUMN sources TEXT;  -- JSON of app.chat.attachments.AnswerSources, or NULL
    """,
    # 10: tools in the chat: the tools a conversation's model may call, and the tool steps of each answer.
    """
    ALTER TABLE conversations ADD COLUMN tools TEXT NOT NULL DEFAULT ''; -- JSON of app.chat.toolset.ToolSet
    ALTER TABLE messages ADD COLUMN steps TEXT;  -- JSON list of app.tools.loop.Step.to_json(), or NULL
    """,
]


class StoreError(ModelwerkError):
    """The database could not be opened, migrated or used; the message is one line for the user."""

    hint = N_("check the data folder (MODELWERK_HOME): its space, permissions, and that no newer Modelwerk wrote it")


def _make_private_file(path: Path) -> None:
    """Create the database file 0600 (SQLite would make it 0644 under a usual umask; its WAL copies its mode)."""
    with suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    if os.name == "posix":
        for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            try:
                if p.stat().st_mode & 0o077:
                    p.chmod(FILE_MODE)  # one an older Modelwerk made
            except OSError:
                pass  # no WAL yet, or not ours to change


class Store:
    """The Modelwerk database: one connection, schema migrated on open.

    Thread safety: one connection opened with ``check_same_thread=False`` and guarded by a
    re-entrant lock, rather than one connection per thread. Pool threads come and go, and
    per-thread connections would outlive them unclosed (holding WAL readers open) and could not be
    closed by ``close()`` from the GUI thread; the statements here are tiny, so serialising them
    costs nothing. The lock is held for a whole ``transaction()`` block.
    """

    def __init__(self, path: Path) -> None:
        """Open (creating if needed) the database at ``path`` and apply pending migrations.

        Raises:
            StoreError: the file cannot be opened, is not a database, was written by a newer
                Modelwerk, or a migration failed (that migration is rolled back).
        """
        self._path = Path(path)
        self._lock = threading.RLock()
        self._depth = 0
        try:
            self._path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            _make_private_file(self._path)
            # isolation_level=None: no implicit BEGINs; transactions are explicit (see transaction()).
            conn = sqlite3.connect(str(self._path), timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(Message("Cannot open the database {path}: {reason}", path=str(self._path),
                                     reason=str(_one_line(exc)))) from exc
        self._conn: sqlite3.Connection | None = conn
        try:
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA secure_delete = ON")
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                # Some network filesystems refuse WAL; the store still works, just with less concurrency.
                _log.warning("SQLite kept journal mode %s for %s (WAL unavailable)", mode, self._path)
            else:
                # A commit without an fsync (the WAL is synced at checkpoints): a write on the GUI thread (a chat
                # message) costs microseconds, not milliseconds. Safe against a crash of the app; a power cut may lose
                # the last moments, never corrupt the file.
                conn.execute("PRAGMA synchronous = NORMAL")
            self._migrate()
        except sqlite3.Error as exc:
            self.close()
            raise StoreError(Message("Cannot open the database {path}: {reason}", path=str(self._path),
                                     reason=str(_one_line(exc)))) from exc
        except BaseException:
            self.close()
            raise

    @classmethod
    def open(cls, path: Path) -> Store:
        """Open the database at ``path``; same as ``Store(path)``."""
        return cls(path)

    @property
    def path(self) -> Path:
        """The database file."""
        return self._path

    @property
    def schema_version(self) -> int:
        """The schema version recorded in the file (``PRAGMA user_version``)."""
        row = self.fetchone("PRAGMA user_version")
        assert row is not None
        return int(row[0])

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StoreError(Message("The database {path} is closed", path=str(self._path)))
        return self._conn

    def _migrate(self) -> None:
        conn = self._connection()
        try:
            migrated = migrate(conn, MIGRATIONS, path=self._path, what="the database", expected=(KeyStoreError,))
        except MigrationError as exc:
            raise StoreError(str(exc), path=self._path) from (exc.__cause__ or exc)
        if migrated:
            # Frames written before the upgrade (a key, say) leave the WAL file too.
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement and return the number of rows it changed.

        Outside ``transaction()`` the statement commits on its own.

        Raises:
            StoreError: SQLite refused the statement.
        """
        with self._lock:
            conn = self._connection()
            try:
                return conn.execute(sql, params).rowcount
            except sqlite3.Error as exc:
                raise StoreError(Message("Database error in {path}: {reason}", path=str(self._path),
                                         reason=str(_one_line(exc)))) from exc

    def executemany(self, sql: str, rows: Sequence[Params]) -> None:
        """Run one statement once per parameter set (wrap in ``transaction()`` for atomicity)."""
        with self._lock:
            conn = self._connection()
            try:
                conn.executemany(sql, rows)
            except sqlite3.Error as exc:
                raise StoreError(Message("Database error in {path}: {reason}", path=str(self._path),
                                         reason=str(_one_line(exc)))) from exc

    def fetchone(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        """Run a query and return its first row (columns by index or name), or None."""
        with self._lock:
            conn = self._connection()
            try:
                row: sqlite3.Row | None = conn.execute(sql, params).fetchone()
            except sqlite3.Error as exc:
                raise StoreError(Message("Database error in {path}: {reason}", path=str(self._path),
                                         reason=str(_one_line(exc)))) from exc
            return row

    def fetchall(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        """Run a query and return all its rows (columns by index or name)."""
        with self._lock:
            conn = self._connection()
            try:
                rows: list[sqlite3.Row] = conn.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise StoreError(Message("Database error in {path}: {reason}", path=str(self._path),
                                         reason=str(_one_line(exc)))) from exc
            return rows

    @contextmanager
    def transaction(self) -> Iterator[Store]:
        """Group statements atomically: commit on success, roll back on any exception.

        Other threads wait until the block ends. Nested blocks join the outer transaction.

        Raises:
            StoreError: the transaction could not begin or commit.
        """
        with self._lock:
            conn = self._connection()
            if self._depth:
                self._depth += 1
                try:
                    yield self
                finally:
                    self._depth -= 1
                return
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise StoreError(Message("Database error in {path}: {reason}", path=str(self._path),
                                         reason=str(_one_line(exc)))) from exc
            self._depth = 1
            try:
                yield self
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            else:
                try:
                    conn.execute("COMMIT")
                except sqlite3.Error as exc:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise StoreError(Message("Database error in {path}: {reason}", path=str(self._path),
                                             reason=str(_one_line(exc)))) from exc
            finally:
                self._depth = 0

    def close(self) -> None:
        """Close the connection; further use raises StoreError. Closing twice is harmless."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    @property
    def closed(self) -> bool:
        """Whether ``close()`` has been called."""
        return self._conn is None

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({str(self._path)!r})"
