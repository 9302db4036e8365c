"""Evaluate code from the GUI: the dialog queues one job per mode, the real SmolLM2 writes code that runs in the sandbox,
and Results shows pass@1 beside the model's other figures."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from app import paths
from app.jobs import open_queue
from app.library.catalog import Catalog, CatalogEntry
from app.store import Store
from app.ui.jobs.codeeval_dialog import CodeEvalDialog
from app.ui.jobs.page import JobsPage
from app.ui.jobs.queue_model import Column
from formats.inspect import inspect
from hardware.fit import FitOptions
from quantize.queue import JobQueue
from quantize.spec import CodeEvalSpec


def register(path: Path) -> CatalogEntry:
    with Store.open(paths.database_path()) as store:
        return Catalog(store).add(inspect(path), source="imported")


@pytest.fixture
def page(qtbot: QtBot, tmp_path: Path) -> Iterator[JobsPage]:
    queue: JobQueue = open_queue()
    p = JobsPage(queue, catalog=None, models_dir=tmp_path / "out", options=FitOptions(context=4096))
    qtbot.addWidget(p)
    p.resize(1100, 700)
    p.show()
    p.start()
    yield p
    p.shutdown()
    QThreadPool.globalInstance().waitForDone(10_000)
    queue.close()


def test_the_dialog_says_what_it_costs_and_needs_a_mode(qtbot: QtBot, smollm2_model: Path) -> None:
    dialog = CodeEvalDialog(register(smollm2_model))
    qtbot.addWidget(dialog)
    assert dialog.problems == 0 and dialog.reasonings == ["off"] and "41,000 tokens" in dialog.cost.text()
    dialog.system2.setChecked(True)
    assert dialog.reasonings == ["off", "prompted"]
    dialog.system1.setChecked(False)
    dialog.system2.setChecked(False)
    assert not dialog.buttons.button(dialog.buttons.StandardButton.Ok).isEnabled()
    dialog.count.setValue(3)
    assert dialog.problems == 3


def test_evaluate_code_queues_a_job_that_lands_in_results(qtbot: QtBot, page: JobsPage, smollm2_model: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    def accept(dialog: CodeEvalDialog) -> int:
        dialog.count.setValue(1)
        return QDialog.DialogCode.Accepted.value

    monkeypatch.setattr(CodeEvalDialog, "exec", accept)
    assert page.ask_codeeval(register(smollm2_model))
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=5000)
    job = page.model.job(0)
    assert isinstance(job.spec, CodeEvalSpec) and job.spec.problems == 1 and job.spec.reasoning == "off"
    assert str(page.model.index(0, Column.TITLE).data()).startswith("Code eval SmolLM2-135M-Instruct.Q4_1.gguf (HumanEval")
    qtbot.waitUntil(lambda: str(page.model.index(0, Column.STATE).data()) in ("Done", "Failed"), timeout=240_000)
    assert str(page.model.index(0, Column.STATE).data()) == "Done", page.model.job(0).error
    view = page.results  # reloads once the job's result is stored
    qtbot.waitUntil(lambda: view.model.rowCount() == 1, timeout=10_000)
    assert view.model.index(0, 7).data().endswith("%")  # Code pass@1: 0.0% or 100.0% of one problem
