"""Numbers, sizes and ages as the interface writes them, in English and in German."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest

from app.ui.common import i18n
from app.ui.common.format import ago_text, context_text, gib, number, params_text, size_text

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def german() -> Iterator[None]:
    i18n.install("de")
    yield
    i18n.install("en")


def ago(**delta: float) -> str:
    return ago_text(NOW - timedelta(**delta), NOW)


def test_ago_text() -> None:
    assert ago(seconds=20) == "just now"
    assert ago(minutes=1) == "1 minute ago"
    assert ago(minutes=59, seconds=59) == "59 minutes ago"
    assert ago(hours=3, minutes=10) == "3 hours ago"
    assert ago(days=1, hours=5) == "1 day ago"
    assert ago(seconds=-30) == "just now"  # a clock that went back
    assert ago_text(None) == "earlier"


def test_english_numbers() -> None:
    assert number(1234.5, 1) == "1,234.5" and size_text(23.5 * 1024**3) == "23.5 GiB" and gib(512 * 1024**2) == "512 MiB"
    assert params_text(8_030_000_000) == "8.03B" and context_text(4000) == "4,000" and context_text(32768) == "32K"


def test_german_numbers_and_ages(german: None) -> None:
    assert number(1234.5, 1) == "1.234,5"
    assert size_text(1000.4 * 1024**2) == "1.000 MiB" and size_text(23.5 * 1024**3) == "23,5 GiB"
    assert gib(1.5 * 1024**3) == "1,5 GiB"
    assert params_text(8_030_000_000) == "8,03B" and context_text(4000) == "4.000"
    assert ago(minutes=1) == "vor 1 Minute" and ago(hours=3) == "vor 3 Stunden" and ago(days=2) == "vor 2 Tagen"
    assert ago(seconds=5) == "gerade eben" and ago_text(None) == "früher"
