"""Collections in SQLite: one transaction per file (a kill mid-file leaves nothing half-indexed), resume, re-index by hash,
removal, FTS5 kept in step with the passages."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from fixtures.documents import write_pdf

from app.documents.indexing import (
    Outcome,
    Progress,
    add_files,
    cancel_pending,
    collect_files,
    index_pending,
    remove_files,
)
from app.documents.parse import DocumentError
from app.documents.retrieval import Bm25Retriever
from app.documents.store import DB_NAME, DocumentStore, FileState, UnknownCollection

ROOT = Path(__file__).resolve().parents[2]


def _doc(word: str, paragraphs: int = 40) -> str:
    body = "\n\n".join(f"Paragraph {i} about {word} and other matters of some length, enough to fill a passage."
                       for i in range(paragraphs))  # fmt: skip
    return f"# {word.title()}\n\n{body}\n"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    d = tmp_path / "docs"
    d.mkdir()
    for word in ("aardvark", "bison", "caracal"):
        (d / f"{word}.md").write_text(_doc(word))
    return d


@pytest.fixture
def store(tmp_path: Path) -> DocumentStore:
    s = DocumentStore.open(tmp_path / DB_NAME)
    yield s  # type: ignore[misc]
    s.close()


def _fts_ok(store: DocumentStore) -> None:
    store.conn.execute("INSERT INTO passages_fts(passages_fts, rank) VALUES ('integrity-check', 1)")


def _hits(store: DocumentStore, cid: int, word: str) -> int:
    return len(Bm25Retriever(store, cid).search(word, k=50))


def test_add_and_index_a_folder(store: DocumentStore, folder: Path) -> None:
    (folder / ".hidden.md").write_text("secret")
    (folder / "image.png").write_bytes(b"\x89PNG")
    cid, files = add_files(store, "Zoo", [folder])
    assert sorted(f.name for f in files) == ["aardvark.md", "bison.md", "caracal.md"]
    seen: list[Progress] = []
    report = index_pending(store, cid, progress=seen.append)
    assert [r.outcome for r in report.results] == [Outcome.INDEXED] * 3
    assert [p.done for p in seen] == [0, 1, 2, 3] and seen[-1].current is None
    info = store.collection("zoo")  # names are case-insensitive
    assert (info.name, info.files, info.indexed, info.pending) == ("Zoo", 3, 3, 0)
    assert info.passages == sum(r.passages for r in report.results) > 3
    assert _hits(store, cid, "bison") == report.results[1].passages
    _fts_ok(store)
    assert stat.S_IMODE((store.path).stat().st_mode) == 0o600


def test_missing_path_registers_nothing(store: DocumentStore, folder: Path) -> None:
    with pytest.raises(DocumentError, match=r"no such file or folder: .*nope"):
        add_files(store, "Zoo", [folder, folder / "nope"])
    assert store.collections() == []


def test_bad_collection_names(store: DocumentStore, folder: Path) -> None:
    for bad, why in (("  ", "needs a name"), ("a\nb", "control characters"), ("x" * 81, "at most 80")):
        with pytest.raises(DocumentError, match=why):
            add_files(store, bad, [folder])
    with pytest.raises(UnknownCollection, match="no collection named 'nope'"):
        store.collection_id("nope")


def test_rename_a_collection(store: DocumentStore, folder: Path) -> None:
    cid, _ = add_files(store, "Zoo", [folder])
    store.collection_id("Farm", create=True)
    assert store.rename_collection("zoo", "ZOO") == "ZOO"  # a change of case only
    assert store.rename_collection("ZOO", "  Animals ") == "Animals"
    assert store.collection_id("animals") == cid and store.collection("Animals").files == 3
    with pytest.raises(DocumentError, match="already a collection named 'farm'"):
        store.rename_collection("Animals", "farm")
    with pytest.raises(DocumentError, match="needs a name"):
        store.rename_collection("Animals", " ")
    with pytest.raises(UnknownCollection):
        store.rename_collection("Zoo", "Park")


def test_re_adding_indexes_only_what_changed(store: DocumentStore, folder: Path) -> None:
    cid, _ = add_files(store, "Zoo", [folder])
    index_pending(store, cid)
    (folder / "bison.md").write_text(_doc("buffalo", paragraphs=3))
    add_files(store, "Zoo", [folder])
    report = index_pending(store, cid)
    outcomes = {r.path.name: r.outcome for r in report.results}
    assert outcomes == {"aardvark.md": Outcome.UNCHANGED, "bison.md": Outcome.INDEXED, "caracal.md": Outcome.UNCHANGED}
    assert _hits(store, cid, "bison") == 0  # the old version's passages are gone
    assert _hits(store, cid, "buffalo") > 0
    _fts_ok(store)


def test_unreadable_files_get_one_line_and_the_rest_goes_on(store: DocumentStore, folder: Path) -> None:
    write_pdf(folder / "locked.pdf", ["secret"], password="pw")
    (folder / "broken.docx").write_bytes(b"garbage")
    cid, _ = add_files(store, "Zoo", [folder])
    report = index_pending(store, cid)
    assert report.count(Outcome.INDEXED) == 3
    errors = sorted(r.error for r in report.failed)
    assert errors == ["broken.docx: not a readable Word document (not a valid .docx zip: File is not a zip file)",
                      "locked.pdf: the PDF is encrypted (password-protected); save a copy without the password"]  # fmt: skip
    failed = store.files(cid, state=FileState.FAILED)
    assert sorted(f.error for f in failed) == errors and all(f.passages == 0 for f in failed)


def test_a_file_that_became_unreadable_loses_its_passages(store: DocumentStore, folder: Path) -> None:
    cid, _ = add_files(store, "Zoo", [folder / "bison.md"])
    index_pending(store, cid)
    (folder / "bison.md").write_bytes(b"\x00\x01binary now")
    add_files(store, "Zoo", [folder / "bison.md"])
    (result,) = index_pending(store, cid).results
    assert result.outcome is Outcome.FAILED and "binary" in result.error
    assert _hits(store, cid, "bison") == 0


def test_cancel_between_files_leaves_the_rest_pending(store: DocumentStore, folder: Path) -> None:
    cid, _ = add_files(store, "Zoo", [folder])
    seen: list[Progress] = []
    report = index_pending(store, cid, progress=seen.append, cancelled=lambda: seen[-1].done >= 1 if seen else False)
    assert report.cancelled and len(report.results) == 1 and report.remaining == 2
    report = index_pending(store, cid)
    assert report.count(Outcome.INDEXED) == 2 and report.remaining == 0


def test_cancelling_drops_new_files_and_keeps_indexed_ones(store: DocumentStore, folder: Path) -> None:
    cid, _ = add_files(store, "Zoo", [folder / "aardvark.md"])
    index_pending(store, cid)
    add_files(store, "Zoo", [folder])  # aardvark to check again, bison and caracal new
    assert cancel_pending(store, cid) == 2
    (record,) = store.files(cid)
    assert record.path.name == "aardvark.md" and record.state is FileState.INDEXED and record.passages > 0
    assert index_pending(store, cid).results == []


_KILLED_MID_FILE = textwrap.dedent(
    """
    import os, sys
    from pathlib import Path
    from app.documents.indexing import add_files, index_pending
    from app.documents.store import DocumentStore

    store = DocumentStore.open(Path(sys.argv[1]))
    cid, _ = add_files(store, "Zoo", [Path(sys.argv[2])])
    # The kill comes in the middle of bison.md's transaction, after some of its passages were written.
    store.conn.create_function("die", 0, lambda: os._exit(9))
    store.conn.execute(
        "CREATE TEMP TRIGGER die_mid_file AFTER INSERT ON passages WHEN new.ordinal = 2 "
        "AND (SELECT path FROM files WHERE id = new.file_id) LIKE '%bison.md' BEGIN SELECT die(); END"
    )
    index_pending(store, cid)
    """
)


def test_a_kill_mid_file_leaves_nothing_half_indexed_and_the_next_run_resumes(store: DocumentStore, folder: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", _KILLED_MID_FILE, str(store.path), str(folder)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 9, done.stderr
    cid = store.collection_id("Zoo")
    by_name = {f.path.name: f for f in store.files(cid)}
    assert by_name["aardvark.md"].state is FileState.INDEXED and by_name["aardvark.md"].passages > 0
    assert by_name["bison.md"].state is FileState.PENDING and by_name["bison.md"].passages == 0  # none of the new ones
    assert by_name["caracal.md"].state is FileState.PENDING
    assert _hits(store, cid, "bison") == 0
    _fts_ok(store)
    report = index_pending(store, cid)
    assert [(r.path.name, r.outcome.value) for r in report.results] == [("bison.md", "indexed"), ("caracal.md", "indexed")]
    assert _hits(store, cid, "bison") == report.results[0].passages
    _fts_ok(store)


def test_remove_files_folders_and_collections(store: DocumentStore, folder: Path) -> None:
    cid, _ = add_files(store, "Zoo", [folder])
    index_pending(store, cid)
    assert remove_files(store, "Zoo", [folder / "bison.md"]) == [(folder / "bison.md").resolve()]
    assert _hits(store, cid, "bison") == 0 and _hits(store, cid, "caracal") > 0
    with pytest.raises(DocumentError, match="is not in the collection 'Zoo'"):
        remove_files(store, "Zoo", [folder / "bison.md"])
    assert len(remove_files(store, "Zoo", [folder])) == 2
    assert store.collection("Zoo").passages == 0
    store.delete_collection("zoo")
    assert store.collections() == []
    assert store.conn.execute("SELECT COUNT(*) FROM passages").fetchone()[0] == 0
    _fts_ok(store)


def test_collect_files_bounds_a_folder(tmp_path: Path) -> None:
    for i in range(5):
        (tmp_path / f"n{i}.txt").write_text("x")
    with pytest.raises(DocumentError, match="more than 3 documents"):
        collect_files([tmp_path], max_files=3)


def test_a_watched_folder_is_kept_per_collection_and_its_new_and_changed_files_are_found(store: DocumentStore,
                                                                                         folder: Path) -> None:  # fmt: skip
    from app.documents.indexing import changed_files

    cid, _files = add_files(store, "Zoo", [folder])
    store.watch(cid, folder)
    assert store.watched() == {cid: folder}
    assert changed_files(store, cid, folder) == []  # all pending: the index job has them already
    index_pending(store, cid)
    assert changed_files(store, cid, folder) == []
    (folder / "dingo.md").write_text(_doc("dingo"))
    bison = folder / "bison.md"
    bison.write_text(_doc("bison") + "\nOne more paragraph.\n")
    os.utime(bison, (bison.stat().st_atime, time.time() + 5))  # a later modification time, whatever the clock's step
    assert sorted(p.name for p in changed_files(store, cid, folder)) == ["bison.md", "dingo.md"]
    store.watch(cid, None)
    assert store.watched() == {}
    store.watch(cid, folder)
    store.delete_collection("Zoo")
    assert store.watched() == {}  # gone with its collection
