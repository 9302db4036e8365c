"""The fit estimator's verdicts (hardware.fit.FitReport) in the interface language; hardware/ itself stays English."""

from __future__ import annotations

from app.ui.common.i18n import translate
from hardware.fit import FitReport, Placement


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
