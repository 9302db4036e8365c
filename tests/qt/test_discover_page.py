"""The Discover page as a user sees it, against the fake hub: search, open, fit badges, download, offline, gated."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from fakehub import FakeHub, Fault, closed_port_url
from fakehub.repos import GATED_GGUF, TINY, TINY_GGUF, gated_repo, original_repo, tiny_gguf_repo
from fixtures.hardware_reports import cpu_only, desktop_24gb
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtGui import QColor, QGuiApplication
from pytestqt.qtbot import QtBot

from app.hub.download_rows import DownloadState
from app.hub.files import FileGroup, FileKind, HubFile
from app.settings import Settings
from app.ui.discover.downloads_model import DownloadColumn, DownloadsModel
from app.ui.discover.files_model import BEST_ROLE, FIT_ROLE, PENDING, FileColumn, FilesModel
from app.ui.discover.page import EMPTY_TEXT, DiscoverPage
from app.ui.discover.results_model import ResultColumn, ResultsModel
from app.ui.hardware.advice_model import PLACEMENT_COLORS
from app.ui.main_window import MainWindow
from hardware.fit import Placement

TIMEOUT = 20_000


@pytest.fixture
def hub(fakehub: FakeHub, monkeypatch: pytest.MonkeyPatch) -> FakeHub:
    tiny_gguf_repo(fakehub)
    gated_repo(fakehub)
    original_repo(fakehub)
    monkeypatch.setenv("HF_ENDPOINT", fakehub.url)
    monkeypatch.delenv("HF_TOKEN", raising=False)
    return fakehub


def _dispose(window: MainWindow) -> None:
    window.close()
    window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def _discover_window(qtbot: QtBot) -> Iterator[MainWindow]:
    """The app on its Discover page (the hub is HF_ENDPOINT), disposed of afterwards."""
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    w = MainWindow(Settings(), report=desktop_24gb())
    qtbot.addWidget(w)
    w.show()
    w.show_page(w.discover_page)
    yield w
    _dispose(w)


@pytest.fixture
def window(qtbot: QtBot, hub: FakeHub) -> Iterator[MainWindow]:
    yield from _discover_window(qtbot)


def settle(qtbot: QtBot, page: DiscoverPage) -> None:
    qtbot.waitUntil(lambda: not page.busy(), timeout=TIMEOUT)


def search(qtbot: QtBot, page: DiscoverPage, text: str) -> None:
    page.query.setText(text)
    qtbot.keyClick(page.query, Qt.Key.Key_Return)
    settle(qtbot, page)


def repos_shown(page: DiscoverPage) -> list[str]:
    return [page.results.index(r, ResultColumn.REPOSITORY).data() for r in range(page.results.rowCount())]


def open_repo(qtbot: QtBot, page: DiscoverPage, repo_id: str) -> None:
    page.table.selectRow(repos_shown(page).index(repo_id))
    qtbot.waitUntil(lambda: page.repo.details is not None and page.repo.details.repo_id == repo_id, timeout=TIMEOUT)
    settle(qtbot, page)


def file_rows(page: DiscoverPage) -> dict[str, int]:
    m = page.repo.model
    return {m.index(r, FileColumn.NAME).data(): r for r in range(m.rowCount())}


def cell(page: DiscoverPage, name: str, column: FileColumn, role: int = Qt.ItemDataRole.DisplayRole) -> object:
    return page.repo.model.index(file_rows(page)[name], column).data(role)


def test_search_open_fit_and_download_into_the_library(qtbot: QtBot, window: MainWindow) -> None:
    page = window.discover_page
    assert window.sidebar.item(1).text() == "Discover" and not window.sidebar.item(1).icon().isNull()
    assert page.empty.text() == EMPTY_TEXT and page.left.currentWidget() is page.empty
    search(qtbot, page, "modelwerk-test")
    assert set(repos_shown(page)) == {TINY, TINY_GGUF, GATED_GGUF}
    gated_row = repos_shown(page).index(GATED_GGUF)
    assert page.results.index(gated_row, 0).data(Qt.ItemDataRole.DecorationRole) is not None  # the lock badge
    assert "Gated" in page.results.index(gated_row, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert page.results.index(repos_shown(page).index(TINY_GGUF), ResultColumn.DOWNLOADS).data() == "1.2k"

    open_repo(qtbot, page, TINY_GGUF)
    repo = page.repo
    assert repo.title.text() == TINY_GGUF
    assert "1.2k downloads" in repo.meta.text()
    assert "Tiny GGUF" in repo.card.toPlainText() and "base_model" not in repo.card.toPlainText()
    names = list(file_rows(page))
    assert "Tiny-F16 (2 parts)" in names and "Tiny-Q4_K_M.gguf" in names
    for name in ("Tiny-Q8_0.gguf", "Tiny-Q4_0.gguf", "Tiny-Q4_K_M.gguf", "Tiny-F16 (2 parts)"):
        fit = cell(page, name, FileColumn.FIT, FIT_ROLE)
        assert fit is not None and fit.report is not None, name  # type: ignore[attr-defined]
        assert str(cell(page, name, FileColumn.FIT)).startswith("Full GPU · ")
        assert cell(page, name, FileColumn.FIT, Qt.ItemDataRole.BackgroundRole) == PLACEMENT_COLORS[Placement.FULL_GPU]
        tip = str(cell(page, name, FileColumn.FIT, Qt.ItemDataRole.ToolTipRole))
        assert "Largest context here" in tip and "GPU layers" in tip
    best = [n for n in names if cell(page, n, FileColumn.NAME, BEST_ROLE)]
    assert best == ["Tiny-Q8_0.gguf"]  # everything fits the 24 GB card: Q8_0, as good as F16 at half the size, wins
    assert repo.best.isVisible() and "Best for this machine" in repo.best.text()
    assert cell(page, best[0], FileColumn.NAME, Qt.ItemDataRole.FontRole).bold()  # type: ignore[attr-defined]
    assert cell(page, "Tiny-Q4_K_M.gguf", FileColumn.QUANT) == "Q4_K_M"

    row = file_rows(page)["Tiny-Q4_K_M.gguf"]
    button = repo.button(row)
    assert button is not None and button.text() == "Download" and button.isEnabled()
    button.click()
    library = window.library_page
    qtbot.waitUntil(lambda: any(e.name and "Q4_K_M" in e.path.name for e in library.model.entries()), timeout=TIMEOUT)
    qtbot.waitUntil(lambda: "it is in the Library" in window.statusBar().currentMessage(), timeout=TIMEOUT)
    assert "Tiny-Q4_K_M.gguf" in window.statusBar().currentMessage()
    entry = next(e for e in library.model.entries() if e.path.name == "Tiny-Q4_K_M.gguf")
    assert entry.source.endswith(TINY_GGUF)
    qtbot.waitUntil(lambda: repo.button(row).text() == "In library", timeout=TIMEOUT)  # type: ignore[union-attr]
    assert not repo.button(row).isEnabled()  # type: ignore[union-attr]

    panel = page.downloads
    assert panel.body.isVisible()
    downloads = panel.model
    assert downloads.index(0, DownloadColumn.NAME).data() == "Tiny-Q4_K_M.gguf"
    assert downloads.index(0, DownloadColumn.STATE).data() == "Done"
    panel.table.selectRow(0)
    assert panel.reveal.isEnabled() and panel.remove.isEnabled() and not panel.pause.isEnabled()
    panel.reveal.click()
    assert window.pages.currentWidget() is library
    assert library.details.entry() is not None and library.details.entry().id == entry.id  # type: ignore[union-attr]
    settle(qtbot, page)
    qtbot.waitUntil(lambda: not library.busy(), timeout=TIMEOUT)


def test_a_newer_search_supersedes_a_slow_one_and_more_results_appends(qtbot: QtBot, window: MainWindow, hub: FakeHub) -> None:
    page = window.discover_page
    for i in range(40):
        hub.add_repo(f"someone/model-{i:02d}-GGUF", {"README.md": b"# x\n"}, tags=("gguf",), downloads=1000 - i)
    hub.set_api_fault(Fault(delay_s=1.5, times=1))  # the first search answers late
    page.query.setText("tiny")
    page.search()
    page.query.setText("model-")
    page.search()
    settle(qtbot, page)
    assert len(repos_shown(page)) == 30 and all("model-" in r for r in repos_shown(page))
    assert page.more.isVisible()
    page.more.click()
    settle(qtbot, page)
    assert len(repos_shown(page)) == 40 and not page.more.isVisible()
    assert repos_shown(page)[0] == "someone/model-00-GGUF"  # most downloads first


def test_offline_search_says_so_and_the_window_stays_responsive(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    page = window.discover_page
    monkeypatch.setattr(page.client, "_endpoint", closed_port_url())
    page.query.setText("llama")
    page.search()
    assert page.status.text() == "Searching…"  # search() returned at once: the call runs in the pool
    qtbot.waitUntil(lambda: page.status.text().startswith("Cannot search"), timeout=TIMEOUT)
    assert "cannot reach" in page.status.text() and page.status.objectName() == "error"
    assert page.search_button.isEnabled()
    # An expected condition logs one line at INFO, not a traceback (it printed 60 lines to the terminal).
    logged = [r for r in caplog.records if r.levelno >= logging.INFO and "background call failed" in r.getMessage()]
    assert logged and all(r.exc_info is None for r in logged)


def test_offline_search_shows_cached_results(qtbot: QtBot, window: MainWindow, hub: FakeHub) -> None:
    page = window.discover_page
    search(qtbot, page, "modelwerk-test")
    assert repos_shown(page)
    with hub.offline():
        page.results.set_results([])
        search(qtbot, page, "modelwerk-test")
        assert set(repos_shown(page)) == {TINY, TINY_GGUF, GATED_GGUF}
        assert page.status.text().startswith("Offline: showing results cached just now")  # how old, so it can be judged


def test_gated_repository_says_how_to_get_access(qtbot: QtBot, window: MainWindow) -> None:
    page = window.discover_page
    search(qtbot, page, "Gated")
    open_repo(qtbot, page, GATED_GGUF)
    note = page.repo.message
    assert note.isVisible()
    assert f"{GATED_GGUF} is gated: accept its terms at" in note.text() and "HF_TOKEN" in note.text()
    button = page.repo.button(0)
    assert button is not None and not button.isEnabled()
    assert "HF_TOKEN" in button.toolTip()
    assert page.downloads.model.rowCount() == 0
    fits = [page.repo.model.index(r, FileColumn.FIT).data() for r in range(page.repo.model.rowCount())]
    assert fits and PENDING not in fits  # no header can be read without access: no badge waits for one


def test_original_repository_recommends_a_ready_made_quantization(qtbot: QtBot, window: MainWindow, hub: FakeHub) -> None:
    page = window.discover_page
    search(qtbot, page, "modelwerk-test")
    open_repo(qtbot, page, TINY)
    repo = page.repo
    assert repo.advice.isVisible()
    qtbot.waitUntil(lambda: "ready-made" in repo.recommendation.text(), timeout=TIMEOUT)
    assert TINY_GGUF in repo.recommendation.text()
    items = [repo.quantizations.item(i).data(Qt.ItemDataRole.UserRole) for i in range(repo.quantizations.count())]
    assert TINY_GGUF in items
    # The original itself, judged as the F16 GGUF it converts to ("can I run it in full precision?"), never "best".
    badge = str(cell(page, "model (safetensors)", FileColumn.FIT))
    assert badge.startswith("Full GPU · ~") and badge.endswith(" tok/s · 512 ctx") and "slow" not in badge
    assert cell(page, "model (safetensors)", FileColumn.QUANT) == "→ F16"
    tip = str(cell(page, "model (safetensors)", FileColumn.FIT, Qt.ItemDataRole.ToolTipRole))
    assert "As the F16 GGUF it converts to" in tip
    assert not cell(page, "model (safetensors)", FileColumn.NAME, BEST_ROLE) and not repo.best.isVisible()
    configs = [r for r in hub.requests if r.path == f"/{TINY}/resolve/main/config.json"]
    assert len(configs) == 1  # the badge and the recommendation both need it: read once
    repo.quantizations.itemClicked.emit(repo.quantizations.item(items.index(TINY_GGUF)))
    qtbot.waitUntil(lambda: repo.details is not None and repo.details.repo_id == TINY_GGUF, timeout=TIMEOUT)
    settle(qtbot, page)
    assert not repo.advice.isVisible() and repo.best.isVisible()


def test_the_recommended_file_is_one_click_from_the_original(qtbot: QtBot, window: MainWindow) -> None:
    page = window.discover_page
    search(qtbot, page, "modelwerk-test")
    open_repo(qtbot, page, TINY)
    repo = page.repo
    qtbot.waitUntil(lambda: "ready-made" in repo.recommendation.text(), timeout=TIMEOUT)
    assert repo.get_recommended.isVisible() and not repo.command_box.isVisible()
    assert repo.get_recommended.text() == "Download Q8_0 from modelwerk-test"  # the 24 GB desktop: Q8_0 fits fully
    repo.get_recommended.click()
    qtbot.waitUntil(lambda: repo.details is not None and repo.details.repo_id == TINY_GGUF, timeout=TIMEOUT)
    qtbot.waitUntil(lambda: window.download_queue.list() != [], timeout=TIMEOUT)
    [queued] = window.download_queue.list()
    assert (queued.repo_id, queued.name) == (TINY_GGUF, "Tiny-Q8_0.gguf")
    qtbot.waitUntil(lambda: window.download_queue.get(queued.id).state is DownloadState.DONE, timeout=TIMEOUT)


def test_fit_badges_follow_a_change_of_machine_without_fetching_again(qtbot: QtBot, window: MainWindow, hub: FakeHub) -> None:
    page = window.discover_page
    search(qtbot, page, "Tiny-GGUF")
    open_repo(qtbot, page, TINY_GGUF)
    assert str(cell(page, "Tiny-Q8_0.gguf", FileColumn.FIT)).startswith("Full GPU")
    fetched = len(hub.requests)
    page.set_hardware(cpu_only())
    qtbot.waitUntil(lambda: str(cell(page, "Tiny-Q8_0.gguf", FileColumn.FIT)).startswith("CPU"), timeout=TIMEOUT)
    settle(qtbot, page)
    for name in ("Tiny-Q4_0.gguf", "Tiny-Q4_K_M.gguf", "Tiny-F16 (2 parts)"):
        assert str(cell(page, name, FileColumn.FIT)).startswith("CPU"), name
    assert page.repo.best.isVisible() and "CPU" in page.repo.best.text()
    assert len(hub.requests) == fetched  # judged from the headers already read


@pytest.fixture
def lone_original(qtbot: QtBot, fakehub: FakeHub, monkeypatch: pytest.MonkeyPatch) -> Iterator[MainWindow]:
    """The app against a hub holding an original and no quantization of it anywhere."""
    original_repo(fakehub)
    monkeypatch.setenv("HF_ENDPOINT", fakehub.url)
    monkeypatch.delenv("HF_TOKEN", raising=False)
    yield from _discover_window(qtbot)


def test_quantize_it_myself_downloads_the_original_then_queues_the_recipe(qtbot: QtBot, lone_original: MainWindow) -> None:
    """One click downloads the original's safetensors, then queues convert -> quantize -> evaluate on the Jobs page, each
    waiting for the one before."""
    from quantize.spec import JobKind

    window = lone_original
    page = window.discover_page
    search(qtbot, page, "modelwerk-test")
    open_repo(qtbot, page, TINY)
    repo = page.repo
    window.jobs_queue.paused = True  # only the queueing is tested here (tests/qt/test_self_quantize_gui.py runs them)
    qtbot.waitUntil(lambda: "quantize it yourself" in repo.recommendation.text(), timeout=TIMEOUT)
    quant = repo.command.text().rsplit(" ", 1)[-1]
    assert repo.command.text() == f"modelwerk pull {TINY} && modelwerk recipe {TINY} --type {quant}"
    assert repo.quantize_myself.isVisible() and quant in repo.quantize_myself.toolTip()
    repo.quantize_myself.click()
    assert repo.quantize_myself.text() == "Queued" and not repo.quantize_myself.isEnabled()
    panel = page.downloads
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=TIMEOUT)
    assert panel.model.index(0, DownloadColumn.NAME).data() == f"model (safetensors)  → {quant}"

    def recipe() -> list[Any]:  # a toolchain install may come first, when the toolchain is missing
        return sorted((j for j in window.jobs_queue.jobs() if j.spec.kind.value != "toolchain"), key=lambda j: j.id)

    qtbot.waitUntil(lambda: len(recipe()) == 3, timeout=TIMEOUT)
    convert, make, evaluate = recipe()
    assert convert.spec.kind is JobKind.CONVERT and convert.spec.source.name == "Tiny"  # type: ignore[attr-defined]
    assert make.spec.kind is JobKind.QUANTIZE and make.spec.quant_type == quant  # type: ignore[attr-defined]
    assert make.spec.output.parent == convert.spec.source.parent  # type: ignore[attr-defined]  # beside the download
    assert evaluate.spec.kind is JobKind.EVALUATE
    assert (make.after, evaluate.after) == (convert.id, make.id)
    qtbot.waitUntil(lambda: window.download_queue.follow_ups() == [], timeout=TIMEOUT)  # owed no more
    download = window.download_queue.list()[0]
    assert download.state is DownloadState.DONE and download.then_quantize == ()
    assert window.catalog.get(download.model_id or -1).format.value == "safetensors"


def test_pause_resume_and_cancel_from_the_panel(qtbot: QtBot, window: MainWindow, hub: FakeHub) -> None:
    page = window.discover_page
    search(qtbot, page, "Tiny-GGUF")
    open_repo(qtbot, page, TINY_GGUF)
    hub.set_fault(TINY_GGUF, "Tiny-Q8_0.gguf", Fault(slow_bytes_per_s=20_000))  # slow enough to catch it running
    page.repo.button(file_rows(page)["Tiny-Q8_0.gguf"]).click()  # type: ignore[union-attr]
    panel = page.downloads
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=TIMEOUT)
    panel.table.selectRow(0)
    assert panel.pause.isEnabled()
    panel.pause.click()
    qtbot.waitUntil(lambda: panel.model.download(0).state is DownloadState.PAUSED, timeout=TIMEOUT)
    assert panel.model.index(0, DownloadColumn.STATE).data() == "Paused" and panel.resume.isEnabled()
    assert page.repo.button(file_rows(page)["Tiny-Q8_0.gguf"]).text() == "Resume"  # type: ignore[union-attr]
    panel.cancel.click()
    qtbot.waitUntil(lambda: panel.model.download(0).state is DownloadState.CANCELLED, timeout=TIMEOUT)
    assert panel.retry.isEnabled() and panel.remove.isEnabled()
    panel.remove.click()
    qtbot.waitUntil(lambda: panel.model.rowCount() == 0, timeout=TIMEOUT)
    settle(qtbot, page)


def test_parallel_downloads_setting_is_saved(qtbot: QtBot, window: MainWindow) -> None:
    from app.settings import load_settings

    page = window.discover_page
    page.downloads.parallel.setValue(3)
    settle(qtbot, page)
    assert load_settings(window.store).parallel_downloads == 3


def test_copy_button_copies_the_quantize_command(qtbot: QtBot) -> None:
    from app.hub.remote_fit import Recommendation
    from app.ui.discover.repo_view import RepoView

    view = RepoView()
    qtbot.addWidget(view)
    view.show()
    rec = Recommendation(text="No ready-made GGUF was found; quantize it yourself", quant="Q4_K_M", command="modelwerk pull x")
    view.set_recommendation(rec, [])
    assert view.command.text() == "modelwerk pull x"
    view.copy.click()
    assert QGuiApplication.clipboard().text() == "modelwerk pull x"


def test_models_pass_qt_model_checks(qtbot: QtBot, qtmodeltester: object, window: MainWindow) -> None:
    page = window.discover_page
    search(qtbot, page, "modelwerk-test")
    open_repo(qtbot, page, TINY_GGUF)
    qtmodeltester.check(page.results)  # type: ignore[attr-defined]
    qtmodeltester.check(page.repo.model)  # type: ignore[attr-defined]
    qtmodeltester.check(ResultsModel())  # type: ignore[attr-defined]
    qtmodeltester.check(DownloadsModel())  # type: ignore[attr-defined]
    files = FilesModel()
    group = FileGroup("a.gguf", FileKind.GGUF, "Q4_K_M", (HubFile("a.gguf", 10, None),))
    files.set_groups([group], pending=["a.gguf"])
    assert files.index(0, FileColumn.FIT).data() == PENDING
    assert isinstance(files.index(0, FileColumn.FIT).data(Qt.ItemDataRole.BackgroundRole), QColor)
    qtmodeltester.check(files)  # type: ignore[attr-defined]


def test_a_long_repo_id_gives_up_its_owner_before_its_name(qtbot: QtBot) -> None:
    from PySide6.QtGui import QFont, QFontMetrics

    from app.ui.discover.results_model import elide_repo_id

    metrics = QFontMetrics(QFont())
    repo = "lmstudio-community/Meta-Llama-3.1-8B-Instruct-GGUF"
    name_width = metrics.horizontalAdvance("/Meta-Llama-3.1-8B-Instruct-GGUF")
    assert elide_repo_id(metrics, repo, metrics.horizontalAdvance(repo) + 1) == repo
    partly = elide_repo_id(metrics, repo, name_width + metrics.horizontalAdvance("lmstu…"))
    assert partly.endswith("…/Meta-Llama-3.1-8B-Instruct-GGUF") and partly.startswith("lm")
    assert elide_repo_id(metrics, repo, name_width + metrics.horizontalAdvance("…") + 2) == "…/Meta-Llama-3.1-8B-Instruct-GGUF"
    tiny = elide_repo_id(metrics, repo, 80)
    assert tiny.startswith("…/") and metrics.horizontalAdvance(tiny) <= 80
