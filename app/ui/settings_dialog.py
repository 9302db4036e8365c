"""File > Settings…: the user's settings (app.settings) and the Hugging Face token (app.hub.token) in one dialog.

Every value is checked by app.settings' own validation when OK is pressed; a refused one is named under its field in one
line and the dialog stays open. Nothing is saved before OK: the dialog only says what changed (``changes``,
``token_change``) and the window saves it, off the GUI thread. The token is never shown: it is typed hidden, and once
stored only "stored" and Replace / Remove are offered.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.hub.token import check_token
from app.settings import MAX_PARALLEL_DOWNLOADS, MAX_PARALLEL_JOBS, Settings, SettingsError, validate_setting
from app.ui.common.i18n import LANGUAGES, QT_TRANSLATE_NOOP, translate
from app.ui.common.messages import text as message_text
from core.errors import message_of

__all__ = ["AFTER_RESTART", "LABELS", "SettingsDialog", "TokenAction", "TokenChange"]

GIB = 1024**3
AFTER_RESTART = {
    "models_dir": QT_TRANSLATE_NOOP("Settings", "models folder"),
    "hf_endpoint": QT_TRANSLATE_NOOP("Settings", "Hugging Face endpoint"),
    "gpu_margin": QT_TRANSLATE_NOOP("Settings", "GPU margin"),
    "language": QT_TRANSLATE_NOOP("Settings", "language"),
}
"""Settings the running window cannot switch to (pages and queues hold them), named for "restart to use the new …"
(in English; ``translate("Settings", …)`` gives the interface language's)."""
LABELS = {
    "models_dir": QT_TRANSLATE_NOOP("Settings", "Models folder"),
    "hf_endpoint": QT_TRANSLATE_NOOP("Settings", "Hugging Face endpoint"),
    "hf_token": QT_TRANSLATE_NOOP("Settings", "Token"),
    "threads": QT_TRANSLATE_NOOP("Settings", "CPU threads"),
    "gpu_margin": QT_TRANSLATE_NOOP("Settings", "GPU memory to keep free"),
    "usable_speed": QT_TRANSLATE_NOOP("Settings", "Usable speed"),
    "parallel_downloads": QT_TRANSLATE_NOOP("Settings", "Parallel downloads"),
    "parallel_jobs": QT_TRANSLATE_NOOP("Settings", "Parallel jobs"),
    "language": QT_TRANSLATE_NOOP("Settings", "Language"),
}


class TokenAction(enum.Enum):
    KEEP = "keep"
    SET = "set"
    REMOVE = "remove"


@dataclass(frozen=True)
class TokenChange:
    action: TokenAction = TokenAction.KEEP
    value: str = ""

    def __repr__(self) -> str:  # never the token itself, in a log or a test failure
        return f"TokenChange({self.action.value})"


class SettingsDialog(QDialog):
    """The settings as they are saved; ``changes()`` and ``token_change()`` after OK."""

    def __init__(self, settings: Settings, *, token_stored: bool, token_fallback: str = "",
                 parent: QWidget | None = None) -> None:  # fmt: skip
        """``token_stored``: whether Modelwerk keeps a token; ``token_fallback``: what applies without one, in words."""
        super().__init__(parent)
        self.setObjectName("settings-dialog")
        self.setWindowTitle(translate("Settings", "Settings"))
        self._settings = settings
        self._token_stored = token_stored
        self._token_fallback = token_fallback
        self._token_action = TokenAction.KEEP
        self._changes: dict[str, object] = {}
        self.errors: dict[str, QLabel] = {}

        # Models
        self.models_dir = QLineEdit(str(settings.models_dir))
        self.models_dir.setObjectName("models-dir")
        self.choose_folder = QPushButton(translate("Settings", "Choose…"))
        self.choose_folder.clicked.connect(self._on_choose_folder_clicked)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.models_dir, 1)
        folder_row.addWidget(self.choose_folder)
        models = self._group(translate("Settings", "Models"), [
            ("models_dir", folder_row,
             translate("Settings", "Downloads and quantized files go here. Takes effect after a restart.")),
        ])  # fmt: skip

        # Hugging Face
        self.hf_endpoint = QLineEdit(settings.hf_endpoint)
        self.hf_endpoint.setObjectName("hf-endpoint")
        self.hf_endpoint.setPlaceholderText("https://huggingface.co")
        self.token = QLineEdit()
        self.token.setObjectName("hf-token")
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        self.token.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, False)  # no input method sees it
        self.replace_token = QPushButton(translate("Settings", "Replace…"))
        self.replace_token.setObjectName("replace-token")
        self.replace_token.clicked.connect(self._on_replace_token_clicked)
        self.remove_token = QPushButton(translate("Settings", "Remove"))
        self.remove_token.setObjectName("remove-token")
        self.remove_token.clicked.connect(self._on_remove_token_clicked)
        token_row = QHBoxLayout()
        token_row.addWidget(self.token, 1)
        token_row.addWidget(self.replace_token)
        token_row.addWidget(self.remove_token)
        hub = self._group("Hugging Face", [
            ("hf_endpoint", self.hf_endpoint, translate("Settings", "The hub or a mirror. Takes effect after a restart.")),
            ("hf_token", token_row,
             translate("Settings", "For gated and private models. Kept in the system keyring, never shown again.")),
        ])  # fmt: skip

        # Machine
        self.threads = QSpinBox()
        self.threads.setObjectName("threads")
        self.threads.setRange(0, 256)
        self.threads.setSpecialValueText(translate("Settings", "Automatic"))
        self.threads.setValue(settings.threads)
        self.gpu_margin = QDoubleSpinBox()
        self.gpu_margin.setObjectName("gpu-margin")
        self.gpu_margin.setRange(0.0, 64.0)
        self.gpu_margin.setDecimals(2)
        self.gpu_margin.setSingleStep(0.25)
        self.gpu_margin.setSuffix(" GiB")
        self.gpu_margin.setValue(settings.gpu_margin / GIB)
        self.usable_speed = QDoubleSpinBox()
        self.usable_speed.setObjectName("usable-speed")
        self.usable_speed.setRange(0.0, 1000.0)
        self.usable_speed.setDecimals(1)
        self.usable_speed.setSingleStep(1.0)
        self.usable_speed.setSuffix(translate("Settings", " tokens/s"))
        self.usable_speed.setSpecialValueText(translate("Settings", "any (judge by fit alone)"))
        self.usable_speed.setValue(settings.usable_speed)
        machine = self._group(translate("Settings", "Machine"), [
            ("threads", self.threads, translate("Settings", "The Load dialog's default, for models loaded from now on.")),
            ("gpu_margin", self.gpu_margin,
             translate("Settings", "Kept free for the desktop when estimating fit. After a restart.")),
            ("usable_speed", self.usable_speed,
             translate("Settings", "The advice and Discover's best file only pick models this fast. At once.")),
        ])  # fmt: skip

        # Queues
        self.parallel_downloads = QSpinBox()
        self.parallel_downloads.setObjectName("parallel-downloads")
        self.parallel_downloads.setRange(1, MAX_PARALLEL_DOWNLOADS)
        self.parallel_downloads.setValue(settings.parallel_downloads)
        self.parallel_jobs = QSpinBox()
        self.parallel_jobs.setObjectName("parallel-jobs")
        self.parallel_jobs.setRange(1, MAX_PARALLEL_JOBS)
        self.parallel_jobs.setValue(settings.parallel_jobs)
        queues = self._group(translate("Settings", "Downloads and jobs"), [
            ("parallel_downloads", self.parallel_downloads, translate("Settings", "Takes effect at once.")),
            ("parallel_jobs", self.parallel_jobs,
             translate("Settings", "Quantizations and evaluations; each needs memory. At once.")),
        ])  # fmt: skip

        # Interface
        self.language = QComboBox()
        self.language.setObjectName("language")
        self.language.addItem(translate("Settings", "System language"), "auto")
        for code, name in LANGUAGES.items():
            self.language.addItem(name, code)  # each language in its own name: found by someone who cannot read this one
        self.language.setCurrentIndex(max(0, self.language.findData(settings.language)))
        interface = self._group(translate("Settings", "Interface"), [
            ("language", self.language, translate("Settings", "Takes effect after a restart, which Modelwerk offers.")),
        ])  # fmt: skip

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for group in (interface, models, hub, machine, queues):
            layout.addWidget(group)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self._show_token_state()
        for spin in (self.threads, self.gpu_margin, self.parallel_downloads, self.parallel_jobs):
            spin.setMaximumWidth(spin.fontMetrics().horizontalAdvance(translate("Settings", "Automatic")) + 60)
        self.setMinimumWidth(640)
        self.resize(max(720, self.sizeHint().width()), self.sizeHint().height())

    def _group(self, title: str, rows: list[tuple[str, QWidget | QHBoxLayout, str]]) -> QGroupBox:
        box = QGroupBox(title)
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        for name, field, note in rows:
            column = QVBoxLayout()
            column.setSpacing(2)
            if isinstance(field, QHBoxLayout):
                column.addLayout(field)
            else:
                column.addWidget(field)
            error = QLabel()
            error.setObjectName("error")
            error.setWordWrap(True)
            error.hide()
            self.errors[name] = error
            column.addWidget(error)
            hint = QLabel(note)  # one line each: wrapped labels in nested form rows get clipped
            hint.setObjectName("muted")
            column.addWidget(hint)
            labels = [translate("Settings", text) for text in LABELS.values()]
            label = QLabel(translate("Settings", LABELS[name]))
            label.setMinimumWidth(label.fontMetrics().horizontalAdvance(max(labels, key=len)) + 12)
            form.addRow(label, column)
        return box

    # -- the token -----------------------------------------------------------------------------------------------------
    def _show_token_state(self) -> None:
        action, stored = self._token_action, self._token_stored
        editing = not stored or action is TokenAction.SET
        self.token.setReadOnly(not editing)
        self.token.setEnabled(editing)
        if action is TokenAction.REMOVE:
            self.token.setPlaceholderText(translate("Settings", "will be removed when you press OK"))
        elif stored and action is TokenAction.KEEP:
            self.token.setPlaceholderText(translate("Settings", "stored (hidden)"))
        elif stored:
            self.token.setPlaceholderText(translate("Settings", "paste the new token (hf_…)"))
        else:
            self.token.setPlaceholderText(translate("Settings", "paste a token (hf_…)"))
        self.token.setToolTip(translate("Settings", "Without a token of Modelwerk's own: {fallback}")
                              .format(fallback=self._token_fallback) if self._token_fallback else "")  # fmt: skip
        self.replace_token.setVisible(stored)
        self.replace_token.setEnabled(action is not TokenAction.SET)
        self.remove_token.setVisible(stored)
        self.remove_token.setEnabled(action is not TokenAction.REMOVE)

    def _on_replace_token_clicked(self) -> None:
        self._token_action = TokenAction.SET
        self.token.clear()
        self._show_token_state()
        self.token.setFocus()

    def _on_remove_token_clicked(self) -> None:
        self._token_action = TokenAction.REMOVE
        self.token.clear()
        self._set_error("hf_token", "")
        self._show_token_state()

    def _on_choose_folder_clicked(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, translate("Settings", "Models folder"), self.models_dir.text())
        if folder:
            self.models_dir.setText(folder)

    # -- OK --------------------------------------------------------------------------------------------------------------
    def _values(self) -> dict[str, object]:
        return {
            "models_dir": self.models_dir.text().strip(),
            "hf_endpoint": self.hf_endpoint.text(),
            "threads": self.threads.value(),
            "gpu_margin": round(self.gpu_margin.value() * GIB),
            "usable_speed": round(self.usable_speed.value(), 1),
            "parallel_downloads": self.parallel_downloads.value(),
            "parallel_jobs": self.parallel_jobs.value(),
            "language": self.language.currentData(),
        }

    def _set_error(self, name: str, message: str) -> None:
        label = self.errors[name]
        label.setText(message)
        label.setVisible(bool(message))

    def accept(self) -> None:
        """Check every value with app.settings' validation; close only when all pass (a refused one is named inline)."""
        changes: dict[str, object] = {}
        first_bad: str | None = None
        for name, value in self._values().items():
            try:
                if name == "models_dir" and isinstance(value, str):
                    value = str(Path(value).expanduser()) if value else value
                normalized = validate_setting(name, value)
            except SettingsError as e:
                self._set_error(name, _field_message(name, message_text(message_of(e))))
                first_bad = first_bad or name
                continue
            self._set_error(name, "")
            if normalized != getattr(self._settings, name):
                changes[name] = normalized
        token_error = ""
        if self._token_action is TokenAction.SET or (not self._token_stored and self.token.text()):
            try:
                check_token(self.token.text())
            except SettingsError as e:
                token_error = message_text(message_of(e))
        self._set_error("hf_token", token_error)
        if token_error:
            first_bad = first_bad or "hf_token"
        if first_bad is not None:
            self._focus(first_bad)
            return
        self._changes = changes
        super().accept()

    def _focus(self, name: str) -> None:
        field = {"models_dir": self.models_dir, "hf_endpoint": self.hf_endpoint, "hf_token": self.token}.get(name)
        if field is not None:
            field.setFocus()
            field.selectAll()

    def changes(self) -> dict[str, object]:
        """The checked values that differ from the saved settings (after OK; empty before)."""
        return dict(self._changes)

    def token_change(self) -> TokenChange:
        """What to do with the stored token (after OK)."""
        if self.result() != QDialog.DialogCode.Accepted:
            return TokenChange()
        if self._token_action is TokenAction.REMOVE:
            return TokenChange(TokenAction.REMOVE)
        text = self.token.text().strip()
        if text and (self._token_action is TokenAction.SET or not self._token_stored):
            return TokenChange(TokenAction.SET, text)
        return TokenChange()


def _field_message(name: str, message: str) -> str:
    """app.settings' one line, with the setting's name ("hf_endpoint must be…") given as the field's label."""
    if message.startswith(f"{name} "):
        return f"{translate('Settings', LABELS[name])} {message[len(name) + 1:]}"
    return message
