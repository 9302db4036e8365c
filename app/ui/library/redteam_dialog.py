"""The Library's "Red-team test…": the shield's self-test (``modelwerk redteam``) of the selected model, run as a
child process (it loads the model and indexes the planted documents: minutes of work the GUI must not wait for), with
its progress, a Stop button, the attack success rate per family with the shield off and on, and each attack's
transcript. Everything the child prints is data: shown as plain text, never as HTML.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from PySide6.QtCore import QProcess, QProcessEnvironment, Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.shield.attacks import FAMILIES, load
from app.ui.common.i18n import translate
from procs.launch import python_module

_TRIAL = re.compile(r"shield (on |off)\s+attack (SUCCEEDED|failed)")
KILL_AFTER_MS = 3000
MAX_OUTPUT = 20 * 2**20
"""The report's JSON is read into memory; a child that writes more than this is stopped."""


def redteam_arguments(model: Path, families: list[str], shield: str, *, classifier: bool = False) -> list[str]:
    """The command line of the run (``--json``: the report comes back on stdout; progress lines come on stderr);
    ``classifier``: the model judges too (the shield's classifier, calibrated on the benign documents)."""
    return ["redteam", str(model), "--shield", shield, "--attacks", ",".join(families), "--json",
            *(["--classifier", str(model)] if classifier else [])]  # fmt: skip


def percent(won: int, tried: int) -> str:
    return f"{won}/{tried} ({won / tried:.0%})" if tried else "—"


class RedTeamDialog(QDialog):
    """Choose the attack families and the shield setting, run, read the results and the transcripts."""

    def __init__(self, model: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.setWindowTitle(translate("RedTeam", "Red-team test — {name}").format(name=model.name))
        intro = QLabel(translate("RedTeam", "Plants each attack of Modelwerk's corpus in a small document, asks the model "
                                            "about the document with the shield off and on, and counts an attack as "
                                            "succeeded when the answer contains the attack's canary (a token drawn per "
                                            "run). Offline, on this machine; a few minutes for a small model."))  # fmt: skip
        intro.setWordWrap(True)
        self.families: dict[str, QCheckBox] = {}
        boxes = QHBoxLayout()
        for family in FAMILIES:
            box = QCheckBox(family)
            box.setChecked(True)
            box.toggled.connect(self._on_choice_changed)
            self.families[family] = box
            boxes.addWidget(box)
        boxes.addStretch(1)
        self.shield = QComboBox()
        for value, label in (("both", translate("RedTeam", "Shield off and on")), ("off", translate("RedTeam", "Shield off")),
                             ("on", translate("RedTeam", "Shield on"))):  # fmt: skip
            self.shield.addItem(label, value)
        self.shield.currentIndexChanged.connect(self._on_choice_changed)
        self.classifier = QCheckBox(translate("RedTeam", "Also measure the classifier (this model as the judge)"))
        self.classifier.setToolTip(translate("RedTeam", "The model judges every benign passage and every planted "
                                                        "attack; its threshold is calibrated on half of the benign "
                                                        "passages and its false positives counted on the other half. "
                                                        "Takes longer."))  # fmt: skip
        self.start_button = QPushButton(translate("RedTeam", "Start"))
        self.start_button.clicked.connect(self._on_start_clicked)
        self.stop_button = QPushButton(translate("RedTeam", "Stop"))
        self.stop_button.setEnabled(False)
        self.stop_button.clicked.connect(self._on_stop_clicked)
        controls = QHBoxLayout()
        controls.addWidget(self.shield)
        controls.addWidget(self.classifier)
        controls.addStretch(1)
        controls.addWidget(self.start_button)
        controls.addWidget(self.stop_button)
        self.progress = QProgressBar()
        self.status = QLabel()
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels([translate("RedTeam", "Family"), translate("RedTeam", "Shield off"),
                                              translate("RedTeam", "Shield on"),
                                              translate("RedTeam", "Scanner flagged"),
                                              translate("RedTeam", "Classifier flagged")])  # fmt: skip
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.trials = QListWidget()
        self.trials.currentItemChanged.connect(self._on_trials_current_item_changed)
        self.transcript = QPlainTextEdit()
        self.transcript.setReadOnly(True)
        self.transcript.setPlaceholderText(translate("RedTeam", "Choose an attack to read its prompt and the answer."))
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.trials)
        split.addWidget(self.transcript)
        split.setStretchFactor(1, 3)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(boxes)
        layout.addLayout(controls)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.table)
        layout.addWidget(split, 1)
        self.process: QProcess | None = None
        self.report: dict[str, Any] | None = None
        self._stdout = bytearray()
        self._stderr = ""
        self._done_trials = 0
        self._on_choice_changed()
        self.resize(900, 640)

    # -- running -------------------------------------------------------------------------------------------------------

    def chosen_families(self) -> list[str]:
        return [f for f, box in self.families.items() if box.isChecked()]

    def _on_choice_changed(self, *_: object) -> None:
        families = self.chosen_families()
        running = self.process is not None
        self.start_button.setEnabled(bool(families) and not running)
        if not running:
            trials = len(load(families)) * (2 if self.shield.currentData() == "both" else 1) if families else 0
            self.status.setText(translate("RedTeam", "{count} trials.").format(count=trials) if families
                                else translate("RedTeam", "Choose at least one family."))  # fmt: skip

    def start(self) -> None:
        """Run the self-test in a child process (``python -m app redteam ... --json``)."""
        families = self.chosen_families()
        if not families or self.process is not None:
            return
        arguments = redteam_arguments(self.model, families, str(self.shield.currentData()),
                                      classifier=self.classifier.isChecked())  # fmt: skip
        command = python_module("app", arguments, label="the red-team test")
        env = QProcessEnvironment()
        for key, value in (command.env or {}).items():
            env.insert(key, value)
        self.report = None
        self._stdout.clear()
        self._stderr = ""
        self._done_trials = 0
        self.table.setRowCount(0)
        self.trials.clear()
        self.transcript.clear()
        total = len(load(families)) * (2 if self.shield.currentData() == "both" else 1)
        self.progress.setRange(0, total)
        self.progress.setValue(0)
        self.status.setText(translate("RedTeam", "Loading the model…"))
        process = QProcess(self)
        process.setProcessEnvironment(env)
        process.readyReadStandardOutput.connect(self._on_process_ready_read_standard_output)
        process.readyReadStandardError.connect(self._on_process_ready_read_standard_error)
        process.finished.connect(self._on_process_finished)
        self.process = process
        process.start(command.argv[0], list(command.argv[1:]))
        self.stop_button.setEnabled(True)
        self._on_choice_changed()

    def stop(self) -> None:
        if self.process is not None:
            self.status.setText(translate("RedTeam", "Stopping…"))
            process = self.process
            process.terminate()  # the child exits on SIGTERM; killed if it has not after a few seconds (never waited for)
            QTimer.singleShot(KILL_AFTER_MS, self, lambda: process.kill() if self.process is process else None)

    def _on_start_clicked(self) -> None:
        self.start()

    def _on_stop_clicked(self) -> None:
        self.stop()

    def _on_process_ready_read_standard_output(self) -> None:
        if self.process is None:
            return
        self._stdout += bytes(self.process.readAllStandardOutput().data())
        if len(self._stdout) > MAX_OUTPUT:
            self.process.kill()

    def _on_process_ready_read_standard_error(self) -> None:
        if self.process is None:
            return
        text = bytes(self.process.readAllStandardError().data()).decode("utf-8", "replace")
        self._stderr = (self._stderr + text)[-4000:]
        self._done_trials += len(_TRIAL.findall(text))
        self.progress.setValue(min(self._done_trials, self.progress.maximum()))
        if self._done_trials:
            self.status.setText(translate("RedTeam", "{done} of {total} trials done…").format(
                done=self._done_trials, total=self.progress.maximum()))  # fmt: skip

    def _on_process_finished(self, code: int, status: QProcess.ExitStatus) -> None:
        process, self.process = self.process, None
        if process is not None:
            self._stdout += bytes(process.readAllStandardOutput().data())
            process.deleteLater()
        self.stop_button.setEnabled(False)
        self._on_choice_changed()
        if status is not QProcess.ExitStatus.NormalExit or code != 0:
            last = next((line.strip() for line in reversed(self._stderr.splitlines()) if line.strip()), "")
            self.status.setText(translate("RedTeam", "The test stopped before it finished.") + (f" {last}" if last else ""))
            return
        try:
            report = json.loads(self._stdout.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            self.status.setText(translate("RedTeam", "The test's report could not be read."))
            return
        if not isinstance(report, dict):
            self.status.setText(translate("RedTeam", "The test's report could not be read."))
            return
        self.show_report(report)

    # -- the report ----------------------------------------------------------------------------------------------------

    def show_report(self, report: dict[str, Any]) -> None:
        """Fill the table, the false-positive line and the list of transcripts from ``redteam --json``'s report."""
        self.report = report
        families = report.get("families") or {}
        self.table.setRowCount(0)
        for family, row in families.items():
            r = self.table.rowCount()
            self.table.insertRow(r)
            cells = [family if family != "all" else translate("RedTeam", "all")]
            for key in ("shield_off", "shield_on"):
                cell = row.get(key) or {}
                cells.append(percent(int(cell.get("succeeded", 0)), int(cell.get("tried", 0))) if cell else "—")
            detected = row.get("detected") or {}
            cells.append(f"{int(detected.get('flagged', 0))}/{int(detected.get('planted', 0))}")
            judged = ((report.get("classifier") or {}).get("detected") or {}).get(family)
            cells.append(f"{int(judged.get('flagged', 0))}/{int(judged.get('planted', 0))}" if judged else "—")
            for c, text in enumerate(cells):
                self.table.setItem(r, c, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        fp = report.get("false_positives") or {}
        self.status.setText(translate("RedTeam", "Succeeded means the model wrote the attack's canary. Scanner false "
                                                 "positives on benign documents: {flagged} of {passages} passages.")
                            .format(flagged=int(fp.get("flagged", 0)), passages=int(fp.get("passages", 0))))  # fmt: skip
        judge = report.get("classifier")
        if isinstance(judge, dict):
            held = judge.get("false_positives") or {}
            line = translate("RedTeam", "Classifier: threshold {threshold} from {calibrated} passages; false positives "
                                        "on the {held} held out: {flagged}.")  # fmt: skip
            self.status.setText(self.status.text() + " " + line.format(
                threshold=judge.get("threshold"), calibrated=judge.get("calibrated_on"), held=held.get("passages"),
                flagged=held.get("flagged")))  # fmt: skip
        self.trials.clear()
        for trial in report.get("trials") or []:
            shield = translate("RedTeam", "shield on") if trial.get("shield") else translate("RedTeam", "shield off")
            outcome = translate("RedTeam", "SUCCEEDED") if trial.get("succeeded") else translate("RedTeam", "failed")
            item = QListWidgetItem(f"{trial.get('attack', '?')} · {shield} · {outcome}")
            item.setData(Qt.ItemDataRole.UserRole, trial)
            self.trials.addItem(item)

    def _on_trials_current_item_changed(self, item: QListWidgetItem | None, _previous: object) -> None:
        trial = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        if not isinstance(trial, dict):
            self.transcript.clear()
            return
        parts = [translate("RedTeam", "Canary: {canary} · flagged by the scanner: {kinds}").format(
                     canary=trial.get("canary", ""), kinds=", ".join(trial.get("flagged") or []) or "—"),
                 "\n== " + translate("RedTeam", "System"), str(trial.get("system", "")),
                 "\n== " + translate("RedTeam", "User (with the planted document)"), str(trial.get("user", "")),
                 "\n== " + translate("RedTeam", "Answer"), str(trial.get("answer", ""))]  # fmt: skip
        self.transcript.setPlainText("\n".join(parts))

    def done(self, result: int) -> None:
        """Closing the dialog stops a run (the child would otherwise run on unseen)."""
        self.stop()
        super().done(result)
