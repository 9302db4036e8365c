"""The Hardware page as a user sees it, with injected hardware reports."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fixtures.hardware_reports import cpu_only, desktop_24gb, laptop_8gb_nvidia
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QPixmap
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from app.machine import bandwidth_cache_file
from app.settings import Settings
from app.ui.hardware.advice_model import AdviceModel
from app.ui.hardware.page import HardwarePage
from app.ui.main_window import MainWindow
from hardware.fit import Placement
from hardware.shape import parse_params, shape_for_params
from tools.screenshots.camera import CAPTION_COLOR, captioned
from tools.screenshots.shots import save_screenshots


def _page(qtbot: QtBot, report: object) -> HardwarePage:
    page = HardwarePage(report)  # type: ignore[arg-type]
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: not page.busy() and page.model.rowCount() == 8, timeout=10_000)
    return page


def _cell(page: HardwarePage, size: str, quant: str) -> str:
    table = page.model.table()
    assert table is not None
    index = page.model.index(table.sizes.index(size), table.quants.index(quant))
    return str(page.model.data(index))


def test_shows_the_injected_machine(qtbot: QtBot) -> None:
    page = _page(qtbot, laptop_8gb_nvidia())
    texts = " ".join(w.text() for w in page.summary.findChildren(type(page.status)))
    assert laptop_8gb_nvidia().gpus[0].name in texts
    assert "AVX2" in texts
    assert "GB/s read (given, not measured on this machine)" in texts  # an injected figure is never "measured"
    assert not page.summary.measure_button.isVisibleTo(page)


def test_table_verdicts_on_the_8_gb_laptop(qtbot: QtBot) -> None:
    page = _page(qtbot, laptop_8gb_nvidia())
    assert _cell(page, "70B", "F16").startswith("✗ does not fit\nneeds ")
    assert _cell(page, "7B", "Q4_K_M").startswith("GPU\n")
    assert re.match(r"\d+/64 GPU · slow\n~1\.\d tok/s · \d+k ctx", _cell(page, "32B", "Q4_K_M"))  # under 5 tok/s
    assert "rather than" in page.answer.text()


def test_changing_the_context_recomputes_the_table(qtbot: QtBot) -> None:
    page = _page(qtbot, laptop_8gb_nvidia())
    before = {(s, q): _cell(page, s, q) for s in ("7B", "8B", "13B") for q in ("F16", "Q4_K_M")}
    page.context.setCurrentIndex(page.context.findData(131072))
    qtbot.waitUntil(lambda: not page.busy() and "131,072" in page.status.text(), timeout=10_000)
    after = {key: _cell(page, *key) for key in before}
    assert after != before
    table = page.model.table()
    assert table is not None and table.context == 131072


def test_calculator_on_the_desktop(qtbot: QtBot) -> None:
    page = _page(qtbot, desktop_24gb())
    calc = page.calculator
    calc.model_size.setCurrentText("7B")
    calc.quant.setCurrentText("Q4_K_M")
    assert "Full GPU" in calc.verdict.text()
    assert calc.vram_bar.isVisible()
    calc.model_size.setCurrentText("70B")
    calc.quant.setCurrentText("F16")
    assert "Does not fit" in calc.verdict.text()
    calc.gpu_layers.setValue(0)
    calc.model_size.setCurrentText("1B")
    assert "CPU only" in calc.verdict.text()


def test_invalid_size_shows_one_line_error(qtbot: QtBot) -> None:
    page = _page(qtbot, cpu_only())
    calc = page.calculator
    calc.model_size.setCurrentText("huge")
    assert calc.error.isVisible()
    assert "write it like 7B" in calc.error.text()
    assert not calc.result.isEnabled()  # the last valid result stays, greyed
    calc.model_size.setCurrentText("9B")
    assert not calc.error.isVisible() and calc.result.isEnabled()
    assert "CPU only" in calc.verdict.text()
    assert not calc.vram_bar.isVisible()


def test_clicking_a_cell_loads_it_into_the_calculator(qtbot: QtBot) -> None:
    page = _page(qtbot, desktop_24gb())
    table = page.model.table()
    assert table is not None
    index = page.model.index(table.sizes.index("32B"), table.quants.index("Q5_K_M"))
    page.table.clicked.emit(index)
    assert page.calculator.model_size.currentText() == "32B"
    assert page.calculator.quant.currentText() == "Q5_K_M"
    assert page.model.report(index).placement is not Placement.DOES_NOT_FIT  # type: ignore[union-attr]


def test_advice_model_passes_qt_model_checks(qtbot: QtBot, qtmodeltester: object) -> None:
    page = _page(qtbot, desktop_24gb())
    qtmodeltester.check(page.model)  # type: ignore[attr-defined]
    qtmodeltester.check(AdviceModel())  # type: ignore[attr-defined]


def test_main_window_opens_on_hardware_with_live_status_and_remembers_geometry(qtbot: QtBot) -> None:
    window = MainWindow(Settings(), report=desktop_24gb())
    qtbot.addWidget(window)
    window.show()
    assert window.sidebar.item(0).text() == "Hardware"
    assert not window.sidebar.item(0).icon().isNull()
    assert window.pages.currentWidget() is window.hardware_page
    qtbot.waitUntil(lambda: window.usage.cpu.text().startswith("CPU "), timeout=5000)
    assert "RAM" in window.usage.ram.text()
    window.resize(720, 540)  # the offscreen screen is 800 x 600: restoreGeometry clamps to it
    window.close()
    qtbot.waitUntil(lambda: not window.hardware_page.busy(), timeout=10_000)
    again = MainWindow(Settings(), report=desktop_24gb())
    qtbot.addWidget(again)
    assert (again.width(), again.height()) == (720, 540)
    again.close()


@pytest.mark.timeout(600)  # two full measurements (bandwidth, kernels, decode costs): minutes on a busy machine
def test_probes_the_real_machine_when_no_report_is_injected(qtbot: QtBot) -> None:
    page = HardwarePage()
    qtbot.addWidget(page)
    # A fresh data folder: the bandwidth and llama.cpp's kernels are measured (minutes on a busy 2-core machine).
    qtbot.waitUntil(lambda: page.hardware() is not None and page.hardware().cpu_bandwidth > 0, timeout=240_000)  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: not page.busy() and page.model.rowCount() == 8, timeout=10_000)
    label = page.summary.bandwidth_label
    # "just now", or minutes ago when llama.cpp's kernels (measured after it) took that long on a busy machine
    assert re.fullmatch(r"\d+\.\d GB/s read, measured (just now|\d+ min ago)( on a busy machine: .*)?", label.text()), \
        label.text()  # fmt: skip
    # llama.cpp's kernels, measured here: the CPU speed estimates rest on them.
    assert dict(page.hardware().cpu_kernels).keys() >= {"F16", "Q4_K", "Q6_K", "Q8_0"}  # type: ignore[union-attr]
    kernels = page.summary.kernels_label.text()
    assert re.search(r"Q4_K \d+\.\d.*; \d+ threads, measured (just now|\d+ min ago)", kernels), kernels
    # "Measure again" replaces the cached figure with a new measurement (the cache file's time moves on).
    cache = bandwidth_cache_file()
    before = cache.read_text()
    page.show()
    assert page.summary.measure_button.isVisibleTo(page)
    qtbot.mouseClick(page.summary.measure_button, Qt.MouseButton.LeftButton)
    assert page.summary.bandwidth_label.text() == "measuring…"
    qtbot.waitUntil(lambda: page.summary.bandwidth_label.text() != "measuring…" and not page.busy(), timeout=240_000)
    assert re.search(r"measured (just now|\d+ min ago)", page.summary.bandwidth_label.text()) and cache.read_text() != before


def test_kernel_rates_that_came_with_the_report_are_not_called_measured(qtbot: QtBot) -> None:
    page = _page(qtbot, cpu_only(cpu_kernels=(("Q4_K", 7.04e9), ("Q8_0", 6e9), ("IQ2_XXS", 1e9))))
    assert page.summary.kernels_label.text() == (
        "GB/s of weights per matrix × vector: Q4_K 7.0 · Q8_0 6.0 (given, not measured on this machine)"
    )


def test_the_age_of_a_measurement_reads_as_people_say_it() -> None:
    from datetime import datetime, timedelta, timezone

    from app.ui.hardware.machine_summary import age_text

    now = datetime(2026, 12, 6, 12, 0, tzinfo=timezone.utc)
    ages = [timedelta(seconds=30), timedelta(minutes=12), timedelta(hours=3), timedelta(days=5)]
    assert [age_text(now - a, now) for a in ages] == ["just now", "12 min ago", "3 h ago", "5 days ago"]


def test_cells_and_headers_explain_themselves(qtbot: QtBot) -> None:
    page = _page(qtbot, laptop_8gb_nvidia())
    table = page.model.table()
    assert table is not None
    cell = page.model.index(table.sizes.index("8B"), table.quants.index("Q4_K_M"))
    tip = page.model.data(cell, Qt.ItemDataRole.ToolTipRole)
    report = page.model.report(cell)
    assert report is not None and report.reason in tip
    assert "weights" in tip and "KV cache" in tip
    row_tip = page.model.headerData(table.sizes.index("70B"), Qt.Orientation.Vertical, Qt.ItemDataRole.ToolTipRole)
    assert "Llama-3.1-70B" in row_tip
    column_tip = page.model.headerData(table.quants.index("Q4_K_M"), Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    assert "bits per weight" in column_tip


def test_a_report_without_bandwidth_says_not_measured_and_cpu_only_has_no_gpu_layers(qtbot: QtBot) -> None:
    page = _page(qtbot, cpu_only(cpu_bandwidth=0.0))
    texts = " ".join(w.text() for w in page.summary.findChildren(QLabel))
    assert "not measured" in texts and "None found" in texts
    assert page.summary.kernels_label.text().startswith("not measured: CPU speed estimates use the memory bandwidth")
    assert not page.calculator.gpu_layers.isEnabled()
    assert "speed unknown" in page.calculator.details.text()


def test_set_shape_uses_the_models_own_quantization(qtbot: QtBot) -> None:
    page = _page(qtbot, desktop_24gb())
    calc = page.calculator
    shape = shape_for_params(parse_params("9B"), "Q5_K_M")
    calc.set_shape(shape)
    assert calc.model_size.currentText() == shape.name
    assert calc.quant.currentText() == "Q5_K_M" and not calc.quant.isEnabled()
    assert shape.name in calc.verdict.text()
    calc.model_size.setCurrentText("3B")
    assert calc.quant.isEnabled()
    assert "3B" in calc.verdict.text()


@pytest.mark.timeout(600)  # the real machine's first measurement (bandwidth, kernels, decode costs): minutes when busy
def test_screenshots_of_this_machine_are_written(qtbot: QtBot, tmp_path: Path) -> None:
    # The quick groups only: the chat and the jobs run a real model for minutes (`make screenshots` takes them all).
    paths = save_screenshots(tmp_path, only=("hardware", "dialogs"))
    assert [p.name for p in paths] == ["hardware.png", "hardware-calculator.png", "first-run.png", "settings.png"]
    image = QImage(str(paths[0]))
    assert (image.width(), image.height()) == (1280, 860)
    with pytest.raises(ValueError, match="unknown"):
        save_screenshots(tmp_path, only=("hardware", "gpu-farm"))


def test_an_illustration_carries_its_caption_band_below_the_picture(qtbot: QtBot) -> None:
    picture = QPixmap(400, 300)
    picture.fill(QColor("white"))
    out = captioned(picture, "Illustration: simulated hardware").toImage()
    assert out.width() == 400 and out.height() > 300 + 10
    assert out.pixelColor(1, out.height() - 2) == CAPTION_COLOR  # the band, under the unchanged picture
    assert out.pixelColor(1, 299) == QColor("white")


def test_a_gpu_this_llama_cpp_build_cannot_use_gets_cpu_verdicts_and_says_why(qtbot: QtBot) -> None:
    from dataclasses import replace

    report = replace(laptop_8gb_nvidia(), llama_backends=("CPU",))  # a CUDA GPU, a CPU-only build
    page = _page(qtbot, report)
    assert page.summary.backends_label.text().startswith("CPU — CPU: this build of llama.cpp (CPU) cannot use the")
    assert all(not _cell(page, size, "Q4_K_M").startswith(("GPU", "1", "2", "3")) for size in ("1B", "8B"))
    assert _cell(page, "1B", "Q4_K_M").startswith("CPU")


def test_the_answer_shows_this_machines_measured_code_results(qtbot: QtBot) -> None:
    page = _page(qtbot, laptop_8gb_nvidia())
    assert "Library → Evaluate code" in page.answer.text()  # nothing measured yet: says how
    from app.jobs import jobs_db_path
    from quantize.results import ResultStore

    ResultStore(jobs_db_path()).add({"kind": "codeeval", "model": "gemma-3-270m.Q4_0.gguf", "problem_set": "HumanEval",
                                     "problems": 164, "reasoning": "off", "pass_at_1": 0.0122})  # fmt: skip
    page.context.setCurrentIndex((page.context.currentIndex() + 1) % page.context.count())  # recomputes
    qtbot.waitUntil(lambda: "Measured on this machine" in page.answer.text(), timeout=10_000)
    assert "gemma-3-270m.Q4_0.gguf: <b>1.2%</b> of 164 HumanEval problems" in page.answer.text()
