"""The download queue as a Qt table model, and the bridge that brings the queue's worker-thread callbacks to the GUI thread.

DownloadQueue calls `on_change(download)` from its worker threads. `QueueBridge.report` is that callback: it only emits a
signal, which Qt queues to the bridge's (GUI) thread, where the model updates its row. Nothing else crosses threads.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, QRect, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleOptionProgressBar, QStyleOptionViewItem

from app.hub.download_rows import Download, DownloadState
from app.ui.common.format import duration_text, number, size_text
from app.ui.common.i18n import QT_TRANSLATE_NOOP, translate
from app.ui.common.messages import text as message_text

Index = QModelIndex | QPersistentModelIndex
DOWNLOAD_ROLE = Qt.ItemDataRole.UserRole + 1
"""The Download of a row."""
FRACTION_ROLE = Qt.ItemDataRole.UserRole + 2
"""Done, 0.0 to 1.0."""

STATE_TEXT = {
    DownloadState.QUEUED: QT_TRANSLATE_NOOP("Discover", "Queued"),
    DownloadState.RUNNING: QT_TRANSLATE_NOOP("Discover", "Downloading"),
    DownloadState.PAUSED: QT_TRANSLATE_NOOP("Discover", "Paused"),
    DownloadState.DONE: QT_TRANSLATE_NOOP("Discover", "Done"),
    DownloadState.FAILED: QT_TRANSLATE_NOOP("Discover", "Failed"),
    DownloadState.CANCELLED: QT_TRANSLATE_NOOP("Discover", "Cancelled"),
}
STATE_COLORS = {
    DownloadState.RUNNING: QColor("#1f56c7"),
    DownloadState.DONE: QColor("#1e7b3c"),
    DownloadState.FAILED: QColor("#c62828"),
    DownloadState.PAUSED: QColor("#a35d00"),
    DownloadState.CANCELLED: QColor("#6b7380"),
}


class DownloadColumn(enum.IntEnum):
    NAME = 0
    REPOSITORY = 1
    PROGRESS = 2
    SPEED = 3
    ETA = 4
    STATE = 5


HEADERS = (QT_TRANSLATE_NOOP("Discover", "Name"), QT_TRANSLATE_NOOP("Discover", "Repository"),
           QT_TRANSLATE_NOOP("Discover", "Progress"), QT_TRANSLATE_NOOP("Discover", "Speed"),
           QT_TRANSLATE_NOOP("Discover", "Time left"), QT_TRANSLATE_NOOP("Discover", "State"))  # fmt: skip


def speed_text(bps: float) -> str:
    if bps <= 0:
        return "—"
    if bps >= 1024**3:
        return f"{number(bps / 1024**3, 1)} GiB/s"
    if bps >= 1024**2:
        return f"{number(bps / 1024**2, 1)} MiB/s"
    return f"{number(bps / 1024)} KiB/s"


def progress_text(d: Download) -> str:
    return translate("Discover", "{done} of {total}").format(done=size_text(d.done_bytes), total=size_text(d.total_bytes))


class DownloadsModel(QAbstractTableModel):
    """One row per Download, in queue order; `update` changes a row in place (or appends it), `remove` drops it."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Download] = []

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt API)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt API)
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(HEADERS):
            return translate("Discover", HEADERS[section])
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows) or index.column() >= len(HEADERS):
            return None
        d = self._rows[index.row()]
        column = DownloadColumn(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(d, column)
        if role == DOWNLOAD_ROLE:
            return d
        if role == FRACTION_ROLE:
            return d.fraction
        if role == Qt.ItemDataRole.ForegroundRole and column == DownloadColumn.STATE:
            return STATE_COLORS.get(d.state)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == DownloadColumn.STATE and d.error:
                return message_text(d.error_text)
            if column == DownloadColumn.NAME:
                then = translate("Discover", "Then converted and quantized to {quants} (Jobs)").format(
                    quants=", ".join(d.then_quantize))
                then = "\n" + then if d.then_quantize else ""
                return "\n".join(str(d.dest(f)) for f in d.files[:12]) + then
            if column == DownloadColumn.PROGRESS:
                return translate("Discover", "{done} of {total} bytes").format(done=number(d.done_bytes),
                                                                              total=number(d.total_bytes))
        return None

    def _text(self, d: Download, column: DownloadColumn) -> str:
        running = d.state is DownloadState.RUNNING
        if column == DownloadColumn.NAME:
            return f"{d.name}  → {', '.join(d.then_quantize)}" if d.then_quantize else d.name
        if column == DownloadColumn.REPOSITORY:
            return d.repo_id
        if column == DownloadColumn.PROGRESS:
            return progress_text(d)
        if column == DownloadColumn.SPEED:
            return speed_text(d.speed_bps) if running else "—"
        if column == DownloadColumn.ETA:
            return duration_text(d.eta_s) if running else "—"
        if d.state is DownloadState.FAILED and d.error:
            return translate("Discover", "Failed: {error}").format(error=message_text(d.error_text))
        return translate("Discover", STATE_TEXT[d.state])

    # --- content -----------------------------------------------------------------------------------------------------
    def set_downloads(self, downloads: Sequence[Download]) -> None:
        self.beginResetModel()
        self._rows = list(downloads)
        self.endResetModel()

    def update(self, d: Download) -> Download | None:
        """Show `d` (a new row is appended); returns the row it replaced, None for a new one."""
        row = self.row_of(d.id)
        if row < 0:
            self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows))
            self._rows.append(d)
            self.endInsertRows()
            return None
        old = self._rows[row]
        self._rows[row] = d
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(HEADERS) - 1))
        return old

    def remove(self, download_id: int) -> None:
        row = self.row_of(download_id)
        if row >= 0:
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._rows[row]
            self.endRemoveRows()

    def row_of(self, download_id: int) -> int:
        return next((i for i, d in enumerate(self._rows) if d.id == download_id), -1)

    def downloads(self) -> list[Download]:
        return list(self._rows)

    def download(self, row: int) -> Download:
        return self._rows[row]

    def active(self) -> list[Download]:
        """Queued and running downloads."""
        return [d for d in self._rows if d.state in (DownloadState.QUEUED, DownloadState.RUNNING)]


class ProgressDelegate(QStyledItemDelegate):
    """Draws the progress column as a progress bar with "1.2 GiB of 4.6 GiB" on it."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        fraction = index.data(FRACTION_ROLE)
        if index.column() != DownloadColumn.PROGRESS or not isinstance(fraction, float):
            super().paint(painter, option, index)
            return
        bar = QStyleOptionProgressBar()
        bar.rect = QRect(option.rect.adjusted(4, 5, -4, -5))
        bar.minimum, bar.maximum = 0, 1000
        bar.progress = round(fraction * 1000)
        bar.text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        bar.textVisible = True
        bar.textAlignment = Qt.AlignmentFlag.AlignCenter
        bar.state = option.state | QStyle.StateFlag.State_Horizontal
        widget = option.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ProgressBar, bar, painter, widget)
