"""The fit estimator's verdicts and reasons (hardware.fit.FitReport) in the interface language; hardware/ stays English."""

from __future__ import annotations

from app.ui.common.format import gib, number
from app.ui.common.i18n import QT_TRANSLATE_NOOP, translate
from hardware.fit import BYTE_VALUES, FitReport, Placement


def verdict_text(r: FitReport) -> str:
    """One short phrase: 'Full GPU', '24 of 32 layers on GPU', 'CPU only', 'Does not fit'."""
    if r.placement is Placement.PARTIAL:
        if r.gpu_layers == r.n_layers:
            return translate("Verdicts", "All layers on GPU, output on CPU")
        layers, total = r.gpu_layers, r.n_layers
        return translate("Verdicts", "{layers} of {total} layers on GPU").format(layers=layers, total=total)
    if r.placement is Placement.FULL_GPU:
        return translate("Verdicts", "Full GPU")
    if r.placement is Placement.CPU_ONLY:
        return translate("Verdicts", "CPU only")
    return translate("Verdicts", "Does not fit")


REASONS = {
    "full_gpu": QT_TRANSLATE_NOOP("Verdicts", "All {layers} layers and the output fit in {vram_free} of free VRAM."),
    "partial": QT_TRANSLATE_NOOP("Verdicts", "{gpu_layers} of {layers} layers fit in VRAM (keeping {margin} free per GPU); "
                                             "the rest runs on the CPU, which is slower."),
    "cpu_no_gpu": QT_TRANSLATE_NOOP("Verdicts", "Runs on the CPU from RAM (no GPU was found)."),
    "cpu_no_layer": QT_TRANSLATE_NOOP("Verdicts", "Runs on the CPU from RAM (not even one layer fits in VRAM)."),
    "cpu_offload_off": QT_TRANSLATE_NOOP("Verdicts", "Runs on the CPU from RAM (GPU offload is off)."),
    "gpu_layers_too_many": QT_TRANSLATE_NOOP("Verdicts", "{gpu_layers} layers do not fit in VRAM ({needed} needed on one "
                                                         "GPU)."),
    "ram_short": QT_TRANSLATE_NOOP("Verdicts", "Needs {need} of RAM beyond what the GPU holds, {have} available."),
    "at_most": QT_TRANSLATE_NOOP("Verdicts", " At most {max_context} tokens of context would fit."),
    "no_context": QT_TRANSLATE_NOOP("Verdicts", " It does not fit at any context."),
}  # fmt: skip
"""hardware.fit.REASONS for the catalogue (a test keeps the two equal): the English text is the lookup key."""


def reason_text(r: FitReport) -> str:
    """Why the model goes where it goes, in the interface language (hardware.fit's reason, sentence by sentence)."""
    if not r.reason_keys:
        return r.reason
    values = {k: gib(v) if k in BYTE_VALUES else number(v) for k, v in r.reason_values}
    return "".join(translate("Verdicts", REASONS[key]).format(**values) for key in r.reason_keys)
