"""Files to text: PDF (pypdf), Word (python-docx), HTML (the standard library's tokenizer), Markdown, plain text, code.

A parsed document is one string, ``text``, and the blocks it is made of (paragraphs, headings, table rows), each with its
offsets into ``text``, its page (PDF) and the trail of headings above it. Passages cut from it keep those offsets, so a
citation opens the passage in place. Markdown, plain text and source code keep their own text (line endings made
``\\n``); the other formats' text is what was extracted, blocks separated by a blank line.

The files are untrusted: sizes are bounded before anything is read (the file, a Word file's unpacked parts, the pages and
characters extracted), nothing in a file is ever executed, and every way a parser can fail on a hostile or broken file
becomes one ``UnreadableDocument`` line that names the file and the reason.

This module dispatches by kind and reads the small formats (text, code, Markdown, HTML); the PDF and Word readers are
``app.documents.parse_pdf`` and ``parse_docx``, and what they all share (``ParsedDocument``, the errors and limits, the
builder of extracted text) is ``app.documents.parsed``. PDF, Word and HTML files are read in a child process
(``app.documents.isolated``).
"""

from __future__ import annotations

import codecs
import logging
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

from app.documents.parse_docx import parse_docx
from app.documents.parse_pdf import parse_pdf
from app.documents.parsed import (
    DEFAULT_LIMITS,
    Block,
    Builder,
    DocumentError,
    DocumentKind,
    Limits,
    ParsedDocument,
    Trail,
    UnreadableDocument,
    check_chars,
    first_line,
    heading_title,
    paragraph_blocks,
)
from app.shield.hidden import hidden_classes, hiding_reason
from core.messages import Message

__all__ = [
    "CODE_SUFFIXES",
    "DEFAULT_LIMITS",
    "HTML_SUFFIXES",
    "MARKDOWN_SUFFIXES",
    "MAX_STYLESHEET",
    "SUFFIX_HINTS",
    "TEXT_SUFFIXES",
    "Block",
    "DocumentError",
    "DocumentKind",
    "Limits",
    "ParsedDocument",
    "UnreadableDocument",
    "heading_title",
    "kind_of",
    "looks_like_markdown",
    "markdown_blocks",
    "normalize_newlines",
    "paragraph_blocks",
    "parse_file",
]

log = logging.getLogger(__name__)


MARKDOWN_SUFFIXES = frozenset({".md", ".markdown", ".mdown", ".mkd", ".mdx"})
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
TEXT_SUFFIXES = frozenset({".txt", ".text", ".rst", ".log", ".csv", ".tsv", ".org", ".tex", ""})
CODE_SUFFIXES = frozenset({
    ".py", ".pyi", ".js", ".mjs", ".cjs", ".ts", ".tsx", ".jsx", ".c", ".h", ".cc", ".cpp", ".cxx", ".hpp", ".hh", ".rs",
    ".go", ".java", ".kt", ".kts", ".scala", ".rb", ".php", ".pl", ".lua", ".r", ".jl", ".swift", ".m", ".mm", ".cs",
    ".fs", ".sh", ".bash", ".zsh", ".fish", ".ps1", ".bat", ".sql", ".css", ".scss", ".toml", ".yaml", ".yml", ".json",
    ".ini", ".cfg", ".conf", ".xml", ".proto", ".cmake", ".gradle", ".dart", ".ex", ".exs", ".erl", ".hs", ".ml", ".nim",
    ".zig", ".vue", ".svelte",
})  # fmt: skip
SUFFIX_HINTS = {
    ".doc": "the old Word format: save it as .docx",
    ".odt": "an OpenDocument file: save it as .docx or PDF",
    ".rtf": "rich text: save it as .docx or PDF",
    ".epub": "an e-book: not supported yet",
}


def kind_of(path: Path) -> DocumentKind | None:
    """The kind a file name says, or None when it is not a document Modelwerk reads."""
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        return DocumentKind.PDF
    if suffix == ".docx":
        return DocumentKind.DOCX
    if suffix in MARKDOWN_SUFFIXES:
        return DocumentKind.MARKDOWN
    if suffix in HTML_SUFFIXES:
        return DocumentKind.HTML
    if suffix in CODE_SUFFIXES:
        return DocumentKind.CODE
    if suffix in TEXT_SUFFIXES:
        return DocumentKind.TEXT
    return None


def parse_file(path: Path, *, limits: Limits = DEFAULT_LIMITS) -> ParsedDocument:
    """Read one file as a document.

    Raises:
        UnreadableDocument: not a supported type, too large, encrypted, without text, or broken (one line).
        OSError: the file cannot be read at all.
    """
    kind = kind_of(path)
    if kind is None:
        why = SUFFIX_HINTS.get(path.suffix.lower(), f"{path.suffix or 'no extension'} is not a document type Modelwerk reads")
        raise UnreadableDocument(Message("{name}: {why}", name=str(path.name), why=str(why)), path=path)
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        raise UnreadableDocument(Message("{name}: too large ({value} MiB; the limit is {value2} MiB)", name=str(path.name),
                                         value=str(size >> 20), value2=str(limits.max_file_bytes >> 20)),
                                 path=path)  # fmt: skip
    if kind is DocumentKind.PDF:
        doc = parse_pdf(path, limits)
    elif kind is DocumentKind.DOCX:
        doc = parse_docx(path, limits)
    else:
        if size > 4 * limits.max_text_chars:  # UTF-8 takes at most 4 bytes a character: too much text, unread
            check_chars(path, size // 4, limits)
        data = path.read_bytes()
        if kind is DocumentKind.HTML:
            doc = _parse_html(path, data, limits)
        else:
            text = _decode_text(path, data)
            check_chars(path, len(text), limits)
            if kind is DocumentKind.MARKDOWN or (kind is DocumentKind.TEXT and looks_like_markdown(text)):
                doc = ParsedDocument(path, DocumentKind.MARKDOWN if kind is DocumentKind.MARKDOWN else kind, text,
                                     tuple(markdown_blocks(text)))  # fmt: skip
            else:
                doc = ParsedDocument(path, kind, text, tuple(paragraph_blocks(text)))
    if not doc.text.strip():
        if kind is DocumentKind.PDF:
            raise UnreadableDocument(Message("{name}: the PDF has no text layer (a scanned document?); run OCR on it first",
                                             name=str(path.name)),
                                     path=path)  # fmt: skip
        raise UnreadableDocument(Message("{name}: no text in it", name=str(path.name)), path=path)
    return doc


# -- plain text, code, Markdown ----------------------------------------------------------------------------------------------

_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))  # fmt: skip


def _decode_text(path: Path, data: bytes) -> str:
    """UTF-8 (or what a byte-order mark says); else Windows-1252, the usual other encoding of German text files."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            text = data.decode(encoding, errors="replace")
            break
    else:
        if b"\x00" in data[:8192]:
            raise UnreadableDocument(Message("{name}: a binary file, not text", name=str(path.name)), path=path)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
    return normalize_newlines(text)


def normalize_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


# Linear on any line: no lazy group before a trailing class (that backtracks quadratically on a crafted heading line); the
# closing #s are cut in Python (``_atx_title``).
_ATX = re.compile(r" {0,3}(#{1,6})(?:[ \t](.*))?$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_SETEXT = re.compile(r" {0,3}(=+|-+)[ \t]*$")
_NOT_SETEXT = re.compile(r" {0,3}(?:[-+*]|\d{1,9}[.)])(?:[ \t]|$)| {0,3}[|>]")
"""A paragraph starting like a list item, a table row or a quote is not underlined into a heading by ``---``."""


def _atx_title(raw: str | None) -> str:
    """The text of an ATX heading line after its opening #s, without a closing run of #s: ``Title ##`` -> ``Title``."""
    raw = (raw or "").strip()
    bare = raw.rstrip("#")
    if bare != raw and (not bare or bare[-1] in " \t"):
        raw = bare.strip()
    return raw


def looks_like_markdown(text: str) -> bool:
    """A .txt file written in Markdown (two ATX headings at least): read with its headings."""
    return len(re.findall(r"(?m)^#{1,6} \S", text[:200_000])) >= 2


def markdown_blocks(text: str) -> Iterator[Block]:
    """Markdown's paragraphs, ATX headings (``# Title``) and setext headings (a paragraph underlined with ``===`` or
    ``---``); a fenced code block is one block (a ``#`` inside it is no heading)."""
    trail = Trail()
    pos = 0
    para_start: int | None = None
    para_end = 0
    underlinable = False  # the paragraph may become a setext heading (decided by its first line; no fence in it)
    fence: str | None = None
    for line in text.split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        stripped = line.strip()
        if fence is not None:
            para_end = end
            if stripped.startswith(fence):
                fence = None
            continue
        if para_start is not None and underlinable and _SETEXT.match(line):
            title = heading_title(" ".join(text[para_start:para_end].split()))
            level = 1 if stripped.startswith("=") else 2
            yield Block(para_start, start + len(line.rstrip()), None, trail.push(level, title), True)
            para_start = None
            continue
        fence_m = _FENCE.match(line)
        heading_m = _ATX.match(line)
        if fence_m or heading_m or not stripped:
            if para_start is not None and (heading_m or not stripped):
                yield Block(para_start, para_end, None, str(trail))
                para_start = None
            if heading_m:
                title = heading_title(_atx_title(heading_m.group(2)))
                lead = len(line) - len(line.lstrip())
                yield Block(start + lead, start + len(line.rstrip()), None, trail.push(len(heading_m.group(1)), title), True)
                continue
            if fence_m:
                fence = fence_m.group(1)
                if para_start is None:
                    para_start = start + len(line) - len(line.lstrip())
                para_end = end
                underlinable = False
            continue
        if para_start is None:
            para_start = start + len(line) - len(line.lstrip())
            underlinable = not _NOT_SETEXT.match(line)
        para_end = start + len(line.rstrip())
    if para_start is not None:
        yield Block(para_start, para_end, None, str(trail))


# -- HTML -----------------------------------------------------------------------------------------------------------------

_SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "svg", "math", "head", "iframe", "object", "canvas"})
_BLOCK_TAGS = frozenset({
    "p", "div", "section", "article", "main", "aside", "header", "footer", "nav", "li", "ul", "ol", "dl", "dt", "dd",
    "tr", "table", "thead", "tbody", "blockquote", "pre", "figure", "figcaption", "form", "fieldset", "address",
    "details", "summary", "br", "hr", "body", "html", "td", "th", "caption",
})  # fmt: skip
_HEADINGS = {f"h{i}": i for i in range(1, 7)}
_VOID = frozenset({"br", "hr", "img", "input", "meta", "link", "area", "base", "col", "embed", "source", "track", "wbr"})


_SHOW, _HIDE = "\x00", "\x01"
"""Marks in the text buffer where hidden text starts and ends (taken out of the page's own text first)."""
MAX_STYLESHEET = 1 << 20


class _HtmlText(HTMLParser):
    """Text by blocks; script, style and other non-text elements are dropped with all they contain. Text a browser would
    not show (``app.shield.hidden``: display:none, white on white, a 0 px font, off screen...) is kept and recorded as
    hidden. Comments are dropped (they never reach a model).

    HTMLParser is a tokenizer, not a tree builder: nesting depth costs nothing (no recursion), so deeply nested markup
    cannot exhaust the stack.
    """

    def __init__(self, out: Builder) -> None:
        super().__init__(convert_charrefs=True)
        self.out = out
        self.trail = Trail()
        self.skip: list[str] = []
        self.heading: int | None = None
        self.pre = 0
        self.buf: list[str] = []
        self.hide: list[str] = []
        """The hidden element's tag, once per level of the same tag nested in it (like ``skip``)."""
        self.why = Message("")
        self.sheet: list[str] = []
        self.sheet_chars = 0
        self.classes: dict[str, Message] = {}

    def flush(self) -> None:
        raw = "".join(self.buf)
        self.buf = []
        text = raw if self.pre else " ".join(raw.split())
        if self.heading is not None:
            text = " ".join(text.split())
        clean, hidden = self._hidden_spans(text)
        if not clean.strip():
            return
        if self.heading is not None:
            self.out.add(clean, heading=self.trail.push(self.heading, clean), is_heading=True, hidden=hidden)
        else:
            self.out.add(clean, heading=str(self.trail), hidden=hidden)

    def _hidden_spans(self, text: str) -> tuple[str, list[tuple[int, int, Message]]]:
        """``text`` without the hidden marks, and the spans they marked (a block that starts inside a hidden element
        starts hidden)."""
        if _HIDE not in text and _SHOW not in text:
            return text, ([(0, len(text), self.why)] if self.hide else [])
        out: list[str] = []
        spans = []
        n = 0
        start = 0 if text[0] != _HIDE and self._was_hidden(text) else None
        for piece in re.split("([\x00\x01])", text):
            if piece == _HIDE:
                start = n if start is None else start
            elif piece == _SHOW:
                if start is not None and n > start:
                    spans.append((start, n, self.why))
                start = None
            else:
                out.append(piece)
                n += len(piece)
        if start is not None and n > start:
            spans.append((start, n, self.why))
        return "".join(out), spans

    def _was_hidden(self, text: str) -> bool:
        """Whether this block's text starts inside a hidden element: its first mark closes one."""
        i, j = text.find(_SHOW), text.find(_HIDE)
        return i >= 0 and (j < 0 or i < j)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skip:
            if tag in (self.skip[-1], "style") and tag not in _VOID:  # a stylesheet in <head> is read for hiding classes
                self.skip.append(tag)
            return
        if tag in _SKIP_TAGS:
            self.skip.append(tag)
            return
        if self.hide:
            if tag == self.hide[-1] and tag not in _VOID:
                self.hide.append(tag)
        elif tag not in _VOID:
            why = hiding_reason(dict(attrs), self.classes)
            if why is not None:
                if tag in _HEADINGS or tag in _BLOCK_TAGS:
                    self.flush()
                self.hide.append(tag)
                self.why = Message("hidden in the HTML by {why}", why=why)
                self.buf.append(_HIDE)
        if tag in _HEADINGS:
            self.flush()
            self.heading = _HEADINGS[tag]
        elif tag in _BLOCK_TAGS:
            self.flush()
            if tag == "pre":
                self.pre += 1
        elif tag in ("td", "th"):
            self.buf.append(" | ")

    def handle_endtag(self, tag: str) -> None:
        if self.skip:
            if tag == self.skip[-1]:
                self.skip.pop()
                if tag == "style" and self.sheet:
                    self.classes.update(hidden_classes("".join(self.sheet)))
                    self.sheet = []
            return
        if self.hide and tag == self.hide[-1]:
            self.hide.pop()
            if not self.hide:
                self.buf.append(_SHOW)
        if tag in _HEADINGS:
            self.flush()
            self.heading = None
        elif tag in _BLOCK_TAGS:
            self.flush()
            if tag == "pre" and self.pre:
                self.pre -= 1

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.buf.append(data.replace(_SHOW, "").replace(_HIDE, ""))
        elif self.skip[-1] == "style" and self.sheet_chars < MAX_STYLESHEET:
            self.sheet.append(data)
            self.sheet_chars += len(data)


def _html_encoding(data: bytes) -> str:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding
    m = re.search(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", data[:4096], re.IGNORECASE)
    if m:
        try:
            return codecs.lookup(m.group(1).decode("ascii")).name
        except LookupError:
            pass
    return "utf-8"


def _parse_html(path: Path, data: bytes, limits: Limits) -> ParsedDocument:
    text = normalize_newlines(data.decode(_html_encoding(data), errors="replace"))
    out = Builder(path, limits)
    parser = _HtmlText(out)
    try:
        parser.feed(text)
        parser.close()
        parser.flush()
    except UnreadableDocument:
        raise
    except Exception as e:  # the tokenizer is lenient; anything it still raises is this file's error only
        raise UnreadableDocument(Message("{name}: not readable HTML ({kind}: {reason})", name=str(path.name),
                                         kind=type(e).__name__, reason=str(first_line(e))), path=path) from None  # fmt: skip
    return ParsedDocument(path, DocumentKind.HTML, out.text(), tuple(out.blocks), hidden=tuple(out.hidden))
