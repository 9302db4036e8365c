"""hardware.advice's "bigger or smaller?" answer and its facts in the interface language: the same sentences (by key),
listed here for the catalogue, with numbers written the language's way."""

from __future__ import annotations

from app.ui.common.format import gib, number
from app.ui.common.i18n import QT_TRANSLATE_NOOP, translate
from hardware.advice import Phrase, Value

PHRASES = {
    "none_fits": QT_TRANSLATE_NOOP("Advice", "Not even a 1B model fits here at a {context}-token context; try a shorter "
                                             "context."),
    "none_usable": QT_TRANSLATE_NOOP("Advice", "Nothing reaches the usable speed ({usable}) here: the fastest model that "
                                               "fits, {fastest}, makes {fastest_speed}. Lower the usable speed setting "
                                               "(usable_speed) if slower answers are fine."),
    "too_slow_one": QT_TRANSLATE_NOOP("Advice", "Not {slow}: here it makes {pace}, below the usable {usable}. "),
    "too_slow_two": QT_TRANSLATE_NOOP("Advice", "Neither {slow} nor {slow2}: here they make {pace} and {pace2}, below the "
                                                "usable {usable}. "),
    "run_usable_pair": QT_TRANSLATE_NOOP("Advice", "Run {bigger} rather than {smaller}: the larger model gains more than "
                                                   "quantization costs."),
    "run_usable_one": QT_TRANSLATE_NOOP("Advice", "Run {model}: the largest model that is usable here."),
    "run_smaller": QT_TRANSLATE_NOOP("Advice", "Run {smaller} in F16: no larger model runs here at a safe quantization for "
                                               "{purpose} at a usable speed ({context}-token context)."),
    "run_bigger": QT_TRANSLATE_NOOP("Advice", "Run {bigger}: no model runs here in full precision at a usable speed at a "
                                              "{context}-token context, but this one does quantized."),
    "run_pair": QT_TRANSLATE_NOOP("Advice", "Run {bigger} rather than {smaller}: the larger model gains more than "
                                            "quantization costs, and here it {where} at a {context}-token context."),
    "fact_model": QT_TRANSLATE_NOOP("Advice", "{model}: {used} in all, {where}, {speed} (estimate)."),
    "fact_model_unknown": QT_TRANSLATE_NOOP("Advice", "{model}: {used} in all, {where}, speed unknown (bandwidth not "
                                                      "measured)."),
    "fact_quant": QT_TRANSLATE_NOOP("Advice", "{quant} costs {loss}% perplexity on Llama-3-8B (KL divergence {kld}; "
                                              "{source})."),
    "fact_usable": QT_TRANSLATE_NOOP("Advice", "Usable means it fits and makes at least {usable} (the usable_speed "
                                               "setting)."),
    "fact_size": QT_TRANSLATE_NOOP("Advice", "Size beats precision: LLaMA 13B at Q4_K_M scores {p13} perplexity, 7B in F16 "
                                             "{p7} (lower is better); even 13B Q2_K ({p13q2}) beats 7B F16 (llama.cpp, "
                                             "wikitext-2)."),
    "fact_low": QT_TRANSLATE_NOOP("Advice", "Below Q4_K_M the loss grows fast (Q3_K_M +10.5%, Q2_K +56% on Llama-3-8B); "
                                            "code suffers first, so prefer Q4_K_M or better for coding."),
}  # fmt: skip
"""hardware.advice.PHRASES for the catalogue (a test keeps the two equal): the English text is the lookup key."""
WHERE = {
    "full_gpu": QT_TRANSLATE_NOOP("Advice", "runs entirely on the GPU"),
    "partial": QT_TRANSLATE_NOOP("Advice", "runs with {layers} of {total} layers on the GPU"),
    "cpu_only": QT_TRANSLATE_NOOP("Advice", "runs on the CPU only"),
    "does_not_fit": QT_TRANSLATE_NOOP("Advice", "does not fit"),
}
PURPOSES = {"coding": QT_TRANSLATE_NOOP("Advice", "coding")}


def phrase_text(phrase: Phrase) -> str:
    """One sentence of the advice in the interface language."""
    values = {name: _value_text(v) for name, v in phrase.values}
    return translate("Advice", PHRASES[phrase.key]).format(**values)


def speed_text(tokens_per_s: float) -> str:
    """"~3.4 tok/s" below 10, "~45 tok/s" above (hardware.advice.speed_text's precision); "" when unknown."""
    decimals = 1 if round(tokens_per_s, 1) < 10 else 0
    return f"~{number(tokens_per_s, decimals)} tok/s" if tokens_per_s else ""


def usable_text(usable_speed: float) -> str:
    """The usable_speed setting as a phrase: "5 tok/s", "2.5 tok/s" (2,5 in German)."""
    return f"{number(usable_speed, 1 if usable_speed % 1 else 0)} tok/s"


def _value_text(v: Value) -> str:
    raw = v.raw
    if v.kind == "int":
        return number(raw)
    if v.kind == "speed":
        return speed_text(float(raw))
    if v.kind == "usable":
        return usable_text(float(raw))
    if v.kind == "gib":
        return gib(raw)
    if v.kind == "percent":
        return number(raw, 1)
    if v.kind == "kld":
        return number(raw, 3)
    if v.kind == "decimal":
        return number(raw, len(str(raw).partition(".")[2]))
    if v.kind == "purpose":
        return translate("Advice", PURPOSES[raw]) if raw in PURPOSES else str(raw)
    if v.kind == "where":
        placement, layers, total = raw
        return translate("Advice", WHERE[placement]).format(layers=layers, total=total)
    if v.kind == "model":
        name, speed = raw
        return f"{name} ({speed_text(speed)})" if speed else str(name)
    return str(raw)
