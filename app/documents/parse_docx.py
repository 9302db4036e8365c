"""The Word reader (python-docx): paragraphs, headings by Word's heading styles, table rows as lines, each with its
hidden runs (``app.shield.hidden_docx``).

The file is untrusted: its zip is checked before python-docx unpacks anything (too many parts, too much unpacked, a
part unpacking too many-fold: a zip bomb), and every way python-docx and lxml can fail on a broken or hostile file
becomes one ``UnreadableDocument`` line.
"""

from __future__ import annotations

import logging
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from app.documents.parsed import (
    Builder,
    DocumentKind,
    Limits,
    ParsedDocument,
    Trail,
    UnreadableDocument,
    first_line,
    heading_title,
)
from app.shield import hidden_docx
from core.messages import Message

log = logging.getLogger(__name__)


def _check_zip(path: Path, limits: Limits) -> None:
    """Refuse a Word file whose parts would unpack to too much (a zip bomb) before python-docx loads them all."""
    name = path.name
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as e:
        raise UnreadableDocument(Message("{name}: not a readable Word document (not a valid .docx zip: {reason})",
                                         name=str(name), reason=str(first_line(e))),
                                 path=path) from None  # fmt: skip
    if len(infos) > limits.max_zip_entries:
        raise UnreadableDocument(Message("{name}: not a readable Word document ({count} parts inside)", name=str(name),
                                         count=format(len(infos), ',')), path=path)  # fmt: skip
    total = sum(i.file_size for i in infos)
    if total > limits.max_zip_unpacked:
        raise UnreadableDocument(Message("{name}: unpacks to {value} MiB (the limit is {value2} MiB; a zip bomb?)",
                                         name=str(name), value=str(total >> 20),
                                         value2=str(limits.max_zip_unpacked >> 20)), path=path)  # fmt: skip
    for i in infos:
        if i.file_size > (1 << 20) and i.file_size > limits.max_zip_ratio * max(i.compress_size, 1):
            raise UnreadableDocument(Message("{name}: the part {filename} unpacks {value}-fold (a zip bomb?)", name=str(name),
                                             filename=str(i.filename),
                                             value=str(i.file_size // max(i.compress_size, 1))), path=path)  # fmt: skip
    if "word/document.xml" not in {i.filename for i in infos}:
        raise UnreadableDocument(Message("{name}: not a readable Word document (no word/document.xml inside)",
                                         name=str(name)), path=path)  # fmt: skip


def _heading_level(style_name: str) -> int | None:
    """Word's built-in heading styles: Title above Heading 1..9; None for any other style."""
    if style_name == "Title":
        return 0
    m = re.fullmatch(r"Heading ([1-9])", style_name)
    return int(m.group(1)) if m else None


def _docx_row(cells: Sequence[Any], judge: hidden_docx.HiddenRuns,
              number: int) -> tuple[str, list[tuple[int, int, Message]], int]:  # fmt: skip
    """A table row as one line, its cells' texts joined by " | " (a merged cell once), the spans of it a reader does not
    see, and the count of paragraphs read so far."""
    line, hidden, seen, cells_seen = "", [], set(), set()
    for cell in cells:
        if id(cell._tc) in cells_seen:
            continue  # a merged cell: python-docx repeats it
        cells_seen.add(id(cell._tc))
        spans, at = [], 0
        for para in cell.paragraphs:  # a cell's text is its paragraphs' joined by line breaks
            number += 1
            spans += [(s + at, e + at, why) for s, e, why in judge.spans(para, number)]
            at += len(para.text) + 1
        text = cell.text
        key = text.strip()
        if not key or key in seen:
            continue
        seen.add(key)
        line += " | " if line else ""
        shift = len(line) - (len(text) - len(text.lstrip()))
        hidden += [(max(s + shift, len(line)), min(e + shift, len(line) + len(key)), why) for s, e, why in spans]
        line += key
    return line, [h for h in hidden if h[1] > h[0]], number


def parse_docx(path: Path, limits: Limits) -> ParsedDocument:
    """Read a Word file's body: paragraphs and headings in order, each table row as one line.

    Raises:
        UnreadableDocument: no valid .docx, a zip bomb, too much text, or broken (one line).
    """
    _check_zip(path, limits)
    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        document = docx.Document(str(path))
        out = Builder(path, limits)
        trail = Trail()
        judge = hidden_docx.HiddenRuns(document)
        number = 0  # paragraphs counted as a reader counts them, table cells' included
        for item in document.iter_inner_content():
            if isinstance(item, Paragraph):
                number += 1
                style = item.style.name if item.style is not None else ""
                level = _heading_level(style or "")
                text = item.text
                hidden = judge.spans(item, number)
                if level is not None and text.strip():
                    out.add(text, heading=trail.push(level, heading_title(text)), is_heading=True, hidden=hidden)
                else:
                    out.add(text, heading=str(trail), hidden=hidden)
            elif isinstance(item, Table):
                for row in item.rows:
                    text, hidden, number = _docx_row(row.cells, judge, number)
                    out.add(text, heading=str(trail), hidden=hidden)
    except UnreadableDocument:
        raise
    except RecursionError:
        raise UnreadableDocument(Message("{name}: the Word document nests too deeply to read",
                                         name=str(path.name)), path=path) from None  # fmt: skip
    except Exception as e:  # python-docx and lxml on a broken or hostile file: this file's error only
        log.debug("python-docx failed on %s", path, exc_info=True)
        raise UnreadableDocument(Message("{name}: not a readable Word document ({kind}: {reason})", name=str(path.name),
                                         kind=type(e).__name__, reason=str(first_line(e))),
                                 path=path) from None  # fmt: skip
    return ParsedDocument(path, DocumentKind.DOCX, out.text(), tuple(out.blocks), hidden=tuple(out.hidden))
