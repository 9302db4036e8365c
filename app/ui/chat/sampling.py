"""The sampling controls of a conversation: a preset and the parameters a user changes most (temperature, top-p,
repetition penalty, max tokens)."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QAbstractSpinBox, QComboBox, QDoubleSpinBox, QHBoxLayout, QSizePolicy, QSpinBox, QWidget

from app.chat.messages import PRESETS, Sampling
from app.ui.common.i18n import QT_TRANSLATE_NOOP, translate

CUSTOM = "Custom"
PRESET_NAMES = {"Balanced": QT_TRANSLATE_NOOP("Chat", "Balanced"), "Precise": QT_TRANSLATE_NOOP("Chat", "Precise"),
                "Creative": QT_TRANSLATE_NOOP("Chat", "Creative"), "Greedy": QT_TRANSLATE_NOOP("Chat", "Greedy"),
                CUSTOM: QT_TRANSLATE_NOOP("Chat", "Custom")}  # fmt: skip
"""The presets' names as shown (the combo keeps each preset's own name as its data)."""


def preset_name(sampling: Sampling) -> str:
    """The preset these settings are, or "Custom". The answer's length and the seed are not part of a preset's style."""
    return next((n for n, p in PRESETS.items() if replace(sampling, max_tokens=p.max_tokens, seed=p.seed) == p), CUSTOM)


class SamplingControls(QWidget):
    """Choosing a preset sets the parameters (but keeps the max tokens); changing a parameter other than max tokens makes
    it "Custom" (unless it matches a preset again).

    Fields not shown (top_k, min_p, seed) are kept from the last preset or stored settings.
    """

    sampling_changed = Signal(object)
    """A Sampling the user chose."""

    def __init__(self, sampling: Sampling, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._base = sampling
        self._updating = False
        self.preset = QComboBox()
        for name in (*PRESETS, CUSTOM):
            self.preset.addItem(translate("Chat", PRESET_NAMES.get(name, name)), name)
        self.temperature = QDoubleSpinBox()
        self.temperature.setRange(0, 2)
        self.temperature.setSingleStep(0.1)
        self.temperature.setPrefix("temp ")
        self.top_p = QDoubleSpinBox()
        self.top_p.setRange(0, 1)
        self.top_p.setSingleStep(0.05)
        self.top_p.setPrefix("top-p ")
        self.repeat_penalty = QDoubleSpinBox()
        self.repeat_penalty.setRange(1.0, 2.0)
        self.repeat_penalty.setSingleStep(0.05)
        self.repeat_penalty.setPrefix("repeat ")
        self.repeat_penalty.setToolTip(translate(
            "Chat", "Repetition penalty: above 1.00 the model is less likely to repeat itself (a base model that loops: "
                    "try 1.10–1.30; 1.00 is off)"))  # fmt: skip
        self.max_tokens = QSpinBox()
        self.max_tokens.setRange(1, 131_072)
        self.max_tokens.setSingleStep(256)
        self.max_tokens.setPrefix("max ")
        self.max_tokens.setToolTip(translate("Chat", "The most tokens an answer may have"))
        self.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for w in (self.preset, self.temperature, self.top_p, self.repeat_penalty, self.max_tokens):
            layout.addWidget(w)
        self.preset.currentIndexChanged.connect(self._on_preset_current_index_changed)
        for spin in (self.temperature, self.top_p, self.repeat_penalty, self.max_tokens):
            spin.valueChanged.connect(self._on_spin_value_changed)
        # No arrow buttons (the wheel, the arrow keys and typing still work): the row fits a 1280-wide window.
        # (QSpinBox with NoButtons under our style sheet draws no text, so its buttons are made zero-wide instead; a
        # widget style sheet replaces the native frame, so it draws the same frame as the line edits beside it.)
        for spin in (self.temperature, self.top_p, self.repeat_penalty):
            spin.setButtonSymbols(QAbstractSpinBox.ButtonSymbols.NoButtons)
        self.max_tokens.setStyleSheet(
            "QSpinBox { border: 1px solid #c9ced6; border-radius: 4px; background: white; padding: 3px 6px; }"
            "QSpinBox::up-button, QSpinBox::down-button { width: 0px; border: none; }"
        )
        self.set_sampling(sampling)

    def sampling(self) -> Sampling:
        return replace(self._base, temperature=round(self.temperature.value(), 2), top_p=round(self.top_p.value(), 2),
                       repeat_penalty=round(self.repeat_penalty.value(), 2),
                       max_tokens=self.max_tokens.value())  # fmt: skip

    def set_sampling(self, sampling: Sampling) -> None:
        """Show these settings (emits nothing)."""
        self._base = sampling
        self._updating = True
        self.temperature.setValue(sampling.temperature)
        self.top_p.setValue(sampling.top_p)
        self.repeat_penalty.setValue(sampling.repeat_penalty)
        self.max_tokens.setValue(sampling.max_tokens)
        self.preset.setCurrentIndex(self.preset.findData(preset_name(sampling)))
        self._updating = False

    def _on_preset_current_index_changed(self, _index: int) -> None:
        preset = PRESETS.get(str(self.preset.currentData()))
        if preset is None or self._updating:
            return
        chosen = replace(preset, max_tokens=self.max_tokens.value())
        self.set_sampling(chosen)
        self.sampling_changed.emit(chosen)

    def _on_spin_value_changed(self) -> None:
        if self._updating:
            return
        sampling = self.sampling()
        self._updating = True
        self.preset.setCurrentIndex(self.preset.findData(preset_name(sampling)))
        self._updating = False
        self.sampling_changed.emit(sampling)
