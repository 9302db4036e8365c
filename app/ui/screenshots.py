"""Docs-ready screenshots of the main window, taken offscreen with a fake machine so they look the same everywhere.

The Library shot shows the demo model (when its package is installed) and the well-known models of screenshot_models:
real headers over empty data, so nothing large is written.

Run: `QT_QPA_PLATFORM=offscreen python -m app.ui.screenshots OUT_DIR` (what `make screenshots` does).
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)

WINDOW_SIZE = (1280, 860)
TIMEOUT_MS = 20_000


def _desktop_24gb():  # type: ignore[no-untyped-def]
    """The RTX 4090 workstation of the test fixtures, so the docs show a machine with a GPU."""
    from hardware.report import CpuInfo, GiB, GpuInfo, GpuVendor, HardwareReport

    flags = frozenset({"avx", "avx2", "fma", "f16c", "avx512f", "avx512_vnni", "avx512_bf16"})
    return HardwareReport(
        os="Linux 6.8 (Ubuntu 24.04)",
        cpu=CpuInfo("AMD Ryzen 9 7950X 16-Core Processor", 16, 32, "x86_64", flags),
        ram_total=64 * GiB,
        ram_available=56 * GiB,
        gpus=(
            GpuInfo(
                name="NVIDIA GeForce RTX 4090",
                vendor=GpuVendor.NVIDIA,
                vram_total=24 * GiB,
                vram_free=23 * GiB + GiB // 2,
                driver="550.107.02",
                compute_capability="8.9",
                bandwidth=1008e9,
            ),
        ),
        disk_free=1500 * GiB,
        cpu_bandwidth=70e9,
    )


def _wait(app: object, done: Callable[[], bool]) -> None:
    from PySide6.QtCore import QDeadlineTimer, QEventLoop, QThread
    from PySide6.QtWidgets import QApplication

    assert isinstance(app, QApplication)
    deadline = QDeadlineTimer(TIMEOUT_MS)
    while not done():
        if deadline.hasExpired():
            raise TimeoutError("the window did not finish loading")
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        QThread.msleep(10)


def _settle(app: object, ms: int = 300) -> None:
    """Let posted layout passes run: wrapped labels in a scroll area take a few to reach their final heights."""
    from PySide6.QtCore import QDeadlineTimer, QEventLoop, QThread
    from PySide6.QtWidgets import QApplication

    assert isinstance(app, QApplication)
    deadline = QDeadlineTimer(ms)
    while not deadline.hasExpired():
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        QThread.msleep(10)


def save_screenshots(out_dir: Path) -> list[Path]:
    """Save PNGs of the main window (Hardware page, fake RTX 4090 desktop) into `out_dir`; returns their paths.

    Uses a throwaway data dir (unless MODELWERK_HOME is set) so the window opens at its default size and position.
    """
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    own_home = None
    if "MODELWERK_HOME" not in os.environ:
        own_home = tempfile.TemporaryDirectory(prefix="modelwerk-screenshots-")
        os.environ["MODELWERK_HOME"] = own_home.name
    try:
        return _take(out_dir)
    finally:
        if own_home is not None:
            del os.environ["MODELWERK_HOME"]
            own_home.cleanup()


def _fill_library(models_dir: Path) -> int:
    """The demo model first (as on a first start), then the screenshot models; returns the id to show in the details."""
    from app import paths
    from app.library.catalog import Catalog
    from app.library.demo import ensure_demo_model
    from app.store import Store
    from app.ui.screenshot_models import populate

    with Store.open(paths.database_path()) as store:
        ensure_demo_model(models_dir, Catalog(store))
    return populate(models_dir)[0]


def _take(out_dir: Path) -> list[Path]:
    from PySide6.QtCore import QCoreApplication, QEvent, QThreadPool

    from app.settings import Settings
    from app.ui.app import create_app
    from app.ui.main_window import MainWindow
    from hardware.report import GiB
    from hardware.usage import Usage

    app = create_app([])
    out_dir.mkdir(parents=True, exist_ok=True)
    settings = Settings()
    shown_id = _fill_library(settings.models_dir)
    window = MainWindow(settings, report=_desktop_24gb())
    window.resize(*WINDOW_SIZE)
    window.show()
    page = window.hardware_page
    _wait(app, lambda: page.model.rowCount() > 0 and not page.busy())
    # The status bar shows this machine's live use; the docs show figures that match the fake desktop instead.
    window.usage.stop()
    usage = Usage(cpu_percent=7.0, ram_used=8 * GiB, ram_total=64 * GiB, vram_used=GiB // 2, vram_total=24 * GiB)
    saved = []

    def grab(name: str) -> None:
        _settle(app)
        window.usage.show_usage(usage)  # after any sample of this machine still queued from before stop()
        path = out_dir / name
        if not window.grab().save(str(path)):
            raise OSError(f"could not write {path}")
        saved.append(path)
        log.info("saved %s", path)

    grab("hardware.png")
    # The same page scrolled to the calculator, which the first shot cannot show at this window size.
    page.verticalScrollBar().setValue(page.verticalScrollBar().maximum())
    grab("hardware-calculator.png")

    library = window.library_page
    window.show_page(library)
    _wait(app, lambda: library.select(shown_id))
    details = library.details
    _wait(app, lambda: not library.busy() and details.details() is not None and bool(details.details().tensors))  # type: ignore[union-attr]
    details.tensors.expandItem(details.tensors.topLevelItem(1))  # unfold the smaller group: the tensor list itself
    grab("library.png")
    window.close()
    QThreadPool.globalInstance().waitForDone(5000)
    # Delete it here, on this thread: left to the garbage collector, a pool thread could end up destroying it.
    window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    return saved


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m app.ui.screenshots OUT_DIR", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    for path in save_screenshots(Path(args[0])):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
