"""The probe shown as a readable summary: CPU, RAM and its bandwidth on the left; GPUs and disk on the right."""

from __future__ import annotations

from datetime import datetime, timezone

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QGroupBox, QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from app.ui.common.flow_layout import FlowLayout
from app.ui.common.format import gib, number, size_text
from app.ui.common.i18n import translate
from app.ui.common.messages import text as message_text
from hardware.backends import cannot_use, usable
from hardware.bandwidth import BUSY_LOAD, Bandwidth
from hardware.kernels import KernelRates
from hardware.report import GpuInfo, HardwareReport


def age_text(measured_at: datetime, now: datetime | None = None) -> str:
    """ "just now", "12 min ago", "3 h ago", "5 days ago"."""
    seconds = ((now or datetime.now(timezone.utc)) - measured_at).total_seconds()
    minutes, hours, days = round(seconds / 60), round(seconds / 3600), round(seconds / 86400)
    if seconds < 90:
        return translate("Hardware", "just now")
    if seconds < 90 * 60:
        return translate("Hardware", "{n} min ago").format(n=minutes)
    if seconds < 36 * 3600:
        return translate("Hardware", "{n} h ago").format(n=hours)
    return translate("Hardware", "%n day(s) ago", None, days)


def bandwidth_text(report: HardwareReport, bandwidth: Bandwidth | None, *, measuring: bool) -> str:
    """What the summary says of the memory bandwidth: "measured" only for a measurement taken here, with its age."""
    if measuring:
        return translate("Hardware", "measuring…")
    if bandwidth is not None:
        busy = translate("Hardware", " on a busy machine: probably low; measure again when it is idle")
        busy = busy if bandwidth.busy else ""
        return translate("Hardware", "{rate} GB/s read, measured {age}{busy}").format(
            rate=number(bandwidth.bytes_per_s / 1e9, 1), age=age_text(bandwidth.measured_at), busy=busy)
    if report.cpu_bandwidth:
        return translate("Hardware", "{rate} GB/s read (given, not measured on this machine)").format(
            rate=number(report.cpu_bandwidth / 1e9, 1))
    return translate("Hardware", "not measured")


def kernels_text(report: HardwareReport, kernels: KernelRates | None, *, measuring: bool) -> str:
    """What the summary says of llama.cpp's kernel rates (the CPU speed estimate rests on them): "measured" only for a
    measurement taken here, with its age."""
    if measuring:
        return translate("Hardware", "measuring…")
    rates = kernels.rates if kernels is not None else report.cpu_kernels
    if not rates:
        return translate("Hardware", "not measured: CPU speed estimates use the memory bandwidth alone (rougher)")
    shown = " · ".join(f"{t} {number(r / 1e9, 1)}" for t, r in rates if t in _SHOWN_TYPES)
    what = translate("Hardware", "GB/s of weights per matrix × vector: {rates}").format(rates=shown)
    if kernels is None:
        return what + translate("Hardware", " (given, not measured on this machine)")
    busy = translate("Hardware", " on a busy machine: probably low")
    busy = busy if kernels.load is not None and kernels.load > BUSY_LOAD else ""
    threads = kernels.threads
    return what + translate("Hardware", "; %n thread(s), measured {age}{busy}", None, threads).format(
        age=age_text(kernels.measured_at), busy=busy)


_SHOWN_TYPES = frozenset({"F16", "Q8_0", "Q6_K", "Q5_K", "Q4_K", "Q4_0", "Q4_1", "Q5_0"})


def _bar(used: int, total: int, text: str) -> QProgressBar:
    bar = QProgressBar()
    bar.setRange(0, 1000)
    bar.setValue(round(1000 * used / total) if total else 0)
    bar.setFormat(text)
    bar.setTextVisible(True)
    bar.setMaximumWidth(360)
    return bar


def _label(text: str, *, muted: bool = False) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    if muted:
        label.setObjectName("muted")
    return label


def _form() -> QFormLayout:
    form = QFormLayout()
    form.setHorizontalSpacing(18)
    form.setVerticalSpacing(7)
    return form


def _gpu_details(g: GpuInfo) -> str:
    parts = (
        translate("Hardware", "unified memory") if g.unified_memory else "",
        translate("Hardware", "driver {version}").format(version=g.driver) if g.driver else "",
        translate("Hardware", "compute {version}").format(version=g.compute_capability) if g.compute_capability else "",
        f"{number(g.bandwidth / 1e9)} GB/s" if g.bandwidth else "",
    )
    return " · ".join(p for p in parts if p)


def _free_of(free: int, total: int) -> str:
    return translate("Hardware", "{free} free of {total}").format(free=gib(free), total=gib(total))


class MachineSummary(QGroupBox):
    """Fills itself from a HardwareReport; shows a placeholder until then. `measure_again` asks for a new bandwidth
    measurement (its button sits beside the figure)."""

    measure_again = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(translate("Hardware", "This machine"), parent)
        self._left = _form()
        self._right = _form()
        columns = QHBoxLayout(self)
        columns.setSpacing(36)
        columns.addLayout(self._left, 1)
        columns.addLayout(self._right, 1)
        self._left.addRow(_label(translate("Hardware", "Reading hardware…"), muted=True))

    def set_report(self, report: HardwareReport, *, measuring: bool = False, bandwidth: Bandwidth | None = None,
                   kernels: KernelRates | None = None) -> None:  # fmt: skip
        """Show `report`; `measuring` says the machine's speed is being measured right now; `bandwidth` and `kernels`
        are the measurements behind its figures (None: the figures came with the report, e.g. a test's or a picture's)."""
        for form in (self._left, self._right):
            while form.rowCount():
                form.removeRow(0)
        self._fill_cpu_side(report, measuring=measuring, bandwidth=bandwidth, kernels=kernels)
        self._fill_gpu_side(report)

    def _fill_cpu_side(self, report: HardwareReport, *, measuring: bool, bandwidth: Bandwidth | None,
                       kernels: KernelRates | None) -> None:  # fmt: skip
        form, cpu = self._left, report.cpu
        form.addRow(translate("Hardware", "System"), _label(report.os))
        form.addRow("CPU", _label(f"<b>{cpu.model}</b>"))
        arch = f" · {cpu.architecture}" if cpu.architecture else ""
        cores = translate("Hardware", "{physical} physical, {logical} logical").format(
            physical=cpu.physical_cores, logical=cpu.logical_cores)
        form.addRow(translate("Hardware", "Cores"), _label(cores + arch))
        badges = QWidget()
        row = FlowLayout(badges)  # as many as the CPU has, wrapped: the page never grows wider than the window
        for flag in cpu.instruction_sets:
            badge = QLabel(flag.upper().replace("_", "-"))
            badge.setObjectName("badge")
            badge.setToolTip(translate("Hardware", "llama.cpp uses this instruction set for faster CPU inference"))
            row.addWidget(badge)
        if not cpu.instruction_sets:
            row.addWidget(_label(translate("Hardware", "none that llama.cpp accelerates"), muted=True))
        form.addRow(translate("Hardware", "Instruction sets"), badges)
        used = report.ram_total - report.ram_available
        text = _free_of(report.ram_available, report.ram_total)
        form.addRow(translate("Hardware", "RAM"), _bar(used, report.ram_total, text))
        row_widget = QWidget()
        row_layout = QHBoxLayout(row_widget)
        row_layout.setContentsMargins(0, 0, 0, 0)
        self.bandwidth_label = _label(bandwidth_text(report, bandwidth, measuring=measuring))
        row_layout.addWidget(self.bandwidth_label, 1)
        self.measure_button = QPushButton(translate("Hardware", "Measure again"))
        self.measure_button.setToolTip(translate("Hardware", "Measure the memory bandwidth and llama.cpp's kernels now (a "
                                                             "few seconds; close busy programs first)"))  # fmt: skip
        self.measure_button.setVisible(bandwidth is not None and not measuring)
        self.measure_button.clicked.connect(self.measure_again)
        row_layout.addWidget(self.measure_button)
        form.addRow(translate("Hardware", "Memory bandwidth"), row_widget)
        self.kernels_label = _label(kernels_text(report, kernels, measuring=measuring))
        self.kernels_label.setToolTip(translate(
            "Hardware", "How fast llama.cpp's own CPU code multiplies a weight matrix by one token, per tensor type: the "
                        "generation-speed estimates rest on these and on the bandwidth"))  # fmt: skip
        form.addRow(translate("Hardware", "llama.cpp kernels"), self.kernels_label)

    def _fill_gpu_side(self, report: HardwareReport) -> None:
        form = self._right
        if report.llama_backends is not None:
            _, unusable = usable(report.gpus, report.llama_backends)
            text = ", ".join(report.llama_backends) or translate("Hardware", "none")
            if unusable:
                text += f" — {message_text(cannot_use(unusable, report.llama_backends))}"
            self.backends_label = _label(text, muted=bool(unusable))
            self.backends_label.setToolTip(translate("Hardware", "The backends llama-server was built with: where models can "
                                                                 "run"))
            form.addRow("llama.cpp", self.backends_label)
        for g in report.gpus:
            title = "GPU" if len(report.gpus) == 1 else f"GPU {g.index}"
            form.addRow(title, _label(f"<b>{g.name}</b>"))
            details = _gpu_details(g)
            if details:
                detail_label = _label(details, muted=True)
                detail_label.setWordWrap(False)
                form.addRow("", detail_label)
            memory = translate("Hardware", "Memory") if g.unified_memory else "VRAM"
            text = _free_of(g.vram_free, g.vram_total)
            form.addRow(memory, _bar(g.vram_total - g.vram_free, g.vram_total, text))
        if not report.gpus:
            form.addRow("GPU", _label(translate("Hardware", "None found: models run on the CPU"), muted=True))
        if report.disk_free:
            form.addRow(translate("Hardware", "Disk"), _label(translate("Hardware", "{size} free in the models folder").format(
                size=size_text(report.disk_free))))
