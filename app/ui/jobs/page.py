"""The Jobs page: the quantization queue with progress, ETA and logs, its actions, and the evaluation results view.

The queue, its runner and the registration of finished outputs belong to an `app.jobs.JobService` (the Workbench's, or
one of the page's own when it is given none). Its events (runner threads, each with a ready snapshot of the job) reach
the page through a `Marshaller` on the GUI thread: no widget is touched from a runner thread and the GUI thread never
polls the database. Queue actions (cancel, retry, move...) run in the pool and hand back a fresh snapshot.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QSplitter,
    QSystemTrayIcon,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.jobs import JobService
from app.library.catalog import Catalog, CatalogEntry
from app.settings import save_setting
from app.store import Store
from app.ui.common.errors import error_line
from app.ui.common.i18n import translate
from app.ui.common.marshal import Marshaller
from app.ui.common.messages import said
from app.ui.common.tasks import TaskGroup
from app.ui.jobs.calls import ALREADY_EVALUATED, Snapshot, evaluable_outputs, evaluate_specs, new_evaluations, snapshot
from app.ui.jobs.log_view import JobLogView
from app.ui.jobs.queue_model import JOB_ROLE, JobsModel, jobs_table, title_text
from app.ui.jobs.results_chart import ResultsView
from hardware.fit import FitOptions
from hardware.report import HardwareReport
from quantize.queue import RETRYABLE, Job, JobQueue, JobState
from quantize.spec import CodeEvalSpec, EvaluateSpec, JobSpec, SpecError
from quantize.types import gguf_type

log = logging.getLogger(__name__)
TICK_MS = 500  # the ETA countdown and the running job's log


class JobsPage(QWidget):
    """The queue (table, actions, log) and the results view, in two tabs."""

    title = "Jobs"
    status_message = Signal(str, int)
    library_changed = Signal()
    """A finished job's outputs were registered in the Library."""
    notified = Signal(str, str)
    """(title, text) of a desktop notification that was shown (a job ended while the window was not active)."""

    def __init__(self, queue: JobQueue, *, catalog: Catalog | None, models_dir: Path, options: FitOptions | None = None,
                 python_for: Callable[[JobSpec], list[str]] | None = None, results_db: Path | None = None,
                 service: JobService | None = None, store: Store | None = None,
                 parent: QWidget | None = None) -> None:  # fmt: skip
        """`service`: the Workbench's jobs (the page then neither starts nor stops its runner's lifetime alone); else the
        page makes one of `queue`, `catalog`, `models_dir`, `python_for` and `results_db` and stops it on shutdown.
        `store`: where the parallel jobs spin box keeps its value (the `parallel_jobs` setting); None: the queue only."""
        super().__init__(parent)
        self.setObjectName("jobs-page")
        self.queue = queue
        self.store = store
        self.catalog = catalog
        self.models_dir = models_dir
        self.options = options or FitOptions(context=8192)
        self._hw: HardwareReport | None = None
        self.tasks = TaskGroup(self)
        self.destroyed.connect(self.tasks.close)
        self._own_service = service is None
        self.service = service if service is not None else JobService(
            queue, catalog=catalog, models_dir=models_dir, python_for=python_for, results_db=results_db)  # fmt: skip
        self.runner = self.service.runner
        self.marshaller = Marshaller(self)
        self._started = False
        self._notice_job: int | None = None
        self._tray: QSystemTrayIcon | None = None
        self.window_active: Callable[[], bool] = lambda: self.window().isActiveWindow()
        """Whether the user looks at the window (then a finished job needs no notification); tests replace it."""

        heading = QLabel(translate("Jobs", "Jobs"))
        heading.setObjectName("heading")
        self.tabs = QTabWidget()
        self.tabs.addTab(self._build_queue_tab(), translate("Jobs", "Queue"))
        self.results = ResultsView(self.service.results_db)
        self.tabs.addTab(self.results, translate("Jobs", "Results"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 12)
        layout.setSpacing(10)
        top = QHBoxLayout()  # the queue's settings beside the heading: the action row stays narrow for small windows
        top.addWidget(heading)
        top.addStretch()
        top.addWidget(self.pause)
        top.addWidget(QLabel(translate("Jobs", "Parallel jobs")))
        top.addWidget(self.parallel)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)

        self.marshaller.subscribe(self.service.changed, self._on_job_changed)
        self.marshaller.subscribe(self.service.removed, self._on_job_removed)
        self.marshaller.subscribe(self.service.finished, self._on_job_finished)
        self.timer = QTimer(self)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._on_timer_timeout)
        self._update_actions()

    def _build_queue_tab(self) -> QWidget:
        self.model = JobsModel(self)
        self.table = jobs_table(self.model)

        self.cancel_button = QPushButton(translate("Jobs", "Cancel"))
        self.retry_button = QPushButton(translate("Jobs", "Retry"))
        self.remove_button = QPushButton(translate("Jobs", "Remove"))
        self.up_button = QPushButton("↑")
        self.up_button.setToolTip(translate("Jobs", "Move the queued job up: it starts earlier"))
        self.down_button = QPushButton("↓")
        self.down_button.setToolTip(translate("Jobs", "Move the queued job down"))
        for arrow in (self.up_button, self.down_button):
            arrow.setFixedWidth(40)
        self.evaluate_button = QPushButton(translate("Jobs", "Evaluate"))
        self.evaluate_button.setToolTip(translate("Jobs", "Measure the finished job's output: perplexity, KL divergence "
                                                          "against the model it was made from, and speed (a job of its own; "
                                                          "see Results)"))  # fmt: skip
        self.pause = QCheckBox(translate("Jobs", "Pause the queue"))
        self.pause.setToolTip(translate("Jobs", "Running jobs go on; no new job starts while paused"))
        self.parallel = QSpinBox()
        self.parallel.setRange(1, 8)
        self.parallel.setToolTip(translate("Jobs", "How many jobs run at once: quantization is memory hungry, so 1 is the "
                                                   "default"))
        self.summary = QLabel()
        self.summary.setObjectName("muted")
        self.summary.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)  # never widens the window
        bar = QHBoxLayout()
        buttons = (self.cancel_button, self.retry_button, self.remove_button, self.up_button, self.down_button,
                   self.evaluate_button)  # fmt: skip
        for button in buttons:
            bar.addWidget(button)
        self.notice = QLabel()
        self.notice.setObjectName("warning")
        self.notice.hide()
        bar.addWidget(self.notice)
        bar.addWidget(self.summary, 1)

        self.log_view = JobLogView(self.queue, self.tasks)
        self.empty = QLabel(translate("Jobs", "No jobs yet. Right-click a model in the Library and choose Quantize… to "
                                              "make smaller files."))
        self.empty.setObjectName("muted")
        self.empty.setWordWrap(True)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.log_view)
        self.splitter.setSizes([380, 200])
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.empty)
        layout.addWidget(self.splitter, 1)

        self.cancel_button.clicked.connect(self._on_cancel_button_clicked)
        self.retry_button.clicked.connect(self._on_retry_button_clicked)
        self.remove_button.clicked.connect(self._on_remove_button_clicked)
        self.up_button.clicked.connect(self._on_up_button_clicked)
        self.down_button.clicked.connect(self._on_down_button_clicked)
        self.evaluate_button.clicked.connect(self._on_evaluate_button_clicked)
        self.pause.toggled.connect(self._on_pause_toggled)
        self.parallel.valueChanged.connect(self._on_parallel_value_changed)
        self.table.selectionModel().currentRowChanged.connect(self._on_table_current_row_changed)
        self.model.modelReset.connect(self._update_actions)
        self.model.rowsInserted.connect(self._update_actions)
        self.model.rowsRemoved.connect(self._update_actions)
        self.model.dataChanged.connect(self._update_actions)
        return box

    # --- lifetime ----------------------------------------------------------------------------------------------------
    def start(self) -> None:
        """Start the runner and read the queue and the results (once)."""
        if self._started:
            return
        self._started = True
        self.service.start()
        self.timer.start()
        self.reload()
        self.results.reload()

    def shutdown(self) -> None:
        """The app is closing: running workers are stopped (their jobs become interrupted and can be retried)."""
        self.timer.stop()
        if self._started and self._own_service:
            self.service.stop()
        self._started = False
        self.tasks.close()
        self.results.tasks.close()
        if self._tray is not None:
            self._tray.hide()

    def busy(self) -> bool:
        return bool(self.tasks.pending() or self.results.busy())

    # --- public ------------------------------------------------------------------------------------------------------
    def set_hardware(self, hw: HardwareReport) -> None:
        """The machine the Quantize dialog judges its fit verdicts against."""
        self._hw = hw

    def reload(self) -> None:
        """Read the whole queue in the pool."""
        self._call(lambda: None, what="reading the queue")

    def add_specs(self, specs: Sequence[JobSpec], *, evaluate: bool = False) -> None:
        """Queue these jobs (in the pool) and wake the runner; `evaluate`: each quantization is then measured against its
        source (a job that waits for it)."""
        service = self.service
        queued = list(specs)
        self._call(lambda: service.add_specs(queued, evaluate=evaluate), what="adding jobs")
        if specs:
            count = len(specs)
            self.status_message.emit(translate("Jobs", "Queued %n job(s)", None, count), 5000)

    def add_recipe(self, source: Path, types: list[str], *, evaluate: bool = True, out_dir: Path | None = None,
                   then: Callable[[], None] | None = None, trust_remote_code: bool = False) -> None:  # fmt: skip
        """Queue a recipe (in the pool): a Hugging Face folder is converted to GGUF first, then quantized to each type,
        and each result evaluated against the unquantized model when `evaluate`. The files go to `out_dir` (default: the
        models folder). `then` runs in the pool once the jobs are in the queue (not when queueing failed).
        `trust_remote_code`: the user allowed the folder's own Python code to run (else a folder with code is refused)."""
        service = self.service
        try:
            for name in types:  # before anything is queued: an unknown type would leave a lone conversion behind
                gguf_type(name)
        except SpecError as e:
            self.status_message.emit(translate("Jobs", "Not queued: {error}").format(error=error_line(e)), 10_000)
            return

        def add() -> None:
            service.add_recipe(source, types, out_dir=out_dir, evaluate=evaluate, trust_remote_code=trust_remote_code)
            if then is not None:
                then()

        self._call(add, what=f"queueing {source.name}")
        text = translate("Jobs", "Queued: {name} to {types}").format(name=source.name, types=", ".join(types))
        self.status_message.emit(text, 5000)

    def ask_quantize(self, entry: CatalogEntry, parent: QWidget | None = None) -> bool:
        """The Library's "Quantize…": the dialog, then its jobs queued — for a safetensors folder a recipe (convert to
        F16, quantize, evaluate). False when nothing was queued."""
        from app.ui.jobs.quantize_dialog import QuantizeDialog
        from app.ui.library.actions import can_quantize

        if not can_quantize(entry):
            text = translate("Jobs", "{name}: only GGUF files and Hugging Face safetensors folders present on disk can be "
                                     "quantized here")
            self.status_message.emit(text.format(name=entry.name), 8000)
            return False
        dialog = QuantizeDialog(entry, hardware=self._hw, options=self.options, out_dir=self.models_dir,
                                parent=parent or self)  # fmt: skip
        try:
            if dialog.exec() != QuantizeDialog.DialogCode.Accepted.value:
                return False
            evaluate, convert, types = dialog.evaluate.isChecked(), dialog.convert_mode, dialog.checked_types()
            trust = dialog.trust_remote_code  # asked in the dialog, after it listed the folder's code files
            specs: list[JobSpec] = [] if convert else list(dialog.specs())
        finally:
            dialog.deleteLater()
        if convert:  # entry.path is the folder (can_quantize): convert, then quantize, then evaluate
            if types:
                self.add_recipe(Path(entry.path), types, evaluate=evaluate, trust_remote_code=trust)
            return bool(types)
        self.add_specs(specs, evaluate=evaluate)
        return bool(specs)

    def ask_codeeval(self, entry: CatalogEntry, parent: QWidget | None = None) -> bool:
        """The Library's "Evaluate code…": the dialog, then one code evaluation job per mode. False when nothing was
        queued."""
        from app.jobs import codeeval_specs
        from app.ui.jobs.codeeval_dialog import CodeEvalDialog
        from app.ui.library.actions import can_chat

        if not can_chat(entry):
            text = translate("Jobs", "{name}: only GGUF models present on disk can write code here")
            self.status_message.emit(text.format(name=entry.name), 8000)
            return False
        dialog = CodeEvalDialog(entry, parent=parent or self)
        try:
            if dialog.exec() != QDialog.DialogCode.Accepted.value:
                return False
            specs = codeeval_specs(Path(entry.path), reasonings=dialog.reasonings, problems=dialog.problems,
                                   samples=dialog.samples.value())  # fmt: skip
        finally:
            dialog.deleteLater()
        self.add_specs(specs)
        return bool(specs)

    def selected_job(self) -> Job | None:
        index = self.table.currentIndex()
        job = index.data(JOB_ROLE) if index.isValid() else None
        return job if isinstance(job, Job) else None

    def select_job(self, job_id: int) -> bool:
        row = self.model.row_of(job_id)
        if row < 0:
            return False
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        self.table.selectionModel().setCurrentIndex(self.model.index(row, 0), flags)
        return True

    def notify(self, title: str, text: str) -> None:
        """A desktop notification when a tray is available, else the status bar; `notified` says it was shown."""
        if QSystemTrayIcon.isSystemTrayAvailable():
            if self._tray is None:
                self._tray = QSystemTrayIcon(self.window().windowIcon(), self)
            self._tray.show()
            self._tray.showMessage(title, text, QSystemTrayIcon.MessageIcon.Information, 8000)
        else:
            self.status_message.emit(f"{title}: {text}", 15_000)
        self.notified.emit(title, text)

    # --- queue calls in the pool -------------------------------------------------------------------------------------
    def submit(self, fn: Callable[[], Any], *, what: str) -> None:
        """Run `fn` (work on the queue, e.g. the Workbench's) in the pool, then show the queue as it is; a failure is a
        status message."""
        self._call(fn, what=what)

    def _call(self, fn: Callable[[], Any], *, what: str) -> None:
        queue = self.queue

        def run() -> Snapshot:
            fn()
            return snapshot(queue)

        self.tasks.start(run, self._on_snapshot, self._on_call_failed, what=what)

    def _on_snapshot(self, snapshot: Snapshot) -> None:
        jobs, paused, parallel = snapshot
        selected = self.selected_job()
        self.model.set_jobs(jobs)
        now = self.selected_job()
        if selected is not None and (now is None or now.id != selected.id):
            self.select_job(selected.id)
        if self.selected_job() is None and jobs:
            running = [j for j in jobs if j.state is JobState.RUNNING]
            self.select_job(running[0].id if running else jobs[-1].id)
        self.pause.blockSignals(True)
        self.pause.setChecked(paused)
        self.pause.blockSignals(False)
        self.parallel.blockSignals(True)
        self.parallel.setValue(parallel)
        self.parallel.blockSignals(False)
        self._update_actions()

    def _on_call_failed(self, message: str) -> None:
        self.status_message.emit(message, 10_000)
        self.reload()

    # --- the service's events (on the GUI thread) ---------------------------------------------------------------------
    def _on_job_changed(self, job: Job) -> None:
        self.model.update_job(job)
        if self.selected_job() is None:
            self.select_job(job.id)
        self.log_view.changed(job.id)
        self._update_actions()

    def _on_job_removed(self, job_id: int) -> None:
        self.model.remove_job(job_id)

    def _on_job_finished(self, job: Job, errors: list[str]) -> None:
        """The job ended and its outputs are registered (in the Library, or an evaluation in the results)."""
        self.model.update_job(job)
        if job.id == self.log_view.job_id:
            self.log_view.read()
        if job.state is JobState.DONE:
            # An index job names no outputs: its message has the counts.
            text = ", ".join(p.name for p in job.outputs) or said(job.message_text, job.message) or translate("Jobs", "done")
            self._on_registered(job, errors)
        elif job.state is JobState.CANCELLED:
            text = translate("Jobs", "cancelled")
        else:
            text = said(job.error_text, job.error) or job.state.value
        if not self.window_active():
            ended = {JobState.DONE: translate("Jobs", "done"), JobState.CANCELLED: translate("Jobs", "cancelled"),
                     JobState.FAILED: translate("Jobs", "failed"), JobState.INTERRUPTED: translate("Jobs", "interrupted")}
            self.notify(f"{title_text(job)}: {ended.get(job.state, job.state.value)}", text)

    def _on_registered(self, job: Job, errors: list[str]) -> None:
        if isinstance(job.spec, (EvaluateSpec, CodeEvalSpec)):  # its figures are in the results store now
            self.results.reload()
            return
        if self.catalog is None or not job.outputs:
            return
        if errors:
            self.status_message.emit(translate("Jobs", "Not added to the Library: {error}").format(error=errors[0]), 10_000)
        self.library_changed.emit()

    # --- log and ETA -------------------------------------------------------------------------------------------------
    def _on_timer_timeout(self) -> None:
        self.model.tick()
        self.log_view.tick()

    # --- actions -----------------------------------------------------------------------------------------------------
    def _on_table_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        job = current.data(JOB_ROLE) if current.isValid() else None
        self.log_view.show_job(job.id if isinstance(job, Job) else None)
        self._update_actions()

    def _on_cancel_button_clicked(self) -> None:
        job = self.selected_job()
        if job is not None:
            runner = self.service.runner
            self._call(lambda: runner.cancel(job.id), what=f"cancelling job {job.id}")

    def _on_retry_button_clicked(self) -> None:
        job = self.selected_job()
        if job is not None:
            queue, service = self.queue, self.service

            def retry() -> None:
                queue.retry(job.id)
                service.wake()

            self._call(retry, what=f"retrying job {job.id}")

    def _on_remove_button_clicked(self) -> None:
        job = self.selected_job()
        if job is not None:
            queue = self.queue
            self._call(lambda: queue.remove(job.id), what=f"removing job {job.id}")

    def _on_up_button_clicked(self) -> None:
        self._move(-1)

    def _on_down_button_clicked(self) -> None:
        self._move(+1)

    def _move(self, step: int) -> None:
        job = self.selected_job()
        if job is not None:
            queue, position = self.queue, self.model.row_of(job.id) + step
            self._call(lambda: queue.move(job.id, position), what=f"moving job {job.id}")

    def _on_evaluate_button_clicked(self) -> None:
        job = self.selected_job()
        if job is None:
            return
        specs = new_evaluations(evaluate_specs(job), self.model.jobs())
        if not specs:  # measuring the same file again gives the same numbers: say where they are instead
            self.notice.setText(ALREADY_EVALUATED)
            self.notice.show()
            self.status_message.emit(ALREADY_EVALUATED, 5000)
            return
        self.add_specs(specs)

    def _on_pause_toggled(self, paused: bool) -> None:
        queue, service = self.queue, self.service

        def apply() -> None:
            queue.paused = paused
            service.wake()

        self._call(apply, what="pausing the queue" if paused else "resuming the queue")

    def _on_parallel_value_changed(self, value: int) -> None:
        queue, service, store = self.queue, self.service, self.store

        def apply() -> None:
            if store is not None:
                save_setting(store, "parallel_jobs", value)  # a preference: the next start hands it to the queue again
            queue.max_parallel = value
            service.wake()

        self._call(apply, what="setting parallel jobs")

    def _update_actions(self, *_args: object) -> None:
        job = self.selected_job()
        if job is None or job.id != self._notice_job:
            self.notice.hide()
        self._notice_job = job.id if job is not None else None
        row = self.model.row_of(job.id) if job is not None else -1
        queued = job is not None and job.state is JobState.QUEUED
        self.cancel_button.setEnabled(job is not None and job.state in (JobState.QUEUED, JobState.RUNNING))
        self.retry_button.setEnabled(job is not None and job.state in RETRYABLE)
        self.remove_button.setEnabled(job is not None and job.state is not JobState.RUNNING)
        self.up_button.setEnabled(queued and row > 0)
        self.down_button.setEnabled(queued and 0 <= row < self.model.rowCount() - 1)
        self.evaluate_button.setEnabled(job is not None and bool(evaluable_outputs(job)))
        jobs = self.model.jobs()
        self.empty.setVisible(not jobs)
        counts = {s: sum(j.state is s for j in jobs) for s in (JobState.RUNNING, JobState.QUEUED)}
        n_running, n_queued = counts[JobState.RUNNING], counts[JobState.QUEUED]
        parts = [translate("Jobs", "{count} running").format(count=n_running),
                 translate("Jobs", "{count} queued").format(count=n_queued)] if jobs else []  # fmt: skip
        if self.pause.isChecked():
            parts.append(translate("Jobs", "paused"))
        self.summary.setText(" · ".join(parts))
