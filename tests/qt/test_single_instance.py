"""One Modelwerk per data folder: a second launch hands its files to the running window; opening a file imports or shows it."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.cli import main as cli_main
from app.library.catalog import Catalog
from app.settings import load_settings
from app.store import Store
from app.ui import single_instance
from app.ui.single_instance import InstanceServer, send_to_running, server_name
from formats.inspect import inspect

ROOT = Path(__file__).resolve().parents[2]
SEND = """
import sys
from pathlib import Path
from PySide6.QtCore import QCoreApplication
from app.ui.single_instance import send_to_running
app = QCoreApplication([])
print(send_to_running([Path(p) for p in sys.argv[1:]]))
"""


def env(home: Path) -> dict[str, str]:
    return {**os.environ, "MODELWERK_HOME": str(home), "QT_QPA_PLATFORM": "offscreen"}


def test_a_second_launch_hands_its_files_to_the_first(qtbot: QtBot, modelwerk_home: Path, tmp_path: Path) -> None:
    server = InstanceServer()
    assert server.listen()
    try:
        model = tmp_path / "a model.gguf"
        model.write_bytes(b"GGUF")
        child = subprocess.Popen([sys.executable, "-c", SEND, str(model)], cwd=ROOT, env=env(modelwerk_home),
                                 stdout=subprocess.PIPE, text=True)  # fmt: skip
        with qtbot.waitSignal(server.files_received, timeout=10_000) as received:
            pass
        qtbot.waitUntil(lambda: child.poll() is not None, timeout=10_000)  # the event loop sends our "ok"
        out, _ = child.communicate(timeout=10)
        assert received.args == [[model]]
        assert out.strip() == "True"
    finally:
        server.close()


def test_without_a_running_instance_nothing_is_sent(qtbot: QtBot) -> None:
    assert send_to_running([]) is False


def test_the_socket_of_a_killed_instance_is_taken_over(qtbot: QtBot, modelwerk_home: Path) -> None:
    code = (
        "from PySide6.QtCore import QCoreApplication\nfrom PySide6.QtNetwork import QLocalServer\nimport sys, time\n"
        "app = QCoreApplication([])\ns = QLocalServer()\nprint(s.listen(sys.argv[1]), flush=True)\ntime.sleep(60)\n"
    )
    name = server_name()
    assert name is not None
    child = subprocess.Popen([sys.executable, "-c", code, name], env=env(modelwerk_home), stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "True"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    assert send_to_running([]) is False  # nobody answers on the dead socket
    server = InstanceServer()
    try:
        assert server.listen()  # the stale socket was removed
    finally:
        server.close()


# --- another user of the machine (issue 13, item 5) ---------------------------------------------------------------------

LISTEN_OK = """
import sys
from PySide6.QtCore import QCoreApplication
from PySide6.QtNetwork import QLocalServer
app = QCoreApplication([])
server = QLocalServer()
print(server.listen(sys.argv[1]), flush=True)
def answer():
    s = server.nextPendingConnection()
    s.waitForReadyRead(2000)
    print(bytes(s.readAll().data()).decode().strip(), flush=True)
    s.write(b"ok\\n"); s.flush(); s.waitForBytesWritten(2000)
server.newConnection.connect(answer)
app.exec()
"""
"""An attacker's listener: prints what it receives and answers "ok", as the takeover exploit did."""


def old_predictable_name() -> str:
    """The name every Modelwerk used before: a socket in the shared temp folder that any user could create first."""
    import getpass
    import hashlib

    from app import paths

    return "modelwerk-" + hashlib.sha1(f"{getpass.getuser()}\0{paths.data_dir()}".encode()).hexdigest()[:16]


@pytest.fixture
def short_dirs(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A data folder and a temp folder with paths short enough for a Unix socket inside (pytest's are too long)."""
    root = Path(tempfile.mkdtemp(prefix="mw"))
    (root / "tmp").mkdir()
    monkeypatch.setenv("MODELWERK_HOME", str(root / "home"))
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    monkeypatch.setattr(tempfile, "tempdir", str(root / "tmp"))
    yield root
    shutil.rmtree(root, ignore_errors=True)


def test_a_listener_squatting_the_old_shared_name_receives_nothing(qtbot: QtBot, modelwerk_home: Path) -> None:
    attacker = subprocess.Popen([sys.executable, "-c", LISTEN_OK, old_predictable_name()], env=env(modelwerk_home),
                                stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert attacker.stdout is not None and attacker.stdout.readline().strip() == "True"
        assert send_to_running([Path("/secret/plans.gguf")]) is False  # our launch does not exit: it starts its own
    finally:
        attacker.kill()
        out, _ = attacker.communicate(timeout=10)
        (Path(tempfile.gettempdir()) / old_predictable_name()).unlink(missing_ok=True)
    assert "plans" not in out


def test_the_socket_is_in_a_folder_only_this_user_can_enter(qtbot: QtBot) -> None:
    name = server_name()
    assert name is not None and Path(name).is_absolute()
    folder = Path(name).parent
    st = folder.lstat()
    assert st.st_uid == os.getuid() and st.st_mode & 0o777 == 0o700
    server = InstanceServer()
    try:
        assert server.listen()
        assert Path(name).is_socket()
    finally:
        server.close()


def test_a_private_xdg_runtime_dir_is_used_and_a_shared_one_refused(short_dirs: Path, monkeypatch: pytest.MonkeyPatch,
                                                                   qtbot: QtBot) -> None:  # fmt: skip
    mine = short_dirs / "xdg"
    mine.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(mine))
    name = server_name()
    assert name is not None and Path(name).parent == mine / "modelwerk"
    shared = short_dirs / "shared"
    shared.mkdir()
    shared.chmod(0o777)  # world-writable: another user could plant a socket there
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(shared))
    name = server_name()
    assert name is not None and not name.startswith(str(shared))
    assert not (shared / "modelwerk").exists()


def test_a_folder_another_user_made_or_anyone_can_write_is_refused(short_dirs: Path, monkeypatch: pytest.MonkeyPatch,
                                                                  qtbot: QtBot) -> None:  # fmt: skip
    from app import paths

    uid = os.getuid()
    candidates = [paths.data_dir() / "run", short_dirs / "tmp" / f"modelwerk-{uid}"]
    name = server_name()
    assert name is not None and Path(name).parent == candidates[0]  # the data folder first: no one else writes there
    for folder in candidates:  # as if the attacker was first: both candidate folders open to everyone
        folder.mkdir(mode=0o700, exist_ok=True)
        folder.chmod(0o777)
    assert server_name() is None  # no hand-over at all rather than a path sent to someone else
    assert send_to_running([]) is False
    assert InstanceServer().listen() is False
    candidates[0].chmod(0o700)
    assert server_name() == name
    monkeypatch.setattr(single_instance, "my_uid", lambda: uid + 1)  # now the folders belong to "someone else"
    assert single_instance.is_private_dir(candidates[0]) is False
    assert server_name() is None


def test_a_listener_of_another_user_is_not_trusted(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    server = InstanceServer()
    assert server.listen()
    try:
        uid = os.getuid()
        monkeypatch.setattr(single_instance, "my_uid", lambda: uid + 1)  # the listener's uid is not ours any more
        with qtbot.assertNotEmitted(server.files_received, wait=300):
            assert send_to_running([Path("/secret/plans.gguf")], name=server.name) is False
    finally:
        server.close()


def test_a_client_of_another_user_is_refused(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, modelwerk_home: Path,
                                             tmp_path: Path) -> None:  # fmt: skip
    server = InstanceServer()
    assert server.listen()
    uid = os.getuid()
    monkeypatch.setattr(single_instance, "peer_uid", lambda fd: uid + 1)  # whoever connects "is" another user
    try:
        child = subprocess.Popen([sys.executable, "-c", SEND, str(tmp_path / "x.gguf")], cwd=ROOT,
                                 env=env(modelwerk_home), stdout=subprocess.PIPE, text=True)  # fmt: skip
        with qtbot.assertNotEmitted(server.files_received, wait=500):
            qtbot.waitUntil(lambda: child.poll() is not None, timeout=15_000)
        out, _ = child.communicate(timeout=10)
        assert out.strip() == "False"
    finally:
        server.close()


def test_peer_uid_reads_the_other_ends_user() -> None:
    a, b = __import__("socket").socketpair()
    with a, b:
        assert single_instance.peer_uid(a.fileno()) == os.getuid()


def test_opening_files_shows_known_models_and_imports_new_ones(
    qtbot: QtBot, tiny_gguf: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fixtures.hardware_reports import cpu_only

    from app import paths
    from app.ui.main_window import MainWindow

    store = Store.open(paths.database_path())
    known = Catalog(store).add(inspect(tiny_gguf), source="imported")
    window = MainWindow(load_settings(store), report=cpu_only(), store=store, demo=False)
    qtbot.addWidget(window)
    imported: list[list[Path]] = []
    monkeypatch.setattr(window.library_page, "import_paths", lambda p, **_kw: imported.append(list(p)))
    selected: list[int] = []
    monkeypatch.setattr(window.library_page, "select", selected.append)
    new = tmp_path / "new.gguf"
    new.write_bytes(tiny_gguf.read_bytes())
    window.open_paths([tiny_gguf, new])
    assert selected == [known.id]
    assert imported == [[new]]
    assert window.pages.currentWidget() is window.library_page
    window.close()
    store.close()


def test_the_command_line_opens_files_and_refuses_what_is_neither_file_nor_command(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    opened: list[list[Path]] = []
    monkeypatch.setattr("app.ui.app.run_gui", lambda argv, files=None: opened.append(files or []) or 0)
    model = tmp_path / "m.gguf"
    model.write_bytes(b"GGUF")
    assert cli_main([str(model)]) == 0
    assert opened == [[model]]
    assert cli_main(["nosuchthing"]) == 2
    assert "no such command or file: nosuchthing" in capsys.readouterr().err


def test_a_second_real_launch_returns_at_once_and_the_first_window_opens_the_file(
    modelwerk_home: Path, tmp_path: Path
) -> None:
    first = subprocess.Popen([sys.executable, "-m", "app"], cwd=ROOT, env=env(modelwerk_home),
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        log = modelwerk_home / "logs" / "modelwerk.log"
        model = tmp_path / "x.gguf"
        model.write_bytes(b"GGUF")
        listening = False
        while not listening and time.monotonic() < deadline:  # until the first one listens
            probe = subprocess.run([sys.executable, "-c", SEND], cwd=ROOT, env=env(modelwerk_home), capture_output=True,
                                   text=True, timeout=30)  # fmt: skip
            listening = probe.stdout.strip() == "True"
            time.sleep(0.2)
        assert listening
        out = subprocess.run([sys.executable, "-m", "app", str(model)], cwd=ROOT, env=env(modelwerk_home),
                             capture_output=True, text=True, timeout=30)  # fmt: skip
        assert out.returncode == 0, out.stderr
        text = log.read_text(encoding="utf-8")
        assert "handed 1 file(s) to the running Modelwerk" in text
        deadline = time.monotonic() + 20
        while f"opening {model}" not in log.read_text(encoding="utf-8") and time.monotonic() < deadline:
            time.sleep(0.2)
        assert f"opening {model}" in log.read_text(encoding="utf-8")
    finally:
        first.terminate()
        first.wait(20)


def test_a_file_open_event_opens_the_file(qtbot: QtBot, tmp_path: Path) -> None:
    """macOS: a double-click in Finder reaches the running app as a FileOpen event."""
    from PySide6.QtGui import QFileOpenEvent
    from PySide6.QtWidgets import QApplication

    from app.ui.app import FileOpenFilter

    opener = FileOpenFilter()
    model = tmp_path / "m.gguf"
    with qtbot.waitSignal(opener.files_opened) as opened:
        assert opener.eventFilter(QApplication.instance(), QFileOpenEvent(str(model)))
    assert opened.args == [[model]]
