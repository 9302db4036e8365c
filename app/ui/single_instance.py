"""One Modelwerk per user and data folder: a second launch hands its files to the running window and exits.

The first instance listens on a local socket (QLocalServer: a named pipe on Windows, a Unix socket elsewhere) named after
the data folder, so two users, or two `MODELWERK_HOME`s, each get their own. A later launch connects, sends its file
paths as one JSON line, waits for "ok", and quits; the window imports or shows the files and comes to the front.
A socket left behind by a crashed instance accepts no connection, so it is removed and the new launch takes over.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import logging
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from app import paths

log = logging.getLogger(__name__)
TIMEOUT_MS = 2000


def server_name() -> str:
    try:
        user = getpass.getuser()
    except Exception:  # no user name in the environment (rare, e.g. some containers)
        user = "user"
    digest = hashlib.sha1(f"{user}\0{paths.data_dir()}".encode()).hexdigest()[:16]
    return f"modelwerk-{digest}"


def send_to_running(files: list[Path], *, name: str | None = None) -> bool:
    """Hand `files` (may be empty: just show the window) to a running instance; False when none is running."""
    socket = QLocalSocket()
    socket.connectToServer(name or server_name())
    if not socket.waitForConnected(TIMEOUT_MS):
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
        """Start listening; removes a stale socket of a crashed instance first. False if that fails too."""
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
