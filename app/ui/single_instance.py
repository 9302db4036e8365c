"""One Modelwerk per user and data folder: a second launch hands its files to the running window and exits.

The first instance listens on a local socket (QLocalServer: a Unix socket, a named pipe on Windows) named after the data
folder, so two `MODELWERK_HOME`s each get their own. A later launch connects, sends its file paths as one JSON line, waits
for "ok", and quits; the window imports or shows the files and comes to the front. A socket left behind by a crashed
instance accepts no connection, so it is removed and the new launch takes over.

Another user of the machine must neither receive the paths nor make a launch exit: on Unix the socket lives in a folder
only this user can enter (`$XDG_RUNTIME_DIR`, else one made 0700 in the data folder or the temp folder; a folder that is
not ours and private is refused, and the app then runs without the hand-over), and each side checks that the process at
the other end runs as this user (SO_PEERCRED, getpeereid). On Windows the pipe admits only this user
(UserAccessOption).
"""

from __future__ import annotations

import getpass
import hashlib
import json
import logging
import os
import socket as pysocket
import stat
import struct
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from app import paths

log = logging.getLogger(__name__)
TIMEOUT_MS = 2000
MAX_SOCKET_PATH = 100
"""Bytes: a Unix socket path must fit sun_path (108 on Linux, 104 on macOS, with its NUL)."""


def my_uid() -> int:
    """This process's user id (a function, so tests can play another user)."""
    return os.getuid()


def _digest() -> str:
    try:
        user = getpass.getuser()
    except Exception:  # no user name in the environment (rare, e.g. some containers)
        user = "user"
    return hashlib.sha1(f"{user}\0{paths.data_dir()}".encode()).hexdigest()[:16]


def is_private_dir(path: Path) -> bool:
    """A real folder (not a link) that this user owns and nobody else may enter or write."""
    try:
        st = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISDIR(st.st_mode) and st.st_uid == my_uid() and st.st_mode & 0o077 == 0


def _private_subdir(parent: Path, name: str) -> Path | None:
    """parent/name, created 0700 if missing; None (logged) when it is not ours and private: someone else may read it."""
    folder = parent / name
    try:
        folder.mkdir(mode=0o700)
    except FileExistsError:
        pass
    except OSError as e:
        log.debug("single instance: cannot create %s: %s", folder, e)
        return None
    if is_private_dir(folder):
        return folder
    log.warning("single instance: %s is not a private folder of this user (owner or permissions): not used", folder)
    return None


def server_name() -> str | None:
    """Where the instance socket lives: a full path in a private folder on Unix, a pipe name on Windows; None when no
    private folder can be had (then there is no hand-over: better two windows than a path sent to another user)."""
    name = f"modelwerk-{_digest()}"
    if sys.platform == "win32":
        return name
    candidates: list[tuple[Path, str]] = []
    runtime = os.environ.get("XDG_RUNTIME_DIR", "").strip()
    if runtime:
        if is_private_dir(Path(runtime)):
            candidates.append((Path(runtime), "modelwerk"))
        else:
            log.warning("single instance: XDG_RUNTIME_DIR %s is not private to this user: not used", runtime)
    candidates += [(paths.data_dir(), "run"), (Path(tempfile.gettempdir()), f"modelwerk-{my_uid()}")]
    for parent, sub in candidates:
        if len(os.fsencode(parent / sub / name)) > MAX_SOCKET_PATH:
            continue
        folder = _private_subdir(parent, sub)
        if folder is not None:
            return str(folder / name)
    log.warning("single instance: no private folder for the instance socket: running without the hand-over")
    return None


def peer_uid(fd: int) -> int | None:
    """The user id of the process at the other end of the Unix socket `fd`; None when the system cannot tell."""
    try:
        if hasattr(pysocket, "SO_PEERCRED"):  # Linux: struct ucred {pid, uid, gid}
            with pysocket.socket(fileno=os.dup(fd)) as sock:
                creds = sock.getsockopt(pysocket.SOL_SOCKET, pysocket.SO_PEERCRED, struct.calcsize("3i"))
            return int(struct.unpack("3i", creds)[1])
        import ctypes  # macOS and the BSDs

        uid, gid = ctypes.c_uint32(), ctypes.c_uint32()
        if ctypes.CDLL(None, use_errno=True).getpeereid(fd, ctypes.byref(uid), ctypes.byref(gid)) != 0:
            return None
        return int(uid.value)
    except (OSError, AttributeError, struct.error):
        return None


def _same_user(socket: QLocalSocket) -> bool:
    """Whether the process at the other end runs as this user (Windows: the pipe's access already says so)."""
    if sys.platform == "win32":
        return True
    fd = int(socket.socketDescriptor())
    return fd >= 0 and peer_uid(fd) == my_uid()


def send_to_running(files: list[Path], *, name: str | None = None) -> bool:
    """Hand `files` (may be empty: just show the window) to a running instance; False when none of this user runs."""
    name = name or server_name()
    if name is None:
        return False
    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(TIMEOUT_MS):
        return False
    if not _same_user(socket):
        log.warning("single instance: the process listening on %s is another user's: not trusted", name)
        socket.abort()
        return False
    socket.write((json.dumps({"files": [str(f.absolute()) for f in files]}) + "\n").encode())
    socket.flush()
    if socket.bytesToWrite() and not socket.waitForBytesWritten(TIMEOUT_MS):
        return False
    while not socket.canReadLine() and socket.waitForReadyRead(TIMEOUT_MS):
        pass
    answer = bytes(socket.readLine().data()).strip()
    socket.disconnectFromServer()
    return answer == b"ok"


class InstanceServer(QObject):
    """Listens for later launches; `files_received(list[Path])` on the GUI thread for each."""

    files_received = Signal(list)

    def __init__(self, name: str | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name or server_name()
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._on_server_new_connection)

    def listen(self) -> bool:
        """Start listening; removes a stale socket of a crashed instance first. False if that fails too, or when there
        is no private place for the socket."""
        if self.name is None:
            return False
        if self._server.listen(self.name):
            return True
        QLocalServer.removeServer(self.name)
        if self._server.listen(self.name):
            return True
        log.warning("single instance: cannot listen on %s: %s", self.name, self._server.errorString())
        return False

    def close(self) -> None:
        self._server.close()

    def _on_server_new_connection(self) -> None:
        while (socket := self._server.nextPendingConnection()) is not None:
            if not _same_user(socket):
                log.warning("single instance: refused a connection from another user's process")
                socket.abort()
                socket.deleteLater()
                continue
            socket.readyRead.connect(lambda s=socket: self._on_socket_ready_read(s))
            socket.disconnected.connect(socket.deleteLater)

    def _on_socket_ready_read(self, socket: QLocalSocket) -> None:
        if not socket.canReadLine():
            return
        line = bytes(socket.readLine().data())
        try:
            files = [Path(f) for f in json.loads(line).get("files", [])]
        except (ValueError, AttributeError, TypeError):
            log.warning("single instance: ignored a malformed message")
            socket.write(b"error\n")
            return
        socket.write(b"ok\n")
        socket.flush()
        self.files_received.emit(files)
