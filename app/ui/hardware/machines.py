"""The Hardware page's other machines: llama.cpp RPC workers (`modelwerk worker` there) a model may spread over.

"Add machine…" asks for HOST:PORT and the memory it offers (its `--mem`); each machine is probed in the pool
(hardware.rpc_client: devices, free memory, round-trip time, bandwidth) and shown in a row. The list is the `workers`
setting. A worker serves one client at a time: one that a loaded model holds is shown as in use and stays offered with
the figures of its last check.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.settings import SettingsError, parse_worker
from app.ui.common.errors import error_line
from app.ui.common.format import number
from app.ui.common.i18n import QT_TRANSLATE_NOOP, translate
from app.ui.common.tasks import TaskGroup
from core.errors import ModelwerkError
from hardware.remote import RemoteWorker, on_this_machine
from hardware.report import HardwareReport
from hardware.rpc_client import WorkerBusy, WorkerProbe, probe_worker

log = logging.getLogger(__name__)
GIB = 2**30


def _endpoint(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


class AddMachineDialog(QDialog):
    """HOST:PORT and the memory the worker offers; OK only with an address that parses."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(translate("Hardware", "Add machine"))
        self.address = QLineEdit()
        self.address.setPlaceholderText("127.0.0.1:50052")
        self.memory = QDoubleSpinBox()
        self.memory.setRange(0, 4096)
        self.memory.setDecimals(2)
        self.memory.setSuffix(" GiB")
        self.memory.setSpecialValueText(translate("Hardware", "what it reports"))
        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setWordWrap(True)
        self.error.hide()
        hint = QLabel(translate("Hardware", "Start it there with `modelwerk worker` (add --mem to lend only part of its "
                                            "memory). llama.cpp's RPC has no password and no encryption: between "
                                            "machines, connect through an SSH tunnel (ssh -N -L 50052:127.0.0.1:50052 "
                                            "that-machine) and add 127.0.0.1:50052 here."))  # fmt: skip
        hint.setTextFormat(Qt.TextFormat.MarkdownText)  # `modelwerk worker` as code
        hint.setWordWrap(True)
        hint.setObjectName("muted")
        form = QFormLayout()
        form.addRow(translate("Hardware", "Address (host:port)"), self.address)
        form.addRow(translate("Hardware", "Memory it offers"), self.memory)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._on_buttons_accepted)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def entry(self) -> str:
        """The setting's entry: HOST:PORT or HOST:PORT/GiB."""
        gib = self.memory.value()
        return self.address.text().strip() + (f"/{gib:g}" if gib else "")

    def _on_buttons_accepted(self) -> None:
        try:
            parse_worker(self.entry())
        except SettingsError as e:
            self.error.setText(error_line(e))
            self.error.show()
            return
        self.accept()


class MachinesBox(QGroupBox):
    """The added machines, each probed off the GUI thread; `workers_changed` carries the reachable ones."""

    workers_changed = Signal(object)
    """tuple[RemoteWorker, ...]: the machines that answered, with the memory each offers."""
    COLUMNS = (QT_TRANSLATE_NOOP("Hardware", "Machine"), QT_TRANSLATE_NOOP("Hardware", "Devices"),
               QT_TRANSLATE_NOOP("Hardware", "Free memory"), QT_TRANSLATE_NOOP("Hardware", "Offers"),
               QT_TRANSLATE_NOOP("Hardware", "Round trip"), QT_TRANSLATE_NOOP("Hardware", "Bandwidth"),
               QT_TRANSLATE_NOOP("Hardware", "Status"))  # fmt: skip

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(translate("Hardware", "Other machines"), parent)
        self._entries: list[str] = []
        self._probes: dict[str, WorkerProbe] = {}
        self._errors: dict[str, str] = {}
        self._in_use: set[str] = set()
        self._hardware: HardwareReport | None = None
        self._save: Callable[[tuple[str, ...]], None] | None = None
        self._tasks = TaskGroup(self)
        intro = QLabel(translate("Hardware", "A model that does not fit this machine can spread its layers over other "
                                             "machines running `modelwerk worker` (llama.cpp's RPC). Each is probed for "
                                             "its memory, the round trip and the bandwidth into its memory; the speed "
                                             "estimate counts all three."))  # fmt: skip
        intro.setTextFormat(Qt.TextFormat.MarkdownText)
        intro.setWordWrap(True)
        intro.setObjectName("muted")
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setHorizontalHeaderLabels([translate("Hardware", c) for c in self.COLUMNS])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)  # a few rows: cheap to measure
        header.setSectionResizeMode(len(self.COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)  # the status takes the rest
        self.table.verticalHeader().hide()
        self.add_button = QPushButton(translate("Hardware", "Add machine…"))
        self.add_button.clicked.connect(self._on_add_button_clicked)
        self.remove_button = QPushButton(translate("Hardware", "Remove"))
        self.remove_button.clicked.connect(self._on_remove_button_clicked)
        self.check_button = QPushButton(translate("Hardware", "Check again"))
        self.check_button.clicked.connect(self.check_all)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addWidget(self.check_button)
        buttons.addStretch()
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        self._refresh()

    # --- the list -------------------------------------------------------------------------------------------------

    def set_entries(self, entries: tuple[str, ...], *, save: Callable[[tuple[str, ...]], None] | None = None) -> None:
        """The stored machines (the `workers` setting); `save` stores the list after each change. Probes them all."""
        self._save = save
        self._entries = list(dict.fromkeys(entries))
        self.check_all()

    def set_hardware(self, report: HardwareReport) -> None:
        """This machine's report: a worker that runs on it says that it offers only what it is given."""
        self._hardware = report
        self._refresh()

    def entries(self) -> tuple[str, ...]:
        return tuple(self._entries)

    def add_entry(self, entry: str) -> None:
        host, port, gib = parse_worker(entry)
        key = _endpoint(host, port)
        self._entries = [e for e in self._entries if e.partition("/")[0] != key] + [key + (f"/{gib:g}" if gib else "")]
        self._changed()
        self._check(self._entries[-1])

    def remove_entry(self, entry: str) -> None:
        self._entries = [e for e in self._entries if e != entry]
        self._changed()

    def workers(self) -> tuple[RemoteWorker, ...]:
        """The machines that answered their last probe, with the memory each offers."""
        out = []
        for entry in self._entries:
            probe = self._probes.get(entry)
            if probe is None:
                continue
            _, _, gib = parse_worker(entry)
            out.append(RemoteWorker.of_probe(probe, memory_limit=round(gib * GIB)))
        return tuple(out)

    def busy(self) -> bool:
        return self._tasks.pending() > 0

    def check_all(self) -> None:
        for entry in self._entries:
            self._check(entry)
        self._refresh()

    # --- probing --------------------------------------------------------------------------------------------------

    def _check(self, entry: str) -> None:
        host, port, _ = parse_worker(entry)
        self._errors[entry] = translate("Hardware", "checking…")
        self._tasks.start(lambda: _probe(host, port), lambda probe: self._on_probe_finished(entry, probe),
                          lambda message: self._on_probe_failed(entry, message), what="worker probe")  # fmt: skip

    def _on_probe_finished(self, entry: str, probe: WorkerProbe | WorkerBusy) -> None:
        if isinstance(probe, WorkerBusy):  # running, serving a loaded model: its last figures still hold
            self._in_use.add(entry)
            if entry not in self._probes:
                self._errors[entry] = error_line(probe)
        else:
            self._in_use.discard(entry)
            self._probes[entry] = probe
            self._errors.pop(entry, None)
        self._refresh()
        self.workers_changed.emit(self.workers())

    def _on_probe_failed(self, entry: str, message: str) -> None:
        self._probes.pop(entry, None)
        self._in_use.discard(entry)
        self._errors[entry] = message
        self._refresh()
        self.workers_changed.emit(self.workers())

    def _changed(self) -> None:
        if self._save is not None:
            try:
                self._save(tuple(self._entries))
            except ModelwerkError as e:  # the database: the list stays for this session
                log.warning("cannot store the machines: %s", e)
                self.table.setToolTip(translate("Hardware", "Cannot save the machines: {error}").format(error=str(e)))
        self._refresh()
        self.workers_changed.emit(self.workers())

    def _refresh(self) -> None:
        self.table.setRowCount(len(self._entries))
        for row, entry in enumerate(self._entries):
            host, port, gib = parse_worker(entry)
            probe = self._probes.get(entry)
            offers = translate("Hardware", "{size} GiB").format(size=number(gib, 1)) if gib else \
                translate("Hardware", "all it reports")  # fmt: skip
            if probe is not None:
                count = len(probe.devices)  # a plain name: lupdate's parser misses a %n text counted by an expression
                devices = translate("Hardware", "%n device(s)", None, count)
                free = translate("Hardware", "{free} of {total} GiB").format(
                    free=number(probe.free / GIB, 1), total=number(sum(d.total for d in probe.devices) / GIB, 1))
                rtt = translate("Hardware", "{ms} ms").format(ms=number(probe.rtt_s * 1e3, 2))
                bandwidth = translate("Hardware", "{rate} GB/s").format(rate=number(probe.bandwidth / 1e9, 2)) \
                    if probe.bandwidth else translate("Hardware", "not measured (1 Gbit/s assumed)")  # fmt: skip
                status = translate("Hardware", "in use by a loaded model (figures of its last check)") \
                    if entry in self._in_use else translate("Hardware", "ready")  # fmt: skip
                if not gib and self._hardware is not None and on_this_machine(RemoteWorker.of_probe(probe), self._hardware):
                    status = translate("Hardware", "on this machine: it adds no memory until you enter what it may "
                                                   "use (its --mem)")  # fmt: skip
            else:
                devices = free = rtt = bandwidth = "–"
                status = self._errors.get(entry, "")
            for col, text in enumerate((_endpoint(host, port), devices, free, offers, rtt, bandwidth, status)):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(row, col, item)
        rows = max(2, min(len(self._entries), 6))  # the whole list up to 6 machines, without a scroll bar
        self.table.setFixedHeight(self.table.horizontalHeader().sizeHint().height() + 2 * self.table.frameWidth()
                                  + rows * self.table.verticalHeader().defaultSectionSize())  # fmt: skip
        self.remove_button.setEnabled(bool(self._entries))
        self.check_button.setEnabled(bool(self._entries))

    # --- buttons --------------------------------------------------------------------------------------------------

    def _on_add_button_clicked(self) -> None:
        dialog = AddMachineDialog(self)
        dialog.accepted.connect(lambda: self.add_entry(dialog.entry()))
        dialog.open()

    def _on_remove_button_clicked(self) -> None:
        row = self.table.currentRow()
        if 0 <= row < len(self._entries):
            self.remove_entry(self._entries[row])


def _probe(host: str, port: int) -> WorkerProbe | WorkerBusy:
    """The probe, or the worker's being busy as a result rather than a failure (it is there and running)."""
    try:
        return probe_worker(host, port)
    except WorkerBusy as e:
        return e
