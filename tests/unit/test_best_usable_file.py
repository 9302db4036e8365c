"""Discover's best file and the ready-made recommendation weigh the usable speed (issue 16, item 6): pure logic, with
hand-made Llama-3.1-8B files on the issue's CPU-only box."""

from __future__ import annotations

from fixtures.hardware_reports import cpu_only

from app.hub.files import FileGroup, FileKind, HubFile
from app.hub.recommend import _best, pace_phrase
from app.hub.remote_fit import FileFit, best_file, fastest_file, mark_best
from hardware.fit import FitOptions, fit
from hardware.quants import QUANT_TYPES
from hardware.report import GiB, HardwareReport
from hardware.shape import REPRESENTATIVE, shape_of

GB = 1e9
QUANTS = ("F16", "Q8_0", "Q6_K", "Q5_K_M", "Q4_K_M", "Q3_K_M", "Q2_K")


def issue_box() -> HardwareReport:
    """8B Q8_0 ~2 tok/s and Q4_K_M ~3.4 tok/s, as in the issue."""
    return cpu_only(cpu_bandwidth=35 * GB, ram_available=20 * GiB)


def llama_8b_files(hw: HardwareReport) -> list[FileFit]:
    fits = []
    for q in QUANTS:
        shape = shape_of(REPRESENTATIVE["8B"], q, name="Llama-3.1-8B")
        size = round(shape.n_params * QUANT_TYPES[q].bits_per_weight / 8)
        group = FileGroup(f"Llama-3.1-8B-{q}.gguf", FileKind.GGUF, q, (HubFile(f"Llama-3.1-8B-{q}.gguf", size, None),))
        fits.append(FileFit(group, None, fit(shape, hw, FitOptions(context=8192)), shape=shape))
    return fits


def _quant(f: FileFit | None) -> str | None:
    return f.group.quant if f is not None else None


def test_the_issue_case_q8_0_too_slow_q4_k_m_chosen() -> None:
    fits = llama_8b_files(issue_box())
    assert _quant(best_file(fits, 0)) == "Q8_0"  # fit alone: the issue's complaint
    assert _quant(best_file(fits, 3)) == "Q4_K_M"  # Q8_0 (~2 tok/s), Q6_K, Q5_K_M are under 3 tok/s
    assert [f.group.quant for f in mark_best(fits, 3) if f.best] == ["Q4_K_M"]


def test_no_usable_file_means_no_best_and_the_fastest_is_named() -> None:
    fits = llama_8b_files(issue_box())
    assert best_file(fits, 20) is None
    fastest = fastest_file(fits)
    assert _quant(fastest) == "Q2_K" and fastest is not None and fastest.report is not None
    assert fastest.report.tokens_per_s < 20
    assert fastest_file([]) is None and best_file([], 5) is None


def test_an_unmeasured_bandwidth_judges_by_fit_alone() -> None:
    fits = llama_8b_files(cpu_only(cpu_bandwidth=0.0, ram_available=20 * GiB))
    assert _quant(best_file(fits, 5)) == "Q8_0"


def test_the_recommendation_picks_a_usable_type_or_says_it_is_slow() -> None:
    hw = issue_box()
    estimates = {q: fit(shape_of(REPRESENTATIVE["8B"], q, name="8B"), hw, FitOptions(context=8192)) for q in QUANTS[1:]}
    assert _best(estimates, usable_speed=0) == "Q8_0"
    assert _best(estimates, usable_speed=3) == "Q4_K_M"
    assert _best(estimates, {"Q8_0", "Q6_K"}, usable_speed=3) == "Q6_K"  # none usable: the fastest offered
    assert pace_phrase(estimates["Q4_K_M"], 3) == ", ~3.4 tok/s"
    assert pace_phrase(estimates["Q6_K"], 3) == ", ~2.6 tok/s: below the usable 3 tok/s, and the fastest of these types here"
