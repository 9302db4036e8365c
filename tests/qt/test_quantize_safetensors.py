"""Quantize… on a Hugging Face safetensors folder: the dialog predicts the F16 conversion and every type from the folder's
own headers, says whether the toolchain is there, and OK queues the recipe (convert -> quantize -> evaluate), after the
toolchain's install when it is missing: that install is a row on the Jobs page like any job."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fixtures.fake_toolchain import installed_toolchain
from fixtures.hardware_reports import desktop_24gb
from fixtures.hf_folders import write_gptq_folder, write_llama_folder, write_pickle_like, write_safetensors
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtWidgets import QDialog, QWidget
from pytestqt.qtbot import QtBot

from app import jobs, paths
from app.jobs import register_output
from app.library.catalog import Catalog, CatalogEntry
from app.store import Store
from app.ui.common.format import size_text
from app.ui.jobs.calls import evaluable_outputs
from app.ui.jobs.page import JobsPage
from app.ui.jobs.quantize_dialog import QuantizeDialog
from app.ui.jobs.queue_model import Column
from app.ui.library.actions import can_quantize
from formats.inspect import inspect
from formats.model import ModelFormat
from hardware.fit import FitOptions
from quantize.queue import TOOLCHAIN_TITLE, JobQueue, JobState
from quantize.spec import ConvertSpec, EvaluateSpec, QuantizeSpec, ToolchainSpec
from quantize.toolchain import ROOT_ENV

OPTIONS = FitOptions(context=4096)
LADDER = ("F32", "F16", "Q8_0", "Q6_K", "Q5_K_M", "Q4_K_M", "Q3_K_M", "Q2_K")
"""Types whose bits per weight fall in this order: their predicted sizes must too."""
DIMS = {"hidden": 256, "ff": 512, "layers": 4, "heads": 4, "kv_heads": 2, "vocab": 4096}
"""Every matrix a multiple of 256: each type applies as llama.cpp would apply it."""


def dispose(widget: QWidget) -> None:
    """Close a dialog before the next; qtbot deletes it at the end (deleting it here left qtbot closing a dead object)."""
    widget.close()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def register(path: Path) -> CatalogEntry:
    with Store.open(paths.database_path()) as store:
        return Catalog(store).add(inspect(path), source="imported")


@pytest.fixture
def no_toolchain(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "no-toolchain"
    monkeypatch.setenv(ROOT_ENV, str(root))
    return root


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return write_llama_folder(tmp_path / "models" / "tiny-llama", **DIMS)  # type: ignore[arg-type]


@pytest.fixture
def queue(tmp_path: Path) -> Iterator[JobQueue]:
    q = JobQueue(tmp_path / "jobs.db", log_dir=tmp_path / "logs")
    yield q
    q.close()


def open_dialog(qtbot: QtBot, entry: CatalogEntry, out_dir: Path) -> QuantizeDialog:
    dialog = QuantizeDialog(entry, hardware=desktop_24gb(), options=OPTIONS, out_dir=out_dir)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: not dialog.busy() and dialog.conversion() is not None, timeout=15_000)
    return dialog


def test_quantize_is_offered_for_gguf_files_and_safetensors_folders_only(tmp_path: Path, folder: Path,
                                                                         kquant_gguf: Path) -> None:  # fmt: skip
    hf = register(folder)
    assert hf.format is ModelFormat.SAFETENSORS and hf.path == folder.resolve() and can_quantize(hf)
    assert can_quantize(register(kquant_gguf))
    gptq = register(write_gptq_folder(tmp_path / "gptq"))
    lone = register(write_safetensors(tmp_path / "lone" / "weights.safetensors", {"w": ("F16", [8, 8])}))
    pickle = register(write_pickle_like(tmp_path / "model.bin"))
    assert (gptq.format, lone.format, pickle.format) == (ModelFormat.GPTQ, ModelFormat.SAFETENSORS, ModelFormat.UNSAFE)
    assert not can_quantize(gptq)  # quantized already, for another runtime
    assert not can_quantize(lone)  # no config.json: nothing the converter can read
    assert not can_quantize(pickle)  # never loaded
    from dataclasses import replace

    assert not can_quantize(replace(hf, missing=True)) and not can_quantize(None)


def test_the_dialog_predicts_the_conversion_and_each_type_from_the_folder(
    qtbot: QtBot, folder: Path, tmp_path: Path, no_toolchain: Path
) -> None:
    entry = register(folder)
    dialog = open_dialog(qtbot, entry, tmp_path / "out")
    assert dialog.convert_mode
    step = dialog.conversion()
    assert step is not None and step.estimate is not None and step.problem == ""
    assert step.output == (tmp_path / "out" / "tiny-llama.F16.gguf").absolute()
    # The F16 file: the BF16 weights at two bytes each (norms in F32), plus a header for the vocabulary.
    weights = sum(p.stat().st_size for p in folder.glob("*.safetensors"))
    f16 = step.estimate.output_bytes
    assert dialog.predicted_bytes("F16") == f16 and 0.95 < f16 / weights < 1.05
    # Every type from the model's own tensors: sizes fall with bits per weight, Q8_0 is 34 bytes per 32 weights.
    sizes = [dialog.predicted_bytes(t) for t in LADDER]
    assert all(s is not None for s in sizes) and sizes == sorted(sizes, reverse=True), sizes  # type: ignore[type-var]
    assert len(set(sizes)) == len(sizes)
    assert abs(dialog.predicted_bytes("Q8_0") / f16 - 34 / 64) < 0.02  # type: ignore[operator]
    _name, size, verdict, time, _about = dialog.row("Q4_K_M")
    assert size == size_text(dialog.predicted_bytes("Q4_K_M") or 0) and verdict == "Full GPU" and time.startswith("~")
    # The conversion is step 1, with its predicted size; the toolchain it needs is not installed here.
    assert dialog.convert_step.isVisibleTo(dialog)
    assert "Step 1" in dialog.convert_step.text() and "tiny-llama.F16.gguf" in dialog.convert_step.text()
    assert size_text(f16) in dialog.convert_step.text()
    text = dialog.toolchain.text()
    assert dialog.toolchain.isVisibleTo(dialog) and dialog.toolchain_missing
    assert "1.6 GB" in text and "not installed yet" in text and "a job in the queue" in text
    # A fresh F16 file: no requantize warning, no importance matrix, no output-tensor option; F16 is step 1's output.
    assert not dialog.requantize.isVisibleTo(dialog) and not dialog.imatrix.isVisibleTo(dialog)
    assert not dialog.keep_output.isVisibleTo(dialog) and dialog.out_dir.isReadOnly()
    assert "converted F16" in dialog.evaluate.text() and dialog.evaluate.isChecked()
    dialog.set_checked(["F16", "Q8_0", "Q4_K_M", "IQ2_XS"])
    assert dialog.checked_types() == ["Q8_0", "Q4_K_M"]  # F16 is made anyway; IQ2 needs an importance matrix
    assert dialog.ok_button.isEnabled() and "with the F16 conversion" in dialog.totals.text()
    assert not dialog.source_quantized()


def test_the_dialog_says_when_the_toolchain_is_installed_and_what_it_cannot_convert(
    qtbot: QtBot, folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "toolchain"
    installed_toolchain(root, ("LlamaForCausalLM",))
    monkeypatch.setenv(ROOT_ENV, str(root))
    entry = register(folder)
    dialog = open_dialog(qtbot, entry, tmp_path / "out")
    assert not dialog.toolchain_missing and "it is installed" in dialog.toolchain.text()
    assert dialog.ok_button.isEnabled() and dialog.problem.isHidden()
    dispose(dialog)

    # An architecture the converter lacks, and a folder without a tokenizer: refused before anything is queued.
    other = write_llama_folder(tmp_path / "models" / "odd", arch="OddForCausalLM", **DIMS)  # type: ignore[arg-type]
    dialog = open_dialog(qtbot, register(other), tmp_path / "out")
    assert not dialog.ok_button.isEnabled()
    assert dialog.problem.text() == "Cannot convert: llama.cpp's converter does not support the architecture OddForCausalLM"
    dispose(dialog)
    bare = write_llama_folder(tmp_path / "models" / "bare", tokenizer=False, **DIMS)  # type: ignore[arg-type]
    dialog = open_dialog(qtbot, register(bare), tmp_path / "out")
    assert not dialog.ok_button.isEnabled() and "has no tokenizer" in dialog.problem.text()
    dispose(dialog)

    # The F16 file is there already (an earlier conversion): the converter would refuse to overwrite it.
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "tiny-llama.F16.gguf").write_bytes(b"GGUF")
    dialog = open_dialog(qtbot, entry, tmp_path / "out")
    assert not dialog.ok_button.isEnabled() and "tiny-llama.F16.gguf is already in the output folder" in dialog.problem.text()


def test_ok_queues_the_toolchain_install_then_convert_then_quantize_then_evaluate(
    qtbot: QtBot, folder: Path, queue: JobQueue, tmp_path: Path, no_toolchain: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    page = JobsPage(queue, catalog=None, models_dir=out, options=OPTIONS)  # not started: nothing runs
    qtbot.addWidget(page)
    entry = register(folder)

    def accept(dialog: QuantizeDialog) -> int:
        qtbot.waitUntil(lambda: not dialog.busy() and dialog.conversion() is not None, timeout=15_000)
        dialog.set_checked(["Q8_0", "Q4_K_M"])
        assert dialog.ok_button.isEnabled()  # the missing toolchain does not stop queueing: it is installed first
        return QDialog.DialogCode.Accepted.value

    monkeypatch.setattr(QuantizeDialog, "exec", accept)
    messages: list[str] = []
    page.status_message.connect(lambda text, _ms: messages.append(text))
    assert page.ask_quantize(entry)
    qtbot.waitUntil(lambda: page.model.rowCount() == 6 and not page.busy(), timeout=10_000)
    assert messages == ["Queued: tiny-llama to Q8_0, Q4_K_M"]
    install, convert, q8, q8_eval, q4, q4_eval = queue.jobs()
    f16 = (out / "tiny-llama.F16.gguf").absolute()
    assert install.spec == ToolchainSpec(output=no_toolchain) and install.after is None
    assert isinstance(convert.spec, ConvertSpec) and convert.after == install.id
    assert convert.spec.source == folder.resolve() and convert.spec.output == f16 and convert.spec.outtype == "f16"
    for quant, check, name in ((q8, q8_eval, "Q8_0"), (q4, q4_eval, "Q4_K_M")):
        assert isinstance(quant.spec, QuantizeSpec) and quant.after == convert.id
        assert quant.spec.source == f16 and quant.spec.quant_type == name
        assert quant.spec.output == (out / f"tiny-llama.{name}.gguf").absolute()
        assert isinstance(check.spec, EvaluateSpec) and check.after == quant.id and check.spec.reference == f16
    assert all(j.state is JobState.QUEUED for j in queue.jobs())
    assert page.model.index(0, Column.TITLE).data() == TOOLCHAIN_TITLE
    assert page.model.index(0, Column.TITLE).data(Qt.ItemDataRole.ToolTipRole) == f"installs into {no_toolchain}"
    assert page.model.index(1, Column.TITLE).data().startswith("Convert")

    # A second recipe (the Discover page's "Quantize it myself") waits for the same install.
    other = write_llama_folder(tmp_path / "models" / "other", **DIMS)  # type: ignore[arg-type]
    page.add_recipe(other, ["Q8_0"], evaluate=False)
    qtbot.waitUntil(lambda: page.model.rowCount() == 8 and not page.busy(), timeout=10_000)
    assert queue.jobs()[6].after == install.id and sum(isinstance(j.spec, ToolchainSpec) for j in queue.jobs()) == 1


def test_without_the_toolchain_or_its_install_job_the_conversion_fails_with_one_line_and_the_rest_waits(
    qtbot: QtBot, folder: Path, queue: JobQueue, tmp_path: Path, no_toolchain: Path
) -> None:
    page = JobsPage(queue, catalog=None, models_dir=tmp_path / "out", options=OPTIONS, python_for=jobs.python_for)
    qtbot.addWidget(page)
    page.add_recipe(folder, ["Q4_K_M"], evaluate=False)
    qtbot.waitUntil(lambda: page.model.rowCount() == 3 and not page.busy(), timeout=10_000)
    install = queue.jobs()[0]
    assert isinstance(install.spec, ToolchainSpec)
    queue.remove(install.id)  # the user removed the install: the conversion no longer waits, and cannot run
    page.start()
    try:
        qtbot.waitUntil(lambda: queue.jobs()[0].state is JobState.FAILED, timeout=15_000)
        failed, waiting = queue.jobs()
        assert failed.error == "convert jobs need the toolchain; install it with `modelwerk toolchain install`"
        assert waiting.state is JobState.QUEUED and queue.stuck(waiting)
        qtbot.waitUntil(lambda: not page.busy(), timeout=5000)
    finally:
        page.shutdown()


def test_the_install_job_shows_its_stage_and_progress_and_registers_nothing(
    qtbot: QtBot, folder: Path, queue: JobQueue, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "toolchain"
    monkeypatch.setenv(ROOT_ENV, str(root))
    page = JobsPage(queue, catalog=None, models_dir=tmp_path / "out", options=OPTIONS, python_for=jobs.python_for)
    qtbot.addWidget(page)
    install = queue.add(ToolchainSpec(output=root))
    assert queue.claim_next(runner="test") is not None  # as a runner reports it while pip downloads
    queue.update_progress(install.id, stage="installing torch", fraction=0.12, message="downloading torch")
    page.reload()
    qtbot.waitUntil(lambda: page.model.rowCount() == 1 and not page.busy(), timeout=10_000)
    cells = [page.model.index(0, c).data() for c in (Column.TITLE, Column.STATE, Column.PROGRESS, Column.STAGE)]
    assert cells == [TOOLCHAIN_TITLE, "Running", "12%", "installing torch · downloading torch"]
    queue.finish(install.id, JobState.INTERRUPTED)
    queue.remove(install.id)

    # Through the real runner and worker: the toolchain is there, so the install is done at once.
    installed_toolchain(root)
    install = queue.add(ToolchainSpec(output=root))
    changed: list[bool] = []
    page.library_changed.connect(lambda: changed.append(True))
    page.start()
    try:
        qtbot.waitUntil(lambda: page.model.rowCount() == 1 and page.model.job(0).state is JobState.DONE, timeout=15_000)
        assert page.model.index(0, Column.STATE).data() == "Done"
        assert page.model.index(0, Column.PROGRESS).data() == "100%"
        assert page.model.index(0, Column.STAGE).data() == f"already installed in {root}"
        assert page.select_job(install.id) and not page.evaluate_button.isEnabled()
        done = queue.get(install.id)
        assert evaluable_outputs(done) == []
        assert register_output(done, None, tmp_path / "out", results_db=tmp_path / "r.db") == []
        qtbot.waitUntil(lambda: not page.busy(), timeout=5000)
        assert changed == []
    finally:
        page.shutdown()


def test_a_recipe_with_an_unknown_type_is_refused_in_one_line(
    qtbot: QtBot, folder: Path, queue: JobQueue, tmp_path: Path
) -> None:
    page = JobsPage(queue, catalog=None, models_dir=tmp_path / "out", options=OPTIONS)
    qtbot.addWidget(page)
    messages: list[str] = []
    page.status_message.connect(lambda text, _ms: messages.append(text))
    page.add_recipe(folder, ["Q4_K_M", "Q9_Z"])
    qtbot.waitUntil(lambda: not page.busy(), timeout=5000)
    [message] = messages
    assert message.startswith("Not queued: unknown type Q9_Z; choose one of") and "\n" not in message
    assert queue.jobs() == []  # not even the conversion
