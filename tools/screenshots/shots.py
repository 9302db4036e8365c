"""Docs-ready screenshots of the main window on this machine, taken offscreen in a throwaway data folder.

Everything in them is real except where a band drawn into the picture says otherwise: the Hardware page shows this
machine's probe and a memory bandwidth measured during the run; the Library holds the demo models (Gemma 3 270M, SmolLM2
135M Instruct) and what the run's own quantize jobs made of Gemma; the Jobs pictures show those jobs and their
evaluations; the chat is a conversation with SmolLM2 in a real llama-server. Two kinds of picture are illustrations, and
each carries a caption band saying so: Discover (there is no Hugging Face here, so the test suite's local hub stands in:
tests/fakehub, importable from a source checkout) and hardware-gpu.png (a GPU machine's injected report).

Run: `QT_QPA_PLATFORM=offscreen python -m tools.screenshots OUT_DIR [--language de] [--only GROUP,...]` (what `make
screenshots` does: the English set into docs/, the German one of the main pages into docs/de/).
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import time
from collections.abc import Callable, Collection
from pathlib import Path

from app.library.catalog import CatalogEntry
from app.settings import Settings
from app.ui.common.i18n import translate
from app.ui.main_window import DEMO_SOURCE_PREFIX, MainWindow
from tools.screenshots.camera import Camera, close_window, open_window
from tools.screenshots.chat import chat_shot
from tools.screenshots.chat_documents import chat_documents_shot
from tools.screenshots.dialogs import dialog_shots
from tools.screenshots.discover import discover_shots
from tools.screenshots.documents import documents_shot
from tools.screenshots.gpu import gpu_shot
from tools.screenshots.jobs import jobs_shots

log = logging.getLogger(__name__)

MEASURE_TIMEOUT_MS = 480_000
"""The probe measures llama.cpp's kernels on a fresh data folder: ~15-20 s on an idle 2-core machine, minutes on a busy
one."""
DEMO_TIMEOUT_MS = 120_000
STEPS = ("hardware", "dialogs", "chat", "jobs", "documents", "chat-documents", "discover", "gpu")
"""The groups of pictures, in the order they are taken; `only` picks some (the jobs group takes minutes)."""


def save_screenshots(out_dir: Path, *, only: Collection[str] = STEPS, language: str = "en") -> list[Path]:
    """Save PNGs of the main window into `out_dir`, its interface in `language` ("en", "de"); returns their paths in the
    order taken.

    Uses a throwaway data folder (unless MODELWERK_HOME is set), so the window opens at its default size, with the demo
    models only, and measures this machine's memory bandwidth afresh.
    """
    unknown = set(only) - set(STEPS)
    if unknown:
        raise ValueError(f"unknown screenshot groups: {', '.join(sorted(unknown))}")
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    own_home = None
    if "MODELWERK_HOME" not in os.environ:
        own_home = tempfile.TemporaryDirectory(prefix="modelwerk-screenshots-")
        os.environ["MODELWERK_HOME"] = own_home.name
    try:
        return _take(out_dir, only, language)
    finally:
        if own_home is not None:
            del os.environ["MODELWERK_HOME"]
            own_home.cleanup()


def _take(out_dir: Path, only: Collection[str], language: str) -> list[Path]:
    from app.ui.app import create_app
    from app.ui.common import i18n

    app = create_app([])
    i18n.install(language)  # before the window: its texts are translated as it is built
    out_dir.mkdir(parents=True, exist_ok=True)
    # No report given: the window probes this machine and measures its memory bandwidth, as on a first start.
    window = open_window(Settings(), demo=True)
    camera = Camera(app, window, out_dir, language=language)
    try:
        _wait_for_this_machine(window, camera)
        report = window.hardware_page.hardware()
        steps: dict[str, Callable[[MainWindow, Camera], None]] = {
            "hardware": _hardware_shots, "dialogs": dialog_shots, "chat": chat_shot, "jobs": jobs_shots,
            "documents": documents_shot, "chat-documents": chat_documents_shot,  # the second attaches the first's collection
        }  # fmt: skip
        for name, step in steps.items():
            if name in only:
                started = time.monotonic()
                step(window, camera)
                log.info("%s: %.0f s", name, time.monotonic() - started)
    finally:
        close_window(window)
    if "discover" in only:  # a window of its own, whose Settings point at the local hub (see discover.py)
        assert report is not None
        discover_shots(camera, report)
    if "gpu" in only:  # an injected report, in a window of its own (see gpu.py)
        gpu_shot(camera)
    return camera.saved


def _wait_for_this_machine(window: MainWindow, camera: Camera) -> None:
    """The probe, the bandwidth measurement and the demo models: what a first start prepares."""
    page = window.hardware_page

    measuring = translate("Hardware", "measuring…")  # in the window's language

    def measured() -> bool:  # the summary says "measuring…" until the measurement is in
        shown = page.hardware() is not None and page.summary.bandwidth_label.text() != measuring
        return shown and not page.busy() and page.model.rowCount() > 0

    camera.wait(measured, timeout_ms=MEASURE_TIMEOUT_MS, what="the probe and the bandwidth measurement")
    expected = _installed_demos()
    camera.wait(lambda: len(_demo_entries(window)) >= expected and not window.library_page.busy(),
                timeout_ms=DEMO_TIMEOUT_MS, what="the demo models")  # fmt: skip


def _installed_demos() -> int:
    """How many demo models the first start sets up here (their packages are installed)."""
    import importlib.util

    from app.library.demo import DEMO_PACKAGE, instruct_model_file

    return int(importlib.util.find_spec(DEMO_PACKAGE) is not None) + int(instruct_model_file() is not None)


def _demo_entries(window: MainWindow) -> list[CatalogEntry]:
    """The demo models in the window's Library."""
    return [e for e in window.catalog.entries() if e.source.startswith(DEMO_SOURCE_PREFIX)]


def _hardware_shots(window: MainWindow, camera: Camera) -> None:
    """hardware.png: this machine's page; hardware-calculator.png: the same page scrolled to the calculator."""
    page = window.hardware_page
    window.show_page(page)
    page.verticalScrollBar().setValue(0)
    camera.grab("hardware.png")
    page.verticalScrollBar().setValue(page.verticalScrollBar().maximum())
    camera.grab("hardware-calculator.png")
    page.verticalScrollBar().setValue(0)


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m tools.screenshots")
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--language", choices=("en", "de"), default="en")
    parser.add_argument("--only", help=f"comma-separated groups of {', '.join(STEPS)}")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    only = tuple(args.only.split(",")) if args.only else STEPS
    if unknown := set(only) - set(STEPS):
        parser.error(f"unknown screenshot groups: {', '.join(sorted(unknown))}")
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request to the local hub otherwise
    for path in save_screenshots(args.out_dir, only=only, language=args.language):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
