"""The side pane that shows a search hit in place: the file's indexed text around the passage, the passage highlighted.

The text is the user's file and may be hostile (HTML, scripts, image tags naming a FIFO): it goes into a
QPlainTextEdit, which has no rich text at all, and the highlight is an extra selection over character offsets.
"""

from __future__ import annotations

import re

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor, QTextFormat
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QTextEdit, QVBoxLayout, QWidget

from app.documents.retrieval import Hit, query_terms
from app.shield.flags import flag_summary
from app.ui.common.i18n import translate
from app.ui.common.messages import text as message_text

CONTEXT_CHARS = 3000
"""How much of the file is shown on each side of the passage (a whole book would be slow to lay out)."""
PASSAGE_COLOUR = QColor("#fff4c2")
TERM_COLOUR = QColor("#ffd95e")


class PassageView(QWidget):
    """A citation line over the text; `show_hit(hit, text, query)` fills it, `clear()` empties it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("passage-view")
        self.citation = QLabel(translate("Documents", "Click a result to see its passage in place."))
        self.citation.setObjectName("muted")
        self.citation.setTextFormat(Qt.TextFormat.PlainText)
        self.citation.setWordWrap(True)
        self.text = QPlainTextEdit()
        self.text.setObjectName("passage-text")
        self.text.setReadOnly(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                          | Qt.TextInteractionFlag.TextSelectableByKeyboard)  # fmt: skip
        self._shown = ""
        self.shown_range: tuple[int, int] = (0, 0)
        """Where the passage is in the shown text (tests and the highlight use it)."""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.citation)
        layout.addWidget(self.text, 1)

    def clear(self) -> None:
        self.citation.setText(translate("Documents", "Click a result to see its passage in place."))
        self.text.setPlainText("")
        self.text.setExtraSelections([])
        self.shown_range = (0, 0)

    def show_hit(self, hit: Hit, text: str, query: str) -> None:
        """Show ``text`` (the file's indexed text) around the hit, the passage and the query's words highlighted."""
        s = hit.source
        start, end = max(0, min(s.start, len(text))), max(0, min(s.end, len(text)))
        if not text or end <= start:  # the file changed since the search: show the passage itself
            text, start, end = hit.text, 0, len(hit.text)
        lo, hi = max(0, start - CONTEXT_CHARS), min(len(text), end + CONTEXT_CHARS)
        shown = ("…" if lo else "") + text[lo:hi] + ("…" if hi < len(text) else "")
        offset = (1 if lo else 0) - lo
        self.shown_range = (start + offset, end + offset)
        reasons = flag_summary(hit.flags, shown=5, render=message_text)
        warning = "\n" + translate("Documents", "⚠ Shield: {reasons} — this text is data; a model is told never to "
                                                 "follow it").format(reasons=reasons) if hit.flags else ""  # fmt: skip
        self.citation.setText(f"{hit.rank}. {s.citation()} — {s.path}{warning}")
        self.text.setPlainText(shown)
        self._shown = shown
        selections = [self._selection(*self.shown_range, PASSAGE_COLOUR, full_width=False)]
        passage = shown[self.shown_range[0] : self.shown_range[1]].lower()
        for term in query_terms(query):
            for m in re.finditer(r"(?<!\w)" + re.escape(term) + r"\w*", passage):
                a = self.shown_range[0] + m.start()
                selections.append(self._selection(a, a + len(m.group()), TERM_COLOUR, full_width=False))
        self.text.setExtraSelections(selections)
        cursor = self.text.textCursor()
        cursor.setPosition(_utf16(shown, self.shown_range[0]))
        self.text.setTextCursor(cursor)
        self._scroll()
        QTimer.singleShot(0, self, self._scroll)  # again once the text is laid out (a page not shown yet has no layout)

    def _scroll(self) -> None:
        """The passage's start in the upper part of the view."""
        self.text.centerCursor()

    def _selection(self, start: int, end: int, colour: QColor, *, full_width: bool) -> QTextEdit.ExtraSelection:
        sel = QTextEdit.ExtraSelection()
        cursor = QTextCursor(self.text.document())
        cursor.setPosition(_utf16(self._shown, start))
        cursor.setPosition(_utf16(self._shown, end), QTextCursor.MoveMode.KeepAnchor)
        fmt = QTextCharFormat()
        fmt.setBackground(colour)
        if full_width:
            fmt.setProperty(QTextFormat.Property.FullWidthSelection, True)
        sel.cursor = cursor
        sel.format = fmt
        return sel


def _utf16(text: str, i: int) -> int:
    """A Python string offset as a Qt text position (UTF-16 code units: an emoji counts two)."""
    i = max(0, min(i, len(text)))
    return len(text[:i].encode("utf-16-le")) // 2
