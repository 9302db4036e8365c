"""The Library's Red-team dialog: a real run of `modelwerk redteam` in a child process with the real SmolLM2 (one
family, shield off), Stop, and a report shown as plain text (a hostile answer stays text)."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from app.ui.library.redteam_dialog import RedTeamDialog, redteam_arguments

RUN_MS = 280_000


def _only(dialog: RedTeamDialog, family: str) -> None:
    for name, box in dialog.families.items():
        box.setChecked(name == family)


def test_a_real_run_fills_the_table_and_the_transcripts(qtbot: QtBot, smollm2_model: Path) -> None:
    dialog = RedTeamDialog(smollm2_model)
    qtbot.addWidget(dialog)
    _only(dialog, "hidden-html")
    dialog.shield.setCurrentIndex(dialog.shield.findData("off"))
    assert dialog.status.text() == "3 trials."
    dialog.start()
    assert dialog.process is not None and not dialog.start_button.isEnabled() and dialog.stop_button.isEnabled()
    qtbot.waitUntil(lambda: dialog.process is None, timeout=RUN_MS)
    assert dialog.report is not None, dialog.status.text()
    assert dialog.progress.value() == 3 and dialog.trials.count() == 3
    rows = {dialog.table.item(r, 0).text(): r for r in range(dialog.table.rowCount())}
    assert set(rows) == {"hidden-html", "all"}
    assert dialog.table.item(rows["hidden-html"], 3).text() == "3/3"  # the scanner flags every hidden-HTML attack
    assert dialog.table.item(rows["all"], 2).text() == "—"  # the shield was not turned on
    dialog.trials.setCurrentRow(0)
    assert "== Answer" in dialog.transcript.toPlainText() and "Canary: ZX" in dialog.transcript.toPlainText()


def test_stop_ends_the_child_and_says_so(qtbot: QtBot, smollm2_model: Path) -> None:
    dialog = RedTeamDialog(smollm2_model)
    qtbot.addWidget(dialog)
    dialog.start()
    assert dialog.process is not None
    dialog.stop()
    qtbot.waitUntil(lambda: dialog.process is None, timeout=10_000)
    assert dialog.report is None and "stopped before it finished" in dialog.status.text()
    assert dialog.start_button.isEnabled() and not dialog.stop_button.isEnabled()


def test_a_report_is_shown_as_text_and_nothing_runs_without_a_family(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = RedTeamDialog(tmp_path / "m.gguf")
    qtbot.addWidget(dialog)
    hostile = "<img src='http://attacker.example/x.png'><b>bold</b>"
    dialog.show_report({"families": {"encoding": {"shield_off": {"succeeded": 1, "tried": 2},
                                                  "detected": {"flagged": 2, "planted": 2}}},
                        "false_positives": {"flagged": 1, "passages": 80},
                        "trials": [{"attack": "b64-en", "shield": False, "succeeded": True, "canary": "ZX1",
                                    "flagged": ["encoded-blob"], "system": "s", "user": "u", "answer": hostile}]})  # fmt: skip
    assert [dialog.table.item(0, c).text() for c in range(5)] == ["encoding", "1/2 (50%)", "—", "2/2", "—"]
    assert "1 of 80 passages" in dialog.status.text()
    assert dialog.trials.item(0).text() == "b64-en · shield off · SUCCEEDED"
    dialog.trials.setCurrentRow(0)
    assert hostile in dialog.transcript.toPlainText()  # shown as it is, never rendered
    for box in dialog.families.values():
        box.setChecked(False)
    assert not dialog.start_button.isEnabled() and dialog.status.text() == "Choose at least one family."
    assert redteam_arguments(Path("m.gguf"), ["encoding"], "both") == ["redteam", "m.gguf", "--shield", "both",
                                                                       "--attacks", "encoding", "--json"]  # fmt: skip
    assert redteam_arguments(Path("m.gguf"), ["encoding"], "on", classifier=True)[-2:] == ["--classifier", "m.gguf"]
    dialog.show_report({"families": {"encoding": {"detected": {"flagged": 2, "planted": 2}}},
                        "classifier": {"threshold": 0.61, "calibrated_on": 40, "false_positives": {"passages": 40,
                                       "flagged": 1}, "detected": {"encoding": {"flagged": 1, "planted": 2}}}})  # fmt: skip
    assert dialog.table.item(0, 4).text() == "1/2" and "threshold 0.61 from 40 passages" in dialog.status.text()
