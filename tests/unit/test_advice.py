"""The machine-specific size x quantization table and the bigger-or-smaller answer."""

from __future__ import annotations

from fixtures.hardware_reports import cpu_only, desktop_24gb, laptop_8gb_nvidia, mac_32gb

from hardware.advice import DEFAULT_USABLE_SPEED, advice_table, bigger_or_smaller, speed_text, usable
from hardware.fit import FitOptions, Placement
from hardware.quants import ADVICE_QUANTS
from hardware.report import GiB, HardwareReport

GB = 1e9


def issue_box() -> HardwareReport:
    """The CPU-only box of issue 16: 8B Q8_0 ~2 tok/s, 8B Q4_K_M ~3.4, 14B Q8_0 and 8B F16 ~1 (both fit in 20 GiB)."""
    return cpu_only(cpu_bandwidth=35 * GB, ram_available=20 * GiB)


def test_table_has_every_size_and_column() -> None:
    table = advice_table(laptop_8gb_nvidia(), FitOptions(context=8192))
    assert table.sizes == ("1B", "3B", "7B", "8B", "13B", "14B", "32B", "70B")
    assert table.quants == ADVICE_QUANTS
    assert len(table.cells) == 8 * 7


def test_the_cheat_sheet_corrected_on_an_8_gb_laptop() -> None:
    # The cheat sheet says a 13B model needs 24-32 GB of VRAM. Quantized, most of it fits an 8 GB card.
    table = advice_table(laptop_8gb_nvidia(), FitOptions(context=4096))
    assert table.cell("7B", "Q4_K_M").placement is Placement.FULL_GPU
    assert table.cell("13B", "Q4_K_M").placement is Placement.PARTIAL
    assert table.cell("70B", "F16").placement is Placement.DOES_NOT_FIT
    # Smaller types never fit worse than larger ones of the same size.
    order = [Placement.FULL_GPU, Placement.PARTIAL, Placement.CPU_ONLY, Placement.DOES_NOT_FIT]
    for size in table.sizes:
        ranks = [order.index(table.cell(size, q).placement) for q in table.quants]
        assert ranks == sorted(ranks, reverse=True), size


def test_longer_context_never_fits_better() -> None:
    short = advice_table(laptop_8gb_nvidia(), FitOptions(context=4096))
    long = advice_table(laptop_8gb_nvidia(), FitOptions(context=131072))
    changed = [k for k in short.cells if short.cells[k].placement != long.cells[k].placement]
    assert changed, "a 32x longer context must move some model off the GPU"
    for key in short.cells:
        assert long.cells[key].gpu_layers <= short.cells[key].gpu_layers or not short.cells[key].fits


def test_desktop_runs_the_32b_quantized_rather_than_the_8b_in_f16() -> None:
    rec = bigger_or_smaller(desktop_24gb(), FitOptions(context=8192))
    assert rec.bigger is not None and rec.smaller is not None
    assert rec.smaller.shape.quant == "F16"
    assert rec.bigger.shape.n_params > 3 * rec.smaller.shape.n_params
    assert rec.bigger.placement is Placement.FULL_GPU
    assert rec.bigger.shape.quant in ("Q4_K_M", "Q5_K_M", "Q6_K", "Q8_0")  # safe for code
    assert "rather than" in rec.answer
    assert any("5.3002" in f and "5.9066" in f for f in rec.facts)


def test_every_machine_gets_an_answer_with_numbers() -> None:
    for hw in (laptop_8gb_nvidia(), desktop_24gb(), mac_32gb(), cpu_only()):
        rec = bigger_or_smaller(hw)
        assert "Run " in rec.answer
        assert any("GiB in all" in f for f in rec.facts)


def test_quality_rows_say_how_they_were_made_and_the_advice_compares_like_with_like() -> None:
    from hardware.quants import QUANT_TYPES

    # The scoreboard has no IQ row without an importance matrix; its legacy and K-quant rows used here have none.
    assert all(q.imatrix for name, q in QUANT_TYPES.items() if name.startswith("IQ"))
    assert not any(q.imatrix for name, q in QUANT_TYPES.items() if not name.startswith("IQ"))
    assert str(QUANT_TYPES["IQ4_XS"].quality_source).startswith("Llama-3-8B, wikitext-2, quantized with a Wikitext importance")
    assert "without an importance matrix" in str(QUANT_TYPES["Q4_K_M"].quality_source)
    assert len({bool(QUANT_TYPES[q].imatrix) for q in ADVICE_QUANTS}) == 1


def test_speed_text_and_the_usable_test_agree_on_what_is_shown() -> None:
    assert speed_text(3.43) == "~3.4 tok/s" and speed_text(45.4) == "~45 tok/s" and speed_text(0.0) == ""
    assert speed_text(9.96) == "~10 tok/s"
    table = advice_table(issue_box(), FitOptions(context=8192))
    q4, q8, f16_70b = table.cell("8B", "Q4_K_M"), table.cell("8B", "Q8_0"), table.cell("70B", "F16")
    assert speed_text(q4.tokens_per_s) == "~3.4 tok/s" and speed_text(q8.tokens_per_s) == "~2.0 tok/s"
    assert usable(q4, 3.0) and not usable(q8, 3.0)
    assert usable(q4, 3.4)  # shown as ~3.4: it counts as 3.4
    assert not usable(f16_70b, 0.0)  # does not fit, whatever the speed
    assert usable(q8, 0.0)  # 0: judged by the fit alone


def test_the_issue_box_no_longer_advises_two_models_that_crawl() -> None:
    # Fit alone (usable_speed 0) gives the answer the issue quotes.
    fit_alone = bigger_or_smaller(issue_box(), usable_speed=0)
    assert fit_alone.answer.startswith("Run 14B Q8_0 rather than 8B F16")
    rec = bigger_or_smaller(issue_box(), usable_speed=3)
    assert rec.answer.startswith(
        "Neither 14B Q8_0 nor 8B F16: here they make ~1.1 tok/s and ~1.0 tok/s, below the usable 3 tok/s."
    )
    assert "Run 8B Q4_K_M (~3.4 tok/s) rather than 1B F16 (~6.4 tok/s)" in rec.answer
    assert rec.bigger is not None and rec.bigger.shape.quant == "Q4_K_M" and rec.bigger.tokens_per_s >= 3
    assert rec.usable_speed == 3 and any("at least 3 tok/s" in f for f in rec.facts)


def test_the_default_usable_speed_keeps_pace_with_reading() -> None:
    assert DEFAULT_USABLE_SPEED == 5.0
    rec = bigger_or_smaller(issue_box())
    assert rec.answer.startswith("Neither 14B Q8_0 nor 8B F16")
    assert "Run 3B Q6_K (~6.0 tok/s) rather than 1B F16 (~6.4 tok/s)" in rec.answer
    for r in (rec.bigger, rec.smaller):
        assert r is not None and r.tokens_per_s >= DEFAULT_USABLE_SPEED


def test_when_nothing_is_usable_the_answer_says_so_and_names_the_fastest() -> None:
    rec = bigger_or_smaller(issue_box(), usable_speed=50)
    assert rec.bigger is None and rec.smaller is None
    assert rec.answer == ("Nothing reaches the usable speed (50 tok/s) here: the fastest model that fits, 1B Q2_K, makes "
                          "~32 tok/s. Lower the usable speed setting (usable_speed) if slower answers are fine.")  # fmt: skip


def test_only_one_side_usable_names_it_alone() -> None:
    # A slower box: no F16 model reaches 5 tok/s, one quantized 1B does.
    rec = bigger_or_smaller(cpu_only(cpu_bandwidth=12 * GB))
    assert rec.smaller is None and rec.bigger is not None
    assert rec.answer.endswith("Run 1B Q6_K (~5.3 tok/s): the largest model that is usable here.")


def test_a_fast_machine_is_advised_as_before() -> None:
    assert bigger_or_smaller(desktop_24gb()).answer == bigger_or_smaller(desktop_24gb(), usable_speed=0).answer


def test_an_unmeasured_bandwidth_is_not_held_against_a_model() -> None:
    rec = bigger_or_smaller(cpu_only(cpu_bandwidth=0.0, ram_available=20 * GiB))
    assert rec.answer.startswith("Run 14B Q8_0 rather than 8B F16")
    assert any("speed unknown" in f for f in rec.facts)
