"""The machine-specific size x quantization table and the bigger-or-smaller answer."""

from __future__ import annotations

from fixtures.hardware_reports import cpu_only, desktop_24gb, laptop_8gb_nvidia, mac_32gb

from hardware.advice import advice_table, bigger_or_smaller
from hardware.fit import FitOptions, Placement
from hardware.quants import ADVICE_QUANTS


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
        assert rec.answer.startswith("Run ")
        assert any("GiB in all" in f for f in rec.facts)


def test_quality_rows_say_how_they_were_made_and_the_advice_compares_like_with_like() -> None:
    from hardware.quants import QUANT_TYPES

    # The scoreboard has no IQ row without an importance matrix; its legacy and K-quant rows used here have none.
    assert all(q.imatrix for name, q in QUANT_TYPES.items() if name.startswith("IQ"))
    assert not any(q.imatrix for name, q in QUANT_TYPES.items() if not name.startswith("IQ"))
    assert QUANT_TYPES["IQ4_XS"].quality_source.startswith("Llama-3-8B, wikitext-2, quantized with a Wikitext importance")
    assert "without an importance matrix" in QUANT_TYPES["Q4_K_M"].quality_source
    assert len({bool(QUANT_TYPES[q].imatrix) for q in ADVICE_QUANTS}) == 1
