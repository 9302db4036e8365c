"""The advice table (model size x quantization) as a Qt table model; the view only binds."""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from app.ui.common.format import gib, number, size_text
from app.ui.common.i18n import QT_TRANSLATE_NOOP, translate
from app.ui.common.messages import text as message_text
from app.ui.common.verdicts import notes_text, reason_text, verdict_text
from app.ui.hardware.advice_text import speed_text, usable_text
from hardware.advice import DEFAULT_USABLE_SPEED, AdviceTable, usable
from hardware.fit import FitReport, Placement
from hardware.quants import QUANT_TYPES
from hardware.remote import SplitPlan
from hardware.shape import REPRESENTATIVE

Index = QModelIndex | QPersistentModelIndex

PLACEMENT_COLORS = {
    Placement.FULL_GPU: QColor("#cdeed5"),
    Placement.PARTIAL: QColor("#e7f1bd"),
    Placement.CPU_ONLY: QColor("#fde2b6"),
    Placement.DOES_NOT_FIT: QColor("#f1eded"),
}
TEXT_COLORS = {
    Placement.FULL_GPU: QColor("#14532d"),
    Placement.PARTIAL: QColor("#3f5212"),
    Placement.CPU_ONLY: QColor("#7a4100"),
    Placement.DOES_NOT_FIT: QColor("#a23b3b"),
}
ACROSS_BG = QColor("#dbe7f7")
ACROSS_FG = QColor("#1e3a66")
"""A cell that fits only across this machine and the others added on the page."""
SLOW_BG = QColor("#ece8e3")
SLOW_FG = QColor("#6b5a48")
"""A cell (or Discover badge) that fits but does not reach the usable speed: greyed, whatever its placement."""
FIT_REPORT_ROLE = Qt.ItemDataRole.UserRole + 1


SLOW_MARK = QT_TRANSLATE_NOOP("Hardware", "slow")
"""Follows the placement of a cell that fits but does not reach the usable speed ("CPU · slow")."""


def short_verdict(r: FitReport, usable_speed: float = 0.0) -> str:
    """Two lines for a table cell: where it runs (marked slow below `usable_speed`), then speed and the largest context
    ("~3.4 tok/s · 54k"): the speed first, so a narrow (1024-wide) window cuts the context, never the speed."""
    if r.placement is Placement.DOES_NOT_FIT:
        return translate("Hardware", "✗ does not fit\nneeds {size}").format(size=size_text(r.ram.total + r.vram.total))
    where = {
        Placement.FULL_GPU: "GPU",
        Placement.PARTIAL: f"{r.gpu_layers}/{r.n_layers} GPU",
        Placement.CPU_ONLY: "CPU",
    }[r.placement]
    kilo = r.max_context // 1024
    ctx = translate("Hardware", "{k}k ctx").format(k=kilo) if kilo else translate("Hardware", "{n} ctx").format(
        n=r.max_context)
    speed = f"{speed_text(r.tokens_per_s)} · " if r.tokens_per_s else ""
    if not usable(r, usable_speed):
        where += f" · {translate('Hardware', SLOW_MARK)}"
    return f"{where}\n{speed}{ctx}"


def across_verdict(plan: SplitPlan) -> str:
    """A cell that does not fit here but fits across machines: "fits across 2 machines", then its estimated speed."""
    machines = plan.machines  # a plain name: lupdate's parser misses a %n text whose count is an expression
    where = translate("Hardware", "fits across %n machines", None, machines)
    return f"{where}\n{speed_text(plan.tokens_per_s)}" if plan.tokens_per_s else where


def tooltip(r: FitReport, usable_speed: float = 0.0) -> str:
    """Rich text: the verdict, why, the memory on each side by use, speed and context, and the estimator's notes."""
    lines = [f"<b>{r.shape.name} · {r.shape.quant}</b>: {verdict_text(r)}", reason_text(r)]
    for side, mem, budget in (("VRAM", r.vram, r.vram_budget), ("RAM", r.ram, r.ram_budget)):
        if mem.total:
            lines.append(f"<b>{side}</b> " + translate(
                "Hardware", "{total} of {budget}: weights {weights}, KV cache {kv}, compute {compute}, overhead {overhead}"
            ).format(total=gib(mem.total), budget=gib(budget), weights=gib(mem.weights), kv=gib(mem.kv_cache),
                     compute=gib(mem.compute), overhead=gib(mem.overhead)))  # fmt: skip
    if r.fits:
        speed = (translate("Hardware", "{speed} (estimate)").format(speed=speed_text(r.tokens_per_s)) if r.tokens_per_s
                 else translate("Hardware", "speed unknown"))  # fmt: skip
        lines.append(translate("Hardware", "Largest context here: {context} tokens · {speed}").format(
            context=number(r.max_context), speed=speed))
        if not usable(r, usable_speed):
            lines.append(translate("Hardware", "Below the usable speed of {speed} (setting usable_speed)").format(
                speed=usable_text(usable_speed)))
    lines += [f"<i>{html.escape(note)}</i>" for note in notes_text(r)]
    return "<p style='white-space:pre-wrap'>" + "<br>".join(lines) + "</p>"


class AdviceModel(QAbstractTableModel):
    """Rows: size classes; columns: quantization types; each cell a FitReport."""

    def __init__(self, table: AdviceTable | None = None, *, usable_speed: float = DEFAULT_USABLE_SPEED) -> None:
        super().__init__()
        self._table = table
        self._usable_speed = usable_speed
        self._across: dict[tuple[str, str], SplitPlan] = {}

    def set_usable_speed(self, usable_speed: float) -> None:
        """Cells under this many tokens/s are marked slow."""
        self._usable_speed = usable_speed
        if self._table is not None and self._table.sizes and self._table.quants:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._table.sizes) - 1, len(self._table.quants) - 1))

    def set_table(self, table: AdviceTable, across: dict[tuple[str, str], SplitPlan] | None = None) -> None:
        """Show `table`; a table of the same sizes and types only changes the cells, so the view keeps its selection.
        `across`: the cells that do not fit here but fit across the other machines (Hardware → Add machine…)."""
        self._across = across or {}
        old = self._table
        if old is not None and (old.sizes, old.quants) == (table.sizes, table.quants) and old.sizes and old.quants:
            self._table = table
            last = self.index(len(table.sizes) - 1, len(table.quants) - 1)
            self.dataChanged.emit(self.index(0, 0), last)
            return
        self.beginResetModel()
        self._table = table
        self.endResetModel()

    def table(self) -> AdviceTable | None:
        return self._table

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt API)
        return 0 if parent.isValid() or self._table is None else len(self._table.sizes)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt API)
        return 0 if parent.isValid() or self._table is None else len(self._table.quants)

    def across(self, index: Index) -> SplitPlan | None:
        """The plan across machines of a cell that does not fit here (None: it fits here, or not even across)."""
        if self._table is None or not index.isValid():
            return None
        return self._across.get((self._table.sizes[index.row()], self._table.quants[index.column()]))

    def report(self, index: Index) -> FitReport | None:
        if self._table is None or not index.isValid():
            return None
        return self._table.cell(self._table.sizes[index.row()], self._table.quants[index.column()])

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        r = self.report(index)
        if r is None:
            return None
        plan = self.across(index)
        if plan is not None and role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.BackgroundRole,
                                         Qt.ItemDataRole.ForegroundRole):  # fmt: skip
            return {Qt.ItemDataRole.DisplayRole: across_verdict(plan), Qt.ItemDataRole.BackgroundRole: ACROSS_BG,
                    Qt.ItemDataRole.ForegroundRole: ACROSS_FG}[Qt.ItemDataRole(role)]  # fmt: skip
        if role == Qt.ItemDataRole.DisplayRole:
            return short_verdict(r, self._usable_speed)
        slow = r.fits and not usable(r, self._usable_speed)
        if role == Qt.ItemDataRole.BackgroundRole:
            return SLOW_BG if slow else PLACEMENT_COLORS[r.placement]
        if role == Qt.ItemDataRole.ForegroundRole:
            return SLOW_FG if slow else TEXT_COLORS[r.placement]
        if role == Qt.ItemDataRole.ToolTipRole:
            return tooltip(r, self._usable_speed)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == FIT_REPORT_ROLE:
            return r
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if self._table is None:
            return None
        horizontal = orientation == Qt.Orientation.Horizontal
        names = self._table.quants if horizontal else self._table.sizes
        if not 0 <= section < len(names):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return names[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return _quant_tooltip(names[section]) if horizontal else _size_tooltip(names[section])
        return None


def _size_tooltip(size: str) -> str:
    arch = REPRESENTATIVE.get(size)
    if arch is None:
        return size
    return translate(
        "Hardware", "<b>{name}</b> stands for {size}: {layers} layers, {kv} KV heads, vocabulary {vocab}, trained context "
                    "{context}"
    ).format(name=arch.name, size=size, layers=arch.n_layers, kv=arch.n_kv_heads, vocab=number(arch.n_vocab),
             context=number(arch.context_train))  # fmt: skip


def _quant_tooltip(name: str) -> str:
    q = QUANT_TYPES.get(name)
    if q is None:
        return name
    if q.ppl_ratio > 1:
        loss = translate("Hardware", "; +{loss}% perplexity on Llama-3-8B").format(loss=number(100 * (q.ppl_ratio - 1), 1))
    else:
        loss = translate("Hardware", "; full precision")
    source = f"<br><small>{html.escape(message_text(q.quality_source))}</small>" if q.ppl_ratio > 1 else ""
    bits = translate("Hardware", "{bits} bits per weight").format(bits=number(q.bits_per_weight, 2))
    return f"<b>{q.name}</b>: {bits}{loss}{source}"
