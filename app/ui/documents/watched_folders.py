"""The Documents page's "Watch folder…" button and what it starts: a collection that watches a folder has what came or
changed in it indexed by itself, while Modelwerk runs (a ``FolderWatcher``) and at its next start (every folder seen for
the first time is checked at once)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog, QPushButton, QWidget

from app.documents.indexing import changed_files
from app.documents.parse import DocumentError
from app.documents.store import CollectionInfo, DocumentStore, FileState
from app.ui.common.i18n import translate
from app.ui.documents.page_context import PageContext
from app.ui.documents.watcher import FolderWatcher, watch_paths


class WatchedFolders(QObject):
    """The button for the collection ``selected()`` names, and the watched folders of all collections.

    Signals:
        changed(): a collection watches another folder, or none (the listing is worth reading again).
        pending_found(collection, files): a watched folder has new or changed files, marked pending: index them.
    """

    changed = Signal()
    pending_found = Signal(str, int)

    def __init__(self, context: PageContext, parent: QWidget) -> None:
        super().__init__(parent)
        self.calls, self.selected, self.banner = context.calls, context.selected, context.banner
        self.page = parent
        self.watcher = FolderWatcher(self)
        self.watcher.changed.connect(self._check)
        self._watched: dict[str, Path] = {}
        self.button = QPushButton()
        self.button.setToolTip(translate("Documents", "Choose a folder whose documents this collection keeps up to "
                                                      "date: files added to it or changed in it are indexed by "
                                                      "themselves while Modelwerk runs, and at its next start"))  # fmt: skip
        self.button.clicked.connect(self._on_button_clicked)
        self.show_collection(None)

    def folder_of(self, collection: str) -> Path | None:
        """The folder ``collection`` watches, if any."""
        return self._watched.get(collection)

    def show_collection(self, info: CollectionInfo | None) -> None:
        """Say on the button whether ``info`` watches a folder (Stop watching) or not (Watch folder…)."""
        watching = info is not None and info.name in self._watched
        self.button.setText(translate("Documents", "Stop watching") if watching
                            else translate("Documents", "Watch folder…"))  # fmt: skip

    def show_watched(self, watched: dict[str, Path]) -> None:
        """The watched folders as the database has them: a folder seen for the first time (at start, or just chosen) is
        checked at once for what came or changed meanwhile, and its paths are watched from then on."""
        self.watcher.forget_others(set(watched))
        new = [name for name, folder in watched.items() if self._watched.get(name) != folder]
        self._watched = dict(watched)
        for name in new:
            self._check(name)

    def watch_folder(self, folder: Path) -> None:
        """Let the selected collection watch ``folder``: what is in it is indexed now, what comes or changes later too."""
        info = self.selected()
        if info is None:
            self.banner.add(translate("Documents", "Make a collection first (New collection…), then choose a folder for it to "
                                                 "watch."), kind="error")  # fmt: skip
            return
        cid = info.id

        def watch(store: DocumentStore) -> None:
            if not folder.is_dir():
                raise DocumentError(f"{folder} is not a folder; choose a folder to watch", path=folder)
            store.watch(cid, folder.expanduser().resolve())

        self.calls(watch, lambda _r: self.changed.emit(), what="watching a folder")

    def stop_watching(self) -> None:
        """The selected collection watches no folder any more (its files stay)."""
        info = self.selected()
        if info is not None:
            cid = info.id
            self.calls(lambda store: store.watch(cid, None), lambda _r: self.changed.emit(), what="stopping the watch")

    def _on_button_clicked(self) -> None:
        info = self.selected()
        if info is not None and info.name in self._watched:
            self.stop_watching()
            return
        folder = QFileDialog.getExistingDirectory(self.page, translate("Documents", "A folder for this collection to watch"))
        if folder:
            self.watch_folder(Path(folder))

    def _check(self, collection: str) -> None:
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

        self.calls(check, self._on_checked, what="checking a watched folder")

    def _on_checked(self, result: tuple[str, int, list[str]]) -> None:
        collection, pending, paths = result
        if collection in self._watched:
            self.watcher.watch(collection, paths)
        if pending:
            self.pending_found.emit(collection, pending)
