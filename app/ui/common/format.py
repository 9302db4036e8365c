"""Numbers as people read them, in the interface language (app.ui.common.i18n): 23.5 GiB, in German 23,5 GiB."""

from __future__ import annotations

from datetime import datetime, timezone

from PySide6.QtCore import QDateTime, QLocale

from app.ui.common.i18n import locale, translate

GiB = 1024**3


def number(value: float, decimals: int = 0) -> str:
    """A number with the interface language's separators: 1,234.5 in English, 1.234,5 in German."""
    return locale().toString(float(value), "f", decimals) if decimals else locale().toString(round(value))


def gib(n: float) -> str:
    """Bytes as GiB with one decimal (MiB below 1 GiB)."""
    if abs(n) < GiB and n:
        return f"{number(n / 1024**2)} MiB"
    return f"{number(n / GiB, 1)} GiB"


def size_text(n: float) -> str:
    """Bytes in the largest binary unit that keeps the number readable: 512 MiB, 23.5 GiB, 1.5 TiB."""
    for unit, scale in (("TiB", 1024**4), ("GiB", GiB)):
        if abs(n) >= scale:
            return f"{number(n / scale, 1)} {unit}"
    return f"{number(n / 1024**2)} MiB"


def _short(value: float) -> str:
    # Three significant digits, as model cards write them (8.03, 270), with the language's decimal separator.
    text = f"{value:.3g}"
    return text.replace(".", locale().decimalPoint()) if "e" not in text else number(value)


def params_text(n: int) -> str:
    """A parameter count as model cards write it: 270M, 8.03B; a dash when unknown."""
    if n <= 0:
        return "—"
    if n >= 1e9:
        return f"{_short(n / 1e9)}B"
    if n >= 1e6:
        return f"{_short(n / 1e6)}M"
    return f"{_short(n / 1e3)}K"


def context_text(n: int) -> str:
    """A context length in tokens: 32K for 32768, 4,000 for 4000; a dash when unknown."""
    if n <= 0:
        return "—"
    if n >= 1024 and n % 1024 == 0:
        return f"{n // 1024}K"
    return number(n)


def ago_text(when: datetime | None, now: datetime | None = None) -> str:
    """ "just now", "12 minutes ago", "3 hours ago", "2 days ago"; "earlier" when unknown."""
    if when is None:
        return translate("Format", "earlier")
    now = now or datetime.now(timezone.utc)
    s = max(0, int((now - when).total_seconds()))
    days, hours, minutes = s // 86400, s // 3600, s // 60
    if days:
        return translate("Format", "%n day(s) ago", None, days)
    if hours:
        return translate("Format", "%n hour(s) ago", None, hours)
    if minutes:
        return translate("Format", "%n minute(s) ago", None, minutes)
    return translate("Format", "just now")


def date_text(when: datetime) -> str:
    """A date and time in the interface language's short form, in local time: 12/6/26 9:15 PM, 06.12.26 21:15."""
    local = QDateTime.fromSecsSinceEpoch(int(when.timestamp()))
    return locale().toString(local, QLocale.FormatType.ShortFormat)


def duration_text(seconds: float | None) -> str:
    """12 s, 4 min 10 s, 1 h 05 min; a dash when unknown."""
    if seconds is None or seconds < 0:
        return "—"
    s = round(seconds)
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60:02d} s"
    return f"{s // 3600} h {s % 3600 // 60:02d} min"
