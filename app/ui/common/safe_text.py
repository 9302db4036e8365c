"""Widgets and helpers that show text Modelwerk did not write (model answers, model cards, file metadata) safely.

Qt guesses: a QLabel or tooltip whose text "might be rich text" is parsed as HTML, and a text document loads every image
it names from disk — a FIFO froze the app, /dev/zero crashed it. So untrusted strings go into labels as plain text
(Qt.TextFormat.PlainText), tooltips are escaped, and Markdown is shown in a SafeTextBrowser, which hands its document
no resource at all (a blank image for an image: given nothing, Qt's image handler opens the file by name itself).
"""

from __future__ import annotations

import logging
from typing import overload

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QImage, QTextDocument
from PySide6.QtWidgets import QTextBrowser, QWidget

from app.markdown import escape_text, to_html

log = logging.getLogger(__name__)


class SafeTextBrowser(QTextBrowser):
    """A read-only text view that never loads a resource (image, style sheet, page) from anywhere, nor follows a link.

    Its HTML comes from app.markdown, which makes no image tags; this is the second wall, for HTML that slips past.
    Links are reported through `anchorClicked` for the owner to judge (app.ui.common.links.open_untrusted_link).

    Attributes:
        refused: the addresses the document asked for and did not get (tests assert on it).
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.refused: list[str] = []

    def loadResource(self, type: int, name: QUrl | str) -> object:  # Qt's virtual, Qt's names
        # Every answer must be a valid one: given nothing (or bytes that are no image), Qt reads the file itself.
        address = name.toString() if isinstance(name, QUrl) else name  # Qt passes a QUrl; the binding also takes a str
        self.refused.append(address)
        log.debug("refused to load resource %s (type %s)", address, type)
        if getattr(type, "value", type) == QTextDocument.ResourceType.ImageResource.value:  # an int or the enum
            return _blank_image()
        return ""

    def set_markdown(self, text: str, *, breaks: bool = False) -> None:
        """Show untrusted Markdown (see app.markdown.to_html)."""
        self.setHtml(to_html(text, breaks=breaks))


def _blank_image() -> QImage:
    image = QImage(1, 1, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    return image


@overload
def plain_tooltip(text: str) -> str: ...
@overload
def plain_tooltip(text: None) -> None: ...
@overload
def plain_tooltip(text: str | None) -> str | None: ...
def plain_tooltip(text: str | None) -> str | None:
    """A tooltip that shows `text` as written: Qt renders a tooltip that looks like HTML as HTML (and loads its images)."""
    if not text or "<" not in text:  # without a "<" Qt shows it as plain text
        return text
    return f"<p style='white-space:pre-wrap'>{escape_text(text)}</p>"
