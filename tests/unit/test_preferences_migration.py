"""Migration 8 of app.store: the preferences kept in ui.ini (import choices) and jobs.db (parallel job limit) move into
the settings table, once, and nothing the user chose is lost."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from app import paths
from app.jobs import jobs_db_path
from app.library.importer import ImportMode
from app.settings import IMPORT_MODES, Settings, load_settings, save_setting
from app.store import MIGRATIONS, Store
from app.workbench import Workbench
from core.migrations import migrate
from quantize.queue import JobQueue

# What QSettings (IniFormat) writes for the import dialog's choices next to the window's blobs.
UI_INI = r"""[import]
ask=false
mode=in_place

[window]
geometry=@Variant(\0\0\0\x7f\0\0\0\x18PySide::PyObjectWrapper\0\0\0\0\x14\x80\x4\x95\t\0\0\0\0\0\0\0\x43\x5\x1\x2%ab\x94.)
page=3
"""


def _old_jobs_db(path: Path, max_parallel: str | None) -> None:
    """jobs.db as an older Modelwerk wrote it: the parallel limit in jobs_meta."""
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE jobs_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    conn.execute("INSERT INTO jobs_meta VALUES ('paused', '1')")
    if max_parallel is not None:
        conn.execute("INSERT INTO jobs_meta VALUES ('max_parallel', ?)", (max_parallel,))
    conn.commit()
    conn.close()


def test_import_modes_are_the_importers() -> None:
    assert tuple(m.value for m in ImportMode) == IMPORT_MODES
    assert Settings().import_mode == ImportMode.COPY.value and Settings().import_ask is True and Settings().parallel_jobs == 1


def test_the_import_choices_move_from_ui_ini(tmp_path: Path) -> None:
    (tmp_path / "ui.ini").write_text(UI_INI, encoding="utf-8")
    with Store(tmp_path / "modelwerk.db") as store:
        settings = load_settings(store)
        assert settings.import_mode == "in_place" and settings.import_ask is False
        assert store.schema_version == len(MIGRATIONS)
    assert (tmp_path / "ui.ini").read_text(encoding="utf-8") == UI_INI  # the window's state stays; nothing else reads it


def test_the_move_happens_once_and_keeps_a_value_the_user_changed_since(tmp_path: Path) -> None:
    (tmp_path / "ui.ini").write_text(UI_INI, encoding="utf-8")
    with Store(tmp_path / "modelwerk.db") as store:
        save_setting(store, "import_mode", "move")
        save_setting(store, "import_ask", True)
    with Store(tmp_path / "modelwerk.db") as store:  # ui.ini still says in_place, ask=false: read once, not again
        assert load_settings(store).import_mode == "move" and load_settings(store).import_ask is True


@pytest.mark.parametrize(
    ("text", "mode", "ask"),
    [
        ("", "copy", True),  # an empty file
        ("[window]\npage=2\n", "copy", True),  # no import choices yet
        ("[import]\nmode=move\n", "move", True),
        ("[import]\nask=true\nmode=\"copy\"\n", "copy", True),
        ("[import]\nask=0\nmode=sideways\n", "copy", False),  # an unknown mode is no choice: the default stays
        ("not an ini file at all\n[[[\n", "copy", True),  # unreadable: the user is asked again
        ("[import]\nmode=move\n[import]\nmode=copy\n", "copy", True),  # a section twice: Qt reads the last
    ],
)
def test_ui_ini_variants(tmp_path: Path, text: str, mode: str, ask: bool) -> None:
    (tmp_path / "ui.ini").write_text(text, encoding="utf-8")
    with Store(tmp_path / "modelwerk.db") as store:
        settings = load_settings(store)
    assert (settings.import_mode, settings.import_ask) == (mode, ask)


def test_no_ui_ini_and_no_jobs_db_is_fine(tmp_path: Path) -> None:
    with Store(tmp_path / "modelwerk.db") as store:
        assert load_settings(store) == Settings()
        assert store.fetchall("SELECT key FROM settings") == []
    assert not (tmp_path / "jobs.db").exists()  # only read when there


def test_an_unreadable_ui_ini_is_fine(tmp_path: Path) -> None:
    (tmp_path / "ui.ini").mkdir()  # a folder where the file should be
    with Store(tmp_path / "modelwerk.db") as store:
        assert load_settings(store) == Settings()


def test_the_parallel_job_limit_moves_from_an_old_jobs_db(tmp_path: Path) -> None:
    _old_jobs_db(tmp_path / "jobs.db", "3")
    with Store(tmp_path / "modelwerk.db") as store:
        assert load_settings(store).parallel_jobs == 3
    db = sqlite3.connect(tmp_path / "jobs.db")
    assert db.execute("SELECT value FROM jobs_meta WHERE key = 'paused'").fetchone() == ("1",)  # live state stays
    db.close()


@pytest.mark.parametrize(("stored", "expected"), [(None, 1), ("1", 1), ("12", 8), ("0", 1), ("lots", 1)])
def test_parallel_limit_variants(tmp_path: Path, stored: str | None, expected: int) -> None:
    _old_jobs_db(tmp_path / "jobs.db", stored)
    with Store(tmp_path / "modelwerk.db") as store:
        assert load_settings(store).parallel_jobs == expected


def test_a_jobs_db_without_jobs_meta_is_fine(tmp_path: Path) -> None:
    (tmp_path / "jobs.db").write_bytes(b"not a database at all, not even close to one" * 100)
    with Store(tmp_path / "modelwerk.db") as store:
        assert load_settings(store).parallel_jobs == 1


def test_an_upgraded_app_runs_the_queue_with_the_moved_limit() -> None:
    """The Workbench hands the setting to the queue; the queue's file keeps paused, and no longer the limit."""
    _old_jobs_db(jobs_db_path(), "2")
    with Workbench() as bench:
        queue = bench.jobs.queue
        assert queue.max_parallel == 2 and queue.paused
        queue.max_parallel = 4  # in memory only: the Jobs page saves the setting
    assert not paths.database_path().with_name("ui.ini").exists()
    other = JobQueue(jobs_db_path(), log_dir=paths.log_dir() / "jobs")
    try:
        assert other.max_parallel == 1 and other.paused
    finally:
        other.close()


def test_an_older_database_gets_the_preferences_on_upgrade(tmp_path: Path) -> None:
    """From schema 7 (no migration 8 yet) with a ui.ini and a jobs.db already there."""
    db = tmp_path / "modelwerk.db"
    conn = sqlite3.connect(db, isolation_level=None)
    migrate(conn, MIGRATIONS[:7], path=db)  # a schema-7 file, as that Modelwerk left it
    conn.close()
    (tmp_path / "ui.ini").write_text(UI_INI, encoding="utf-8")
    _old_jobs_db(tmp_path / "jobs.db", "2")
    with Store(db) as store:
        settings = load_settings(store)
        assert (settings.import_mode, settings.import_ask, settings.parallel_jobs) == ("in_place", False, 2)
        assert store.schema_version == len(MIGRATIONS)
