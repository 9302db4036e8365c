"""Starting the GUI: the crash dialog, a database Modelwerk cannot open, the shown hook."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from fixtures.hardware_reports import cpu_only
from PySide6.QtCore import QThread
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from app import paths
from app.logs import setup_logging
from app.ui import app as gui

ROOT = Path(__file__).resolve().parents[2]


def test_unhandled_exception_shows_details_and_log_path(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, real_crash_dialog: None
) -> None:
    log_file = setup_logging(paths.log_dir())
    shown: dict[str, str] = {}

    def fake_exec(box: QMessageBox) -> int:
        shown.update(text=box.text(), info=box.informativeText(), details=box.detailedText())
        return 0

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    try:
        raise RuntimeError("the model exploded")
    except RuntimeError as e:
        gui._excepthook(type(e), e, e.__traceback__)
    assert shown["text"] == "RuntimeError: the model exploded"
    assert str(log_file) in shown["info"]
    assert "Traceback" in shown["details"]
    assert "the model exploded" in log_file.read_text(encoding="utf-8")


def test_a_newer_database_is_refused_with_a_message(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    with sqlite3.connect(paths.database_path()) as con:
        con.execute("PRAGMA user_version = 999")
    messages: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text: messages.append(text))
    assert gui.run_gui([], report=cpu_only()) == 1
    assert "newer Modelwerk" in messages[0]


def test_run_gui_shows_the_window_and_calls_the_shown_hook(modelwerk_home: Path) -> None:
    # In a child process: once an event loop has quit, this process's Qt delivers no more queued signals to later tests.
    code = """
import sys, threading
HEAVY = ("llama_cpp", "torch", "huggingface_hub", "gguf", "numpy", "jinja2")
on_gui_thread = set()

class Watch:  # records the heavy modules that the GUI thread imports (worker threads may: they do not block the window)
    def find_spec(self, name, path=None, target=None):
        if name in HEAVY and threading.current_thread() is threading.main_thread():
            on_gui_thread.add(name)
        return None

sys.meta_path.insert(0, Watch())
from PySide6.QtWidgets import QApplication
from app.ui import app as gui

def shown():
    windows = [w for w in QApplication.topLevelWidgets() if w.isVisible() and w.windowTitle() == "Modelwerk"]
    print("heavy:", ",".join(sorted(on_gui_thread)), flush=True)
    print("shown", len(windows), flush=True)
    for w in windows:
        w.close()
    QApplication.instance().quit()

gui.on_shown(shown)
sys.exit(gui.run_gui([]))
"""
    env = {**os.environ, "MODELWERK_HOME": str(modelwerk_home), "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "shown 1" in out.stdout
    assert "heavy: \n" in out.stdout  # the GUI thread imports none of them before the window shows (README)
    assert (modelwerk_home / "ui.ini").exists()  # window state saved on close
    assert (modelwerk_home / "logs" / "modelwerk.log").exists()


def test_an_exception_in_a_worker_thread_shows_the_dialog_on_the_gui_thread(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, real_crash_dialog: None
) -> None:
    setup_logging(paths.log_dir())
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    gui.install_excepthook()
    shown: list[tuple[str, bool]] = []

    def fake_exec(box: QMessageBox) -> int:
        app = QApplication.instance()
        assert app is not None
        shown.append((box.text(), QThread.currentThread() is app.thread()))
        return 0

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)

    def fail() -> None:
        raise ValueError("bad block size")

    worker = threading.Thread(target=fail)
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: bool(shown), timeout=5000)
    assert shown == [("ValueError: bad block size", True)]
