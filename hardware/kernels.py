"""Measure how fast llama.cpp's own CPU kernels run one token's work, per tensor type, and its flash attention.

Generating one token multiplies every weight matrix by one vector. Whether that is bound by memory or by arithmetic
depends on the machine and on the tensor type: on a 2-core machine llama.cpp's Q4_K kernel streams ~4-7 GB/s of weights
per core where the same core reads plain memory at ~12 GB/s, so a speed estimate from the memory bandwidth alone is
optimistic, and by a different factor for every type (Q6_K, Q5_0, Q4_1 and Q8_0 decode at different costs per byte).

So this module runs ggml's own kernels, through the ggml libraries of the llama.cpp Python binding (built from the same
sources and flags as the runtime's llama-server, which is one static binary), with the threads the runtime uses and the
CPU backend's repacked layouts (Q4_0, Q4_K, IQ4_NL... on AVX2 and NEON) wherever llama.cpp would use them:
- "T": one 256 MiB matrix of type T, 2048 weights per row, far beyond the caches as a model's weights are (a 64 MiB matrix
  stays in this machine's cache and runs 2-2.5x faster). A large output projection runs like this.
- "T/512": the same with 512 weights per row (128 MiB): narrow rows cost more per byte (a call per row); a small model's
  output projection (Gemma 3: 262,144 rows of 640) runs like this.
- "T@512": a chain of 512-wide layer-like products (query, output, feed-forward up and down, each one's output the next
  one's input; 128 MiB in all): small models' layers pay per product (the activation's conversion, the threads' barrier,
  short rows) what one large matrix does not.
- "T/cache" for the KV cache types (F16, Q8_0, Q4_0): an 8 MiB matrix that stays in the cache.
- "attention/D/G" (D = 64, 128, 256; G = 1, 4 query heads per KV head): ggml's flash attention of one token over 1024
  cells of an f16 cache, in query heads x cells per second, over as many layers' caches as fill ATTENTION_BYTES (far
  beyond the caches, as a model's KV cache is: between two tokens every weight streams through them). llama.cpp's CPU
  kernel walks the cells one by one for every query head (a dot product, an exp, a scaled add) and reads each KV head's
  cells from RAM once, the other query heads of its group then from the CPU's cache: so a cost per head and cell plus
  one per KV byte, which the two groupings separate (hardware.fit). One layer's cache alone, staying in the cache, ran
  ~2x faster here than a model's does.
- "overhead/token", "overhead/layer", "overhead/vocab": seconds that generating a token costs besides (graph nodes and
  their barriers, sampling): hardware.decode_costs.
The figure kept is the best of a few passes (bytes of weights per second, or head-cells per second).

A kernel that aborts would take the caller with it, so the app measures in a child process: `python -m hardware.kernels
LIBDIR THREADS` prints the rates as JSON. Results are cached per machine, library and thread count (like the memory
bandwidth, hardware.bandwidth), with the machine's load at the time.
"""

from __future__ import annotations

import ctypes
import itertools
import json
import logging
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from hardware.bandwidth import _load, _save, load_per_core, machine_key
from hardware.report import MiB

log = logging.getLogger(__name__)

GGML_TYPES: dict[str, int] = {
    "F16": 1, "Q4_0": 2, "Q4_1": 3, "Q5_0": 6, "Q5_1": 7, "Q8_0": 8, "Q2_K": 10, "Q3_K": 11, "Q4_K": 12, "Q5_K": 13,
    "Q6_K": 14, "IQ4_NL": 20, "BF16": 30,
}  # fmt: skip
"""The tensor types measured (ggml's enum values): those that need no importance matrix to quantize."""
MATRIX_BYTES = 256 * MiB
CACHED_BYTES = 8 * MiB
CACHED_TYPES = ("F16", "Q8_0", "Q4_0")
"""KV cache types, measured again on a matrix that stays in the cache (the suffix "/cache")."""
ATTENTION_DIMS = (64, 128, 256)
"""Head sizes at which flash attention is measured ("attention/64/4"...: query heads x KV cells per second)."""
ATTENTION_GROUPS = (1, 4)
"""Query heads per KV head of the measured attentions: 1 streams a KV byte per query head, 4 (Gemma 3, Llama 3's 8B and
most grouped-query models) a quarter of one."""
ATTENTION_KV_HEADS = 2
ATTENTION_CELLS = 1024
ATTENTION_BYTES = 64 * MiB
"""K and V of all the attentions in one measurement: 2x this machine's 32 MiB L3 cache, so that sweeping them in turn
finds each evicted, as a model's are (a cyclic sweep over more than the cache defeats least-recently-used eviction)."""
ATTENTION_ROUNDS = 2
"""Sweeps over all the attentions, at least (more where they make fewer than ATTENTION_SAMPLES graphs)."""
ATTENTION_GRAPH_BYTES = MiB
"""Caches of the attentions timed together as one graph (at least one): 2 attentions of 64 dims, 1 of 128 or 256; each
0.1-0.3 ms, against ~5 us to start a graph. Short graphs: on a busy machine a long one is always interrupted."""
ATTENTION_SAMPLES = 64
"""Graphs timed at least per head size and grouping (the fastest counts)."""
ROW = 2048
"""Weights per row (the activation length) of the single matrix: ggml's K-quants need multiples of 256."""
LAYERS_BYTES = 128 * MiB
"""Weights in each chain of layer-like products (4x this machine's 32 MiB L3 cache: streamed from RAM too)."""
LAYER_WIDTHS = (512,)
"""Widths (a model's n_embd) of the chains measured. At ROW's width one large matrix stands for them (a chain of 2048-wide
products ran as fast as one matrix here); a model in between takes the rate interpolated in log(width)."""
FF_RATIO = 3
"""Feed-forward width / model width of the chains (2.7-4 in real models)."""
BLOCK_ROWS = 64
PASSES = 4
"""At least this many timed passes per type; more while SECONDS_PER_TYPE lasts (a busy moment spoils a pass, not all)."""
SECONDS_PER_TYPE = 0.1
"""Three figures per type and flash attention: keep the whole measurement within ~20 s on a 2-core machine."""
TIMEOUT_S = 300.0
MEASUREMENT = "v3"
"""Part of the cache key: what is measured changed (v2: chains of layers, flash attention; v3: flash attention over caches
streamed from RAM, two groupings), so old entries are stale."""


@dataclass(frozen=True)
class KernelRates:
    """One measurement: bytes of weights per second that a matrix-vector product streams, by ggml tensor type."""

    rates: tuple[tuple[str, float], ...]
    threads: int
    measured_at: datetime
    load: float | None = None
    """Load per core of the machine while measuring (None: unknown)."""

    def rate(self, type_name: str) -> float:
        return dict(self.rates).get(type_name, 0.0)


def _libraries(lib_dir: Path) -> tuple[ctypes.CDLL, ctypes.CDLL]:
    names = ("ggml-base", "ggml-cpu")
    found = []
    for name in names:
        candidates = sorted(lib_dir.glob(f"lib{name}.so*")) + sorted(lib_dir.glob(f"lib{name}.dylib")) + \
            sorted(lib_dir.glob(f"{name}.dll"))  # fmt: skip
        if not candidates:
            raise FileNotFoundError(f"no {name} library in {lib_dir}")
        found.append(ctypes.CDLL(str(candidates[0]), mode=getattr(ctypes, "RTLD_GLOBAL", 0)))
    return found[0], found[1]


class _InitParams(ctypes.Structure):
    _fields_ = [("mem_size", ctypes.c_size_t), ("mem_buffer", ctypes.c_void_p), ("no_alloc", ctypes.c_bool)]


class _Ggml:
    """The few ggml functions a matrix-vector product needs, with their C signatures."""

    def __init__(self, lib_dir: Path) -> None:
        base, cpu = _libraries(lib_dir)
        p, i64, size = ctypes.c_void_p, ctypes.c_int64, ctypes.c_size_t

        def fn(lib: ctypes.CDLL, name: str, res: Any, *args: Any) -> Any:
            f = getattr(lib, name)
            f.restype, f.argtypes = res, list(args)
            return f

        self.init = fn(base, "ggml_init", p, _InitParams)
        self.free = fn(base, "ggml_free", None, p)
        self.new_2d = fn(base, "ggml_new_tensor_2d", p, p, ctypes.c_int, i64, i64)
        self.new_1d = fn(base, "ggml_new_tensor_1d", p, p, ctypes.c_int, i64)
        self.new_3d = fn(base, "ggml_new_tensor_3d", p, p, ctypes.c_int, i64, i64, i64)
        self.permute = fn(base, "ggml_permute", p, p, p, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_int)
        f32 = ctypes.c_float
        self.flash_attn = fn(base, "ggml_flash_attn_ext", p, p, p, p, p, p, f32, f32, f32) \
            if hasattr(base, "ggml_flash_attn_ext") else None  # fmt: skip
        self.mul_mat = fn(base, "ggml_mul_mat", p, p, p, p)
        self.new_graph = fn(base, "ggml_new_graph_custom", p, p, size, ctypes.c_bool)
        self.expand = fn(base, "ggml_build_forward_expand", None, p, p)
        self.row_size = fn(base, "ggml_row_size", size, ctypes.c_int, i64)
        self.quantize = fn(base, "ggml_quantize_chunk", size, ctypes.c_int, p, p, i64, i64, i64, p)
        self.alloc_tensors = fn(base, "ggml_backend_alloc_ctx_tensors_from_buft", p, p, p)
        self.tensor_set = fn(base, "ggml_backend_tensor_set", None, p, p, size, size)
        self.buffer_free = fn(base, "ggml_backend_buffer_free", None, p)
        self.dev_get = fn(base, "ggml_backend_reg_dev_get", p, p, size)
        self.proc_address = fn(base, "ggml_backend_reg_get_proc_address", p, p, ctypes.c_char_p)
        self.dev_buffer_type = fn(base, "ggml_backend_dev_buffer_type", p, p)
        self.supports_op = fn(base, "ggml_backend_dev_supports_op", ctypes.c_bool, p, p)
        self.compute = fn(base, "ggml_backend_graph_compute", ctypes.c_int, p, p)
        self.gallocr_new = fn(base, "ggml_gallocr_new", p, p)
        self.gallocr_alloc = fn(base, "ggml_gallocr_alloc_graph", ctypes.c_bool, p, p)
        self.gallocr_free = fn(base, "ggml_gallocr_free", None, p)
        self.backend_free = fn(base, "ggml_backend_free", None, p)
        self.cpu_init = fn(cpu, "ggml_backend_cpu_init", p)
        self.set_threads = fn(cpu, "ggml_backend_cpu_set_n_threads", None, p, ctypes.c_int)
        cpu_reg = fn(cpu, "ggml_backend_cpu_reg", p)

        reg = cpu_reg()
        self.device = self.dev_get(reg, 0)
        self.cpu_buft = self.dev_buffer_type(self.device)
        # The CPU backend's "extra" buffer types (repacked layouts), as llama.cpp asks for them when it loads weights.
        self.extra_bufts: list[int] = []
        address = self.proc_address(reg, b"ggml_backend_dev_get_extra_bufts")
        if address:
            extra = ctypes.CFUNCTYPE(ctypes.POINTER(ctypes.c_void_p), ctypes.c_void_p)(address)(self.device)
            i = 0
            while extra and extra[i]:
                self.extra_bufts.append(int(extra[i]))
                i += 1


def measure_kernels(lib_dir: Path, *, threads: int, types: Iterable[str] = tuple(GGML_TYPES),
                    matrix_bytes: int = MATRIX_BYTES, layers_bytes: int = LAYERS_BYTES, passes: int = PASSES,
                    seconds_per_type: float = SECONDS_PER_TYPE, attention: bool = True,
                    attention_bytes: int = ATTENTION_BYTES, decode: bool = True) -> dict[str, float]:  # fmt: skip
    """Bytes of weights per second of ggml's matrix-vector product for each type, in this process: "T" for one large
    matrix, "T/W" for one of rows of W, "T@W" for a chain of layer-like products of width W (see `layer_shapes`),
    "T/cache" for a KV cache type multiplied from the CPU's cache; and "attention/D/G": flash attention of one token, query
    heads x KV cells per second, for heads of D dimensions and G query heads per KV head (an f16 cache, from RAM); with
    `decode`, what generating a token costs besides (hardware.decode_costs: "overhead/token", "overhead/layer" and
    "overhead/vocab", in seconds).

    Types the library cannot quantize without an importance matrix, or does not know, are left out.

    Raises:
        OSError, FileNotFoundError: the ggml libraries cannot be loaded from `lib_dir`.
    """
    g = _Ggml(lib_dir)
    backend = g.cpu_init()
    g.set_threads(backend, max(1, threads))
    rates: dict[str, float] = {}
    # (key, type, row length, chain of layers or one matrix, bytes)
    jobs: list[tuple[str, str, int, bool, int]] = []
    for name in types:
        jobs.append((name, name, ROW, False, matrix_bytes))
        for w in LAYER_WIDTHS:
            jobs += [(f"{name}/{w}", name, w, False, layers_bytes), (layers_key(name, w), name, w, True, layers_bytes)]
    jobs += [(f"{name}/cache", name, ROW, False, min(CACHED_BYTES, matrix_bytes)) for name in CACHED_TYPES if name in types]
    unsupported: set[str] = set()
    try:
        if attention:
            try:
                for dim, group in itertools.product(ATTENTION_DIMS, ATTENTION_GROUPS):
                    rates[attention_key(dim, group)] = _measure_attention(g, backend, dim, group=group,
                                                                          total_bytes=attention_bytes,
                                                                          passes=min(passes, ATTENTION_ROUNDS),
                                                                          seconds=seconds_per_type)  # fmt: skip
            except _Unsupported:
                pass
        for key, name, width, chain, size in jobs:
            t = GGML_TYPES.get(name)
            if t is None or name in unsupported:
                continue
            if chain:
                shapes = layer_shapes(width, _row_bytes(g, t), size)
            else:
                shapes = [(width, max(BLOCK_ROWS, size // int(g.row_size(t, width)) // BLOCK_ROWS * BLOCK_ROWS))]
            try:
                rate = _measure_one(g, backend, t, shapes, passes=passes, seconds=seconds_per_type)
            except _Unsupported:
                unsupported.add(name)
                continue
            rates[key] = rate
            log.debug("ggml %s matrix-vector: %.2f GB/s (%d threads)", key, rate / 1e9, threads)
    finally:
        g.backend_free(backend)
    if decode:
        from hardware.decode_costs import measure_decode_costs

        try:
            rates.update(measure_decode_costs(threads=max(1, threads)))
        except (RuntimeError, OSError, ImportError) as e:
            log.warning("could not measure llama.cpp's costs per token and layer: %s", e)
    return rates


def layers_key(type_name: str, width: int) -> str:
    """The rate's name for a chain of layer-like products of `width`: "Q4_K@512"."""
    return f"{type_name}@{width}"


def layer_shapes(width: int, row_bytes: Callable[[int], int], total_bytes: int) -> list[tuple[int, int]]:
    """(row length, rows) of the products of as many layer-like groups as fill `total_bytes`: per group the attention's
    square products (query, output) and the feed-forward's up (FF_RATIO x width rows) and down (width rows of
    FF_RATIO x width), each one's output the next one's input, as a model's graph runs them."""
    ff = FF_RATIO * width
    group = [(width, width), (width, width), (width, ff), (ff, width)]
    per_group = sum(m * row_bytes(k) for k, m in group)
    return group * max(1, total_bytes // per_group)


def _row_bytes(g: _Ggml, t: int) -> Callable[[int], int]:
    return lambda k: int(g.row_size(t, k))


class _Unsupported(Exception):
    pass


def attention_key(dim: int, group: int) -> str:
    """The rate's name for flash attention with heads of `dim` and `group` query heads per KV head: "attention/64/4"."""
    return f"attention/{dim}/{group}"


def _measure_attention(g: _Ggml, backend: int, dim: int, *, group: int, total_bytes: int, passes: int,
                       seconds: float) -> float:  # fmt: skip
    """Query heads x KV cells per second of ggml's flash attention for one token over an f16 cache of ATTENTION_CELLS,
    laid out as llama.cpp's cache is (the heads of a cell side by side), read from RAM: one attention per layer-like cache
    of its own, as many as fill `total_bytes`, a few of them to a graph. The graphs run one after the other
    round after round, so each finds its caches evicted by the others; the fastest graph counts (a short one: on a busy
    machine a long one is always interrupted): ATTENTION_GRAPH_BYTES of caches a graph, ATTENTION_SAMPLES graphs at least."""
    import numpy as np

    if g.flash_attn is None:
        raise _Unsupported
    kv_heads, cells = ATTENTION_KV_HEADS, ATTENTION_CELLS
    heads = group * kv_heads
    per_layer = 2 * dim * kv_heads * cells * 2  # K and V, f16
    per_graph = max(1, ATTENTION_GRAPH_BYTES // per_layer)
    layers = max(per_graph, total_bytes // per_layer // per_graph * per_graph)
    ctx = g.init(_InitParams(MiB + 4096 * layers, None, True))
    q = g.new_3d(ctx, 0, dim, 1, heads)  # f32, one token
    mask = g.new_3d(ctx, 1, cells, 1, 1)
    caches, outs = [], []
    for _ in range(layers):
        k = g.new_3d(ctx, 1, dim, kv_heads, cells)  # f16
        v = g.new_3d(ctx, 1, dim, kv_heads, cells)
        caches += [k, v]
        outs.append(g.flash_attn(ctx, q, g.permute(ctx, k, 0, 2, 1, 3), g.permute(ctx, v, 0, 2, 1, 3), mask, dim**-0.5,
                                 0.0, 0.0))  # fmt: skip
    buffer = g.alloc_tensors(ctx, g.cpu_buft)
    if not buffer:
        g.free(ctx)
        raise MemoryError("ggml could not allocate the attention's tensors")
    try:
        if not g.supports_op(g.device, outs[0]):
            raise _Unsupported
        rng = np.random.default_rng(0)
        cache = rng.standard_normal(dim * kv_heads * cells).astype(np.float16)
        inputs: list[tuple[int, Any]] = [(q, rng.standard_normal(dim * heads).astype(np.float32)),
                                         (mask, np.zeros(cells, dtype=np.float16)), *((c, cache) for c in caches)]  # fmt: skip
        for tensor, data in inputs:
            g.tensor_set(tensor, data.ctypes.data, 0, data.nbytes)
        graphs = []
        for i in range(0, layers, per_graph):
            graph = g.new_graph(ctx, 8 * per_graph + 16, False)
            for out in outs[i : i + per_graph]:
                g.expand(graph, out)
            graphs.append(graph)
        rounds = max(passes, -(-ATTENTION_SAMPLES // len(graphs)))
        best = _best_time(g, backend, graphs, passes=rounds, seconds=seconds)
    finally:
        g.buffer_free(buffer)
        g.free(ctx)
    return per_graph * heads * cells / best


def _best_time(g: _Ggml, backend: int, graphs: list[int], *, passes: int, seconds: float) -> float:
    """The fastest computation of any of `graphs`, run in turn for at least `passes` rounds, more while `seconds` last
    (after one round to warm up)."""
    for graph in graphs:
        g.compute(backend, graph)  # warm: page faults, the thread pool
    best = float("inf")
    deadline = time.perf_counter() + seconds
    n = 0
    while n < passes or time.perf_counter() < deadline:
        for graph in graphs:
            t0 = time.perf_counter()
            g.compute(backend, graph)
            best = min(best, time.perf_counter() - t0)
        n += 1
    return best


def _measure_one(g: _Ggml, backend: int, t: int, shapes: list[tuple[int, int]], *, passes: int, seconds: float) -> float:
    """Bytes of weights per second of the products `shapes` ((row length, rows) each), run as one graph."""
    import numpy as np

    rng = np.random.default_rng(0)
    blocks: dict[int, Any] = {}
    for k in {k for k, _ in shapes}:
        row = int(g.row_size(t, k))
        block = np.empty(BLOCK_ROWS * row, dtype=np.uint8)
        source = rng.standard_normal((BLOCK_ROWS, k)).astype(np.float32)
        if g.quantize(t, source.ctypes.data, block.ctypes.data, 0, BLOCK_ROWS, k, None) != block.nbytes:
            raise _Unsupported
        blocks[k] = block
    meta = _InitParams(max(4 * MiB, 1024 * len(shapes)), None, True)
    # Where llama.cpp would repack this type (an extra buffer type that supports the product), so do we.
    for buft in (*g.extra_bufts, g.cpu_buft):
        ctx_w = g.init(meta)
        ctx = g.init(meta)
        weights = [g.new_2d(ctx_w, t, k, m) for k, m in shapes]
        buffer = g.alloc_tensors(ctx_w, buft)
        x = g.new_1d(ctx, 0, shapes[0][0])  # 0: GGML_TYPE_F32
        y = x
        for w in weights:
            y = g.mul_mat(ctx, w, y)
        if buffer and (buft == g.cpu_buft or g.supports_op(g.device, g.mul_mat(ctx, weights[0], x))):
            break
        if buffer:
            g.buffer_free(buffer)
        g.free(ctx)
        g.free(ctx_w)
    else:
        raise _Unsupported
    galloc = g.gallocr_new(g.cpu_buft)
    try:
        tiled: dict[tuple[int, int], Any] = {}
        total = 0
        for w, (k, m) in zip(weights, shapes, strict=True):
            if (k, m) not in tiled:
                tiled[(k, m)] = np.tile(blocks[k], m // BLOCK_ROWS)
            data = tiled[(k, m)]
            g.tensor_set(w, data.ctypes.data, 0, data.nbytes)  # a repacking buffer wants the whole tensor at once
            total += data.nbytes
        del tiled
        graph = g.new_graph(ctx, 2 * len(shapes) + 16, False)
        g.expand(graph, y)
        if not g.gallocr_alloc(galloc, graph):
            raise MemoryError("ggml could not allocate the product's graph")
        # Small activations: a chain of products must not grow them to infinities.
        x_data = (rng.standard_normal(shapes[0][0]) * 0.01).astype(np.float32)
        g.tensor_set(x, x_data.ctypes.data, 0, x_data.nbytes)
        best = _best_time(g, backend, [graph], passes=passes, seconds=seconds)
    finally:
        g.gallocr_free(galloc)
        g.free(ctx)
        g.buffer_free(buffer)
        g.free(ctx_w)
    return float(total / best)


def ggml_library_key(lib_dir: Path) -> str:
    """Identifies a ggml build: its CPU library's path and modification time (a rebuild measures again)."""
    try:
        lib = next(iter(sorted(lib_dir.glob("libggml-cpu.*")) + sorted(lib_dir.glob("ggml-cpu.*"))))
        return f"{lib.resolve()}@{int(lib.stat().st_mtime)}"
    except (StopIteration, OSError):
        return str(lib_dir)


def measure_in_child(lib_dir: Path, *, threads: int, types: Iterable[str] | None = None,
                     timeout_s: float = TIMEOUT_S) -> dict[str, float]:  # fmt: skip
    """`measure_kernels` in a child process (a kernel that aborts must not take the caller with it), and the costs per
    token and layer (hardware.decode_costs) in another: if that one fails, the rates come without them (logged).

    Raises:
        RuntimeError: the kernels' child failed or printed no result.
    """
    argv = [sys.executable, "-m", "hardware.kernels", str(lib_dir), str(threads)]
    if types is not None:
        argv.append(",".join(types))
    rates = _child_figures(argv, timeout_s)
    try:
        rates.update(_child_figures([sys.executable, "-m", "hardware.decode_costs", str(threads)], timeout_s))
    except RuntimeError as e:
        log.warning("%s", e)
    return rates


def _child_figures(argv: list[str], timeout_s: float) -> dict[str, float]:
    """The positive figures of the JSON object a child prints last."""
    what = f"measuring llama.cpp's {'kernels' if argv[2] == 'hardware.kernels' else 'costs per token'}"
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=timeout_s, stdin=subprocess.DEVNULL,
                             cwd=_package_root())  # fmt: skip
    except (OSError, subprocess.TimeoutExpired) as e:
        raise RuntimeError(f"{what} failed: {e}") from e
    lines = out.stdout.strip().splitlines()
    if out.returncode != 0 or not lines:
        tail = " ".join(out.stderr.strip().splitlines()[-1:])
        raise RuntimeError(f"{what} failed (exit {out.returncode}): {tail}")
    try:
        data = json.loads(lines[-1])
    except ValueError as e:
        raise RuntimeError(f"{what} printed no result: {lines[-1][:80]!r}") from e
    if not isinstance(data, dict):
        raise RuntimeError(f"{what} printed no result: {lines[-1][:80]!r}")
    return {str(k): float(v) for k, v in data.items() if isinstance(v, (int, float)) and v > 0}


def _package_root() -> str:
    return str(Path(__file__).resolve().parent.parent)


def cached_kernels(cache_file: Path, lib_dir: Path, *, threads: int, again: bool = False,
                   measure: Callable[[], dict[str, float]] | None = None, key: str | None = None,
                   load: Callable[[], float | None] = load_per_core, now: datetime | None = None) -> KernelRates:  # fmt: skip
    """The cached kernel rates of this machine, this ggml build and thread count; measured (in a child) and stored when
    there are none or `again` is asked for. An unreadable cache means measuring again; errors of measuring propagate."""
    key = key or f"{machine_key()}|{ggml_library_key(lib_dir)}|{threads}t|{MEASUREMENT}"
    entries = _load(cache_file)
    cached = _entry(entries.get(key), threads)
    if cached is not None and not again:
        return cached
    current = load()
    rates = measure() if measure is not None else measure_in_child(lib_dir, threads=threads)
    when = (now or datetime.now(timezone.utc)).replace(microsecond=0)  # as stored
    fresh = KernelRates(tuple(sorted(rates.items())), threads, when, current)
    entries[key] = {"rates": dict(fresh.rates), "threads": threads,
                    "measured_at": fresh.measured_at.isoformat(timespec="seconds"),
                    "load": None if current is None else round(current, 3)}  # fmt: skip
    _save(cache_file, entries)
    return fresh


def _entry(entry: object, threads: int) -> KernelRates | None:
    if not isinstance(entry, dict) or not isinstance(entry.get("rates"), dict):
        return None
    rates = {str(k): float(v) for k, v in entry["rates"].items()
             if isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0}  # fmt: skip
    if not rates:
        return None
    try:
        when = datetime.fromisoformat(str(entry.get("measured_at")))
    except ValueError:
        when = datetime(1970, 1, 1, tzinfo=timezone.utc)
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    load = entry.get("load")
    return KernelRates(tuple(sorted(rates.items())), threads, when,
                       float(load) if isinstance(load, (int, float)) and not isinstance(load, bool) else None)  # fmt: skip


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 3):
        print("usage: python -m hardware.kernels LIBDIR THREADS [TYPE,TYPE...]", file=sys.stderr)
        return 2
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    types = argv[2].split(",") if len(argv) == 3 else tuple(GGML_TYPES)
    rates = measure_kernels(Path(argv[0]), threads=int(argv[1]), types=types, decode=False)  # decode_costs: its own child
    print(json.dumps(rates))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
