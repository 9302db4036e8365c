"""The Library's table view: sortable columns, whole-row selection, a header menu to show or hide columns."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from app.ui.library.catalog_model import HEADERS, Column

WIDTHS = {
    Column.NAME: 232,
    Column.PARAMS: 66,
    Column.QUANTIZATION: 70,
    Column.SIZE: 72,
    Column.FITS: 150,
    Column.CONTEXT: 66,
    Column.ARCHITECTURE: 96,
    Column.FORMAT: 84,
    Column.SOURCE: 240,
}


class LibraryTable(QTableView):
    def __init__(self, model: QAbstractItemModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("library-table")
        self.setModel(model)
        self.setSortingEnabled(True)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # model names differ at the end (quantization, part)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(30)
        header = self.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionsMovable(True)
        header.setStretchLastSection(True)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in WIDTHS.items():
            self.setColumnWidth(column, width)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        for index, name in enumerate(HEADERS):
            if index == Column.NAME:
                continue  # a row without its name means nothing
            action = QAction(name, header)
            action.setCheckable(True)
            action.setChecked(True)
            action.toggled.connect(lambda on, c=index: self.setColumnHidden(c, not on))
            header.addAction(action)

    def sync_column_actions(self) -> None:
        """Tick the header menu to match the columns restored hidden from a saved header state."""
        for action in self.horizontalHeader().actions():
            column = HEADERS.index(action.text())
            action.setChecked(not self.isColumnHidden(column))
