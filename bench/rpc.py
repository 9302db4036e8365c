"""A model across machines: generation speed of Gemma 3 270M split across two RPC workers on this machine (two
`modelwerk worker` processes on 127.0.0.1) against the same model on this machine only, same threads, in one run.

Figures:
- local tok/s and split tok/s (llama-server's own `predicted_per_second`, greedy, `--tokens` tokens, best of `--runs`,
  alternating the sides): the split's overhead as a ratio split / local;
- the speed estimate for the split (hardware.remote: this machine's measured kernel rates for the compute, the probed
  round-trip time and the bandwidth into each worker for the network) against the measured split figure (target: within
  25%).
The split puts every block and the output on the workers, half each (--tensor-split 9,10 of 19 layers), the token
embedding stays here: two workers, three hops per token (here -> A -> B -> here, with the logits).

Run: .venv/bin/python bench/rpc.py [--runs 3] [--tokens 64] [--threads 2]

Measured 7 December 2026 on the 2-core machine, idle, 12:39-12:45 UTC, the workers and the split's llama-server spinning
at most 1,000 times before they sleep (app.chat.workers.WAIT_SPINS):
  --threads 2: local 82.7 / 81.1 tok/s, split 70.7 / 67.5 (ratio 0.85 / 0.83), estimate for the split -6% / -3%.
  --threads 1: split / local 0.78-0.98 over three runs (estimate -2% to +12%), 0.87-0.89 with libgomp's default
               spinning: one thread has no OpenMP threads to spin, so the spread is the machine's, not the setting's.
Before (06:26, libgomp's default spinning, 300,000): --threads 2 gave 0.61 and +51%: three processes of two threads
on two cores, each part's threads spinning for milliseconds after it while the next part needed the cores.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

TARGET = 0.25
WORKER_MEMORY = 2**30
"""What each worker offers, as "Add machine…" would be told: workers on this machine offer only what they are given."""
PROMPT = "The history of the city begins with a small settlement on the river. Over the centuries it grew"


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_worker(threads: int) -> tuple[subprocess.Popen[str], int]:
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "app", "worker", "--port", str(port), "--threads", str(threads)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)  # fmt: skip
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("From another machine"):
            return proc, port
    raise SystemExit(f"the worker on port {port} did not start")


def generate(rt: object, tokens: int, salt: int) -> float:
    """llama-server's own generation tokens/s for one greedy completion of exactly `tokens` tokens."""
    from app.chat.runtime import Runtime

    assert isinstance(rt, Runtime)
    body = {"prompt": f"({salt}) {PROMPT}", "max_tokens": tokens, "temperature": 0, "ignore_eos": True,
            "cache_prompt": False}  # fmt: skip
    req = urllib.request.Request(f"http://127.0.0.1:{rt.port}/v1/completions", data=json.dumps(body).encode(),
                                 headers={"Authorization": f"Bearer {rt.key}", "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=600) as r:
        obj = json.loads(r.read())
    return float(obj["timings"]["predicted_per_second"])


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--tokens", type=int, default=64)
    p.add_argument("--threads", type=int, default=2)
    args = p.parse_args(argv)

    from fixtures.gemma import gemma_path

    from app.chat.runtime import LoadOptions, Runtime, fit_options
    from app.machine import current_report, kernel_library_dir, kernels_cache_file, with_kernels
    from formats.gguf_info import inspect_gguf
    from hardware.fit import estimate_speed
    from hardware.kernels import cached_kernels
    from hardware.remote import RemoteWorker, split_as
    from hardware.rpc_client import probe_worker

    model = gemma_path(Path(os.environ.get("MODELWERK_TEST_CACHE") or ROOT / ".cache" / "test-models"))
    shape = inspect_gguf(model).shape
    assert shape is not None
    lib_dir = kernel_library_dir()
    if lib_dir is None:
        raise SystemExit("llama-cpp-python's libraries are missing: the estimate needs llama.cpp's kernel rates")
    # The kernels at the bench's thread count, measured now: under the same load as the runs.
    kernels = cached_kernels(kernels_cache_file(), lib_dir, threads=args.threads, again=True)
    hw = with_kernels(current_report(), kernels)
    base = LoadOptions(context=1024, threads=args.threads, parallel=1, gpu_layers=0)
    workers_procs = [start_worker(args.threads), start_worker(args.threads)]
    try:
        workers = []
        for _, port in workers_procs:
            probe = probe_worker("127.0.0.1", port)
            workers.append(RemoteWorker.of_probe(probe, memory_limit=WORKER_MEMORY))
        split = (shape.n_layers // 2, shape.n_layers - shape.n_layers // 2 + 1)
        split_options = LoadOptions(context=1024, threads=args.threads, parallel=1, workers=tuple(workers),
                                    gpu_layers=sum(split), tensor_split=split)  # fmt: skip
        local_rt = Runtime.launch(model, options=base, name="local")
        split_rt = Runtime.launch(model, options=split_options, name="split")
        try:
            local_rt.wait_ready(300)
            split_rt.wait_ready(300)
            local, remote = 0.0, 0.0
            for i in range(args.runs):
                local = max(local, generate(local_rt, args.tokens, 2 * i))
                remote = max(remote, generate(split_rt, args.tokens, 2 * i + 1))
        finally:
            split_rt.stop()
            local_rt.stop()
        plan = split_as(shape, hw, tuple(workers), fit_options(split_options), tensor_split=split)
        est_local = estimate_speed(shape, hw, 0, False)
    finally:
        for proc, _ in workers_procs:
            proc.send_signal(signal.SIGINT)
            proc.wait(15)

    print(f"Gemma 3 270M Q4_K_M, {args.threads} threads, {args.tokens} tokens, best of {args.runs}")
    print(f"  local only:                 {local:7.1f} tok/s   (estimate {est_local:6.1f}, {est_local / local - 1:+.0%})")
    print(f"  split over 2 local workers: {remote:7.1f} tok/s   (tensor split {split[0]},{split[1]}; "
          f"RTT {workers[0].rtt_s * 1e6:.0f} / {workers[1].rtt_s * 1e6:.0f} µs, into a worker "
          f"{workers[0].bandwidth / 1e9:.1f} GB/s)")  # fmt: skip
    print(f"  overhead of the split: split / local = {remote / local:.2f}")
    error = plan.tokens_per_s / remote - 1
    verdict = "within" if abs(error) <= TARGET else "OUTSIDE"
    print(f"  estimate for the split: {plan.tokens_per_s:.1f} tok/s (network {plan.network_s * 1e3:.2f} ms/token): "
          f"{error:+.0%} vs measured, {verdict} the {TARGET:.0%} target")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
