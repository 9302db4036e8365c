"""The Documents page: collections of the user's files, their indexing, search with passages shown in place, and the
retrieval self-test.

Nothing here touches documents.db on the GUI thread: every read and write is a pool call that opens its own
DocumentStore (a SQLite connection belongs to the thread that opened it). Indexing is a job of the app's queue
(``app.documents.job``, a worker child process, shown on the Jobs page): the page queues it and listens to the jobs
service's events through the Qt marshaller, reading the file list again from the database as the job goes. Files left
pending by a pause, a crash or a quit are said on the page at the next start, with Resume.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import QMimeData, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QDragEnterEvent, QDragMoveEvent, QDropEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.documents.indexing import Outcome, add_files, cancel_pending, changed_files
from app.documents.job import summary
from app.documents.parse import DocumentError
from app.documents.retrieval import Hit, query_terms
from app.documents.selftest import SelfTestResult
from app.documents.store import CollectionInfo, DocumentStore, FileRecord, FileState
from app.jobs import JobService
from app.ui.common.flow_layout import FlowLayout
from app.ui.common.format import number
from app.ui.common.i18n import QT_TRANSLATE_NOOP, translate
from app.ui.common.messages import text as message_text
from app.ui.common.safe_text import plain_tooltip
from app.ui.common.status_rows import Banner
from app.ui.common.tasks import TaskGroup
from app.ui.documents.index_jobs import CANCEL, PAUSE, IndexJobs
from app.ui.documents.models import HIT_ROLE, FileRow, FilesModel, ResultsModel, Shown, shown_state
from app.ui.documents.passage_view import PassageView
from app.ui.documents.reranker_choice import RerankerChooser
from app.ui.documents.selftest_view import SelfTestView, measure, setup_table
from app.ui.documents.snippet_delegate import SnippetDelegate
from app.ui.documents.vectors_thread import EmbedOutcome, EmbedThread
from app.ui.documents.watcher import FolderWatcher, watch_paths
from core.messages import Text, text_of
from quantize.queue import Job, JobState

log = logging.getLogger(__name__)
T = TypeVar("T")
SEARCH_K = 20
FILE_FILTER = QT_TRANSLATE_NOOP(
    "Documents",
    "Documents (*.pdf *.docx *.md *.markdown *.html *.htm *.txt *.rst *.py *.js *.ts *.c *.h *.cpp *.rs *.go *.java *.json "
    "*.yaml *.yml *.toml);;All files (*)",
)
STOP_WAIT_MS = 10_000
REFRESH_MS = 400
"""While a job indexes, the file list is read again at most this often (a pool call)."""


@dataclass(frozen=True)
class Listing:
    collections: list[CollectionInfo]
    files: list[FileRecord]
    selected: CollectionInfo | None
    watched: dict[str, Path]
    """Collection name -> the folder it watches."""


def dropped_paths(mime: QMimeData) -> list[Path]:
    """The local files and folders in a drag (web links are no documents to add)."""
    if not mime.hasUrls():
        return []
    return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]


def ask_text(parent: QWidget, title: str, label: str, text: str = "") -> str | None:
    """A one-line question (tests replace it); None when cancelled."""
    value, ok = QInputDialog.getText(parent, title, label, QLineEdit.EchoMode.Normal, text)
    return value if ok else None


def confirm(parent: QWidget, title: str, text: str) -> bool:
    """A yes/no question whose default is no (tests replace it)."""
    answer = QMessageBox.question(parent, title, text, QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                  QMessageBox.StandardButton.No)  # fmt: skip
    return answer == QMessageBox.StandardButton.Yes


class DocumentsPage(QWidget):
    """Collections, their files and indexing, search and the self-test, over the documents database at ``db_path``;
    indexing runs as jobs of ``jobs``."""

    title = "Documents"
    status_message = Signal(str, int)
    default_embedder_wanted = Signal()
    """The default embedding model is not prepared yet: the main window queues its conversion on the Jobs page."""

    def __init__(self, db_path: Path, *, jobs: JobService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("documents-page")
        self.setAcceptDrops(True)
        self.db_path = db_path.absolute()
        self.jobs = jobs
        self.tasks = TaskGroup(self)
        self.destroyed.connect(self.tasks.close)
        self._listing_generation = 0
        self._selected_name: str | None = None
        self._collections: list[CollectionInfo] = []
        self.index_jobs = IndexJobs(jobs, self.db_path, self.tasks, self)
        self.watcher = FolderWatcher(self)
        self._watched: dict[str, Path] = {}
        self._current: Path | None = None
        self._outcomes: dict[Path, Outcome] = {}
        self._file_ids: dict[Path, int] = {}
        self._search_generation = 0
        self._last_query = ""
        self._selftest_running = False
        self._embedding: EmbedThread | None = None
        self._dropped: list[Path] = []
        self._sized = False

        heading = QLabel(translate("Documents", "Documents"))
        heading.setObjectName("heading")
        intro = QLabel(translate("Documents", "Collections of your own files — PDF, Word, Markdown, HTML, text and code — "
                                              "indexed on this machine for search and for chats. Drop files or folders "
                                              "anywhere on this page."))  # fmt: skip
        intro.setObjectName("muted")
        intro.setWordWrap(True)
        self.banner = Banner()

        # Indexing: what runs now with Pause and Cancel, or what is left pending with Resume.
        self.index_row = QFrame()
        self.index_row.setObjectName("progress-row")
        self.index_label = QLabel()
        self.index_label.setTextFormat(Qt.TextFormat.PlainText)
        self.index_label.setWordWrap(True)  # a long file name must not widen the window
        self.index_bar = QProgressBar()
        self.index_bar.setTextVisible(False)
        self.index_bar.setFixedWidth(220)
        self.pause_button = QPushButton(translate("Documents", "Pause"))
        self.pause_button.setToolTip(translate("Documents", "Stop the indexing job; a file being read is left as it was, the "
                                                            "files left stay pending and Resume goes on with them"))
        self.cancel_button = QPushButton(translate("Documents", "Cancel"))
        self.cancel_button.setToolTip(translate("Documents", "Stop, and take the files not indexed yet out of the collection"))
        self.resume_button = QPushButton(translate("Documents", "Resume"))
        self.resume_button.setToolTip(translate("Documents", "Index the files left pending"))
        row = QHBoxLayout(self.index_row)
        row.setContentsMargins(12, 6, 8, 6)
        row.addWidget(self.index_label, 1)
        row.addWidget(self.index_bar)
        row.addWidget(self.pause_button)
        row.addWidget(self.cancel_button)
        row.addWidget(self.resume_button)
        self.index_row.hide()

        # Left: the collections.
        self.collections = QListWidget()
        self.collections.setObjectName("collections")
        self.new_button = QPushButton(translate("Documents", "New collection…"))
        self.rename_button = QPushButton(translate("Documents", "Rename…"))
        self.delete_button = QPushButton(translate("Documents", "Delete…"))
        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        title = QLabel(translate("Documents", "Collections"))
        title.setObjectName("section")
        lv.addWidget(title)
        lv.addWidget(self.collections, 1)
        lv.addWidget(self.new_button)
        buttons = QHBoxLayout()
        buttons.addWidget(self.rename_button)
        buttons.addWidget(self.delete_button)
        lv.addLayout(buttons)

        # Middle: the files, the self-test, the search.
        self.add_files_button = QPushButton(translate("Documents", "Add files…"))
        self.add_folder_button = QPushButton(translate("Documents", "Add folder…"))
        self.watch_button = QPushButton(translate("Documents", "Watch folder…"))
        self.watch_button.setToolTip(translate("Documents", "Choose a folder whose documents this collection keeps up to "
                                                            "date: files added to it or changed in it are indexed by "
                                                            "themselves while Modelwerk runs, and at its next start"))
        self.rescan_button = QPushButton(translate("Documents", "Check for changes"))
        self.rescan_button.setToolTip(translate(
            "Documents", "Read every file of the collection again by its content hash: changed files are indexed again, "
                         "unchanged ones keep their passages, removed ones show as gone"))  # fmt: skip
        self.vectors_button = QPushButton(translate("Documents", "Make vectors"))
        self.vectors_button.setToolTip(translate("Documents", "Give every passage a vector with an embedding model (the "
                                                              "collection's, else the offline default all-MiniLM-L6-v2, "
                                                              "English): search and the self-test then use hybrid "
                                                              "retrieval, BM25 and vectors together"))  # fmt: skip
        self.selftest_button = QPushButton(translate("Documents", "Self-test"))
        self.selftest_button.setToolTip(translate("Documents", "Make questions from the collection's own passages and measure "
                                                               "whether search finds them: recall@k and MRR"))  # fmt: skip
        self.reranker = RerankerChooser(self.db_path, self.tasks, self)
        self.summary = QLabel()
        self.summary.setObjectName("muted")
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)
        toolbar_row = QWidget()
        toolbar = FlowLayout(toolbar_row)  # wraps: German labels are longer than the column is wide
        toolbar.addWidget(self.add_files_button)
        toolbar.addWidget(self.add_folder_button)
        toolbar.addWidget(self.watch_button)
        toolbar.addWidget(self.rescan_button)
        toolbar.addWidget(self.vectors_button)
        toolbar.addWidget(self.reranker.button)
        toolbar.addWidget(self.selftest_button)
        self.files_model = FilesModel()
        self.files = QTableView()
        self.files.setObjectName("documents-files")
        self.files.setModel(self.files_model)
        setup_table(self.files, stretch=4)
        # Fixed widths: fitting columns to their contents measures every row on every change, which stalls the window
        # for tenths of a second per file while a large collection is indexed.
        header = self.files.horizontalHeader()
        for column, width in enumerate((180, 76, 70, 48)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, max(width, header.sectionSizeHint(column)))  # the heading's own width (German)
        self.files.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.files.verticalHeader().setDefaultSectionSize(24)
        self.files.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.files.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.remove_action = QAction(translate("Documents", "Remove from the collection"), self.files)
        self.remove_action.setShortcut(QKeySequence.StandardKey.Delete)
        self.remove_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.remove_action.setToolTip(translate("Documents", "Take the selected files and their passages out of the "
                                                             "collection (the files themselves stay where they are)"))
        self.files.addAction(self.remove_action)
        self.selftest_view = SelfTestView()
        self.selftest, self.selftest_note = self.selftest_view.table, self.selftest_view.note
        self.query = QLineEdit()
        self.query.setObjectName("documents-query")
        self.query.setPlaceholderText(translate("Documents", "Search this collection"))
        self.query.setClearButtonEnabled(True)
        self.search_button = QPushButton(translate("Documents", "Search"))
        self.results_model = ResultsModel()
        self.results = QTableView()
        self.results.setObjectName("documents-results")
        self.results.setModel(self.results_model)
        setup_table(self.results, stretch=2)
        self.results.setWordWrap(True)
        self.results.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        header = self.results.horizontalHeader()
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)  # a long heading trail must leave room
        header.resizeSection(1, 200)
        self.snippets = SnippetDelegate(lambda: query_terms(self._last_query), self.results)
        self.results.setItemDelegateForColumn(2, self.snippets)
        header.sectionResized.connect(self._on_results_header_section_resized)
        middle = QWidget()
        mv = QVBoxLayout(middle)
        mv.setContentsMargins(0, 0, 0, 0)
        mv.addWidget(toolbar_row)
        mv.addWidget(self.summary)
        mv.addWidget(self.files, 3)
        mv.addWidget(self.selftest_view)
        search_row = QHBoxLayout()
        search_row.addWidget(self.query, 1)
        search_row.addWidget(self.search_button)
        mv.addLayout(search_row)
        mv.addWidget(self.results, 4)

        # Right: the passage in place.
        self.passage = PassageView()

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(middle)
        self.splitter.addWidget(self.passage)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 4)
        self.splitter.setStretchFactor(2, 3)
        self.splitter.setChildrenCollapsible(False)
        # Explicit minimums (the buttons' own would add up to more): the window can still be made as small as the others
        # let it; the toolbars are then clipped, not the window.
        for widget, width in ((left, 120), (middle, 240), (self.passage, 100)):
            widget.setMinimumWidth(width)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 12)
        layout.setSpacing(10)
        layout.addWidget(heading)
        layout.addWidget(intro)
        layout.addWidget(self.banner)
        layout.addWidget(self.index_row)
        layout.addWidget(self.splitter, 1)

        self.collections.currentItemChanged.connect(self._on_collections_current_item_changed)
        self.new_button.clicked.connect(self._on_new_button_clicked)
        self.rename_button.clicked.connect(self._on_rename_button_clicked)
        self.delete_button.clicked.connect(self._on_delete_button_clicked)
        self.add_files_button.clicked.connect(self._on_add_files_button_clicked)
        self.add_folder_button.clicked.connect(self._on_add_folder_button_clicked)
        self.rescan_button.clicked.connect(self._on_rescan_button_clicked)
        self.watch_button.clicked.connect(self._on_watch_button_clicked)
        self.watcher.changed.connect(self._check_watched)
        self.remove_action.triggered.connect(self._on_remove_action_triggered)
        self.selftest_button.clicked.connect(self._on_selftest_button_clicked)
        self.vectors_button.clicked.connect(self._on_vectors_button_clicked)
        self.reranker.chosen.connect(self._on_reranker_chosen)
        self.reranker.failed.connect(self._on_call_failed)
        self.query.returnPressed.connect(self.search)
        self.search_button.clicked.connect(self.search)
        self.results.selectionModel().currentRowChanged.connect(self._on_results_current_row_changed)
        self.pause_button.clicked.connect(self.pause)
        self.cancel_button.clicked.connect(self.cancel)
        self.resume_button.clicked.connect(self.resume)
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(REFRESH_MS)
        self._refresh_timer.timeout.connect(self.refresh)
        self.index_jobs.changed.connect(self._on_index_jobs_changed)
        self.index_jobs.ended.connect(self._on_index_jobs_ended)
        self.index_jobs.failed.connect(self._on_call_failed)
        self._update_buttons()

    def showEvent(self, event: QShowEvent) -> None:
        if not self._sized:  # the splitter shares out its real width only once shown
            self._sized = True
            width = self.splitter.width()
            self.splitter.setSizes([int(width * 0.17), int(width * 0.55), int(width * 0.28)])
        super().showEvent(event)

    # -- public ---------------------------------------------------------------------------------------------------------
    def start(self) -> None:
        """Read the collections (and say what an earlier run left pending) and the index jobs already queued."""
        self.refresh()
        self.index_jobs.read()

    def refresh(self) -> None:
        """Read the collections and the selected one's files again (a pool call)."""
        self._listing_generation += 1
        generation, name = self._listing_generation, self._selected_name

        def read(store: DocumentStore) -> tuple[int, Listing]:
            infos = store.collections()
            selected = next((c for c in infos if name is not None and c.name.casefold() == name.casefold()), None)
            if selected is None and infos:
                selected = infos[0]
            files = store.files(selected.id) if selected is not None else []
            folders = store.watched()
            watched = {c.name: folders[c.id] for c in infos if c.id in folders}
            return generation, Listing(infos, files, selected, watched)

        self._db(read, self._on_listing_read, what="reading the collections")

    def selected(self) -> CollectionInfo | None:
        return next((c for c in self._collections if self._selected_name is not None
                     and c.name.casefold() == self._selected_name.casefold()), None)  # fmt: skip

    def select_collection(self, name: str) -> None:
        self._selected_name = name
        self.refresh()

    def create_collection(self, name: str) -> None:
        """Make a collection (one line on the page when the name is not allowed or taken)."""

        def create(store: DocumentStore) -> str:
            try:
                store.collection_id(name)
            except DocumentError:
                cid = store.collection_id(name, create=True)
                return next(c.name for c in store.collections() if c.id == cid)
            raise DocumentError(f"there is already a collection named {name.strip()!r}")

        self._db(create, self._on_collection_made, what="making a collection")

    def add_paths(self, paths: Sequence[Path]) -> None:
        """Add files or folders to the selected collection and index them (a drop and the Add buttons end here)."""
        paths = [Path(p) for p in paths]
        if not paths:
            return
        info = self.selected()
        if info is None:
            self.banner.add(translate("Documents", "Make a collection first (New collection…), then add files to it."),
                            kind="error")
            return
        self.banner.clear()
        name = info.name

        def add(store: DocumentStore) -> tuple[str, list[Path], list[Path], int]:
            usable, skipped = _regular(paths)
            if not usable:
                return name, [], skipped, 0
            cid, files = add_files(store, name, usable)
            return name, files, skipped, len(store.files(cid, state=FileState.PENDING))

        self._db(add, self._on_files_added, what="adding files")

    def search(self) -> None:
        """Search the selected collection for what the search box says (BM25)."""
        info = self.selected()
        query = self.query.text().strip()
        if info is None:
            self.banner.add(translate("Documents", "Choose a collection to search."), kind="error")
            return
        if not query:
            self.banner.add(translate("Documents", "Type what to search for."), kind="error")
            return
        self._search_generation += 1
        generation, cid = self._search_generation, info.id
        self._last_query = query

        def find(store: DocumentStore) -> tuple[int, list[Hit], dict[Path, int], Text]:
            from app.search import open_retriever

            # Hybrid once the collection has vectors, else BM25; reranked when it has a reranker.
            with open_retriever(store, cid) as retriever:
                hits = retriever.search(query, k=SEARCH_K)
            reranked_by: Text = getattr(retriever, "reranked_said", None) or str(getattr(retriever, "reranked_by", ""))
            return generation, hits, {f.path: f.id for f in store.files(cid)}, reranked_by

        self._db(find, self._on_search_done, what="searching")

    def indexing(self) -> bool:
        """True while an index job of this database is queued or running."""
        return bool(self.index_jobs)

    def busy(self) -> bool:
        """True while anything is queued or running (tests and screenshots wait for it)."""
        return bool(self.tasks.pending() or self.index_jobs or self._embedding is not None)

    def pause(self) -> None:
        """Stop the index jobs (the running one's worker is ended); the files left stay pending for Resume."""
        if self.index_jobs:
            self.index_jobs.stop(PAUSE)
            self.index_label.setText(translate("Documents", "Pausing…"))

    def cancel(self) -> None:
        """Stop the index jobs; then the files not indexed yet leave their collections."""
        if self.index_jobs:
            self.index_jobs.stop(CANCEL)
            self.index_label.setText(translate("Documents", "Cancelling…"))
            return
        pending = [c.id for c in self._collections if c.pending]  # left by an earlier run: drop them
        if pending:
            self._db(lambda store: sum(cancel_pending(store, cid) for cid in pending), self._on_abandoned,
                     what="dropping pending files")  # fmt: skip

    def resume(self) -> None:
        """Queue indexing for every collection with pending files, the selected one first."""
        selected = self.selected()
        order = sorted((c for c in self._collections if c.pending), key=lambda c: selected is None or c.id != selected.id)
        for c in order:
            self._index(c.name, c.pending)

    def shutdown(self) -> None:
        """Stop listening and drop later results. A running index job is the jobs service's: when the app closes it
        stops (interrupted; its files stay pending for Resume or a retry on the Jobs page)."""
        self.index_jobs.close()
        self._refresh_timer.stop()
        if self._embedding is not None:
            self._embedding.stop()
            if not self._embedding.wait(STOP_WAIT_MS):
                log.warning("making vectors did not stop within %d ms", STOP_WAIT_MS)
        self.tasks.close()

    # -- pool calls -----------------------------------------------------------------------------------------------------
    def _db(self, fn: Callable[[DocumentStore], T], on_done: Callable[[T], None], *, what: str,
            on_error: Callable[[str], None] | None = None) -> None:  # fmt: skip
        path = self.db_path

        def call() -> T:
            with DocumentStore.open(path) as store:
                return fn(store)

        self.tasks.start(call, on_done, on_error or self._on_call_failed, what=what)

    def _on_call_failed(self, message: str) -> None:
        self.banner.add(message, kind="error")

    # -- the listing ----------------------------------------------------------------------------------------------------
    def _on_listing_read(self, result: tuple[int, Listing]) -> None:
        generation, listing = result
        if generation != self._listing_generation:
            return
        self._collections = listing.collections
        self._selected_name = listing.selected.name if listing.selected else None
        self.collections.blockSignals(True)
        self.collections.clear()
        for c in listing.collections:
            item = QListWidgetItem(c.name)
            item.setData(Qt.ItemDataRole.UserRole, c.name)
            item.setToolTip(plain_tooltip(translate("Documents", "{name}: {files} files, {passages} passages").format(
                name=c.name, files=c.files, passages=c.passages)))
            self.collections.addItem(item)
            if listing.selected is not None and c.id == listing.selected.id:
                self.collections.setCurrentItem(item)
        self.collections.blockSignals(False)
        self.reranker.show_collection(listing.selected)
        self._on_watched_read(listing.watched)
        self._file_ids = {f.path: f.id for f in listing.files}
        self._set_files(listing.files)
        self._show_summary()
        self._update_index_row()
        self._update_buttons()

    def _set_files(self, files: list[FileRecord]) -> None:
        info = self.selected()
        self._current = None
        if info is not None and any(_collection(j).casefold() == info.name.casefold() for j in self.index_jobs.running()):
            # The job indexes the pending files in path order, the order of this list: the first is the one it reads.
            self._current = next((f.path for f in files if f.state is FileState.PENDING), None)
        rows = [FileRow(f, shown_state(f, current=self._current, outcomes=self._outcomes)) for f in files]
        old = self.files_model.rows()
        if len(old) == len(rows) and all(a.record.path == b.record.path for a, b in zip(old, rows, strict=True)):
            # The same files (a read while a job indexes): only the rows that changed, no reset (selection, scrolling).
            self.files_model.update_rows({i: new for i, (was, new) in enumerate(zip(old, rows, strict=True)) if was != new})
        else:
            self.files_model.set_rows(rows)

    def _show_summary(self) -> None:
        info = self.selected()
        if info is None:
            self.summary.setText(translate("Documents", "No collection yet: New collection… makes one.")
                                 if not self._collections else "")  # fmt: skip
            return
        files = info.files
        parts = [translate("Documents", "%n file(s)", None, files),
                 translate("Documents", "{count} passages").format(count=number(info.passages))]  # fmt: skip
        if info.failed:
            parts.append(translate("Documents", "{count} failed").format(count=info.failed))
        if info.pending:
            parts.append(translate("Documents", "{count} pending").format(count=info.pending))
        folder = self._watched.get(info.name)
        watching = translate("Documents", "; watching {folder}").format(folder=folder) if folder else ""
        self.summary.setText(f"{info.name}: " + ", ".join(parts) + watching)

    def _update_buttons(self) -> None:
        has = self.selected() is not None
        for b in (self.rename_button, self.delete_button, self.add_files_button, self.add_folder_button,
                  self.rescan_button, self.selftest_button, self.search_button, self.watch_button,
                  self.reranker.button):  # fmt: skip
            b.setEnabled(has)
        info = self.selected()
        watching = info is not None and info.name in self._watched
        self.watch_button.setText(translate("Documents", "Stop watching") if watching
                                  else translate("Documents", "Watch folder…"))  # fmt: skip
        self.selftest_button.setEnabled(has and not self._selftest_running)

    def _update_index_row(self) -> None:
        running = bool(self.index_jobs)
        self.pause_button.setVisible(running)
        self.cancel_button.setVisible(True)
        self.index_bar.setVisible(running)
        self.resume_button.setVisible(not running)
        if running:
            self.cancel_button.setToolTip(translate("Documents", "Stop, and take the files not indexed yet out of the "
                                                                 "collection"))
            self.index_row.show()
            return
        pending = sum(c.pending for c in self._collections)
        if not pending:
            self.index_row.hide()
            return
        where = [c.name for c in self._collections if c.pending]
        text = translate("Documents", "%n file(s) pending in {where} — Resume indexes them, Cancel drops the ones not "
                                      "indexed yet", None, pending)
        self.index_label.setText(text.format(where=", ".join(where)))
        self.cancel_button.setToolTip(translate("Documents", "Take the pending files that were never indexed out of their "
                                                             "collections"))
        self.index_row.show()

    # -- collections ----------------------------------------------------------------------------------------------------
    def _on_collections_current_item_changed(self, current: QListWidgetItem | None, _previous: object) -> None:
        if current is None:
            return
        self._selected_name = str(current.data(Qt.ItemDataRole.UserRole))
        self.results_model.set_hits([])
        self.passage.clear()
        self.selftest_view.clear()
        self.refresh()

    def _on_new_button_clicked(self) -> None:
        name = ask_text(self, translate("Documents", "New collection"), translate("Documents", "Name of the collection:"))
        if name is not None:
            self.create_collection(name)

    def _on_collection_made(self, name: str) -> None:
        self.banner.clear()
        self.select_collection(name)

    def _on_rename_button_clicked(self) -> None:
        info = self.selected()
        if info is None:
            return
        if self.index_jobs.has(info.name):  # the job names the collection: it would not find it renamed
            self.banner.add(translate("Documents", "{name} is being indexed: pause or cancel first, then rename it.").format(
                name=info.name), kind="error")
            return
        new = ask_text(self, translate("Documents", "Rename collection"), translate("Documents", "New name:"), info.name)
        if new is None or new.strip() == info.name:
            return
        old = info.name
        self._db(lambda store: store.rename_collection(old, new), self._on_collection_made, what="renaming a collection")

    def _on_delete_button_clicked(self) -> None:
        info = self.selected()
        if info is None:
            return
        if self.index_jobs.has(info.name):
            self.banner.add(translate("Documents", "{name} is being indexed: pause or cancel first.").format(name=info.name),
                            kind="error")
            return
        question = (
            translate("Documents", "Delete the collection {name} and its index ({files} files, {passages} passages)? Your "
                                   "files themselves stay where they are.").format(
                name=repr(info.name), files=info.files, passages=info.passages)
        )
        if not confirm(self, translate("Documents", "Delete collection"), question):
            return
        name = info.name
        self._selected_name = None
        self._db(lambda store: store.delete_collection(name), lambda _r: self._on_collection_deleted(name),
                 what="deleting a collection")  # fmt: skip

    def _on_collection_deleted(self, name: str) -> None:
        self.results_model.set_hits([])
        self.passage.clear()
        self.selftest_view.clear()
        self.status_message.emit(translate("Documents", "Deleted the collection {name}").format(name=name), 8000)
        self.refresh()

    # -- adding and indexing ------------------------------------------------------------------------------------------
    def _on_add_files_button_clicked(self) -> None:
        files, _filter = QFileDialog.getOpenFileNames(self, translate("Documents", "Add documents"), "",
                                                      translate("Documents", FILE_FILTER))
        self.add_paths([Path(f) for f in files])

    def _on_add_folder_button_clicked(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, translate("Documents", "Add a folder of documents"))
        if folder:
            self.add_paths([Path(folder)])

    def _on_remove_action_triggered(self) -> None:
        info = self.selected()
        rows = sorted({i.row() for i in self.files.selectionModel().selectedRows()})
        paths = [self.files_model.rows()[r].record.path for r in rows if r < self.files_model.rowCount()]
        if info is None or not paths:
            return
        if self.index_jobs.has(info.name):
            busy = translate("Documents", "{name} is being indexed: pause or cancel first, then remove files.")
            self.banner.add(busy.format(name=info.name), kind="error")
            return
        cid = info.id
        self._db(lambda store: store.remove_files(cid, paths), self._on_files_removed, what="removing files")

    def _on_files_removed(self, removed: list[Path]) -> None:
        count = len(removed)
        self.status_message.emit(translate("Documents", "Removed %n file(s) from the collection", None, count), 8000)
        self.refresh()

    def _on_rescan_button_clicked(self) -> None:
        info = self.selected()
        if info is None:
            return
        cid, name = info.id, info.name

        def mark(store: DocumentStore) -> tuple[str, int]:
            paths = [f.path for f in store.files(cid) if f.state is not FileState.PENDING]
            store.mark_pending(cid, paths)
            return name, len(store.files(cid, state=FileState.PENDING))

        self._db(mark, self._on_marked, what="checking for changes")

    def _on_marked(self, result: tuple[str, int]) -> None:
        name, pending = result
        if pending:
            self._index(name, pending)
        self.refresh()

    def _on_files_added(self, result: tuple[str, list[Path], list[Path], int]) -> None:
        name, files, skipped, pending = result
        for p in skipped[:5]:
            self.banner.add(translate("Documents", "{name}: not a regular file (a pipe, device or socket), left out").format(
                name=p.name), kind="error")
        if not files and not skipped:
            self.banner.add(translate("Documents", "No documents there: Modelwerk reads PDF, Word (.docx), Markdown, HTML, "
                                                   "text and code files."))
        self.refresh()
        if pending:
            self._index(name, pending)

    def _index(self, collection: str, files: int) -> None:
        """Queue an index job for ``collection`` (``files`` pending); the jobs service shares one already queued."""
        self._outcomes = {}
        self.index_jobs.add(collection, files)

    def _on_index_jobs_changed(self) -> None:
        self._update_index_row()
        self._show_progress()
        if self.index_jobs.running() and not self._refresh_timer.isActive():
            self._refresh_timer.start()  # the file list follows the job, read at most every REFRESH_MS

    def _show_progress(self) -> None:
        if not self.index_jobs:
            return
        stopping = self.index_jobs.stopping()  # the row says "Pausing…" or "Cancelling…" until the jobs have ended
        running = self.index_jobs.running()
        if not running:
            waiting = len(self.index_jobs.jobs())
            if not stopping:
                queued = translate("Documents", "Indexing queued (%n job(s) on the Jobs page)…", None, waiting)
                self.index_label.setText(queued)
            self.index_bar.setRange(0, 0)
            return
        job = running[0]
        if not stopping:
            self.index_label.setText(translate("Documents", "Indexing {collection} — {message}").format(
                collection=_collection(job), message=job.message or translate("Documents", "starting")))
        if job.fraction is None:
            self.index_bar.setRange(0, 0)
        else:
            self.index_bar.setRange(0, 1000)
            self.index_bar.setValue(round(job.fraction * 1000))

    def _on_index_jobs_ended(self, collection: str, job: Job | None, stop: str) -> None:
        """An index job ended (``job`` None: it left the queue without an end the page saw)."""
        if job is not None and job.state is JobState.DONE:
            result = job.result
            for failed in list(result.get("failed_files", []))[-5:]:
                english = str(failed.get("error", ""))
                self.banner.add(message_text(text_of(failed.get("error_data"), english)), kind="error")
            self._outcomes = {Path(p): Outcome.UNCHANGED for p in result.get("unchanged_files", [])}
            finished = translate("Documents", "Indexing finished: {summary}").format(summary=summary(result))
            self.status_message.emit(finished, 10_000)
        elif stop == CANCEL:
            self._drop_pending(collection)
        elif job is not None and job.state is JobState.CANCELLED:
            self.status_message.emit(translate("Documents", "Indexing paused; the files left stay pending"), 10_000)
        elif job is not None and job.state is JobState.FAILED:
            self.banner.add(translate("Documents", "Indexing {collection} failed: {error}").format(collection=collection,
                                                                                           error=job.error), kind="error")
        if not self.index_jobs:
            self._current = None
        self.refresh()

    # -- watched folders ------------------------------------------------------------------------------------------------
    def watch_folder(self, folder: Path) -> None:
        """Let the selected collection watch ``folder``: what is in it is indexed now, what comes or changes later too."""
        info = self.selected()
        if info is None:
            self.banner.add(translate("Documents", "Make a collection first (New collection…), then choose a folder for it to "
                                                 "watch."), kind="error")
            return
        cid = info.id

        def watch(store: DocumentStore) -> None:
            if not folder.is_dir():
                raise DocumentError(f"{folder} is not a folder; choose a folder to watch", path=folder)
            store.watch(cid, folder.expanduser().resolve())

        self._db(watch, lambda _r: self.refresh(), what="watching a folder")

    def stop_watching(self) -> None:
        """The selected collection watches no folder any more (its files stay)."""
        info = self.selected()
        if info is not None:
            cid = info.id
            self._db(lambda store: store.watch(cid, None), lambda _r: self.refresh(), what="stopping the watch")

    def _on_watch_button_clicked(self) -> None:
        info = self.selected()
        if info is not None and info.name in self._watched:
            self.stop_watching()
            return
        folder = QFileDialog.getExistingDirectory(self, "A folder for this collection to watch")
        if folder:
            self.watch_folder(Path(folder))

    def _on_watched_read(self, watched: dict[str, Path]) -> None:
        """The watched folders as the database has them: a folder seen for the first time (at start, or just chosen) is
        checked at once for what came or changed meanwhile, and its paths are watched from then on."""
        self.watcher.forget_others(set(watched))
        new = [name for name, folder in watched.items() if self._watched.get(name) != folder]
        self._watched = dict(watched)
        for name in new:
            self._check_watched(name)

    def _check_watched(self, collection: str) -> None:
        """Mark the new and changed files of ``collection``'s watched folder pending and index them; watch its paths."""

        def check(store: DocumentStore) -> tuple[str, int, list[str]]:
            cid = store.collection_id(collection)
            folder = store.watched().get(cid)
            if folder is None:
                return collection, 0, []
            files = changed_files(store, cid, folder)
            store.mark_pending(cid, files)
            pending = len(store.files(cid, state=FileState.PENDING)) if files else 0
            return collection, pending, watch_paths(folder)

        self._db(check, self._on_watched_checked, what="checking a watched folder")

    def _on_watched_checked(self, result: tuple[str, int, list[str]]) -> None:
        collection, pending, paths = result
        if collection in self._watched:
            self.watcher.watch(collection, paths)
        if pending:
            self._index(collection, pending)
            self.refresh()

    def _drop_pending(self, collection: str) -> None:
        """Cancel's second half, once the job has stopped: the files it had not indexed leave ``collection``."""

        def drop(store: DocumentStore) -> int:
            return cancel_pending(store, store.collection_id(collection))

        self._db(drop, self._on_dropped, what="dropping pending files")

    def _on_dropped(self, removed: int) -> None:
        self.status_message.emit(translate("Documents", "Indexing cancelled; %n file(s) not added", None, removed), 10_000)
        self.refresh()

    def _on_abandoned(self, removed: int) -> None:
        self.status_message.emit(translate("Documents", "{count} pending files taken out of their collections").format(
            count=removed), 8000)
        self.refresh()

    # -- search and the passage -----------------------------------------------------------------------------------------
    def _on_search_done(self, result: tuple[int, list[Hit], dict[Path, int], Text]) -> None:
        generation, hits, ids, reranked_by = result
        if generation != self._search_generation:
            return
        if hits and reranked_by:
            how = message_text(reranked_by)
            self.status_message.emit(translate("Documents", "Reranked by {how}").format(how=how), 10_000)
        self._file_ids = ids
        self.results_model.set_hits(hits)
        self.results.resizeRowsToContents()
        self.passage.clear()
        if not hits:
            self.banner.add(translate("Documents", "Nothing in this collection matches {query}.").format(
                query=repr(self._last_query)))
        else:
            self.banner.clear()

    def _on_results_header_section_resized(self, section: int, _old: int, _new: int) -> None:
        if section == 2:  # the wrapped snippets' heights follow their column's width (a scroll bar takes some)
            QTimer.singleShot(0, self.results, self.results.resizeRowsToContents)  # dropped if the table is gone

    def _on_results_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        hit = current.data(HIT_ROLE) if current.isValid() else None
        if isinstance(hit, Hit):
            self.show_passage(hit)

    def show_passage(self, hit: Hit) -> None:
        """Show the hit in place: the file's indexed text around it, read in the pool."""
        file_id = self._file_ids.get(hit.source.path)
        query = self._last_query
        if file_id is None:
            self.passage.show_hit(hit, "", query)
            return
        self._db(lambda store: store.file_text(file_id), lambda text: self._on_file_text_read(hit, text, query),
                 what="reading a passage")  # fmt: skip

    def _on_file_text_read(self, hit: Hit, text: str, query: str) -> None:
        current = self.results.currentIndex()
        if current.isValid() and current.data(HIT_ROLE) == hit:
            self.passage.show_hit(hit, text, query)

    # -- the self-test --------------------------------------------------------------------------------------------------
    def _on_selftest_button_clicked(self) -> None:
        info = self.selected()
        if info is None:
            return
        if info.passages == 0:
            self.banner.add(translate("Documents", "{name} has no passages yet: add files first.").format(name=info.name),
                            kind="error")
            return
        cid, name = info.id, info.name

        self._selftest_running = True
        self.selftest_button.setText(translate("Documents", "Testing…"))
        self._update_buttons()
        self._db(lambda store: measure(store, cid, name), self._on_selftest_done, what="the retrieval self-test",
                 on_error=self._on_selftest_failed)  # fmt: skip

    def _on_selftest_failed(self, message: str) -> None:
        self._selftest_end()
        self.banner.add(message, kind="error")

    def _selftest_end(self) -> None:
        self._selftest_running = False
        self.selftest_button.setText(translate("Documents", "Self-test"))
        self._update_buttons()

    def _on_selftest_done(self, results: list[SelfTestResult]) -> None:
        self._selftest_end()
        self.selftest_view.show_results(results)
        text = translate("Documents", "Self-test: {count} questions made from the collection's passages")
        self.status_message.emit(text.format(count=results[0].probes), 8000)

    def _on_reranker_chosen(self, line: str) -> None:
        self.status_message.emit(line, 8000)

    # -- vectors --------------------------------------------------------------------------------------------------------
    def _on_vectors_button_clicked(self) -> None:
        if self._embedding is not None:
            self._embedding.stop()
            self.vectors_button.setText(translate("Documents", "Stopping…"))
            return
        info = self.selected()
        if info is None:
            return
        if info.passages == 0:
            self.banner.add(translate("Documents", "{name} has no passages yet: add files first.").format(name=info.name),
                            kind="error")
            return
        cid = info.id

        def model(store: DocumentStore) -> tuple[int, Path]:
            """The collection's embedder when its file is there, else where the default one is (or will be)."""
            from app import paths
            from app.documents.embedder import default_embedder_path
            from app.documents.vectors import VectorIndex
            from app.settings import load_settings
            from app.store import Store

            record = VectorIndex(store).embedder_of(cid)
            if record is not None and Path(record.location).is_file():
                return cid, Path(record.location)
            with Store.open(paths.database_path()) as settings_store:
                return cid, default_embedder_path(load_settings(settings_store).models_dir)

        self._db(model, self._on_embedder_found, what="finding the collection's embedding model")

    def _on_embedder_found(self, result: tuple[int, Path]) -> None:
        from app.documents.embedder import DEFAULT_NAME

        cid, model = result
        if not model.is_file():
            self.default_embedder_wanted.emit()
            self.banner.add(translate("Documents", "Preparing the default embedding model {name} (a conversion on the Jobs "
                                                   "page, once); press Make vectors again when it is done.").format(
                name=DEFAULT_NAME))  # fmt: skip
            return
        thread = EmbedThread(self.db_path, cid, model)
        thread.progressed.connect(self._on_embed_progressed)
        thread.ended.connect(self._on_embed_ended)
        self._embedding = thread
        self.vectors_button.setText(translate("Documents", "Stop vectors"))
        self.status_message.emit(translate("Documents", "Making vectors with {name}…").format(name=model.name), 0)
        thread.start()

    def _on_embed_progressed(self, done_total: tuple[int, int]) -> None:
        done, total = done_total
        self.status_message.emit(translate("Documents", "Making vectors: {done} of {total} passages").format(
            done=number(done), total=number(total)), 0)

    def _on_embed_ended(self, outcome: EmbedOutcome) -> None:
        if self._embedding is not None:
            self._embedding.wait()
        self._embedding = None
        self.vectors_button.setText(translate("Documents", "Make vectors"))
        if outcome.error:
            self.banner.add(outcome.error, kind="error")
        else:
            if outcome.stopped:
                text = translate("Documents", "Vectors stopped after {count} passages with {embedder}; search uses BM25 "
                                              "and vectors together")
            else:
                text = translate("Documents", "Vectors made {count} passages with {embedder}; search uses BM25 and vectors "
                                              "together")
            self.status_message.emit(text.format(count=number(outcome.written), embedder=outcome.embedder), 10_000)
            if outcome.advice:
                self.banner.add(outcome.advice)
        self.refresh()

    # -- drops ----------------------------------------------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if dropped_paths(event.mimeData()):
            event.acceptProposedAction()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if dropped_paths(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = dropped_paths(event.mimeData())
        if not paths:
            return
        event.acceptProposedAction()
        # Added after the drop has returned: the file manager's drag is not held while the page works.
        self._dropped.extend(paths)
        QTimer.singleShot(0, self, self._on_drop_timer)

    def _on_drop_timer(self) -> None:
        paths, self._dropped = self._dropped, []
        self.add_paths(paths)


def _regular(paths: Sequence[Path]) -> tuple[list[Path], list[Path]]:
    """The paths that are folders, regular files or missing (which add_files names in one line), and the others: reading
    a FIFO blocks until someone writes to it, which would hold the indexing thread (and Pause) forever."""
    usable, skipped = [], []
    for p in paths:
        if p.is_dir() or p.is_file() or not p.exists():
            usable.append(p)
        else:
            skipped.append(p)
    return usable, skipped


def _shown_of(outcome: Outcome) -> Shown:
    return {Outcome.INDEXED: Shown.INDEXED, Outcome.UNCHANGED: Shown.UNCHANGED, Outcome.FAILED: Shown.FAILED}[outcome]


def _collection(job: Job) -> str:
    return str(getattr(job.spec, "collection", ""))
