"""Advice that weighs speed, as a user sees it (issue 16, item 6): Discover's badges and best file, the Hardware page's
table and answer, judged against the usable_speed setting."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fakehub import FakeHub
from fakehub.repos import TINY_GGUF, tiny_gguf_repo
from fixtures.hardware_reports import cpu_only
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from pytestqt.qtbot import QtBot

from app.settings import Settings
from app.ui.discover.files_model import BEST_ROLE, FileColumn
from app.ui.discover.page import DiscoverPage
from app.ui.hardware.advice_model import PLACEMENT_COLORS, SLOW_BG
from app.ui.hardware.page import HardwarePage
from app.ui.main_window import MainWindow
from hardware.fit import Placement
from hardware.report import GiB, HardwareReport

TIMEOUT = 20_000
GB = 1e9


def crawling_cpu() -> HardwareReport:
    """A CPU so slow (13 MB/s) that the 1 MB tiny model runs as an 8B one does on the issue's box: Q8_0 ~4 tok/s,
    Q4_K_M ~6.8, Q4_0 ~7.2, F16 ~2.1."""
    return cpu_only(cpu_bandwidth=40 * GB / 3000)


def issue_box() -> HardwareReport:
    """The CPU-only box of issue 16: 8B Q8_0 ~2 tok/s, 8B Q4_K_M ~3.4, 14B Q8_0 and 8B F16 ~1."""
    return cpu_only(cpu_bandwidth=35 * GB, ram_available=20 * GiB)


@pytest.fixture
def slow_window(qtbot: QtBot, fakehub: FakeHub, monkeypatch: pytest.MonkeyPatch) -> Iterator[MainWindow]:
    tiny_gguf_repo(fakehub)
    monkeypatch.setenv("HF_ENDPOINT", fakehub.url)
    monkeypatch.delenv("HF_TOKEN", raising=False)
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    w = MainWindow(Settings(), report=crawling_cpu())  # the default usable speed, 5 tok/s
    qtbot.addWidget(w)
    w.show()
    w.show_page(w.discover_page)
    yield w
    w.close()
    w.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def _open_tiny(qtbot: QtBot, page: DiscoverPage) -> None:
    page.query.setText("Tiny-GGUF")
    qtbot.keyClick(page.query, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not page.busy() and page.results.rowCount() > 0, timeout=TIMEOUT)
    rows = [page.results.index(r, 0).data() for r in range(page.results.rowCount())]
    page.table.selectRow(rows.index(TINY_GGUF))
    qtbot.waitUntil(lambda: page.repo.details is not None and page.repo.details.repo_id == TINY_GGUF, timeout=TIMEOUT)
    qtbot.waitUntil(lambda: not page.busy() and page.repo.best.isVisible(), timeout=TIMEOUT)


def _badge(page: DiscoverPage, name: str, role: int = Qt.ItemDataRole.DisplayRole) -> object:
    m = page.repo.model
    [row] = [r for r in range(m.rowCount()) if m.index(r, FileColumn.NAME).data() == name]
    return m.index(row, FileColumn.FIT if role != BEST_ROLE else FileColumn.NAME).data(role)


def _best(page: DiscoverPage) -> list[str]:
    m = page.repo.model
    return [m.index(r, 0).data() for r in range(m.rowCount()) if m.index(r, 0).data(BEST_ROLE)]


def test_discover_picks_the_best_usable_file_not_the_best_that_fits(qtbot: QtBot, slow_window: MainWindow) -> None:
    page = slow_window.discover_page
    _open_tiny(qtbot, page)
    # Every file fits; Q8_0 (the old pick) and F16 crawl under 5 tok/s, so the best usable is Q4_K_M.
    assert _best(page) == ["Tiny-Q4_K_M.gguf"]
    assert page.repo.best.text() == "<b>Best for this machine:</b> Tiny-Q4_K_M.gguf — CPU · ~6.8 tok/s · 512 ctx"
    assert _badge(page, "Tiny-Q8_0.gguf") == "CPU · slow ~4.0 tok/s · 512 ctx"
    assert _badge(page, "Tiny-Q4_0.gguf") == "CPU · ~7.2 tok/s · 512 ctx"
    assert _badge(page, "Tiny-Q8_0.gguf", Qt.ItemDataRole.BackgroundRole) == SLOW_BG  # greyed: fits, but crawls
    assert _badge(page, "Tiny-Q4_0.gguf", Qt.ItemDataRole.BackgroundRole) == PLACEMENT_COLORS[Placement.CPU_ONLY]
    tip = str(_badge(page, "Tiny-Q8_0.gguf", Qt.ItemDataRole.ToolTipRole))
    assert "About 4.0 tok/s (estimate from the memory bandwidth)" in tip
    assert "Below the usable speed of 5 tok/s (setting usable_speed)" in tip

    # A user content with 3 tok/s gets Q8_0 back, as good as F16 at half the size.
    page.set_usable_speed(3)
    qtbot.waitUntil(lambda: _best(page) == ["Tiny-Q8_0.gguf"], timeout=TIMEOUT)
    assert _badge(page, "Tiny-Q8_0.gguf") == "CPU · ~4.0 tok/s · 512 ctx"
    assert "Tiny-Q8_0.gguf" in page.repo.best.text()


def test_discover_says_when_no_file_is_usable_and_names_the_fastest(qtbot: QtBot, slow_window: MainWindow) -> None:
    page = slow_window.discover_page
    _open_tiny(qtbot, page)
    page.set_usable_speed(20)
    qtbot.waitUntil(lambda: _best(page) == [], timeout=TIMEOUT)
    assert page.repo.best.isVisible()
    assert page.repo.best.text() == (
        "<b>None of these files reaches the usable 20 tok/s here.</b> The fastest, Tiny-Q4_0.gguf, makes ~7.2 tok/s: "
        "a smaller model would be faster, or lower the usable speed in the settings if that pace is fine."
    )
    assert all("slow ~" in str(_badge(page, n)) for n in ("Tiny-Q4_0.gguf", "Tiny-Q8_0.gguf", "Tiny-F16 (2 parts)"))


def test_main_window_hands_the_setting_to_discover_and_hardware(qtbot: QtBot) -> None:
    w = MainWindow(Settings(usable_speed=2.5), report=issue_box())
    qtbot.addWidget(w)
    assert w.discover_page.repo.model.usable_speed == 2.5
    assert w.hardware_page.usable_speed() == 2.5
    w.close()


def _hardware_page(qtbot: QtBot, report: HardwareReport, usable_speed: float) -> HardwarePage:
    page = HardwarePage(report, usable_speed=usable_speed)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: not page.busy() and page.answer.isVisible(), timeout=10_000)
    return page


def _cell(page: HardwarePage, size: str, quant: str) -> str:
    table = page.model.table()
    assert table is not None
    return str(page.model.index(table.sizes.index(size), table.quants.index(quant)).data())


def test_hardware_answer_on_the_issue_box_names_what_is_usable(qtbot: QtBot) -> None:
    page = _hardware_page(qtbot, issue_box(), 3)
    text = page.answer.text()
    assert "(for coding, at a usable 3 tok/s or more)" in text
    assert ("<b>Neither 14B Q8_0 nor 8B F16: here they make ~1.1 tok/s and ~1.0 tok/s, below the usable 3 tok/s. "
            "Run 8B Q4_K_M (~3.4 tok/s) rather than 1B F16 (~6.4 tok/s)") in text  # fmt: skip
    assert re.fullmatch(r"CPU · slow\n~2.0 tok/s · \d+k ctx", _cell(page, "8B", "Q8_0"))
    assert re.fullmatch(r"CPU\n~3.4 tok/s · \d+k ctx", _cell(page, "8B", "Q4_K_M"))
    assert "under the usable 3 tok/s" in page.legend.text()
    table = page.model.table()
    assert table is not None
    q8 = page.model.index(table.sizes.index("8B"), table.quants.index("Q8_0"))
    assert q8.data(Qt.ItemDataRole.BackgroundRole) == SLOW_BG  # greyed like Discover's slow badges


def test_hardware_answer_when_nothing_is_usable(qtbot: QtBot) -> None:
    page = _hardware_page(qtbot, issue_box(), 3)
    page.set_usable_speed(50)
    qtbot.waitUntil(lambda: not page.busy() and "Nothing reaches" in page.answer.text(), timeout=10_000)
    assert ("Nothing reaches the usable speed (50 tok/s) here: the fastest model that fits, 1B Q2_K, makes ~32 tok/s."
            in page.answer.text())  # fmt: skip
    assert _cell(page, "1B", "Q2_K").startswith("CPU · slow\n")
    assert "under the usable 50 tok/s" in page.legend.text()
