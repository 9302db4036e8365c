"""The GUI asks before a folder's own Python code may run (issue 13, item 1): the Library's Quantize… names the code files,
OK opens a confirmation that lists them with Cancel as the default, and only "Allow" queues a conversion that may run them.
Discover's "Quantize it myself" names a repository's code, which is never downloaded."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fixtures.hardware_reports import desktop_24gb
from fixtures.hf_folders import write_llama_folder
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog
from pytestqt.qtbot import QtBot

from app import paths
from app.library.catalog import Catalog, CatalogEntry
from app.store import Store
from app.ui.common.remote_code_dialog import CodeLeftOutDialog, RemoteCodeDialog, confirm_download_without_code
from app.ui.jobs.page import JobsPage
from app.ui.jobs.quantize_dialog import QuantizeDialog
from formats.inspect import inspect
from hardware.fit import FitOptions
from quantize.queue import JobQueue
from quantize.spec import ConvertSpec
from quantize.toolchain import ROOT_ENV

OPTIONS = FitOptions(context=4096)
DIMS = {"hidden": 256, "ff": 512, "layers": 2, "heads": 4, "kv_heads": 2, "vocab": 4096}
CODE = ("tokenization_qwen.py", "tokenizer_config.json")


@pytest.fixture(autouse=True)
def no_toolchain(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ROOT_ENV, str(tmp_path / "no-toolchain"))


@pytest.fixture
def queue(tmp_path: Path) -> Iterator[JobQueue]:
    q = JobQueue(tmp_path / "jobs.db", log_dir=tmp_path / "logs")
    yield q
    q.close()


def hostile_entry(tmp_path: Path) -> CatalogEntry:
    folder = write_llama_folder(tmp_path / "models" / "Qwen-evil", **DIMS)
    (folder / "tokenization_qwen.py").write_text(f"open({str(tmp_path / 'MARKER')!r}, 'w').write('pwned')\n")
    auto_map = {"auto_map": {"AutoTokenizer": ["tokenization_qwen.QWenTokenizer", None]}}
    (folder / "tokenizer_config.json").write_text(json.dumps(auto_map))
    with Store.open(paths.database_path()) as store:
        return Catalog(store).add(inspect(folder), source="imported")


def open_dialog(qtbot: QtBot, entry: CatalogEntry, out_dir: Path) -> QuantizeDialog:
    dialog = QuantizeDialog(entry, hardware=desktop_24gb(), options=OPTIONS, out_dir=out_dir)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: not dialog.busy() and dialog.code_files is not None and dialog.conversion() is not None,
                    timeout=15_000)  # fmt: skip
    return dialog


def answer_confirmation(qtbot: QtBot, seen: list[str], *, allow: bool) -> None:
    """When the confirmation opens: record what it lists, then click Allow or Cancel (as a user would)."""

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, RemoteCodeDialog):
            QTimer.singleShot(20, answer)
            return
        seen.append(box.text() + box.informativeText())
        assert box.defaultButton() is box.cancel_button  # Enter does not allow code
        (box.allow_button if allow else box.cancel_button).click()

    QTimer.singleShot(0, answer)


def test_the_dialog_names_the_code_and_ok_asks_before_it_may_run(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = open_dialog(qtbot, hostile_entry(tmp_path), tmp_path / "out")
    assert dialog.code_files == CODE
    assert dialog.code_note.isVisible()
    assert all(name in dialog.code_note.text() for name in CODE)

    seen: list[str] = []
    answer_confirmation(qtbot, seen, allow=False)
    dialog.ok_button.click()
    assert len(seen) == 1 and all(name in seen[0] for name in CODE)
    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted.value  # declined: nothing queued
    assert not dialog.trust_remote_code

    answer_confirmation(qtbot, seen, allow=True)
    dialog.ok_button.click()
    assert len(seen) == 2
    assert dialog.result() == QDialog.DialogCode.Accepted.value and dialog.trust_remote_code
    assert not (tmp_path / "MARKER").exists()


def test_quantize_queues_the_conversion_with_the_users_answer(qtbot: QtBot, tmp_path: Path, queue: JobQueue,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    page = JobsPage(queue, catalog=None, models_dir=tmp_path / "out", options=OPTIONS)  # not started: nothing runs
    qtbot.addWidget(page)
    entry = hostile_entry(tmp_path)
    seen: list[str] = []

    def run_dialog(allow: bool) -> Callable[[QuantizeDialog], int]:
        def exec_(dialog: QuantizeDialog) -> int:
            dialog.show()
            qtbot.waitUntil(lambda: not dialog.busy() and dialog.code_files is not None, timeout=15_000)
            answer_confirmation(qtbot, seen, allow=allow)
            dialog.ok_button.click()
            if dialog.result() != QDialog.DialogCode.Accepted.value:
                dialog.reject()  # the user then closes the dialog
            return dialog.result()

        return exec_

    monkeypatch.setattr(QuantizeDialog, "exec", run_dialog(False))
    assert not page.ask_quantize(entry)
    assert queue.jobs() == []

    monkeypatch.setattr(QuantizeDialog, "exec", run_dialog(True))
    assert page.ask_quantize(entry)
    qtbot.waitUntil(lambda: not page.busy() and len(queue.jobs()) >= 2, timeout=10_000)
    converts = [j.spec for j in queue.jobs() if isinstance(j.spec, ConvertSpec)]
    assert len(converts) == 1 and converts[0].trust_remote_code
    assert len(seen) == 2


def test_discover_names_the_code_it_leaves_out(qtbot: QtBot) -> None:
    answers: list[bool] = []

    def answer(click_download: bool) -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, CodeLeftOutDialog):
            QTimer.singleShot(20, lambda: answer(click_download))
            return
        assert "modeling_qwen.py" in box.informativeText() and "tokenization_qwen.py" in box.informativeText()
        assert box.defaultButton() is box.cancel_button
        (box.download_button if click_download else box.cancel_button).click()

    for choice in (False, True):
        QTimer.singleShot(0, lambda c=choice: answer(c))
        answers.append(confirm_download_without_code(None, "Qwen/Qwen-7B", ["modeling_qwen.py", "tokenization_qwen.py"]))
    assert answers == [False, True]
