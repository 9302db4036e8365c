"""Asking how to import dropped models: copy (the default), move, or keep them where they are; the choice is remembered."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.library.importer import ImportMode
from app.ui.state import ui_state

MODE_KEY = "import/mode"
ASK_KEY = "import/ask"
LABELS = {
    ImportMode.COPY: "Copy into the models folder (the original stays where it is)",
    ImportMode.MOVE: "Move into the models folder",
    ImportMode.IN_PLACE: "Keep it where it is (the library points to it)",
}


def remembered_mode() -> ImportMode:
    value = ui_state().value(MODE_KEY, ImportMode.COPY.value)
    try:
        return ImportMode(value)
    except ValueError:
        return ImportMode.COPY


def remember(mode: ImportMode, *, ask: bool = True) -> None:
    state = ui_state()
    state.setValue(MODE_KEY, mode.value)
    state.setValue(ASK_KEY, ask)
    state.sync()


def asks() -> bool:
    return bool(ui_state().value(ASK_KEY, True, type=bool))


class ImportDialog(QDialog):
    """Three choices with the last one used preselected (copy the first time), and "don't ask again"."""

    def __init__(self, sources: Sequence[Path], models_dir: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import into the library")
        names = ", ".join(p.name for p in sources[:3]) + (f" and {len(sources) - 3} more" if len(sources) > 3 else "")
        intro = QLabel(f"<b>{names}</b><br>Models folder: {models_dir}")
        intro.setWordWrap(True)
        self.group = QButtonGroup(self)
        self.buttons: dict[ImportMode, QRadioButton] = {}
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        chosen = remembered_mode()
        for mode, text in LABELS.items():
            button = QRadioButton(text)
            button.setChecked(mode is chosen)
            self.group.addButton(button)
            self.buttons[mode] = button
            layout.addWidget(button)
        self.dont_ask = QCheckBox("Always do this; don't ask again")
        self.dont_ask.setToolTip("Change it later with File > Import…, which always asks")
        layout.addWidget(self.dont_ask)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        box.button(QDialogButtonBox.StandardButton.Ok).setText("Import")
        box.accepted.connect(self.accept)
        box.rejected.connect(self.reject)
        layout.addWidget(box)

    def mode(self) -> ImportMode:
        return next(m for m, b in self.buttons.items() if b.isChecked())


def choose_import_mode(
    sources: Sequence[Path], models_dir: Path, parent: QWidget | None, *, force_ask: bool = False
) -> ImportMode | None:
    """The mode to import `sources` with, or None if the user cancelled. Asks unless told not to ask again."""
    if not force_ask and not asks():
        return remembered_mode()
    dialog = ImportDialog(sources, models_dir, parent)
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted.value:
            return None
        mode = dialog.mode()
        remember(mode, ask=not dialog.dont_ask.isChecked())
        return mode
    finally:
        dialog.deleteLater()
