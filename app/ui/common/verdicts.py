"""The fit estimator's verdicts and reasons (hardware.fit.FitReport) in the interface language; hardware/ stays English."""

from __future__ import annotations

from app.ui.common.messages import text
from hardware.fit import FitReport


def verdict_text(r: FitReport) -> str:
    """One short phrase: 'Full GPU', '24 of 32 layers on GPU', 'CPU only', 'Does not fit'."""
    return text(r.verdict_message)


def reason_text(r: FitReport) -> str:
    """Why the model goes where it goes, sentence by sentence."""
    return "".join(text(m) for m in r.why)


def notes_text(r: FitReport) -> list[str]:
    """The report's notes (the context exceeds the training context, a GPU this build cannot use...)."""
    return [text(n) for n in r.note_messages]
