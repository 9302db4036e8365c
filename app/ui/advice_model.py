"""The advice table (model size x quantization) as a Qt table model; the view only binds."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from app.ui.format import gib
from hardware.advice import AdviceTable
from hardware.fit import FitReport, Placement
from hardware.shape import REPRESENTATIVE

Index = QModelIndex | QPersistentModelIndex

PLACEMENT_COLORS = {
    Placement.FULL_GPU: QColor("#c8ecd0"),
    Placement.PARTIAL: QColor("#e6f0b8"),
    Placement.CPU_ONLY: QColor("#fbe3b8"),
    Placement.DOES_NOT_FIT: QColor("#eceef1"),
}
FIT_REPORT_ROLE = Qt.ItemDataRole.UserRole + 1


def short_verdict(r: FitReport) -> str:
    """Two lines for a table cell: where it runs, then context and speed."""
    if r.placement is Placement.DOES_NOT_FIT:
        return "does not fit"
    where = {
        Placement.FULL_GPU: "GPU",
        Placement.PARTIAL: f"{r.gpu_layers}/{r.n_layers} on GPU",
        Placement.CPU_ONLY: "CPU",
    }[r.placement]
    ctx = f"{r.max_context // 1024}k ctx" if r.max_context >= 1024 else f"{r.max_context} ctx"
    speed = f" · ~{r.tokens_per_s:.0f} t/s" if r.tokens_per_s else ""
    return f"{where}\n{ctx}{speed}"


def tooltip(r: FitReport) -> str:
    lines = [f"<b>{r.shape.name} {r.shape.quant}</b>: {r.verdict}", r.reason]
    for side, mem in (("VRAM", r.vram), ("RAM", r.ram)):
        if mem.total:
            lines.append(
                f"{side} {gib(mem.total)}: weights {gib(mem.weights)}, KV cache {gib(mem.kv_cache)}, "
                f"compute {gib(mem.compute)}, overhead {gib(mem.overhead)}"
            )
    lines += list(r.notes)
    return "<br>".join(lines)


class AdviceModel(QAbstractTableModel):
    """Rows: size classes; columns: quantization types; each cell a FitReport."""

    def __init__(self, table: AdviceTable | None = None) -> None:
        super().__init__()
        self._table = table

    def set_table(self, table: AdviceTable) -> None:
        self.beginResetModel()
        self._table = table
        self.endResetModel()

    def table(self) -> AdviceTable | None:
        return self._table

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt API)
        return 0 if parent.isValid() or self._table is None else len(self._table.sizes)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt API)
        return 0 if parent.isValid() or self._table is None else len(self._table.quants)

    def report(self, index: Index) -> FitReport | None:
        if self._table is None or not index.isValid():
            return None
        return self._table.cell(self._table.sizes[index.row()], self._table.quants[index.column()])

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        r = self.report(index)
        if r is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return short_verdict(r)
        if role == Qt.ItemDataRole.BackgroundRole:
            return PLACEMENT_COLORS[r.placement]
        if role == Qt.ItemDataRole.ForegroundRole:
            return QColor("#8a9099") if not r.fits else QColor("#1d2430")
        if role == Qt.ItemDataRole.ToolTipRole:
            return tooltip(r)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == FIT_REPORT_ROLE:
            return r
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if self._table is None:
            return None
        horizontal = orientation == Qt.Orientation.Horizontal
        if role == Qt.ItemDataRole.DisplayRole:
            return self._table.quants[section] if horizontal else self._table.sizes[section]
        if role == Qt.ItemDataRole.ToolTipRole and not horizontal:
            arch = REPRESENTATIVE[self._table.sizes[section]]
            return f"Shape of {arch.name}: {arch.n_layers} layers, {arch.n_kv_heads} KV heads, vocabulary {arch.n_vocab:,}"
        return None
