"""The classic "model size vs hardware" table, computed for this machine, and the question users ask most.

The cheat sheet Modelwerk grew from says a 7B model needs 16-24 GB of VRAM and a 13B one 24-32 GB. That holds for F16 at a
short context; at Q4_K_M a 13B model fits an 8 GB card. The table below replaces those rules of thumb with the fit of real
architectures (hardware.shape.REPRESENTATIVE) on the probed machine.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

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


PHRASES = {
    "none_fits": "Not even a 1B model fits here at a {context}-token context; try a shorter context.",
    "none_usable": "Nothing reaches the usable speed ({usable}) here: the fastest model that fits, {fastest}, makes "
                   "{fastest_speed}. Lower the usable speed setting (usable_speed) if slower answers are fine.",
    "too_slow_one": "Not {slow}: here it makes {pace}, below the usable {usable}. ",
    "too_slow_two": "Neither {slow} nor {slow2}: here they make {pace} and {pace2}, below the usable {usable}. ",
    "run_usable_pair": "Run {bigger} rather than {smaller}: the larger model gains more than quantization costs.",
    "run_usable_one": "Run {model}: the largest model that is usable here.",
    "run_smaller": "Run {smaller} in F16: no larger model runs here at a safe quantization for {purpose} at a usable speed "
                   "({context}-token context).",
    "run_bigger": "Run {bigger}: no model runs here in full precision at a usable speed at a {context}-token context, but "
                  "this one does quantized.",
    "run_pair": "Run {bigger} rather than {smaller}: the larger model gains more than quantization costs, and here it "
                "{where} at a {context}-token context.",
    "fact_model": "{model}: {used} in all, {where}, {speed} (estimate).",
    "fact_model_unknown": "{model}: {used} in all, {where}, speed unknown (bandwidth not measured).",
    "fact_quant": "{quant} costs {loss}% perplexity on Llama-3-8B (KL divergence {kld}; {source}).",
    "fact_usable": "Usable means it fits and makes at least {usable} (the usable_speed setting).",
    "fact_size": "Size beats precision: LLaMA 13B at Q4_K_M scores {p13} perplexity, 7B in F16 {p7} (lower is better); "
                 "even 13B Q2_K ({p13q2}) beats 7B F16 (llama.cpp, wikitext-2).",
    "fact_low": "Below Q4_K_M the loss grows fast (Q3_K_M +10.5%, Q2_K +56% on Llama-3-8B); code suffers first, so prefer "
                "Q4_K_M or better for coding.",
}
"""The advice's sentences by key: the GUI translates them by these keys (app.ui.hardware.advice_text)."""
WHERE = {
    "full_gpu": "runs entirely on the GPU",
    "partial": "runs with {layers} of {total} layers on the GPU",
    "cpu_only": "runs on the CPU only",
    "does_not_fit": "does not fit",
}
"""FitReport.where by placement: how a sentence says where the model runs."""


@dataclass(frozen=True)
class Value:
    """One field of a phrase: its raw value and how to write it (``kind``): text as it is, int (a count), speed
    (tokens/s), usable (the usable_speed setting), gib (bytes), percent (one decimal), kld (three decimals), decimal (a
    figure as published), purpose ("coding"), where ((placement, layers on the GPU, layers)), model ((name, tokens/s):
    the name with its speed when known)."""

    kind: str
    raw: Any


@dataclass(frozen=True)
class Phrase:
    """One sentence of the advice: a key of PHRASES and its values by field name."""

    key: str
    values: tuple[tuple[str, Value], ...] = ()


def english(phrase: Phrase) -> str:
    """The phrase in English (the command line, ``Recommendation.answer``)."""
    return PHRASES[phrase.key].format(**{name: _english_value(v) for name, v in phrase.values})


def _english_value(v: Value) -> str:
    raw = v.raw
    if v.kind == "int":
        return f"{raw:,}"
    if v.kind == "speed":
        return speed_text(float(raw))
    if v.kind == "usable":
        return usable_speed_text(float(raw))
    if v.kind == "gib":
        return f"{raw / GiB:.1f} GiB"
    if v.kind == "percent":
        return f"{raw:.1f}"
    if v.kind == "kld":
        return f"{raw:.3f}"
    if v.kind == "where":
        placement, layers, total = raw
        return WHERE[placement].format(layers=layers, total=total)
    if v.kind == "model":
        name, speed = raw
        return f"{name} ({speed_text(speed)})" if speed else str(name)
    return str(raw)


@dataclass(frozen=True)
class Recommendation:
    """The answer to "a bigger model quantized or a smaller one in full precision?" with the numbers behind it."""

    answer: str
    bigger: FitReport | None
    smaller: FitReport | None
    facts: tuple[str, ...]
    usable_speed: float = 0.0
    """The tokens/s both had to reach (0: judged by fit alone)."""
    answer_phrases: tuple[Phrase, ...] = ()
    """``answer`` as phrases (what the GUI translates); ``facts`` likewise in fact_phrases."""
    fact_phrases: tuple[Phrase, ...] = ()


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
    """"~3.4 tok/s" below 10, "~45 tok/s" above; "" when unknown."""
    if not tokens_per_s:
        return ""
    return f"~{tokens_per_s:.1f} tok/s" if round(tokens_per_s, 1) < 10 else f"~{tokens_per_s:,.0f} tok/s"


def usable_speed_text(usable_speed: float) -> str:
    """The setting as a phrase: "5 tok/s", "2.5 tok/s"."""
    return f"{usable_speed:g} tok/s"


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
    context = Value("int", options.context)
    usable_value = Value("usable", usable_speed)

    def say(*phrases: Phrase, bigger: FitReport | None = None, smaller: FitReport | None = None) -> Recommendation:
        return Recommendation("".join(english(p) for p in phrases), bigger, smaller, tuple(english(f) for f in facts),
                              usable_speed, phrases, facts)  # fmt: skip

    if fit_bigger is None and fit_smaller is None:
        return say(Phrase("none_fits", (("context", context),)))
    too_slow = [r for r in (fit_bigger, fit_smaller) if r is not None and not ok(r)]
    if bigger is None and smaller is None:
        fastest = max((r for r in table.cells.values() if r.fits), key=lambda r: r.tokens_per_s)
        return say(Phrase("none_usable", (("usable", usable_value), ("fastest", Value("text", _name(fastest))),
                                          ("fastest_speed", Value("speed", fastest.tokens_per_s)))))  # fmt: skip
    if too_slow:
        slow: tuple[tuple[str, Value], ...] = (("slow", Value("text", _name(too_slow[0]))),
                                               ("pace", Value("speed", too_slow[0].tokens_per_s)))  # fmt: skip
        if len(too_slow) > 1:
            slow += (("slow2", Value("text", _name(too_slow[1]))), ("pace2", Value("speed", too_slow[1].tokens_per_s)))
        prefix = Phrase("too_slow_two" if len(too_slow) > 1 else "too_slow_one", (*slow, ("usable", usable_value)))
        if bigger is not None and smaller is not None:
            run = Phrase("run_usable_pair", (("bigger", _paced(bigger)), ("smaller", _paced(smaller))))
        else:
            usable_one = bigger or smaller
            assert usable_one is not None
            run = Phrase("run_usable_one", (("model", _paced(usable_one)),))
        return say(prefix, run, bigger=bigger, smaller=smaller)
    if bigger is None:
        assert smaller is not None
        return say(Phrase("run_smaller", (("smaller", Value("text", _name(smaller))), ("purpose", Value("purpose", purpose)),
                                          ("context", context))), smaller=smaller)  # fmt: skip
    if smaller is None:
        return say(Phrase("run_bigger", (("bigger", Value("text", _name(bigger))), ("context", context))), bigger=bigger)
    pair = (("bigger", Value("text", _name(bigger))), ("smaller", Value("text", _name(smaller))))
    return say(Phrase("run_pair", (*pair, ("where", _where(bigger)), ("context", context))), bigger=bigger, smaller=smaller)


def _name(r: FitReport) -> str:
    return f"{r.shape.name.split(' ')[0]} {r.shape.quant}"


def _paced(r: FitReport) -> Value:
    """ "8B Q4_K_M (~3.4 tok/s)"; the name alone when the speed is unknown."""
    return Value("model", (_name(r), r.tokens_per_s))


def _where(r: FitReport) -> Value:
    return Value("where", (r.placement.value, r.gpu_layers, r.n_layers))


def _facts(smaller: FitReport | None, bigger: FitReport | None, usable_speed: float) -> tuple[Phrase, ...]:
    facts = []
    for r in (bigger, smaller):
        if r is None:
            continue
        values = (("model", Value("text", _name(r))), ("used", Value("gib", r.vram.total + r.ram.total)),
                  ("where", _where(r)))  # fmt: skip
        if r.tokens_per_s:
            facts.append(Phrase("fact_model", (*values, ("speed", Value("speed", r.tokens_per_s)))))
        else:
            facts.append(Phrase("fact_model_unknown", values))
    if bigger is not None:
        q = QUANT_TYPES[bigger.shape.quant]
        loss = Value("percent", 100 * (q.ppl_ratio - 1))
        facts.append(Phrase("fact_quant", (("quant", Value("text", q.name)), ("loss", loss), ("kld", Value("kld", q.kld)),
                                           ("source", Value("text", q.quality_source)))))  # fmt: skip
    if usable_speed:
        facts.append(Phrase("fact_usable", (("usable", Value("usable", usable_speed)),)))
    p7, p13 = LLAMA_PPL["7B"], LLAMA_PPL["13B"]
    facts.append(Phrase("fact_size", (("p13", Value("decimal", p13["Q4_K_M"])), ("p7", Value("decimal", p7["F16"])),
                                      ("p13q2", Value("decimal", p13["Q2_K"])))))  # fmt: skip
    facts.append(Phrase("fact_low"))
    return tuple(facts)


