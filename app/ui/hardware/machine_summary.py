"""The probe shown as a readable summary: CPU, RAM and its bandwidth on the left; GPUs and disk on the right."""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QGroupBox, QHBoxLayout, QLabel, QProgressBar, QWidget

from app.ui.common.format import gib, size_text
from hardware.report import GpuInfo, HardwareReport


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
        "unified memory" if g.unified_memory else "",
        f"driver {g.driver}" if g.driver else "",
        f"compute {g.compute_capability}" if g.compute_capability else "",
        f"{g.bandwidth / 1e9:.0f} GB/s" if g.bandwidth else "",
    )
    return " · ".join(p for p in parts if p)


class MachineSummary(QGroupBox):
    """Fills itself from a HardwareReport; shows a placeholder until then."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("This machine", parent)
        self._left = _form()
        self._right = _form()
        columns = QHBoxLayout(self)
        columns.setSpacing(36)
        columns.addLayout(self._left, 1)
        columns.addLayout(self._right, 1)
        self._left.addRow(_label("Reading hardware…", muted=True))

    def set_report(self, report: HardwareReport, *, measuring: bool = False) -> None:
        """Show `report`; `measuring` says the memory bandwidth is being measured right now."""
        for form in (self._left, self._right):
            while form.rowCount():
                form.removeRow(0)
        self._fill_cpu_side(report, measuring=measuring)
        self._fill_gpu_side(report)

    def _fill_cpu_side(self, report: HardwareReport, *, measuring: bool) -> None:
        form, cpu = self._left, report.cpu
        form.addRow("System", _label(report.os))
        form.addRow("CPU", _label(f"<b>{cpu.model}</b>"))
        arch = f" · {cpu.architecture}" if cpu.architecture else ""
        form.addRow("Cores", _label(f"{cpu.physical_cores} physical, {cpu.logical_cores} logical{arch}"))
        badges = QWidget()
        row = QHBoxLayout(badges)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        for flag in cpu.instruction_sets:
            badge = QLabel(flag.upper().replace("_", "-"))
            badge.setObjectName("badge")
            badge.setToolTip("llama.cpp uses this instruction set for faster CPU inference")
            row.addWidget(badge)
        if not cpu.instruction_sets:
            row.addWidget(_label("none that llama.cpp accelerates", muted=True))
        row.addStretch()
        form.addRow("Instruction sets", badges)
        used = report.ram_total - report.ram_available
        text = f"{gib(report.ram_available)} free of {gib(report.ram_total)}"
        form.addRow("RAM", _bar(used, report.ram_total, text))
        if report.cpu_bandwidth:
            bandwidth = f"{report.cpu_bandwidth / 1e9:.1f} GB/s read (measured)"
        else:
            bandwidth = "measuring…" if measuring else "not measured"
        form.addRow("Memory bandwidth", _label(bandwidth))

    def _fill_gpu_side(self, report: HardwareReport) -> None:
        form = self._right
        for g in report.gpus:
            title = "GPU" if len(report.gpus) == 1 else f"GPU {g.index}"
            form.addRow(title, _label(f"<b>{g.name}</b>"))
            details = _gpu_details(g)
            if details:
                detail_label = _label(details, muted=True)
                detail_label.setWordWrap(False)
                form.addRow("", detail_label)
            memory = "Memory" if g.unified_memory else "VRAM"
            text = f"{gib(g.vram_free)} free of {gib(g.vram_total)}"
            form.addRow(memory, _bar(g.vram_total - g.vram_free, g.vram_total, text))
        if not report.gpus:
            form.addRow("GPU", _label("None found: models run on the CPU", muted=True))
        if report.disk_free:
            form.addRow("Disk", _label(f"{size_text(report.disk_free)} free in the models folder"))
