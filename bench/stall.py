"""The GUI event loop's longest stall: a 1 ms timer on the GUI thread records the largest gap between its ticks.

Used by the download, chat and quantize benchmarks: DESIGN.md calls a stall over 16 ms (one frame at 60 Hz) a bug.

What a stall was: the meter (``record_ms``) keeps each long gap with the CPU time the GUI thread and the whole process
used during it, and ``GapProfiler`` (a thread sampling the GUI thread's Python stack every millisecond) adds its most
frequent stacks. A gap with little GUI-thread CPU is the GUI thread waiting: for a core (the machine's load: the process
used little too) or for the GIL (the process's other threads used the time). One with a gap's worth of GUI-thread CPU
is work on the GUI thread, and its stacks name it.
"""

from __future__ import annotations

import collections
import gc
import sys
import threading
import time
from dataclasses import dataclass

from PySide6.QtCore import QElapsedTimer, QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication


class StallMeter(QObject):
    """Start it, run the work with the event loop spinning, then read `longest_ms` (and `ticks` to see it ran)."""

    def __init__(self, parent: QObject | None = None, *, record_ms: float | None = None) -> None:
        """``record_ms``: keep every gap longer than this in ``gaps``: (start, end) in monotonic ns, and the CPU ns the
        GUI thread and the whole process used during it."""
        super().__init__(parent)
        self.record_ms = record_ms
        self.gaps: list[Gap] = []
        self._wall = self._cpu = self._process = 0
        self._clock = QElapsedTimer()
        self._last = 0
        self.longest_ms = 0.0
        self.ticks = 0
        self._timer = QTimer(self)
        self._timer.setInterval(1)
        self._timer.timeout.connect(self._on_timer_timeout)

    def start(self) -> None:
        self.longest_ms, self.ticks, self.gaps = 0.0, 0, []
        self._clock.start()
        self._last = self._clock.nsecsElapsed()
        self._wall, self._cpu, self._process = time.monotonic_ns(), time.thread_time_ns(), time.process_time_ns()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def _on_timer_timeout(self) -> None:
        now = self._clock.nsecsElapsed()
        gap_ms = (now - self._last) / 1e6
        self.longest_ms = max(self.longest_ms, gap_ms)
        wall, cpu, process = time.monotonic_ns(), time.thread_time_ns(), time.process_time_ns()
        if self.record_ms is not None and gap_ms > self.record_ms:
            self.gaps.append(Gap(self._wall, wall, cpu - self._cpu, process - self._process))
        self._last, self._wall, self._cpu, self._process = now, wall, cpu, process
        self.ticks += 1


@dataclass(frozen=True)
class Gap:
    start: int
    end: int
    gui_cpu: int
    """ns of CPU the GUI thread used during the gap: about the gap's length when the GUI thread worked through it."""
    process_cpu: int
    """ns of CPU the whole process used (the GUI thread's included): the other threads' share is GIL contention."""


class GapProfiler:
    """Samples the calling (GUI) thread from another thread: its innermost Python frames and its CPU time."""

    def __init__(self, interval_s: float = 0.001, depth: int = 6) -> None:
        self.interval_s = interval_s
        self.depth = depth
        self.samples: list[tuple[int, tuple[str, ...]]] = []
        self._target = threading.get_ident()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="gap-profiler", daemon=True)
        self.collections: list[tuple[int, int, int, str]] = []
        """The garbage collector's runs: (start ns, took ns, generation, thread name)."""
        self._gc_start = 0

    def start(self) -> None:
        self._thread.start()
        gc.callbacks.append(self._on_gc)

    def stop(self) -> None:
        gc.callbacks.remove(self._on_gc)
        self._stop.set()
        self._thread.join()

    def _on_gc(self, phase: str, info: dict[str, int]) -> None:
        now = time.monotonic_ns()
        if phase == "start":
            self._gc_start = now
        else:
            self.collections.append((self._gc_start, now - self._gc_start, info["generation"],
                                     threading.current_thread().name))  # fmt: skip

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            frame = sys._current_frames().get(self._target)
            stack = []
            while frame is not None and len(stack) < self.depth:
                code = frame.f_code
                stack.append(f"{code.co_filename.rsplit('/', 2)[-1] if '/' in code.co_filename else code.co_filename}:"
                             f"{code.co_name}:{frame.f_lineno}")  # fmt: skip
                frame = frame.f_back
            self.samples.append((time.monotonic_ns(), tuple(stack)))

    def explain(self, gaps: list[Gap], *, top: int = 2, count: int = 12,
                events: list[tuple[int, int, int, str]] = ()) -> list[str]:  # fmt: skip
        """One line per gap (the longest ``count``): its length, the CPU the GUI thread and the process used during it,
        then the GUI thread's most frequent stacks in it."""
        lines = []
        for gap in sorted(gaps, key=lambda g: g.start - g.end)[:count]:
            inside = [s for s in self.samples if gap.start <= s[0] <= gap.end]
            lines.append(f"gap {(gap.end - gap.start) / 1e6:5.1f} ms: GUI thread CPU {gap.gui_cpu / 1e6:5.1f} ms, "
                         f"process CPU {gap.process_cpu / 1e6:5.1f} ms, {len(inside)} samples")  # fmt: skip
            for stack, seen in collections.Counter(s[1] for s in inside).most_common(top):
                lines.append(f"    {seen:3} x {' < '.join(stack)}")
            for start, took, cpu, what in events:
                if start < gap.end and start + took > gap.start:
                    lines.append(f"    event {what}: {took / 1e6:.1f} ms ({cpu / 1e6:.1f} ms CPU)")
            for start, took, generation, thread in self.collections:
                if start < gap.end and start + took > gap.start and took > 1e6:
                    lines.append(f"    garbage collection of generation {generation} on {thread}: {took / 1e6:.1f} ms")
        return lines


class TimedApplication(QApplication):
    """A QApplication that times every event it delivers on the GUI thread: those over ``slow_ms`` are kept in
    ``slow`` as (start ns, wall ns, GUI-thread CPU ns, "receiver class / event type") — C++ work (layout, painting, a
    queued signal's slot) that a Python stack sample shows only as the event loop."""

    slow_ms = 2.0

    def __init__(self, argv: list[str]) -> None:
        super().__init__(argv)
        self.slow: list[tuple[int, int, int, str]] = []
        self._depth = 0

    def notify(self, receiver: QObject, event: QEvent) -> bool:  # Qt's virtual, Qt's names
        if self._depth or threading.get_ident() != threading.main_thread().ident:
            return super().notify(receiver, event)
        self._depth += 1
        t0, c0 = time.monotonic_ns(), time.thread_time_ns()
        kind = event.type()
        try:
            return super().notify(receiver, event)
        finally:
            self._depth -= 1
            took = time.monotonic_ns() - t0
            if took > self.slow_ms * 1e6:
                name = getattr(kind, "name", str(kind))
                parent = receiver.parent() if isinstance(receiver, QObject) else None
                owner = f" of {type(parent).__name__}" if parent is not None else ""
                self.slow.append((t0, took, time.thread_time_ns() - c0, f"{type(receiver).__name__}{owner}/{name}"))
