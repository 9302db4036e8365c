"""Measure what llama.cpp's generation of one token costs here apart from streaming the weights and attending: per layer
and per token, and the sampling per vocabulary entry.

A token's graph runs ~20-40 nodes per layer (norms, rope, the KV cache's copies, adds, the activation...), each followed
by the threads' barrier, and llama.cpp builds the graph, copies the logits out and samples from the whole vocabulary
once per token. On a small model those fixed costs are a real share of the token: SmolLM2 135M has 30 layers of width
576. So this module generates tokens, in this process through the llama.cpp binding (the runtime's llama-server is
built from the same sources), with two synthetic llama models of negligible width (32: 14 KiB of weights a layer, which
stay in the CPU's cache) and different depths, with the threads the runtime uses: the fastest token of each gives
cost = per_token + layers x per_layer. The per-layer cost includes the barriers of its 7 matrix products, which the
chains of hardware.kernels ("T@512") count too (4 a layer there, a few % of a 512-wide layer's time). Sampling (the
app's chain: top-k 40, top-p, min-p, temperature, a random draw) is timed on its own over a large vocabulary, with
filling the candidates from the logits as llama-server does.

Run by hardware.kernels in a child process of its own (`python -m hardware.decode_costs THREADS` prints the figures as
JSON: a crash there must take neither the app nor the kernel rates along); figures in seconds, keyed "overhead/token",
"overhead/layer" and "overhead/vocab".
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

WIDTH = 32
DEPTHS = (2, 26)
"""Layers of the two synthetic models (SmolLM2 has 30, Gemma 3 270M 18, Llama 3.1 8B 32)."""
TOKENS = 48
ROUNDS = 3
"""Tokens generated per round, rounds per model: the fastest single token counts (on a busy machine most are slowed)."""
SAMPLED_VOCAB = 131_072
SAMPLINGS = 20
KEYS = ("overhead/token", "overhead/layer", "overhead/vocab")


def write_probe_model(path: Path, *, layers: int) -> Path:
    """A random llama GGUF of WIDTH, `layers` deep, with a vocabulary of the 256 byte tokens (llama.cpp loads it)."""
    import gguf
    import numpy as np

    rng = np.random.default_rng(0)
    tokens = ["<unk>", "<s>", "</s>", *(f"<0x{b:02X}>" for b in range(256))]
    types = [int(gguf.TokenType.UNKNOWN), int(gguf.TokenType.CONTROL), int(gguf.TokenType.CONTROL)] + \
        [int(gguf.TokenType.BYTE)] * 256  # fmt: skip
    writer = gguf.GGUFWriter(path, "llama")
    try:
        for add, value in ((writer.add_context_length, 4096), (writer.add_embedding_length, WIDTH),
                           (writer.add_block_count, layers), (writer.add_feed_forward_length, WIDTH),
                           (writer.add_head_count, 1), (writer.add_head_count_kv, 1),
                           (writer.add_rope_dimension_count, WIDTH)):  # fmt: skip
            add(value)
        writer.add_layer_norm_rms_eps(1e-5)
        writer.add_file_type(int(gguf.LlamaFileType.MOSTLY_F16))
        writer.add_tokenizer_model("llama")
        writer.add_token_list(tokens)
        writer.add_token_scores([0.0] * len(tokens))
        writer.add_token_types(types)
        writer.add_bos_token_id(1)
        writer.add_eos_token_id(2)

        def matrix(rows: int) -> Any:
            return (rng.standard_normal((rows, WIDTH)) * 0.02).astype(np.float16)

        writer.add_tensor("token_embd.weight", matrix(len(tokens)))
        for i in range(layers):
            for name in ("attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down"):
                writer.add_tensor(f"blk.{i}.{name}.weight", matrix(WIDTH))
            for name in ("attn_norm", "ffn_norm"):
                writer.add_tensor(f"blk.{i}.{name}.weight", np.ones(WIDTH, dtype=np.float32))
        writer.add_tensor("output_norm.weight", np.ones(WIDTH, dtype=np.float32))
        writer.add_tensor("output.weight", matrix(len(tokens)))
        for write in (writer.write_header_to_file, writer.write_kv_data_to_file, writer.write_tensors_to_file):
            write()
    finally:
        writer.close()
    return path


def _chain(llama: Any, seed: int) -> Any:
    """The app's default sampling (app.chat.messages.Sampling) as llama.cpp's sampler chain."""
    chain = llama.llama_sampler_chain_init(llama.llama_sampler_chain_default_params())
    for sampler in (llama.llama_sampler_init_top_k(40), llama.llama_sampler_init_top_p(0.95, 1),
                    llama.llama_sampler_init_min_p(0.05, 1), llama.llama_sampler_init_temp(0.7),
                    llama.llama_sampler_init_dist(seed)):  # fmt: skip
        llama.llama_sampler_chain_add(chain, sampler)
    return chain


def fastest_token(path: Path, *, threads: int, tokens: int = TOKENS, rounds: int = ROUNDS) -> float:
    """Seconds of the fastest token (sampled, then decoded) llama.cpp generates with the model at `path`.

    Raises:
        RuntimeError: llama.cpp cannot load the model or decode.
    """
    import llama_cpp as llama

    model = llama.llama_model_load_from_file(str(path).encode(), llama.llama_model_default_params())
    if not model:
        raise RuntimeError(f"llama.cpp could not load {path.name}")
    params = llama.llama_context_default_params()
    params.n_ctx, params.n_threads, params.n_threads_batch = 1024, threads, threads
    best = float("inf")
    try:
        for r in range(rounds):
            ctx = llama.llama_init_from_model(model, params)
            if not ctx:
                raise RuntimeError("llama.cpp could not create a context")
            chain = _chain(llama, r)
            try:
                prompt = (llama.llama_token * 4)(1, 80, 81, 82)
                if llama.llama_decode(ctx, llama.llama_batch_get_one(prompt, 4)) != 0:
                    raise RuntimeError("llama.cpp could not decode")
                token = (llama.llama_token * 1)()
                for _ in range(tokens):
                    t0 = time.perf_counter()
                    token[0] = llama.llama_sampler_sample(chain, ctx, -1)
                    if llama.llama_decode(ctx, llama.llama_batch_get_one(token, 1)) != 0:
                        raise RuntimeError("llama.cpp could not decode")
                    best = min(best, time.perf_counter() - t0)
            finally:
                llama.llama_sampler_free(chain)
                llama.llama_free(ctx)
    finally:
        llama.llama_model_free(model)
    return best


def sampling_seconds_per_entry(*, vocab: int = SAMPLED_VOCAB, samplings: int = SAMPLINGS) -> float:
    """Seconds per vocabulary entry of filling the candidates from the logits and sampling them with the app's chain
    (the fastest of `samplings`)."""
    import ctypes

    import llama_cpp as llama
    import numpy as np

    dtype = np.dtype([("id", np.int32), ("logit", np.float32), ("p", np.float32)])
    logits = np.random.default_rng(0).standard_normal(vocab).astype(np.float32) * 3
    ids = np.arange(vocab, dtype=np.int32)
    candidates = np.empty(vocab, dtype=dtype)
    array = llama.llama_token_data_array(candidates.ctypes.data_as(ctypes.POINTER(llama.llama_token_data)), vocab, -1, False)
    chain = _chain(llama, 0)
    best = float("inf")
    try:
        for _ in range(samplings):
            t0 = time.perf_counter()
            candidates["id"], candidates["logit"], candidates["p"] = ids, logits, 0.0
            array.size, array.selected, array.sorted = vocab, -1, False
            llama.llama_sampler_apply(chain, ctypes.byref(array))
            best = min(best, time.perf_counter() - t0)
    finally:
        llama.llama_sampler_free(chain)
    return best / vocab


def measure_decode_costs(*, threads: int, depths: tuple[int, int] = DEPTHS) -> dict[str, float]:
    """{"overhead/token": s, "overhead/layer": s, "overhead/vocab": s} on this machine with `threads`.

    Raises:
        RuntimeError, OSError: llama.cpp or the temporary folder failed.
    """
    import llama_cpp as llama

    llama.llama_backend_init()
    with tempfile.TemporaryDirectory(prefix="modelwerk-decode-") as tmp:
        shallow, deep = depths
        t_shallow = fastest_token(write_probe_model(Path(tmp) / "shallow.gguf", layers=shallow), threads=threads)
        t_deep = fastest_token(write_probe_model(Path(tmp) / "deep.gguf", layers=deep), threads=threads)
    per_layer = max(0.0, (t_deep - t_shallow) / (deep - shallow))
    per_token = max(0.0, t_shallow - shallow * per_layer)
    return dict(zip(KEYS, (per_token, per_layer, sampling_seconds_per_entry()), strict=True))


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not argv[0].isdigit() or int(argv[0]) < 1:
        print("usage: python -m hardware.decode_costs THREADS", file=sys.stderr)
        return 2
    print(json.dumps(measure_decode_costs(threads=int(argv[0]))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
