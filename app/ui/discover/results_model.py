"""Search results as a Qt table model: one row per repository, appended page by page; the view only binds."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from app.hub.results import SearchResult
from app.ui.common import icons
from app.ui.common.format import number, params_text
from app.ui.common.i18n import QT_TRANSLATE_NOOP, translate

Index = QModelIndex | QPersistentModelIndex
RESULT_ROLE = Qt.ItemDataRole.UserRole + 1
"""The SearchResult of a row."""
GATED_TOOLTIP = QT_TRANSLATE_NOOP("Discover", "Gated: the files need an accepted licence and a Hugging Face token")


class ResultColumn(enum.IntEnum):
    REPOSITORY = 0
    FORMAT = 1
    PARAMS = 2
    DOWNLOADS = 3
    LIKES = 4
    UPDATED = 5


HEADERS = (QT_TRANSLATE_NOOP("Discover", "Repository"), QT_TRANSLATE_NOOP("Discover", "Format"),
           QT_TRANSLATE_NOOP("Discover", "Params"), QT_TRANSLATE_NOOP("Discover", "Downloads"),
           QT_TRANSLATE_NOOP("Discover", "Likes"), QT_TRANSLATE_NOOP("Discover", "Updated"))  # fmt: skip
_NUMERIC = {ResultColumn.PARAMS, ResultColumn.DOWNLOADS, ResultColumn.LIKES}


def count_text(n: int) -> str:
    """Downloads and likes as the hub shows them: 987, 12.3k, 4.5M."""
    if n >= 1_000_000:
        return f"{number(n / 1e6, 1)}M"
    if n >= 10_000:
        return f"{number(n / 1e3)}k"
    if n >= 1_000:
        return f"{number(n / 1e3, 1)}k"
    return str(n)


def age_text(when: datetime | None, now: datetime | None = None) -> str:
    """ "today", "3 days ago", "5 months ago", "2 years ago"; a dash when unknown."""
    if when is None:
        return "—"
    now = now or datetime.now(timezone.utc)
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    days = max(0, (now - when).days)
    years, months, weeks = days // 365, days // 30, days // 7
    if years:
        return translate("Discover", "%n year(s) ago", None, years)
    if months:
        return translate("Discover", "%n month(s) ago", None, months)
    if weeks:
        return translate("Discover", "%n week(s) ago", None, weeks)
    if days:
        return translate("Discover", "%n day(s) ago", None, days)
    return translate("Discover", "today")


def formats_text(formats: Sequence[str]) -> str:
    return ", ".join(f.upper() if f != "safetensors" else "safetensors" for f in formats) or "—"


def _downloads(n: int) -> str:
    return translate("Discover", "{count} downloads").format(count=number(n))


def _likes(n: int) -> str:
    return translate("Discover", "{count} likes").format(count=number(n))


class ResultsModel(QAbstractTableModel):
    """Rows: SearchResults in the hub's order; `append` adds the next page, `set_results` starts over."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._results: list[SearchResult] = []
        self._lock = icons.icon("lock")

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt API)
        return 0 if parent.isValid() else len(self._results)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt API)
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(HEADERS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return translate("Discover", HEADERS[section])
        if role == Qt.ItemDataRole.TextAlignmentRole and section in _NUMERIC:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._results) or index.column() >= len(HEADERS):
            return None
        r = self._results[index.row()]
        column = ResultColumn(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(r, column)
        if role == RESULT_ROLE:
            return r
        if role == Qt.ItemDataRole.DecorationRole and column == ResultColumn.REPOSITORY and r.gated:
            return self._lock
        if role == Qt.ItemDataRole.TextAlignmentRole and column in _NUMERIC:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(r, column)
        return None

    def _text(self, r: SearchResult, column: ResultColumn) -> str:
        if column == ResultColumn.REPOSITORY:
            return r.repo_id
        if column == ResultColumn.FORMAT:
            return formats_text(r.formats)
        if column == ResultColumn.PARAMS:
            return params_text(r.n_params or 0)
        if column == ResultColumn.DOWNLOADS:
            return count_text(r.downloads)
        if column == ResultColumn.LIKES:
            return count_text(r.likes)
        return age_text(r.updated)

    def _tooltip(self, r: SearchResult, column: ResultColumn) -> str | None:
        if column == ResultColumn.REPOSITORY:
            text = f"{r.repo_id}\n{_downloads(r.downloads)} · {_likes(r.likes)}"
            return f"{text}\n{translate('Discover', GATED_TOOLTIP)}" if r.gated else text
        if column == ResultColumn.DOWNLOADS:
            return _downloads(r.downloads)
        if column == ResultColumn.LIKES:
            return _likes(r.likes)
        if column == ResultColumn.UPDATED and r.updated is not None:
            return translate("Discover", "Updated {date}").format(date=f"{r.updated:%Y-%m-%d}")
        return None

    # --- content -----------------------------------------------------------------------------------------------------
    def set_results(self, results: Sequence[SearchResult]) -> None:
        self.beginResetModel()
        self._results = list(results)
        self.endResetModel()

    def append(self, results: Sequence[SearchResult]) -> None:
        """Add the next page's results (repositories already shown are skipped: the hub's order can shift between pages)."""
        shown = {r.repo_id for r in self._results}
        new = [r for r in results if r.repo_id not in shown]
        if not new:
            return
        first = len(self._results)
        self.beginInsertRows(QModelIndex(), first, first + len(new) - 1)
        self._results.extend(new)
        self.endInsertRows()

    def results(self) -> list[SearchResult]:
        return list(self._results)

    def row_of(self, repo_id: str) -> int:
        return next((i for i, r in enumerate(self._results) if r.repo_id == repo_id), -1)


def result_line(r: SearchResult) -> str:
    """The second line of a result in the list: "GGUF · 8.03B · ↓ 254k · ♥ 243 · 2 years ago"."""
    parts = [formats_text(r.formats)]
    if r.n_params:
        parts.append(params_text(r.n_params))
    parts += [f"↓ {count_text(r.downloads)}", f"♥ {count_text(r.likes)}", age_text(r.updated)]
    return " · ".join(parts)


MUTED = QColor("#6b7380")
SELECTED_BG = QColor("#dce6fa")
ROW_HEIGHT = 48


class ResultDelegate(QStyledItemDelegate):
    """A result as two lines, the way the hub lists them: the repository (lock when gated), then its figures."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        r = index.data(RESULT_ROLE)
        if not isinstance(r, SearchResult):
            super().paint(painter, option, index)
            return
        painter.save()
        rect = QRect(option.rect)
        if option.state & QStyle.StateFlag.State_Selected:
            painter.fillRect(rect, SELECTED_BG)
        left = rect.left() + 10
        if r.gated:
            icon = index.data(Qt.ItemDataRole.DecorationRole)
            if icon is not None:
                icon.paint(painter, QRect(left, rect.top() + 7, 16, 16))
                left += 20
        bold = QFont(option.font)
        bold.setWeight(QFont.Weight.DemiBold)
        small = QFont(option.font)
        small.setPointSizeF(max(7.0, option.font.pointSizeF() * 0.88))
        top = QFontMetrics(bold)
        width = rect.right() - left - 8
        painter.setFont(bold)
        painter.setPen(option.palette.text().color())
        name = elide_repo_id(top, r.repo_id, width)
        painter.drawText(QRect(left, rect.top() + 6, width, top.height()), Qt.AlignmentFlag.AlignLeft, name)
        painter.setFont(small)
        painter.setPen(MUTED)
        line = QFontMetrics(small).elidedText(result_line(r), Qt.TextElideMode.ElideRight, rect.right() - rect.left() - 18)
        painter.drawText(QRect(rect.left() + 10, rect.top() + 8 + top.height(), width + left - rect.left(),
                               QFontMetrics(small).height()), Qt.AlignmentFlag.AlignLeft, line)  # fmt: skip
        painter.setPen(QColor("#edf0f3"))
        painter.drawLine(rect.bottomLeft(), rect.bottomRight())
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        return QSize(320, ROW_HEIGHT)


def elide_repo_id(metrics: QFontMetrics, repo_id: str, width: int) -> str:
    """ "owner/name" in `width` pixels: the model's name is what tells results apart, so the owner gives way first
    ("lmstudio-com…/Meta-Llama-3.1-8B-Instruct-GGUF", then "…/Meta-Llama-3.1-8B-Instruct-GGUF"); only a name too long on
    its own loses its middle."""
    if metrics.horizontalAdvance(repo_id) <= width or "/" not in repo_id:
        return metrics.elidedText(repo_id, Qt.TextElideMode.ElideMiddle, width)
    owner, name = repo_id.split("/", 1)
    rest = width - metrics.horizontalAdvance("/" + name)
    if rest >= metrics.horizontalAdvance("ab…"):
        return metrics.elidedText(owner, Qt.TextElideMode.ElideRight, rest) + "/" + name
    return "…/" + metrics.elidedText(name, Qt.TextElideMode.ElideMiddle, width - metrics.horizontalAdvance("…/"))
