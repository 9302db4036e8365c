"""How old a cached hub answer is, as the Discover page says it."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from app.ui.common.format import ago_text

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=timezone.utc)


def test_ago_text() -> None:
    def ago(**delta: float) -> str:
        return ago_text(NOW - timedelta(**delta), NOW)

    assert ago(seconds=20) == "just now"
    assert ago(minutes=1) == "1 minute ago"
    assert ago(minutes=59, seconds=59) == "59 minutes ago"
    assert ago(hours=3, minutes=10) == "3 hours ago"
    assert ago(days=1, hours=5) == "1 day ago"
    assert ago(seconds=-30) == "just now"  # a clock that went back
    assert ago_text(None) == "earlier"
