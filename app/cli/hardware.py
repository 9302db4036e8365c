"""`modelwerk hw`, `fit` and `advice`: what this machine is and what runs on it."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from app.cli import common as c
from core.errors import user_message
from hardware.advice import advice_table, bigger_or_smaller
from hardware.fit import FitReport, fit
from hardware.quants import quant_type
from hardware.shape import parse_params, shape_for_params


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> dict[str, Callable[[argparse.Namespace], int]]:
    """Add the subcommands; returns name -> handler."""
    hw = sub.add_parser("hw", help="show this machine's CPU, RAM, GPUs and memory bandwidth")
    hw.add_argument("--json", action="store_true", help="print JSON")
    hw.add_argument("--no-bandwidth", action="store_true", help="skip the memory-bandwidth measurement")

    f = sub.add_parser("fit", help="will a model of a given size and quantization run here?")
    f.add_argument("--params", required=True, help="parameter count, e.g. 7B, 13B, 270M")
    f.add_argument("--quant", default="Q4_K_M", help="quantization type (default Q4_K_M)")
    c.add_load_options(f)
    f.add_argument("--json", action="store_true", help="print JSON")

    a = sub.add_parser("advice", help="the model-size x quantization table for this machine")
    c.add_load_options(a)
    a.add_argument("--json", action="store_true", help="print JSON")
    return {"hw": _cmd_hw, "fit": _cmd_fit, "advice": _cmd_advice}


def _cmd_hw(args: argparse.Namespace) -> int:
    from app.chat.llama_server import engines_report

    report = c.report(bandwidth=not args.no_bandwidth)
    engines = engines_report()
    if args.json:
        data = c.to_jsonable(report)
        data["cpu_kernels"] = {t: round(r) for t, r in report.cpu_kernels}  # measured here, or empty
        c.print_json({**data, "llama_backends": list(report.llama_backends or ()), "llama_cpp": engines})
        return 0
    cpu = report.cpu
    print(f"OS          {report.os}")
    print(f"CPU         {cpu.model} ({cpu.physical_cores} cores, {cpu.logical_cores} threads)")
    print(f"            {' '.join(cpu.instruction_sets) or 'no SIMD extensions found'}")
    print(f"RAM         {c.gib(report.ram_total)} total, {c.gib(report.ram_available)} available")
    if report.cpu_bandwidth:
        print(f"Bandwidth   {report.cpu_bandwidth / 1e9:.1f} GB/s memory read (measured)")
    if report.cpu_kernels:
        rates = ", ".join(f"{t} {r / 1e9:.1f}" for t, r in report.cpu_kernels if not t.startswith(("attention/", "overhead/")))
        print(f"Kernels     llama.cpp matrix x vector, GB/s of weights (measured): {rates}")
        attention = ", ".join(f"{'/'.join(t.split('/')[1:])} {r / 1e6:.0f}M" for t, r in report.cpu_kernels
                              if t.startswith("attention/"))  # fmt: skip
        if attention:
            print(f"            flash attention (head dims/query heads per KV head), query heads x cells per second, "
                  f"KV cache from RAM: {attention}")  # fmt: skip
        costs = dict(report.cpu_kernels)
        if "overhead/layer" in costs:
            print(f"            per token besides: {costs.get('overhead/token', 0) * 1e6:.0f} us + "
                  f"{costs['overhead/layer'] * 1e6:.1f} us a layer + {costs.get('overhead/vocab', 0) * 1e9:.2f} ns a "
                  "vocabulary entry (sampling)")  # fmt: skip
    for g in report.gpus:
        details = [f"driver {g.driver}" if g.driver else "", f"compute {g.compute_capability}" if g.compute_capability else ""]
        extra = "; " + ", ".join(d for d in details if d) if any(details) else ""
        shared = " (unified memory)" if g.unified_memory else ""
        print(f"GPU {g.index}       {g.name}: {c.gib(g.vram_total)}{shared}, {c.gib(g.vram_free)} free{extra}")
    if not report.gpus:
        print("GPU         none found (CPU inference only)")
    if report.disk_free:
        print(f"Disk        {c.gib(report.disk_free)} free in the models folder")
    for label, key in (("llama.cpp", "binding"), ("", "server")):
        e = engines[key]
        what = "Python binding" if key == "binding" else "llama-server"
        if isinstance(e, dict) and "error" in e:
            print(f"{label:<11} {what}: {e['error']}")
        elif isinstance(e, dict):
            print(f"{label:<11} {what} {e['version']} ({', '.join(map(str, e['backends']))})")
    return 0


def _cmd_fit(args: argparse.Namespace) -> int:
    try:
        q = quant_type(args.quant)
        shape = shape_for_params(parse_params(args.params), q)
    except ValueError as e:
        raise c.UsageError(user_message(e)) from e
    options = c.options(args)
    hw = c.report()
    report = fit(shape, hw, options)
    if args.json:
        c.print_json(c.fit_summary(report))
        return 0
    print(f"{shape.name} at {q.name}, {options.context:,} tokens of context, KV cache {options.kv_type.value}")
    print(f"Verdict     {report.verdict}: {report.reason}")
    for side, mem in (("VRAM", report.vram), ("RAM", report.ram)):
        if mem.total:
            print(
                f"{side:<11} {c.gib(mem.total)} = weights {c.gib(mem.weights)} + KV cache {c.gib(mem.kv_cache)}"
                f" + compute {c.gib(mem.compute)} + overhead {c.gib(mem.overhead)}"
            )
    if report.max_context:
        print(f"Max context {report.max_context:,} tokens")
    if report.tokens_per_s:
        basis = "llama.cpp's kernels measured here" if hw.cpu_kernels else "memory bandwidth"
        print(f"Speed       ~{report.tokens_per_s:.1f} tokens/s generation (estimate from {basis})")
    for note in report.notes:
        print(f"Note        {note}")
    return 0


def _cmd_advice(args: argparse.Namespace) -> int:
    options = c.options(args)
    hw = c.report()
    table = advice_table(hw, options)
    rec = bigger_or_smaller(hw, options, usable_speed=c.settings().usable_speed)
    if args.json:
        cells = [
            {"size": s, "quant": q, **c.fit_summary(table.cell(s, q))} for s in table.sizes for q in table.quants
        ]
        c.print_json({"context": table.context, "cells": cells, "answer": rec.answer, "facts": list(rec.facts)})
        return 0
    print(f"What runs here at {options.context:,} tokens of context (KV cache {options.kv_type.value}):")
    print("      " + "".join(f"{q:>14}" for q in table.quants))
    for size in table.sizes:
        row = "".join(f"{_short(table.cell(size, q)):>14}" for q in table.quants)
        print(f"{size:>5} {row}")
    print()
    print(rec.answer)
    for fact in rec.facts:
        print(f"  - {fact}")
    return 0


def _short(r: FitReport) -> str:
    if not r.fits:
        return "-"
    where = {"full_gpu": "GPU", "partial": f"{r.gpu_layers}/{r.n_layers}", "cpu_only": "CPU"}[r.placement.value]
    speed = f" {r.tokens_per_s:.0f}t/s" if r.tokens_per_s else ""
    return where + speed

