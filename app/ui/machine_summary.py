"""The probe shown as a readable summary: OS, CPU, instruction sets, RAM, GPUs, disk, bandwidth."""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QGroupBox, QHBoxLayout, QLabel, QProgressBar, QWidget

from app.ui.format import gib
from hardware.report import HardwareReport


def _bar(used: int, total: int, text: str) -> QProgressBar:
    bar = QProgressBar()
    bar.setRange(0, 1000)
    bar.setValue(round(1000 * used / total) if total else 0)
    bar.setFormat(text)
    bar.setTextVisible(True)
    bar.setMaximumWidth(420)
    return bar


class MachineSummary(QGroupBox):
    """Fills itself from a HardwareReport; shows a placeholder until then."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("This machine", parent)
        self._form = QFormLayout(self)
        self._form.setHorizontalSpacing(18)
        self._form.addRow(QLabel("Reading hardware…"))

    def set_report(self, report: HardwareReport) -> None:
        while self._form.rowCount():
            self._form.removeRow(0)
        cpu = report.cpu
        self._form.addRow("System", QLabel(report.os))
        self._form.addRow("CPU", QLabel(f"{cpu.model} — {cpu.physical_cores} cores, {cpu.logical_cores} threads"))
        badges = QWidget()
        row = QHBoxLayout(badges)
        row.setContentsMargins(0, 0, 0, 0)
        for flag in cpu.instruction_sets or ["no SIMD extensions found"]:
            badge = QLabel(flag.upper().replace("_", "-"))
            badge.setObjectName("badge")
            row.addWidget(badge)
        row.addStretch()
        self._form.addRow("Instruction sets", badges)
        used = report.ram_total - report.ram_available
        self._form.addRow(
            "RAM", _bar(used, report.ram_total, f"{gib(report.ram_available)} available of {gib(report.ram_total)}")
        )
        for g in report.gpus:
            details = ", ".join(
                x
                for x in (
                    "unified memory" if g.unified_memory else "",
                    f"driver {g.driver}" if g.driver else "",
                    f"compute {g.compute_capability}" if g.compute_capability else "",
                    f"{g.bandwidth / 1e9:.0f} GB/s" if g.bandwidth else "",
                )
                if x
            )
            self._form.addRow(f"GPU {g.index}", QLabel(f"<b>{g.name}</b>" + (f" — {details}" if details else "")))
            self._form.addRow(
                "VRAM", _bar(g.vram_total - g.vram_free, g.vram_total, f"{gib(g.vram_free)} free of {gib(g.vram_total)}")
            )
        if not report.gpus:
            self._form.addRow("GPU", QLabel("None found — models run on the CPU"))
        if report.disk_free:
            self._form.addRow("Disk", QLabel(f"{gib(report.disk_free)} free in the models folder"))
        bw = f"{report.cpu_bandwidth / 1e9:.1f} GB/s read (measured)" if report.cpu_bandwidth else "measuring…"
        self._form.addRow("Memory bandwidth", QLabel(bw))
