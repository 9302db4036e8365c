"""Qt item models over the documents' pure objects: a collection's files (with the state the page shows) and search hits.

Every string here comes from the user's files (names, headings, snippets, errors) and is shown as plain text: item views
paint DisplayRole text as text, and tooltips go through plain_tooltip.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from app.documents.indexing import Outcome
from app.documents.retrieval import Hit
from app.documents.store import FileRecord, FileState
from app.shield.flags import flag_summary
from app.ui.common.i18n import QT_TRANSLATE_NOOP, translate
from app.ui.common.messages import text as message_text
from app.ui.common.safe_text import plain_tooltip

Index = QModelIndex | QPersistentModelIndex
RECORD_ROLE = Qt.ItemDataRole.UserRole + 1
HIT_ROLE = Qt.ItemDataRole.UserRole + 2


class Shown(enum.Enum):
    """A file's state as the page says it: the database's three plus what this run found."""

    INDEXED = "indexed"
    UNCHANGED = "unchanged"
    PENDING = "pending"
    INDEXING = "indexing…"
    FAILED = "failed"


SHOWN_TEXT = {Shown.INDEXED: QT_TRANSLATE_NOOP("Documents", "indexed"),
              Shown.UNCHANGED: QT_TRANSLATE_NOOP("Documents", "unchanged"),
              Shown.PENDING: QT_TRANSLATE_NOOP("Documents", "pending"),
              Shown.INDEXING: QT_TRANSLATE_NOOP("Documents", "indexing…"),
              Shown.FAILED: QT_TRANSLATE_NOOP("Documents", "failed")}  # fmt: skip
COLOURS = {Shown.INDEXED: "#1e7b3c", Shown.UNCHANGED: "#5f7a12", Shown.PENDING: "#6b7380", Shown.INDEXING: "#1f56c7",
           Shown.FAILED: "#c62828"}  # fmt: skip


@dataclass(frozen=True)
class FileRow:
    record: FileRecord
    shown: Shown
    error: str = ""


def _error(row: FileRow) -> str:
    """The row's one-line error in the interface's language (the file's stored message), else as it came."""
    return message_text(row.record.error_text) if row.record.error else row.error


def shown_state(record: FileRecord, *, current: Path | None, outcomes: dict[Path, Outcome]) -> Shown:
    if record.state is FileState.FAILED:
        return Shown.FAILED
    if record.state is FileState.PENDING:
        return Shown.INDEXING if record.path == current else Shown.PENDING
    return Shown.UNCHANGED if outcomes.get(record.path) is Outcome.UNCHANGED else Shown.INDEXED


class _Table(QAbstractTableModel):
    """A flat table with fixed column headers: the part both of the page's tables share."""

    HEADERS: tuple[str, ...] = ()

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        horizontal = orientation is Qt.Orientation.Horizontal
        if horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(self.HEADERS):
            return translate("Documents", self.HEADERS[section])
        return None


class FilesModel(_Table):
    """One collection's files: name, state, passages, pages, and the one-line error of a file that failed."""

    HEADERS = (QT_TRANSLATE_NOOP("Documents", "File"), QT_TRANSLATE_NOOP("Documents", "State"),
               QT_TRANSLATE_NOOP("Documents", "Passages"), QT_TRANSLATE_NOOP("Documents", "Pages"),
               QT_TRANSLATE_NOOP("Documents", "Message"))  # fmt: skip

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[FileRow] = []
        self._row_of: dict[Path, int] = {}

    def set_rows(self, rows: list[FileRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._row_of = {r.record.path: i for i, r in enumerate(self._rows)}
        self.endResetModel()

    def rows(self) -> list[FileRow]:
        return list(self._rows)

    def row_of(self, path: Path) -> int:
        return self._row_of.get(path, -1)

    def set_row(self, i: int, row: FileRow) -> None:
        self.update_rows({i: row})

    def update_rows(self, rows: dict[int, FileRow]) -> None:
        """Replace rows by index, with one dataChanged for the span (a signal per row costs a repaint each)."""
        rows = {i: r for i, r in rows.items() if 0 <= i < len(self._rows)}
        if not rows:
            return
        for i, r in rows.items():
            self._rows[i] = r
        self.dataChanged.emit(self.index(min(rows), 0), self.index(max(rows), len(self.HEADERS) - 1))

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        col = index.column()
        if role == RECORD_ROLE:
            return row.record
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return row.record.path.name
            if col == 1:
                return translate("Documents", SHOWN_TEXT[row.shown])
            if col == 2:
                return "" if row.shown in (Shown.FAILED, Shown.PENDING, Shown.INDEXING) else str(row.record.passages)
            if col == 3:
                return str(row.record.pages) if row.record.pages else ""
            if col == 4:  # the file's name is in the row already: the reason comes first
                error = _error(row)
                prefix = f"{row.record.path.name}: "
                return error[len(prefix) :] if error.startswith(prefix) else error
        if role == Qt.ItemDataRole.ToolTipRole:
            return plain_tooltip(str(row.record.path) if col != 4 else (_error(row) or None))
        if role == Qt.ItemDataRole.ForegroundRole and col in (1, 4):
            return QColor(COLOURS[row.shown])
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (2, 3):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class ResultsModel(_Table):
    """Search hits: rank, source (file · page · heading), the snippet, the score."""

    HEADERS = ("#", QT_TRANSLATE_NOOP("Documents", "Source"), QT_TRANSLATE_NOOP("Documents", "Passage"),
               QT_TRANSLATE_NOOP("Documents", "Score"))  # fmt: skip

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._hits: list[Hit] = []

    def set_hits(self, hits: list[Hit]) -> None:
        self.beginResetModel()
        self._hits = list(hits)
        self.endResetModel()

    def hits(self) -> list[Hit]:
        return list(self._hits)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._hits)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._hits):
            return None
        hit = self._hits[index.row()]
        col = index.column()
        if role == HIT_ROLE:
            return hit
        if role == Qt.ItemDataRole.DisplayRole:
            source = ("⚠ " if hit.flags else "") + hit.source.citation()  # the shield flagged it: see the tooltip
            return (str(hit.rank), source, hit.snippet, f"{hit.score:.2f}")[col]
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == 1 and hit.flags:
                reasons = flag_summary(hit.flags, shown=5, render=message_text)
                shield = translate("Documents", "Shield: {reasons}").format(reasons=reasons)
                return plain_tooltip(f"{hit.source.path}\n{shield}")
            return plain_tooltip(str(hit.source.path) if col == 1 else hit.snippet if col == 2 else None)
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (0, 3):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        return None
