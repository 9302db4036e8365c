"""A model across machines (hardware.remote): llama.cpp's layer rule, the plan, the network cost."""

from __future__ import annotations

from dataclasses import replace

import pytest

from hardware.fit import FitOptions
from hardware.remote import (
    ASSUMED_BANDWIDTH,
    RemoteDevice,
    RemoteWorker,
    assign_layers,
    network_seconds,
    on_this_machine,
    plan_split,
)
from hardware.report import CpuInfo, GiB, HardwareReport
from hardware.shape import REPRESENTATIVE, ModelShape, shape_of

LLAMA_8B = shape_of(REPRESENTATIVE["8B"], "Q4_K_M")
OPTIONS = FitOptions(context=4096)


def _cpu_box(ram_gib: float) -> HardwareReport:
    ram = round(ram_gib * GiB)
    return HardwareReport("Linux", CpuInfo("cpu", 8, 8), ram, ram, (), cpu_bandwidth=40e9)


def _worker(port: int, gib: float, *, rtt_s: float = 0.001, limit_gib: float = 0) -> RemoteWorker:
    free = round(gib * GiB)
    return RemoteWorker("10.0.0.2", port, (RemoteDevice(free, free),), rtt_s=rtt_s, memory_limit=round(limit_gib * GiB))


def test_assign_layers_follows_llama_cpp_rule_for_whole_counts() -> None:
    # 10 blocks, 7 "layers" offloaded (6 blocks + output) split 3:4: blocks 0-3 here, 4-6 on device 0, 7-9 + output on 1.
    owner = assign_layers(10, 7, (3.0, 4.0))
    assert owner == [-1, -1, -1, -1, 0, 0, 0, 1, 1, 1, 1]
    assert assign_layers(4, 0, (1.0,)) == [-1] * 5
    # A device given 0 takes nothing, wherever it sits.
    assert assign_layers(4, 5, (0.0, 5.0, 0.0)) == [1] * 5


def test_everything_stays_here_when_it_fits() -> None:
    plan = plan_split(LLAMA_8B, _cpu_box(64), (_worker(50052, 16),), OPTIONS)
    assert plan.fits and plan.gpu_layers == 0 and plan.machines == 1
    assert plan.shares[0].layers == LLAMA_8B.n_layers and plan.network_s == 0


def test_a_model_too_big_for_here_fills_the_workers_in_order_and_fits_across_three_machines() -> None:
    # 8B Q4_K_M (~4.6 GiB) with 2 GiB here, 2 GiB on each of two workers: it needs all three.
    workers = (_worker(50052, 2.5), _worker(50053, 2.5))
    plan = plan_split(LLAMA_8B, _cpu_box(64), workers, OPTIONS, local_budget=2 * GiB)
    assert plan.fits, [(s.name, s.total, s.budget) for s in plan.shares]
    assert plan.machines == 3
    here, first, second = plan.shares
    assert here.layers + first.layers + second.layers == LLAMA_8B.n_layers
    assert second.output and not first.output and not here.output
    assert plan.tensor_split == (first.layers, second.layers + 1)
    assert plan.gpu_layers == first.layers + second.layers + 1
    assert all(s.total <= s.budget for s in plan.shares)
    # What llama.cpp will do with these arguments is what the plan says.
    owner = assign_layers(LLAMA_8B.n_layers, plan.gpu_layers, tuple(float(n) for n in plan.tensor_split))
    assert owner.count(-1) == here.layers and owner.count(0) == first.layers and owner.count(1) == second.layers + 1


def test_the_memory_limit_of_a_worker_caps_what_it_takes() -> None:
    big = (_worker(50052, 64, limit_gib=1), _worker(50053, 64, limit_gib=1))
    plan = plan_split(LLAMA_8B, _cpu_box(64), big, OPTIONS, local_budget=1 * GiB)
    assert not plan.fits
    short = [s for s in plan.shares if not s.fits]
    assert short and short[-1].budget == 1 * GiB


def test_network_cost_is_one_round_trip_and_hidden_state_per_hop_plus_the_way_back() -> None:
    shape: ModelShape = replace(LLAMA_8B, n_embd=4096)
    a, b = _worker(1, 8, rtt_s=0.002), _worker(2, 8, rtt_s=0.003)
    two_hops = network_seconds(shape, [(a, 10, False), (b, 10, False)])
    # Two round trips, and at least the hidden state three times (here -> a -> b -> here) at the assumed bandwidth.
    assert two_hops > 0.005 + 3 * 4096 * 4 / ASSUMED_BANDWIDTH
    assert network_seconds(shape, [(a, 10, False), (b, 0, False)]) < two_hops  # a worker holding nothing is no hop
    # The last worker computing the output sends the logits back: a large vocabulary costs more than the hidden state.
    assert network_seconds(shape, [(a, 10, True)]) > network_seconds(shape, [(a, 10, False)])


def test_split_speed_is_slower_than_local_by_the_network_time() -> None:
    hw = replace(_cpu_box(64), cpu_kernels=(("Q4_K", 10e9), ("Q6_K", 8e9)))
    local = plan_split(LLAMA_8B, hw, (), OPTIONS)
    far = plan_split(LLAMA_8B, hw, (_worker(50052, 8, rtt_s=0.01),), OPTIONS, local_budget=2 * GiB)
    assert local.tokens_per_s > 0 and far.fits
    assert 1 / far.tokens_per_s - 1 / local.tokens_per_s == pytest.approx(far.network_s)
    assert far.network_s >= 0.01


def test_worker_device_budgets_share_the_limit_in_order() -> None:
    w = RemoteWorker("h", 1, (RemoteDevice(3 * GiB, 4 * GiB), RemoteDevice(3 * GiB, 4 * GiB)), memory_limit=4 * GiB)
    assert w.device_budgets() == (3 * GiB, 1 * GiB)
    assert RemoteWorker("::1", 5, ()).endpoint == "[::1]:5"
    assert _worker(7, 1).device_budgets() == (1 * GiB,)


def test_workers_on_this_machine_count_its_memory_once() -> None:
    """Two workers on 127.0.0.1 reporting this machine's RAM (llama.cpp's CPU device): without --mem they add nothing
    (their free memory is what this machine already counts); with it, what they offer comes out of this machine's."""
    box = _cpu_box(5)  # 8B Q4_K_M with its cache needs ~5.5 GiB: it does not fit here
    mine = RemoteDevice(box.ram_total, box.ram_total)
    local = (RemoteWorker("127.0.0.1", 50061, (mine,)), RemoteWorker("localhost", 50062, (mine,)))
    assert all(on_this_machine(w, box) for w in local)
    assert not on_this_machine(_worker(50052, 6), box)  # elsewhere, whatever its memory
    assert not on_this_machine(RemoteWorker("127.0.0.1", 50063, (RemoteDevice(1, 7 * GiB),)), box)  # a tunnel
    plan = plan_split(LLAMA_8B, box, local, OPTIONS)
    assert not plan.fits and [s.budget for s in plan.shares[1:]] == [0, 0]
    here_alone = plan_split(LLAMA_8B, box, (), OPTIONS).shares[0].budget
    offered = tuple(replace(w, memory_limit=1 * GiB) for w in local)
    shared = plan_split(LLAMA_8B, box, offered, OPTIONS)
    assert [s.budget for s in shared.shares[1:]] == [GiB, GiB] and shared.shares[0].budget == here_alone - 2 * GiB
    # Elsewhere, the same workers add their memory.
    assert plan_split(LLAMA_8B, box, (_worker(50052, 6), _worker(50053, 6)), OPTIONS).fits
