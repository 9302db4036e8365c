"""The one schema migration runner, for every SQLite file: the app's database (app.store) and the job queue's own file
(quantize.queue, which workers open without the app).

The schema version lives in ``PRAGMA user_version``: version N means ``migrations[:N]`` have been applied. Migrations are
only ever appended, never edited, once released. A migration is an SQL script, or a Python function of the connection and
the database's path for what SQL cannot do. Each runs in its own ``BEGIN IMMEDIATE`` transaction with the version bump, so
two processes opening the file at once never apply one twice, and a failed step is rolled back whole.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeAlias

from core.errors import ModelwerkError
from core.messages import N_

_log = logging.getLogger(__name__)

Migration: TypeAlias = "str | Callable[[sqlite3.Connection, Path], None]"


class MigrationError(ModelwerkError):
    """A database could not be upgraded (or was written by a newer Modelwerk); the message is one line."""

    hint = N_("update Modelwerk, or use another MODELWERK_HOME")


class NewerSchema(MigrationError):
    """The file's schema is newer than this Modelwerk knows."""


def one_line(exc: BaseException) -> str:
    """An exception's text with all whitespace folded, for a message of one line."""
    return " ".join(str(exc).split()) or type(exc).__name__


def split_statements(script: str) -> list[str]:
    """Split an SQL script into complete statements.

    ``sqlite3.complete_statement`` understands string literals, comments and trigger bodies, so a ``;`` inside any of them
    does not end a statement.

    Args:
        script: one or more SQL statements.

    Returns:
        The statements, stripped, without empty ones.
    """
    statements: list[str] = []
    start = 0
    pos = script.find(";")
    while pos != -1:
        candidate = script[start : pos + 1]
        if sqlite3.complete_statement(candidate):
            if candidate.strip(" \t\r\n;"):
                statements.append(candidate.strip())
            start = pos + 1
        pos = script.find(";", pos + 1)
    tail = script[start:].strip()
    if tail and not _is_only_comments(tail):
        statements.append(tail)
    return statements


def _is_only_comments(text: str) -> bool:
    # A trailing "-- note" after the last statement is not a statement.
    lines = [line.strip() for line in text.splitlines()]
    return all(not line or line.startswith("--") for line in lines)


def schema_version(conn: sqlite3.Connection) -> int:
    """The schema version recorded in the file (``PRAGMA user_version``)."""
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(
    conn: sqlite3.Connection,
    migrations: Sequence[Migration],
    *,
    path: Path,
    what: str = "the database",
    expected: tuple[type[BaseException], ...] = (),
) -> bool:
    """Apply the pending ``migrations`` to ``conn`` (opened with ``isolation_level=None``); returns whether any ran.

    Args:
        conn: the connection, outside any transaction.
        migrations: the file's migrations, in order.
        path: the database file (passed to Python migrations, and named in messages).
        what: how messages name the file, e.g. "the job queue".
        expected: exception types a Python migration may raise besides ``sqlite3.Error`` that mean "this step failed"
            (they become a MigrationError and the step is rolled back).

    Raises:
        NewerSchema: the file was written by a newer Modelwerk.
        MigrationError: a migration failed; it was rolled back and the file stays at the previous version.
    """
    target = len(migrations)
    failures: tuple[type[BaseException], ...] = (sqlite3.Error, *expected)
    migrated = False
    while True:
        # BEGIN IMMEDIATE takes the write lock before reading the version, so two processes
        # starting at once cannot both apply the same migration.
        conn.execute("BEGIN IMMEDIATE")
        try:
            version = schema_version(conn)
            if version > target:
                raise NewerSchema(f"{what[:1].upper()}{what[1:]} {path} was written by a newer Modelwerk (schema {version}); "
                                  "update Modelwerk or use another MODELWERK_HOME", path=path)  # fmt: skip
            if version == target:
                conn.execute("COMMIT")
                return migrated
            step = version + 1
            migration = migrations[version]
            try:
                if callable(migration):
                    migration(conn, path)
                else:
                    for statement in split_statements(migration):
                        conn.execute(statement)
                # PRAGMA values cannot be bound parameters; step is an int we computed.
                conn.execute(f"PRAGMA user_version = {step:d}")
            except failures as exc:
                raise MigrationError(f"Cannot upgrade {what} {path} to schema {step}: {one_line(exc)}", path=path) from exc
            conn.execute("COMMIT")
            migrated = True
            _log.info("%s %s migrated to schema %d", what, path, step)
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
