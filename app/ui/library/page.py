"""The Library page: every model Modelwerk manages, filterable and sortable, with a detail panel and import by drop.

All disk work runs in the pool: catalog writes through LibraryJobs, header reads (for the fit column, the calculator and
the panel) and fit estimates here. The page only reads the catalog rows itself, a small SQLite query.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Sequence
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QByteArray, QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QSplitter, QVBoxLayout, QWidget

from app.library.catalog import Catalog, CatalogEntry
from app.library.importer import ImportMode
from app.ui.common.i18n import translate
from app.ui.common.state import ui_state
from app.ui.common.status_rows import Banner, ProgressRow
from app.ui.common.tasks import TaskGroup
from app.ui.library import actions as library_actions
from app.ui.library.catalog_model import ENTRY_ROLE, FORMAT_NAMES, Column, FitFilter, LibraryFilter, LibraryModel
from app.ui.library.catalog_work import LibraryJobs
from app.ui.library.import_dialog import choose_import_mode
from app.ui.library.model_details import Details, ModelDetails, effective_context, load_details
from app.ui.library.table import LibraryTable
from core.errors import user_message
from formats.model import ModelFileError, ModelFormat, ModelInfo
from hardware.fit import FitOptions, FitReport, fit
from hardware.report import HardwareReport
from hardware.shape import ModelShape

log = logging.getLogger(__name__)
Read = tuple[tuple[int, float], ModelInfo | ModelFileError]
"""((size, mtime) of the catalog entry it was read for, the ModelInfo or why it cannot be read)."""


def _inspect_all(entries: list[CatalogEntry]) -> dict[int, Read]:
    """Every model's ModelInfo, read through formats.cache.HEADERS: a header is parsed once per file version, shared
    with the import, the details pane and the chat, so reading every model again on each change costs a stat each."""
    from formats.inspect import inspect

    result: dict[int, Read] = {}
    for e in entries:
        try:
            result[e.id] = ((e.size_bytes, e.mtime), inspect(e.path))
        except ModelFileError as err:
            result[e.id] = ((e.size_bytes, e.mtime), err)
    return result


def _fits(infos: dict[int, ModelInfo | ModelFileError], hw: HardwareReport, options: FitOptions) -> dict[int, FitReport | str]:
    out: dict[int, FitReport | str] = {}
    for entry_id, info in infos.items():
        if isinstance(info, ModelFileError):
            out[entry_id] = translate("Library", "Cannot read the model: {error}").format(error=user_message(info))
        elif info.shape is None:
            out[entry_id] = info.shape_note or info.unsafe_reason or translate("Library", "shape unknown")
        else:
            out[entry_id] = fit(info.shape, hw, replace(options, context=effective_context(options.context, info)))
    return out


class LibraryPage(QWidget):
    """Models in the catalog; `import_paths` is what a drop or File > Import calls."""

    title = "Library"
    status_message = Signal(str, int)
    """Text for the window's status bar and how long to show it (ms, 0 = until replaced)."""
    models_changed = Signal(list)
    quantize_requested = Signal(object)
    codeeval_requested = Signal(object)
    chat_requested = Signal(object)
    """A CatalogEntry to chat with (the Chat button of a GGUF model)."""
    """A CatalogEntry (GGUF) the user chose "Quantize…" for; the window opens the Jobs page's dialog."""
    """[(label, ModelShape)] of the present models whose shape is known (the calculator lists them)."""

    def __init__(
        self, catalog: Catalog, models_dir: Path, *, options: FitOptions | None = None, demo: bool = False,
        claimed: Callable[[], Collection[Path]] | None = None, parent: QWidget | None = None,
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self.setObjectName("library-page")
        self.catalog = catalog
        self.models_dir = models_dir
        self._options = options or FitOptions(context=8192)
        self._hw: HardwareReport | None = None
        self.tasks = TaskGroup(self)
        self.destroyed.connect(self.tasks.close)  # a page deleted without shutdown() drops its late results too
        self._read: dict[int, Read] = {}
        """What the last read of the present models found (no cache of its own: HEADERS is the one)."""
        self._inspecting = False
        self._inspect_again = False
        self._fit_generation = 0
        self._pending_select: int | None = None
        self._details_key: tuple[int, int, float] | None = None

        self.model = LibraryModel(self)
        self.proxy = LibraryFilter(self)
        self.proxy.setSourceModel(self.model)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText(translate("Library", "Filter by name, architecture, quantization"))
        self.filter.setClearButtonEnabled(True)
        self.format = QComboBox()
        self.format.addItem(translate("Library", "All formats"), None)
        for fmt, name in FORMAT_NAMES.items():
            self.format.addItem(translate("Library", name), fmt)
        self.fits = QComboBox()
        for choice in FitFilter:
            self.fits.addItem(translate("Library", choice.value), choice)
        self.import_files_action = library_actions.import_files_action(self, self)
        self.import_folder_action = library_actions.import_folder_action(self, self)
        self.import_button = library_actions.import_button(self, self.import_files_action, self.import_folder_action)
        self.count = QLabel()
        self.count.setObjectName("muted")
        toolbar = QHBoxLayout()
        toolbar.addWidget(self.filter, 1)
        toolbar.addWidget(self.format)
        toolbar.addWidget(self.fits)
        toolbar.addWidget(self.count)
        toolbar.addStretch()
        toolbar.addWidget(self.import_button)

        self.banner = Banner()
        self.progress = ProgressRow()
        self.table = LibraryTable(self.proxy)
        self.details = ModelDetails(self._options)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.details)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([600, 460])
        self.splitter.setChildrenCollapsible(False)

        heading = QLabel(translate("Library", "Library"))
        heading.setObjectName("heading")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 12)
        layout.setSpacing(10)
        layout.addWidget(heading)
        layout.addLayout(toolbar)
        layout.addWidget(self.banner)
        layout.addWidget(self.progress)
        layout.addWidget(self.splitter, 1)

        self.jobs = LibraryJobs(
            catalog,
            models_dir,
            self.tasks,
            progress=self.progress,
            banner=self.banner,
            demo=demo,
            claimed=claimed,
            parent=self,
        )

        self.filter.textChanged.connect(self._on_filter_text_changed)
        self.format.currentIndexChanged.connect(self._on_format_current_index_changed)
        self.fits.currentIndexChanged.connect(self._on_fits_current_index_changed)
        self.proxy.rowsInserted.connect(self._update_count)
        self.proxy.rowsRemoved.connect(self._update_count)
        self.proxy.modelReset.connect(self._update_count)
        self.proxy.layoutChanged.connect(self._update_count)
        self.table.selectionModel().currentRowChanged.connect(self._on_table_current_row_changed)
        self.details.delete_requested.connect(self._on_details_delete_requested)
        self.details.context_changed.connect(self._on_details_context_changed)
        self.quantize_action = library_actions.quantize_action(self)
        self.codeeval_action = library_actions.codeeval_action(self)
        self.redteam_action = library_actions.redteam_action(self)
        self._add_row_actions()
        self.jobs.changed.connect(self._on_jobs_changed)
        self.jobs.status_message.connect(self.status_message)
        self.jobs.hashing_changed.connect(self.details.set_hashing)
        self._restore_state()
        self.refresh()

    def start(self) -> None:
        """Begin the background upkeep: the demo model into an empty library (if asked for), then a scan and watching."""
        self.jobs.start(library_empty=not self.model.rowCount())

    # --- public ------------------------------------------------------------------------------------------------------
    def set_hardware(self, hw: HardwareReport) -> None:
        """The machine the fit column and the panel judge against (the Hardware page's report)."""
        self._hw = hw
        self.details.set_hardware(hw)
        self._recompute_fits()

    def import_paths(self, paths: Sequence[Path], *, mode: ImportMode | None = None, force_ask: bool = False) -> None:
        """Import files or folders: asks copy/move/keep (unless `mode` is given or the user chose not to be asked)."""
        paths = [Path(p) for p in paths]
        if not paths:
            return
        if mode is None:
            mode = choose_import_mode(paths, self.models_dir, self, store=self.catalog.store, force_ask=force_ask)
            if mode is None:
                return
        self.banner.clear()
        self.jobs.import_paths(paths, mode)

    def ask_import_files(self) -> None:
        """File > Import files…: pick files, then always ask how (the place to change a "don't ask again")."""
        self.import_paths(library_actions.pick_files(self), force_ask=True)

    def ask_import_folder(self) -> None:
        self.import_paths(library_actions.pick_folder(self), force_ask=True)

    def refresh(self) -> None:
        """Re-read the catalog rows (a small SQLite query) and start what follows: header reads, fits, hashes."""
        if self.tasks.closed:
            return
        entries = self.catalog.entries()
        self.model.set_entries(entries)
        shown = self.details.entry()
        if shown is not None:
            self.details.set_entry(next((e for e in entries if e.id == shown.id), None))
        if self._pending_select is not None and self.select(self._pending_select):
            self._pending_select = None
        elif self.details.entry() is None and self.proxy.rowCount():
            self.table.setCurrentIndex(self.proxy.index(0, 0))
        self._inspect_changed()
        self.jobs.hash_next(entries)

    def select(self, entry_id: int) -> bool:
        """Select a model's row (clearing a filter that hides it); False if it is not in the table."""
        row = self.model.row_of(entry_id)
        if row < 0:
            return False
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if not index.isValid():
            self.filter.clear()
            self.format.setCurrentIndex(0)
            self.fits.setCurrentIndex(0)
            index = self.proxy.mapFromSource(self.model.index(row, 0))
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        self.table.selectionModel().setCurrentIndex(index, flags)
        self.table.scrollTo(index)
        return True

    def busy(self) -> bool:
        """True while anything is queued or running (tests and screenshots wait for it)."""
        return bool(self.tasks.pending() or self.jobs.busy())

    def shutdown(self) -> None:
        """Stop: cancel copies and hashes, drop later results, stop watching. The caller waits for the pool."""
        state = ui_state()
        state.setValue("library/header", self.table.horizontalHeader().saveState())
        state.setValue("library/splitter", self.splitter.saveState())
        state.sync()
        self.jobs.stop()
        self.tasks.close()
        if self.tasks.pending():
            log.info("Closing with background work still running: %s", ", ".join(self.tasks.running()))

    def _on_jobs_changed(self, select: int | None) -> None:
        if select is not None:
            self._pending_select = select
        self.refresh()

    # --- header reads and fits -----------------------------------------------------------------------------------------
    def _inspect_changed(self) -> None:
        if self._inspecting:
            self._inspect_again = True
            return
        present = [e for e in self.model.entries() if not e.missing]
        self._inspecting = True
        self.tasks.start(lambda: _inspect_all(present), self._on_inspect_done, self._on_inspect_failed,
                         what="header reads")  # fmt: skip

    def _on_inspect_done(self, read: dict[int, Read]) -> None:
        self._inspecting = False
        self._read = read
        if self._inspect_again:
            self._inspect_again = False
            self._inspect_changed()
        self._after_inspect()

    def _on_inspect_failed(self, message: str) -> None:
        self._inspecting = False
        log.warning("Reading model headers failed: %s", message)

    def _after_inspect(self) -> None:
        present = {e.id: e for e in self.model.entries() if not e.missing}
        models: list[tuple[str, ModelShape]] = []
        for entry_id, (_, info) in self._read.items():
            entry = present.get(entry_id)
            if entry is not None and isinstance(info, ModelInfo) and info.shape is not None:
                label = f"{entry.name} · {entry.quantization}" if entry.quantization else entry.name
                models.append((label, info.shape))
        self.models_changed.emit(sorted(models, key=lambda m: m[0].casefold()))
        self._recompute_fits()
        self._load_selected_details()

    def _recompute_fits(self) -> None:
        if self._hw is None or self.tasks.closed:
            return
        self._fit_generation += 1
        generation, hw = self._fit_generation, self._hw
        options = replace(self._options, context=self.details.chosen_context())
        infos = {k: v for k, (_, v) in self._read.items()}
        self.tasks.start(lambda: (generation, _fits(infos, hw, options)), self._on_fits_done, what="fit column")

    def _on_fits_done(self, result: tuple[int, dict[int, FitReport | str]]) -> None:
        generation, fits = result
        if generation == self._fit_generation:
            self.model.set_fits(fits)
            self.proxy.invalidate()  # the fit filter and the fit sort depend on them

    # --- selection and the detail panel --------------------------------------------------------------------------------
    def _on_table_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        entry = current.data(ENTRY_ROLE) if current.isValid() else None
        self.details.set_entry(entry if isinstance(entry, CatalogEntry) else None)
        self.quantize_action.setEnabled(library_actions.can_quantize(self.details.entry()))
        self.codeeval_action.setEnabled(library_actions.can_chat(self.details.entry()))
        self.redteam_action.setEnabled(library_actions.can_chat(self.details.entry()))
        self.details.quantize.setEnabled(self.quantize_action.isEnabled())
        self.details.chat.setEnabled(library_actions.can_chat(self.details.entry()))
        self._details_key = None
        self._load_selected_details()

    def _load_selected_details(self) -> None:
        entry = self.details.entry()
        if entry is None or entry.missing:
            return
        key = (entry.id, entry.size_bytes, entry.mtime)
        if key == self._details_key:
            return  # loaded or on its way
        self._details_key = key
        read = self._read.get(entry.id)
        if read is not None and read[0] == key[1:] and isinstance(read[1], ModelInfo):
            self.details.set_details(entry.id, Details(read[1]))  # at once; the tensor list follows
        path, entry_id = entry.path, entry.id
        self.tasks.start(
            lambda: (entry_id, load_details(path)),
            self._on_details_loaded,
            lambda message: self.details.set_details(entry_id, None, message),
            what=f"details of {entry.name}",
        )

    def _on_details_loaded(self, result: tuple[int, Details]) -> None:
        self.details.set_details(*result)

    def _on_details_context_changed(self, _context: int) -> None:
        self._recompute_fits()

    def _on_details_delete_requested(self, entry: CatalogEntry) -> None:
        answer = library_actions.confirm_delete(self, entry, self.models_dir)
        if answer is not None:
            self.jobs.delete(entry, delete_files=answer)

    # --- toolbar -----------------------------------------------------------------------------------------------------
    def _on_filter_text_changed(self, text: str) -> None:
        self.proxy.set_text(text)
        self._update_count()

    def _on_format_current_index_changed(self, _index: int) -> None:
        fmt = self.format.currentData()
        self.proxy.set_format(fmt if isinstance(fmt, ModelFormat) else None)
        self._update_count()

    def _on_fits_current_index_changed(self, _index: int) -> None:
        self.proxy.set_fit(self.fits.currentData())
        self._update_count()

    def _update_count(self, *_: object) -> None:
        total, shown = self.model.rowCount(), self.proxy.rowCount()
        if shown == total:
            self.count.setText(translate("Library", "%n model(s)", None, total))
        else:
            self.count.setText(translate("Library", "{shown} of %n model(s)", None, total).format(shown=shown))

    def _add_row_actions(self) -> None:
        """Right-click on a row (and the Delete key): the panel's actions for the selected model."""
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        for text, button, key in (
            (translate("Library", "Show in folder"), self.details.reveal, None),
            (translate("Library", "Delete…"), self.details.delete, QKeySequence.StandardKey.Delete),
        ):
            action = QAction(text, self.table)
            if key is not None:
                action.setShortcut(key)
                action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            action.triggered.connect(button.click)
            self.table.addAction(action)
        self.table.addAction(self.quantize_action)
        self.table.addAction(self.codeeval_action)
        self.table.addAction(self.redteam_action)
        self.details.quantize.setToolTip(self.quantize_action.toolTip())
        self.details.quantize.clicked.connect(self.quantize_action.trigger)
        self.details.chat.setToolTip(translate("Library", "Chat with this model: it loads with the settings that fit this "
                                               "machine (you see the memory estimate first)"))  # fmt: skip
        self.details.chat.clicked.connect(self._on_chat_clicked)

    def _on_chat_clicked(self) -> None:
        entry = self.details.entry()
        if library_actions.can_chat(entry):
            self.chat_requested.emit(entry)

    def _on_codeeval_action_triggered(self) -> None:
        entry = self.details.entry()
        if library_actions.can_chat(entry):
            self.codeeval_requested.emit(entry)

    def _on_redteam_action_triggered(self) -> None:
        from app.ui.library.redteam_dialog import RedTeamDialog

        entry = self.details.entry()
        if entry is not None and library_actions.can_chat(entry):
            dialog = RedTeamDialog(entry.path, self)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.show()

    def _on_quantize_action_triggered(self) -> None:
        entry = self.details.entry()
        if library_actions.can_quantize(entry):
            self.quantize_requested.emit(entry)

    def _restore_state(self) -> None:
        state = ui_state()
        header = state.value("library/header")
        if isinstance(header, QByteArray) and self.table.horizontalHeader().restoreState(header):
            self.table.sync_column_actions()
        else:
            self.table.sortByColumn(Column.NAME, Qt.SortOrder.AscendingOrder)
        splitter = state.value("library/splitter")
        if isinstance(splitter, QByteArray):
            self.splitter.restoreState(splitter)
