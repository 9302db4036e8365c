"""The cyclic garbage collector runs on the GUI thread only (app.ui.common.garbage): a QObject in a garbage cycle must
not be destroyed by a pool thread that happens to allocate when a collection is due."""

from __future__ import annotations

import gc
import threading
import weakref

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication

from app.ui.common import garbage


def test_a_garbage_cycle_holding_a_qobject_is_freed_on_the_gui_thread_not_by_a_busy_pool_thread() -> None:
    app = QApplication.instance()
    assert app is not None
    garbage.install(app)
    assert not gc.isenabled()
    gc.collect()  # start from nothing due
    died_on: list[str] = []
    obj = QObject()
    obj.destroyed.connect(lambda: died_on.append(threading.current_thread().name))  # runs where it dies
    obj.cycle = obj  # type: ignore[attr-defined]  # garbage once dropped: only a collection frees it
    alive = weakref.ref(obj)
    del obj

    kept: list[list[int]] = []

    def allocate() -> None:  # more new containers than generation 0's threshold, kept: a collection is due here
        kept.extend([] for _ in range(10 * gc.get_threshold()[0]))

    worker = threading.Thread(target=allocate, name="pool-like")
    worker.start()
    worker.join()
    assert alive() is not None and died_on == []  # the thread that allocated collected nothing
    assert garbage.collect_due() > 0  # what the GUI thread's timer does: the collection was due, and runs here
    assert alive() is None and died_on == [threading.main_thread().name]
