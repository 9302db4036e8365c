"""The Library's background work that writes the catalog: demo assembly, imports, folder scans, content hashes, deletes.

Writers run one at a time (demo first, then imports in drop order, then a scan), so a scan never races a copy into the
folder it lists; hashes run one at a time beside them. Every result arrives on the GUI thread as `changed(select_id)`.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Collection, Sequence
from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal

from app.library.catalog import Catalog, CatalogEntry
from app.library.importer import ImportMode, ImportResult, import_model, sha256_file
from app.library.scan import ScanResult, scan_folder
from app.ui.common.i18n import translate
from app.ui.common.messages import text as message_text
from app.ui.common.status_rows import Banner, ProgressRow
from app.ui.common.tasks import Progress, TaskGroup

log = logging.getLogger(__name__)
SCAN_DEBOUNCE_MS = 500


def _scan(models_dir: Path, catalog: Catalog, skip: Collection[Path]) -> tuple[ScanResult, list[Path]]:
    models_dir.mkdir(parents=True, exist_ok=True)  # the watcher needs the folder
    result = scan_folder(models_dir, catalog, skip=skip)
    folders = [p for p in models_dir.iterdir() if p.is_dir() and not p.name.startswith(".") and p.suffix != ".part"]
    return result, folders


class LibraryJobs(QObject):
    """Drives the page's progress row and banner; the page refreshes its rows on `changed`."""

    changed = Signal(object)
    """The catalog changed; the id of the entry to select (an import, the demo model), or None."""
    status_message = Signal(str, int)
    hashing_changed = Signal(int, bool)

    def __init__(
        self, catalog: Catalog, models_dir: Path, tasks: TaskGroup, *, progress: ProgressRow, banner: Banner,
        demo: bool = False, claimed: Callable[[], Collection[Path]] | None = None, parent: QObject | None = None,
    ) -> None:  # fmt: skip
        """`claimed`: the paths running work registers itself (the Workbench's), which a scan passes over."""
        super().__init__(parent)
        self.claimed = claimed or (lambda: ())
        self.catalog = catalog
        self.models_dir = models_dir
        self.tasks = tasks
        self.progress = progress
        self.banner = banner
        self._writer_busy = False
        self._demo_wanted = demo
        self._scan_wanted = True  # the first scan marks models gone since the last run and finds new ones
        self._imports: deque[tuple[Path, ImportMode]] = deque()
        self._import_total = 0
        self._import_cancel = tasks.cancel_event()
        self.hashing: int | None = None
        self._hash_failed: set[int] = set()
        self.watcher = QFileSystemWatcher(self)
        self.debounce = QTimer(self)
        self.debounce.setSingleShot(True)
        self.debounce.setInterval(SCAN_DEBOUNCE_MS)
        self.progress.cancel_clicked.connect(self._on_progress_cancel_clicked)
        self.watcher.directoryChanged.connect(self._on_watcher_directory_changed)
        self.debounce.timeout.connect(self._on_debounce_timeout)

    def start(self, library_empty: bool) -> None:
        """Begin: the demo model when the library is empty (if asked for), then the first scan."""
        self._demo_wanted = self._demo_wanted and library_empty
        self._next_writer()

    def import_paths(self, paths: Sequence[Path], mode: ImportMode) -> None:
        if not self._imports and not self._writer_busy:
            self._import_total = 0
        self._imports.extend((p, mode) for p in paths)
        self._import_total += len(paths)
        self._next_writer()

    def busy(self) -> bool:
        return bool(self._imports or self._writer_busy or self.debounce.isActive() or self.hashing is not None)

    def stop(self) -> None:
        self.debounce.stop()
        if self.watcher.directories():
            self.watcher.removePaths(self.watcher.directories())
        self._imports.clear()

    def rescan(self) -> None:
        self._scan_wanted = True
        self._next_writer()

    # --- writers -------------------------------------------------------------------------------------------------------
    def _next_writer(self) -> None:
        if self._writer_busy or self.tasks.closed:
            return
        if self._demo_wanted:
            self._demo_wanted = False
            self._start_demo()
        elif self._imports:
            self._start_import(*self._imports.popleft())
        elif self._scan_wanted:
            self._scan_wanted = False
            self._writer_busy = True
            models_dir, catalog, claimed = self.models_dir, self.catalog, self.claimed
            self.tasks.start(lambda: _scan(models_dir, catalog, claimed()), self._on_scan_done, self._on_scan_failed,
                             what="scan")  # fmt: skip

    def _writer_done(self, select: int | None = None) -> None:
        self._writer_busy = False
        self.progress.finish()
        self.changed.emit(select)
        self._next_writer()

    def _start_demo(self) -> None:
        from app.library.demo import demo_installed, ensure_demo_model

        if not demo_installed():
            self._next_writer()
            return
        self._writer_busy = True
        progress = Progress()
        progress.changed.connect(self.progress.set_progress)
        self.progress.start(translate("Library", "Preparing the demo models (SmolLM2 135M Instruct, Gemma 3 270M)…"),
                            cancellable=False)
        self.status_message.emit(translate("Library", "Preparing the demo model…"), 0)
        models_dir, catalog = self.models_dir, self.catalog
        # The Progress travels with the result so it lives until its last queued report is delivered.
        self.tasks.start(
            lambda: (progress, ensure_demo_model(models_dir, catalog, progress=progress.report)),
            self._on_demo_done, self._on_demo_failed, what="demo model",
        )  # fmt: skip

    def _on_demo_done(self, result: tuple[Progress, CatalogEntry | None]) -> None:
        entry = result[1]
        ready = translate("Library", "The demo model {name} is ready").format(name=entry.name) if entry else ""
        self.status_message.emit(ready, 5000)
        self._writer_done(entry.id if entry else None)

    def _on_demo_failed(self, message: str) -> None:
        self.banner.add(message, kind="error")
        self.status_message.emit("", 0)
        self._writer_done()

    def _start_import(self, path: Path, mode: ImportMode) -> None:
        self._writer_busy = True
        if self._import_cancel.is_set():
            self._import_cancel = self.tasks.cancel_event()
        cancel = self._import_cancel
        progress = Progress()
        progress.changed.connect(self.progress.set_progress)
        number = self._import_total - len(self._imports)
        of = translate("Library", " ({number} of {total})").format(number=number, total=self._import_total)
        text = translate("Library", "Importing {name}{of}…").format(name=path.name, of=of if self._import_total > 1 else "")
        self.progress.start(text, cancellable=True)
        models_dir, catalog = self.models_dir, self.catalog
        self.tasks.start(
            lambda: (progress, import_model(path, catalog, models_dir, mode=mode, progress=progress.report, cancel=cancel)),
            self._on_import_done, self._on_import_failed, what=f"import of {path.name}",
        )  # fmt: skip

    def _on_import_done(self, outcome: tuple[Progress, ImportResult]) -> None:
        result = outcome[1]
        name = result.source_path.name
        select = None
        if result.entry is not None:
            select = result.entry.id
            self.status_message.emit(translate("Library", "Imported {name}").format(name=result.entry.name), 5000)
        elif result.duplicate_of is not None:
            select = result.duplicate_of.id
            self.banner.add(translate("Library", "{name} is already in the library as {other}").format(
                name=name, other=result.duplicate_of.name), kind="info")
        elif result.error == "cancelled":
            self._imports.clear()
            self.status_message.emit(translate("Library", "Import of {name} cancelled").format(name=name), 5000)
        else:
            shown = message_text(result.error_text)
            error = shown if name in shown else f"{name}: {shown}"  # which one, in a drop of many
            self.banner.add(translate("Library", "Not imported: {error}").format(error=error), kind="error")
        self._writer_done(select)

    def _on_import_failed(self, message: str) -> None:
        self.banner.add(translate("Library", "Not imported: {error}").format(error=message), kind="error")
        self._writer_done()

    def _on_progress_cancel_clicked(self) -> None:
        self._import_cancel.set()
        self.progress.cancel.setEnabled(False)
        self.progress.label.setText(translate("Library", "Cancelling…"))

    def _on_watcher_directory_changed(self, _path: str) -> None:
        self.debounce.start()  # a copy changes the folder many times: scan once it is quiet

    def _on_debounce_timeout(self) -> None:
        self.rescan()

    def _on_scan_done(self, result: tuple[ScanResult, list[Path]]) -> None:
        scan, folders = result
        watched = {self.models_dir, *folders}
        current = {Path(p) for p in self.watcher.directories()}
        if stale := current - watched:
            self.watcher.removePaths([str(p) for p in stale])
        if new := watched - current:
            self.watcher.addPaths([str(p) for p in new])
        found = [e.name for e in scan.added if e.source != "imported"]
        if found:
            text = translate("Library", "Found in the models folder: {names}")
            self.status_message.emit(text.format(names=", ".join(found[:3])), 5000)
        self._writer_done()

    def _on_scan_failed(self, message: str) -> None:
        text = translate("Library", "Could not scan the models folder: {error}")
        self.status_message.emit(text.format(error=message), 10_000)
        self._writer_done()

    # --- hashes and deletes -------------------------------------------------------------------------------------------
    def hash_next(self, entries: Sequence[CatalogEntry]) -> None:
        """Hash the first entry that has no sha256 yet, unless a hash is running."""
        if self.hashing is not None or self.tasks.closed:
            return
        todo = [e for e in entries if not e.sha256 and not e.missing and e.id not in self._hash_failed]
        if not todo:
            return
        entry = todo[0]
        self.hashing = entry.id
        self.hashing_changed.emit(entry.id, True)
        cancel = self.tasks.cancel_event()
        catalog = self.catalog

        def run() -> int:
            catalog.set_sha256(entry.id, sha256_file(entry.path, cancel=cancel))
            return entry.id

        self.tasks.start(run, self._on_hash_done, self._on_hash_failed, what=f"sha256 of {entry.name}")

    def _on_hash_done(self, entry_id: int) -> None:
        self.hashing = None
        self.hashing_changed.emit(entry_id, False)
        self.changed.emit(None)

    def _on_hash_failed(self, message: str) -> None:
        entry_id, self.hashing = self.hashing, None
        if entry_id is not None:
            self._hash_failed.add(entry_id)  # not again this session: the file is unreadable
            self.hashing_changed.emit(entry_id, False)
        log.warning("Could not hash a model: %s", message)
        self.changed.emit(None)

    def delete(self, entry: CatalogEntry, *, delete_files: bool) -> None:
        catalog = self.catalog
        self.tasks.start(
            lambda: catalog.remove(entry.id, delete_files=delete_files),
            lambda _: self._on_delete_done(entry),
            lambda message: self.banner.add(translate("Library", "Not deleted: {error}").format(error=message), kind="error"),
            what=f"delete {entry.name}",
        )

    def _on_delete_done(self, entry: CatalogEntry) -> None:
        self.status_message.emit(translate("Library", "Removed {name} from the library").format(name=entry.name), 5000)
        self.changed.emit(None)
