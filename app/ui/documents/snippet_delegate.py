"""The search results' snippet column with the query's words in bold.

The snippet is the user's document and may hold markup: every character of it is escaped, and the only tags in the
HTML the delegate lays out are the <b> it adds itself (no image, no link, so the document has nothing to load).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, QSize
from PySide6.QtGui import QAbstractTextDocumentLayout, QPainter, QPalette, QTextDocument
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

Index = QModelIndex | QPersistentModelIndex
MARGIN = 4


def emphasised_html(text: str, terms: list[str]) -> str:
    """``text`` escaped as HTML, with each word that begins with one of ``terms`` (any case) in <b>."""
    if not terms:
        return html.escape(text)
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)) + r")\w*",
                         re.IGNORECASE)  # fmt: skip
    out, last = [], 0
    for m in pattern.finditer(text):
        out.append(html.escape(text[last : m.start()]))
        out.append("<b>" + html.escape(m.group()) + "</b>")
        last = m.end()
    out.append(html.escape(text[last:]))
    return "".join(out)


class SnippetDelegate(QStyledItemDelegate):
    """Paints a cell's text with ``terms()`` in bold, wrapped to the column's width."""

    def __init__(self, terms: Callable[[], list[str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._terms = terms

    def _document(self, option: QStyleOptionViewItem, index: Index, width: int) -> QTextDocument:
        doc = QTextDocument()
        doc.setDocumentMargin(MARGIN)
        doc.setDefaultFont(option.font)
        doc.setHtml(emphasised_html(str(index.data() or ""), self._terms()))
        doc.setTextWidth(max(width, 40))
        return doc

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        rect = opt.rect
        doc = self._document(opt, index, rect.width())
        opt.text = ""
        widget = opt.widget
        style = widget.style() if widget is not None else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        context = QAbstractTextDocumentLayout.PaintContext()
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        context.palette.setColor(QPalette.ColorRole.Text, opt.palette.color(role))
        painter.save()
        painter.translate(rect.topLeft())
        painter.setClipRect(QRectF(0, 0, rect.width(), rect.height()))
        doc.documentLayout().draw(painter, context)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        width = option.rect.width()
        view = self.parent()
        if isinstance(view, QWidget) and hasattr(view, "columnWidth"):
            width = int(view.columnWidth(index.column()))
        doc = self._document(option, index, width)
        return QSize(int(doc.idealWidth()), int(doc.size().height()))
