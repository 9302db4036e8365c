"""Discover's "Quantize it myself" end to end, as a user clicks it: the original downloads from the fake hub, then the
Jobs page converts it with the toolchain, quantizes it to the recommended type and evaluates that against the F16; the
F16 and the quantization land in the Library and the evaluation in the results store.

Converting needs the toolchain venv: without MODELWERK_TOOLCHAIN this skips locally and fails in CI (CI=true), so CI
never passes by skipping it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fakehub import FakeHub
from fakehub.repos import TINY, original_repo
from fixtures.hardware_reports import desktop_24gb
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from pytestqt.qtbot import QtBot

from app.jobs import jobs_db_path
from app.settings import Settings
from app.ui.discover.page import DiscoverPage
from app.ui.discover.results_model import ResultColumn
from app.ui.main_window import MainWindow
from quantize.queue import JobState
from quantize.results import ResultStore
from quantize.spec import ConvertSpec, EvaluateSpec, QuantizeSpec, ToolchainSpec
from quantize.toolchain import ROOT_ENV, Toolchain

TIMEOUT = 20_000
JOBS_TIMEOUT = 240_000  # convert (a few seconds once torch is imported) -> quantize -> evaluate, on a busy CI machine


@pytest.fixture
def toolchain_root(real_toolchain: Toolchain) -> Path:
    return real_toolchain.root


@pytest.fixture
def window(qtbot: QtBot, fakehub: FakeHub, toolchain_root: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[MainWindow]:
    """The app against a hub holding only the original: nobody has quantized it."""
    original_repo(fakehub)
    monkeypatch.setenv("HF_ENDPOINT", fakehub.url)
    monkeypatch.setenv(ROOT_ENV, str(toolchain_root))
    monkeypatch.delenv("HF_TOKEN", raising=False)
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    w = MainWindow(Settings(), report=desktop_24gb())
    qtbot.addWidget(w)
    w.show()
    w.show_page(w.discover_page)
    yield w
    w.close()  # the runner stops its workers, downloads stop, the databases close
    w.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def settle(qtbot: QtBot, page: DiscoverPage) -> None:
    qtbot.waitUntil(lambda: not page.busy(), timeout=TIMEOUT)


def open_original(qtbot: QtBot, page: DiscoverPage) -> None:
    page.query.setText("modelwerk-test")
    qtbot.keyClick(page.query, Qt.Key.Key_Return)
    settle(qtbot, page)
    shown = [page.results.index(r, ResultColumn.REPOSITORY).data() for r in range(page.results.rowCount())]
    page.table.selectRow(shown.index(TINY))
    qtbot.waitUntil(lambda: page.repo.details is not None and page.repo.details.repo_id == TINY, timeout=TIMEOUT)
    settle(qtbot, page)


def test_quantize_it_myself_converts_quantizes_and_evaluates_the_original(qtbot: QtBot, window: MainWindow) -> None:
    page = window.discover_page
    open_original(qtbot, page)
    repo = page.repo
    qtbot.waitUntil(lambda: "quantize it yourself" in repo.recommendation.text(), timeout=TIMEOUT)
    quant = repo.command.text().rsplit(" ", 1)[-1]
    assert repo.command.text() == f"modelwerk pull {TINY} && modelwerk recipe {TINY} --type {quant}"
    repo.quantize_myself.click()

    queue = window.jobs_queue
    recipe = (ConvertSpec, QuantizeSpec, EvaluateSpec)
    qtbot.waitUntil(lambda: sum(isinstance(j.spec, recipe) for j in queue.jobs()) == 3, timeout=TIMEOUT)

    def finished() -> bool:
        jobs = queue.jobs()
        failed = [j for j in jobs if j.state.finished and j.state is not JobState.DONE]
        assert not failed, [(j.title, j.state.value, j.error) for j in failed]  # fail at once, with the reason
        return all(j.state is JobState.DONE for j in jobs)

    qtbot.waitUntil(finished, timeout=JOBS_TIMEOUT)
    jobs = sorted(queue.jobs(), key=lambda j: j.id)
    assert all(isinstance(j.spec, ToolchainSpec) for j in jobs[:-3])  # at most the toolchain check, first
    convert, make, evaluate = jobs[-3:]
    assert isinstance(convert.spec, ConvertSpec) and isinstance(make.spec, QuantizeSpec)
    assert isinstance(evaluate.spec, EvaluateSpec)
    assert make.spec.quant_type == quant and (make.after, evaluate.after) == (convert.id, make.id)

    # The F16 and the quantization are in the Library, with their lineage.
    f16, made = convert.spec.output.resolve(), make.spec.output.resolve()
    assert f16.read_bytes()[:4] == b"GGUF" and made.read_bytes()[:4] == b"GGUF"
    qtbot.waitUntil(lambda: window.catalog.by_path(f16) is not None and window.catalog.by_path(made) is not None,
                    timeout=TIMEOUT)  # fmt: skip
    f16_entry, made_entry = window.catalog.by_path(f16), window.catalog.by_path(made)
    assert f16_entry is not None and made_entry is not None
    assert f16_entry.quantization == "F16" and f16_entry.source == "converted from Tiny to F16"
    assert made_entry.quantization == quant and made_entry.source.startswith("quantized from ")
    assert made_entry.source.endswith(f" with {quant}")

    # The evaluation measured the quantization against the F16, and its result is stored for the results view.
    result = evaluate.result
    assert result["quant_type"] == quant and result["perplexity"] > 1 and result["ppl_tokens"] > 0
    assert result["top1_agreement"] is not None and 0 <= result["top1_agreement"] <= 1
    assert Path(result["model_path"]) == made and Path(result["reference_path"]) == f16

    def stored() -> list[dict[str, object]]:
        return [r for r in ResultStore(jobs_db_path()).all() if r.get("model_path") == str(made)]

    qtbot.waitUntil(lambda: len(stored()) == 1, timeout=TIMEOUT)  # the page registers a finished job's outputs
    assert stored()[0]["perplexity"] == result["perplexity"]
    settle(qtbot, page)
    qtbot.waitUntil(lambda: not window.library_page.busy() and not window.jobs_page.busy(), timeout=TIMEOUT)
