"""Numbers as people read them."""

from __future__ import annotations

GiB = 1024**3


def gib(n: float) -> str:
    """Bytes as GiB with one decimal (MiB below 1 GiB)."""
    if abs(n) < GiB and n:
        return f"{n / 1024**2:.0f} MiB"
    return f"{n / GiB:.1f} GiB"
