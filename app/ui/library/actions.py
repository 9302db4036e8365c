"""What the Library's buttons and File menu ask the user: which files to import, and whether to really delete."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QCheckBox, QFileDialog, QMenu, QMessageBox, QToolButton, QWidget

from app.library.catalog import CatalogEntry
from app.ui.common.format import size_text
from app.ui.common.i18n import QT_TRANSLATE_NOOP, translate
from formats.model import ModelFormat

if TYPE_CHECKING:
    from app.ui.library.page import LibraryPage

MODEL_FILTER = QT_TRANSLATE_NOOP(
    "Library", "Models (*.gguf *.safetensors *.bin *.pt *.pth *.ckpt);;All files (*)"
)


def import_files_action(page: LibraryPage, parent: QWidget) -> QAction:
    action = QAction(translate("Library", "Import files…"), parent)
    action.setShortcut(QKeySequence.StandardKey.Open)
    action.setStatusTip(translate("Library", "Add GGUF, safetensors or other model files to the library"))
    action.triggered.connect(page.ask_import_files)
    return action


def import_folder_action(page: LibraryPage, parent: QWidget) -> QAction:
    action = QAction(translate("Library", "Import folder…"), parent)
    action.setStatusTip(translate("Library", "Add a Hugging Face or GPTQ model folder to the library"))
    action.triggered.connect(page.ask_import_folder)
    return action


def import_button(page: LibraryPage, files: QAction, folder: QAction) -> QToolButton:
    """ "Import…" with a menu: files or a folder (a file dialog cannot pick both). The actions are the page's own, the
    same the File menu shows: one action per command, so its shortcut (Ctrl+O) is never ambiguous."""
    button = QToolButton()
    button.setText(translate("Library", "Import…"))
    button.setObjectName("primary")
    button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
    menu = QMenu(button)
    menu.addAction(files)
    menu.addAction(folder)
    button.setMenu(menu)
    button.setToolTip(translate("Library", "Import model files or a model folder — or drop them anywhere on the window"))
    return button


def quantize_action(page: LibraryPage) -> QAction:
    """ "Quantize…": make smaller GGUF files of the selected model (the Jobs page queues them); a safetensors folder is
    converted to an F16 GGUF first."""
    action = QAction(translate("Library", "Quantize…"), page)
    action.setStatusTip(translate("Library", "Make quantized GGUF files of the selected model in the background (a "
                                             "safetensors model is converted to GGUF first)"))  # fmt: skip
    action.setToolTip(translate("Library", "Make quantized GGUF files of the selected model (Q8_0, Q4_K_M…), with their "
                                           "size and fit; a safetensors model is converted to an F16 GGUF first"))  # fmt: skip
    action.setEnabled(False)
    action.triggered.connect(page._on_quantize_action_triggered)
    return action


def codeeval_action(page: LibraryPage) -> QAction:
    """ "Evaluate code…": HumanEval pass@1 of the selected GGUF model (the Jobs page queues it; Results shows it)."""
    action = QAction(translate("Library", "Evaluate code…"), page)
    action.setToolTip(translate("Library", "Measure how often this model's Python passes HumanEval's tests (run in a "
                                           "sandbox), System 1 and System 2; compare quantizations in Results"))  # fmt: skip
    action.setEnabled(False)
    action.triggered.connect(page._on_codeeval_action_triggered)
    return action


def redteam_action(page: LibraryPage) -> QAction:
    """ "Red-team test…": the shield's self-test of the selected GGUF model (attacks planted in documents, shield off
    and on), in a dialog with each attack's transcript."""
    action = QAction(translate("Library", "Red-team test…"), page)
    action.setToolTip(translate("Library", "Attack this model through planted documents with the shield off and on, "
                                           "and read each attack's transcript"))  # fmt: skip
    action.setEnabled(False)
    action.triggered.connect(page._on_redteam_action_triggered)
    return action


def can_quantize(entry: CatalogEntry | None) -> bool:
    """A GGUF model, or a Hugging Face safetensors folder (config.json and weights: what the converter reads), present on
    disk. Not GPTQ (already quantized, for another runtime), not pickles (never loaded), not a lone .safetensors file."""
    if entry is None or entry.missing:
        return False
    if entry.format is ModelFormat.GGUF:
        return True
    return entry.format is ModelFormat.SAFETENSORS and entry.path not in entry.files  # a folder lists its files


def can_chat(entry: CatalogEntry | None) -> bool:
    """A GGUF model present on disk: what llama.cpp's runtime loads."""
    return entry is not None and not entry.missing and entry.format is ModelFormat.GGUF


def pick_files(parent: QWidget) -> list[Path]:
    names, _ = QFileDialog.getOpenFileNames(parent, translate("Library", "Import model files"), str(Path.home()),
                                            translate("Library", MODEL_FILTER))
    return [Path(n) for n in names]


def pick_folder(parent: QWidget) -> list[Path]:
    name = QFileDialog.getExistingDirectory(parent, translate("Library", "Import a model folder"), str(Path.home()))
    return [Path(name)] if name else []


def confirm_delete(parent: QWidget, entry: CatalogEntry, models_dir: Path) -> bool | None:
    """Ask before removing a model: None = keep it, else whether its files go too.

    Files inside the models folder are offered for deletion by default: left there, the next scan would find them again.
    """
    inside = models_dir.resolve() in entry.path.parents
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(translate("Library", "Delete model"))
    box.setTextFormat(Qt.TextFormat.PlainText)  # the name may come from the file's metadata: never markup
    box.setText(translate("Library", "Remove {name} from the library?").format(name=entry.name))
    where = translate("Library", "It is in the Modelwerk models folder; kept there, it is found again at the next scan.")
    where = where if inside else ""
    box.setInformativeText(f"{entry.path}\n{where}".strip())
    if entry.path not in entry.files:
        also = translate("Library", "Also delete the folder from disk ({size})")
    else:
        count = len(entry.files)
        also = translate("Library", "Also delete its %n file(s) from disk ({size})", None, count)
    check = QCheckBox(also.format(size=size_text(entry.size_bytes)))
    check.setChecked(inside)
    box.setCheckBox(check)
    box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel)
    box.button(QMessageBox.StandardButton.Yes).setText(translate("Library", "Delete"))
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    try:
        box.exec()
        if box.clickedButton() is not box.button(QMessageBox.StandardButton.Yes):
            return None
        return check.isChecked()
    finally:
        box.deleteLater()
