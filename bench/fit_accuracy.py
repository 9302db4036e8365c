"""How well does hardware.fit predict what llama.cpp really uses? Gemma 3 270M Q4_K_M on this machine's CPU.

For n_ctx 2048, 8192 and 32768 a child process imports llama_cpp (the bare process), loads the model, evaluates a prompt
longer than one batch and generates 32 tokens; its resident memory growth over the bare process is the measured figure.
The prediction is fit()'s RAM total for a CPU-only placement with the same options (llama-cpp-python's defaults).
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

import gguf

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from fixtures.gemma import gemma_path  # noqa: E402

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


def shape_from_gguf(path: Path) -> ModelShape:
    """The Gemma 3 shape from its header (gguf.GGUFReader is slow here; the app's own reader comes with the Library)."""
    r = gguf.GGUFReader(path)

    def val(key: str) -> int:
        return int(r.fields[key].parts[-1][0])

    arch = "gemma3"
    layers = val(f"{arch}.block_count")
    layer_bytes = sum(int(t.n_bytes) for t in r.tensors if t.name.startswith("blk."))
    emb = next(int(t.n_bytes) for t in r.tensors if t.name == "token_embd.weight")
    has_output = any(t.name == "output.weight" for t in r.tensors)
    out = next((int(t.n_bytes) for t in r.tensors if t.name == "output.weight"), emb)
    window = val(f"{arch}.attention.sliding_window")
    return ModelShape(
        name="Gemma 3 270M",
        n_params=sum(int(t.n_elements) for t in r.tensors),
        n_layers=layers,
        n_heads=val(f"{arch}.attention.head_count"),
        n_kv_heads=val(f"{arch}.attention.head_count_kv"),
        head_dim_k=val(f"{arch}.attention.key_length"),
        head_dim_v=val(f"{arch}.attention.value_length"),
        n_embd=val(f"{arch}.embedding_length"),
        n_ff=val(f"{arch}.feed_forward_length"),
        n_vocab=len(r.fields["tokenizer.ggml.tokens"].data),
        context_train=val(f"{arch}.context_length"),
        layer_bytes=layer_bytes // layers,
        embedding_bytes=emb,
        output_bytes=out,
        tied_embeddings=not has_output,
        n_swa_layers=layers - layers // 6,  # Gemma 3: five sliding-window layers, then one global
        swa_window=window,
        quant="Q4_K_M",
    )


def measure(model: Path, n_ctx: int) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(model), str(n_ctx), str(THREADS)], capture_output=True, text=True, check=True
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> int:
    model = gemma_path(ROOT / ".cache" / "test-models")
    shape = shape_from_gguf(model)
    hw = replace(probe(), gpus=(), cpu_bandwidth=measure_bandwidth())
    print(f"Model {model.name}: {shape.n_layers} layers, vocab {shape.n_vocab:,}, weights {shape.weights_bytes / MiB:.1f} MiB")
    print(f"Memory read bandwidth measured: {hw.cpu_bandwidth / 1e9:.1f} GB/s, {THREADS} threads\n")
    heads = ("n_ctx", "predicted MiB", "measured MiB", "error", "pred tok/s", "meas tok/s", "ratio")
    print(" ".join(f"{h:>{w}}" for h, w in zip(heads, (7, 14, 13, 7, 11, 11, 6), strict=True)))
    worst = 0.0
    for ctx in CONTEXTS:
        report = fit(shape, hw, FitOptions(context=ctx, gpu_layers=0))
        m = measure(model, ctx)
        measured = m["rss"] - m["base"]
        predicted = report.ram.total
        err = 100 * (predicted - measured) / measured
        worst = max(worst, abs(err))
        ratio = report.tokens_per_s / m["gen_tps"]
        print(
            f"{ctx:>7} {predicted / MiB:>14.1f} {measured / MiB:>13.1f} {err:>+6.1f}% "
            f"{report.tokens_per_s:>11.1f} {m['gen_tps']:>11.1f} {ratio:>6.2f}"
        )
        print(
            f"        breakdown: weights {report.ram.weights / MiB:.1f} + KV {report.ram.kv_cache / MiB:.1f} + "
            f"compute {report.ram.compute / MiB:.1f} + overhead {report.ram.overhead / MiB:.1f} MiB; "
            f"prompt {m['prompt_tokens']:.0f} tokens at {m['prompt_tps']:.0f} tok/s"
        )
    print(f"\nWorst memory error: {worst:.1f}% (target: within 10%)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
