"""The Discover page: search Hugging Face, open a repository, see which file fits this machine, download it.

Every hub call runs in the pool through the page's TaskGroup. Each search and each opened repository gets a generation
number; a result that arrives for an older one is dropped, so a slow answer never overwrites a newer one.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.hub.download_rows import Download, DownloadState
from app.hub.errors import GatedRepoError
from app.hub.files import FileGroup, find_quant
from app.hub.results import RepoDetails, SearchFormat, SearchPage, SearchResult, SearchSort
from app.ui.common.format import ago_text
from app.ui.common.i18n import QT_TRANSLATE_NOOP, translate
from app.ui.common.messages import text as message_text
from app.ui.common.tasks import TaskGroup
from app.ui.discover.calls import Loaded, load_repo
from app.ui.discover.downloads_panel import DownloadsPanel
from app.ui.discover.fits import RepoFits, fit_groups
from app.ui.discover.repo_view import RepoView
from app.ui.discover.results_model import RESULT_ROLE, ROW_HEIGHT, ResultColumn, ResultDelegate, ResultsModel
from hardware.advice import DEFAULT_USABLE_SPEED
from hardware.remote import RemoteWorker
from hardware.report import HardwareReport
from quantize.remote_code import is_code_file

if TYPE_CHECKING:
    from app.hub.client import HubClient
    from app.hub.downloads import DownloadQueue
    from app.library.catalog import Catalog
    from app.store import Store

log = logging.getLogger(__name__)
PAGE_SIZE = 30
EMPTY_TEXT = QT_TRANSLATE_NOOP(
    "Discover",
    "Search Hugging Face for ready-made GGUF or GPTQ files — try “Llama-3.1-8B” with the GGUF filter.\n\n"
    "Open a repository to see, before downloading a byte, which of its files fits this machine.",
)
"""In English; the page shows ``translate("Discover", EMPTY_TEXT)``."""
FORMATS = ((QT_TRANSLATE_NOOP("Discover", "All formats"), SearchFormat.ALL), ("GGUF", SearchFormat.GGUF),
           ("GPTQ", SearchFormat.GPTQ))  # fmt: skip
SORTS = ((QT_TRANSLATE_NOOP("Discover", "Most downloads"), SearchSort.DOWNLOADS),
         (QT_TRANSLATE_NOOP("Discover", "Most likes"), SearchSort.LIKES),
         (QT_TRANSLATE_NOOP("Discover", "Recently updated"), SearchSort.UPDATED),
         (QT_TRANSLATE_NOOP("Discover", "Trending"), SearchSort.TRENDING))  # fmt: skip


class DiscoverPage(QWidget):
    """Search box, filters, results, the repository view, and the Downloads panel at the bottom."""

    title = "Discover"
    status_message = Signal(str, int)
    show_in_library = Signal(int)
    download_finished = Signal(object)
    """A Download that has just been registered in the Library."""

    def __init__(self, client: HubClient | None, *, queue: DownloadQueue | None = None,
                 store: Store | None = None, catalog: Catalog | None = None, models_dir: Path | None = None,
                 parallel: int = 2, usable_speed: float = DEFAULT_USABLE_SPEED,
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.setObjectName("discover-page")
        self._workers: tuple[RemoteWorker, ...] = ()
        self.client = client
        self.catalog = catalog
        self.models_dir = models_dir or Path.home()
        self.tasks = TaskGroup(self)
        self.destroyed.connect(self.tasks.close)
        self._search_gen = 0
        self._page: SearchPage | None = None
        self._searching = False
        self._repo_gen = 0
        self._have_token = False
        self._held: set[str] = set()

        self.query = QLineEdit()
        self.query.setPlaceholderText(translate("Discover", "Search models on Hugging Face, e.g. Llama-3.1-8B, Qwen2.5 7B "
                                                            "GGUF, Mistral"))
        self.query.setClearButtonEnabled(True)
        self.query.returnPressed.connect(self.search)
        self.search_button = QPushButton(translate("Discover", "Search"))
        self.search_button.clicked.connect(self.search)
        self.format = QComboBox()
        for text, search_format in FORMATS:
            self.format.addItem(translate("Discover", text), search_format)
        self.sort = QComboBox()
        for text, order in SORTS:
            self.sort.addItem(translate("Discover", text), order)
        self.format.activated.connect(self._on_filter_activated)
        self.sort.activated.connect(self._on_filter_activated)
        toolbar = QHBoxLayout()
        toolbar.addWidget(self.query, 1)
        toolbar.addWidget(self.search_button)
        toolbar.addWidget(self.format)
        toolbar.addWidget(self.sort)
        self.status = QLabel()
        self.status.setObjectName("muted")
        self.status.setWordWrap(True)
        self.status.hide()

        self.results = ResultsModel(self)
        self.table = QTableView()
        self.table.setObjectName("results-table")
        self.table.setModel(self.results)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        # One column drawn as two lines (repository, then format, size, downloads, likes, age), as the hub lists them:
        # a narrow pane next to the repository view has no room for six readable columns. The model keeps all six.
        self.table.setItemDelegate(ResultDelegate(self.table))
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(ROW_HEIGHT)
        self.table.horizontalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(ResultColumn.REPOSITORY, QHeaderView.ResizeMode.Stretch)
        for column in ResultColumn:
            self.table.setColumnHidden(column, column != ResultColumn.REPOSITORY)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.selectionModel().currentRowChanged.connect(self._on_table_current_row_changed)
        self.more = QPushButton(translate("Discover", "More results"))
        self.more.clicked.connect(self.load_more)
        self.more.hide()
        self.count = QLabel()
        self.count.setObjectName("muted")
        more_row = QHBoxLayout()
        more_row.setContentsMargins(0, 0, 0, 0)
        more_row.addWidget(self.count, 1)
        more_row.addWidget(self.more)
        results_box = QWidget()
        results_layout = QVBoxLayout(results_box)
        results_layout.setContentsMargins(0, 0, 0, 0)
        results_layout.addWidget(self.table, 1)
        results_layout.addLayout(more_row)
        self.empty = QLabel(translate("Discover", EMPTY_TEXT))
        self.empty.setObjectName("muted")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.left = QStackedWidget()
        self.left.addWidget(self.empty)
        self.left.addWidget(results_box)

        self.repo = RepoView()
        self.fits = RepoFits(self.repo, self.tasks)
        self.repo.model.set_usable_speed(usable_speed)
        self.repo.download_requested.connect(self._on_repo_download_requested)
        self.repo.repo_requested.connect(self.open_repo)
        self.repo.self_quantize_requested.connect(self._on_repo_self_quantize_requested)
        self.repo.recommended_requested.connect(self._on_repo_recommended_requested)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.left)
        self.splitter.addWidget(self.repo)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([330, 740])
        self.splitter.setChildrenCollapsible(False)

        self.downloads = DownloadsPanel(queue, store=store, parallel=parallel)
        self.downloads.status_message.connect(self.status_message)
        self.downloads.show_in_library.connect(self.show_in_library)
        self.downloads.download_changed.connect(self._on_downloads_download_changed)
        self.downloads.download_finished.connect(self._on_downloads_download_finished)

        heading = QLabel(translate("Discover", "Discover"))
        heading.setObjectName("heading")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 8)
        layout.setSpacing(10)
        layout.addWidget(heading)
        layout.addLayout(toolbar)
        layout.addWidget(self.status)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.downloads)
        if client is None:
            self._set_status(translate("Discover", "The hub client is not available"), error=True)

    # --- public ------------------------------------------------------------------------------------------------------
    def start(self) -> None:
        """Start the download queue (interrupted downloads resume)."""
        self.downloads.start()

    def set_usable_speed(self, usable_speed: float) -> None:
        """The tokens/s a file must reach to be the best (the usable_speed setting): badges, best file and the
        recommendation of an open original are judged again, from what was already read."""
        self.repo.model.set_usable_speed(usable_speed)
        self.fits.usable_speed_changed()
        details = self.repo.details
        if details is not None and details.is_original and self.fits.hardware is not None:
            self._start_recommendation(self._repo_gen, details)

    def set_workers(self, workers: tuple[RemoteWorker, ...]) -> None:
        """The other machines (Hardware → Add machine…): a file that fits only across them gets that badge."""
        self._workers = workers
        self.repo.model.set_workers(workers, self.fits.hardware)

    def set_hardware(self, hw: HardwareReport) -> None:
        """The machine fit badges judge against: starts the fits of an open repository that waited for it, or judges
        the open repository's files again (from the headers already read) when the machine changed."""
        first = self.fits.hardware is None
        self.fits.hardware = hw
        self.repo.model.set_workers(self._workers, hw)
        details = self.repo.details
        if details is None:
            return
        if first and not self.fits.started:
            self.fits.start(self.client, details, headers=self.fits.headers)
            return
        self.fits.machine_changed()
        if details.is_original:
            self._start_recommendation(self._repo_gen, details)

    def busy(self) -> bool:
        """True while a hub call or queue call is pending (tests and screenshots wait for it)."""
        return bool(self.tasks.pending() or self.downloads.busy())

    def shutdown(self) -> None:
        self.tasks.close()
        self.downloads.shutdown()

    def search(self) -> None:
        """Search with the box's text and the filters (page 0); supersedes any search still running."""
        if self.client is None:
            return
        self._search_gen += 1
        self._run_search(self._search_gen, 0)

    def load_more(self) -> None:
        """The next page of the current search, appended."""
        if self.client is None or self._page is None or not self._page.has_more or self._searching:
            return
        self._run_search(self._search_gen, self._page.page + 1)

    def open_repo(self, repo_id: str) -> None:
        """Load a repository's details (and then the fit of each GGUF file) in the pool."""
        client = self.client
        if client is None:
            return
        self._repo_gen += 1
        gen = self._repo_gen
        row = self.results.row_of(repo_id)
        result = self.results.index(row, 0).data(RESULT_ROLE) if row >= 0 else None
        self.repo.show_loading(result if isinstance(result, SearchResult) else None, repo_id)
        self.fits.clear()
        catalog, models_dir = self.catalog, self.models_dir
        self.tasks.start(lambda: load_repo(client, repo_id, catalog, models_dir),
                         lambda r: self._on_repo_loaded(gen, r),
                         lambda message: self._on_repo_failed(gen, repo_id, message), what=f"open {repo_id}")  # fmt: skip

    # --- search ------------------------------------------------------------------------------------------------------
    def _run_search(self, gen: int, page: int) -> None:
        client = self.client
        assert client is not None
        text = self.query.text().strip()
        fmt: SearchFormat = self.format.currentData()
        sort: SearchSort = self.sort.currentData()
        self._searching = True
        self.more.setEnabled(False)
        self._set_status(translate("Discover", "Searching…") if page == 0 else translate("Discover", "Loading more results…"))
        self.tasks.start(lambda: client.search(text, format=fmt, sort=sort, page=page, page_size=PAGE_SIZE),
                         lambda p: self._on_search_done(gen, p),
                         lambda message: self._on_search_failed(gen, message), what=f"search {text!r}")  # fmt: skip

    def _on_filter_activated(self, _index: int) -> None:
        if self._page is not None or self.query.text().strip():
            self.search()

    def _on_search_done(self, gen: int, page: SearchPage) -> None:
        if gen != self._search_gen:
            return  # a newer search is on its way
        self._searching = False
        self._page = page
        if page.page == 0:
            self.results.set_results(page.results)
            self.table.scrollToTop()
        else:
            self.results.append(page.results)
        self.left.setCurrentIndex(1)
        self.more.setVisible(page.has_more)
        self.more.setEnabled(True)
        n = self.results.rowCount()
        more = translate("Discover", " (more available)") if page.has_more else ""
        self.count.setText(translate("Discover", "%n repositories", None, n) + more)
        if page.cached:
            when = ago_text(page.cached_at)
            self._set_status(translate("Discover", "Offline: showing results cached {when}. The hub cannot be reached right "
                                                   "now.").format(when=when), error=True)
        elif not n:
            self._set_status(translate("Discover", "Nothing found for “{query}”. Try fewer words, or another format "
                                                   "filter.").format(query=page.query))
        else:
            self._set_status("")

    def _on_search_failed(self, gen: int, message: str) -> None:
        if gen != self._search_gen:
            return
        self._searching = False
        self.more.setEnabled(True)
        self._set_status(translate("Discover", "Cannot search: {error}").format(error=message), error=True)

    def _set_status(self, text: str, *, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setObjectName("error" if error else "muted")
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)
        self.status.setVisible(bool(text))

    def _on_table_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        result = current.data(RESULT_ROLE) if current.isValid() else None
        if isinstance(result, SearchResult) and (self.repo.details is None or self.repo.details.repo_id != result.repo_id):
            self.open_repo(result.repo_id)

    # --- repository --------------------------------------------------------------------------------------------------
    def _on_repo_loaded(self, gen: int, loaded: Loaded) -> None:
        if gen != self._repo_gen:
            return
        details, self._have_token, self._held = loaded
        notes = []
        blocked = ""
        if details.gated:
            endpoint = self.client.endpoint if self.client else ""
            note = message_text(GatedRepoError(details.repo_id, endpoint, have_token=self._have_token).message_text)
            if self._have_token:
                refused = note.split(": ", 1)[-1]
                notes.append(translate("Discover", "Gated repository. If a download is refused: {note}").format(note=refused))
            else:
                blocked = note  # not capitalised: it starts with the repository id
                notes.append(translate("Discover", "Gated repository. {note}.").format(note=note))
        if details.cached:
            when = ago_text(details.cached_at)
            notes.append(translate("Discover", "Offline: showing this repository as cached {when}.").format(when=when))
        # Without access no GGUF header can be read; a folder is still judged from the parameter count.
        wanted = fit_groups(details, headers=not blocked)
        self.repo.set_details(details, pending=[g.name for g in wanted] if self.fits.hardware is not None else [])
        self.repo.set_message("\n".join(notes), error=bool(blocked))
        self.repo.set_blocked(blocked)
        self._sync_downloads()
        self.fits.start(self.client, details, headers=not blocked)
        if details.is_original:
            self._start_recommendation(gen, details)

    def _on_repo_failed(self, gen: int, repo_id: str, message: str) -> None:
        if gen == self._repo_gen:
            text = translate("Discover", "Cannot open {repo}: {error}").format(repo=repo_id, error=message)
            self.repo.show_error(repo_id, text)

    def _start_recommendation(self, gen: int, details: RepoDetails) -> None:
        client, hw, speed = self.client, self.fits.hardware, self.repo.model.usable_speed
        if client is None:
            return

        def work() -> tuple[Any, list[SearchResult]]:
            from app.hub.remote_fit import recommend

            quantizations = client.quantizations_of(details.repo_id)
            rec = recommend(client, details, hw, usable_speed=speed) if hw is not None else None
            return rec, quantizations

        self.tasks.start(work, lambda r: self._on_recommendation(gen, r),
                         lambda message: self._on_recommendation_failed(gen, message), what="recommendation")  # fmt: skip

    def _on_recommendation(self, gen: int, result: tuple[Any, list[SearchResult]]) -> None:
        if gen == self._repo_gen:
            self.repo.set_recommendation(*result)

    def _on_recommendation_failed(self, gen: int, message: str) -> None:
        if gen == self._repo_gen:
            self.repo.set_recommendation(None, [], message)

    # --- downloads ---------------------------------------------------------------------------------------------------
    def _on_repo_download_requested(self, group: FileGroup) -> None:
        details = self.repo.details
        if details is not None:
            self.downloads.add(details.repo_id, group)
            self.status_message.emit(translate("Discover", "Queued {name}").format(name=message_text(group.label)), 4000)

    def _on_repo_recommended_requested(self, repo_id: str, quant: str) -> None:
        """The recommended ready-made file: found in its repository (in the pool), queued, and that repository opened."""
        client = self.client
        if client is None:
            return

        def done(group: FileGroup | None) -> None:
            if group is None or not group.complete:
                self.status_message.emit(translate("Discover", "{repo} has no complete {quant} file (any more)").format(
                    repo=repo_id, quant=quant), 8000)
                return
            self.downloads.add(repo_id, group)
            queued = translate("Discover", "Queued {name} from {repo}").format(name=message_text(group.label), repo=repo_id)
            self.status_message.emit(queued, 5000)
            self.open_repo(repo_id)

        cannot = translate("Discover", "Cannot get {quant} from {repo}: {error}")
        self.tasks.start(lambda: find_quant(client.repo(repo_id).groups, quant), done,
                         lambda message: self.status_message.emit(cannot.format(quant=quant, repo=repo_id, error=message),
                                                                  8000),
                         what=f"find {quant} in {repo_id}")  # fmt: skip

    def _on_repo_self_quantize_requested(self, group: FileGroup, quant: str) -> None:
        from app.ui.common.remote_code_dialog import confirm_download_without_code

        details = self.repo.details
        code = sorted({*group.code, *(f.path for f in details.files if is_code_file(f.path))}) if details else []
        if details is not None and code and not confirm_download_without_code(self, details.repo_id, code):
            return
        if details is not None:
            self.downloads.add(details.repo_id, group, then_quantize=[quant])
            text = translate("Discover", "Downloading {repo}; then the Jobs page converts it and makes {quant}")
            self.status_message.emit(text.format(repo=details.repo_id, quant=quant), 8000)

    def _on_downloads_download_changed(self, d: Download) -> None:
        details = self.repo.details
        if details is not None and d.repo_id == details.repo_id:
            self._sync_downloads()

    def _on_downloads_download_finished(self, d: Download) -> None:
        details = self.repo.details
        if details is not None and d.repo_id == details.repo_id:
            self._held.add(d.name)
            self._sync_downloads()
        self.download_finished.emit(d)

    def _sync_downloads(self) -> None:
        details = self.repo.details
        if details is None:
            return
        key = (details.repo_id, details.revision)
        mine = {d.name: d for d in self.downloads.model.downloads()
                if (d.repo_id, d.revision) == key and d.state is not DownloadState.CANCELLED}  # fmt: skip
        self.repo.model.set_downloads(mine, self._held)
