"""discover.png, discover-download.png, discover-original.png: illustrations, each with a caption band.

There is no Hugging Face here, so the window talks to the test suite's local hub (tests/fakehub, importable from a source
checkout): Llama 3.1 8B repositories modelled on the real ones, whose files are real GGUF headers computed from the
model's shape over empty data. The fit badges are this machine's real estimates from those headers; the download and
like counts, dates and model cards are invented; the download runs from the local hub, throttled.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelectionModel

from app.hub.download_rows import DownloadState
from app.settings import Settings
from app.ui.common.i18n import translate
from app.ui.discover.results_model import RESULT_ROLE
from app.ui.main_window import MainWindow
from hardware.report import HardwareReport
from tools.screenshots.camera import Camera, close_window, open_window

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
CAPTIONS = {
    "en": "Illustration: a local test Hub stands in for Hugging Face (no internet here). Its files carry Llama 3.1 8B's "
          "real shape and sizes, judged for this machine; download and like counts, dates and model cards are invented.",
    "de": "Illustration: ein lokaler Test-Hub vertritt Hugging Face (hier gibt es kein Internet). Seine Dateien haben "
          "die echte Form und Größe von Llama 3.1 8B, beurteilt für diesen Rechner; Download- und Like-Zahlen, Daten "
          "und Modellkarten sind erfunden.",
}  # fmt: skip
DOWNLOAD_CAPTIONS = {
    "en": " The download comes from the local Hub, throttled to 38 MiB/s.",
    "de": " Der Download kommt vom lokalen Hub, gedrosselt auf 38 MiB/s.",
}
"""Added to the caption of the picture with a download in progress."""
DISCOVER_QUERY = "Llama-3.1-8B"
DISCOVER_REPO = "bartowski/Meta-Llama-3.1-8B-Instruct-GGUF"
DOWNLOAD_FILE = "Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf"
ORIGINAL_REPO = "meta-llama/Llama-3.1-8B-Instruct"
DOWNLOAD_RATE = 38 << 20  # bytes/s: slow enough to catch the download in progress


def start_fake_hub() -> Any | None:
    """The Llama 3.1 8B landscape of tests/fakehub on 127.0.0.1, or None when the test suite is not here."""
    tests = ROOT / "tests"
    if not (tests / "fakehub").is_dir():
        return None
    if str(tests) not in sys.path:
        sys.path.insert(0, str(tests))
    try:
        from fakehub import FakeHub
        from fakehub.llama8b import llama8b_landscape
    except ImportError as e:
        log.warning("no Discover screenshots: the fake hub cannot be imported (%s)", e)
        return None
    hub = FakeHub()
    llama8b_landscape(hub)
    return hub.start()


def discover_shots(camera: Camera, report: HardwareReport) -> None:
    """A window whose Settings point at the local hub (and that is given this machine's report, probed and measured
    by the first window), for these pictures only."""
    hub = start_fake_hub()
    if hub is None:
        return
    from fakehub.server import TEST_TOKEN

    token = os.environ.get("HF_TOKEN")
    os.environ["HF_TOKEN"] = TEST_TOKEN  # the local hub's token, with access to its gated repository
    window = open_window(Settings(hf_endpoint=hub.url), report=report)
    try:
        _shots(window, camera, hub)
    finally:
        close_window(window)
        hub.stop()
        if token is None:
            os.environ.pop("HF_TOKEN", None)
        else:
            os.environ["HF_TOKEN"] = token


def _shots(window: MainWindow, camera: Camera, hub: Any) -> None:
    from fakehub import Fault

    page = window.discover_page
    window.show_page(page)
    page.query.setText(DISCOVER_QUERY)
    page.search()
    camera.wait(lambda: not page.busy() and page.results.rowCount() > 0, what="the search")
    row = page.results.row_of(DISCOVER_REPO)
    flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
    page.table.selectionModel().setCurrentIndex(page.results.index(row, 0), flags)
    assert page.results.index(row, 0).data(RESULT_ROLE) is not None
    repo = page.repo
    camera.wait(lambda: not page.busy() and repo.details is not None and repo.best.isVisible(), what="the repository")
    camera.grab("discover.png", caption=CAPTIONS[camera.language], widget=window)

    hub.set_fault(DISCOVER_REPO, DOWNLOAD_FILE, Fault(slow_bytes_per_s=DOWNLOAD_RATE))
    button = repo.button(repo.model.row_of(DOWNLOAD_FILE))
    assert button is not None
    button.click()
    panel = page.downloads

    def downloading() -> bool:
        rows = panel.model.downloads()
        return bool(rows) and rows[0].state is DownloadState.RUNNING and rows[0].done_bytes > 300 << 20

    camera.wait(downloading, what="the download")
    panel.table.selectRow(0)
    camera.grab("discover-download.png", caption=CAPTIONS[camera.language] + DOWNLOAD_CAPTIONS[camera.language],
                widget=window)  # fmt: skip
    download = panel.model.downloads()[0]
    window.download_queue.cancel(download.id)  # nothing of the local hub's file stays in the Library

    # An original repository, with the ready-made quantization that fits this machine.
    panel.set_expanded(False)
    page.table.selectionModel().setCurrentIndex(page.results.index(page.results.row_of(ORIGINAL_REPO), 0), flags)
    looking = translate("Discover", "Looking for ready-made quantizations of this model…")  # in the window's language
    camera.wait(lambda: not page.busy() and repo.details is not None and repo.details.repo_id == ORIGINAL_REPO
                and repo.recommendation.text() != looking, what="the original repository")  # fmt: skip
    camera.grab("discover-original.png", caption=CAPTIONS[camera.language], widget=window)
