"""The GUI event loop's longest stall: a 1 ms timer on the GUI thread records the largest gap between its ticks.

Used by the download, chat and quantize benchmarks: DESIGN.md calls a stall over 16 ms (one frame at 60 Hz) a bug.
"""

from __future__ import annotations

from PySide6.QtCore import QElapsedTimer, QObject, QTimer


class StallMeter(QObject):
    """Start it, run the work with the event loop spinning, then read `longest_ms` (and `ticks` to see it ran)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._clock = QElapsedTimer()
        self._last = 0
        self.longest_ms = 0.0
        self.ticks = 0
        self._timer = QTimer(self)
        self._timer.setInterval(1)
        self._timer.timeout.connect(self._on_timer_timeout)

    def start(self) -> None:
        self.longest_ms, self.ticks = 0.0, 0
        self._clock.start()
        self._last = self._clock.nsecsElapsed()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def _on_timer_timeout(self) -> None:
        now = self._clock.nsecsElapsed()
        self.longest_ms = max(self.longest_ms, (now - self._last) / 1e6)
        self._last = now
        self.ticks += 1
