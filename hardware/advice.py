"""The classic "model size vs hardware" table, computed for this machine, and the question users ask most.

The cheat sheet Modelwerk grew from says a 7B model needs 16-24 GB of VRAM and a 13B one 24-32 GB. That holds for F16 at a
short context; at Q4_K_M a 13B model fits an 8 GB card. The table below replaces those rules of thumb with the fit of real
architectures (hardware.shape.REPRESENTATIVE) on the probed machine.
"""

from __future__ import annotations

from dataclasses import dataclass

from hardware.fit import FitOptions, FitReport, Placement, fit
from hardware.quants import ADVICE_QUANTS, QUANT_TYPES
from hardware.report import GiB, HardwareReport
from hardware.shape import REPRESENTATIVE, shape_of

# Wikitext-2 perplexity of LLaMA 7B and 13B at each type (llama.cpp pull request #1684, "k-quants"): the same family at two
# sizes, so the gap between sizes can be set against the loss from quantizing.
LLAMA_PPL = {
    "7B": {"F16": 5.9066, "Q6_K": 5.9110, "Q5_K_M": 5.9208, "Q4_K_M": 5.9601, "Q3_K_M": 6.1503, "Q2_K": 6.7764},
    "13B": {"F16": 5.2543, "Q6_K": 5.2568, "Q5_K_M": 5.2638, "Q4_K_M": 5.3002, "Q3_K_M": 5.4498, "Q2_K": 5.8545},
}

CODING_MAX_PPL_RATIO = 1.03
"""Code breaks on small errors, so for coding only types within 3% of F16 perplexity (Q4_K_M and better) count as safe."""


@dataclass(frozen=True)
class AdviceTable:
    context: int
    sizes: tuple[str, ...]
    quants: tuple[str, ...]
    cells: dict[tuple[str, str], FitReport]

    def cell(self, size: str, quant: str) -> FitReport:
        return self.cells[(size, quant)]


def advice_table(hw: HardwareReport, options: FitOptions | None = None) -> AdviceTable:
    """Every size class x every common quantization, fitted to this machine at the options' context."""
    options = options or FitOptions()
    cells = {
        (size, quant): fit(shape_of(arch, quant, name=f"{size} ({arch.name})"), hw, options)
        for size, arch in REPRESENTATIVE.items()
        for quant in ADVICE_QUANTS
    }
    return AdviceTable(options.context, tuple(REPRESENTATIVE), ADVICE_QUANTS, cells)


@dataclass(frozen=True)
class Recommendation:
    """The answer to "a bigger model quantized or a smaller one in full precision?" with the numbers behind it."""

    answer: str
    bigger: FitReport | None
    smaller: FitReport | None
    facts: tuple[str, ...]


_ORDER = [Placement.FULL_GPU, Placement.PARTIAL, Placement.CPU_ONLY]
USABLE_TOKENS_PER_S = 10.0
"""Faster than most people read: a bigger model counts as an option only if it keeps this pace (or the smaller one's)."""


def _smaller(table: AdviceTable) -> FitReport | None:
    """The largest model in F16 on the best placement F16 reaches here."""
    for placement in _ORDER:
        for size in reversed(table.sizes):
            r = table.cell(size, "F16")
            if r.placement is placement:
                return r
    return None


def _bigger(table: AdviceTable, quants: tuple[str, ...], smaller: FitReport | None) -> FitReport | None:
    """The largest model at one of `quants` (most precise first) that runs as well placed and about as usably as `smaller`."""
    floor = min(smaller.tokens_per_s, USABLE_TOKENS_PER_S) if smaller and smaller.tokens_per_s else 0.0
    for size in reversed(table.sizes):
        for quant in quants:
            r = table.cell(size, quant)
            if not r.fits or r.tokens_per_s < floor:
                continue
            if smaller is None or _ORDER.index(r.placement) <= _ORDER.index(smaller.placement):
                return r
    return None


def bigger_or_smaller(hw: HardwareReport, options: FitOptions | None = None, *, purpose: str = "coding") -> Recommendation:
    """Compare the largest model that runs here in F16 with the largest that runs quantized, at the same placement."""
    options = options or FitOptions(context=8192)
    table = advice_table(hw, options)
    smaller = _smaller(table)
    quantized = tuple(q for q in ADVICE_QUANTS if q != "F16")
    if purpose == "coding":
        quantized = tuple(q for q in quantized if QUANT_TYPES[q].ppl_ratio <= CODING_MAX_PPL_RATIO)
    bigger = _bigger(table, quantized, smaller)
    facts = _facts(smaller, bigger)
    ctx = f"{options.context:,}-token context"
    if bigger is None and smaller is None:
        return Recommendation(f"Not even a 1B model fits here at a {ctx}; try a shorter context.", None, None, facts)
    if bigger is None or (smaller and bigger.shape.n_params <= smaller.shape.n_params):
        assert smaller is not None
        return Recommendation(
            f"Run {_name(smaller)} in F16: no larger model fits here at a safe quantization for {purpose} ({ctx}).",
            bigger,
            smaller,
            facts,
        )
    if smaller is None:
        return Recommendation(
            f"Run {_name(bigger)}: no model fits here in full precision at a {ctx}, but this one does quantized.",
            bigger,
            None,
            facts,
        )
    return Recommendation(
        f"Run {_name(bigger)} rather than {_name(smaller)}: the larger model gains more than quantization costs, "
        f"and here it {bigger.where} at a {ctx}.",
        bigger,
        smaller,
        facts,
    )


def _name(r: FitReport) -> str:
    return f"{r.shape.name.split(' ')[0]} {r.shape.quant}"


def _facts(smaller: FitReport | None, bigger: FitReport | None) -> tuple[str, ...]:
    facts = []
    for r in (bigger, smaller):
        if r is None:
            continue
        speed = f", ~{r.tokens_per_s:.0f} tokens/s (estimate)" if r.tokens_per_s else ""
        used = r.vram.total + r.ram.total
        facts.append(f"{_name(r)}: {used / GiB:.1f} GiB in all, {r.where}{speed}.")
    if bigger is not None:
        q = QUANT_TYPES[bigger.shape.quant]
        facts.append(
            f"{q.name} costs {100 * (q.ppl_ratio - 1):.1f}% perplexity on Llama-3-8B (KL divergence {q.kld:.3f}; "
            f"{q.quality_source})."
        )
    p7, p13 = LLAMA_PPL["7B"], LLAMA_PPL["13B"]
    facts.append(
        f"Size beats precision: LLaMA 13B at Q4_K_M scores {p13['Q4_K_M']} perplexity, 7B in F16 {p7['F16']} "
        f"(lower is better); even 13B Q2_K ({p13['Q2_K']}) beats 7B F16 (llama.cpp, wikitext-2)."
    )
    facts.append(
        "Below Q4_K_M the loss grows fast (Q3_K_M +10.5%, Q2_K +56% on Llama-3-8B); code suffers first, so prefer Q4_K_M or "
        "better for coding."
    )
    return tuple(facts)


