"""The main window: a sidebar of pages, the page stack, a File menu, drops of model files, and live resource use."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QByteArray, QMimeData, QSize, QThreadPool, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDragMoveEvent, QDropEvent, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QToolButton,
    QWidget,
)

from app.hub.download_rows import Download
from app.library.catalog import CatalogEntry
from app.paths import resource_path
from app.settings import Settings
from app.store import Store
from app.ui.chat.backends import ChatBackends
from app.ui.chat.page import ChatPage
from app.ui.common import icons
from app.ui.common.state import ui_state
from app.ui.common.usage_bar import UsageStatus
from app.ui.compare.page import ComparePage
from app.ui.discover.page import DiscoverPage
from app.ui.hardware.page import HardwarePage
from app.ui.jobs.page import JobsPage
from app.ui.library.page import LibraryPage
from app.workbench import Workbench
from hardware.fit import FitOptions
from hardware.report import HardwareReport

log = logging.getLogger(__name__)
DEFAULT_SIZE = QSize(1280, 860)
CLOSE_WAIT_MS = 10_000
DOWNLOADS_CLOSE_S = 5.0
__all__ = ["MainWindow", "dropped_paths", "ui_state"]


def dropped_paths(mime: QMimeData) -> list[Path]:
    """The local files and folders in a drag (URLs of other kinds, such as web links, are not models to import)."""
    if not mime.hasUrls():
        return []
    return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]


class MainWindow(QMainWindow):
    """The sidebar lists the pages; each page is its own widget class with a `title`."""

    def __init__(
        self, settings: Settings, *, report: HardwareReport | None = None, store: Store | None = None, demo: bool = False
    ) -> None:
        """`store`: the open database (the window opens its own when None and closes it on close); `demo`: assemble the
        demo model into an empty library."""
        super().__init__()
        self.setObjectName("main-window")
        self.setWindowTitle("Modelwerk")
        self.setWindowIcon(QIcon(str(resource_path("icons/modelwerk-256.png"))))
        self.sidebar = QListWidget()
        self.sidebar.setObjectName("sidebar")
        self.sidebar.setFixedWidth(188)
        self.sidebar.setIconSize(QSize(20, 20))
        self.pages = QStackedWidget()
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.sidebar)
        layout.addWidget(self.pages, 1)
        self.setCentralWidget(central)

        options = FitOptions(context=8192, gpu_margin=settings.gpu_margin)
        self.hardware_page = HardwarePage(report, options=options, models_dir=settings.models_dir)
        self.add_page(self.hardware_page, "hardware")
        # The one composition root: the window takes every service from it and subscribes to its events.
        self.workbench = Workbench(store=store, settings=settings)
        self.store = self.workbench.store
        self.catalog = self.workbench.catalog
        # The hub client and the download queue import no HTTP library until they are used (startup time).
        self.hub = self.workbench.hub
        self.download_queue = self.workbench.downloads
        self.discover_page = DiscoverPage(
            self.hub, queue=self.download_queue, store=self.store, catalog=self.catalog,
            models_dir=settings.models_dir, parallel=settings.parallel_downloads,
        )  # fmt: skip
        self.add_page(self.discover_page, "discover")
        self.library_page = LibraryPage(self.catalog, settings.models_dir, options=options, demo=demo,
                                        claimed=self.workbench.claimed_paths)  # fmt: skip
        self.add_page(self.library_page, "library")
        self.jobs = self.workbench.jobs  # running jobs of a crashed session become interrupted here
        self.jobs_queue = self.jobs.queue
        self.jobs_page = JobsPage(self.jobs_queue, catalog=self.catalog, models_dir=settings.models_dir, options=options,
                                  service=self.jobs, store=self.store)  # fmt: skip
        self.add_page(self.jobs_page, "jobs")
        # Chat: conversations left 'streaming' by a crash of the app become 'cancelled' with what they had.
        self.conversations = self.workbench.conversations
        self.conversations.recover_interrupted()
        self.chat_backends = ChatBackends(self.catalog, self.workbench.endpoints)
        self.chat_page = ChatPage(self.chat_backends, self.conversations)
        self.add_page(self.chat_page, "chat")
        self.compare_page = ComparePage(self.chat_backends, self.store)
        self.add_page(self.compare_page, "compare")
        self.library_page.models_changed.connect(self._on_library_page_models_changed)
        self.hardware_page.hardware_changed.connect(self.chat_page.set_hardware)
        self.hardware_page.hardware_changed.connect(self.library_page.set_hardware)
        self.hardware_page.hardware_changed.connect(self.discover_page.set_hardware)
        self.hardware_page.hardware_changed.connect(self.jobs_page.set_hardware)
        self.library_page.models_changed.connect(self.hardware_page.calculator.set_library_models)
        if (hw := self.hardware_page.hardware()) is not None:
            self.library_page.set_hardware(hw)
            self.discover_page.set_hardware(hw)
            self.chat_page.set_hardware(hw)
            self.jobs_page.set_hardware(hw)
        self.setAcceptDrops(True)
        self._dropped: list[Path] = []
        self._build_menu()
        self.sidebar.currentRowChanged.connect(self.pages.setCurrentIndex)
        self.sidebar.setCurrentRow(0)

        self.usage = UsageStatus(self.statusBar(), self)
        self.library_page.status_message.connect(self._on_library_page_status_message)
        self.discover_page.status_message.connect(self._on_library_page_status_message)
        self.chat_page.status_message.connect(self._on_library_page_status_message)
        self.jobs_page.status_message.connect(self._on_library_page_status_message)
        self.jobs_page.library_changed.connect(self.library_page.refresh)
        self.library_page.quantize_requested.connect(self._on_library_page_quantize_requested)
        self.library_page.chat_requested.connect(self._on_library_page_chat_requested)
        self.discover_page.download_finished.connect(self._on_discover_page_download_finished)
        self.discover_page.show_in_library.connect(self._on_discover_page_show_in_library)
        # Downloads stay visible from every page: a status bar button shows what runs and leads to the panel.
        self.downloads_button = QToolButton()
        self.downloads_button.setObjectName("downloads-indicator")
        self.downloads_button.setAutoRaise(True)
        self.downloads_button.setToolTip("Show the downloads")
        self.downloads_button.clicked.connect(self._on_downloads_button_clicked)
        self.downloads_button.hide()
        self.statusBar().addPermanentWidget(self.downloads_button)
        self.discover_page.downloads.summary_changed.connect(self._on_downloads_summary_changed)
        self.library_page.start()  # after its status messages are connected
        self.discover_page.start()  # interrupted downloads resume
        self.jobs_page.start()  # queued jobs run
        self._queue_follow_ups()  # "Quantize it myself" downloads that finished while no app was running
        self.resize(DEFAULT_SIZE)
        self._restore_state()

    def add_page(self, page: QWidget, icon: str) -> None:
        """Append a page with a sidebar entry named by its `title` attribute and an `icons.icon(icon)`."""
        item = QListWidgetItem(icons.icon(icon), str(getattr(page, "title", page.objectName())))
        item.setSizeHint(QSize(160, 40))
        self.sidebar.addItem(item)
        self.pages.addWidget(page)

    def _build_menu(self) -> None:
        menu = self.menuBar().addMenu("&File")
        menu.addAction(self.library_page.import_files_action)
        menu.addAction(self.library_page.import_folder_action)
        menu.addSeparator()
        quit_action = QAction("Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        menu.addAction(quit_action)
        help_menu = self.menuBar().addMenu("&Help")
        help_menu.addAction("About Modelwerk", self._on_about_triggered)

    def _on_about_triggered(self) -> None:
        from app.ui.about_dialog import AboutDialog

        AboutDialog(self).exec()

    def show_page(self, page: QWidget) -> None:
        self.sidebar.setCurrentRow(self.pages.indexOf(page))

    def import_paths(self, paths: list[Path]) -> None:
        """What a drop does: show the Library and import there."""
        self.show_page(self.library_page)
        self.library_page.import_paths(paths)

    def open_paths(self, paths: list[Path]) -> None:
        """What opening a file does (`modelwerk model.gguf`, a double-click, a second launch): come to the front, show a
        model that is already in the Library, import the others."""
        log.info("opening %s", ", ".join(str(p) for p in paths) or "nothing: coming to the front")
        if self.isMinimized():
            self.showNormal()
        self.raise_()
        self.activateWindow()
        known = [(p, self.catalog.by_path(p)) for p in paths]
        new = [p for p, entry in known if entry is None]
        shown = [entry for _p, entry in known if entry is not None]
        if shown:
            self._on_discover_page_show_in_library(shown[-1].id)
        if new:
            self.import_paths(new)

    def _on_library_page_models_changed(self, *_args: object) -> None:
        self.chat_page.refresh()
        self.compare_page.refresh()

    def _on_library_page_quantize_requested(self, entry: CatalogEntry) -> None:
        if self.jobs_page.ask_quantize(entry, self):
            self.show_page(self.jobs_page)

    def _on_library_page_chat_requested(self, entry: CatalogEntry) -> None:
        self.show_page(self.chat_page)
        self.chat_page.chat_with(entry.id)

    def _on_discover_page_download_finished(self, d: Download) -> None:
        self.library_page.refresh()
        if self._queue_follow_ups():
            self.statusBar().showMessage(f"Downloaded {d.name} — the Jobs page converts and quantizes it now", 10_000)
        else:
            self.statusBar().showMessage(f"Downloaded {d.name} — it is in the Library", 10_000)

    def _queue_follow_ups(self) -> bool:
        """Discover's "Quantize it myself": downloaded originals whose recipe is still owed go to the job queue; the
        download forgets its types once the jobs are in. True when something was queued."""
        owed = self.workbench.take_follow_ups()
        if owed:
            workbench = self.workbench
            self.jobs_page.submit(lambda: workbench.queue_follow_ups(owed), what="queueing downloads to quantize")
        return bool(owed)

    def _on_discover_page_show_in_library(self, model_id: int) -> None:
        self.show_page(self.library_page)
        self.library_page.refresh()
        self.library_page.select(model_id)

    def _on_downloads_summary_changed(self, text: str) -> None:
        self.downloads_button.setText(f"⬇ {text}" if text else "")
        self.downloads_button.setVisible(bool(text))

    def _on_downloads_button_clicked(self) -> None:
        self.show_page(self.discover_page)
        self.discover_page.downloads.set_expanded(True)

    def _on_library_page_status_message(self, text: str, timeout_ms: int) -> None:
        if text:
            self.statusBar().showMessage(text, timeout_ms)
        else:
            self.statusBar().clearMessage()

    # Drops: a page that takes drops itself (the Hardware page, into its calculator) gets them first.
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
        # Ask copy / move / keep after the drop has returned: a dialog inside dropEvent would hold the file manager's drag.
        self._dropped.extend(paths)
        QTimer.singleShot(0, self._on_drop_timer)

    def _on_drop_timer(self) -> None:
        paths, self._dropped = self._dropped, []
        if paths:
            self.import_paths(paths)

    def _restore_state(self) -> None:
        state = ui_state()
        geometry = state.value("window/geometry")
        if isinstance(geometry, QByteArray) and not self.restoreGeometry(geometry):
            log.debug("ignoring a saved window geometry Qt cannot use")
        window_state = state.value("window/state")
        if isinstance(window_state, QByteArray):
            self.restoreState(window_state)
        page = state.value("window/page", 0, type=int)
        if isinstance(page, int) and 0 <= page < self.sidebar.count():
            self.sidebar.setCurrentRow(page)

    def closeEvent(self, event: QCloseEvent) -> None:
        state = ui_state()
        state.setValue("window/geometry", self.saveGeometry())
        state.setValue("window/state", self.saveState())
        state.setValue("window/page", self.sidebar.currentRow())
        state.sync()
        self.usage.stop()
        self.library_page.shutdown()
        self.discover_page.shutdown()
        self.jobs_page.shutdown()
        self.jobs.stop()  # running jobs stop and show as interrupted at the next start
        # Every runtime process stops with the window: no model keeps running in the background.
        self.compare_page.shutdown()
        self.chat_page.shutdown()
        # Running downloads stop here and stay resumable: the next start continues them from their .incomplete files.
        self.download_queue.close(DOWNLOADS_CLOSE_S)
        # Pool work may still use the databases: copies and hashes stop at their next chunk once cancelled.
        if not QThreadPool.globalInstance().waitForDone(CLOSE_WAIT_MS):
            log.warning("background work still running after %d ms; closing the databases anyway", CLOSE_WAIT_MS)
        self.workbench.close(DOWNLOADS_CLOSE_S)  # the store when the window opened it, and the job queue
        super().closeEvent(event)
