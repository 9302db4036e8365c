"""The Documents page: collections of the user's files, their indexing, search with passages shown in place, and the
retrieval self-test.

Nothing here touches documents.db on the GUI thread: every read and write is a pool call that opens its own
DocumentStore (a SQLite connection belongs to the thread that opened it). Indexing is a job of the app's queue
(``app.documents.job``, a worker child process, shown on the Jobs page): the page queues it and listens to the jobs
service's events through the Qt marshaller, reading the file list again from the database as the job goes. Files left
pending by a pause, a crash or a quit are said on the page at the next start, with Resume.

The page holds the collections, the selected one and its files (``files_table``), reads them again when something
changed, and hands what it read to the controllers that own the rest, each in its module: the indexing row
(``index_row``, over ``index_jobs``), search and the passage in place (``search``), Make vectors (``make_vectors``),
watched folders (``watched_folders``), the reranker (``reranker_choice``) and the self-test (``selftest_view``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QMimeData, Qt, QTimer, Signal
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent, QShowEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.documents.indexing import add_files
from app.documents.parse import DocumentError
from app.documents.store import CollectionInfo, DocumentStore, FileRecord, FileState
from app.jobs import JobService
from app.ui.common.flow_layout import FlowLayout
from app.ui.common.format import number
from app.ui.common.i18n import QT_TRANSLATE_NOOP, translate
from app.ui.common.safe_text import plain_tooltip
from app.ui.common.status_rows import Banner
from app.ui.common.tasks import TaskGroup
from app.ui.documents.files_table import FilesTable
from app.ui.documents.index_jobs import IndexJobs, collection_of
from app.ui.documents.index_row import IndexRow
from app.ui.documents.make_vectors import VectorsMaker
from app.ui.documents.models import FileRow, shown_state
from app.ui.documents.page_context import PageContext, StoreCalls
from app.ui.documents.reranker_choice import RerankerChooser
from app.ui.documents.search import Searcher
from app.ui.documents.selftest_view import SelfTestView
from app.ui.documents.watched_folders import WatchedFolders

FILE_FILTER = QT_TRANSLATE_NOOP(
    "Documents",
    "Documents (*.pdf *.docx *.md *.markdown *.html *.htm *.txt *.rst *.py *.js *.ts *.c *.h *.cpp *.rs *.go *.java *.json "
    "*.yaml *.yml *.toml);;All files (*)",
)
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
        self.calls = StoreCalls(self.db_path, self.tasks, on_error=self._on_call_failed)
        self.index_jobs = IndexJobs(jobs, self.db_path, self.tasks, self)
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
        context = PageContext(self.calls, self.selected, self.banner)
        self.watched = WatchedFolders(context, self)
        self.vectors = VectorsMaker(context, self)
        self.searcher = Searcher(context, self)
        self.selftest_view = SelfTestView(context)
        self.index_row = IndexRow(context, jobs=self.index_jobs)

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
        self.rescan_button = QPushButton(translate("Documents", "Check for changes"))
        self.rescan_button.setToolTip(translate(
            "Documents", "Read every file of the collection again by its content hash: changed files are indexed again, "
                         "unchanged ones keep their passages, removed ones show as gone"))  # fmt: skip
        self.reranker = RerankerChooser(self.db_path, self.tasks, self)
        self.summary = QLabel()
        self.summary.setObjectName("muted")
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)
        toolbar_row = QWidget()
        toolbar = FlowLayout(toolbar_row)  # wraps: German labels are longer than the column is wide
        toolbar.addWidget(self.add_files_button)
        toolbar.addWidget(self.add_folder_button)
        toolbar.addWidget(self.watched.button)
        toolbar.addWidget(self.rescan_button)
        toolbar.addWidget(self.vectors.button)
        toolbar.addWidget(self.reranker.button)
        toolbar.addWidget(self.selftest_view.button)
        self.files = FilesTable()
        self.files_model = self.files.files_model
        middle = QWidget()
        mv = QVBoxLayout(middle)
        mv.setContentsMargins(0, 0, 0, 0)
        mv.addWidget(toolbar_row)
        mv.addWidget(self.summary)
        mv.addWidget(self.files, 3)
        mv.addWidget(self.selftest_view)
        search_row = QHBoxLayout()
        search_row.addWidget(self.searcher.query, 1)
        search_row.addWidget(self.searcher.button)
        mv.addLayout(search_row)
        mv.addWidget(self.searcher.results, 4)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(middle)
        self.splitter.addWidget(self.searcher.passage)  # right: the passage in place
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 4)
        self.splitter.setStretchFactor(2, 3)
        self.splitter.setChildrenCollapsible(False)
        # Explicit minimums (the buttons' own would add up to more): the window can still be made as small as the others
        # let it; the toolbars are then clipped, not the window.
        for widget, width in ((left, 120), (middle, 240), (self.searcher.passage, 100)):
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
        self.watched.changed.connect(self.refresh)
        self.watched.pending_found.connect(self._on_watched_pending_found)
        self.files.remove_action.triggered.connect(self._on_remove_action_triggered)
        self.selftest_view.status_message.connect(self.status_message)
        self.selftest_view.running_changed.connect(self._update_buttons)
        self.vectors.status_message.connect(self.status_message)
        self.vectors.default_embedder_wanted.connect(self.default_embedder_wanted)
        self.vectors.ended.connect(self.refresh)
        self.searcher.status_message.connect(self.status_message)
        self.reranker.chosen.connect(self._on_reranker_chosen)
        self.reranker.failed.connect(self._on_call_failed)
        self.index_row.status_message.connect(self.status_message)
        self.index_row.changed.connect(self.refresh)
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(REFRESH_MS)
        self._refresh_timer.timeout.connect(self.refresh)
        self.index_jobs.changed.connect(self._on_index_jobs_changed)
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

        self.calls(read, self._on_listing_read, what="reading the collections")

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

        self.calls(create, self._on_collection_made, what="making a collection")

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

        self.calls(add, self._on_files_added, what="adding files")

    def indexing(self) -> bool:
        """True while an index job of this database is queued or running."""
        return bool(self.index_jobs)

    def busy(self) -> bool:
        """True while anything is queued or running (tests and screenshots wait for it)."""
        return bool(self.tasks.pending() or self.index_jobs or self.vectors.running())

    def shutdown(self) -> None:
        """Stop listening and drop later results. A running index job is the jobs service's: when the app closes it
        stops (interrupted; its files stay pending for Resume or a retry on the Jobs page)."""
        self.index_jobs.close()
        self._refresh_timer.stop()
        self.vectors.shutdown()
        self.tasks.close()

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
        self.watched.show_watched(listing.watched)
        self.searcher.know_files(listing.files)
        self._set_files(listing.files)
        self._show_summary()
        self.index_row.show_collections(listing.collections)
        self._update_buttons()

    def _set_files(self, files: list[FileRecord]) -> None:
        info = self.selected()
        current = None
        if info is not None and any(collection_of(j).casefold() == info.name.casefold() for j in self.index_jobs.running()):
            # The job indexes the pending files in path order, the order of this list: the first is the one it reads.
            current = next((f.path for f in files if f.state is FileState.PENDING), None)
        self.files.show_rows([FileRow(f, shown_state(f, current=current, outcomes=self.index_row.outcomes)) for f in files])

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
        folder = self.watched.folder_of(info.name)
        watching = translate("Documents", "; watching {folder}").format(folder=folder) if folder else ""
        self.summary.setText(f"{info.name}: " + ", ".join(parts) + watching)

    def _update_buttons(self) -> None:
        has = self.selected() is not None
        for b in (self.rename_button, self.delete_button, self.add_files_button, self.add_folder_button,
                  self.rescan_button, self.selftest_view.button, self.searcher.button, self.watched.button,
                  self.reranker.button):  # fmt: skip
            b.setEnabled(has)
        self.watched.show_collection(self.selected())
        self.selftest_view.button.setEnabled(has and not self.selftest_view.running)

    # -- collections ----------------------------------------------------------------------------------------------------
    def _on_collections_current_item_changed(self, current: QListWidgetItem | None, _previous: object) -> None:
        if current is None:
            return
        self._selected_name = str(current.data(Qt.ItemDataRole.UserRole))
        self.searcher.clear()
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
        self.calls(lambda store: store.rename_collection(old, new), self._on_collection_made, what="renaming a collection")

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
        self.calls(lambda store: store.delete_collection(name), lambda _r: self._on_collection_deleted(name),
                   what="deleting a collection")  # fmt: skip

    def _on_collection_deleted(self, name: str) -> None:
        self.searcher.clear()
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
        paths = self.files.selected_paths()
        if info is None or not paths:
            return
        if self.index_jobs.has(info.name):
            busy = translate("Documents", "{name} is being indexed: pause or cancel first, then remove files.")
            self.banner.add(busy.format(name=info.name), kind="error")
            return
        cid = info.id
        self.calls(lambda store: store.remove_files(cid, paths), self._on_files_removed, what="removing files")

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

        self.calls(mark, self._on_marked, what="checking for changes")

    def _on_marked(self, result: tuple[str, int]) -> None:
        name, pending = result
        if pending:
            self.index_row.index(name, pending)
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
            self.index_row.index(name, pending)

    def _on_index_jobs_changed(self) -> None:
        if self.index_jobs.running() and not self._refresh_timer.isActive():
            self._refresh_timer.start()  # the file list follows the job, read at most every REFRESH_MS

    def _on_watched_pending_found(self, collection: str, pending: int) -> None:
        self.index_row.index(collection, pending)
        self.refresh()

    def _on_reranker_chosen(self, line: str) -> None:
        self.status_message.emit(line, 8000)

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
