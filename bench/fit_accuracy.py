"""How well does hardware.fit predict what llama.cpp really uses? Gemma 3 270M Q4_K_M on this machine's CPU.

For n_ctx 2048, 8192 and 32768 a child process imports llama_cpp (the bare process), loads the model, evaluates a prompt
longer than one batch and generates 32 tokens; its resident memory growth over the bare process is the measured figure.
The prediction is fit()'s resident RAM for a CPU-only placement with the same options (llama-cpp-python's defaults):
its RAM total plus the file pages of repacked weights, which stay resident until the OS needs the memory.
Target: memory error within 10% in every case. Speed is reported too (the estimate is bandwidth-bound only).

Run: .venv/bin/python bench/fit_accuracy.py
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from fixtures.gemma import gemma_path  # noqa: E402

from formats.gguf_info import inspect_gguf  # noqa: E402
from hardware.bandwidth import measure_bandwidth  # noqa: E402
from hardware.fit import FitOptions, fit  # noqa: E402
from hardware.probe import probe  # noqa: E402
from hardware.report import MiB  # noqa: E402
from hardware.shape import ModelShape  # noqa: E402

CONTEXTS = (2048, 8192, 32768)
THREADS = 2

CHILD = textwrap.dedent(
    """
    import json, sys, time, psutil
    import llama_cpp
    proc = psutil.Process()
    base = proc.memory_info().rss
    path, n_ctx, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    llm = llama_cpp.Llama(model_path=path, n_ctx=n_ctx, n_threads=threads, verbose=False)
    text = ("The river runs past the old mill, where the miller counts sacks of grain and tells stories of "
            "storms, harvests and the long winters of the valley. ") * 40
    tokens = llm.tokenize(text.encode())[:701]
    t0 = time.perf_counter()
    llm.eval(tokens)
    t1 = time.perf_counter()
    n = 0
    for tok in llm.generate([], temp=0.0, reset=False):
        n += 1
        if n == 32:
            break
    t2 = time.perf_counter()
    print(json.dumps({"base": base, "rss": proc.memory_info().rss, "prompt_tokens": len(tokens),
                      "prompt_tps": len(tokens) / (t1 - t0), "gen_tps": n / (t2 - t1)}))
    """
)


def synthetic_model(cache: Path) -> Path:
    """A dense llama (hidden 2048, 8 layers, GQA 16/4, small vocabulary) at Q4_K_M: no giant output layer, unlike Gemma."""
    import ctypes

    import llama_cpp
    from fixtures.tiny_gguf import write_tiny_gguf

    out = cache / "synthetic-llama-2048x8-q4_k_m.gguf"
    if out.exists():
        return out
    cache.mkdir(parents=True, exist_ok=True)
    f16 = cache / "synthetic-f16.gguf.part"
    write_tiny_gguf(f16, hidden=2048, layers=8, heads=16, kv_heads=4, ff=5632, context=8192, dtype="f16", name="synthetic")
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = llama_cpp.LLAMA_FTYPE_MOSTLY_Q4_K_M
    params.nthread = THREADS
    part = out.with_suffix(".part")
    if llama_cpp.llama_model_quantize(str(f16).encode(), str(part).encode(), ctypes.byref(params)) != 0:
        raise SystemExit("quantizing the synthetic model failed")
    f16.unlink()
    part.rename(out)
    return out


def shape_from_gguf(path: Path, name: str) -> ModelShape:
    """The shape as the Library reads it from the header."""
    shape = inspect_gguf(path).shape
    if shape is None:
        raise SystemExit(f"no shape for {path}")
    return replace(shape, name=name)


def measure(model: Path, n_ctx: int) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(model), str(n_ctx), str(THREADS)], capture_output=True, text=True, check=True
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


CASES = (("Gemma 3 270M Q4_K_M", CONTEXTS), ("synthetic llama Q4_K_M", (2048, 8192)))


def main() -> int:
    cache = ROOT / ".cache" / "test-models"
    models = {CASES[0][0]: gemma_path(cache), CASES[1][0]: synthetic_model(cache)}
    hw = replace(probe(), gpus=(), cpu_bandwidth=measure_bandwidth())
    print(f"Memory read bandwidth measured: {hw.cpu_bandwidth / 1e9:.1f} GB/s, {THREADS} threads; CPU only")
    worst = 0.0
    for name, contexts in CASES:
        shape = shape_from_gguf(models[name], name)
        print(f"\n{name}: {shape.n_layers} layers, vocab {shape.n_vocab:,}, weights {shape.weights_bytes / MiB:.1f} MiB")
        heads = ("n_ctx", "predicted MiB", "measured MiB", "error", "pred tok/s", "meas tok/s", "ratio")
        print(" ".join(f"{h:>{w}}" for h, w in zip(heads, (7, 14, 13, 7, 11, 11, 6), strict=True)))
        for ctx in contexts:
            report = fit(shape, hw, FitOptions(context=ctx, gpu_layers=0))
            m = measure(models[name], ctx)
            measured = m["rss"] - m["base"]
            predicted = report.ram_resident
            err = 100 * (predicted - measured) / measured
            worst = max(worst, abs(err))
            print(
                f"{ctx:>7} {predicted / MiB:>14.1f} {measured / MiB:>13.1f} {err:>+6.1f}% "
                f"{report.tokens_per_s:>11.1f} {m['gen_tps']:>11.1f} {report.tokens_per_s / m['gen_tps']:>6.2f}"
            )
            print(
                f"        predicted: weights {report.ram.weights / MiB:.1f} + KV {report.ram.kv_cache / MiB:.1f} + "
                f"compute {report.ram.compute / MiB:.1f} + overhead {report.ram.overhead / MiB:.1f} MiB"
                f" + repacked copies {(report.ram_resident - report.ram.total) / MiB:.1f} MiB; "
                f"prompt {m['prompt_tokens']:.0f} tokens at {m['prompt_tps']:.0f} tok/s"
            )
    print(f"\nWorst memory error: {worst:.1f}% (target: within 10%). Speed ratio = estimate / measured.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
