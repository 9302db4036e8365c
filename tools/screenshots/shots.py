"""Docs-ready screenshots of the main window, taken offscreen with a fake machine so they look the same everywhere.

The Library shot shows the demo model (when its package is installed) and the well-known models of models.py:
real headers over empty data, so nothing large is written. The Discover shots need the fake hub of the test suite
(tests/fakehub, importable from a source checkout): its virtual Llama 3.1 8B repositories have realistic sizes and headers.

Run: `QT_QPA_PLATFORM=offscreen python -m tools.screenshots OUT_DIR` (what `make screenshots` does).
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from hardware.report import HardwareReport

log = logging.getLogger(__name__)

WINDOW_SIZE = (1280, 860)
TIMEOUT_MS = 20_000
ROOT = Path(__file__).resolve().parents[2]
DISCOVER_QUERY = "Llama-3.1-8B"
DISCOVER_REPO = "bartowski/Meta-Llama-3.1-8B-Instruct-GGUF"
DOWNLOAD_FILE = "Meta-Llama-3.1-8B-Instruct-Q6_K.gguf"
ORIGINAL_REPO = "meta-llama/Llama-3.1-8B-Instruct"
DOWNLOAD_RATE = 38 << 20  # bytes/s: a plausible fast home connection, slow enough to catch it in progress


class FakeHubServer(Protocol):
    """What the shots use of tests/fakehub's FakeHub, which is imported at run time from the source checkout."""

    @property
    def url(self) -> str: ...

    def stop(self) -> None: ...

    def set_fault(self, repo_id: str, path: str | None, fault: object) -> None: ...


def _desktop_24gb() -> HardwareReport:
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
    from tools.screenshots.models import populate

    with Store.open(paths.database_path()) as store:
        ensure_demo_model(models_dir, Catalog(store))
    return populate(models_dir)[0]


def _start_fake_hub() -> FakeHubServer | None:
    """The demo Llama 3.1 8B landscape of tests/fakehub on 127.0.0.1, or None when the test suite is not here."""
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
    server: FakeHubServer = hub.start()
    return server


def _take(out_dir: Path) -> list[Path]:
    hub = _start_fake_hub()
    old_endpoint = os.environ.get("HF_ENDPOINT")
    if hub is not None:
        os.environ["HF_ENDPOINT"] = hub.url  # read by Settings(): the window's hub client talks to the fake hub
    try:
        return _take_all(out_dir, hub)
    finally:
        if hub is not None:
            hub.stop()
            if old_endpoint is None:
                os.environ.pop("HF_ENDPOINT", None)
            else:
                os.environ["HF_ENDPOINT"] = old_endpoint


def _take_all(out_dir: Path, hub: FakeHubServer | None) -> list[Path]:
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

    def tensors_shown() -> bool:
        shown = details.details()
        return not library.busy() and shown is not None and bool(shown.tensors)

    _wait(app, tensors_shown)
    group = details.tensors.topLevelItem(1)  # unfold the smaller group: the tensor list itself
    assert group is not None
    details.tensors.expandItem(group)
    grab("library.png")
    if hub is not None:
        _discover_shots(app, window, hub, grab)
    from tools.screenshots.jobs import jobs_shots, write_dialog_shot

    saved.append(write_dialog_shot(window, out_dir / "quantize-dialog.png", lambda done: _wait(app, done)))
    jobs_shots(window, grab, lambda done: _wait(app, done))
    _chat_shot(window, shown_id, grab)
    window.close()
    QThreadPool.globalInstance().waitForDone(5000)
    # Delete it here, on this thread: left to the garbage collector, a pool thread could end up destroying it.
    window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    return saved


CHAT_QUESTION = "A bat and a ball cost $1.10 together. The bat costs $1.00 more than the ball. What does the ball cost?"
CHAT_THINKING = (
    "The intuitive answer is 10 cents, but then the bat would cost $1.10 and the total $1.20. "
    "Let the ball cost x. The bat costs x + 1.00, so 2x + 1.00 = 1.10, which gives x = 0.05."
)
CHAT_ANSWER = (
    "The ball costs **5 cents** and the bat **$1.05**.\n\nCheck it in Python:\n\n"
    "```python\nball = 0.05\nbat = ball + 1.00\nprint(round(ball + bat, 2))  # 1.1\n```"
)


def _chat_shot(window: object, model_id: int, grab: Callable[[str], None]) -> None:
    """chat.png: a staged conversation (no model runs) with a folded thinking block, one unfolded, and answer stats."""
    from app.chat.messages import AnswerStats, ReasoningMode, Role
    from app.chat.sessions import local_model_key
    from app.ui.chat.backends import read_local_model
    from app.ui.main_window import MainWindow

    assert isinstance(window, MainWindow)
    page = window.chat_page
    entry = window.catalog.get(model_id)
    try:
        page.backends.remember(read_local_model(entry))
    except Exception as e:  # the shot works without the template: only the reasoning labels differ
        log.warning("chat screenshot without the model's template: %s", e)
    sessions = window.conversations
    key = local_model_key(model_id)
    old = sessions.create(key)
    sessions.add_message(old.id, Role.USER, "Name three uses of a GGUF file's metadata.")
    conversation = sessions.create(key, reasoning=ReasoningMode.PROMPTED)
    sessions.add_message(conversation.id, Role.USER, "What is 17 × 23?")
    stats = AnswerStats(prompt_tokens=52, answer_tokens=18, thinking_tokens=41, ttft_s=0.21, tokens_per_s=48.3,
                        elapsed_s=1.4, thinking_s=0.8, finish_reason="stop")  # fmt: skip
    sessions.add_message(conversation.id, Role.ASSISTANT, "17 × 23 = **391**.",
                         thinking="17 × 20 = 340 and 17 × 3 = 51; 340 + 51 = 391.", stats=stats)  # fmt: skip
    sessions.add_message(conversation.id, Role.USER, CHAT_QUESTION)
    stats = AnswerStats(prompt_tokens=131, answer_tokens=64, thinking_tokens=58, ttft_s=0.24, tokens_per_s=47.9,
                        elapsed_s=2.9, thinking_s=1.2, finish_reason="stop")  # fmt: skip
    last = sessions.add_message(conversation.id, Role.ASSISTANT, CHAT_ANSWER, thinking=CHAT_THINKING, stats=stats)
    window.show_page(page)
    page.refresh()
    pane = page.open_conversation(conversation.id)
    pane.view.set_expanded(last.id, True)
    pane.input.setPlainText("And if the bat cost $2.00 more?")
    page.select("conversation", conversation.id)
    grab("chat.png")


def _discover_shots(app: object, window: object, hub: FakeHubServer, grab: Callable[[str], None]) -> None:
    """discover.png: a repository open with its fit badges; discover-download.png: a download in progress;
    discover-original.png: an original repository, ready-made or self-made."""
    from fakehub import Fault
    from PySide6.QtCore import QItemSelectionModel

    from app.hub.download_rows import DownloadState
    from app.ui.discover.results_model import RESULT_ROLE
    from app.ui.main_window import MainWindow

    assert isinstance(window, MainWindow)
    page = window.discover_page
    window.show_page(page)
    page.query.setText(DISCOVER_QUERY)
    page.search()
    _wait(app, lambda: not page.busy() and page.results.rowCount() > 0)
    row = page.results.row_of(DISCOVER_REPO)
    flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
    page.table.selectionModel().setCurrentIndex(page.results.index(row, 0), flags)
    assert page.results.index(row, 0).data(RESULT_ROLE) is not None
    repo = page.repo
    _wait(app, lambda: not page.busy() and repo.details is not None and repo.best.isVisible())
    grab("discover.png")

    hub.set_fault(DISCOVER_REPO, DOWNLOAD_FILE, Fault(slow_bytes_per_s=DOWNLOAD_RATE))
    button = repo.button(repo.model.row_of(DOWNLOAD_FILE))
    assert button is not None
    button.click()
    panel = page.downloads

    def downloading() -> bool:
        rows = panel.model.downloads()
        return bool(rows) and rows[0].state is DownloadState.RUNNING and rows[0].done_bytes > 300 << 20

    _wait(app, downloading)
    panel.table.selectRow(0)
    grab("discover-download.png")
    window.download_queue.pause(panel.model.downloads()[0].id)  # its partial file goes with the throwaway data dir

    # discover-original.png: Meta's original, with the ready-made quantization that fits this machine.
    panel.set_expanded(False)
    page.table.selectionModel().setCurrentIndex(page.results.index(page.results.row_of(ORIGINAL_REPO), 0), flags)
    _wait(app, lambda: not page.busy() and repo.details is not None and repo.details.repo_id == ORIGINAL_REPO
          and "Looking" not in repo.recommendation.text())  # fmt: skip
    grab("discover-original.png")


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m tools.screenshots OUT_DIR", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    for path in save_screenshots(Path(args[0])):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
