"""The fit calculator: a model (a size, a library model or a dropped file) + load options -> where it runs, with memory."""

from __future__ import annotations

import html
from dataclasses import replace

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.ui.common.format import gib, number
from app.ui.common.i18n import translate
from app.ui.common.memory_bar import MemoryBar, MemoryLegend
from app.ui.common.verdicts import notes_text, reason_text, verdict_text
from core.errors import user_message
from hardware.fit import FitOptions, FitReport, fit
from hardware.quants import QUANT_TYPES, KvType
from hardware.report import HardwareReport
from hardware.shape import REPRESENTATIVE, ModelShape, parse_params, shape_for_params

CONTEXTS = (2048, 4096, 8192, 16384, 32768, 65536, 131072)


def context_combo(default: int = 8192) -> QComboBox:
    combo = QComboBox()
    for ctx in CONTEXTS:
        kilo = ctx // 1024
        combo.addItem(translate("Hardware", "{k}k tokens").format(k=kilo), ctx)
    combo.setCurrentIndex(CONTEXTS.index(default))
    return combo


def kv_combo() -> QComboBox:
    combo = QComboBox()
    for kv in (KvType.F16, KvType.Q8_0, KvType.Q4_0):
        combo.addItem(kv.value, kv)
    return combo


class Calculator(QGroupBox):
    """Recomputes on every change (fit() takes about a millisecond, so it runs on the GUI thread)."""

    report_changed = Signal(object)

    def __init__(self, base_options: FitOptions, parent: QWidget | None = None) -> None:
        super().__init__(translate("Hardware", "Calculator"), parent)
        self._hw: HardwareReport | None = None
        self._base = base_options
        self._file_shape: ModelShape | None = None

        self.library = QComboBox()
        self.library.setMinimumWidth(260)
        self.library.setToolTip(translate("Hardware", "Size the calculator to a model in your library: its real layers, "
                                                      "heads and weights"))
        self.library.addItem(translate("Hardware", "Choose a model…"), None)
        self.library.setEnabled(False)
        self.source = QLabel(translate("Hardware", "or drop a model file on this page"))
        self.source.setObjectName("muted")
        self.source.setWordWrap(True)

        self.model_size = QComboBox()
        self.model_size.setEditable(True)
        self.model_size.addItems(list(REPRESENTATIVE))
        self.model_size.setCurrentText("8B")
        self.quant = QComboBox()
        self.quant.addItems(list(QUANT_TYPES))
        self.quant.setMaxVisibleItems(16)
        self.quant.setCurrentText("Q4_K_M")
        self.context = context_combo()
        self.kv = kv_combo()
        self.flash = QCheckBox(translate("Hardware", "Flash attention"))
        self.flash.setChecked(True)  # llama.cpp's default, and the runtime's
        self.gpu_layers = QSpinBox()
        self.gpu_layers.setRange(-1, 999)
        self.gpu_layers.setSpecialValueText(translate("Hardware", "auto"))
        self.gpu_layers.setValue(-1)
        self.gpu_layers.setToolTip(translate(
            "Hardware",
            "Repeating blocks to put on the GPU. auto: as many as fit. More than the model has: all, output layer included.",
        ))  # fmt: skip
        self.model_size.setToolTip(translate("Hardware", "A preset size class, or any parameter count such as 9B, 1.5B or "
                                                         "270M"))
        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.hide()

        pick = QHBoxLayout()
        pick.addWidget(QLabel(translate("Hardware", "Library model")))
        pick.addWidget(self.library)
        pick.addWidget(self.source, 1)
        grid = QGridLayout()
        for col, (label, widget) in enumerate(
            ((translate("Hardware", "Model size"), self.model_size), (translate("Hardware", "Quantization"), self.quant),
             (translate("Hardware", "Context"), self.context), (translate("Hardware", "KV cache"), self.kv))
        ):
            grid.addWidget(QLabel(label), 0, col)
            grid.addWidget(widget, 1, col)
        grid.addWidget(QLabel(translate("Hardware", "GPU layers")), 0, 4)
        grid.addWidget(self.gpu_layers, 1, 4)
        grid.addWidget(self.flash, 1, 5)
        grid.addWidget(self.error, 2, 0, 1, 6)  # under the size field, one line across

        self.verdict = QLabel()
        self.verdict.setObjectName("verdict")
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.vram_bar = MemoryBar("VRAM")
        self.ram_bar = MemoryBar(translate("Hardware", "RAM"))
        self.notes = QLabel()
        self.notes.setWordWrap(True)
        self.notes.setObjectName("muted")
        bars = QHBoxLayout()
        bars.setSpacing(28)  # layout spacing, not a spacer item: it goes away with a hidden VRAM bar
        bars.addWidget(self.vram_bar)
        bars.addWidget(self.ram_bar)

        self.result = QWidget()  # disabled (greyed) while the input is invalid: it shows the last valid entry
        result = QVBoxLayout(self.result)
        result.setContentsMargins(0, 6, 0, 0)
        result.addWidget(self.verdict)
        result.addWidget(self.details)
        result.addWidget(self.notes)
        result.addSpacing(4)
        result.addLayout(bars)
        result.addWidget(MemoryLegend())
        layout = QVBoxLayout(self)
        layout.addLayout(pick)
        layout.addSpacing(6)
        layout.addLayout(grid)
        layout.addWidget(self.result)

        self.model_size.currentTextChanged.connect(self._on_input_changed)
        for combo in (self.quant, self.context, self.kv):
            combo.currentIndexChanged.connect(self._on_input_changed)
        self.flash.toggled.connect(self._on_input_changed)
        self.gpu_layers.valueChanged.connect(self._on_input_changed)
        self.library.activated.connect(self._on_library_activated)

    def set_hardware(self, hw: HardwareReport) -> None:
        self._hw = hw
        self.gpu_layers.setEnabled(bool(hw.gpus))  # without a GPU every layer runs on the CPU anyway
        self._recompute()

    def set_library_models(self, models: list[tuple[str, ModelShape]]) -> None:
        """The library's models with a known shape, as (label, shape); the chosen one stays chosen if still there."""
        current = self.library.currentText() if self.library.currentIndex() > 0 else None
        self.library.blockSignals(True)
        self.library.clear()
        self.library.addItem(translate("Hardware", "Choose a model…") if models
                             else translate("Hardware", "No models in the library"), None)  # fmt: skip
        for label, shape in models:
            self.library.addItem(label, shape)
        index = self.library.findText(current) if current else -1
        self.library.setCurrentIndex(max(index, 0))
        self.library.setEnabled(bool(models))
        self.library.blockSignals(False)

    def show_message(self, text: str, *, error: bool = False) -> None:
        """A line beside the library box: which file is loaded, or why a dropped file cannot be sized."""
        self.source.setText(text)
        self.source.setObjectName("error" if error else "muted")
        self.source.style().unpolish(self.source)
        self.source.style().polish(self.source)

    def _on_library_activated(self, index: int) -> None:
        shape = self.library.itemData(index)
        if isinstance(shape, ModelShape):
            self.set_shape(shape)
            self.show_message("")

    def set_shape(self, shape: ModelShape) -> None:
        """Size the calculator to a real model (a library entry or a dropped file) instead of a parameter count.

        The model's own quantization applies, so the type box shows it and is locked until the size is edited again.
        """
        self._file_shape = shape
        self.quant.blockSignals(True)
        if shape.quant in QUANT_TYPES:
            self.quant.setCurrentText(shape.quant)
        self.quant.blockSignals(False)
        self.quant.setEnabled(False)
        self.model_size.setCurrentText(shape.name)
        chosen = next((i for i in range(1, self.library.count()) if self.library.itemData(i) == shape), 0)
        self.library.setCurrentIndex(chosen)
        self.error.hide()
        self.result.setEnabled(True)
        self._recompute()

    def _on_input_changed(self, *_: object) -> None:
        if self._file_shape is not None and self.model_size.currentText() != self._file_shape.name:
            self._file_shape = None  # the user typed a size: back to parameter counts
            self.quant.setEnabled(True)
            self.library.setCurrentIndex(0)
            self.show_message(translate("Hardware", "or drop a model file on this page"))
        self._recompute()

    def _options(self) -> FitOptions:
        layers = self.gpu_layers.value()
        return replace(
            self._base,
            context=self.context.currentData(),
            kv_type=self.kv.currentData(),
            flash_attention=self.flash.isChecked(),
            gpu_layers=None if layers < 0 else layers,
        )

    def _shape(self) -> ModelShape | None:
        if self._file_shape is not None:
            return self._file_shape
        try:
            shape = shape_for_params(parse_params(self.model_size.currentText()), self.quant.currentText())
        except ValueError as e:
            message = user_message(e)
            self.error.setText(message[:1].upper() + message[1:])
            self.error.show()
            self.result.setEnabled(False)
            return None
        self.error.hide()
        self.result.setEnabled(True)
        return shape

    def _recompute(self) -> None:
        shape = self._shape()
        if shape is None or self._hw is None:
            return
        report = fit(shape, self._hw, self._options())
        self._show(report)
        self.report_changed.emit(report)

    def _show(self, r: FitReport) -> None:
        self.verdict.setText(translate("Hardware", "{name} at {quant}: <b>{verdict}</b>").format(
            name=html.escape(r.shape.name), quant=r.shape.quant, verdict=verdict_text(r)))
        self.verdict.setProperty("placement", r.placement.value)
        self.verdict.style().unpolish(self.verdict)
        self.verdict.style().polish(self.verdict)
        if r.fits:
            speed = (translate("Hardware", "~{speed} tokens/s (estimate)").format(speed=number(r.tokens_per_s, 1))
                     if r.tokens_per_s else translate("Hardware", "speed unknown"))  # fmt: skip
            ctx = translate("Hardware", "largest context at this placement: {context} tokens").format(
                context=number(r.max_context))
            facts = f"<b>{speed}</b> · {ctx} · " + translate("Hardware", "KV cache {kv}").format(kv=gib(r.kv_cache))
        else:
            facts = translate("Hardware", "Needs {size} in all; KV cache {kv}").format(
                size=gib(r.ram.total + r.vram.total), kv=gib(r.kv_cache))
        self.details.setText(f"{html.escape(reason_text(r))}<br>{facts}")
        self.notes.setText("<br>".join(html.escape(n) for n in notes_text(r)))
        self.notes.setVisible(bool(r.notes))
        hw = self._hw
        assert hw is not None
        self.vram_bar.setVisible(bool(hw.gpus))
        self.vram_bar.set_title(translate("Hardware", "GPU share of unified memory") if hw.unified_memory else "VRAM")
        self.vram_bar.set_memory(r.vram, r.vram_budget)
        self.ram_bar.set_memory(r.ram, r.ram_budget)
