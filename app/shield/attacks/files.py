"""Real PDF and Word files for the red-team corpus: a cover text a reader sees, with an attack hidden in it the way a
hostile document hides it (invisible, white, tiny or off-page text in a PDF; hidden, white or tiny runs in Word)."""

from __future__ import annotations

import io
from collections.abc import Sequence

PDF_HIDING = {
    "invisible": "3 Tr",
    "white": "1 1 1 rg",
    "tiny": "/F1 0.5 Tf",
    "off-page": "1 0 0 1 700 500 Tm",
}
"""How an attack is hidden in a PDF: the operators drawn before its text (after them the cover text's state is back)."""
DOCX_HIDING = ("vanish", "white", "tiny")


def _escape(line: str) -> bytes:
    return line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").encode("cp1252", "replace")


def pdf_lines(lines: Sequence[str], *, x: int = 72, y: int = 720) -> bytes:
    """A content stream that shows ``lines`` one under the other in 12 pt Helvetica (/F1) from (x, y)."""
    return b"BT /F1 12 Tf 14 TL %d %d Td " % (x, y) + b" ".join(b"(" + _escape(line) + b") Tj T*" for line in lines) + b" ET"


def pdf_bytes(streams: Sequence[bytes]) -> bytes:
    """A PDF with one US Letter page per content stream, Helvetica as /F1 (WinAnsi: German umlauts work)."""
    objects: list[bytes] = []
    n = len(streams)
    # 1 catalog, 2 pages, 3 font, then per page: page object, content stream.
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(n))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {n} >>".encode())
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    for i, stream in enumerate(streams):
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> "
                       f"/Contents {5 + 2 * i} 0 R >>".encode())  # fmt: skip
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def pdf_with_hidden(paragraphs: Sequence[str], hidden: str, how: str) -> bytes:
    """One page: ``paragraphs`` shown, ``hidden`` after the first of them, hidden ``how`` (a key of ``PDF_HIDING``)."""
    first, rest = paragraphs[0], paragraphs[1:]
    stream = (pdf_lines([first], y=720) + b" q BT /F1 12 Tf 72 690 Td " + PDF_HIDING[how].encode() + b" ("
              + _escape(hidden) + b") Tj ET Q " + pdf_lines(rest, y=650))  # fmt: skip
    return pdf_bytes([stream])


def docx_with_hidden(heading: str, paragraphs: Sequence[str], hidden: str, how: str) -> bytes:
    """A Word file: ``heading``, then ``paragraphs``, with ``hidden`` as a run at the end of the first one, hidden
    ``how`` (one of ``DOCX_HIDING``)."""
    import docx
    from docx.shared import Pt, RGBColor

    d = docx.Document()
    d.add_heading(heading, level=1)
    for i, text in enumerate(paragraphs):
        para = d.add_paragraph(text)
        if i == 0:
            run = para.add_run(" " + hidden)
            if how == "vanish":
                run.font.hidden = True
            elif how == "white":
                run.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
            elif how == "tiny":
                run.font.size = Pt(0.5)
            else:
                raise ValueError(f"unknown way to hide a Word run: {how}")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()
