"""PDF, Word and HTML files are read in a child process: same result, and a hang, a cancel or a crash costs only the
child; one child serves a whole indexing run."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from fixtures.documents import write_docx, write_pdf

import procs.launch
from app.documents.isolated import DocumentReader, ParseCancelled, parse_document
from app.documents.parse import UnreadableDocument, parse_file


def test_the_child_reads_what_the_parser_reads(tmp_path: Path) -> None:
    html = tmp_path / "c.html"
    html.write_text("<h1>T</h1><p>x</p>")
    files = [write_pdf(tmp_path / "a.pdf", ["one\n\ntwo", "three"]), write_docx(tmp_path / "b.docx"), html]
    with DocumentReader() as reader:
        for f in files * 2:
            assert reader.read(f) == parse_file(f)
        assert reader.started == 1


def test_a_hostile_html_file_is_stopped_and_the_next_file_gets_a_new_child(tmp_path: Path) -> None:
    hostile = tmp_path / "hostile.html"
    hostile.write_text("<a" * 300_000)  # the standard library's tokenizer is quadratic here: minutes
    good = tmp_path / "good.html"
    good.write_text("<p>fine</p>")
    with DocumentReader(timeout_s=1) as reader:
        with pytest.raises(UnreadableDocument, match=r"^hostile\.html: reading it took over 1 s"):
            reader.read(hostile)
        assert reader.read(good).text == "fine"
        assert reader.started == 2


def test_an_unreadable_file_is_the_same_one_line(tmp_path: Path) -> None:
    f = write_pdf(tmp_path / "locked.pdf", ["x"], password="pw")
    with pytest.raises(UnreadableDocument, match=r"^locked\.pdf: the PDF is encrypted"):
        parse_document(f)


def test_markdown_is_read_in_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(procs.launch, "python_module", None)  # would fail if a child were started
    f = tmp_path / "a.md"
    f.write_text("# A\n\ntext")
    assert parse_document(f).text == "# A\n\ntext"


def test_too_slow_is_stopped(tmp_path: Path) -> None:
    f = write_pdf(tmp_path / "slow.pdf", ["x"])
    with pytest.raises(UnreadableDocument, match=r"^slow\.pdf: reading it took over 0\.01 s \(a broken or hostile file\?\)$"):
        parse_document(f, timeout_s=0.01)


def test_time_limits_grow_with_size() -> None:
    from app.documents.isolated import time_limit

    assert time_limit(0) == 30 and time_limit(1 << 20) == 60 and time_limit(1 << 30) == 300


def test_cancel_stops_the_child(tmp_path: Path) -> None:
    f = write_pdf(tmp_path / "a.pdf", ["x"])
    with pytest.raises(ParseCancelled):
        parse_document(f, cancelled=lambda: True)


def test_a_child_that_dies_is_that_files_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = procs.launch.python_module

    def broken(module: str, args: Sequence[str] = (), **kw: Any) -> procs.launch.Command:
        return real("app.documents.no_such_reader", args, **kw)

    monkeypatch.setattr(procs.launch, "python_module", broken)
    f = write_pdf(tmp_path / "a.pdf", ["x"])
    with pytest.raises(UnreadableDocument) as e:
        parse_document(f)
    assert str(e.value).startswith("a.pdf: the document reader exited with code 1: ")
    assert str(e.value).endswith("while reading it (a broken or hostile file?)")
    assert "\n" not in str(e.value)


def test_an_interrupt_in_the_callers_check_stops_the_child(tmp_path: Path) -> None:
    def interrupted() -> bool:
        raise KeyboardInterrupt

    f = write_pdf(tmp_path / "a.pdf", ["x"])
    with pytest.raises(KeyboardInterrupt):
        parse_document(f, cancelled=interrupted)
    # the suite's no_child_process_left fixture fails the test if the reader is still running
