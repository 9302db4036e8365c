"""Parsing documents: text, pages, headings and offsets per format; one clear line per unreadable file; hostile input."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fixtures.documents import write_docx, write_pdf, write_zip_bomb
from hypothesis import given, settings
from hypothesis import strategies as st

from app.documents.parse import (
    DocumentKind,
    Limits,
    UnreadableDocument,
    heading_title,
    kind_of,
    markdown_blocks,
    parse_file,
)


def _block_texts(doc_text: str, blocks: tuple) -> list[str]:  # type: ignore[type-arg]
    return [doc_text[b.start : b.end] for b in blocks]


def test_markdown_keeps_its_text_and_finds_headings_outside_code_fences(tmp_path: Path) -> None:
    text = ("# Guide\r\n\r\nIntro line one\r\nline two\r\n\r\n## **Install**\r\n\r\n```sh\r\n# not a heading\r\n\r\nmake\r\n"
            "```\r\n\r\nDone.\r\n")  # fmt: skip
    f = tmp_path / "guide.md"
    f.write_bytes(text.encode())
    doc = parse_file(f)
    assert doc.kind is DocumentKind.MARKDOWN
    assert doc.text == text.replace("\r\n", "\n")  # offsets point into the file's own text, line ends made \n
    headings = [(doc.text[b.start : b.end], b.heading) for b in doc.blocks if b.is_heading]
    assert headings == [("# Guide", "Guide"), ("## **Install**", "Guide › Install")]
    bodies = [(doc.text[b.start : b.end], b.heading) for b in doc.blocks if not b.is_heading]
    assert bodies[0] == ("Intro line one\nline two", "Guide")
    assert bodies[1][0].startswith("```sh\n# not a heading\n\nmake")  # the fence is one block, blank line and all
    assert bodies[2] == ("Done.", "Guide › Install")


def test_setext_headings_but_not_lists_tables_or_breaks() -> None:
    text = ("Guide\n=====\n\nintro\n\nInstall\nsteps\n---\n\nbody\n\n- item\n---\n\n| a |\n---\n\npara\n\n---\n\nend\n"
            "```\ncode\n```\n---\n")  # fmt: skip
    blocks = [(text[b.start : b.end], b.heading, b.is_heading) for b in markdown_blocks(text)]
    headings = [(t, h) for t, h, is_h in blocks if is_h]
    assert headings == [("Guide\n=====", "Guide"), ("Install\nsteps\n---", "Guide › Install steps")]
    assert ("- item\n---", "Guide › Install steps", False) in blocks
    assert ("| a |\n---", "Guide › Install steps", False) in blocks
    assert ("end\n```\ncode\n```\n---", "Guide › Install steps", False) in blocks


def test_closing_hashes_of_a_heading() -> None:
    text = "# Title ##\n\n## C#\n\n#### a # b #\n\n#nospace\n"
    headings = [b.heading for b in markdown_blocks(text) if b.is_heading]
    assert headings == ["Title", "Title › C#", "Title › C# › a # b"]


@pytest.mark.parametrize(
    "line", ["# a" + " " * 200_000 + "b", "# a" + " #" * 100_000 + "b", "a" + " \n" * 100_000 + "b", "- a" + "\n---" * 100_000]
)
def test_crafted_lines_read_in_linear_time(tmp_path: Path, line: str) -> None:
    f = tmp_path / "crafted.md"
    f.write_text(line)
    t0 = time.monotonic()
    parse_file(f)
    assert time.monotonic() - t0 < 5  # a backtracking heading pattern took minutes on the first of these


def test_a_txt_file_written_in_markdown_is_read_with_its_headings(tmp_path: Path) -> None:
    f = tmp_path / "notes.txt"
    f.write_text("# A\n\npara\n\n## B\n\nmore\n", encoding="utf-8")
    doc = parse_file(f)
    assert doc.kind is DocumentKind.TEXT
    assert [b.heading for b in doc.blocks if not b.is_heading] == ["A", "A › B"]


def test_plain_text_in_windows_1252_and_code(tmp_path: Path) -> None:
    f = tmp_path / "brief.txt"
    f.write_bytes("Größe und Maß\n\nZweiter Absatz".encode("cp1252"))
    doc = parse_file(f)
    assert _block_texts(doc.text, doc.blocks) == ["Größe und Maß", "Zweiter Absatz"]
    code = tmp_path / "tool.py"
    code.write_text("def main():\n    return 1\n\n\nclass A:\n    pass\n")
    doc = parse_file(code)
    assert doc.kind is DocumentKind.CODE
    assert len(doc.blocks) == 2


def test_html_drops_script_style_and_keeps_headings(tmp_path: Path) -> None:
    f = tmp_path / "page.html"
    f.write_text(
        """<html><head><title>T</title><style>body{color:red}</style><script>alert('x')</script></head><body>
        <h1>Manual</h1><p>First &amp; <b>bold</b> paragraph.</p><script>document.write('evil')</script>
        <h2>Details</h2><ul><li>one</li><li>two</li></ul><svg><text>drawn</text></svg><pre>a
  b</pre></body></html>""",
        encoding="utf-8",
    )
    doc = parse_file(f)
    assert "alert" not in doc.text and "evil" not in doc.text and "color" not in doc.text and "drawn" not in doc.text
    blocks = [(doc.text[b.start : b.end], b.heading, b.is_heading) for b in doc.blocks]
    assert blocks[:4] == [("Manual", "Manual", True), ("First & bold paragraph.", "Manual", False),
                          ("Details", "Manual › Details", True), ("one", "Manual › Details", False)]  # fmt: skip
    assert ("a\n  b", "Manual › Details", False) in blocks


def test_html_charset_from_its_meta_tag(tmp_path: Path) -> None:
    f = tmp_path / "alt.htm"
    f.write_bytes('<meta charset="windows-1252"><p>Größe &lt;3</p>'.encode("cp1252"))
    assert parse_file(f).text == "Größe <3"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["<p>", "</p>", "<h2>", "</h2>", "<script>", "</script>", "<style>", "<!--", "-->",
                                 "<pre>", "</pre>", "<svg>", "</svg>", "<br>", "&amp;", "&#x0;", "<![CDATA[", "]]>",
                                 "<td>", "text", " ", "\n", "<", ">", "\"", "'", "<a href='x'>", "</h9>"]),
                max_size=60).map("".join))  # fmt: skip
def test_any_markup_reads_or_fails_with_one_line(markup: str) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        f = Path(tmp) / "fuzz.html"
        f.write_text(markup, encoding="utf-8")
        try:
            doc = parse_file(f)
        except UnreadableDocument as e:
            assert "\n" not in str(e)
            return
        for b in doc.blocks:
            assert 0 <= b.start < b.end <= len(doc.text) and doc.text[b.start : b.end].strip()


def test_deeply_nested_html_is_read_without_recursion(tmp_path: Path) -> None:
    f = tmp_path / "deep.html"
    f.write_text("<div>" * 200_000 + "<p>bottom</p>" + "</div>" * 200_000)
    t0 = time.monotonic()
    doc = parse_file(f)
    assert doc.text == "bottom"
    assert time.monotonic() - t0 < 10


def test_pdf_pages_and_offsets(tmp_path: Path) -> None:
    f = write_pdf(tmp_path / "report.pdf", ["Quarterly report\nRevenue grew.", "", "Appendix: the walrus table"])
    doc = parse_file(f)
    assert doc.kind is DocumentKind.PDF and doc.pages == 3
    assert "Revenue grew." in doc.text
    pages = {doc.text[b.start : b.end]: b.page for b in doc.blocks}
    assert any("walrus" in text and page == 3 for text, page in pages.items())
    assert all(page in (1, 3) for page in pages.values())


def test_encrypted_pdf_is_one_clear_line(tmp_path: Path) -> None:
    f = write_pdf(tmp_path / "secret.pdf", ["classified"], password="hunter2")
    with pytest.raises(UnreadableDocument) as e:
        parse_file(f)
    assert str(e.value) == "secret.pdf: the PDF is encrypted (password-protected); save a copy without the password"


def test_pdf_with_an_empty_user_password_is_read(tmp_path: Path) -> None:
    f = write_pdf(tmp_path / "open.pdf", ["readable anyway"], password="")
    assert "readable anyway" in parse_file(f).text


def test_scanned_pdf_without_text(tmp_path: Path) -> None:
    f = write_pdf(tmp_path / "scan.pdf", ["", ""])
    with pytest.raises(UnreadableDocument, match=r"^scan.pdf: the PDF has no text layer \(a scanned document\?\)"):
        parse_file(f)


@pytest.mark.parametrize("content", [b"", b"%PDF-1.7\n garbage", b"not a pdf at all" * 100])
def test_broken_pdf(tmp_path: Path, content: bytes) -> None:
    f = tmp_path / "broken.pdf"
    f.write_bytes(content)
    with pytest.raises(UnreadableDocument) as e:
        parse_file(f)
    assert str(e.value).startswith("broken.pdf: ")
    assert "\n" not in str(e.value)


def test_docx_headings_paragraphs_and_tables(tmp_path: Path) -> None:
    doc = parse_file(write_docx(tmp_path / "guide.docx"))
    assert doc.kind is DocumentKind.DOCX
    blocks = [(doc.text[b.start : b.end], b.heading, b.is_heading) for b in doc.blocks]
    assert blocks[0] == ("Field Guide", "Field Guide", True)
    unpack = "Unpack the archive and run the installer; the quokka mascot greets you."
    assert (unpack, "Field Guide › Installing", False) in blocks
    assert ("GGUF | llama.cpp", "Field Guide › Installing › On Linux", False) in blocks
    assert ("Using", "Field Guide › Using", True) in blocks


@pytest.mark.parametrize(
    ("content", "why"),
    [(b"PK\x03\x04 truncated", "not a valid .docx zip"), (b"hello", "not a valid .docx zip")],
)
def test_broken_docx(tmp_path: Path, content: bytes, why: str) -> None:
    f = tmp_path / "broken.docx"
    f.write_bytes(content)
    with pytest.raises(UnreadableDocument, match=f"^broken.docx: not a readable Word document \\({why}"):
        parse_file(f)


def test_docx_zip_without_a_document_or_with_a_broken_one(tmp_path: Path) -> None:
    import zipfile

    f = tmp_path / "empty.docx"
    with zipfile.ZipFile(f, "w") as z:
        z.writestr("hello.txt", "hi")
    with pytest.raises(UnreadableDocument, match=r"no word/document\.xml"):
        parse_file(f)
    g = tmp_path / "mangled.docx"
    with zipfile.ZipFile(g, "w") as z:
        z.writestr("[Content_Types].xml", "<Types")
        z.writestr("word/document.xml", "<w:document")
    with pytest.raises(UnreadableDocument, match=r"^mangled\.docx: not a readable Word document"):
        parse_file(g)


def test_docx_zip_bombs_are_refused_before_unpacking(tmp_path: Path) -> None:
    bomb = write_zip_bomb(tmp_path / "bomb.docx")
    assert bomb.stat().st_size < 64 << 10
    with pytest.raises(UnreadableDocument, match=r"unpacks \d+-fold"):
        parse_file(bomb)
    with pytest.raises(UnreadableDocument, match=r"unpacks to 4 MiB \(the limit is 1 MiB; a zip bomb\?\)"):
        parse_file(bomb, limits=Limits(max_zip_unpacked=1 << 20))


def test_size_limits(tmp_path: Path) -> None:
    f = tmp_path / "big.txt"
    f.write_text("word " * 1000)
    with pytest.raises(UnreadableDocument, match="too large"):
        parse_file(f, limits=Limits(max_file_bytes=1000))
    with pytest.raises(UnreadableDocument, match="too much text"):
        parse_file(f, limits=Limits(max_text_chars=100))  # refused by its size, before it is read
    with pytest.raises(UnreadableDocument, match="too much text"):
        parse_file(f, limits=Limits(max_text_chars=4000))  # 5,000 bytes may be 4,000 characters: read, then refused
    pdf = write_pdf(tmp_path / "long.pdf", ["a", "b", "c"])
    with pytest.raises(UnreadableDocument, match="3 pages"):
        parse_file(pdf, limits=Limits(max_pdf_pages=2))


def test_unsupported_and_binary_files(tmp_path: Path) -> None:
    doc = tmp_path / "old.doc"
    doc.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(UnreadableDocument, match=r"^old.doc: the old Word format: save it as .docx$"):
        parse_file(doc)
    img = tmp_path / "photo.jpg"
    img.write_bytes(b"\xff\xd8")
    with pytest.raises(UnreadableDocument, match="not a document type"):
        parse_file(img)
    binary = tmp_path / "data.txt"
    binary.write_bytes(b"abc\x00def")
    with pytest.raises(UnreadableDocument, match="binary"):
        parse_file(binary)
    blank = tmp_path / "blank.md"
    blank.write_text("  \n\n ")
    with pytest.raises(UnreadableDocument, match="no text"):
        parse_file(blank)


def test_kinds_and_heading_titles() -> None:
    assert kind_of(Path("a.PDF")) is DocumentKind.PDF
    assert kind_of(Path("x.rs")) is DocumentKind.CODE
    assert kind_of(Path("README")) is DocumentKind.TEXT
    assert kind_of(Path("a.exe")) is None
    assert heading_title(" **Vorteile der `Quantisierung`:** ") == "Vorteile der Quantisierung:"
