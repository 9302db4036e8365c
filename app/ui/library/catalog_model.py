"""The Library's Qt item models: catalog entries as table rows, and a proxy that filters and sorts them."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QColor

from app.library.catalog import CatalogEntry
from app.ui.common.format import context_text, number, params_text, size_text
from app.ui.common.i18n import QT_TRANSLATE_NOOP, translate
from app.ui.common.safe_text import plain_tooltip
from app.ui.common.verdicts import reason_text, verdict_text
from app.ui.library.source_text import source_text
from formats.model import ModelFormat
from hardware.fit import FitReport, Placement

Index = QModelIndex | QPersistentModelIndex
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
"""Raw values for sorting: numbers as numbers, text folded."""
ENTRY_ROLE = Qt.ItemDataRole.UserRole + 2
"""The CatalogEntry of the row (any column)."""
PLACEMENT_ROLE = Qt.ItemDataRole.UserRole + 3
"""The row's Placement, or None while unknown."""


class Column(enum.IntEnum):
    """In reading order: what it is, how big, whether it fits; then the rest."""

    NAME = 0
    PARAMS = 1
    QUANTIZATION = 2
    SIZE = 3
    FITS = 4
    CONTEXT = 5
    ARCHITECTURE = 6
    FORMAT = 7
    SOURCE = 8


HEADERS = (QT_TRANSLATE_NOOP("Library", "Name"), QT_TRANSLATE_NOOP("Library", "Params"),
           QT_TRANSLATE_NOOP("Library", "Quant"), QT_TRANSLATE_NOOP("Library", "Size"),
           QT_TRANSLATE_NOOP("Library", "Fits here"), QT_TRANSLATE_NOOP("Library", "Context"),
           QT_TRANSLATE_NOOP("Library", "Architecture"), QT_TRANSLATE_NOOP("Library", "Format"),
           QT_TRANSLATE_NOOP("Library", "Source"))  # fmt: skip
FORMAT_NAMES = {
    ModelFormat.GGUF: "GGUF",
    ModelFormat.SAFETENSORS: "safetensors",
    ModelFormat.GPTQ: "GPTQ",
    ModelFormat.UNSAFE: QT_TRANSLATE_NOOP("Library", "pickle (unsafe)"),
}
PLACEMENT_TEXT = {
    Placement.FULL_GPU: QColor("#1e7b3c"),
    Placement.PARTIAL: QColor("#5f7a12"),
    Placement.CPU_ONLY: QColor("#a35d00"),
    Placement.DOES_NOT_FIT: QColor("#c62828"),
}
MISSING_COLOR = QColor("#a0a6b0")
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_NUMERIC = (Column.PARAMS, Column.SIZE, Column.CONTEXT)

Fit = FitReport | str
"""A row's fit: the report, or one line saying why there is none (shape unknown, unsafe format, computing...)."""


class LibraryModel(QAbstractTableModel):
    """One row per CatalogEntry; rows are matched by id, so an update keeps the selection on the same model."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._entries: list[CatalogEntry] = []
        self._fits: dict[int, Fit] = {}

    # --- Qt model interface --------------------------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._entries)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(HEADERS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return translate("Library", HEADERS[section])
        if role == Qt.ItemDataRole.ToolTipRole and section == Column.FITS:
            return translate("Library", "Where the model runs on this machine at the context chosen in the details panel")
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._entries) or index.column() >= len(HEADERS):
            return None
        entry = self._entries[index.row()]
        column = Column(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(entry, column)
        if role == SORT_ROLE:
            return self._sort_key(entry, column)
        if role == ENTRY_ROLE:
            return entry
        if role == PLACEMENT_ROLE:
            fit = self._fits.get(entry.id)
            return fit.placement if isinstance(fit, FitReport) and not entry.missing else None
        if role == Qt.ItemDataRole.ForegroundRole:
            if entry.missing:
                return MISSING_COLOR
            fit = self._fits.get(entry.id)
            if column == Column.FITS and isinstance(fit, FitReport):
                return PLACEMENT_TEXT[fit.placement]
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and column in _NUMERIC:
            return int(_RIGHT.value)
        if role == Qt.ItemDataRole.ToolTipRole:
            return plain_tooltip(self._tooltip(entry, column))  # names and paths are shown as written
        return None

    # --- content -----------------------------------------------------------------------------------------------------
    def set_entries(self, entries: Sequence[CatalogEntry]) -> None:
        """Show these entries: rows of removed ids go, changed ones update in place, new ones are appended."""
        new = {e.id: e for e in entries}
        for row in range(len(self._entries) - 1, -1, -1):
            if self._entries[row].id not in new:
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._entries[row]
                self.endRemoveRows()
        for row, old in enumerate(self._entries):
            entry = new.pop(old.id)
            if entry != old:
                self._entries[row] = entry
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(HEADERS) - 1))
        if new:
            first = len(self._entries)
            added = [e for e in entries if e.id in new]
            self.beginInsertRows(QModelIndex(), first, first + len(added) - 1)
            self._entries.extend(added)
            self.endInsertRows()
        shown = {e.id for e in self._entries}
        self._fits = {k: v for k, v in self._fits.items() if k in shown}

    def set_fits(self, fits: dict[int, Fit]) -> None:
        """Update the "Fits here" cells of these entry ids."""
        self._fits.update(fits)
        if self._entries:
            self.dataChanged.emit(self.index(0, Column.FITS), self.index(len(self._entries) - 1, Column.FITS))

    def fit(self, entry_id: int) -> Fit | None:
        return self._fits.get(entry_id)

    def entries(self) -> list[CatalogEntry]:
        return list(self._entries)

    def row_of(self, entry_id: int) -> int:
        """The row of an entry id, -1 if not shown."""
        return next((row for row, e in enumerate(self._entries) if e.id == entry_id), -1)

    def entry(self, row: int) -> CatalogEntry:
        return self._entries[row]

    # --- cells -------------------------------------------------------------------------------------------------------
    def _fit_text(self, entry: CatalogEntry) -> str:
        if entry.missing:
            return translate("Library", "missing")
        fit = self._fits.get(entry.id)
        if fit is None:
            return "…"
        if isinstance(fit, FitReport):
            if fit.placement is Placement.PARTIAL and fit.gpu_layers < fit.n_layers:
                layers, total = fit.gpu_layers, fit.n_layers
                return translate("Library", "{layers}/{total} layers on GPU").format(layers=layers, total=total)
            return verdict_text(fit)
        return "—"

    def _text(self, entry: CatalogEntry, column: Column) -> str:
        if column == Column.NAME:
            return translate("Library", "{name}  (missing)").format(name=entry.name) if entry.missing else entry.name
        if column == Column.FORMAT:
            return translate("Library", FORMAT_NAMES.get(entry.format, entry.format.value))
        if column == Column.ARCHITECTURE:
            return entry.architecture or "—"
        if column == Column.QUANTIZATION:
            return entry.quantization or "—"
        if column == Column.PARAMS:
            return params_text(entry.n_params)
        if column == Column.SIZE:
            return size_text(entry.size_bytes)
        if column == Column.CONTEXT:
            return context_text(entry.context_length)
        if column == Column.FITS:
            return self._fit_text(entry)
        return source_text(entry.source)

    def _sort_key(self, entry: CatalogEntry, column: Column) -> Any:
        if column == Column.PARAMS:
            return entry.n_params
        if column == Column.SIZE:
            return entry.size_bytes
        if column == Column.CONTEXT:
            return entry.context_length
        if column == Column.FITS:
            fit = self._fits.get(entry.id)
            if entry.missing or not isinstance(fit, FitReport):
                return 9.0
            # Better placement first; within one, the faster model first.
            return fit.placement.rank + 1 / (2 + fit.tokens_per_s)
        return self._text(entry, column).casefold()

    def _tooltip(self, entry: CatalogEntry, column: Column) -> str | None:
        if entry.missing:
            return translate("Library", "{path} is missing: its files are no longer on disk").format(path=entry.path)
        if column == Column.NAME:
            return str(entry.path)
        if column == Column.FITS:
            fit = self._fits.get(entry.id)
            if isinstance(fit, FitReport):
                context = number(fit.options.context)
                reason = reason_text(fit)
                return translate("Library", "At {context} tokens: {reason}").format(context=context, reason=reason)
            return fit
        if column == Column.SIZE:
            return translate("Library", "{size} bytes").format(size=number(entry.size_bytes))
        return None


class FitFilter(enum.Enum):
    ANY = QT_TRANSLATE_NOOP("Library", "Any fit")
    FITS = QT_TRANSLATE_NOOP("Library", "Fits here")
    GPU = QT_TRANSLATE_NOOP("Library", "Runs on the GPU")
    DOES_NOT_FIT = QT_TRANSLATE_NOOP("Library", "Does not fit")


class LibraryFilter(QSortFilterProxyModel):
    """Filters rows by text (name, architecture, quantization; every word must match), format and fit; sorts by raw values."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._words: list[str] = []
        self._format: ModelFormat | None = None
        self._fit = FitFilter.ANY
        self.setSortRole(SORT_ROLE)
        self.setDynamicSortFilter(True)

    def set_text(self, text: str) -> None:
        self.beginFilterChange()
        self._words = text.casefold().split()
        self.endFilterChange()

    def set_format(self, fmt: ModelFormat | None) -> None:
        self.beginFilterChange()
        self._format = fmt
        self.endFilterChange()

    def set_fit(self, fit: FitFilter) -> None:
        self.beginFilterChange()
        self._fit = fit
        self.endFilterChange()

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        model = self.sourceModel()
        index = model.index(source_row, 0, source_parent)
        entry = model.data(index, ENTRY_ROLE)
        if not isinstance(entry, CatalogEntry):
            return False
        if self._format is not None and entry.format != self._format:
            return False
        haystack = f"{entry.name} {entry.architecture} {entry.quantization}".casefold()
        if not all(w in haystack for w in self._words):
            return False
        if self._fit is FitFilter.ANY:
            return True
        placement = model.data(index, PLACEMENT_ROLE)
        if self._fit is FitFilter.DOES_NOT_FIT:
            return bool(placement is Placement.DOES_NOT_FIT)
        if self._fit is FitFilter.GPU:
            return placement in (Placement.FULL_GPU, Placement.PARTIAL)
        return placement is not None and placement is not Placement.DOES_NOT_FIT

    def lessThan(self, left: Index, right: Index) -> bool:
        a, b = left.data(SORT_ROLE), right.data(SORT_ROLE)
        if type(a) is not type(b):
            return str(a) < str(b)
        return bool(a < b)
