"""The main window: a sidebar of pages, the page stack, a File menu, drops of model files, and live resource use."""

from __future__ import annotations

import dataclasses
import logging
import time
from functools import partial
from pathlib import Path

from PySide6.QtCore import QByteArray, QMimeData, QSize, Qt, QThreadPool, QTimer, QUrl
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDesktopServices,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QIcon,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QToolButton,
    QWidget,
)

from app import paths
from app.chat.runtime import RuntimeState
from app.hub.download_rows import Download
from app.library.catalog import CatalogEntry
from app.paths import resource_path
from app.settings import Settings, save_setting, save_settings
from app.store import Store
from app.ui.chat.backends import ChatBackends
from app.ui.chat.page import ChatPage
from app.ui.common import icons
from app.ui.common.i18n import translate
from app.ui.common.state import ui_state
from app.ui.common.tasks import TaskGroup
from app.ui.common.usage_bar import UsageStatus
from app.ui.compare.page import ComparePage
from app.ui.discover.page import DiscoverPage
from app.ui.documents.page import DocumentsPage
from app.ui.hardware.page import HardwarePage
from app.ui.jobs.page import JobsPage
from app.ui.library.page import LibraryPage
from app.ui.settings_dialog import AFTER_RESTART, SettingsDialog, TokenAction, TokenChange
from app.ui.welcome import WELCOMED_KEY, WelcomeDialog
from app.workbench import Workbench
from hardware.fit import FitOptions
from hardware.report import HardwareReport

log = logging.getLogger(__name__)
DEMO_SOURCE_PREFIX = "demo model"
"""How app.library.demo's sources begin (DEMO_SOURCE): the demo models the first start offers to chat with."""
DEFAULT_SIZE = QSize(1280, 860)
CLOSE_WAIT_MS = 10_000
DOWNLOADS_CLOSE_S = 5.0
__all__ = ["MainWindow", "dropped_paths", "ui_state"]


def dropped_paths(mime: QMimeData) -> list[Path]:
    """The local files and folders in a drag (URLs of other kinds, such as web links, are not models to import)."""
    if not mime.hasUrls():
        return []
    return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]


def _page_titles() -> dict[str, str]:
    """The sidebar's names of the pages, by icon, in the interface language."""
    return {
        "hardware": translate("MainWindow", "Hardware"),
        "discover": translate("MainWindow", "Discover"),
        "library": translate("MainWindow", "Library"),
        "jobs": translate("MainWindow", "Jobs"),
        "chat": translate("MainWindow", "Chat"),
        "compare": translate("MainWindow", "Compare"),
        "documents": translate("MainWindow", "Documents"),
    }


class MainWindow(QMainWindow):
    """The sidebar lists the pages; each page is its own widget class with a `title`."""

    def __init__(
        self, settings: Settings, *, report: HardwareReport | None = None, store: Store | None = None, demo: bool = False,
        welcome: bool = False,
    ) -> None:
        """`store`: the open database (the window opens its own when None and closes it on close); `demo`: assemble the
        demo model into an empty library; `welcome`: show Getting started when this data folder has not seen it."""
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
        self.hardware_page = HardwarePage(report, options=options, models_dir=settings.models_dir,
                                          usable_speed=settings.usable_speed)  # fmt: skip
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
            models_dir=settings.models_dir, parallel=settings.parallel_downloads, usable_speed=settings.usable_speed,
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
        from app.documents.store import DB_NAME

        self.chat_page = ChatPage(self.chat_backends, self.conversations, documents=paths.data_dir() / DB_NAME,
                                  mcp_config=paths.data_dir() / "mcp.json")
        self.add_page(self.chat_page, "chat")
        self.compare_page = ComparePage(self.chat_backends, self.store)
        self.add_page(self.compare_page, "compare")
        self.documents_page = DocumentsPage(paths.data_dir() / DB_NAME, jobs=self.jobs)
        self.documents_page.default_embedder_wanted.connect(self._on_documents_page_default_embedder_wanted)
        self.add_page(self.documents_page, "documents")
        self.library_page.models_changed.connect(self._on_library_page_models_changed)
        self.hardware_page.hardware_changed.connect(self.chat_page.set_hardware)
        self.hardware_page.hardware_changed.connect(self.library_page.set_hardware)
        self.hardware_page.hardware_changed.connect(self.discover_page.set_hardware)
        self.hardware_page.hardware_changed.connect(self.jobs_page.set_hardware)
        self.hardware_page.machines.workers_changed.connect(self.chat_page.set_workers)
        self.hardware_page.machines.workers_changed.connect(self.discover_page.set_workers)
        # The store, not a method of the window: a bound method would keep the window alive after Qt deleted it.
        self.hardware_page.machines.set_entries(settings.workers, save=partial(save_setting, self.store, "workers"))
        self.library_page.models_changed.connect(self.hardware_page.calculator.set_library_models)
        if (hw := self.hardware_page.hardware()) is not None:
            self.library_page.set_hardware(hw)
            self.discover_page.set_hardware(hw)
            self.chat_page.set_hardware(hw)
            self.jobs_page.set_hardware(hw)
        self.setAcceptDrops(True)
        self._dropped: list[Path] = []
        self.tasks = TaskGroup(self)
        self.saved_settings = settings
        """The settings as stored: what the Settings dialog shows (some apply only after a restart)."""
        self.settings_dialog: SettingsDialog | None = None
        self.welcome_dialog: WelcomeDialog | None = None
        self.restart_requested = False
        """Set when the user accepted a restart (a new language): app.ui.app starts Modelwerk again after the loop."""
        self.chat_page.default_threads = settings.threads
        self._build_menu()
        self.sidebar.currentRowChanged.connect(self.pages.setCurrentIndex)
        self.sidebar.setCurrentRow(0)

        self.usage = UsageStatus(self.statusBar(), self)
        self.library_page.status_message.connect(self._on_library_page_status_message)
        self.discover_page.status_message.connect(self._on_library_page_status_message)
        self.chat_page.status_message.connect(self._on_library_page_status_message)
        self.jobs_page.status_message.connect(self._on_library_page_status_message)
        self.documents_page.status_message.connect(self._on_library_page_status_message)
        self.jobs_page.library_changed.connect(self.library_page.refresh)
        self.library_page.quantize_requested.connect(self._on_library_page_quantize_requested)
        self.library_page.codeeval_requested.connect(self._on_library_page_codeeval_requested)
        self.library_page.chat_requested.connect(self._on_library_page_chat_requested)
        self.chat_backends.bridge.changed.connect(self._on_chat_runtime_changed)
        self.discover_page.download_finished.connect(self._on_discover_page_download_finished)
        self.discover_page.show_in_library.connect(self._on_discover_page_show_in_library)
        # Downloads stay visible from every page: a status bar button shows what runs and leads to the panel.
        self.downloads_button = QToolButton()
        self.downloads_button.setObjectName("downloads-indicator")
        self.downloads_button.setAutoRaise(True)
        self.downloads_button.setToolTip(translate("MainWindow", "Show the downloads"))
        self.downloads_button.clicked.connect(self._on_downloads_button_clicked)
        self.downloads_button.hide()
        self.statusBar().addPermanentWidget(self.downloads_button)
        self.discover_page.downloads.summary_changed.connect(self._on_downloads_summary_changed)
        self.library_page.start()  # after its status messages are connected
        self.discover_page.start()  # interrupted downloads resume
        self.jobs_page.start()  # queued jobs run
        self.documents_page.start()  # says what an earlier run left pending
        self._queue_follow_ups()  # "Quantize it myself" downloads that finished while no app was running
        self.resize(DEFAULT_SIZE)
        self._restore_state()
        self.library_page.models_changed.connect(self._update_welcome)
        if welcome and not ui_state().value(WELCOMED_KEY, False, type=bool):
            ui_state().setValue(WELCOMED_KEY, True)  # once: a first start, not every start until closed cleanly
            QTimer.singleShot(0, self.show_welcome)  # over the window, once it is shown

    def add_page(self, page: QWidget, icon: str) -> None:
        """Append a page with a sidebar entry named by its `title` attribute and an `icons.icon(icon)`."""
        item = QListWidgetItem(icons.icon(icon), _page_titles().get(icon) or str(getattr(page, "title", page.objectName())))
        item.setSizeHint(QSize(160, 40))
        self.sidebar.addItem(item)
        self.pages.addWidget(page)

    def _build_menu(self) -> None:
        menu = self.menuBar().addMenu(translate("MainWindow", "&File"))
        menu.addAction(self.library_page.import_files_action)
        menu.addAction(self.library_page.import_folder_action)
        menu.addSeparator()
        self.settings_action = QAction(translate("MainWindow", "Settings…"), self)
        self.settings_action.setObjectName("settings-action")
        self.settings_action.setShortcut(QKeySequence("Ctrl+,"))  # Cmd+, on macOS, where Qt moves it to the app menu
        self.settings_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        self.settings_action.triggered.connect(self._on_settings_action_triggered)
        menu.addAction(self.settings_action)
        menu.addSeparator()
        quit_action = QAction(translate("MainWindow", "Quit"), self)
        # The platform's Quit keys; Windows and some Linux themes have none, and Ctrl+Q is what users try there.
        quit_action.setShortcuts(QKeySequence.keyBindings(QKeySequence.StandardKey.Quit) or [QKeySequence("Ctrl+Q")])
        quit_action.triggered.connect(self.close)
        menu.addAction(quit_action)
        help_menu = self.menuBar().addMenu(translate("MainWindow", "&Help"))
        self.help_menu = help_menu
        help_menu.addAction(translate("MainWindow", "Getting started"), self.show_welcome)
        help_menu.addAction(translate("MainWindow", "Keyboard shortcuts"), self._on_shortcuts_triggered)
        help_menu.addSeparator()
        help_menu.addAction(translate("MainWindow", "Open the log folder"), self._on_open_log_folder_triggered)
        help_menu.addAction(translate("MainWindow", "Report a problem…"), self._on_report_problem_triggered)
        help_menu.addSeparator()
        about = help_menu.addAction(translate("MainWindow", "About Modelwerk"), self._on_about_triggered)
        about.setMenuRole(QAction.MenuRole.AboutRole)

    # -- first start and help ----------------------------------------------------------------------------------------
    def show_welcome(self) -> None:
        """Help > Getting started, and the first start of a data folder: the three first steps (not modal)."""
        from app.ui.welcome import WelcomeDialog

        if self.welcome_dialog is None:
            dialog = WelcomeDialog(self)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.chat_requested.connect(self._on_welcome_chat_requested)
            dialog.fits_requested.connect(lambda: self.show_page(self.hardware_page))
            dialog.discover_requested.connect(self._on_welcome_discover_requested)
            dialog.finished.connect(self._on_welcome_dialog_finished)
            self.welcome_dialog = dialog
        self._update_welcome()
        self.welcome_dialog.show()
        self.welcome_dialog.raise_()

    def _on_welcome_dialog_finished(self, _result: int) -> None:
        self.welcome_dialog = None

    def demo_entry(self) -> CatalogEntry | None:
        """The demo model in the Library (an instruct one before a base one), or None."""
        demos = [e for e in self.catalog.entries() if e.source.startswith(DEMO_SOURCE_PREFIX)]
        demos.sort(key=lambda e: "instruct" not in f"{e.source} {e.name}".lower())
        return demos[0] if demos else None

    def _update_welcome(self, *_args: object) -> None:
        if self.welcome_dialog is None:
            return
        from app.library.demo import demo_installed

        entry = self.demo_entry()
        installed = demo_installed()
        self.welcome_dialog.set_demo(entry.name if entry else "", ready=entry is not None, installed=installed)

    def _on_welcome_chat_requested(self) -> None:
        entry = self.demo_entry()
        if entry is not None:
            self._on_library_page_chat_requested(entry)

    def _on_welcome_discover_requested(self) -> None:
        self.show_page(self.discover_page)
        self.discover_page.query.setFocus()

    def _on_shortcuts_triggered(self) -> None:
        from app.ui.help import ShortcutsDialog, shortcuts

        ShortcutsDialog(shortcuts(self), self).exec()

    def _on_open_log_folder_triggered(self) -> None:
        folder = paths.log_dir()  # our own folder, not an address from untrusted text
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))):
            text = translate("MainWindow", "Cannot open a file manager; the logs are in {folder}")
            self.statusBar().showMessage(text.format(folder=folder), 15_000)

    def _on_report_problem_triggered(self) -> None:
        from app.ui.common.links import open_untrusted_link
        from app.ui.help import REPORT_URL

        self.statusBar().showMessage(translate("MainWindow", "Please attach the latest log from {folder} to the report")
                                     .format(folder=paths.log_dir()), 30_000)
        open_untrusted_link(REPORT_URL, self)

    # -- settings ------------------------------------------------------------------------------------------------------
    def _on_settings_action_triggered(self) -> None:
        from app.ui.settings_dialog import SettingsDialog

        if self.settings_dialog is not None:
            self.settings_dialog.raise_()
            self.settings_dialog.activateWindow()
            return
        token = self.workbench.hub_token
        dialog = SettingsDialog(self.saved_settings, token_stored=token.stored, token_fallback=token.fallback, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._apply_settings(dialog.changes(), dialog.token_change()))
        dialog.finished.connect(self._on_settings_dialog_finished)
        self.settings_dialog = dialog
        dialog.open()  # window-modal, without a nested event loop

    def _on_settings_dialog_finished(self, _result: int) -> None:
        self.settings_dialog = None

    def _apply_settings(self, changes: dict[str, object], token: TokenChange) -> None:
        """Save what the Settings dialog changed (one transaction, off the GUI thread), then switch the running window
        to what can change live: the Load dialog's threads, parallel downloads and jobs, the token (read per request)."""
        if not changes and token.action is TokenAction.KEEP:
            return
        store, hub_token = self.store, self.workbench.hub_token

        def save() -> None:
            if changes:
                save_settings(store, changes)
            if token.action is TokenAction.SET:
                hub_token.set(token.value)
            elif token.action is TokenAction.REMOVE:
                hub_token.remove()

        self.statusBar().showMessage(translate("MainWindow", "Saving the settings…"), 0)
        self.tasks.start(save, lambda _r: self._on_settings_saved(changes, token), self._on_settings_failed,
                         what="saving the settings")  # fmt: skip

    def _on_settings_saved(self, changes: dict[str, object], token: TokenChange) -> None:
        self.saved_settings = dataclasses.replace(self.saved_settings, **changes)  # type: ignore[arg-type]
        if "threads" in changes:
            self.chat_page.default_threads = self.saved_settings.threads
        # The pages' own spin boxes apply a limit to their queue (and store it again, the same value).
        if "parallel_jobs" in changes:
            self.jobs_page.parallel.setValue(self.saved_settings.parallel_jobs)
        if "parallel_downloads" in changes:
            self.discover_page.downloads.parallel.setValue(self.saved_settings.parallel_downloads)
        if "usable_speed" in changes:  # the advice is judged again at once: nothing to read again
            self.hardware_page.set_usable_speed(self.saved_settings.usable_speed)
            self.discover_page.set_usable_speed(self.saved_settings.usable_speed)
        later = [translate("Settings", AFTER_RESTART[name]) for name in changes if name in AFTER_RESTART]
        said = {TokenAction.SET: translate("MainWindow", "The Hugging Face token is stored."),
                TokenAction.REMOVE: translate("MainWindow", "The token is removed.")}  # fmt: skip
        text = " ".join(filter(None, [translate("MainWindow", "Settings saved."), said.get(token.action, "")]))
        if later:
            text += " " + translate("MainWindow", "Restart Modelwerk to use the new {settings}.").format(
                settings=translate("MainWindow", " and ").join(later))
        self.statusBar().showMessage(text, 15_000)
        if "language" in changes:
            self._offer_restart()

    def _on_settings_failed(self, message: str) -> None:
        self.statusBar().showMessage(translate("MainWindow", "Settings not saved: {message}").format(message=message), 15_000)

    def _offer_restart(self) -> None:
        """A new language applies to a new window: offer to restart now (the app starts again once this one closed)."""
        answer = QMessageBox.question(
            self, translate("MainWindow", "Restart Modelwerk?"),
            translate("MainWindow", "The new language is used after a restart. Restart Modelwerk now?"),
        )  # fmt: skip
        if answer == QMessageBox.StandardButton.Yes:
            self.restart_requested = True
            self.close()

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

    def _on_documents_page_default_embedder_wanted(self) -> None:
        """Queue the default embedder's conversion (and the toolchain install it needs) on the Jobs page."""
        from app.jobs import queue_default_embedder

        queue_default_embedder(self.workbench.jobs.queue, self.workbench.models_dir)
        self.workbench.jobs.wake()

    def _on_library_page_models_changed(self, *_args: object) -> None:
        self.chat_page.refresh()
        self.compare_page.refresh()

    def _on_library_page_quantize_requested(self, entry: CatalogEntry) -> None:
        if self.jobs_page.ask_quantize(entry, self):
            self.show_page(self.jobs_page)

    def _on_library_page_codeeval_requested(self, entry: CatalogEntry) -> None:
        if self.jobs_page.ask_codeeval(entry, self):
            self.show_page(self.jobs_page)

    def _on_chat_runtime_changed(self, _key: str, state: RuntimeState) -> None:
        if state is RuntimeState.LOADING:  # loading marks the model used: the Library's "Last used" column follows
            self.library_page.refresh()

    def _on_library_page_chat_requested(self, entry: CatalogEntry) -> None:
        self.show_page(self.chat_page)
        self.chat_page.chat_with(entry.id)

    def _on_discover_page_download_finished(self, d: Download) -> None:
        self.library_page.refresh()
        if self._queue_follow_ups():
            text = translate("MainWindow", "Downloaded {name} — the Jobs page converts and quantizes it now")
        else:
            text = translate("MainWindow", "Downloaded {name} — it is in the Library")
        self.statusBar().showMessage(text.format(name=d.name), 10_000)

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
        self.tasks.close()
        self.library_page.shutdown()
        self.discover_page.shutdown()
        self.jobs_page.shutdown()
        self.documents_page.shutdown()  # indexing pauses: its pending files wait for Resume at the next start
        self.jobs.stop()  # running jobs stop and show as interrupted at the next start
        # Every runtime process stops with the window: no model keeps running in the background.
        self.compare_page.shutdown()
        self.chat_page.shutdown()
        # Running downloads stop here and stay resumable: the next start continues them from their .incomplete files.
        self.download_queue.close(DOWNLOADS_CLOSE_S)
        # Pool work may still use the databases: copies and hashes stop at their next chunk once cancelled.
        waited = time.monotonic()
        if not QThreadPool.globalInstance().waitForDone(CLOSE_WAIT_MS):
            log.warning("background work still running after %d ms; closing the databases anyway", CLOSE_WAIT_MS)
        # The chats' MCP servers have been stopping meanwhile; what is left of the same wait is theirs.
        if not self.chat_page.mcp_pool.join(max(0.0, CLOSE_WAIT_MS / 1000 - (time.monotonic() - waited))):
            log.warning("MCP servers still stopping after %d ms; their processes end with their stdin", CLOSE_WAIT_MS)
        self.workbench.close(DOWNLOADS_CLOSE_S)  # the store when the window opened it, and the job queue
        super().closeEvent(event)
