"""Numbers as people read them."""

from __future__ import annotations

from datetime import datetime, timezone

GiB = 1024**3


def gib(n: float) -> str:
    """Bytes as GiB with one decimal (MiB below 1 GiB)."""
    if abs(n) < GiB and n:
        return f"{n / 1024**2:.0f} MiB"
    return f"{n / GiB:.1f} GiB"


def size_text(n: float) -> str:
    """Bytes in the largest binary unit that keeps the number readable: 512 MiB, 23.5 GiB, 1.5 TiB."""
    for unit, scale in (("TiB", 1024**4), ("GiB", GiB)):
        if abs(n) >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n / 1024**2:.0f} MiB"


def params_text(n: int) -> str:
    """A parameter count as model cards write it: 270M, 8.03B; a dash when unknown."""
    if n <= 0:
        return "—"
    if n >= 1e9:
        return f"{n / 1e9:.3g}B"
    if n >= 1e6:
        return f"{n / 1e6:.3g}M"
    return f"{n / 1e3:.3g}K"


def context_text(n: int) -> str:
    """A context length in tokens: 32K for 32768, 4,000 for 4000; a dash when unknown."""
    if n <= 0:
        return "—"
    if n >= 1024 and n % 1024 == 0:
        return f"{n // 1024}K"
    return f"{n:,}"


def ago_text(when: datetime | None, now: datetime | None = None) -> str:
    """ "just now", "12 minutes ago", "3 hours ago", "2 days ago"; "earlier" when unknown."""
    if when is None:
        return "earlier"
    now = now or datetime.now(timezone.utc)
    s = max(0, int((now - when).total_seconds()))
    for unit, length in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if s >= length:
            n = s // length
            return f"{n} {unit}{'s' if n > 1 else ''} ago"
    return "just now"


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
