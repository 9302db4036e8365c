"""The SQLite store: migrations, schema versions, transactions, threads."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from app import store as store_module
from app.store import MIGRATIONS, Store, StoreError
from core.migrations import split_statements


def _tables(path: Path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        return {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    finally:
        conn.close()


def _user_version(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()


def test_new_database_is_migrated_to_the_latest_schema(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "modelwerk.db"
    with Store.open(path) as store:
        assert store.schema_version == len(MIGRATIONS) >= 1
        assert store.path == path
        assert store.fetchone("PRAGMA foreign_keys")[0] == 1  # type: ignore[index]
        assert str(store.fetchone("PRAGMA journal_mode")[0]).lower() == "wal"  # type: ignore[index]
    assert _user_version(path) == len(MIGRATIONS)
    assert "settings" in _tables(path)


def test_reopening_applies_nothing_again_and_keeps_data(tmp_path: Path) -> None:
    path = tmp_path / "modelwerk.db"
    with Store(path) as store:
        store.execute("INSERT INTO settings (key, value) VALUES (?, ?)", ("threads", "4"))
    with Store(path) as store:  # a re-run of migration 1 would fail: the table exists
        assert store.schema_version == len(MIGRATIONS)
        row = store.fetchone("SELECT value FROM settings WHERE key = ?", ("threads",))
        assert row is not None
        assert row["value"] == "4"


def test_only_pending_migrations_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "modelwerk.db"
    Store(path).close()
    extra = "CREATE TABLE extra (id INTEGER PRIMARY KEY); INSERT INTO extra (id) VALUES (1);"
    monkeypatch.setattr(store_module, "MIGRATIONS", [*MIGRATIONS, extra])
    with Store(path) as store:
        assert store.schema_version == len(MIGRATIONS) + 1
        assert store.fetchall("SELECT id FROM extra")[0][0] == 1
    with Store(path) as store:  # and not again
        assert len(store.fetchall("SELECT id FROM extra")) == 1


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "modelwerk.db"
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 3}")
    conn.close()
    with pytest.raises(StoreError) as info:
        Store(path)
    message = str(info.value)
    assert f"was written by a newer Modelwerk (schema {len(MIGRATIONS) + 3})" in message
    assert "update Modelwerk or use another MODELWERK_HOME" in message
    assert "\n" not in message
    assert _user_version(path) == len(MIGRATIONS) + 3  # untouched


def test_failing_migration_rolls_back_and_raises(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "modelwerk.db"
    Store(path).close()
    bad = """
        CREATE TABLE half_done (id INTEGER);
        INSERT INTO settings (key, value) VALUES ('threads', '2');
        INSERT INTO no_such_table VALUES (1);
    """
    monkeypatch.setattr(store_module, "MIGRATIONS", [*MIGRATIONS, bad])
    with pytest.raises(StoreError) as info:
        Store(path)
    message = str(info.value)
    assert f"to schema {len(MIGRATIONS) + 1}" in message
    assert "no such table" in message
    assert "\n" not in message
    assert isinstance(info.value.__cause__, sqlite3.Error)
    # Nothing of the bad migration stuck: no table, no row, version unchanged.
    assert "half_done" not in _tables(path)
    assert _user_version(path) == len(MIGRATIONS)
    monkeypatch.setattr(store_module, "MIGRATIONS", MIGRATIONS)
    with Store(path) as store:
        assert store.fetchall("SELECT * FROM settings") == []


def test_failing_first_migration_leaves_an_empty_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "modelwerk.db"
    monkeypatch.setattr(store_module, "MIGRATIONS", ["CREATE TABLE ok (id INTEGER);", "CREATE TABLE ok (id INTEGER);"])
    with pytest.raises(StoreError, match="to schema 2"):
        Store(path)
    assert _user_version(path) == 1  # migration 1 committed on its own; 2 rolled back
    assert _tables(path) == {"ok"}


def test_not_a_database_is_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "modelwerk.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="Cannot open the database"):
        Store(path)


def test_sql_errors_become_store_errors(tmp_path: Path) -> None:
    with Store(tmp_path / "modelwerk.db") as store, pytest.raises(StoreError, match="no such table"):
        store.fetchall("SELECT * FROM missing_table")


def test_foreign_keys_are_enforced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    schema = """
        CREATE TABLE parent (id INTEGER PRIMARY KEY);
        CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL REFERENCES parent (id));
    """
    monkeypatch.setattr(store_module, "MIGRATIONS", [*MIGRATIONS, schema])
    with Store(tmp_path / "modelwerk.db") as store, pytest.raises(StoreError, match="FOREIGN KEY"):
        store.execute("INSERT INTO child (parent_id) VALUES (42)")


def test_transaction_commits_or_rolls_back(tmp_path: Path) -> None:
    with Store(tmp_path / "modelwerk.db") as store:
        with store.transaction():
            store.execute("INSERT INTO settings VALUES ('a', '1')")
            with store.transaction():  # nested blocks join the outer one
                store.execute("INSERT INTO settings VALUES ('b', '2')")
        with pytest.raises(RuntimeError), store.transaction():
            store.execute("INSERT INTO settings VALUES ('c', '3')")
            raise RuntimeError("boom")
        keys = [row["key"] for row in store.fetchall("SELECT key FROM settings ORDER BY key")]
        assert keys == ["a", "b"]


def test_close_is_idempotent_and_use_after_close_is_an_error(tmp_path: Path) -> None:
    store = Store(tmp_path / "modelwerk.db")
    store.close()
    store.close()
    assert store.closed
    with pytest.raises(StoreError, match="closed"):
        store.fetchall("SELECT * FROM settings")


def test_other_threads_can_read_and_write(tmp_path: Path) -> None:
    errors: list[BaseException] = []
    with Store(tmp_path / "modelwerk.db") as store:

        def work(n: int) -> None:
            try:
                for i in range(20):
                    store.execute("INSERT OR REPLACE INTO settings VALUES (?, ?)", (f"k{n}-{i}", str(i)))
                    store.fetchall("SELECT * FROM settings")
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert store.fetchone("SELECT COUNT(*) FROM settings")[0] == 80  # type: ignore[index]


def test_split_statements_respects_strings_comments_and_triggers() -> None:
    script = """
        -- a comment; with a semicolon
        CREATE TABLE t (v TEXT DEFAULT 'x;y');  INSERT INTO t VALUES ('a;b');
        CREATE TRIGGER tr AFTER INSERT ON t BEGIN
            UPDATE t SET v = 'z' WHERE v = 'q';
        END;
        -- trailing note
    """
    statements = split_statements(script)
    assert len(statements) == 3
    assert statements[1] == "INSERT INTO t VALUES ('a;b');"
    assert statements[2].startswith("CREATE TRIGGER") and statements[2].endswith("END;")
