"""A cited source in place: the Documents page's passage view in a window beside the chat, the file's indexed text
around the passage with the passage highlighted, its page and heading above.

The file's text is read from documents.db in the pool. When the file is gone from the collection or its text changed
since the answer (re-indexed), the passage is shown as the model was given it, and the window says so.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from app.chat.attachments import AnswerSource, AnswerSources
from app.documents.retrieval import Hit, Source
from app.documents.store import DocumentStore
from app.ui.common.i18n import QT_TRANSLATE_NOOP, translate
from app.ui.documents.passage_view import PassageView

STALE = QT_TRANSLATE_NOOP(
    "Chat", "The file has changed or left the collection since this answer: shown is the passage as the model was given it."
)


def read_source_text(db_path: Path, sources: AnswerSources, source: AnswerSource) -> str:
    """The file's indexed text, when it still holds the passage where the answer found it; "" otherwise (pool thread)."""
    with DocumentStore.open(db_path) as store:
        path = Path(source.path)
        record = next((f for f in store.files(sources.collection_id) if f.path == path), None)
        if record is None:
            return ""
        text = store.file_text(record.id)
    return text if text[source.start : source.end] == source.text else ""


def hit_of(sources: AnswerSources, source: AnswerSource) -> Hit:
    """A stored source as the passage view shows a search hit."""
    where = Source(Path(source.path), source.start, source.end, source.page, source.page_end, source.heading)
    return Hit(source.passage_id or 0, source.number, 0.0, sources.search, where, source.text, "", source.flags)


class SourceDialog(QDialog):
    """One window per conversation, not modal: each clicked citation replaces what it shows."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("source-dialog")
        self.setWindowTitle(translate("Chat", "Source"))
        self.resize(720, 520)
        self.passage = PassageView()
        self.note = QLabel()
        self.note.setObjectName("muted")
        self.note.setWordWrap(True)
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        self.note.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addWidget(self.passage, 1)
        layout.addWidget(buttons)
        self.shown: tuple[int, int] | None = None
        """(answer key, number) of the source shown."""

    def show_source(self, key: int, sources: AnswerSources, source: AnswerSource, text: str) -> None:
        """Show ``source`` in ``text`` (the file's text; "" when it is no longer there as it was)."""
        self.shown = (key, source.number)
        self.setWindowTitle(f"[{source.number}] {source.citation()}")
        self.note.setText("" if text else translate("Chat", STALE))
        self.note.setVisible(not text)
        self.passage.show_hit(hit_of(sources, source), text, sources.query)
        self.passage.citation.setText(f"[{source.number}] {source.citation()} — {source.path}")
        self.show()
        self.raise_()
        self.activateWindow()
