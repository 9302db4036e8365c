"""Hardware → Other machines: adding a worker (probed off the GUI thread), its row, an unreachable one, the table's
"fits across N machines" cells, and the list stored in the settings."""

from __future__ import annotations

import socket
import struct
import threading
from collections.abc import Iterator

import pytest
from fixtures.hardware_reports import cpu_only
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from app.ui.hardware.machines import AddMachineDialog
from app.ui.hardware.page import HardwarePage
from hardware.rpc_client import CAPS_SIZE, CMD_DEVICE_COUNT, CMD_GET_DEVICE_MEMORY

GIB = 2**30


@pytest.fixture
def fake_worker() -> Iterator[int]:
    """A llama.cpp RPC worker that answers HELLO, DEVICE_COUNT and GET_DEVICE_MEMORY (one device, 256 GiB free) for
    any number of clients, one after the other."""
    srv = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def recv(conn: socket.socket, n: int) -> bytes:
        data = b""
        while len(data) < n:
            chunk = conn.recv(n - len(data))
            if not chunk:
                raise ConnectionError
            data += chunk
        return data

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = srv.accept()
            except OSError:
                return
            with conn:
                try:
                    while True:
                        cmd, size = struct.unpack("<BQ", recv(conn, 9))
                        recv(conn, size)
                        payload = bytes([7, 0, 0, 0]) + bytes(CAPS_SIZE)
                        if cmd == CMD_DEVICE_COUNT:
                            payload = struct.pack("<I", 1)
                        elif cmd == CMD_GET_DEVICE_MEMORY:
                            payload = struct.pack("<QQ", 256 * GIB, 256 * GIB)
                        conn.sendall(struct.pack("<Q", len(payload)) + payload)
                except (OSError, ConnectionError):
                    pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield int(srv.getsockname()[1])
    stop.set()
    srv.close()
    thread.join(timeout=5)


def _page(qtbot: QtBot) -> HardwarePage:
    page = HardwarePage(cpu_only())
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: not page.busy() and page.model.rowCount() == 8, timeout=10_000)
    return page


def _row(page: HardwarePage, row: int) -> list[str]:
    t = page.machines.table
    return [t.item(row, c).text() for c in range(t.columnCount())]


def test_adding_a_machine_probes_it_shows_its_memory_and_round_trip_and_the_table_fits_across(
        qtbot: QtBot, fake_worker: int) -> None:  # fmt: skip
    page = _page(qtbot)
    table = page.model.table()
    assert table is not None
    big = [(s, q) for (s, q), r in table.cells.items() if not r.fits]
    assert big  # the CPU-only machine cannot hold the largest models
    saved: list[tuple[str, ...]] = []
    page.machines.set_entries((), save=saved.append)
    page.machines.add_entry(f"127.0.0.1:{fake_worker}/200")
    qtbot.waitUntil(lambda: _row(page, 0)[6] == "ready", timeout=10_000)
    assert saved[-1] == (f"127.0.0.1:{fake_worker}/200",)
    machine, devices, free, offers, rtt, bandwidth, status = _row(page, 0)
    assert machine == f"127.0.0.1:{fake_worker}" and devices == "1 device" and status == "ready"
    assert free == "256.0 of 256.0 GiB" and offers == "200.0 GiB" and rtt.endswith(" ms")
    assert bandwidth.endswith(" GB/s")  # the fake worker allocates nothing: the loopback's throughput, measured
    assert len(page.machines.workers()) == 1 and page.machines.workers()[0].memory_limit == 200 * GIB
    qtbot.waitUntil(lambda: not page.busy() and any(page.model.across(page.model.index(r, c)) is not None
                                                    for r in range(8) for c in range(page.model.columnCount())),
                    timeout=20_000)  # fmt: skip
    texts = [str(page.model.data(page.model.index(r, c))) for r in range(8) for c in range(page.model.columnCount())]
    assert any(t.startswith("fits across 2 machines") for t in texts)


def test_a_machine_that_a_loaded_model_holds_is_in_use_and_stays_offered(qtbot: QtBot, fake_worker: int) -> None:
    """A worker serves one client at a time: "Check again" while a model holds it gets no answer; the machine is still
    there and running, so it keeps its last figures instead of dropping out of what a model may use."""
    page = _page(qtbot)
    page.machines.set_entries((f"127.0.0.1:{fake_worker}/2",))
    qtbot.waitUntil(lambda: _row(page, 0)[6] == "ready", timeout=10_000)
    with socket.create_connection(("127.0.0.1", fake_worker), timeout=5) as holder:  # a loaded model's connection
        holder.sendall(struct.pack("<BQ", 14, CAPS_SIZE) + bytes(CAPS_SIZE))
        assert len(holder.recv(8)) == 8
        page.machines.check_button.click()
        qtbot.waitUntil(lambda: _row(page, 0)[6].startswith("in use by a loaded model"), timeout=15_000)
        assert _row(page, 0)[2] == "256.0 of 256.0 GiB"
        assert len(page.machines.workers()) == 1


def test_a_worker_on_this_machine_says_it_adds_no_memory_until_it_is_given_some(qtbot: QtBot, fake_worker: int
                                                                                 ) -> None:  # fmt: skip
    """The fake worker reports 256 GiB: on a machine with exactly that RAM, through the loopback, it is this machine."""
    page = HardwarePage(cpu_only(ram_total=256 * GIB))
    qtbot.addWidget(page)
    page.machines.set_entries((f"127.0.0.1:{fake_worker}",))
    qtbot.waitUntil(lambda: _row(page, 0)[6].startswith("on this machine: it adds no memory"), timeout=10_000)
    page.machines.add_entry(f"127.0.0.1:{fake_worker}/4")
    qtbot.waitUntil(lambda: _row(page, 0)[6] == "ready", timeout=10_000)


def test_an_unreachable_machine_says_so_in_its_row_and_remove_forgets_it(qtbot: QtBot) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        page = _page(qtbot)
        saved: list[tuple[str, ...]] = []
        page.machines.set_entries((f"127.0.0.1:{port}",), save=saved.append)
        qtbot.waitUntil(lambda: "no llama.cpp worker answers" in _row(page, 0)[6], timeout=10_000)
    assert page.machines.workers() == ()
    page.machines.table.selectRow(0)
    page.machines.remove_button.click()
    assert page.machines.table.rowCount() == 0 and saved[-1] == ()


def test_the_add_dialog_refuses_a_bad_address_in_one_line(qtbot: QtBot) -> None:
    dialog = AddMachineDialog()
    qtbot.addWidget(dialog)
    dialog.address.setText("not an address:x")
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()
    assert not dialog.result() and dialog.error.isVisibleTo(dialog)
    assert "HOST:PORT" in dialog.error.text()
    dialog.address.setText("gpu-box:50052")
    dialog.memory.setValue(8)
    assert dialog.entry() == "gpu-box:50052/8"


def test_discover_badge_says_fits_across_machines_for_a_file_too_big_for_here(qtbot: QtBot) -> None:
    from app.hub.files import FileGroup, FileKind
    from app.hub.remote_fit import FileFit
    from app.ui.discover.files_model import FileColumn, FilesModel
    from hardware.fit import FitOptions, fit
    from hardware.remote import RemoteDevice, RemoteWorker
    from hardware.shape import REPRESENTATIVE, shape_of

    hw = cpu_only()
    shape = shape_of(REPRESENTATIVE["70B"], "Q4_K_M")
    report = fit(shape, hw, FitOptions(context=4096))
    assert not report.fits
    group = FileGroup("big-Q4_K_M.gguf", FileKind.GGUF, "Q4_K_M", ())
    files = FilesModel()
    files.set_groups([group])
    files.set_fit(FileFit(group, None, report, shape=shape))
    cell = files.index(0, FileColumn.FIT)
    assert files.data(cell) == "Does not fit"
    far = (RemoteWorker("10.0.0.2", 50052, (RemoteDevice(128 * GIB, 128 * GIB),), rtt_s=0.001),)
    files.set_workers(far, hw)
    assert str(files.data(cell)).startswith("Fits across 2 machines")
    files.set_workers((), hw)
    assert files.data(cell) == "Does not fit"
