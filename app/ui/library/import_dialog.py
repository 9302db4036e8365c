"""Asking how to import dropped models: copy (the default), move, or keep them where they are; the choice is remembered
in the settings (``import_mode``, ``import_ask``), which an older Modelwerk kept in ui.ini (app.store migrates them)."""

from __future__ import annotations

import logging
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
from app.settings import Settings, load_settings, save_setting
from app.store import Store, StoreError
from app.ui.common.i18n import QT_TRANSLATE_NOOP, translate

log = logging.getLogger(__name__)

LABELS = {
    ImportMode.COPY: QT_TRANSLATE_NOOP("Library", "Copy into the models folder (the original stays where it is)"),
    ImportMode.MOVE: QT_TRANSLATE_NOOP("Library", "Move into the models folder"),
    ImportMode.IN_PLACE: QT_TRANSLATE_NOOP("Library", "Keep it where it is (the library points to it)"),
}


def remembered_mode(store: Store) -> ImportMode:
    """The last mode chosen (copy the first time)."""
    return ImportMode(load_settings(store).import_mode)


def remember(store: Store, mode: ImportMode, *, ask: bool = True) -> None:
    """Keep ``mode`` as the one to preselect (or to use without asking when ``ask`` is False)."""
    with store.transaction():
        save_setting(store, "import_mode", mode.value)
        save_setting(store, "import_ask", ask)


class ImportDialog(QDialog):
    """Three choices with the last one used preselected (copy the first time), and "don't ask again"."""

    def __init__(
        self, sources: Sequence[Path], models_dir: Path, parent: QWidget | None = None, *, chosen: ImportMode = ImportMode.COPY
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(translate("Library", "Import into the library"))
        names = ", ".join(p.name for p in sources[:3])
        more = len(sources) - 3
        if more > 0:
            names += translate("Library", " and %n more", None, more)
        intro = QLabel(translate("Library", "<b>{names}</b><br>Models folder: {folder}").format(names=names,
                                                                                             folder=models_dir))
        intro.setWordWrap(True)
        self.group = QButtonGroup(self)
        self.buttons: dict[ImportMode, QRadioButton] = {}
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        for mode, text in LABELS.items():
            button = QRadioButton(translate("Library", text))
            button.setChecked(mode is chosen)
            self.group.addButton(button)
            self.buttons[mode] = button
            layout.addWidget(button)
        self.dont_ask = QCheckBox(translate("Library", "Always do this; don't ask again"))
        self.dont_ask.setToolTip(translate("Library", "Change it later with File > Import…, which always asks"))
        layout.addWidget(self.dont_ask)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        box.button(QDialogButtonBox.StandardButton.Ok).setText(translate("Library", "Import"))
        box.accepted.connect(self.accept)
        box.rejected.connect(self.reject)
        layout.addWidget(box)

    def mode(self) -> ImportMode:
        return next(m for m, b in self.buttons.items() if b.isChecked())


def choose_import_mode(
    sources: Sequence[Path], models_dir: Path, parent: QWidget | None, *, store: Store, force_ask: bool = False
) -> ImportMode | None:
    """The mode to import `sources` with, or None if the user cancelled. Asks unless told not to ask again; the choice
    is kept in `store`'s settings (a database that cannot be read or written asks, and forgets the choice).
    """
    try:
        settings = load_settings(store)
    except StoreError as exc:
        log.warning("could not read the import choice: %s", exc)
        settings = Settings()
    if not force_ask and not settings.import_ask:
        return ImportMode(settings.import_mode)
    dialog = ImportDialog(sources, models_dir, parent, chosen=ImportMode(settings.import_mode))
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted.value:
            return None
        mode = dialog.mode()
        try:
            remember(store, mode, ask=not dialog.dont_ask.isChecked())
        except StoreError as exc:
            log.warning("could not keep the import choice: %s", exc)
        return mode
    finally:
        dialog.deleteLater()
