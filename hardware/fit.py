"""Will this model run here, where, at which context and how fast — computed from the model's shape.

The memory model follows what llama.cpp allocates:
- weights: repeating blocks go to the GPU one by one (`n_gpu_layers`); the token embedding always stays on the CPU; the
  output projection follows once every block is on the GPU (llama.cpp counts it as layer n+1). A tied output is copied.
- KV cache: per layer, on the device that holds the layer; sliding-window layers need only window + ubatch cells unless
  the full-size SWA cache is on (llama-cpp-python's default).
- compute buffers: the largest intermediate of one micro-batch: the logits (vocabulary x ubatch x f32), the attention scores
  without flash attention (context x ubatch x heads x f32), or the feed-forward activations. A GPU really allocates all of it.
  On the CPU the buffer is reserved but mostly untouched (only one row of logits is computed while chatting), so the RAM
  figure counts the working set. `compute_reserved` keeps the reservation for whoever needs it.
- overhead: a GPU context (CUDA/ROCm/Metal runtime) per GPU, and on the host the vocabulary tables and runtime.
"""

from __future__ import annotations

import enum
import itertools
import math
from dataclasses import dataclass, field, replace

from core.messages import Message, Number, Size
from hardware.backends import cannot_use, usable
from hardware.kernels import ROW
from hardware.quants import KvType
from hardware.report import GiB, GpuInfo, HardwareReport, MiB
from hardware.shape import ModelShape

GPU_RUNTIME_OVERHEAD = 300 * MiB
"""CUDA/ROCm context and cuBLAS workspace per GPU (Metal needs far less, but the margin covers it)."""
HOST_OVERHEAD = 1 * MiB
"""llama.cpp's own host allocations apart from weights, KV cache, compute and vocabulary: graph, sampler, thread buffers."""
HOST_BYTES_PER_VOCABULARY_ENTRY = 236
"""The vocabulary as llama.cpp holds it, per token (its string, score and attributes, the token->id map, the cached
piece) and per BPE merge (a pair of strings in a map): ~150-200 bytes each with the allocator's own, plus the strings of
the file's metadata read while loading. Both constants were fitted (least squares) to the resident memory of two models
on this project's machines (Gemma 3 270M with 262k tokens and no merges at 2k, 8k and 32k, a synthetic llama with 431
tokens at 2k and 8k), with the compute buffer as _compute_resident counts it: see bench/fit_accuracy.py."""
CPU_EFFICIENCY = 0.45
"""Only when llama.cpp's kernels were not measured (a report built by hand, a failed measurement): the share of the
measured read bandwidth that CPU generation reached on this project's 2-core machines (0.33-0.48; bench/fit_accuracy.py).
With the kernels measured, the CPU estimate uses no such factor."""
GPU_EFFICIENCY = 0.7
"""Share of a GPU's memory bandwidth that generation reaches in practice (llama.cpp reports on common cards); not measured
here, as these machines have no GPU."""
MIN_CONTEXT = 256


class Placement(enum.Enum):
    FULL_GPU = "full_gpu"
    PARTIAL = "partial"
    CPU_ONLY = "cpu_only"
    DOES_NOT_FIT = "does_not_fit"

    @property
    def rank(self) -> int:
        """0 for the best placement (all on the GPU) to 3 (does not fit): for sorting and for picking the best."""
        return _PLACEMENT_ORDER.index(self)


_PLACEMENT_ORDER = (Placement.FULL_GPU, Placement.PARTIAL, Placement.CPU_ONLY, Placement.DOES_NOT_FIT)


@dataclass(frozen=True)
class FitOptions:
    """How the model would be loaded (the knobs of llama.cpp that change memory)."""

    context: int = 4096
    kv_type: KvType = KvType.F16
    flash_attention: bool = True
    """llama.cpp's default (`--flash-attn auto`): on wherever the backend supports it, CPU included."""
    n_batch: int = 512
    n_ubatch: int = 512
    gpu_layers: int | None = None
    """None = as many as fit (auto); 0 = CPU only; more than the model has = all, output included."""
    gpu_margin: int = GiB
    """Free VRAM to leave on every GPU, as llama.cpp's --fit does."""
    ram_margin: int = 512 * MiB
    swa_full: bool = True
    slots: int = 1
    """Parallel sequences (llama-server's -np), each with `context` tokens of its own KV cache."""


@dataclass(frozen=True)
class Memory:
    """Bytes on one side (RAM or VRAM), by what uses them."""

    weights: int = 0
    kv_cache: int = 0
    compute: int = 0
    overhead: int = 0

    @property
    def total(self) -> int:
        return self.weights + self.kv_cache + self.compute + self.overhead


@dataclass(frozen=True)
class FitReport:
    shape: ModelShape
    options: FitOptions
    placement: Placement
    gpu_layers: int
    """Repeating blocks on the GPU(s)."""
    output_on_gpu: bool
    ram: Memory
    vram: Memory
    ram_budget: int
    vram_budget: int
    compute_reserved: int
    """What llama.cpp reserves for compute on the CPU side (mostly untouched there)."""
    ram_resident: int
    """What the process's resident memory will show: ram.total plus the mapped file pages of repacked weights, which the
    OS may reclaim under pressure (so the verdict uses ram.total)."""
    max_context: int
    """The largest context (up to the training context) at which the placement stays as good; 0 if none fits."""
    tokens_per_s: float
    """Estimated generation speed at the start of a conversation (estimate_speed); 0 when the machine's speed figures
    are unknown or it does not fit."""
    why: tuple[Message, ...]
    """Why the model goes where it goes, sentence by sentence (``reason`` is their English text)."""
    note_messages: tuple[Message, ...] = field(default=())
    """What else to know (the context exceeds the training context, a GPU this build cannot use); ``notes`` in English."""

    @property
    def n_layers(self) -> int:
        return self.shape.n_layers

    @property
    def fits(self) -> bool:
        return self.placement is not Placement.DOES_NOT_FIT

    @property
    def notes(self) -> tuple[str, ...]:
        return tuple(str(m) for m in self.note_messages)

    @property
    def reason(self) -> str:
        """Why, in English (the command line, the logs)."""
        return "".join(str(m) for m in self.why)

    @property
    def verdict(self) -> str:
        """One short phrase: 'Full GPU', '24 of 32 layers on GPU', 'CPU only', 'Does not fit'."""
        return str(self.verdict_message)

    @property
    def verdict_message(self) -> Message:
        if self.placement is Placement.PARTIAL:
            if self.gpu_layers == self.n_layers:
                return Message("All layers on GPU, output on CPU")
            return Message("{layers} of {total} layers on GPU", layers=Number(self.gpu_layers), total=Number(self.n_layers))
        return {
            Placement.FULL_GPU: Message("Full GPU"),
            Placement.CPU_ONLY: Message("CPU only"),
            Placement.DOES_NOT_FIT: Message("Does not fit"),
        }[self.placement]

    @property
    def where(self) -> Message:
        """The verdict as part of a sentence: 'runs entirely on the GPU'."""
        if self.placement is Placement.PARTIAL:
            return Message("runs with {layers} of {total} layers on the GPU", layers=Number(self.gpu_layers),
                           total=Number(self.n_layers))  # fmt: skip
        return {
            Placement.FULL_GPU: Message("runs entirely on the GPU"),
            Placement.CPU_ONLY: Message("runs on the CPU only"),
            Placement.DOES_NOT_FIT: Message("does not fit"),
        }[self.placement]

    @property
    def kv_cache(self) -> int:
        return self.ram.kv_cache + self.vram.kv_cache


def kv_cache_bytes(shape: ModelShape, options: FitOptions, layers: int | None = None) -> int:
    """KV cache of `layers` blocks (all by default) at the options' context, for each of its slots.

    Llama-3.1-8B (32 layers, 8 KV heads of 128) at 8192 tokens in f16: 32 * 8 * (128 + 128) * 2 * 8192 = 1 GiB.
    """
    layers = shape.n_layers if layers is None else layers
    per_cell = shape.kv_bytes_per_token_layer(options.kv_type.bytes_per_element)
    ctx = options.context
    swa = min(shape.n_swa_layers, layers) if shape.swa_window else 0
    # Sliding-window layers are spread over the stack; a share of the offloaded blocks is SWA in the same ratio.
    if swa and layers != shape.n_layers:
        swa = round(shape.n_swa_layers * layers / shape.n_layers)
    swa_cells = ctx if options.swa_full else min(ctx, _pad(shape.swa_window + options.n_ubatch, 256))
    return round(per_cell * ((layers - swa) * ctx + swa * swa_cells) * max(options.slots, 1))


def _pad(n: int, multiple: int) -> int:
    return -(-n // multiple) * multiple


def compute_reserved(shape: ModelShape, options: FitOptions) -> int:
    """Bytes llama.cpp reserves for the compute graph of one micro-batch (what a GPU allocates)."""
    ub = min(options.n_ubatch, options.n_batch, options.context)
    f32 = 4
    logits = shape.n_vocab * ub * f32
    hidden = shape.n_embd * ub * f32
    if options.flash_attention:
        attention = shape.n_heads * shape.head_dim_v * ub * f32 * 2
    else:
        attention = options.context * ub * shape.n_heads * f32
    ffn = 2 * shape.n_ff * ub * f32
    return max(logits, attention, ffn) + 2 * hidden


def _compute_resident(shape: ModelShape, options: FitOptions) -> int:
    """The part of the CPU compute buffer a chat touches, as llama-server lays it out (it keeps the logits of one token
    only): the activations of one micro-batch at the feed-forward's peak (gate, up and their product; the residual
    stream, its sum and its normalised copy; the attention's query heads, wider than the model on Gemma 3), the KQ masks
    (one, two with sliding-window layers; f16 with flash attention) over the cells one micro-batch attends, and one row of
    logits. llama-server reserves the masks for the whole context (n_ctx x ubatch); a conversation touches them only as
    it fills it. Checked against llama-server's reported compute buffer for the three models of bench/fit_accuracy.py
    (within 0.1 MiB once the masks are taken at the full context)."""
    ub = min(options.n_ubatch, options.n_batch, options.context)
    f32 = 4
    widest = 3 * shape.n_ff + 3 * shape.n_embd + max(shape.n_embd, shape.n_heads * shape.head_dim_v)
    masks = (2 if shape.n_swa_layers else 1) * min(options.context, ub) * ub * (2 if options.flash_attention else f32)
    return widest * ub * f32 + masks + shape.n_vocab * f32


def _host_overhead(shape: ModelShape) -> int:
    return HOST_OVERHEAD + (shape.n_vocab + shape.n_merges) * HOST_BYTES_PER_VOCABULARY_ENTRY


@dataclass(frozen=True)
class _Split:
    gpu_layers: int
    output_on_gpu: bool
    ram: Memory
    vram: Memory
    per_gpu: tuple[int, ...]
    """VRAM needed on each GPU."""


def _split(shape: ModelShape, options: FitOptions, gpus: tuple[GpuInfo, ...], ngl: int) -> _Split:
    """Memory on each side when `ngl` blocks are on the GPUs (ngl > n_layers puts the output there too)."""
    if not gpus:
        ngl = 0
    layers_gpu = min(ngl, shape.n_layers)
    output_gpu = ngl > shape.n_layers
    kv_gpu = kv_cache_bytes(shape, options, layers_gpu)
    kv_cpu = kv_cache_bytes(shape, options) - kv_gpu
    out_bytes = shape.output_bytes
    # Weights: the embedding always on the CPU; a tied output is a separate copy only when it goes to the GPU.
    cpu_weights = (shape.n_layers - layers_gpu) * shape.layer_bytes + shape.embedding_bytes
    if not output_gpu and not shape.tied_embeddings:
        cpu_weights += out_bytes
    gpu_weights = layers_gpu * shape.layer_bytes + (out_bytes if output_gpu else 0)

    ram = Memory(
        weights=cpu_weights,
        kv_cache=kv_cpu,
        compute=_compute_resident(shape, options),
        overhead=_host_overhead(shape),
    )
    if layers_gpu == 0 and not output_gpu:
        return _Split(0, False, ram, Memory(), tuple(0 for _ in gpus))

    # Blocks are shared out in proportion to free VRAM (llama.cpp's default layer split); each GPU runs its own graph.
    compute = compute_reserved(shape, options)
    shares = _proportional(layers_gpu, [g.vram_free for g in gpus])
    per_gpu = []
    per_layer = shape.layer_bytes + (kv_gpu / layers_gpu if layers_gpu else 0)
    for i, n in enumerate(shares):
        used = round(n * per_layer) + GPU_RUNTIME_OVERHEAD + (compute if n or i == len(gpus) - 1 else 0)
        if i == len(gpus) - 1 and output_gpu:
            used += out_bytes
        per_gpu.append(used if n or (output_gpu and i == len(gpus) - 1) else 0)
    used_gpus = sum(1 for u in per_gpu if u)
    vram = Memory(
        weights=gpu_weights,
        kv_cache=kv_gpu,
        compute=compute * used_gpus,
        overhead=GPU_RUNTIME_OVERHEAD * used_gpus,
    )
    return _Split(layers_gpu, output_gpu, ram, vram, tuple(per_gpu))


def _proportional(n: int, weights: list[int]) -> list[int]:
    total = sum(weights)
    if not weights or total <= 0:
        return [n] + [0] * (len(weights) - 1) if weights else []
    shares = [n * w // total for w in weights]
    for i in sorted(range(len(weights)), key=lambda i: -weights[i])[: n - sum(shares)]:
        shares[i] += 1
    return shares


def _ram_budget(hw: HardwareReport, options: FitOptions) -> int:
    return max(0, hw.ram_available - options.ram_margin)


def _fits(split: _Split, hw: HardwareReport, options: FitOptions) -> bool:
    ram_needed = split.ram.total
    if hw.unified_memory:
        ram_needed += split.vram.total  # one pool: what the GPU holds is gone from RAM too
    return ram_needed <= _ram_budget(hw, options) and _vram_fits(split, hw, options)


def _vram_fits(split: _Split, hw: HardwareReport, options: FitOptions) -> bool:
    return all(used <= g.vram_free - options.gpu_margin for used, g in zip(split.per_gpu, hw.gpus, strict=True) if used)


def _place(shape: ModelShape, hw: HardwareReport, options: FitOptions) -> tuple[_Split, bool]:
    """The split to use: the requested one, or with auto the most GPU layers that fit. Returns (split, fits)."""
    gpus = hw.gpus
    if options.gpu_layers is not None:
        split = _split(shape, options, gpus, min(options.gpu_layers, shape.n_layers + 1))
        return split, _fits(split, hw, options)
    # VRAM use grows with every block offloaded and RAM use shrinks, so the answer is the most blocks whose VRAM fits,
    # found by bisection; below it RAM only gets tighter (except on unified memory, hence the scan further down).
    lo, hi = 0, shape.n_layers + 1 if gpus else 0
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if _vram_fits(_split(shape, options, gpus, mid), hw, options):
            lo = mid
        else:
            hi = mid - 1
    most = _split(shape, options, gpus, lo)
    for ngl in range(lo, -1, -1) if hw.unified_memory else (lo,):
        split = most if ngl == lo else _split(shape, options, gpus, ngl)
        if _fits(split, hw, options):
            return split, True
    return most, False  # the most the GPUs could take, to say what RAM is missing


def _placement(split: _Split, fits: bool, shape: ModelShape) -> Placement:
    if not fits:
        return Placement.DOES_NOT_FIT
    if split.gpu_layers == shape.n_layers and split.output_on_gpu:
        return Placement.FULL_GPU
    if split.gpu_layers > 0:
        return Placement.PARTIAL
    return Placement.CPU_ONLY


def estimate_speed(shape: ModelShape, hw: HardwareReport, gpu_layers: int, output_on_gpu: bool, *, context_tokens: int = 0,
                   kv_type: KvType = KvType.F16, flash_attention: bool = True) -> float:  # fmt: skip
    """Generation tokens/s: the time one token takes, summed over what it does, from the model's shape and this machine's
    measured figures.

    One token multiplies every active weight matrix by one vector and attends over the KV cache. On the CPU, when
    llama.cpp's own kernels were measured here (`hw.cpu_kernels`, hardware.kernels):

        t = sum over tensor types T of  block_bytes_T / rate_T(n_embd)   (the blocks on the CPU, by type; MoE: active share)
          + output_bytes / rate_(output type)(n_embd)                     (the output projection: 262k x 640 on Gemma 3)
          + layers x n_heads x cells x cost_attention(head size, group)   (flash attention, llama.cpp's default;
                                                                            sliding-window layers: cells within it)
          + per_token + layers x per_layer + n_vocab x per_entry            (the graph's other nodes, sampling)

    rate_T is llama.cpp's matrix-vector speed for type T (bytes of weights per second, with its repacked layouts where it
    uses them): memory and arithmetic together, as they bind on this machine for that type. For the blocks it is the rate
    of a chain of layer-like products as wide as the model ("T@512"; one large matrix stands for 2048 and wider; between
    them interpolated in log(width)); for the output, one large matrix with rows as wide as the model ("T/512" and "T",
    interpolated the same way). A type that was not measured takes the slowest
    measured rate. Flash attention costs per query head and cell (measured over caches read from RAM for heads of 64, 128
    and 256 dims, linear between them, and for 1 and 4 query heads per KV head: cost = a + b / group, see
    _flash_attention_cost). `cells` is what llama.cpp attends over: the `context_tokens` already in the cache, padded
    to 256 (so 256 at an empty context). Without flash attention, or without its rate, K.q and V.softmax are matrix-vector
    products that stream each layer's KV cache once per KV head (the KV type's rate) and again from the CPU's cache for
    the other query heads of a group ("F16/cache"...). per_token, per_layer and per_entry were measured by generating
    with two synthetic models of negligible width and different depths (hardware.decode_costs): the norms, rope, copies
    into the KV cache and the threads' barrier after every node, the graph's build, and sampling. No factor is fitted to
    a model; not modelled: llama-server's own work per token (its loop, streaming the token out).

    Without kernel rates, the CPU streams the bytes at `CPU_EFFICIENCY` x the memory bandwidth (the older, rougher
    estimate). On a GPU, every token reads its bytes at `GPU_EFFICIENCY` x the GPU's memory bandwidth (no GPU here to
    measure). The two sides run one after the other, so their times add up. 0 when a side's figure is unknown.
    """
    active = shape.active_fraction
    cpu_layers = shape.n_layers - gpu_layers
    gpu_bytes = gpu_layers * shape.layer_bytes * active + (shape.output_bytes if output_on_gpu else 0)
    seconds = 0.0
    if gpu_bytes:
        gpu_bw = min((g.bandwidth for g in hw.gpus), default=0.0) * GPU_EFFICIENCY
        if not gpu_bw:
            return 0.0
        seconds += gpu_bytes / gpu_bw
    if cpu_layers or not output_on_gpu:
        cpu = _cpu_seconds(shape, hw, cpu_layers, output_on_gpu, context_tokens=context_tokens, kv_type=kv_type,
                           flash_attention=flash_attention)  # fmt: skip
        if not cpu:
            return 0.0
        seconds += cpu
    return 1.0 / seconds if seconds else 0.0


KV_PAD = 256
"""llama.cpp attends over the used KV cells rounded up to a multiple of 256."""


def _cpu_seconds(shape: ModelShape, hw: HardwareReport, layers: int, output_on_gpu: bool, *, context_tokens: int,
                 kv_type: KvType, flash_attention: bool) -> float:  # fmt: skip
    """Seconds per token of the CPU's share (see estimate_speed); 0 when neither kernels nor bandwidth were measured."""
    block = layers * shape.layer_bytes * shape.active_fraction
    out = 0 if output_on_gpu else shape.output_bytes
    rates = {t: r for t, r in hw.cpu_kernels if r > 0}
    slowest = min((r for t, r in rates.items() if "/" not in t and "@" not in t), default=0.0)
    if not slowest:
        bw = hw.cpu_bandwidth * CPU_EFFICIENCY
        return (block + out) / bw if bw else 0.0

    def rate(type_name: str) -> float:
        return rates.get(type_name) or slowest

    seconds = sum(block * share / _width_rate(rates, t, "@", shape.n_embd, rate(t)) for t, share in shape.block_type_shares())
    output = shape.output_tensor_type
    seconds += out / _width_rate(rates, output, "/", shape.n_embd, rate(output)) if out else 0.0
    # What a token costs besides (hardware.decode_costs): its graph's other nodes and their barriers, per layer and per
    # token, and sampling over the vocabulary.
    seconds += rates.get("overhead/token", 0.0) + layers * rates.get("overhead/layer", 0.0) + \
        shape.n_vocab * rates.get("overhead/vocab", 0.0)  # fmt: skip
    cells = _pad(max(context_tokens, 1), KV_PAD)
    group = shape.n_heads / max(shape.n_kv_heads, 1)
    attention = _flash_attention_cost(rates, (shape.head_dim_k + shape.head_dim_v) / 2, group) if flash_attention else 0
    if attention:
        # llama.cpp's CPU flash attention walks the cells one by one for every query head: a cost per head and cell
        # (measured: hardware.kernels "attention/D/G"), with the KV heads' bytes read from RAM shared by their groups.
        # Sliding-window layers skip the masked cells outside their window at next to no cost.
        swa = min(shape.n_swa_layers, layers) if shape.swa_window else 0
        attended = (layers - swa) * cells + swa * min(cells, shape.swa_window)
        return seconds + shape.n_heads * attended * attention
    # Without it every query head multiplies the K and V of every cell. Grouped-query heads share them, so the cache is
    # streamed from RAM once per KV head and then multiplied from the CPU's cache by the other heads.
    per_head = layers * cells * (shape.head_dim_k + shape.head_dim_v) * kv_type.bytes_per_element
    kv = kv_type.ggml_type
    streamed = rate(kv)
    cached = rates.get(f"{kv}/cache") or streamed
    return seconds + per_head * (shape.n_kv_heads / streamed + (shape.n_heads - shape.n_kv_heads) / cached)


def _flash_attention_cost(rates: dict[str, float], dim: float, group: float) -> float:
    """Seconds per query head and cell of flash attention for heads of `dim` and `group` query heads per KV head; 0 when
    not measured.

    Measured ("attention/D/G", hardware.kernels) for two groupings over caches read from RAM; what one query head and cell
    costs is a part of its own (the dot product, the exp, the scaled add) and the KV head's bytes shared by its group:
    cost(G) = a + b / G, solved from the two groupings. Between head sizes linear in the size, held beyond them."""
    by_group: dict[int, list[tuple[int, float]]] = {}
    for key, r in rates.items():
        name, _, rest = key.partition("/")
        d, _, g = rest.partition("/")
        if name == "attention" and d.isdigit() and g.isdigit() and int(g) > 0:
            by_group.setdefault(int(g), []).append((int(d), r))
    costs = sorted((g, 1 / rate) for g, points in by_group.items() if (rate := _interpolate(sorted(points), dim, log=False)))
    if not costs:
        return 0.0
    if len(costs) == 1:
        return costs[0][1]
    (g0, c0), (g1, c1) = costs[0], costs[-1]
    shared = max(0.0, (c0 - c1) / (1 / g0 - 1 / g1))  # per KV head and cell
    own = max(0.0, c1 - shared / g1)
    return own + shared / max(group, 1.0)


def _interpolate(points: list[tuple[int, float]], x: float, *, log: bool) -> float:
    """The measured value at `x` from sorted (x, value) points, linear in x or log(x), held beyond the ends; 0 if none."""
    if not points or x <= 0:
        return 0.0
    if x <= points[0][0]:
        return points[0][1]
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        if x <= x1:
            f = math.log(x / x0) / math.log(x1 / x0) if log else (x - x0) / (x1 - x0)
            return y0 + f * (y1 - y0)
    return points[-1][1]


def _width_rate(rates: dict[str, float], type_name: str, sep: str, width: int, default: float) -> float:
    """Type T's rate at a model's width: the large matrix at ROW's width and what was measured at others ("T@W" chains of
    layer-like products, "T/W" one matrix of rows of W: hardware.kernels), interpolated in log(width), held beyond the
    widths measured; `default` when none was measured."""
    points = {ROW: rates[type_name]} if type_name in rates else {}
    for key, r in rates.items():
        t, s, w = key.partition(sep)
        if t == type_name and s and w.isdigit() and int(w) > 0:
            points[int(w)] = r
    return _interpolate(sorted(points.items()), width, log=True) or default


def fit(shape: ModelShape, hw: HardwareReport, options: FitOptions | None = None) -> FitReport:
    """Where the model goes on this machine with these options, and what it costs."""
    options = options or FitOptions()
    gpus, unusable = usable(hw.gpus, hw.llama_backends)
    hw = replace(hw, gpus=gpus)  # a GPU this build of llama.cpp cannot drive holds nothing
    split, fits = _place(shape, hw, options)
    placement = _placement(split, fits, shape)
    max_ctx = _max_context(shape, hw, options, placement)
    speed = estimate_speed(shape, hw, split.gpu_layers, split.output_on_gpu, kv_type=options.kv_type,
                           flash_attention=options.flash_attention) if fits else 0.0  # fmt: skip
    notes = _notes(shape, hw, options)
    if unusable:
        notes = (cannot_use(unusable, hw.llama_backends or ()), *notes)
    return FitReport(
        shape=shape,
        options=options,
        placement=placement,
        gpu_layers=split.gpu_layers,
        output_on_gpu=split.output_on_gpu,
        ram=split.ram,
        vram=split.vram,
        ram_budget=_ram_budget(hw, options),
        vram_budget=sum(max(0, g.vram_free - options.gpu_margin) for g in hw.gpus),
        compute_reserved=0 if placement is Placement.FULL_GPU else compute_reserved(shape, options),
        ram_resident=split.ram.total + _repacked_on_cpu(shape, hw, split.gpu_layers),
        max_context=max_ctx,
        tokens_per_s=speed if fits else 0.0,
        why=_reason(shape, hw, options, split, placement, max_ctx),
        note_messages=notes,
    )


def _repacked_on_cpu(shape: ModelShape, hw: HardwareReport, gpu_layers: int) -> int:
    if not hw.cpu.flags & {"avx2", "neon"}:
        return 0
    return round(shape.repack_bytes * (shape.n_layers - gpu_layers) / shape.n_layers)


def _max_context(shape: ModelShape, hw: HardwareReport, options: FitOptions, placement: Placement) -> int:
    """Binary search: memory grows with the context, so the largest context keeping the placement is a boundary."""

    def ok(ctx: int) -> bool:
        split, fits = _place(shape, hw, replace(options, context=ctx))
        p = _placement(split, fits, shape)
        if placement is Placement.DOES_NOT_FIT:
            return fits
        return p.rank <= placement.rank

    lo, hi = MIN_CONTEXT, max(shape.context_train, MIN_CONTEXT)
    if not ok(lo):
        return 0
    if ok(hi):
        return hi
    while hi - lo > 256:
        mid = (lo + hi) // 2
        if ok(mid):
            lo = mid
        else:
            hi = mid
    return lo // 256 * 256 if lo >= 512 else lo


def _reason(
    shape: ModelShape, hw: HardwareReport, options: FitOptions, split: _Split, placement: Placement, max_ctx: int
) -> tuple[Message, ...]:
    layers = Number(shape.n_layers)
    if placement is Placement.FULL_GPU:
        return (Message("All {layers} layers and the output fit in {vram_free} of free VRAM.", layers=layers,
                        vram_free=Size(hw.vram_free)),)  # fmt: skip
    if placement is Placement.PARTIAL:
        return (Message("{gpu_layers} of {layers} layers fit in VRAM (keeping {margin} free per GPU); the rest runs on "
                        "the CPU, which is slower.", gpu_layers=Number(split.gpu_layers), layers=layers,
                        margin=Size(options.gpu_margin)),)  # fmt: skip
    if placement is Placement.CPU_ONLY:
        if options.gpu_layers == 0:
            return (Message("Runs on the CPU from RAM (GPU offload is off)."),)
        if not hw.gpus:
            return (Message("Runs on the CPU from RAM (no GPU was found)."),)
        return (Message("Runs on the CPU from RAM (not even one layer fits in VRAM)."),)
    more = (Message(" At most {max_context} tokens of context would fit.", max_context=Number(max_ctx)) if max_ctx
            else Message(" It does not fit at any context."))  # fmt: skip
    if options.gpu_layers is not None and split.gpu_layers and split.per_gpu:
        return (Message("{gpu_layers} layers do not fit in VRAM ({needed} needed on one GPU).",
                        gpu_layers=Number(split.gpu_layers), needed=Size(max(split.per_gpu))), more)  # fmt: skip
    return (Message("Needs {need} of RAM beyond what the GPU holds, {have} available.", need=Size(split.ram.total),
                    have=Size(_ram_budget(hw, options))), more)  # fmt: skip


def _notes(shape: ModelShape, hw: HardwareReport, options: FitOptions) -> tuple[Message, ...]:
    notes = []
    if options.context > shape.context_train:
        notes.append(Message("The context exceeds the model's training context ({context}); quality will drop.",
                             context=Number(shape.context_train)))  # fmt: skip
    if options.kv_type.quantized and not options.flash_attention:
        notes.append(Message("llama.cpp needs flash attention for a quantized V cache; turn it on."))
    if not hw.cpu_bandwidth and not hw.cpu_kernels and not hw.gpus:
        notes.append(Message("Speed unknown until the memory bandwidth is measured."))
    return tuple(notes)
