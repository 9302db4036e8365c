"""Asking before a model folder's own Python code may run: the confirmations that list its code files.

A Hugging Face folder can carry Python (``tokenization_qwen.py``) that transformers runs when llama.cpp's converter asks
for it; Modelwerk refuses that unless the user allows that folder's code here, after seeing the file names
(`quantize.remote_code`). Discover never downloads a repository's code and says so, naming the files it leaves out.
Cancel is the default button of both: Enter never allows code.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from PySide6.QtWidgets import QMessageBox, QWidget

from app.ui.common.i18n import QT_TRANSLATE_NOOP, translate

SHOWN_FILES = 12
CONVERT_IT = QT_TRANSLATE_NOOP("Common", "convert it")
"""The default ``action``, what the job would do with the model (an action is looked up in the catalogue when shown)."""


class CodeFilesDialog(QMessageBox):
    """A warning that names ``files`` in a list, with one button that goes on (``go_button``) and Cancel (the default)."""

    def __init__(self, text: str, files: Sequence[str], *, after: str, go: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setIcon(QMessageBox.Icon.Warning)
        self.files = tuple(files)
        more = translate("Common", "and {count} more").format(count=len(self.files) - SHOWN_FILES)
        more = f"<li>{more}</li>" if len(self.files) > SHOWN_FILES else ""
        items = "".join(f"<li><code>{html.escape(f)}</code></li>" for f in self.files[:SHOWN_FILES])
        self.setText(text)
        self.setInformativeText(f"<ul>{items}{more}</ul>{after}")
        self.setDetailedText("\n".join(self.files))
        self.go_button = self.addButton(go, QMessageBox.ButtonRole.AcceptRole)
        self.cancel_button = self.addButton(QMessageBox.StandardButton.Cancel)
        self.setDefaultButton(self.cancel_button)
        self.setEscapeButton(self.cancel_button)

    @property
    def chosen(self) -> bool:
        """The user clicked the button that goes on."""
        return self.clickedButton() is self.go_button

    def ask(self) -> bool:
        try:
            self.exec()
            return self.chosen
        finally:
            self.deleteLater()


class RemoteCodeDialog(CodeFilesDialog):
    """ "NAME carries its own Python code: FILES. Allow it to run?" with Allow / Cancel."""

    def __init__(self, name: str, files: Sequence[str], *, action: str = CONVERT_IT, parent: QWidget | None = None) -> None:
        super().__init__(
            translate("Common", "<b>{name}</b> carries its own Python code. To {action}, transformers would run it on "
                                "this computer, with your permissions.").format(
                name=html.escape(name), action=html.escape(translate("Common", action))), files,
            after=translate("Common", "Allow it only if you trust the repository it comes from and have read these files. "
                                      "Without your permission Modelwerk runs none of it and does not start the job."),
            go=translate("Common", "Allow its code and queue"), parent=parent,
        )  # fmt: skip
        self.setObjectName("remote-code-dialog")
        self.setWindowTitle(translate("Common", "Run this model's own code?"))
        self.allow_button = self.go_button
        self.allow_button.setObjectName("allow-remote-code")


class CodeLeftOutDialog(CodeFilesDialog):
    """Discover's "Quantize it myself" for a repository that carries Python code: the files are named, never downloaded,
    and the user downloads the model without them or not at all."""

    def __init__(self, repo_id: str, files: Sequence[str], *, parent: QWidget | None = None) -> None:
        super().__init__(
            translate("Common", "<b>{name}</b> carries its own Python code. Modelwerk never downloads or runs it.").format(
                name=html.escape(repo_id)), files,
            after=translate("Common", "The model is downloaded without these files. If its configs name that code, the "
                                      "conversion is refused rather than run it."),
            go=translate("Common", "Download without the code"), parent=parent,
        )  # fmt: skip
        self.setObjectName("code-left-out-dialog")
        self.setWindowTitle(translate("Common", "This repository carries code"))
        self.download_button = self.go_button
        self.download_button.setObjectName("download-without-code")


def confirm_remote_code(parent: QWidget | None, name: str, files: Sequence[str], *, action: str = CONVERT_IT) -> bool:
    """Ask; True only when the user chose to allow the code."""
    return RemoteCodeDialog(name, files, action=action, parent=parent).ask()


def confirm_download_without_code(parent: QWidget | None, repo_id: str, files: Sequence[str]) -> bool:
    """Ask; True when the user chose to download the model without the repository's code."""
    return CodeLeftOutDialog(repo_id, files, parent=parent).ask()
