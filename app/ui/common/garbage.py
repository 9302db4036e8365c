"""Python's cyclic garbage collector, run on the GUI thread only.

Left to itself, the collector runs in whichever thread happens to allocate when a generation's count passes its
threshold: often a pool thread (a fit, a probe, a scan). A widget or other QObject in a garbage cycle (a page that is
gone, and a pending callback that still names it) is then destroyed on that thread, and Qt crashes: an object must die
on its own thread. Seen here: `QWidget::~QWidget` on a "Thread (pooled)" inside `gc_collect_main`, then a segfault in
the GUI thread's next paint. So `install` switches automatic collection off, and a timer on the GUI thread collects
each generation when its count passes Python's own thresholds (`collect_due`). Reference counting, which
frees almost everything at once, is not touched.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QCoreApplication, QObject, QTimer

__all__ = ["INTERVAL_MS", "collect_due", "install"]

INTERVAL_MS = 200
"""How often the GUI thread looks whether a collection is due (a count check: next to nothing)."""
_THRESHOLDS = gc.get_threshold()


def collect_due() -> int:
    """Collect the oldest generation whose count has passed its threshold, as Python's thresholds say; the objects
    found unreachable (0 when none was due). Call it on the GUI thread. (Python also holds a full collection back until
    the objects that survived younger ones are a quarter of the old ones; it does not expose those counts, so here a
    full one follows every tenth of generation 1: the app's start-up objects are frozen, `gc.freeze`, and not walked.)"""
    counts = gc.get_count()
    if counts[0] <= _THRESHOLDS[0]:
        return 0
    generation = 2 if counts[2] > _THRESHOLDS[2] else 1 if counts[1] > _THRESHOLDS[1] else 0
    return gc.collect(generation)


class _Collector(QObject):
    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.setInterval(INTERVAL_MS)
        self.timer.timeout.connect(collect_due)
        self.timer.start()


def install(app: QCoreApplication) -> None:
    """From now on the cyclic garbage collector runs on `app`'s thread (the GUI thread) only. Idempotent."""
    if app.findChild(_Collector) is None:
        _Collector(app)
    gc.disable()
