"""The Chat page's dialogs: load a model (context, GPU layers, threads, KV cache type, flash attention, with the fit
warning) and add a remote endpoint."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.chat.endpoints import normalise_url
from app.chat.messages import ChatError
from app.chat.runtime import LoadOptions
from app.ui.common.errors import error_line
from app.ui.common.i18n import translate

log = logging.getLogger(__name__)

KV_TYPES = ("f16", "q8_0", "q4_0")
FitCheck = Callable[[LoadOptions], str | None]


class LoadDialog(QDialog):
    """Load options for one model; `options()` after accept. `fit_check(options)` gives the one-line fit warning."""

    def __init__(self, name: str, *, max_context: int = 0, fit_check: FitCheck | None = None,
                 initial: LoadOptions | None = None, threads: int = 0, parent: QWidget | None = None) -> None:  # fmt: skip
        """``threads``: the CPU threads preselected when there is no ``initial`` (the ``threads`` setting; 0: automatic)."""
        super().__init__(parent)
        self.setWindowTitle(translate("Chat", "Load {name}").format(name=name))
        self._fit_check = fit_check
        initial = initial or LoadOptions(context=min(4096, max_context) if max_context else 4096, threads=threads or None)
        self.context = QSpinBox()
        self.context.setRange(256, max_context or 1_048_576)
        self.context.setSingleStep(1024)
        self.context.setValue(initial.context)
        self.context.setSuffix(translate("Chat", " tokens"))
        self.gpu_auto = QCheckBox(translate("Chat", "Automatic (as many as fit)"))
        self.gpu_auto.setChecked(initial.gpu_layers is None)
        self.gpu_layers = QSpinBox()
        self.gpu_layers.setRange(0, 999)
        self.gpu_layers.setValue(initial.gpu_layers or 0)
        self.gpu_layers.setEnabled(initial.gpu_layers is not None)
        self.threads = QSpinBox()
        self.threads.setRange(0, 256)
        self.threads.setSpecialValueText(translate("Chat", "Automatic"))
        self.threads.setValue(initial.threads or 0)
        self.kv_type = QComboBox()
        self.kv_type.addItems(KV_TYPES)
        self.kv_type.setCurrentText(initial.kv_type)
        self.flash_attn = QCheckBox(translate("Chat", "Flash attention (where llama.cpp supports it)"))
        self.flash_attn.setChecked(initial.flash_attn)
        self.warning = QLabel()
        self.warning.setObjectName("error")
        self.warning.setWordWrap(True)

        form = QFormLayout()
        form.addRow(translate("Chat", "Context"), self.context)
        form.addRow(translate("Chat", "GPU layers"), self.gpu_auto)
        form.addRow("", self.gpu_layers)
        form.addRow(translate("Chat", "CPU threads"), self.threads)
        form.addRow(translate("Chat", "KV cache"), self.kv_type)
        form.addRow("", self.flash_attn)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(translate("Chat", "Load"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.warning)
        layout.addWidget(buttons)

        self.gpu_auto.toggled.connect(self._on_gpu_auto_toggled)
        for spin in (self.context, self.gpu_layers, self.threads):
            spin.valueChanged.connect(self._update_warning)
        self.kv_type.currentIndexChanged.connect(self._update_warning)
        self.flash_attn.toggled.connect(self._update_warning)
        self._update_warning()

    def options(self) -> LoadOptions:
        return LoadOptions(
            context=self.context.value(),
            gpu_layers=None if self.gpu_auto.isChecked() else self.gpu_layers.value(),
            threads=self.threads.value() or None,
            kv_type=self.kv_type.currentText(),
            flash_attn=self.flash_attn.isChecked(),
        )

    def _on_gpu_auto_toggled(self, checked: bool) -> None:
        self.gpu_layers.setEnabled(not checked)
        self._update_warning()

    def _update_warning(self) -> None:
        text = None
        if self._fit_check is not None:
            try:
                text = self._fit_check(self.options())
            except Exception as e:  # an estimate that fails must not block loading
                log.debug("fit check failed", exc_info=True)
                text = translate("Chat", "Could not estimate the fit: {error}").format(error=e)
        self.warning.setText(f"⚠ {text}" if text else "")
        self.warning.setVisible(bool(text))


class EndpointDialog(QDialog):
    """Name, base URL and optional API key of an OpenAI-compatible server (vLLM, llama.cpp server, Ollama...)."""

    def __init__(self, parent: QWidget | None = None, *, key_notice: str = "") -> None:
        """``key_notice``: where the key will be kept when that is not the system keyring ("" when it is)."""
        super().__init__(parent)
        self.setWindowTitle(translate("Chat", "Add endpoint"))
        self.name = QLineEdit()
        self.name.setPlaceholderText(translate("Chat", "e.g. vLLM on the workstation"))
        self.url = QLineEdit()
        self.url.setPlaceholderText("http://host:8000/v1")
        self.api_key = QLineEdit()
        self.api_key.setEchoMode(QLineEdit.EchoMode.Password)
        self.api_key.setPlaceholderText(translate("Chat", "optional"))
        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.hide()
        form = QFormLayout()
        form.addRow(translate("Chat", "Name"), self.name)
        form.addRow("URL", self.url)
        form.addRow(translate("Chat", "API key"), self.api_key)
        self.key_notice = QLabel(key_notice)
        self.key_notice.setWordWrap(True)
        self.key_notice.setTextFormat(Qt.TextFormat.PlainText)
        self.key_notice.setVisible(bool(key_notice))
        form.addRow("", self.key_notice)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._on_accepted)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def _on_accepted(self) -> None:
        try:
            normalise_url(self.url.text().strip())
        except ChatError as e:
            self.error.setText(error_line(e))
            self.error.show()
            return
        self.accept()

    def values(self) -> tuple[str, str, str]:
        """(name, url, api key)."""
        url = self.url.text().strip()
        return self.name.text().strip() or url, url, self.api_key.text().strip()
