"""The status bar's live CPU, RAM and VRAM use, sampled once a second on a thread of its own."""

from __future__ import annotations

from PySide6.QtCore import QMetaObject, QObject, Qt, QThread, QTimer, Signal, Slot
from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from app.ui.common.format import gib
from app.ui.common.workers import start_thread
from hardware.usage import Usage, UsageSampler

INTERVAL_MS = 1000


class _Sampler(QObject):
    """Lives in the sampling thread; psutil and NVML calls never touch the GUI thread."""

    sampled = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self._sampler: UsageSampler | None = None
        self._timer: QTimer | None = None

    @Slot()
    def start(self) -> None:
        self._sampler = UsageSampler()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._timer.start(INTERVAL_MS)
        self._on_timer_timeout()

    @Slot()
    def stop(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        if self._sampler is not None:
            self._sampler.close()

    def _on_timer_timeout(self) -> None:
        if self._sampler is not None:
            self.sampled.emit(self._sampler.sample())


class UsageStatus(QObject):
    """Adds CPU / RAM / VRAM labels to a status bar and keeps them current until stop()."""

    def __init__(self, status_bar: QStatusBar, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.cpu = QLabel()
        self.ram = QLabel()
        self.vram = QLabel()
        for label in (self.cpu, self.ram, self.vram):
            label.setObjectName("usage")
            status_bar.addPermanentWidget(label)
        self.vram.hide()
        self._thread = QThread()
        self._thread.setObjectName("usage-sampler")
        self._worker = _Sampler()
        self._worker.moveToThread(self._thread)
        self._thread.started.connect(self._worker.start)
        self._thread.finished.connect(self._worker.deleteLater)
        self._worker.sampled.connect(self._on_worker_sampled)
        start_thread(self._thread)

    def _on_worker_sampled(self, usage: Usage) -> None:
        self.show_usage(usage)

    def show_usage(self, usage: Usage) -> None:
        self.cpu.setText(f"CPU {usage.cpu_percent:.0f}%")
        self.ram.setText(f"RAM {gib(usage.ram_used)} / {gib(usage.ram_total)}")
        if usage.vram_total:
            self.vram.setText(f"VRAM {gib(usage.vram_used)} / {gib(usage.vram_total)}")
            self.vram.show()

    def stop(self) -> None:
        """Stop sampling and end the thread (blocks for at most one sample)."""
        if self._thread.isRunning():
            QMetaObject.invokeMethod(self._worker, "stop", Qt.ConnectionType.BlockingQueuedConnection)
            self._thread.quit()
            self._thread.wait(3000)
