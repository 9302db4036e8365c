"""The classic "model size vs hardware" table, computed for this machine, and the question users ask most.

The cheat sheet Modelwerk grew from says a 7B model needs 16-24 GB of VRAM and a 13B one 24-32 GB. That holds for F16 at a
short context; at Q4_K_M a 13B model fits an 8 GB card. The table below replaces those rules of thumb with the fit of real
architectures (hardware.shape.REPRESENTATIVE) on the probed machine.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from core.messages import Message, Number, Size
from hardware.fit import FitOptions, FitReport, Placement, fit
from hardware.quants import ADVICE_QUANTS, QUANT_TYPES
from hardware.report import HardwareReport
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
    usable_speed: float = 0.0
    """The tokens/s both had to reach (0: judged by fit alone)."""
    answer_messages: tuple[Message, ...] = ()
    """``answer`` sentence by sentence (what the GUI translates); ``facts`` likewise in fact_messages."""
    fact_messages: tuple[Message, ...] = ()


_ORDER = [Placement.FULL_GPU, Placement.PARTIAL, Placement.CPU_ONLY]
DEFAULT_USABLE_SPEED = 5.0
"""Tokens/s a chat needs to feel usable, the `usable_speed` setting's default. People read about 240 words a minute
(4 words/s) and an English word is ~1.3 tokens, so 5 tokens/s keeps pace with reading: slower, the reader waits for every
line; faster gains little while reading (code and long answers gain from more, hence a setting)."""
MAX_USABLE_SPEED = 1000.0


def usable(r: FitReport, usable_speed: float) -> bool:
    """Fits here and reaches `usable_speed` tokens/s, at the precision speeds are shown with (4.96 shows as ~5.0 and counts
    as 5). An unknown speed (the bandwidth not measured yet) is not held against a model; 0 judges by the fit alone."""
    return r.fits and (not r.tokens_per_s or round(r.tokens_per_s, 1) >= usable_speed)


def speed_text(tokens_per_s: float) -> str:
    """ "~3.4 tok/s" below 10, "~45 tok/s" above; "" when unknown."""
    if not tokens_per_s:
        return ""
    return f"~{tokens_per_s:.1f} tok/s" if round(tokens_per_s, 1) < 10 else f"~{tokens_per_s:,.0f} tok/s"


def usable_speed_text(usable_speed: float) -> str:
    """The setting as a phrase: "5 tok/s", "2.5 tok/s"."""
    return f"{usable_speed:g} tok/s"


def _speed(tokens_per_s: float) -> Message:
    """speed_text as a message."""
    return Message("~{speed} tok/s", speed=Number(tokens_per_s, 1 if round(tokens_per_s, 1) < 10 else 0))


def _usable_speed(usable_speed: float) -> Message:
    return Message("{speed} tok/s", speed=Number(usable_speed, None))


def _smaller(table: AdviceTable, ok: Callable[[FitReport], bool]) -> FitReport | None:
    """The largest model in F16 that is `ok`, on the best placement F16 reaches here."""
    for placement in _ORDER:
        for size in reversed(table.sizes):
            r = table.cell(size, "F16")
            if r.placement is placement and ok(r):
                return r
    return None


def _bigger(table: AdviceTable, quants: tuple[str, ...], smaller: FitReport | None,
            ok: Callable[[FitReport], bool]) -> FitReport | None:  # fmt: skip
    """The largest model at one of `quants` (most precise first) that is `ok` and runs as well placed as `smaller`."""
    for size in reversed(table.sizes):
        for quant in quants:
            r = table.cell(size, quant)
            if not ok(r):
                continue
            if smaller is None or _ORDER.index(r.placement) <= _ORDER.index(smaller.placement):
                return r
    return None


def bigger_or_smaller(hw: HardwareReport, options: FitOptions | None = None, *, purpose: str = "coding",
                      usable_speed: float = DEFAULT_USABLE_SPEED) -> Recommendation:  # fmt: skip
    """Compare the largest model that runs here in F16 with the largest that runs quantized, at the same placement, among
    those that reach `usable_speed` tokens/s; when the pair that merely fits is too slow, say so and name what is usable."""
    options = options or FitOptions(context=8192)
    table = advice_table(hw, options)
    quantized = tuple(q for q in ADVICE_QUANTS if q != "F16")
    if purpose == "coding":
        quantized = tuple(q for q in quantized if QUANT_TYPES[q].ppl_ratio <= CODING_MAX_PPL_RATIO)

    def fits(r: FitReport) -> bool:
        return r.fits

    def ok(r: FitReport) -> bool:
        return usable(r, usable_speed)

    smaller = _smaller(table, ok)
    bigger = _bigger(table, quantized, smaller, ok)
    if bigger is not None and smaller is not None and bigger.shape.n_params <= smaller.shape.n_params:
        bigger = None  # no larger model is usable quantized: the F16 one is the answer
    # What fit alone would answer: the pair a user without the speed in mind would be told to run.
    fit_smaller = _smaller(table, fits)
    fit_bigger = _bigger(table, quantized, fit_smaller, fits)
    facts = _facts(smaller, bigger, usable_speed)
    context = Number(options.context)
    usable_value = _usable_speed(usable_speed)

    def say(*messages: Message, bigger: FitReport | None = None, smaller: FitReport | None = None) -> Recommendation:
        return Recommendation("".join(str(m) for m in messages), bigger, smaller, tuple(str(f) for f in facts),
                              usable_speed, messages, facts)  # fmt: skip

    if fit_bigger is None and fit_smaller is None:
        return say(Message("Not even a 1B model fits here at a {context}-token context; try a shorter context.",
                           context=context))  # fmt: skip
    too_slow = [r for r in (fit_bigger, fit_smaller) if r is not None and not ok(r)]
    if bigger is None and smaller is None:
        fastest = max((r for r in table.cells.values() if r.fits), key=lambda r: r.tokens_per_s)
        return say(Message("Nothing reaches the usable speed ({usable}) here: the fastest model that fits, {fastest}, "
                           "makes {fastest_speed}. Lower the usable speed setting (usable_speed) if slower answers are "
                           "fine.", usable=usable_value, fastest=_name(fastest),
                           fastest_speed=_speed(fastest.tokens_per_s)))  # fmt: skip
    if too_slow:
        if len(too_slow) > 1:
            prefix = Message("Neither {slow} nor {slow2}: here they make {pace} and {pace2}, below the usable {usable}. ",
                             slow=_name(too_slow[0]), pace=_speed(too_slow[0].tokens_per_s), slow2=_name(too_slow[1]),
                             pace2=_speed(too_slow[1].tokens_per_s), usable=usable_value)  # fmt: skip
        else:
            prefix = Message("Not {slow}: here it makes {pace}, below the usable {usable}. ", slow=_name(too_slow[0]),
                             pace=_speed(too_slow[0].tokens_per_s), usable=usable_value)  # fmt: skip
        if bigger is not None and smaller is not None:
            run = Message("Run {bigger} rather than {smaller}: the larger model gains more than quantization costs.",
                          bigger=_paced(bigger), smaller=_paced(smaller))  # fmt: skip
        else:
            usable_one = bigger or smaller
            assert usable_one is not None
            run = Message("Run {model}: the largest model that is usable here.", model=_paced(usable_one))
        return say(prefix, run, bigger=bigger, smaller=smaller)
    if bigger is None:
        assert smaller is not None
        return say(Message("Run {smaller} in F16: no larger model runs here at a safe quantization for {purpose} at a "
                           "usable speed ({context}-token context).", smaller=_name(smaller), purpose=_purpose(purpose),
                           context=context), smaller=smaller)  # fmt: skip
    if smaller is None:
        return say(Message("Run {bigger}: no model runs here in full precision at a usable speed at a {context}-token "
                           "context, but this one does quantized.", bigger=_name(bigger), context=context),
                   bigger=bigger)  # fmt: skip
    return say(Message("Run {bigger} rather than {smaller}: the larger model gains more than quantization costs, and "
                       "here it {where} at a {context}-token context.", bigger=_name(bigger), smaller=_name(smaller),
                       where=bigger.where, context=context), bigger=bigger, smaller=smaller)  # fmt: skip


def _name(r: FitReport) -> str:
    return f"{r.shape.name.split(' ')[0]} {r.shape.quant}"


def _purpose(purpose: str) -> Message | str:
    return Message("coding") if purpose == "coding" else purpose


def _paced(r: FitReport) -> Message | str:
    """ "8B Q4_K_M (~3.4 tok/s)"; the name alone when the speed is unknown."""
    return Message("{name} ({speed})", name=_name(r), speed=_speed(r.tokens_per_s)) if r.tokens_per_s else _name(r)


def _facts(smaller: FitReport | None, bigger: FitReport | None, usable_speed: float) -> tuple[Message, ...]:
    facts = []
    for r in (bigger, smaller):
        if r is None:
            continue
        used = Size(r.vram.total + r.ram.total)
        if r.tokens_per_s:
            facts.append(Message("{model}: {used} in all, {where}, {speed} (estimate).", model=_name(r), used=used,
                                 where=r.where, speed=_speed(r.tokens_per_s)))  # fmt: skip
        else:
            facts.append(Message("{model}: {used} in all, {where}, speed unknown (bandwidth not measured).",
                                 model=_name(r), used=used, where=r.where))  # fmt: skip
    if bigger is not None:
        q = QUANT_TYPES[bigger.shape.quant]
        facts.append(Message("{quant} costs {loss}% perplexity on Llama-3-8B (KL divergence {kld}; {source}).",
                             quant=q.name, loss=Number(100 * (q.ppl_ratio - 1), 1), kld=Number(q.kld, 3),
                             source=q.quality_source))  # fmt: skip
    if usable_speed:
        facts.append(Message("Usable means it fits and makes at least {usable} (the usable_speed setting).",
                             usable=_usable_speed(usable_speed)))  # fmt: skip
    p7, p13 = LLAMA_PPL["7B"], LLAMA_PPL["13B"]
    facts.append(Message("Size beats precision: LLaMA 13B at Q4_K_M scores {p13} perplexity, 7B in F16 {p7} (lower is "
                         "better); even 13B Q2_K ({p13q2}) beats 7B F16 (llama.cpp, wikitext-2).",
                         p13=_published(p13["Q4_K_M"]), p7=_published(p7["F16"]), p13q2=_published(p13["Q2_K"])))  # fmt: skip
    facts.append(Message("Below Q4_K_M the loss grows fast (Q3_K_M +10.5%, Q2_K +56% on Llama-3-8B); code suffers "
                         "first, so prefer Q4_K_M or better for coding."))  # fmt: skip
    return tuple(facts)


def _published(figure: float) -> Number:
    """A figure with as many decimals as it was published with."""
    return Number(figure, len(str(figure).partition(".")[2]))
