"""The tensors of a model grouped by type: count, bytes and share per type, each group unfolding to its tensors."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTreeWidget, QTreeWidgetItem, QWidget

from app.ui.common.format import number, size_text
from app.ui.common.i18n import translate
from app.ui.common.safe_text import plain_tooltip
from formats.model import TensorGroup, TensorInfo

ROWS_SHOWN = 16
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


def _bytes(n: int) -> str:
    return f"{n / 1024:.1f} KiB" if n < 1024**2 else size_text(n)


class TensorView(QTreeWidget):
    """Top level: one row per tensor type; children (filled when a group is first expanded): name, shape, bytes."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tensors")
        self.setColumnCount(3)
        self.setHeaderLabels([translate("Library", "Tensors by type"), "", translate("Library", "Bytes")])
        self.setRootIsDecorated(True)
        self.setIndentation(14)
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # tensor names differ in the middle (blk.N.) and at the end
        self.setUniformRowHeights(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in (1, 2):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self._by_type: dict[str, list[TensorInfo]] = {}
        self.itemExpanded.connect(self._on_self_item_expanded)
        self.itemCollapsed.connect(self._on_self_item_collapsed)

    def set_tensors(self, groups: Sequence[TensorGroup], tensors: Sequence[TensorInfo] = ()) -> None:
        self.clear()
        by_type: dict[str, list[TensorInfo]] = defaultdict(list)
        for t in tensors:
            by_type[t.type_name].append(t)
        self._by_type = dict(by_type)
        total = sum(g.n_bytes for g in groups) or 1
        for g in sorted(groups, key=lambda g: -g.n_bytes):
            share = 100 * g.n_bytes / total
            n_tensors = g.count
            count = translate("Library", "%n tensor(s)", None, n_tensors)
            item = QTreeWidgetItem([g.type_name, count, f"{_bytes(g.n_bytes)} · {share:.0f} %"])
            for col in (1, 2):
                item.setTextAlignment(col, _RIGHT)
            item.setToolTip(2, translate("Library", "{size} bytes, {share} % of the weights").format(
                size=number(g.n_bytes), share=number(share, 1)))
            if self._by_type.get(g.type_name):
                item.setChildIndicatorPolicy(QTreeWidgetItem.ChildIndicatorPolicy.ShowIndicator)
            self.addTopLevelItem(item)
        self._fit_height()

    def _fit_height(self) -> None:
        """As tall as its visible rows up to ROWS_SHOWN, so an unfolded group grows the panel instead of hiding in a box."""
        groups = (self.topLevelItem(i) for i in range(self.topLevelItemCount()))
        visible = sum(1 + (item.childCount() if item.isExpanded() else 0) for item in groups if item is not None)
        rows = min(max(visible, 1), ROWS_SHOWN)
        row_height = self.sizeHintForRow(0) if self.topLevelItemCount() else 0
        self.setFixedHeight(self.header().sizeHint().height() + rows * (row_height or 22) + 2 * self.frameWidth() + 2)

    def _on_self_item_collapsed(self, _item: QTreeWidgetItem) -> None:
        self._fit_height()

    def _on_self_item_expanded(self, item: QTreeWidgetItem) -> None:
        if item.childCount() or item.parent() is not None:
            self._fit_height()
            return
        for t in self._by_type.get(item.text(0), ()):
            shape = "×".join(str(d) for d in t.shape)
            short = t.name.removesuffix(".weight")  # nearly every tensor is one: the name says the rest
            child = QTreeWidgetItem([short, shape, _bytes(t.n_bytes)])
            for col in (1, 2):
                child.setTextAlignment(col, _RIGHT)
            child.setToolTip(0, plain_tooltip(f"{t.name}: {t.type_name} {shape}, {t.n_bytes:,} bytes"))  # names: the file's
            item.addChild(child)
        self._fit_height()
