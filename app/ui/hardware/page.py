"""The Hardware page: this machine, what runs on it (the advice table and its answer), and the fit calculator.

A model file or folder dropped on the page is read (in the pool) and sized in the calculator; it is not imported.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QMimeData, QModelIndex, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.ui.common.format import number
from app.ui.common.i18n import translate
from app.ui.common.messages import text as message_text
from app.ui.common.tasks import TaskGroup
from app.ui.hardware.advice_delegate import AdviceDelegate
from app.ui.hardware.advice_model import PLACEMENT_COLORS, SLOW_BG, SLOW_FG, SLOW_MARK, TEXT_COLORS, AdviceModel
from app.ui.hardware.advice_text import usable_text
from app.ui.hardware.calculator import Calculator, context_combo, kv_combo
from app.ui.hardware.machine_summary import MachineSummary
from app.ui.hardware.machines import MachinesBox
from formats.model import ModelInfo
from hardware.advice import (
    DEFAULT_USABLE_SPEED,
    AdviceTable,
    Recommendation,
    advice_table,
    bigger_or_smaller,
)
from hardware.bandwidth import Bandwidth
from hardware.fit import FitOptions, Placement
from hardware.kernels import KernelRates
from hardware.remote import RemoteWorker, SplitPlan, plan_split
from hardware.report import HardwareReport

log = logging.getLogger(__name__)
ROW_HEIGHT = 46


def _probe(models_dir: Path | None) -> HardwareReport:
    from app.machine import current_report

    return current_report(models_dir, measure_bandwidth=False)


def _with_bandwidth(report: HardwareReport, *,
                    again: bool = False) -> tuple[HardwareReport, Bandwidth, KernelRates | None]:  # fmt: skip
    """The report with this machine's speed figures: the bandwidth (the cached measurement, measured again if it was
    taken on a busy machine that is idle now, or a new one) and llama.cpp's kernel rates (cached, or measured now;
    None when they cannot be); `again`: measure both now whatever the cache holds."""
    from app.machine import bandwidth_cache_file, measured_kernels, with_kernels
    from hardware.bandwidth import cached_measurement

    measured = cached_measurement(bandwidth_cache_file(), again=again)
    kernels = measured_kernels(again=again)
    return with_kernels(replace(report, cpu_bandwidth=measured.bytes_per_s), kernels), measured, kernels


class HardwarePage(QScrollArea):
    """Probes the machine in the background unless a report is injected (tests, screenshots)."""

    title = "Hardware"
    hardware_changed = Signal(object)
    """The HardwareReport, each time it is (re)read."""

    def __init__(
        self,
        report: HardwareReport | None = None,
        *,
        options: FitOptions | None = None,
        models_dir: Path | None = None,
        usable_speed: float = DEFAULT_USABLE_SPEED,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._usable_speed = usable_speed
        self._report: HardwareReport | None = None
        self._options = options or FitOptions(context=8192)
        self._tasks = TaskGroup(self)  # frees each call's Qt objects on the GUI thread (see app/ui/common/tasks.py)
        self._generation = 0
        self._shown_generation = 0

        self._bandwidth: Bandwidth | None = None
        """The bandwidth measurement behind the report (its age, its load); None for an injected report."""
        self._kernels: KernelRates | None = None
        """The kernel measurement behind the report; None for an injected report or when it could not be taken."""
        self.summary = MachineSummary()
        self.summary.measure_again.connect(self.measure_again)
        self._workers: tuple[RemoteWorker, ...] = ()
        self.machines = MachinesBox()
        self.machines.workers_changed.connect(self._on_machines_workers_changed)
        self.context = context_combo(self._options.context)
        self.kv = kv_combo()
        self.model = AdviceModel(usable_speed=usable_speed)
        self.model.setParent(self)  # dies with the page's view, never before it (a garbage collector must not free it first)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setItemDelegate(AdviceDelegate(self.table))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setShowGrid(False)
        self.table.setCursor(Qt.CursorShape.PointingHandCursor)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(ROW_HEIGHT)
        self.table.verticalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignCenter)
        self.table.clicked.connect(self._on_table_clicked)
        self.model.modelReset.connect(self._on_model_reset)
        self._on_model_reset()
        self.status = QLabel(translate("Hardware", "Reading hardware…"))
        self.status.setObjectName("muted")
        self.answer = QLabel()
        self.answer.setWordWrap(True)
        self.answer.setObjectName("answer")
        self.answer.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.answer.hide()
        self.calculator = Calculator(self._options)

        controls = QHBoxLayout()
        controls.addWidget(QLabel(translate("Hardware", "Context")))
        controls.addWidget(self.context)
        controls.addSpacing(12)
        controls.addWidget(QLabel(translate("Hardware", "KV cache")))
        controls.addWidget(self.kv)
        controls.addStretch()
        controls.addWidget(self.status)
        advice = QGroupBox(translate("Hardware", "What runs here"))
        box = QVBoxLayout(advice)
        intro = QLabel(translate(
            "Hardware",
            "Each cell: where a model of that size runs at that quantization, the largest context that keeps it there, "
            "and the estimated generation speed. Click a cell to load it into the calculator.",
        ))  # fmt: skip
        intro.setWordWrap(True)
        intro.setObjectName("muted")
        box.addWidget(intro)
        box.addLayout(controls)
        box.addWidget(self.table)
        self.legend = _placement_legend(usable_speed)
        box.addWidget(self.legend)
        box.addSpacing(4)
        box.addWidget(self.answer)

        content = QWidget()
        content.setObjectName("page")
        layout = QVBoxLayout(content)
        layout.setContentsMargins(20, 16, 20, 20)
        layout.setSpacing(14)
        heading = QLabel(translate("Hardware", "Hardware"))
        heading.setObjectName("heading")
        layout.addWidget(heading)
        layout.addWidget(self.summary)
        layout.addWidget(self.machines)
        layout.addWidget(advice)
        layout.addWidget(self.calculator)
        layout.addStretch()
        self.setWidget(content)
        self.setWidgetResizable(True)
        # A scroll area gets drag events through its viewport (QAbstractScrollArea::viewportEvent), not on itself.
        self.viewport().setAcceptDrops(True)

        self.context.currentIndexChanged.connect(self._on_options_changed)
        self.kv.currentIndexChanged.connect(self._on_options_changed)
        if report is not None:
            self._set_report(report)
        else:
            self._start(lambda: _probe(models_dir), self._on_probe_finished, self._on_probe_failed)

    def hardware(self) -> HardwareReport | None:
        return self._report

    def options(self) -> FitOptions:
        return replace(self._options, context=self.context.currentData(), kv_type=self.kv.currentData())

    def _start(self, fn: Callable[[], Any], on_done: Callable[[Any], None], on_error: Callable[[str], None]) -> None:
        self._tasks.start(fn, on_done, on_error, what="hardware page")

    def _on_probe_failed(self, message: str) -> None:
        self.status.setText(translate("Hardware", "Could not read the hardware: {error}").format(error=message))

    def _on_probe_finished(self, report: HardwareReport) -> None:
        measuring = not report.cpu_bandwidth
        self._set_report(report, measuring=measuring)
        if measuring:
            self._start(lambda: _with_bandwidth(report), self._on_bandwidth_finished, self._on_bandwidth_failed)

    def measure_again(self) -> None:
        """The summary's "Measure again": fresh bandwidth and kernel measurements replace the cached ones (~6 s, off the
        GUI)."""
        report = self._report
        if report is None:
            return
        self.summary.set_report(report, measuring=True)
        self._start(lambda: _with_bandwidth(report, again=True), self._on_bandwidth_finished,
                    self._on_bandwidth_failed)  # fmt: skip

    def _on_bandwidth_finished(self, result: tuple[HardwareReport, Bandwidth, KernelRates | None]) -> None:
        report, self._bandwidth, self._kernels = result
        self._set_report(report)

    def _on_bandwidth_failed(self, message: str) -> None:
        if self._report is not None:
            # "not measured" instead of "measuring…"
            self.summary.set_report(self._report, bandwidth=self._bandwidth, kernels=self._kernels)
        self.status.setText(translate("Hardware", "Could not measure the memory bandwidth: {error}").format(error=message))

    def _set_report(self, report: HardwareReport, *, measuring: bool = False) -> None:
        self._report = report
        self.summary.set_report(report, measuring=measuring, bandwidth=self._bandwidth, kernels=self._kernels)
        self.calculator.set_hardware(report)
        self.machines.set_hardware(report)
        self._recompute_table()
        self.hardware_changed.emit(report)

    def set_usable_speed(self, usable_speed: float) -> None:
        """The tokens/s the advice asks for (the usable_speed setting): the table's slow marks and the answer follow."""
        self._usable_speed = usable_speed
        self.model.set_usable_speed(usable_speed)
        self.legend.setText(_legend_text(usable_speed))
        self._recompute_table()

    def usable_speed(self) -> float:
        return self._usable_speed

    def _on_options_changed(self, *_: object) -> None:
        self._recompute_table()

    def _on_machines_workers_changed(self, workers: tuple[RemoteWorker, ...]) -> None:
        self._workers = workers
        self._recompute_table()

    def _recompute_table(self) -> None:
        if self._report is None:
            return
        self._generation += 1
        generation, hw, options, speed = self._generation, self._report, self.options(), self._usable_speed
        workers = self._workers
        self.status.setText(translate("Hardware", "Updating…"))

        def compute() -> tuple[int, AdviceTable, Recommendation, list[dict[str, Any]], dict[tuple[str, str], SplitPlan]]:
            table = advice_table(hw, options)
            return (generation, table, bigger_or_smaller(hw, options, usable_speed=speed), _measured_code(),
                    _across(table, hw, workers, options))  # fmt: skip

        self._start(
            compute,
            self._on_table_finished,
            self._on_table_failed,
        )

    def _on_table_failed(self, message: str) -> None:
        self._shown_generation = self._generation
        self.status.setText(translate("Hardware", "Could not compute the table: {error}").format(error=message))

    def _on_model_reset(self) -> None:
        # The table shows every row: the page scrolls, not the table.
        t = self.table
        rows = max(self.model.rowCount(), 8)
        header = t.horizontalHeader().sizeHint().height()
        t.setFixedHeight(header + rows * ROW_HEIGHT + 2 * t.frameWidth())

    def _on_table_finished(self, result: tuple[int, AdviceTable, Recommendation, list[dict[str, Any]],
                                               dict[tuple[str, str], SplitPlan]]) -> None:  # fmt: skip
        generation, table, rec, code, across = result
        if generation != self._generation:
            return  # a newer request is on its way
        self._shown_generation = generation
        self.model.set_table(table, across)
        self.status.setText(translate("Hardware", "At {context} tokens of context, KV cache {kv}").format(
            context=number(table.context), kv=self.kv.currentText()))
        facts = "".join(f"<li>{html.escape(message_text(f))}</li>" for f in rec.fact_messages)
        answer = "".join(message_text(p) for p in rec.answer_messages)
        self.answer.setText(
            "<span style='color:#4b5563'>"
            + html.escape(translate("Hardware", "A bigger model quantized, or a smaller one in full precision? (for coding"
                                                "{at_speed})").format(at_speed=_at_speed(rec.usable_speed)))
            + "</span>"
            f"<p style='margin:4px 0 0 0'><b>{html.escape(answer)}</b></p>"
            f"<ul style='margin:4px 0 0 -20px'>{facts}</ul>"
            f"{_code_text(code)}"
        )
        self.answer.show()

    def _on_table_clicked(self, index: QModelIndex) -> None:
        r = self.model.report(index)
        table = self.model.table()
        if r is None or table is None:
            return
        size = table.sizes[index.row()]
        calc = self.calculator
        calc.model_size.setCurrentText(size)
        calc.quant.setCurrentText(r.shape.quant)
        calc.context.setCurrentIndex(self.context.currentIndex())
        calc.kv.setCurrentIndex(self.kv.currentIndex())
        self.ensureWidgetVisible(calc.verdict, 0, 120)

    # --- a model file dropped here sizes the calculator ---------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if _local_paths(event.mimeData()):
            event.acceptProposedAction()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if _local_paths(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = _local_paths(event.mimeData())
        if paths:
            event.acceptProposedAction()
            self.load_file(paths[0])

    def load_file(self, path: Path) -> None:
        """Read a model's header in the pool and put its real shape into the calculator."""
        self.calculator.show_message(translate("Hardware", "Reading {name}…").format(name=path.name))
        self.ensureWidgetVisible(self.calculator, 0, 0)
        self._start(lambda: _read_model(path), self._on_file_inspected, self._on_file_failed)

    def _on_file_inspected(self, info: ModelInfo) -> None:
        if info.shape is None:
            reason = info.shape_note or info.unsafe_reason or translate("Hardware", "its memory layout is unknown")
            text = translate("Hardware", "Cannot size {name}: {reason}").format(name=info.name, reason=reason)
            self.calculator.show_message(text, error=True)
            return
        self.calculator.set_shape(info.shape)
        self.calculator.show_message(translate("Hardware", "{name} (not imported: drop it on the Library page to add it)")
                                     .format(name=info.path.name))
        self.ensureWidgetVisible(self.calculator.verdict, 0, 120)

    def _on_file_failed(self, message: str) -> None:
        self.calculator.show_message(message[:1].upper() + message[1:], error=True)

    def busy(self) -> bool:
        """True while a background call is pending or the table lags the options (tests and screenshots wait for it)."""
        return self._tasks.pending() > 0 or self._shown_generation != self._generation


def _across(table: AdviceTable, hw: HardwareReport, workers: tuple[RemoteWorker, ...],
            options: FitOptions) -> dict[tuple[str, str], SplitPlan]:  # fmt: skip
    """The cells that do not fit here but fit across this machine and the other machines (in the pool)."""
    if not workers:
        return {}
    out = {}
    for key, report in table.cells.items():
        if not report.fits:
            plan = plan_split(report.shape, hw, workers, options)
            if plan.fits:
                out[key] = plan
    return out


def _read_model(path: Path) -> ModelInfo:
    """The model's ModelInfo; a file it cannot read raises ModelFileError, which the page shows in one line."""
    from formats.inspect import inspect

    return inspect(path)


def _local_paths(mime: QMimeData) -> list[Path]:
    return [Path(u.toLocalFile()) for u in mime.urls() if u.isLocalFile()] if mime.hasUrls() else []


def _at_speed(usable_speed: float) -> str:
    if not usable_speed:
        return ""
    return translate("Hardware", ", at a usable {speed} or more").format(speed=usable_text(usable_speed))


def _placement_legend(usable_speed: float) -> QLabel:
    legend = QLabel(_legend_text(usable_speed))
    legend.setObjectName("muted")
    legend.setWordWrap(True)
    return legend


def _legend_text(usable_speed: float) -> str:
    swatches = "&nbsp;&nbsp;&nbsp;".join(
        f"<span style='background:{PLACEMENT_COLORS[p].name()}; color:{TEXT_COLORS[p].name()}'>&nbsp;{text}&nbsp;</span>"
        for p, text in (
            (Placement.FULL_GPU, translate("Hardware", "entirely on the GPU")),
            (Placement.PARTIAL, translate("Hardware", "layers split GPU / CPU")),
            (Placement.CPU_ONLY, translate("Hardware", "CPU only")),
            (Placement.DOES_NOT_FIT, translate("Hardware", "does not fit")),
        )
    )
    mark = translate("Hardware", SLOW_MARK)
    slow = (f"&nbsp;&nbsp;&nbsp;<span style='background:{SLOW_BG.name()}; color:{SLOW_FG.name()}'>&nbsp;{mark}&nbsp;"
            "</span> " + translate("Hardware", "under the usable {speed}").format(speed=usable_text(usable_speed))
            if usable_speed else "")  # fmt: skip
    return swatches + slow + "&nbsp;&nbsp;&nbsp;" + translate("Hardware", "Hover a cell for the memory breakdown.")


def _measured_code() -> list[dict[str, Any]]:
    """This machine's own code evaluations (HumanEval pass@1 from `modelwerk codeeval` or the Library), read in the pool."""
    from app.jobs import jobs_db_path
    from quantize.results import ResultStore, code_results

    path = jobs_db_path()
    return code_results(ResultStore(path).all()) if path.exists() else []


def _code_text(rows: list[dict[str, Any]], shown: int = 6) -> str:
    """The measured pass@1 figures under the answer: the table's perplexity losses are published figures, these are
    this machine's."""
    if not rows:
        return "<p style='margin:4px 0 0 0;color:#4b5563'>{}</p>".format(html.escape(translate(
            "Hardware", "The losses above are published perplexity figures (Llama-3-8B). Measure your own models at "
                        "coding: Library → Evaluate code… (HumanEval, run here in a sandbox).")))  # fmt: skip
    items = []
    for r in rows[:shown]:
        mode = "" if str(r.get("reasoning") or "off") == "off" else " · " + translate("Hardware", "thinking")
        problems = translate("Hardware", "of {count} {problem_set} problems").format(
            count=int(r.get("problems") or 0), problem_set=html.escape(str(r.get("problem_set") or "HumanEval")))
        share = number(100 * float(r["pass_at_1"]), 1)
        items.append(f"{html.escape(str(r.get('model')))}{mode}: <b>{share}%</b> {problems}")
    measured = html.escape(translate("Hardware", "Measured on this machine (code pass@1; the losses above are published "
                                                 "figures):"))  # fmt: skip
    return (f"<p style='margin:4px 0 0 0;color:#4b5563'>{measured}</p>"
            f"<ul style='margin:2px 0 0 -20px'>{''.join(f'<li>{i}</li>' for i in items)}</ul>")
