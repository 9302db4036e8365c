"""Speeds as the advice writes them (hardware.advice.speed_text), with numbers written the interface language's way."""

from __future__ import annotations

from app.ui.common.format import number


def speed_text(tokens_per_s: float) -> str:
    """ "~3.4 tok/s" below 10, "~45 tok/s" above (hardware.advice.speed_text's precision); "" when unknown."""
    decimals = 1 if round(tokens_per_s, 1) < 10 else 0
    return f"~{number(tokens_per_s, decimals)} tok/s" if tokens_per_s else ""


def usable_text(usable_speed: float) -> str:
    """The usable_speed setting as a phrase: "5 tok/s", "2.5 tok/s" (2,5 in German)."""
    return f"{number(usable_speed, 1 if usable_speed % 1 else 0)} tok/s"
