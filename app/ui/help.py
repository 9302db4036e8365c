"""The Help menu's own dialogs and addresses: keyboard shortcuts (read from the window's actions, so the list is never
out of date) and where to report a problem."""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QHeaderView, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from app.ui.common.i18n import translate

__all__ = ["REPORT_URL", "ShortcutsDialog", "shortcuts"]

REPORT_URL = "https://github.com/modelwerk/modelwerk/issues/new"
"""Where Help > Report a problem leads (opened only after the user has seen the address: app.ui.common.links)."""


def shortcuts(window: QWidget) -> list[tuple[str, str]]:
    """(what, keys) for every action of ``window`` that has a shortcut, in menu order first, each once."""
    seen: set[tuple[str, str]] = set()
    rows = []
    for action in window.findChildren(QAction):
        for key in action.shortcuts():
            what = action.text().replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip(".…")
            row = (what, key.toString(QKeySequence.SequenceFormat.NativeText))
            if what and row[1] and row not in seen:
                seen.add(row)
                rows.append(row)
    return rows


class ShortcutsDialog(QDialog):
    def __init__(self, rows: list[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("shortcuts-dialog")
        self.setWindowTitle(translate("Help", "Keyboard shortcuts"))
        self.table = QTableWidget(len(rows), 2)
        self.table.setHorizontalHeaderLabels([translate("Help", "Action"), translate("Help", "Keys")])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        for i, (what, keys) in enumerate(rows):
            self.table.setItem(i, 0, QTableWidgetItem(what))
            self.table.setItem(i, 1, QTableWidgetItem(keys))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(420, 320)
