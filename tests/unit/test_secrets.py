"""Endpoint API keys live in the system keyring, or in a 0600 file in the 0700 data folder, never in the database; the
database and the log are the user's alone (0600) whatever the umask."""

from __future__ import annotations

import logging
import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.errors
import platformdirs
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail

from app import keystore, paths
from app import store as store_module
from app.chat.endpoints import Endpoints
from app.keystore import FALLBACK_NAME, SERVICE, KeyStore
from app.logs import setup_logging, shutdown_logging
from app.store import MIGRATIONS, Store, StoreError

KEY = "sk-live-0123456789abcdef-SECRET"
OTHER = "sk-other-fedcba9876543210-SECRET"


class MemoryKeyring(KeyringBackend):
    """A system keyring that keeps passwords in a dict."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.passwords.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError(username)


class LockedKeyring(MemoryKeyring):
    """A keyring that is there but refuses writes (a locked collection, a denied prompt)."""

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.PasswordSetError("the collection is locked")


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    yield
    os.umask(old)


def _use_system_keyring(backend: KeyringBackend) -> Iterator[KeyringBackend]:
    before = keyring.get_keyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(before)


@pytest.fixture
def memory_keyring() -> Iterator[KeyringBackend]:
    yield from _use_system_keyring(MemoryKeyring())


@pytest.fixture
def no_keyring() -> Iterator[KeyringBackend]:
    yield from _use_system_keyring(fail.Keyring())  # type: ignore[no-untyped-call]


@pytest.fixture(autouse=True)
def fresh_announcements(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keystore, "_announced", set())


def _db_bytes(db: Path) -> bytes:
    """The database and whatever SQLite keeps beside it (WAL, shared memory)."""
    return b"".join(p.read_bytes() for p in db.parent.iterdir() if p.name.startswith(db.name))


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")


def test_without_a_keyring_the_key_goes_to_a_private_file_not_the_database(
    no_keyring: KeyringBackend, umask_022: None, caplog: pytest.LogCaptureFixture
) -> None:
    db = paths.database_path()
    with Store(db) as store:
        endpoints = Endpoints(store)
        assert endpoints.keys.notice == f"No system keyring: the key is kept in {paths.data_dir() / FALLBACK_NAME}, " \
                                         "readable only by you."  # fmt: skip
        first = endpoints.add("vLLM", "http://gpu-box:8000", api_key=KEY)
        endpoints.add("other", "http://other:8000", api_key=OTHER)
        assert KEY.encode() not in _db_bytes(db) and OTHER.encode() not in _db_bytes(db)
    key_file = paths.data_dir() / FALLBACK_NAME
    assert KEY in key_file.read_text(encoding="utf-8")
    said = [r.getMessage() for r in caplog.records if "No system keyring" in r.getMessage()]
    assert said == [f"No system keyring: the key is kept in {key_file}, readable only by you."]  # once, not per key
    assert KEY not in caplog.text and KEY not in repr(first)

    with Store(db) as store:  # a later session reads it back
        assert Endpoints(store).get(first.id).api_key == KEY
    if os.name == "posix":
        assert _mode(key_file) == 0o600 and _mode(paths.data_dir()) == 0o700


def test_with_a_keyring_the_key_goes_there(memory_keyring: MemoryKeyring, tmp_path: Path) -> None:
    db = tmp_path / "data" / "modelwerk.db"
    with Store(db) as store:
        endpoints = Endpoints(store)
        added = endpoints.add("vLLM", "http://gpu-box:8000", api_key=f" {KEY} ")
        assert endpoints.keys.uses_keyring and endpoints.keys.notice == ""
        assert list(memory_keyring.passwords.values()) == [KEY]
        ((service, ref),) = memory_keyring.passwords
        assert service == SERVICE and ref.startswith("endpoint-") and KEY not in ref
        assert not (db.parent / FALLBACK_NAME).exists()
        assert KEY.encode() not in _db_bytes(db)

        endpoints.update(added.id, api_key=OTHER)
        assert list(memory_keyring.passwords.values()) == [OTHER]
        assert Endpoints(store).get(added.id).api_key == OTHER  # a fresh reader, no cache
        endpoints.update(added.id, api_key="")
        assert memory_keyring.passwords == {} and not endpoints.get(added.id).has_key
        endpoints.update(added.id, api_key=KEY)
        endpoints.remove(added.id)
        assert memory_keyring.passwords == {}
        assert OTHER.encode() not in _db_bytes(db) and KEY.encode() not in _db_bytes(db)


def test_a_keyring_that_refuses_the_key_falls_back_to_the_file(tmp_path: Path) -> None:
    keys = KeyStore(tmp_path, backend=LockedKeyring())
    keys.set("endpoint-1", KEY)
    assert KeyStore(tmp_path, backend=LockedKeyring()).get("endpoint-1") == KEY
    keys.delete("endpoint-1")
    assert KeyStore(tmp_path, backend=None).get("endpoint-1") == ""


def _schema_6_with_a_plain_key(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A database as Modelwerk left it before keys moved out: the key in the endpoints table."""
    with monkeypatch.context() as m:
        m.setattr(store_module, "MIGRATIONS", MIGRATIONS[:6])
        with Store(db) as store:
            store.execute("INSERT INTO endpoints (name, url, api_key, added) VALUES ('old', 'http://old:8000/v1', ?, 'x')",
                          (KEY,))  # fmt: skip
            store.execute("INSERT INTO endpoints (name, url, api_key, added) VALUES ('keyless', 'http://o:1/v1', '', 'x')")
    assert KEY.encode() in _db_bytes(db)  # the attack's precondition: the key is readable in the file


@pytest.mark.parametrize("where", ["keyring", "file"])
def test_the_migration_moves_plain_keys_out_of_the_database(
    where: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    backend: KeyringBackend = MemoryKeyring() if where == "keyring" else fail.Keyring()  # type: ignore[no-untyped-call]
    restore = _use_system_keyring(backend)
    next(restore)
    try:
        db = tmp_path / "modelwerk.db"
        _schema_6_with_a_plain_key(db, monkeypatch)
        with Store(db) as store:
            assert store.schema_version == len(MIGRATIONS)
            old, keyless = Endpoints(store).list()
            assert old.api_key == KEY and not keyless.has_key
            assert store.fetchall("SELECT id FROM endpoints WHERE api_key != ''") == []
        assert KEY.encode() not in _db_bytes(db)
        if where == "keyring":
            assert isinstance(backend, MemoryKeyring) and list(backend.passwords.values()) == [KEY]
            assert not (tmp_path / FALLBACK_NAME).exists()
        else:
            assert KEY in (tmp_path / FALLBACK_NAME).read_text(encoding="utf-8")
    finally:
        next(restore, None)


def test_a_migration_that_cannot_store_the_key_keeps_it_in_the_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "modelwerk.db"
    _schema_6_with_a_plain_key(db, monkeypatch)

    def broken(self: KeyStore, ref: str, value: str) -> None:
        raise keystore.KeyStoreError("disk full")

    monkeypatch.setattr(KeyStore, "set", broken)
    with pytest.raises(StoreError, match="schema 7: disk full"):
        Store(db)
    with sqlite3.connect(db) as conn:  # rolled back: schema 6, the key where it was
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 6
        assert conn.execute("SELECT api_key FROM endpoints WHERE name = 'old'").fetchone()[0] == KEY


@posix_only
def test_database_and_log_are_private_under_umask_022(umask_022: None, tmp_path: Path) -> None:
    db = paths.database_path()
    with Store(db) as store:
        store.execute("INSERT INTO settings VALUES ('k', '1')")
        assert _mode(db) == 0o600 and _mode(Path(f"{db}-wal")) == 0o600
    assert _mode(paths.data_dir()) == 0o700
    log = setup_logging(paths.log_dir())
    try:
        logging.getLogger("app").warning("x")
        assert _mode(log) == 0o600 and _mode(log.parent) == 0o700
        handler = next(h for h in logging.getLogger().handlers if getattr(h, "baseFilename", None) == str(log))
        assert isinstance(handler, logging.handlers.RotatingFileHandler)
        handler.doRollover()  # the next log, after a rotation, too
        assert _mode(log) == 0o600 and _mode(Path(f"{log}.1")) == 0o600
    finally:
        shutdown_logging()


@posix_only
def test_an_older_world_readable_database_and_data_folder_are_tightened(
    umask_022: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MODELWERK_HOME")
    default = tmp_path / "platform" / "Modelwerk"
    default.mkdir(parents=True, mode=0o755)
    monkeypatch.setattr(platformdirs, "user_data_dir", lambda appname, appauthor=None: str(default))
    sqlite3.connect(default / "modelwerk.db").close()
    (default / "modelwerk.db").chmod(0o644)
    assert paths.data_dir() == default and _mode(default) == 0o700
    Store(paths.database_path()).close()
    assert _mode(default / "modelwerk.db") == 0o600
