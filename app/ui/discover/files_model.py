"""A repository's files as a Qt table model: each downloadable group with its quant, size, fit badge and download state.

Fit verdicts arrive one file at a time from the pool (`set_fit`); download states come from the download queue
(`set_downloads`). The delegate paints the fit column as the Hardware page's advice tiles and the best file's badge.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from app.hub.download_rows import Download, DownloadState
from app.hub.files import FOLDER_AS, FileGroup, FileKind
from app.ui.common.format import size_text
from app.ui.common.safe_text import plain_tooltip
from app.ui.hardware.advice_model import PLACEMENT_COLORS, TEXT_COLORS
from hardware.fit import FitReport, Placement

if TYPE_CHECKING:
    from app.hub.remote_fit import FileFit

Index = QModelIndex | QPersistentModelIndex
GROUP_ROLE = Qt.ItemDataRole.UserRole + 1
"""The FileGroup of a row."""
FIT_ROLE = Qt.ItemDataRole.UserRole + 2
"""The FileFit once computed; None while pending or for files without a GGUF header."""
PLACEMENT_ROLE = Qt.ItemDataRole.UserRole + 3
BEST_ROLE = Qt.ItemDataRole.UserRole + 4
"""True for the best file for this machine."""
DOWNLOAD_ROLE = Qt.ItemDataRole.UserRole + 5
"""The queue's Download of this file, None if never queued."""
ACTION_ROLE = Qt.ItemDataRole.UserRole + 6
"""(button text, enabled) of the row's download button."""
BEST_BADGE = "Best for this machine"
PENDING = "checking…"
BADGE_BG = QColor("#1f56c7")
UNKNOWN_BG = QColor("#eef0f3")
UNKNOWN_FG = QColor("#6b7380")


class FileColumn(enum.IntEnum):
    NAME = 0
    QUANT = 1
    SIZE = 2
    FIT = 3
    ACTION = 4


HEADERS = ("File", "Quant", "Size", "Fits this machine", "")


def fit_text(r: FitReport) -> str:
    """The badge: where it runs, then the largest context ("Full GPU · 97k ctx", "20/32 layers on GPU · 32k ctx")."""
    if r.placement is Placement.DOES_NOT_FIT:
        return "Does not fit"
    where = {
        Placement.FULL_GPU: "Full GPU",
        Placement.PARTIAL: f"{r.gpu_layers}/{r.n_layers} layers on GPU",
        Placement.CPU_ONLY: "CPU only",
    }[r.placement]
    ctx = f"{r.max_context // 1024}k" if r.max_context >= 1024 else str(r.max_context)
    return f"{where} · {ctx} ctx"


def fit_tooltip(f: FileFit) -> str:
    r = f.report
    if r is None:
        return f.error or "No fit estimate"
    lines = [f"{r.verdict} at {r.options.context:,} tokens of context: {r.reason}"]
    if f.group.kind is FileKind.SAFETENSORS:
        lines.insert(0, f"As the {FOLDER_AS} GGUF it converts to here (Quantize it myself), estimated from config.json:")
    if r.fits:
        lines.append(f"Largest context here: {r.max_context:,} tokens")
        lines.append(f"GPU layers: {r.gpu_layers} of {r.n_layers}")
        if r.tokens_per_s:
            lines.append(f"About {r.tokens_per_s:.0f} tokens/s (estimate)")
    lines += list(r.notes)
    return "\n".join(lines)


def action_for(group: FileGroup, download: Download | None, in_library: bool) -> tuple[str, bool]:
    """The download button of a row: its text and whether it can be clicked."""
    if download is not None:
        state = download.state
        if state is DownloadState.DONE:
            return "In library", False
        if state is DownloadState.QUEUED:
            return "Queued", False
        if state is DownloadState.RUNNING:
            return f"Downloading {download.fraction:.0%}", False
        if state is DownloadState.PAUSED:
            return "Resume", True
        if state is DownloadState.FAILED:
            return "Retry", True
    if in_library:
        return "In library", False
    if not group.complete:
        return "Incomplete", False
    return "Download", True


class FilesModel(QAbstractTableModel):
    """Rows: the repository's file groups (GGUFs smallest first, projectors, the folder model)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._groups: list[FileGroup] = []
        self._fits: dict[str, FileFit] = {}
        self._pending: set[str] = set()
        self._best: str | None = None
        self._downloads: dict[str, Download] = {}
        self._in_library: set[str] = set()
        self._blocked = ""

    # --- Qt API ------------------------------------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt API)
        return 0 if parent.isValid() else len(self._groups)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt API)
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(HEADERS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        if role == Qt.ItemDataRole.ToolTipRole and section == FileColumn.FIT:
            return "Read from each file's header on the hub (a few MB), before anything is downloaded"
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._groups) or index.column() >= len(HEADERS):
            return None
        g = self._groups[index.row()]
        column = FileColumn(index.column())
        fit = self._fits.get(g.name)
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(g, column, fit)
        if role == GROUP_ROLE:
            return g
        if role == FIT_ROLE:
            return fit
        if role == PLACEMENT_ROLE:
            return fit.report.placement if fit is not None and fit.report is not None else None
        if role == BEST_ROLE:
            return g.name == self._best
        if role == DOWNLOAD_ROLE:
            return self._downloads.get(g.name)
        if role == ACTION_ROLE:
            return self._action(g)
        if role == Qt.ItemDataRole.FontRole and g.name == self._best:
            font = QFont()
            font.setBold(True)
            return font
        if column == FileColumn.FIT and role in (Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole):
            placement = fit.report.placement if fit is not None and fit.report is not None else None
            if role == Qt.ItemDataRole.BackgroundRole:
                return PLACEMENT_COLORS[placement] if placement is not None else UNKNOWN_BG
            return TEXT_COLORS[placement] if placement is not None else UNKNOWN_FG
        if role == Qt.ItemDataRole.TextAlignmentRole and column == FileColumn.SIZE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return plain_tooltip(self._tooltip(g, column, fit))  # the hub's file names are shown as written
        return None

    def _text(self, g: FileGroup, column: FileColumn, fit: FileFit | None) -> str:
        if column == FileColumn.NAME:
            return g.name
        if column == FileColumn.QUANT:
            if g.kind is FileKind.SAFETENSORS and fit is not None and fit.report is not None:
                return f"→ {FOLDER_AS}"  # judged as the GGUF it converts to
            return g.quant or "—"
        if column == FileColumn.SIZE:
            return size_text(g.size)
        if column == FileColumn.FIT:
            if fit is not None:
                return fit_text(fit.report) if fit.report is not None else (fit.badge or "unknown")
            if g.name in self._pending:
                return PENDING
            if g.mmproj:
                return "vision projector"
            return "GGUF only" if g.kind is not FileKind.GGUF else "—"
        return self._action(g)[0]

    def _tooltip(self, g: FileGroup, column: FileColumn, fit: FileFit | None) -> str | None:
        if column == FileColumn.NAME:
            parts = "\n".join(f"{f.path} ({size_text(f.size)})" for f in g.files[:12])
            more = f"\n… and {len(g.files) - 12} more" if len(g.files) > 12 else ""
            note = f"\n{g.note}" if g.note else ""
            return f"{parts}{more}{note}"
        if column == FileColumn.SIZE:
            return f"{g.size:,} bytes in {len(g.files)} file{'s' if len(g.files) != 1 else ''}"
        if column == FileColumn.FIT:
            if fit is not None:
                return fit_tooltip(fit)
            if g.mmproj:
                return "A multimodal projector: it is loaded together with a model of this repository"
            if g.kind is not FileKind.GGUF:
                return "The exact fit is read from GGUF headers; see the recommendation above for this repository"
            return "Reading the header from the hub…" if g.name in self._pending else None
        if column == FileColumn.ACTION:
            d = self._downloads.get(g.name)
            if self._blocked and action_for(g, d, g.name in self._in_library)[1]:
                return self._blocked
            return d.error if d is not None and d.error else None
        return None

    def _action(self, g: FileGroup) -> tuple[str, bool]:
        text, enabled = action_for(g, self._downloads.get(g.name), g.name in self._in_library)
        return text, enabled and not self._blocked

    # --- content -----------------------------------------------------------------------------------------------------
    def set_groups(self, groups: Sequence[FileGroup], *, pending: Iterable[str] = ()) -> None:
        """Show a repository's groups; `pending` names those whose fit is on its way."""
        self.beginResetModel()
        self._groups = list(groups)
        self._fits = {}
        self._pending = set(pending)
        self._best = None
        self._downloads = {}
        self._in_library = set()
        self._blocked = ""
        self.endResetModel()

    def set_fit(self, fit: FileFit) -> None:
        name = fit.group.name
        self._pending.discard(name)
        self._fits[name] = fit
        self._changed_row(name)

    def set_best(self, name: str | None) -> None:
        old, self._best = self._best, name
        if self._groups and old != name:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._groups) - 1, len(HEADERS) - 1))

    def set_downloads(self, downloads: dict[str, Download], in_library: set[str]) -> None:
        """Download states by group name, and the names whose files the Library holds already."""
        if downloads == self._downloads and in_library == self._in_library:
            return
        self._downloads, self._in_library = dict(downloads), set(in_library)
        if self._groups:
            self.dataChanged.emit(self.index(0, FileColumn.ACTION), self.index(len(self._groups) - 1, FileColumn.ACTION))

    def set_blocked(self, reason: str) -> None:
        """Disable every download button with this tooltip (a gated repository without a token); "" enables them."""
        self._blocked = reason
        if self._groups:
            self.dataChanged.emit(self.index(0, FileColumn.ACTION), self.index(len(self._groups) - 1, FileColumn.ACTION))

    def groups(self) -> list[FileGroup]:
        return list(self._groups)

    def fits(self) -> list[FileFit]:
        return [self._fits[g.name] for g in self._groups if g.name in self._fits]

    def pending(self) -> int:
        return len(self._pending)

    def best(self) -> str | None:
        return self._best

    def row_of(self, name: str) -> int:
        return next((i for i, g in enumerate(self._groups) if g.name == name), -1)

    def _changed_row(self, name: str) -> None:
        row = self.row_of(name)
        if row >= 0:
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(HEADERS) - 1))


class FilesDelegate(QStyledItemDelegate):
    """Paints the fit column as a coloured tile and the best file's name with a "Best for this machine" badge."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        if index.column() == FileColumn.FIT:
            self._paint_fit(painter, option, index)
            return
        if index.column() == FileColumn.NAME and index.data(BEST_ROLE):
            self._paint_best(painter, option, index)
            return
        super().paint(painter, option, index)

    def _paint_fit(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        bg, fg = index.data(Qt.ItemDataRole.BackgroundRole), index.data(Qt.ItemDataRole.ForegroundRole)
        rect = QRectF(option.rect).adjusted(3, 4, -3, -4)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(bg if isinstance(bg, QColor) else UNKNOWN_BG)
        painter.drawRoundedRect(rect, 5, 5)
        font = QFont(option.font)
        font.setWeight(QFont.Weight.DemiBold)
        painter.setFont(font)
        painter.setPen(fg if isinstance(fg, QColor) else UNKNOWN_FG)
        elided = QFontMetrics(font).elidedText(text, Qt.TextElideMode.ElideRight, int(rect.width()) - 12)
        painter.drawText(rect.adjusted(8, 0, -4, 0), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, elided)
        painter.restore()

    def _paint_best(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        """The name on the upper line, the badge under it (the view gives the best row a double height)."""
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        small = QFont(option.font)
        small.setPointSizeF(max(7.0, option.font.pointSizeF() * 0.85))
        small.setWeight(QFont.Weight.DemiBold)
        metrics = QFontMetrics(small)
        two_lines = option.rect.height() >= 2 * QFontMetrics(opt.font).height() + metrics.height() // 2
        badge_w = metrics.horizontalAdvance(BEST_BADGE) + 14
        badge_h = metrics.height() + 4
        if two_lines:
            opt.rect = option.rect.adjusted(0, 2, 0, -(badge_h + 2))
            badge = QRectF(option.rect.left() + 6, option.rect.bottom() - badge_h - 4, badge_w, badge_h)
        else:
            opt.rect = option.rect.adjusted(0, 0, -(badge_w + 8), 0)
            badge = QRectF(option.rect.right() - badge_w - 4, option.rect.center().y() - badge_h / 2, badge_w, badge_h)
        style = opt.widget.style() if opt.widget is not None else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(BADGE_BG)
        painter.drawRoundedRect(badge, badge.height() / 2, badge.height() / 2)
        painter.setPen(QColor("white"))
        painter.setFont(small)
        painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, BEST_BADGE)
        painter.restore()
