"""Measure what a token of a realistic model really costs through llama-server here, against what the speed estimate
adds up for it: the one figure the estimate is scaled by.

hardware.fit adds up a token from parts measured alone (llama.cpp's kernels, timed in tight loops; the graph's other
nodes and sampling, from the fastest token of two tiny models). A real token through llama-server costs more than that
sum: the kernels run slower inside a token's graph than alone (the activations, the caches shared with every other node)
and the server does its own work per token (its loop, the sampler, streaming the token out); and a run's tokens are
not all its fastest. Measured idle here, the sum missed by the same 17-19% on three very different models (Gemma 3 270M,
SmolLM2 135M and a synthetic 2048-wide llama), so neither a tensor type nor a vocabulary explains it.

So this module generates with llama-server itself, with the runtime's threads and options, from a synthetic llama of
realistic width (1024 wide, 8 layers, Q8_0, 92 MiB, more than a CPU's cache holds, as a model's weights
are) and keeps the best of a few runs' seconds per token by the server's own timings, as a user's chat would see it.
hardware.fit estimates the same shape from the same measured figures; the ratio scales every CPU estimate. It is
measured, on the user's machine, from a model that is none of the ones the estimate is checked on: nothing is fitted to
a model.

Run as a child of its own (`python -m hardware.server_token LLAMA_SERVER THREADS` prints {"calibration/seconds": s}):
a crash there must take neither the app nor the kernel rates along.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from hardware.shape import ModelShape

KEY = "calibration/seconds"
WIDTH = 1024
LAYERS = 8
FF = 2816
HEADS = 16
KV_HEADS = 4
VOCAB = 259
"""The byte tokens, <unk>, <s> and </s>: the output projection costs next to nothing."""
Q8_0_BLOCK = 32
Q8_0_BYTES = 34
"""Weights per Q8_0 block and its bytes (an f16 scale and 32 int8)."""
PROMPT = 16
TOKENS = 64
RUNS = 3
CONTEXT = 1024
START_TIMEOUT_S = 60.0
RUN_TIMEOUT_S = 60.0


def _q8_0_bytes(rows: int, cols: int) -> int:
    return rows * cols // Q8_0_BLOCK * Q8_0_BYTES


def calibration_shape() -> ModelShape:
    """The calibration model as hardware.fit sees a model (the same figures the Library reads from its header)."""
    per_layer = _q8_0_bytes(WIDTH, WIDTH) * 2 + _q8_0_bytes(WIDTH // (HEADS // KV_HEADS), WIDTH) * 2 + \
        _q8_0_bytes(FF, WIDTH) * 3 + 2 * WIDTH * 4  # fmt: skip
    table = _q8_0_bytes(VOCAB, WIDTH)
    head = WIDTH // HEADS
    norms = 2 * WIDTH * 4
    params = LAYERS * (2 * WIDTH * WIDTH + 2 * head * KV_HEADS * WIDTH + 3 * FF * WIDTH + 2 * WIDTH) + 2 * VOCAB * WIDTH + \
        WIDTH  # fmt: skip
    return ModelShape(name="calibration llama", n_params=params, n_layers=LAYERS, n_heads=HEADS, n_kv_heads=KV_HEADS,
                      head_dim_k=head, head_dim_v=head, n_embd=WIDTH, n_ff=FF, n_vocab=VOCAB, context_train=CONTEXT,
                      layer_bytes=per_layer, embedding_bytes=table, output_bytes=table, quant="Q8_0",
                      block_types=(("Q8_0", LAYERS * (per_layer - norms)),), output_type="Q8_0")  # fmt: skip


def write_calibration_model(path: Path) -> Path:
    """The calibration llama as a GGUF: random Q8_0 weights made directly as blocks (no float weights to quantize)."""
    import gguf
    import numpy as np

    rng = np.random.default_rng(0)
    scale = np.frombuffer(np.float16(0.02 / 64).tobytes(), dtype=np.uint8)

    def q8_0(rows: int, cols: int = WIDTH) -> np.ndarray:
        blocks = np.empty((rows, cols // Q8_0_BLOCK, Q8_0_BYTES), dtype=np.uint8)
        blocks[:, :, :2] = scale
        blocks[:, :, 2:] = rng.integers(0, 256, size=(rows, cols // Q8_0_BLOCK, Q8_0_BLOCK), dtype=np.uint8)
        return blocks.reshape(rows, -1)

    tokens = ["<unk>", "<s>", "</s>", *(f"<0x{b:02X}>" for b in range(256))]
    types = [int(gguf.TokenType.UNKNOWN), int(gguf.TokenType.CONTROL), int(gguf.TokenType.CONTROL)] + \
        [int(gguf.TokenType.BYTE)] * 256  # fmt: skip
    kv = WIDTH // HEADS * KV_HEADS
    writer = gguf.GGUFWriter(path, "llama")
    try:
        for add, value in ((writer.add_context_length, CONTEXT), (writer.add_embedding_length, WIDTH),
                           (writer.add_block_count, LAYERS), (writer.add_feed_forward_length, FF),
                           (writer.add_head_count, HEADS), (writer.add_head_count_kv, KV_HEADS),
                           (writer.add_rope_dimension_count, WIDTH // HEADS)):  # fmt: skip
            add(value)
        writer.add_layer_norm_rms_eps(1e-5)
        writer.add_file_type(int(gguf.LlamaFileType.MOSTLY_Q8_0))
        writer.add_tokenizer_model("llama")
        writer.add_token_list(tokens)
        writer.add_token_scores([0.0] * len(tokens))
        writer.add_token_types(types)
        writer.add_bos_token_id(1)
        writer.add_eos_token_id(2)
        q8 = gguf.GGMLQuantizationType.Q8_0
        writer.add_tensor("token_embd.weight", q8_0(VOCAB), raw_dtype=q8)
        for i in range(LAYERS):
            for name, rows in (("attn_q", WIDTH), ("attn_k", kv), ("attn_v", kv), ("attn_output", WIDTH),
                               ("ffn_gate", FF), ("ffn_up", FF)):  # fmt: skip
                writer.add_tensor(f"blk.{i}.{name}.weight", q8_0(rows), raw_dtype=q8)
            writer.add_tensor(f"blk.{i}.ffn_down.weight", q8_0(WIDTH, FF), raw_dtype=q8)
            for name in ("attn_norm", "ffn_norm"):
                writer.add_tensor(f"blk.{i}.{name}.weight", np.ones(WIDTH, dtype=np.float32))
        writer.add_tensor("output_norm.weight", np.ones(WIDTH, dtype=np.float32))
        writer.add_tensor("output.weight", q8_0(VOCAB), raw_dtype=q8)
        for write in (writer.write_header_to_file, writer.write_kv_data_to_file, writer.write_tensors_to_file):
            write()
    finally:
        writer.close()
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def seconds_per_token(server: Path, model: Path, *, threads: int, runs: int = RUNS) -> float:
    """The best of `runs` runs' seconds per generated token (TOKENS each, streamed, the app's sampling) by llama-server's
    own timings, the server started as the runtime starts it (CPU only, one slot, flash attention auto).

    Raises:
        RuntimeError: the server did not start or answer.
    """
    port, key = _free_port(), secrets.token_hex(16)
    env = {k: v for k, v in os.environ.items() if not k.startswith("LLAMA_ARG_")} | {"LLAMA_API_KEY": key}
    args = [str(server), "--model", str(model), "--host", "127.0.0.1", "--port", str(port), "--ctx-size", str(CONTEXT),
            "--parallel", "1", "--no-kv-unified", "--threads", str(threads), "--threads-batch", str(threads),
            "--n-gpu-layers", "0", "--flash-attn", "auto", "--fit", "off", "--no-webui"]  # fmt: skip
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=env)
        try:
            _wait_ready(proc, port, log)
            best = float("inf")
            for run in range(runs):
                best = min(best, _run(port, key, seed=run))
            return best
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _wait_ready(proc: subprocess.Popen[bytes], port: int, log: object) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"llama-server ended while loading the calibration model (exit {proc.returncode})")
        with contextlib.suppress(OSError, http.client.HTTPException):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            try:
                conn.request("GET", "/health")
                if conn.getresponse().status == 200:
                    return
            finally:
                conn.close()
        time.sleep(0.1)
    raise RuntimeError("llama-server did not get ready with the calibration model")


def _run(port: int, key: str, *, seed: int) -> float:
    """One streamed generation; its seconds per token by the server's timings."""
    body = {"prompt": [1, *range(80, 80 + PROMPT - 1)], "n_predict": TOKENS, "ignore_eos": True, "cache_prompt": False,
            "stream": True, "seed": seed, "temperature": 0.7, "top_k": 40, "top_p": 0.95, "min_p": 0.05}  # fmt: skip
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=RUN_TIMEOUT_S)
    try:
        conn.request("POST", "/completion", json.dumps(body),
                     {"Content-Type": "application/json", "Authorization": f"Bearer {key}"})  # fmt: skip
        response = conn.getresponse()
        if response.status != 200:
            raise RuntimeError(f"llama-server answered {response.status} to the calibration run")
        timings = None
        for line in response:
            if line.startswith(b"data: "):
                with contextlib.suppress(ValueError):
                    event = json.loads(line[6:])
                    if isinstance(event, dict) and isinstance(event.get("timings"), dict):
                        timings = event["timings"]
        if not timings or not timings.get("predicted_n"):
            raise RuntimeError("llama-server's calibration run ended without its timings")
        return float(timings["predicted_ms"]) / 1000 / float(timings["predicted_n"])
    finally:
        conn.close()


def measure(server: Path, *, threads: int) -> dict[str, float]:
    """{KEY: seconds per token of the calibration model through `server`}.

    Raises:
        RuntimeError, OSError: the model could not be written or the server failed.
    """
    with tempfile.TemporaryDirectory(prefix="modelwerk-calibration-") as tmp:
        model = write_calibration_model(Path(tmp) / "calibration.gguf")
        return {KEY: seconds_per_token(server, model, threads=threads)}


def main(argv: list[str]) -> int:
    if len(argv) != 2 or not argv[1].isdigit() or int(argv[1]) < 1:
        print("usage: python -m hardware.server_token LLAMA_SERVER THREADS", file=sys.stderr)
        return 2
    print(json.dumps(measure(Path(argv[0]), threads=int(argv[1]))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
