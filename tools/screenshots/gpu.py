"""hardware-gpu.png: an illustration, with a caption band. These machines have no GPU, so the Hardware page is shown
for an injected report: the test suite's RTX 4060 laptop (tests/fixtures/hardware_reports.py) with a CUDA build of
llama.cpp. Its memory bandwidth is a given figure, and the page says so ("given, not measured on this machine")."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

from app.settings import Settings
from tools.screenshots.camera import Camera, close_window, open_window

ROOT = Path(__file__).resolve().parents[2]
CAPTION = ("Illustration: simulated hardware. No GPU here: the page is given a report of an RTX 4060 laptop and a CUDA "
           "build of llama.cpp; nothing in this picture was measured.")  # fmt: skip


def gpu_shot(camera: Camera) -> None:
    tests = ROOT / "tests"
    if not (tests / "fixtures").is_dir():
        return
    if str(tests) not in sys.path:
        sys.path.insert(0, str(tests))
    from fixtures.hardware_reports import laptop_8gb_nvidia

    report = dataclasses.replace(laptop_8gb_nvidia(), llama_backends=("CPU", "CUDA"))
    window = open_window(Settings(), report=report)
    try:
        page = window.hardware_page
        window.show_page(page)
        camera.wait(lambda: not page.busy() and page.model.rowCount() > 0, what="the simulated Hardware page")
        window.usage.stop()  # the status bar shows this machine's use: not under another machine's page
        for label in (window.usage.cpu, window.usage.ram, window.usage.vram):
            label.hide()
        window.statusBar().clearMessage()
        camera.grab("hardware-gpu.png", caption=CAPTION, widget=window)
    finally:
        close_window(window)
