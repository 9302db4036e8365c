"""The Documents page's table of the selected collection's files: each file's state (pending, being read, indexed,
unchanged, failed and why), its passages and pages, and "Remove from the collection" (Delete) for the selected rows."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from app.ui.common.i18n import translate
from app.ui.documents.models import FileRow, FilesModel
from app.ui.documents.selftest_view import setup_table


class FilesTable(QTableView):
    """The files, as ``show_rows`` last gave them; ``remove_action`` is the page's to answer."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("documents-files")
        self.files_model = FilesModel(self)  # a Qt child: it lives exactly as long as this view
        self.setModel(self.files_model)
        setup_table(self, stretch=4)
        # Fixed widths: fitting columns to their contents measures every row on every change, which stalls the window
        # for tenths of a second per file while a large collection is indexed.
        header = self.horizontalHeader()
        for column, width in enumerate((180, 76, 70, 48)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, max(width, header.sectionSizeHint(column)))  # the heading's own width (German)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.verticalHeader().setDefaultSectionSize(24)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.remove_action = QAction(translate("Documents", "Remove from the collection"), self)
        self.remove_action.setShortcut(QKeySequence.StandardKey.Delete)
        self.remove_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.remove_action.setToolTip(translate("Documents", "Take the selected files and their passages out of the "
                                                             "collection (the files themselves stay where they "
                                                             "are)"))  # fmt: skip
        self.addAction(self.remove_action)

    def show_rows(self, rows: list[FileRow]) -> None:
        """Show ``rows``: the same files as before (a read while a job indexes) change only the rows that changed, with
        no reset (the selection and the scrolling stay)."""
        old = self.files_model.rows()
        if len(old) == len(rows) and all(a.record.path == b.record.path for a, b in zip(old, rows, strict=True)):
            self.files_model.update_rows({i: new for i, (was, new) in enumerate(zip(old, rows, strict=True)) if was != new})
        else:
            self.files_model.set_rows(rows)

    def selected_paths(self) -> list[Path]:
        """The files of the selected rows."""
        rows = sorted({i.row() for i in self.selectionModel().selectedRows()})
        return [self.files_model.rows()[r].record.path for r in rows if r < self.files_model.rowCount()]
