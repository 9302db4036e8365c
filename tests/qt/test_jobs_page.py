"""The Jobs page, the Quantize dialog and the results chart as a user sees them, with the real queue, runner and worker."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fixtures.hardware_reports import cpu_only, desktop_24gb
from fixtures.header_models import MODELS, write_fake_gguf
from PySide6.QtCore import QCoreApplication, QEvent, QThreadPool
from PySide6.QtWidgets import QDialog, QWidget
from pytestqt.qtbot import QtBot

from app import paths
from app.jobs import open_queue, quantize_specs
from app.library.catalog import Catalog, CatalogEntry
from app.settings import Settings
from app.store import Store
from app.ui.jobs.page import JobsPage
from app.ui.jobs.quantize_dialog import QuantizeDialog
from app.ui.jobs.queue_model import Column, JobsModel
from app.ui.jobs.results_chart import Metric, ResultsView
from app.ui.main_window import MainWindow
from formats.inspect import inspect
from hardware.fit import FitOptions
from quantize.queue import JobQueue
from quantize.types import predict_size

OPTIONS = FitOptions(context=4096)


def dispose(widget: QWidget) -> None:
    widget.close()
    widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def register(path: Path) -> CatalogEntry:
    with Store.open(paths.database_path()) as store:
        return Catalog(store).add(inspect(path), source="imported")


@pytest.fixture
def queue(tmp_path: Path) -> Iterator[JobQueue]:
    q = open_queue()
    yield q
    q.close()


@pytest.fixture
def page(qtbot: QtBot, queue: JobQueue, tmp_path: Path) -> Iterator[JobsPage]:
    """A started Jobs page of its own (no Library), its runner running."""
    p = JobsPage(queue, catalog=None, models_dir=tmp_path / "out", options=OPTIONS)
    qtbot.addWidget(p)
    p.resize(1100, 700)
    p.show()
    p.start()
    yield p
    p.shutdown()
    QThreadPool.globalInstance().waitForDone(10_000)  # as the main window does: no page call may outlive the queue
    dispose(p)


def cell(page: JobsPage, row: int, column: Column) -> str:
    return str(page.model.index(row, column).data())


def test_the_dialog_lists_types_with_predicted_sizes_and_fit_verdicts(qtbot: QtBot, kquant_gguf: Path, tmp_path: Path) -> None:
    entry = register(kquant_gguf)
    dialog = QuantizeDialog(entry, hardware=desktop_24gb(), options=OPTIONS, out_dir=tmp_path / "out")
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: not dialog.busy() and dialog.row("Q8_0")[1] != "…", timeout=15_000)
    name, size, verdict, _time, about = dialog.row("Q8_0")
    assert name == "Q8_0"
    predicted = predict_size(kquant_gguf, "Q8_0")
    assert size == f"{predicted / 1024**2:.0f} MiB" and "8-bit" in about
    assert verdict == "Full GPU"  # a tiny model on a 24 GB card
    assert dialog.row("Q2_K")[1] != dialog.row("F16")[1]  # sizes differ per type
    assert not dialog.source_quantized() and dialog.requantize_warning.isHidden()
    # IQ2 types need an importance matrix: not selectable without one.
    # So does IQ3_XXS here, for some tensors (llama.cpp's per-tensor rule: it would refuse after loading the model).
    dialog.set_checked(["Q8_0", "Q4_0", "IQ2_XS", "IQ3_XXS"])
    assert dialog.checked_types() == ["Q8_0", "Q4_0"]
    assert dialog.ok_button.isEnabled() and "2 types selected" in dialog.totals.text()
    specs = dialog.specs()
    assert [s.quant_type for s in specs] == ["Q8_0", "Q4_0"]
    assert [s.output for s in specs] == [(tmp_path / "out" / "kquant.Q8_0.gguf").absolute(),
                                         (tmp_path / "out" / "kquant.Q4_0.gguf").absolute()]  # fmt: skip
    assert all(s.source == kquant_gguf.absolute() and not s.allow_requantize for s in specs)
    dialog.set_checked([])
    assert not dialog.ok_button.isEnabled() and dialog.problem.text() == "Choose at least one type."


def test_the_dialog_warns_before_requantizing_and_judges_big_models_on_this_machine(qtbot: QtBot, tmp_path: Path) -> None:
    nemo = next(m for m in MODELS if m.file_type == "Q8_0")  # 12B at Q8_0: a real header over a sparse file
    (tmp_path / "models").mkdir()
    entry = register(write_fake_gguf(nemo, tmp_path / "models"))
    dialog = QuantizeDialog(entry, hardware=desktop_24gb(), options=OPTIONS, out_dir=tmp_path / "out")
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: not dialog.busy() and dialog.row("Q4_K_M")[2] != "…", timeout=15_000)
    assert dialog.source_quantized() and dialog.requantize_warning.isVisibleTo(dialog)
    assert "already quantized (Q8_0)" in dialog.requantize_warning.text()
    assert not dialog.ok_button.isEnabled() and "allow requantizing" in dialog.problem.text()
    dialog.requantize.setChecked(True)
    assert dialog.ok_button.isEnabled()
    # On a 24 GB card F32 of a 12B model cannot fit entirely, Q4_K_M runs on the GPU.
    assert dialog.row("Q4_K_M")[2] == "Full GPU"
    assert dialog.row("F32")[2] != "Full GPU"
    assert dialog.specs()[0].allow_requantize


def test_jobs_model_passes_the_model_tester(qtmodeltester: object, queue: JobQueue, kquant_gguf: Path, tmp_path: Path) -> None:
    model = JobsModel()
    specs = quantize_specs(kquant_gguf, ["Q8_0", "Q4_0", "Q6_K"], out_dir=tmp_path)
    for s in specs:
        queue.add(s)
    model.set_jobs(queue.jobs())
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    jobs = queue.jobs()
    queue.cancel(jobs[1].id)
    model.update_job(queue.get(jobs[1].id))
    assert model.index(1, Column.STATE).data() == "Cancelled"
    model.remove_job(jobs[0].id)
    assert model.rowCount() == 2
    # Snapshots of the removed job taken before the removal can still arrive (other threads): they stay removed.
    model.update_job(jobs[0])
    model.set_jobs(jobs)
    assert model.rowCount() == 2 and jobs[0].id not in [model.job(r).id for r in range(2)]
    queue.move(jobs[2].id, 0)
    model.set_jobs(queue.jobs())
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    assert model.index(0, Column.TITLE).data() == "Quantize kquant.gguf → Q6_K"


def test_a_real_quantization_runs_to_done_with_progress_and_lands_in_the_library(
    qtbot: QtBot, kquant_gguf: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    window = MainWindow(Settings(), report=cpu_only())
    window.show()
    try:
        page = window.jobs_page
        page.window_active = lambda: False  # the user is elsewhere: the end of the job is announced
        notices: list[tuple[str, str]] = []
        page.notified.connect(lambda title, text: notices.append((title, text)))
        entry = window.catalog.add(inspect(kquant_gguf), source="imported")
        window.library_page.refresh()

        def accept(dialog: QuantizeDialog) -> int:
            qtbot.waitUntil(lambda: not dialog.busy(), timeout=15_000)
            dialog.set_checked(["Q8_0"])
            assert dialog.row("Q8_0")[2] == "CPU only"
            assert dialog.evaluate.isChecked()  # the default: measure what it cost
            dialog.evaluate.setChecked(False)  # (evaluation chains are tested below)
            return QDialog.DialogCode.Accepted.value

        monkeypatch.setattr(QuantizeDialog, "exec", accept)
        page.pause.setChecked(True)  # hold it in the queue to see it queued first
        qtbot.waitUntil(lambda: window.jobs_queue.paused, timeout=5000)
        window.library_page.select(entry.id)
        qtbot.waitUntil(lambda: window.library_page.details.quantize.isEnabled(), timeout=5000)
        window.library_page.details.quantize.click()  # the detail panel's "Quantize…" (also on the row's context menu)
        assert window.pages.currentWidget() is page
        qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=5000)
        assert cell(page, 0, Column.STATE) == "Queued" and cell(page, 0, Column.TITLE) == "Quantize kquant.gguf → Q8_0"
        assert page.summary.text() == "0 running · 1 queued · paused"

        seen: list[tuple[str, str]] = []
        page.model.dataChanged.connect(lambda *_: seen.append((cell(page, 0, Column.STATE), cell(page, 0, Column.PROGRESS))))
        page.pause.setChecked(False)
        qtbot.waitUntil(lambda: cell(page, 0, Column.STATE) == "Done", timeout=60_000)
        assert any(state == "Running" for state, _ in seen)
        assert cell(page, 0, Column.PROGRESS) == "100%" and cell(page, 0, Column.STAGE) == "wrote kquant.Q8_0.gguf"
        output = Settings().models_dir / "kquant.Q8_0.gguf"
        assert output.is_file() and not output.with_name(output.name + ".part").exists()
        # Registered in the Library with its lineage, and the Library page shows it.
        library = window.library_page
        qtbot.waitUntil(lambda: any(e.path == output.resolve() for e in library.model.entries()), timeout=15_000)
        made = next(e for e in library.model.entries() if e.path == output.resolve())
        assert made.quantization == "Q8_0" and made.source.startswith("quantized from kquant") and "Q8_0" in made.source
        # The window was not active: the end of the job was announced (no tray offscreen, so in the status bar).
        assert notices == [("Quantize kquant.gguf → Q8_0: done", "kquant.Q8_0.gguf")]
        qtbot.waitUntil(lambda: "--- done" in page.log_view.toPlainText(), timeout=5000)
        qtbot.waitUntil(lambda: not page.busy() and not library.busy(), timeout=15_000)
    finally:
        dispose(window)


def test_cancelling_a_queued_job(qtbot: QtBot, page: JobsPage, kquant_gguf: Path, tmp_path: Path) -> None:
    page.pause.setChecked(True)
    qtbot.waitUntil(lambda: page.queue.paused, timeout=5000)
    page.add_specs(list(quantize_specs(kquant_gguf, ["Q4_0"], out_dir=tmp_path / "out")))
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=5000)
    assert page.select_job(page.model.job(0).id)
    assert page.cancel_button.isEnabled() and not page.retry_button.isEnabled()
    page.cancel_button.click()
    qtbot.waitUntil(lambda: cell(page, 0, Column.STATE) == "Cancelled", timeout=5000)
    assert page.retry_button.isEnabled() and not page.cancel_button.isEnabled()
    page.pause.setChecked(False)
    qtbot.waitUntil(lambda: not page.queue.paused, timeout=5000)
    assert page.runner.wait_idle(5)
    assert not (tmp_path / "out" / "kquant.Q4_0.gguf").exists()  # cancelled before it ran: nothing was written
    # A snapshot of the queue from the unpause may reset the rows (and their selection) meanwhile: select it again.
    job_id = page.queue.jobs()[0].id
    qtbot.waitUntil(lambda: page.select_job(job_id) and page.remove_button.isEnabled(), timeout=15_000)
    page.remove_button.click()
    qtbot.waitUntil(lambda: page.model.rowCount() == 0, timeout=15_000)
    assert page.queue.jobs() == [] and page.empty.isVisibleTo(page)


def test_retrying_a_failed_job(qtbot: QtBot, page: JobsPage, kquant_gguf: Path, tmp_path: Path) -> None:
    source = tmp_path / "later" / "model.gguf"  # not there yet: the job fails
    [spec] = quantize_specs(source, ["Q8_0"], out_dir=tmp_path / "out")
    page.add_specs([spec])
    qtbot.waitUntil(lambda: page.model.rowCount() == 1 and cell(page, 0, Column.STATE) == "Failed", timeout=30_000)
    assert page.select_job(page.model.job(0).id)
    assert page.retry_button.isEnabled() and page.remove_button.isEnabled()
    assert "model.gguf" in cell(page, 0, Column.STAGE)
    qtbot.waitUntil(lambda: "--- failed" in page.log_view.toPlainText(), timeout=5000)
    assert not spec.output.exists()
    source.parent.mkdir()
    shutil.copyfile(kquant_gguf, source)
    page.retry_button.click()
    qtbot.waitUntil(lambda: cell(page, 0, Column.STATE) == "Done", timeout=60_000)
    assert spec.output.is_file()
    qtbot.waitUntil(lambda: "retry" in page.log_view.toPlainText(), timeout=5000)
    qtbot.waitUntil(lambda: not page.busy(), timeout=5000)


def test_moving_queued_jobs_and_the_parallel_setting(qtbot: QtBot, page: JobsPage, kquant_gguf: Path, tmp_path: Path) -> None:
    page.pause.setChecked(True)
    qtbot.waitUntil(lambda: page.queue.paused, timeout=5000)
    page.add_specs(list(quantize_specs(kquant_gguf, ["Q8_0", "Q4_0"], out_dir=tmp_path / "out")))
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=5000)
    page.select_job(page.model.job(1).id)
    assert page.up_button.isEnabled() and not page.down_button.isEnabled()
    page.up_button.click()
    qtbot.waitUntil(lambda: cell(page, 0, Column.TITLE).endswith("Q4_0"), timeout=5000)
    assert [j.spec.quant_type for j in page.queue.jobs()] == ["Q4_0", "Q8_0"]  # type: ignore[union-attr]
    assert page.selected_job() is not None and page.selected_job().spec.quant_type == "Q4_0"  # type: ignore[union-attr]
    page.parallel.setValue(2)
    qtbot.waitUntil(lambda: page.queue.max_parallel == 2, timeout=5000)
    for job in page.queue.jobs():
        page.runner.cancel(job.id)
    qtbot.waitUntil(lambda: all(cell(page, r, Column.STATE) == "Cancelled" for r in range(2)), timeout=5000)
    qtbot.waitUntil(lambda: not page.busy(), timeout=5000)


RESULTS = [
    {"model": "gemma-3-270m.F16.gguf", "quant_type": "F16", "size_bytes": 543_000_000, "perplexity": 21.4,
     "kld_mean": None, "gen_tps": 61.0, "prompt_tps": 900.0, "family": "gemma-3-270m"},
    {"model": "gemma-3-270m.Q8_0.gguf", "quant_type": "Q8_0", "size_bytes": 292_000_000, "perplexity": 21.5,
     "kld_mean": 0.0021, "gen_tps": 95.0, "prompt_tps": 1300.0, "family": "gemma-3-270m"},
    {"model": "gemma-3-270m.Q4_0.gguf", "quant_type": "Q4_0", "size_bytes": 241_000_000, "perplexity": 24.9,
     "kld_mean": 0.0914, "gen_tps": 120.0, "prompt_tps": 1500.0, "family": "gemma-3-270m"},
    {"model": "other.Q4_0.gguf", "quant_type": "Q4_0", "size_bytes": 1, "perplexity": 9.0, "family": "other"},
]  # fmt: skip


def test_the_results_view_reads_the_store_and_charts_a_family(qtbot: QtBot, tmp_path: Path) -> None:
    from quantize.results import ResultStore

    db = tmp_path / "jobs.db"
    store = ResultStore(db)
    for r in RESULTS:
        store.add(r)
    view = ResultsView(db)
    qtbot.addWidget(view)
    view.resize(900, 600)
    view.show()
    with qtbot.waitSignal(view.loaded, timeout=5000):
        view.reload()
    assert [view.family.itemText(i) for i in range(view.family.count())] == ["gemma-3-270m", "other"]
    view.select_family("gemma-3-270m")
    model = view.model
    assert [model.index(r, 1).data() for r in range(model.rowCount())] == ["Q4_0", "Q8_0", "F16"]  # smallest first
    assert model.index(1, 3).data() == "21.500" and model.index(1, 9).data() == "95.0" and model.index(2, 4).data() == "—"
    assert [p[0] for p in view.chart.points()] == ["Q4_0", "Q8_0", "F16"]
    view.quality.setCurrentIndex(view.quality.findData(Metric.KLD))
    assert [p[0] for p in view.chart.points()] == ["Q4_0", "Q8_0"]  # F16 is the reference: no KLD
    image = view.chart.grab().toImage()
    assert image.width() > 300 and len({image.pixel(x, image.height() // 2) for x in range(0, image.width(), 3)}) > 2


def test_code_evaluations_sit_beside_perplexity_in_one_row_per_file(qtbot: QtBot, tmp_path: Path) -> None:
    from quantize.results import ResultStore

    db = tmp_path / "jobs.db"
    store = ResultStore(db)
    for r in RESULTS:
        store.add(r)
    code = {"kind": "codeeval", "model": "gemma-3-270m.Q4_0.gguf", "quant_type": "Q4_0", "size_bytes": 241_000_000,
            "family": "gemma-3-270m", "problem_set": "HumanEval", "problems": 164}  # fmt: skip
    store.add({**code, "reasoning": "off", "pass_at_1": 0.0122})
    store.add({**code, "reasoning": "prompted", "pass_at_1": 0.0244})
    store.add({**code, "reasoning": "off", "pass_at_1": 0.0183})  # measured again: replaces the first
    store.add({**code, "model": "gemma-3-270m.Q2_K.gguf", "quant_type": "Q2_K", "size_bytes": 200_000_000,
               "reasoning": "off", "pass_at_1": 0.0})  # code only: a row of its own
    view = ResultsView(db)
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.loaded, timeout=5000):
        view.reload()
    view.select_family("gemma-3-270m")
    model = view.model
    assert [model.index(r, 1).data() for r in range(model.rowCount())] == ["Q2_K", "Q4_0", "Q8_0", "F16"]
    assert [model.index(r, 7).data() for r in range(model.rowCount())] == ["0.0%", "1.8%", "—", "—"]
    assert model.index(1, 8).data() == "2.4%" and model.index(1, 3).data() == "24.900"
    view.quality.setCurrentIndex(view.quality.findData(Metric.PASS1))
    assert [p[0] for p in view.chart.points()] == ["Q2_K", "Q4_0"]


def test_evaluating_a_finished_quantization_adds_it_to_the_results(
    qtbot: QtBot, page: JobsPage, kquant_gguf: Path, tmp_path: Path
) -> None:
    page.add_specs(list(quantize_specs(kquant_gguf, ["Q8_0"], out_dir=tmp_path / "out")))
    qtbot.waitUntil(lambda: page.model.rowCount() == 1 and cell(page, 0, Column.STATE) == "Done", timeout=60_000)
    page.select_job(page.model.job(0).id)
    assert page.evaluate_button.isEnabled()
    page.evaluate_button.click()
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=5000)
    assert cell(page, 1, Column.TITLE) == "Evaluate kquant.Q8_0.gguf"
    qtbot.waitUntil(lambda: cell(page, 1, Column.STATE) in ("Done", "Failed"), timeout=120_000)
    assert cell(page, 1, Column.STATE) == "Done", cell(page, 1, Column.STAGE)
    view = page.results
    qtbot.waitUntil(lambda: view.model.rowCount() == 2, timeout=10_000)  # the Q8_0 and its source
    assert view.family.currentText() == "kquant"
    assert view.model.index(0, 1).data() == "Q8_0"
    kld = view.model.index(0, 4).data()
    assert kld != "—" and float(kld) < 0.05  # Q8_0 against its F32 original: close
    assert [p[0] for p in view.chart.points()] == ["Q8_0", "source"]  # the F32 original, measured with it
    assert view.model.index(1, 0).data() == "kquant.gguf" and view.model.index(1, 3).data() != "—"
    # Evaluate again: the same file against the same reference would give the same numbers; no duplicate row.
    page.select_job(page.model.job(0).id)
    messages: list[str] = []
    page.status_message.connect(lambda text, _ms: messages.append(text))
    page.evaluate_button.click()
    assert messages == ["Already evaluated: see Results"]
    assert page.notice.isVisible() and page.notice.text() == "Already evaluated: see Results"
    assert page.model.rowCount() == 2
    page.select_job(page.model.job(1).id)
    assert not page.notice.isVisible()  # the note belongs to the job it was about
    qtbot.waitUntil(lambda: not page.busy(), timeout=5000)


def test_a_running_job_shows_its_stage_and_its_eta_counts_down(queue: JobQueue, kquant_gguf: Path, tmp_path: Path) -> None:
    import dataclasses

    from quantize.queue import JobState

    [spec] = quantize_specs(kquant_gguf, ["Q4_K_M"], out_dir=tmp_path)
    job = queue.add(spec)
    running = dataclasses.replace(job, state=JobState.RUNNING, fraction=0.5, eta_s=125.0, stage="quantizing",
                                  message="blk.3.ffn_down.weight")  # fmt: skip
    model = JobsModel()
    model.update_job(running)
    assert model.index(0, Column.STATE).data() == "Running" and model.index(0, Column.PROGRESS).data() == "50%"
    assert model.index(0, Column.STAGE).data() == "quantizing · blk.3.ffn_down.weight"
    assert model.index(0, Column.ETA).data() == "2 min 05 s"
    model._received[job.id] -= 60  # the snapshot arrived a minute ago
    assert model.index(0, Column.ETA).data() == "1 min 05 s"
    model.update_job(dataclasses.replace(running, eta_s=None))
    assert model.index(0, Column.ETA).data() == "…"


def test_quantize_then_evaluate_queues_an_evaluation_that_waits_for_its_quantization(
    qtbot: QtBot, page: JobsPage, kquant_gguf: Path, tmp_path: Path
) -> None:
    page.add_specs(list(quantize_specs(kquant_gguf, ["Q8_0"], out_dir=tmp_path / "out")), evaluate=True)
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=5000)
    assert cell(page, 1, Column.TITLE) == "Evaluate kquant.Q8_0.gguf against kquant.gguf"
    assert page.model.job(1).after == page.model.job(0).id
    qtbot.waitUntil(lambda: cell(page, 1, Column.STATE) in ("Done", "Failed"), timeout=120_000)
    assert cell(page, 0, Column.STATE) == "Done" and cell(page, 1, Column.STATE) == "Done", cell(page, 1, Column.STAGE)
    assert page.model.job(1).started >= page.model.job(0).finished  # it waited
    qtbot.waitUntil(lambda: page.results.model.rowCount() == 2, timeout=10_000)  # the Q8_0 and its source
    qtbot.waitUntil(lambda: not page.busy(), timeout=5000)


def test_the_parallel_spin_box_keeps_its_value_as_a_setting(qtbot: QtBot, tmp_path: Path) -> None:
    """The limit is a preference (app.settings' parallel_jobs): the page saves it, the next queue is opened with it."""
    from app.settings import load_settings, save_setting

    with Store.open(paths.database_path()) as store:
        save_setting(store, "parallel_jobs", 3)
        queue = open_queue(max_parallel=load_settings(store).parallel_jobs)
        p = JobsPage(queue, catalog=None, models_dir=tmp_path / "out", options=OPTIONS, store=store)  # disposed below
        try:
            p.start()
            qtbot.waitUntil(lambda: p.parallel.value() == 3, timeout=5000)  # the page shows the queue's limit
            p.parallel.setValue(2)
            qtbot.waitUntil(lambda: queue.max_parallel == 2 and load_settings(store).parallel_jobs == 2, timeout=5000)
        finally:
            p.shutdown()
            QThreadPool.globalInstance().waitForDone(10_000)
            dispose(p)
            queue.close()
        reopened = open_queue()
        try:
            assert reopened.max_parallel == 1  # the queue's file keeps no limit: the opener hands it in
        finally:
            reopened.close()
