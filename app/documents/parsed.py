"""What a reader makes of a file, and what the readers share: ``ParsedDocument`` (one string and its blocks), the
errors and size limits, the heading trail and the builder that joins extracted blocks (PDF, Word, HTML).

The dispatcher and the small formats are in ``app.documents.parse``; the PDF and Word readers in ``parse_pdf`` and
``parse_docx``.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from app.shield.flags import Flag, Kind
from core.errors import ModelwerkError
from core.messages import N_, Message


class DocumentError(ModelwerkError):
    """A documents operation failed on the user's input (a missing file, an unknown collection); one line."""

    hint = N_("see `modelwerk docs --help`")


class UnreadableDocument(DocumentError):
    """One file could not be read as a document; the message names the file and why. The other files go on."""

    hint = N_("fix or convert the file, then add it again")


class DocumentKind(enum.Enum):
    PDF = "pdf"
    DOCX = "docx"
    MARKDOWN = "markdown"
    HTML = "html"
    TEXT = "text"
    CODE = "code"


@dataclass(frozen=True)
class Limits:
    """Bounds on what one untrusted file may cost."""

    max_file_bytes: int = 200 << 20
    max_text_chars: int = 20_000_000
    max_pdf_pages: int = 5_000
    max_zip_entries: int = 5_000
    max_zip_unpacked: int = 128 << 20
    """A Word file's parts unpacked, all together: python-docx loads every part into memory."""
    max_zip_ratio: int = 200
    """Unpacked/packed of one large part above which it is a zip bomb (Word XML packs about 10:1)."""


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class Block:
    """A paragraph, heading or table row of a document: ``text[start:end]`` of its ``ParsedDocument``."""

    start: int
    end: int
    page: int | None = None
    """1-based page (PDF); None where the format has no pages."""
    heading: str = ""
    """The trail of headings this block sits under, outermost first ("Setup › Linux"); for a heading, its own trail."""
    is_heading: bool = False


@dataclass(frozen=True)
class ParsedDocument:
    path: Path
    kind: DocumentKind
    text: str
    blocks: tuple[Block, ...]
    pages: int = 0
    """Pages of a PDF; 0 for formats without pages."""
    hidden: tuple[Flag, ...] = ()
    """Text that is in ``text`` but that a reader of the rendered file does not see (hidden HTML, invisible, white, tiny
    or off-page text in a PDF, hidden runs in Word: ``app.shield.hidden``, ``hidden_pdf``, ``hidden_docx``), as flags
    on ``text``.
    It is kept, so a search still finds it and the user sees it flagged; the shield marks the passages it falls in."""


def check_chars(path: Path, n: int, limits: Limits) -> None:
    if n > limits.max_text_chars:
        raise UnreadableDocument(Message("{name}: too much text (over {max_text_chars} characters); split it",
                                         name=str(path.name), max_text_chars=format(limits.max_text_chars, ',')),
                                 path=path)  # fmt: skip


def paragraph_blocks(text: str, *, page: int | None = None, heading: str = "", offset: int = 0) -> Iterator[Block]:
    """Runs of non-blank lines, with their offsets (+ ``offset``) into the text."""
    for m in re.finditer(r"\S(?:.*\S)?(?:\n[ \t]*\S(?:.*\S)?)*", text):
        yield Block(offset + m.start(), offset + m.end(), page, heading)


def heading_title(raw: str) -> str:
    """A heading's text without Markdown emphasis and code marks: ``**Quantisierung**`` -> ``Quantisierung``."""
    return " ".join(re.sub(r"[*_`]+", "", raw).split())


class Trail:
    """The headings above the current line: a level-N heading replaces N and everything deeper."""

    def __init__(self) -> None:
        self._stack: list[tuple[int, str]] = []

    def push(self, level: int, title: str) -> str:
        while self._stack and self._stack[-1][0] >= level:
            self._stack.pop()
        if title:
            self._stack.append((level, title))
        return str(self)

    def __str__(self) -> str:
        return " › ".join(t for _, t in self._stack)


def first_line(e: BaseException) -> str:
    text = " ".join(str(e).split())
    return (text[:160] + "…") if len(text) > 160 else text or type(e).__name__


# -- building extracted text --------------------------------------------------------------------------------------------------


@dataclass
class Builder:
    """Extracted blocks joined by blank lines, each block's offsets recorded."""

    path: Path
    limits: Limits
    parts: list[str] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    hidden: list[Flag] = field(default_factory=list)
    length: int = 0

    def add(self, text: str, *, page: int | None = None, heading: str = "", is_heading: bool = False,
            hidden: Sequence[tuple[int, int, Message]] = ()) -> None:  # fmt: skip
        """One block; ``hidden``: (start, end, reason) of text in it that a reader does not see, as offsets into
        ``text``."""
        lead = len(text) - len(text.lstrip())
        text = text.strip()
        if not text:
            return
        if self.parts:
            self.parts.append("\n\n")
            self.length += 2
        self.parts.append(text)
        for start, end, why in hidden:
            start, end = max(0, start - lead), min(len(text), end - lead)
            piece = text[start:end]
            start, end = start + len(piece) - len(piece.lstrip()), end - len(piece) + len(piece.rstrip())
            if end > start:  # the span without the spaces around it
                self.hidden.append(Flag.of(Kind.HIDDEN, start + self.length, end + self.length, why))
        self.blocks.append(Block(self.length, self.length + len(text), page, heading, is_heading))
        self.length += len(text)
        check_chars(self.path, self.length, self.limits)

    def add_paragraphs(self, text: str, *, page: int | None, hidden: Sequence[tuple[int, int, Message]] = ()) -> None:
        """A run of text (line endings ``\\n``) split into blocks at blank lines (a PDF page); ``hidden`` as for
        ``add``, offsets into ``text``."""
        for b in paragraph_blocks(text):
            mine = [(s - b.start, e - b.start, why) for s, e, why in hidden if s < b.end and e > b.start]
            self.add(text[b.start : b.end], page=page, hidden=mine)

    def text(self) -> str:
        return "".join(self.parts)
