"""The Downloads panel: the queue's rows with progress, speed and time left; pause, resume, cancel, retry, remove.

Every queue call runs in the pool (they write SQLite and may delete partial files); the rows change when the queue reports
back through the queue's `changed` event (app.ui.common.marshal), never because a button was clicked.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.hub.download_rows import FINISHED, Download, DownloadState
from app.ui.common.format import size_text
from app.ui.common.i18n import translate
from app.ui.common.marshal import Marshaller
from app.ui.common.messages import text as message_text
from app.ui.common.tasks import TaskGroup
from app.ui.discover.downloads_model import DOWNLOAD_ROLE, DownloadColumn, DownloadsModel, ProgressDelegate

if TYPE_CHECKING:
    from app.hub.downloads import DownloadQueue
    from app.hub.files import FileGroup
    from app.store import Store

log = logging.getLogger(__name__)
BODY_HEIGHT = 190
MAX_PARALLEL = 8


class DownloadsPanel(QFrame):
    """A collapsible section: a header line (what runs, parallel downloads) over the table and its buttons."""

    status_message = Signal(str, int)
    download_changed = Signal(object)
    """A Download, after its row was updated."""
    download_finished = Signal(object)
    """A Download that has just become DONE (registered in the Library)."""
    show_in_library = Signal(int)
    """A Library (catalog) id to show."""
    summary_changed = Signal(str)

    def __init__(self, queue: DownloadQueue | None, *, store: Store | None = None,
                 parallel: int = 2, parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.setObjectName("downloads-panel")
        self.queue = queue
        self.store = store
        self.tasks = TaskGroup(self)
        self.destroyed.connect(self.tasks.close)
        self.model = DownloadsModel(self)

        self.toggle = QToolButton()
        self.toggle.setObjectName("downloads-toggle")
        self.toggle.setCheckable(True)
        self.toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.toggle.setAutoRaise(True)
        self.toggle.toggled.connect(self._on_toggle_toggled)
        self.summary = QLabel()
        self.summary.setObjectName("muted")
        self.summary.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)  # elided, never widens
        self.parallel = QSpinBox()
        self.parallel.setRange(1, MAX_PARALLEL)
        self.parallel.setValue(max(1, min(MAX_PARALLEL, parallel)))
        self.parallel.setToolTip(translate("Discover", "How many downloads run at the same time"))
        self.parallel.valueChanged.connect(self._on_parallel_value_changed)
        header = QHBoxLayout()
        header.setContentsMargins(0, 0, 0, 0)
        header.addWidget(self.toggle)
        header.addWidget(self.summary, 1)
        header.addWidget(QLabel(translate("Discover", "Parallel downloads")))
        header.addWidget(self.parallel)

        self.table = QTableView()
        self.table.setObjectName("downloads-table")
        self.table.setModel(self.model)
        self.table.setItemDelegate(ProgressDelegate(self.table))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(28)
        h = self.table.horizontalHeader()
        h.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        h.setHighlightSections(False)
        h.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        h.setStretchLastSection(True)
        for column, width in ((DownloadColumn.NAME, 260), (DownloadColumn.REPOSITORY, 250), (DownloadColumn.PROGRESS, 210),
                              (DownloadColumn.SPEED, 86), (DownloadColumn.ETA, 86)):  # fmt: skip
            self.table.setColumnWidth(column, width)
        self.table.doubleClicked.connect(self._on_table_double_clicked)
        self.table.selectionModel().currentRowChanged.connect(self._on_table_current_row_changed)

        self.pause = QPushButton(translate("Discover", "Pause"))
        self.resume = QPushButton(translate("Discover", "Resume"))
        self.cancel = QPushButton(translate("Discover", "Cancel"))
        self.retry = QPushButton(translate("Discover", "Retry"))
        self.remove = QPushButton(translate("Discover", "Remove"))
        self.remove.setToolTip(translate("Discover", "Remove from this list (a finished model stays in the Library)"))
        self.reveal = QPushButton(translate("Discover", "Show in Library"))
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        for b, slot in ((self.pause, self._on_pause_clicked), (self.resume, self._on_resume_clicked),
                        (self.cancel, self._on_cancel_clicked), (self.retry, self._on_retry_clicked),
                        (self.remove, self._on_remove_clicked)):  # fmt: skip
            b.clicked.connect(slot)
            buttons.addWidget(b)
        buttons.addStretch()
        buttons.addWidget(self.reveal)
        self.reveal.clicked.connect(self._on_reveal_clicked)

        self.body = QWidget()
        body = QVBoxLayout(self.body)
        body.setContentsMargins(0, 4, 0, 0)
        body.setSpacing(6)
        body.addWidget(self.table, 1)
        body.addLayout(buttons)
        self.body.setFixedHeight(BODY_HEIGHT)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 4, 10, 6)
        layout.setSpacing(2)
        layout.addLayout(header)
        layout.addWidget(self.body)
        self.body.hide()

        self.marshaller = Marshaller(self)
        if queue is not None:
            self.marshaller.subscribe(queue.changed, self._on_queue_changed)
        self._update_summary()
        self._update_buttons()

    # --- public ------------------------------------------------------------------------------------------------------
    def start(self) -> None:
        """Start the queue (interrupted downloads resume) and list what it holds; in the pool."""
        queue = self.queue
        if queue is None:
            return

        def start() -> list[Download]:
            queue.start()
            return queue.list()

        self.tasks.start(start, self._on_started, self._on_queue_failed, what="download queue start")

    def add(self, repo_id: str, group: FileGroup, *, then_quantize: Sequence[str] = ()) -> None:
        """Queue a file group of a repository; `then_quantize`: types to quantize it to once
        it is in the Library (the main window queues that recipe)."""
        queue = self.queue
        if queue is None:
            return
        self.set_expanded(True)
        self.tasks.start(lambda: queue.add(repo_id, group, then_quantize=then_quantize),
                         self._on_added, self._on_queue_failed, what=f"queue {repo_id}")  # fmt: skip

    def set_expanded(self, expanded: bool) -> None:
        self.toggle.setChecked(expanded)

    def busy(self) -> bool:
        return self.tasks.pending() > 0

    def shutdown(self) -> None:
        """Drop late results; the owner closes the queue itself."""
        self.tasks.close()

    def summary_text(self) -> str:
        return self.summary.text()

    # --- queue calls -------------------------------------------------------------------------------------------------
    def _selected(self) -> Download | None:
        index = self.table.currentIndex()
        d = index.data(DOWNLOAD_ROLE) if index.isValid() else None
        return d if isinstance(d, Download) else None

    def _call(self, what: str, fn: Callable[[DownloadQueue, int], object], *, then: Callable[[object], None] | None = None
              ) -> None:  # fmt: skip
        queue, d = self.queue, self._selected()
        if queue is None or d is None:
            return
        download_id = d.id
        self.tasks.start(lambda: fn(queue, download_id), then or (lambda _r: None), self._on_queue_failed,
                         what=f"{what} download {download_id}")  # fmt: skip

    def _on_pause_clicked(self) -> None:
        self._call("pause", lambda q, i: q.pause(i))

    def _on_resume_clicked(self) -> None:
        self._call("resume", lambda q, i: q.resume(i))

    def _on_cancel_clicked(self) -> None:
        self._call("cancel", lambda q, i: q.cancel(i))

    def _on_retry_clicked(self) -> None:
        self._call("retry", lambda q, i: q.retry(i))

    def _on_remove_clicked(self) -> None:
        d = self._selected()
        if d is not None:
            download_id = d.id
            self._call("remove", lambda q, i: q.remove(i), then=lambda _r: self._on_removed(download_id))

    def _on_removed(self, download_id: int) -> None:
        self.model.remove(download_id)
        self._update_summary()
        self._update_buttons()

    def _on_reveal_clicked(self) -> None:
        d = self._selected()
        if d is not None and d.model_id is not None:
            self.show_in_library.emit(d.model_id)

    def _on_table_double_clicked(self, index: QModelIndex) -> None:
        d = index.data(DOWNLOAD_ROLE)
        if isinstance(d, Download) and d.model_id is not None:
            self.show_in_library.emit(d.model_id)

    def _on_parallel_value_changed(self, n: int) -> None:
        queue, store = self.queue, self.store

        def apply() -> None:
            if queue is not None:
                queue.set_parallel(n)
            if store is not None:
                from app.settings import save_setting

                save_setting(store, "parallel_downloads", n)

        self.tasks.start(apply, lambda _r: None, self._on_queue_failed, what="parallel downloads")

    def _on_queue_failed(self, message: str) -> None:
        self.status_message.emit(translate("Discover", "Downloads: {error}").format(error=message), 8000)

    # --- what the queue reports ----------------------------------------------------------------------------------------
    def _on_started(self, downloads: list[Download]) -> None:
        # Reports that arrived while listing are newer than the list: keep them.
        live = {d.id: d for d in self.model.downloads()}
        self.model.set_downloads([live.get(d.id, d) for d in downloads])
        for d in self.model.downloads():
            self.download_changed.emit(d)
        if self.model.active():
            self.set_expanded(True)
        self._update_summary()
        self._update_buttons()

    def _on_added(self, d: Download) -> None:
        if self.model.row_of(d.id) < 0:
            self._on_queue_changed(d)
        self.table.selectRow(self.model.row_of(d.id))

    def _on_queue_changed(self, d: Download) -> None:
        old = self.model.update(d)
        if d.state is DownloadState.DONE and (old is None or old.state is not DownloadState.DONE):
            self.download_finished.emit(d)
        elif d.state is DownloadState.FAILED and (old is None or old.state is not DownloadState.FAILED):
            error = message_text(d.error_text)
            text = translate("Discover", "Download of {name} failed: {error}").format(name=d.name, error=error)
            self.status_message.emit(text, 10_000)
        self.download_changed.emit(d)
        self._update_summary()
        if (s := self._selected()) is not None and s.id == d.id:
            self._update_buttons()

    def _on_table_current_row_changed(self, *_: object) -> None:
        self._update_buttons()

    def _on_toggle_toggled(self, expanded: bool) -> None:
        self.toggle.setArrowType(Qt.ArrowType.DownArrow if expanded else Qt.ArrowType.RightArrow)
        self.body.setVisible(expanded)

    def _update_buttons(self) -> None:
        d = self._selected()
        state = d.state if d is not None else None
        self.pause.setEnabled(state in (DownloadState.QUEUED, DownloadState.RUNNING))
        self.resume.setEnabled(state is DownloadState.PAUSED)
        self.cancel.setEnabled(state in (DownloadState.QUEUED, DownloadState.RUNNING, DownloadState.PAUSED,
                                         DownloadState.FAILED))  # fmt: skip
        self.retry.setEnabled(state in (DownloadState.FAILED, DownloadState.CANCELLED))
        self.remove.setEnabled(state in FINISHED)
        self.reveal.setEnabled(d is not None and d.model_id is not None and state is DownloadState.DONE)

    def _update_summary(self) -> None:
        rows = self.model.downloads()
        running = [d for d in rows if d.state is DownloadState.RUNNING]
        queued = [d for d in rows if d.state is DownloadState.QUEUED]
        downloads = translate("Discover", "Downloads")
        self.toggle.setText(f"{downloads} ({len(rows)})" if rows else downloads)
        if running or queued:
            active = running + queued
            done = sum(d.done_bytes for d in active)
            total = sum(d.total_bytes for d in active)
            speed = sum(d.speed_bps for d in running)
            parts = [translate("Discover", "{count} running").format(count=len(running))]
            if queued:
                parts.append(translate("Discover", "{count} queued").format(count=len(queued)))
            parts.append(translate("Discover", "{done} of {total}").format(done=size_text(done), total=size_text(total)))
            if speed > 0:
                from app.ui.discover.downloads_model import speed_text

                parts.append(speed_text(speed))
            text = " · ".join(parts)
        elif rows:
            failed = sum(d.state is DownloadState.FAILED for d in rows)
            paused = sum(d.state is DownloadState.PAUSED for d in rows)
            bits = [translate("Discover", "{count} paused").format(count=paused)] if paused else []
            bits += [translate("Discover", "{count} failed").format(count=failed)] if failed else []
            text = " · ".join(bits) if bits else translate("Discover", "Nothing downloading")
        else:
            text = translate("Discover", "Nothing downloading. Pick a file in a repository and click Download.")
        if text != self.summary.text():
            self.summary.setText(text)
            self.summary_changed.emit(text if running or queued else "")
