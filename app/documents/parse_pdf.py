"""The PDF reader (pypdf): each page's text with its hidden spans (``app.shield.hidden_pdf``), split into paragraphs.

The file is untrusted: the pages are counted before any is read, an encrypted file opens only without a password, and
every way pypdf can fail on a broken or hostile file becomes one ``UnreadableDocument`` line.
"""

from __future__ import annotations

import logging
from pathlib import Path

from app.documents.parsed import Builder, DocumentKind, Limits, ParsedDocument, UnreadableDocument, first_line
from app.shield import hidden_pdf
from core.errors import said
from core.messages import Message

log = logging.getLogger(__name__)


def parse_pdf(path: Path, limits: Limits) -> ParsedDocument:
    """Read a PDF's text layer, page by page.

    Raises:
        UnreadableDocument: too many pages or too much text, encrypted, or broken (one line).
    """
    import pypdf
    from pypdf.errors import DependencyError, FileNotDecryptedError

    name = path.name
    try:
        reader = pypdf.PdfReader(path, strict=False)
        if reader.is_encrypted:
            # An empty user password (only an owner password, which restricts printing or copying) still opens it.
            try:
                opened = reader.decrypt("")
            except (DependencyError, NotImplementedError) as e:
                raise UnreadableDocument(Message("{name}: the PDF is encrypted in a way this installation cannot open "
                                                 "({error})", name=str(name), error=said(e)),
                                         path=path) from None  # fmt: skip
            if opened == pypdf.PasswordType.NOT_DECRYPTED:
                raise UnreadableDocument(_encrypted(name), path=path)
        n_pages = len(reader.pages)
        if n_pages > limits.max_pdf_pages:
            raise UnreadableDocument(Message("{name}: {n_pages} pages (the limit is {max_pdf_pages}); split it",
                                             name=str(name), n_pages=format(n_pages, ','),
                                             max_pdf_pages=format(limits.max_pdf_pages, ',')), path=path)  # fmt: skip
        out = Builder(path, limits)
        for number, page in enumerate(reader.pages, start=1):
            text, hidden = hidden_pdf.page_text(page, number)
            out.add_paragraphs(text, page=number, hidden=hidden)
    except UnreadableDocument:
        raise
    except FileNotDecryptedError:
        raise UnreadableDocument(_encrypted(name), path=path) from None
    except RecursionError:
        raise UnreadableDocument(Message("{name}: the PDF nests too deeply to read (broken or hostile)",
                                         name=str(name)), path=path) from None  # fmt: skip
    except Exception as e:  # a hostile or broken file can make the parser fail in any way; it is this file's error only
        log.debug("pypdf failed on %s", path, exc_info=True)
        raise UnreadableDocument(Message("{name}: not a readable PDF ({kind}: {reason})", name=str(name),
                                         kind=type(e).__name__, reason=str(first_line(e))), path=path) from None  # fmt: skip
    return ParsedDocument(path, DocumentKind.PDF, out.text(), tuple(out.blocks), pages=n_pages, hidden=tuple(out.hidden))


def _encrypted(name: str) -> str:
    return f"{name}: the PDF is encrypted (password-protected); save a copy without the password"
