"""A model across machines: this machine's CPU plus llama.cpp RPC workers (`modelwerk worker` elsewhere).

llama.cpp does the distribution (`llama-server --rpc host:port,...`); this module only plans it the way llama.cpp lays
it out, so that the plan can be handed to llama-server and its memory and speed predicted:

- the token embedding always stays on this machine's CPU, with the first blocks that are not offloaded; the last
  `n_gpu_layers` "layers" (blocks, then the output projection as one more) go to the offload devices, which with
  workers are the workers' devices in `--rpc` order (llama.cpp puts RPC devices first) split by `--tensor-split`;
  llama.cpp gives layer j of the offloaded run to the first device whose cumulative split exceeds j/offloaded, so
  splits proportional to whole layer counts reproduce those counts exactly (`assign_layers` is that rule);
- the plan keeps as many blocks here as this machine's budget allows (no network cost for them), then fills the
  workers one after the other (each extra worker adds a hop per token); a worker's budget is the memory it offers.

Per token the activations cross from device to device: this machine -> first worker -> ... -> back here for the output
(or the last worker computes the output and the logits, n_vocab x f32, come back). Each crossing waits for one round trip
and the hidden state (n_embd x f32); each worker also receives its part of the compute graph (llama.cpp serializes
every tensor of the graph, `RPC_TENSOR_BYTES` each, ~`GRAPH_TENSORS_PER_LAYER` per block). The workers compute at this
machine's measured speed (the probe cannot tell a remote CPU's speed; a remote GPU is faster than that).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hardware.fit import FitOptions, _compute_resident, _cpu_seconds, _host_overhead, kv_cache_bytes
from hardware.report import HardwareReport, MiB
from hardware.shape import ModelShape

if TYPE_CHECKING:
    from hardware.rpc_client import WorkerProbe

__all__ = ["ASSUMED_BANDWIDTH", "DeviceShare", "RemoteDevice", "RemoteWorker", "SplitPlan", "assign_layers", "layer_bytes",
           "local_fixed", "network_seconds", "on_this_machine", "plan_split", "remote_compute", "split_as"]  # fmt: skip

ASSUMED_BANDWIDTH = 1e9 / 8 * 0.94
"""Bytes/s to a worker when its probe could not measure it (hardware.rpc_client: it could not allocate, or the link was
too slow for the probe's time): gigabit Ethernet's payload rate."""
RPC_TENSOR_BYTES = 296
"""sizeof(rpc_tensor) in ggml-rpc.cpp (protocol 7): id, type, buffer, ne[4], nb[4], op, op_params[16], flags, src[10],
view_src, view_offs, data, name[64], use_count."""
GRAPH_TENSORS_PER_LAYER = 40
"""Tensors of one transformer block in a decode graph (weights, norms, rope, attention, feed-forward and their views); a
Llama/Gemma block has 35-45."""
WORKER_OVERHEAD = 64 * MiB
"""A worker's own allocations besides the buffers llama.cpp asks it for."""


@dataclass(frozen=True)
class RemoteDevice:
    free: int
    total: int


@dataclass(frozen=True)
class RemoteWorker:
    """A worker the user added: where it is, what it offers, how far away it is."""

    host: str
    port: int
    devices: tuple[RemoteDevice, ...]
    rtt_s: float = 0.0
    bandwidth: float = 0.0
    """Bytes/s; 0 = not measured (ASSUMED_BANDWIDTH is used)."""
    memory_limit: int = 0
    """Bytes the user allows on it (`modelwerk worker --mem`); 0 = what its devices report free."""

    @classmethod
    def of_probe(cls, probe: WorkerProbe, *, memory_limit: int = 0) -> RemoteWorker:
        """The worker as `hardware.rpc_client.probe_worker` found it, offering `memory_limit` bytes (0: what it has)."""
        return cls(probe.host, probe.port, tuple(RemoteDevice(d.free, d.total) for d in probe.devices),
                   rtt_s=probe.rtt_s, bandwidth=probe.bandwidth, memory_limit=memory_limit)  # fmt: skip

    @property
    def endpoint(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"

    def device_budgets(self) -> tuple[int, ...]:
        """What each device may hold: its free memory, with the limit shared out in order."""
        left = self.memory_limit or sum(d.free for d in self.devices)
        budgets = []
        for d in self.devices:
            take = max(0, min(d.free, left))
            budgets.append(take)
            left -= take
        return tuple(budgets)


@dataclass(frozen=True)
class DeviceShare:
    """One device's part of the model."""

    name: str
    """ "CPU" (this machine) or llama.cpp's buffer name for a worker's device: "RPC<device>[<endpoint>]", e.g.
    "RPC0[127.0.0.1:50052]" (the device's index on that worker)."""
    layers: int
    output: bool
    weights: int
    kv_cache: int
    compute: int
    """llama.cpp's compute buffer on the device (here: the CPU's resident working set and the vocabulary)."""
    overhead: int
    """A worker's own needs beyond llama.cpp's buffers (0 here)."""
    budget: int

    @property
    def total(self) -> int:
        return self.weights + self.kv_cache + self.compute + self.overhead

    @property
    def fits(self) -> bool:
        return self.total <= self.budget


@dataclass(frozen=True)
class SplitPlan:
    shares: tuple[DeviceShare, ...]
    """This machine first, then every worker device in `--rpc` order (also those given nothing)."""
    gpu_layers: int
    """llama-server's --n-gpu-layers: the layers (blocks, output as one more) on the workers."""
    tensor_split: tuple[int, ...]
    """llama-server's --tensor-split: layers per worker device."""
    network_s: float
    """Seconds of network per generated token."""
    tokens_per_s: float
    """0 when this machine's speed figures are unknown or it does not fit."""

    @property
    def fits(self) -> bool:
        return all(s.fits for s in self.shares)

    @property
    def machines(self) -> int:
        """Machines that hold a part of the model (this one always holds the embedding)."""
        endpoints = {s.name.partition("[")[2] for s in self.shares[1:] if s.layers or s.output}
        return 1 + len(endpoints)


def assign_layers(n_layers: int, gpu_layers: int, split: tuple[float, ...]) -> list[int]:
    """llama.cpp's rule (llama-model.cpp, load_tensors): the device index of blocks 0..n_layers-1 and of the output
    (index n_layers); -1 = this machine's CPU."""
    offloaded = min(gpu_layers, n_layers + 1) if split else 0
    start = max(n_layers + 1 - gpu_layers, 0)
    total = sum(split)
    cumulative, running = [], 0.0
    for s in split:
        running += s
        cumulative.append(running / total if total else 0.0)
    out = []
    for il in range(n_layers + 1):
        if il < start or il - start >= offloaded:
            out.append(-1)
            continue
        x = (il - start) / offloaded
        out.append(next((i for i, c in enumerate(cumulative) if c > x), len(split) - 1))
    return out


def network_seconds(shape: ModelShape, worker_layers: list[tuple[RemoteWorker, int, bool]]) -> float:
    """Seconds of network per token for the workers in order, each with (blocks, holds the output)."""
    used = [(w, n, out) for w, n, out in worker_layers if n or out]
    if not used:
        return 0.0
    hidden = shape.n_embd * 4
    seconds = 0.0
    for w, n, out in used:
        bandwidth = w.bandwidth or ASSUMED_BANDWIDTH
        graph = (n * GRAPH_TENSORS_PER_LAYER + (4 if out else 0)) * RPC_TENSOR_BYTES
        back = shape.n_vocab * 4 if out else 0
        seconds += w.rtt_s + (hidden + graph + back) / bandwidth
    last = used[-1]
    if not last[2]:  # the hidden state comes back here for the output projection
        seconds += hidden / (last[0].bandwidth or ASSUMED_BANDWIDTH)
    return seconds


def remote_compute(shape: ModelShape, options: FitOptions) -> int:
    """A worker device's compute buffer, as llama.cpp reserves it for an offload device (a remote CPU allocates all of
    it, with flash attention as the runtime runs it): per token of a micro-batch, f32 activations at the feed-forward's
    peak (3 x n_ff: gate, up and their fused product; 6 x n_embd of the residual stream, its sums and norms; the
    attention's query heads where they are wider than the model, as on Gemma 3; about 80 bytes of positions and
    outputs), and 8 bytes per KV cell for each KQ mask (one, two with sliding-window layers). The output layer's logits
    are reserved for one output per sequence and stay within that peak.
    Checked against llama-server's report for two workers (7 December), MiB estimated / reported: Gemma 3 270M at 1024,
    2048 and 4096 tokens 29.54 / 29.57, 37.54 / 37.57, 53.54 / 53.57, at micro-batches of 256 14.77 / 14.79; SmolLM2 135M
    20.91 / 20.91, 24.91 / 24.91, 32.91 / 32.91, 10.46 / 10.46. Synthetic llamas of other widths: where n_ff = 2 x n_embd
    llama.cpp's allocator packs one n_embd tighter and the estimate is 8-11% over what it reports; never under.
    Without flash attention the attention's scores are held too: 4 bytes per head and 16 more per KV cell, measured as
    SmolLM2's and Gemma's growth with the context (52 and 48 bytes per cell against 8 and 16 with it); over by 2-5% on
    Gemma and 18-23% on SmolLM2 at 1k-4k tokens (its peak moves into the attention, below the feed-forward's), never
    under."""
    ub = min(options.n_ubatch, options.n_batch, options.context)
    f32 = 3 * shape.n_ff + 6 * shape.n_embd + max(shape.n_embd, shape.n_heads * shape.head_dim_k) + 20
    per_cell = 8 * (2 if shape.n_swa_layers else 1) + (0 if options.flash_attention else 4 * shape.n_heads + 16)
    return ub * (4 * f32 + per_cell * options.context)


def _worker_overhead(shape: ModelShape, output: bool) -> int:
    """What a worker needs besides llama.cpp's buffers: its own allocations, and the largest tensor in flight while
    loading (llama.cpp sends each tensor in one message, which the worker holds whole before copying it)."""
    return WORKER_OVERHEAD + (shape.output_bytes if output else shape.layer_bytes)


def local_fixed(shape: ModelShape, options: FitOptions) -> int:
    """What this machine holds whatever the split: the token embedding, its compute working set, the vocabulary."""
    return shape.embedding_bytes + _compute_resident(shape, options) + _host_overhead(shape)


def layer_bytes(shape: ModelShape, options: FitOptions) -> int:
    """One block's weights and KV cache."""
    return shape.layer_bytes + kv_cache_bytes(shape, options, 1)


def plan_split(shape: ModelShape, hw: HardwareReport, workers: tuple[RemoteWorker, ...], options: FitOptions | None = None,
               *, local_budget: int | None = None) -> SplitPlan:  # fmt: skip
    """Where the model goes across this machine's CPU and `workers`, and how fast it will generate.

    Args:
        local_budget: bytes this machine may hold (default: available RAM less the options' margin).
    """
    options = options or FitOptions()
    budget_here, devices = _budgets(hw, workers, options, local_budget)
    per_layer = layer_bytes(shape, options)
    here_fixed = local_fixed(shape, options)
    n = shape.n_layers
    # Everything here if it fits (the output too); else as many blocks here as fit, the rest and the output remote.
    if not devices or here_fixed + n * per_layer + (0 if shape.tied_embeddings else shape.output_bytes) <= budget_here:
        local_layers, counts = n, [0] * len(devices)
    else:
        local_layers = max(0, min(n, (budget_here - here_fixed) // per_layer)) if per_layer else n
        counts = _fill(shape, options, n - local_layers, [b for _, _, b in devices])
    return split_as(shape, hw, workers, options, tensor_split=tuple(counts), local_budget=budget_here)


def split_as(shape: ModelShape, hw: HardwareReport, workers: tuple[RemoteWorker, ...], options: FitOptions, *,
             tensor_split: tuple[int, ...], gpu_layers: int | None = None, local_budget: int | None = None
             ) -> SplitPlan:  # fmt: skip
    """The plan for a given `--tensor-split` (layers per worker device) and `--n-gpu-layers` (default: their sum)."""
    budget_here, devices = _budgets(hw, workers, options, local_budget)
    n = shape.n_layers
    counts = (tuple(tensor_split) + (0,) * len(devices))[: len(devices)]
    gpu_layers = sum(counts) if gpu_layers is None else min(gpu_layers, n + 1)
    owner = assign_layers(n, gpu_layers, tuple(float(c) for c in counts)) if gpu_layers else [-1] * (n + 1)
    shares = [_share(shape, options, "CPU", owner, -1, budget_here, here=True)]
    for d, (w, i, b) in enumerate(devices):
        shares.append(_share(shape, options, f"RPC{i}[{w.endpoint}]", owner, d, b, here=False))
    per_worker: dict[str, tuple[RemoteWorker, int, bool]] = {}
    for d, (w, _, _) in enumerate(devices):
        _, blocks, output = per_worker.get(w.endpoint, (w, 0, False))
        per_worker[w.endpoint] = (w, blocks + sum(1 for il in range(n) if owner[il] == d), output or owner[n] == d)
    network = network_seconds(shape, list(per_worker.values()))
    fits = all(s.fits for s in shares)
    compute = _cpu_seconds(shape, hw, n, False, context_tokens=0, kv_type=options.kv_type,
                           flash_attention=options.flash_attention) if fits else 0.0  # fmt: skip
    return SplitPlan(shares=tuple(shares), gpu_layers=gpu_layers, tensor_split=counts, network_s=network,
                     tokens_per_s=1.0 / (compute + network) if compute else 0.0)  # fmt: skip


def on_this_machine(worker: RemoteWorker, hw: HardwareReport) -> bool:
    """A worker that is evidently this machine: reached through the loopback, with one device whose total is exactly
    this machine's RAM (what `modelwerk worker` reports here: llama.cpp's CPU device). Its memory is this machine's.
    A tunnel to another machine with the very same RAM to the byte would be taken for this one: then it is counted
    once too few, never twice."""
    try:
        loopback = worker.host == "localhost" or ipaddress.ip_address(worker.host).is_loopback
    except ValueError:
        loopback = False
    return loopback and len(worker.devices) == 1 and worker.devices[0].total == hw.ram_total


def _budgets(hw: HardwareReport, workers: tuple[RemoteWorker, ...], options: FitOptions, local_budget: int | None
             ) -> tuple[int, list[tuple[RemoteWorker, int, int]]]:  # fmt: skip
    """This machine's budget and (worker, device index, budget) for each worker device. A worker on this machine
    (``on_this_machine``) offers only the memory it was given (`--mem`, entered when it was added; without it, nothing:
    its free memory is this machine's, already counted here), and what it offers comes out of this machine's budget
    unless `local_budget` says what this machine may hold."""
    devices = []
    shared = 0
    for w in workers:
        here = on_this_machine(w, hw)
        for i, b in enumerate(w.device_budgets()):
            if here:
                b = b if w.memory_limit else 0
                shared += b
            devices.append((w, i, b))
    if local_budget is None:
        local_budget = max(0, hw.ram_available - options.ram_margin - shared)
    return local_budget, devices


def _fill(shape: ModelShape, options: FitOptions, blocks: int, budgets: list[int]) -> list[int]:
    """Layers per worker device (llama.cpp's count: blocks, plus one for the output projection on the last device used),
    filling the devices in order; what none can take goes to the last one (the plan then says it does not fit)."""
    per_layer = max(1, layer_bytes(shape, options))
    counts = [0] * len(budgets)
    left = blocks
    for i, b in enumerate(budgets):
        fixed = remote_compute(shape, options)
        with_output = (b - _worker_overhead(shape, True) - shape.output_bytes - fixed) // per_layer
        if with_output >= left:
            counts[i] = left + 1
            return counts
        take = max(0, min(left, (b - _worker_overhead(shape, False) - fixed) // per_layer))
        counts[i] = int(take)
        left -= int(take)
    counts[-1] += left + 1
    return counts


def _share(shape: ModelShape, options: FitOptions, name: str, owner: list[int], device: int, budget: int, *,
           here: bool) -> DeviceShare:  # fmt: skip
    n = shape.n_layers
    layers = sum(1 for il in range(n) if owner[il] == device)
    output = owner[n] == device
    kv = kv_cache_bytes(shape, options, layers) if layers else 0
    weights = layers * shape.layer_bytes
    used = bool(layers or output)
    if here:
        weights += shape.embedding_bytes + (shape.output_bytes if output and not shape.tied_embeddings else 0)
        compute, overhead = _compute_resident(shape, options) + _host_overhead(shape), 0
    else:
        weights += shape.output_bytes if output else 0
        compute = remote_compute(shape, options) if used else 0
        overhead = _worker_overhead(shape, output) if used else 0
    return DeviceShare(name=name, layers=layers, output=output, weights=weights, kv_cache=kv, compute=compute,
                       overhead=overhead, budget=budget)  # fmt: skip
