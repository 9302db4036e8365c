"""`modelwerk docs`: add, list, remove, search, selftest; bad input is one line on stderr and exit 1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fixtures.documents import write_pdf

from app import cli, paths
from app.documents.store import DB_NAME


@pytest.fixture
def notes(tmp_path: Path) -> Path:
    d = tmp_path / "notes"
    d.mkdir()
    (d / "walrus.md").write_text("# Walrus\n\nThe walrus hauls out onto the ice and weighs over a tonne.\n")
    (d / "kea.html").write_text("<h1>Kea</h1><p>The kea is a parrot that opens car doors.</p><script>steal()</script>")
    return d


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    rc = cli.main(["docs", *argv])
    out, err = capsys.readouterr()
    return rc, out, err


def test_add_search_list_remove(notes: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = _run(capsys, "add", "Notes", str(notes))
    assert (rc, err) == (0, "")
    assert "Indexing 2 files into Notes" in out and "Notes: 2 indexed, 0 unchanged, 0 failed" in out
    assert (paths.data_dir() / DB_NAME).is_file()

    rc, out, _ = _run(capsys, "search", "notes", "how heavy is a walrus", "-k", "1")
    assert rc == 0
    assert out.splitlines()[0].startswith("1. walrus.md · Walrus  (score ")
    assert "weighs over a tonne" in out

    rc, out, _ = _run(capsys, "search", "Notes", "parrot", "--k", "5", "--json")
    hits = json.loads(out)
    assert rc == 0 and len(hits) == 1
    assert hits[0]["citation"] == "kea.html · Kea" and hits[0]["flags"] == [] and "steal" not in hits[0]["text"]
    assert hits[0]["source"]["path"] == str((notes / "kea.html").resolve())

    rc, out, _ = _run(capsys, "list")
    assert rc == 0 and out.splitlines()[1].split() == ["Notes", "2", "2", "0", "0"]
    rc, out, _ = _run(capsys, "list", "Notes", "--json")
    assert [f["state"] for f in json.loads(out)["files"]] == ["indexed", "indexed"]

    rc, out, _ = _run(capsys, "add", "Notes", str(notes / "walrus.md"))
    assert rc == 0 and "walrus.md: unchanged" in out

    rc, out, _ = _run(capsys, "remove", "Notes", str(notes / "kea.html"))
    assert rc == 0 and out.strip() == "Removed 1 file from Notes"
    rc, out, _ = _run(capsys, "search", "Notes", "parrot")
    assert out.strip() == "No passage matches."
    rc, out, _ = _run(capsys, "remove", "Notes")
    assert rc == 0 and out.startswith("Removed the collection Notes")
    rc, out, _ = _run(capsys, "list")
    assert out.startswith("No collections yet")


def test_unreadable_files_are_one_line_each_and_the_rest_is_indexed(notes: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_pdf(notes / "locked.pdf", ["x"], password="pw")
    write_pdf(notes / "scan.pdf", [""])
    (notes / "broken.docx").write_bytes(b"PK nonsense")
    rc, out, err = _run(capsys, "add", "Notes", str(notes), "--json")
    assert rc == 1
    assert err.splitlines() == [
        "modelwerk docs: broken.docx: not a readable Word document (not a valid .docx zip: File is not a zip file)",
        "modelwerk docs: locked.pdf: the PDF is encrypted (password-protected); save a copy without the password",
        "modelwerk docs: scan.pdf: the PDF has no text layer (a scanned document?); run OCR on it first",
    ]
    data = json.loads(out)
    assert sorted(f["outcome"] for f in data["files"]) == ["failed", "failed", "failed", "indexed", "indexed"]
    rc, out, _ = _run(capsys, "list", "Notes")
    assert "failed" in out and "locked.pdf: the PDF is encrypted" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["add", "Notes", "{notes}/missing.md"], "no such file or folder: {notes}/missing.md"),
        (["search", "Nope", "walrus"], "no collection named 'Nope'"),
        (["list", "Nope"], "no collection named 'Nope'"),
        (["remove", "Nope"], "no collection named 'Nope'"),
        (["selftest", "Nope"], "no collection named 'Nope'"),
        (["search", "Notes", "walrus", "--mode", "vector"], "vector search needs vectors"),
        (["search", "Notes", "walrus", "-k", "0"], "-k must be 1 or more"),
        (["search", "Notes", "  "], "the query is empty"),
        (["remove", "Notes", "{notes}/other.md"], "other.md is not in the collection 'Notes'"),
        (["add", "bad\u2028name", "{notes}"], "control characters or line breaks"),
        (["selftest", "Notes", "--questions", "{notes}/none.json"], "cannot read the questions"),
    ],
)
def test_bad_input_is_one_line_and_exit_1(
    notes: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert _run(capsys, "add", "Notes", str(notes / "walrus.md"))[0] == 0
    rc, _, err = _run(capsys, *(a.format(notes=notes) for a in argv))
    assert rc == 1
    assert err.startswith("modelwerk docs: ") and message.format(notes=notes) in err
    assert len(err.strip().splitlines()) == 1


def test_add_goes_on_with_files_an_earlier_run_left_pending(notes: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from app.documents.indexing import add_files
    from app.documents.store import DocumentStore

    with DocumentStore.open(paths.data_dir() / DB_NAME) as store:  # an earlier run registered both, then was killed
        add_files(store, "Notes", [notes])
    rc, out, _ = _run(capsys, "add", "Notes", str(notes / "walrus.md"))
    assert rc == 0
    assert "Indexing 1 file into Notes (and 1 left pending by an earlier run)" in out
    assert "Notes: 2 indexed" in out


def test_ctrl_c_leaves_the_rest_pending_and_says_so(notes: Path, capsys: pytest.CaptureFixture[str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    import app.documents.indexing as indexing

    real = indexing._index_one
    calls = []

    def interrupted_on_the_second(*args: object, **kw: object) -> object:
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(*args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(indexing, "_index_one", interrupted_on_the_second)
    rc, _, err = _run(capsys, "add", "Notes", str(notes))
    assert rc == 130
    assert err.strip() == "modelwerk docs: stopped; 1 file left pending: `modelwerk docs add Notes ...` goes on with them"
    monkeypatch.setattr(indexing, "_index_one", real)
    rc, out, _ = _run(capsys, "add", "Notes", str(notes / "walrus.md"))
    assert rc == 0 and "Notes: 1 indexed" in out and "2 passages in 2 files" in out  # kea.html was done before


def test_a_missing_file_among_good_ones_registers_nothing(notes: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, _, _ = _run(capsys, "add", "Notes", str(notes), str(notes / "missing.md"))
    assert rc == 1
    rc, out, _ = _run(capsys, "list")
    assert out.startswith("No collections yet")


def test_selftest(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    readme = Path(__file__).resolve().parents[2] / "README.md"
    assert _run(capsys, "add", "Readme", str(readme))[0] == 0
    rc, out, _ = _run(capsys, "selftest", "Readme", "-n", "20")
    assert rc == 0
    lines = out.splitlines()
    assert lines[0] == "Self-test of Readme: 20 questions made from its own passages"
    assert lines[1].split()[:3] == ["bm25", "recall", "@1"] and "MRR" in lines[1]
    assert "vector  not measured" in out
    rc, out, _ = _run(capsys, "selftest", "Readme", "--json", "-n", "10")
    data = json.loads(out)
    assert data["questions"] == 10 and set(data["modes"]["bm25"]["recall"]) == {"1", "3", "5", "10"}
    assert data["modes"]["vector"] is None
    assert 0 <= data["modes"]["bm25"]["mrr"] <= 1
    assert data["modes"]["bm25"]["distinct_first"] > 0.5


def test_selftest_of_an_empty_collection(notes: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (notes / "broken.docx").write_bytes(b"x")
    _run(capsys, "add", "Empty", str(notes / "broken.docx"))
    rc, _, err = _run(capsys, "selftest", "Empty")
    assert rc == 1 and "has no passages yet; add files first" in err


def test_a_fifo_is_refused_in_one_line_instead_of_hanging(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import os

    fifo = tmp_path / "notes.md"
    os.mkfifo(fifo)  # opening it to hash it would wait forever for a writer
    rc, out, err = _run(capsys, "add", "Notes", str(fifo))
    assert rc == 1 and out == "" and err.strip().splitlines() == [
        f"modelwerk docs: {fifo} is not a regular file (a pipe, socket or device); give a document file"]
