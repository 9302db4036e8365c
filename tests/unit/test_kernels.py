"""llama.cpp's kernel speeds: measured through the binding's ggml libraries, cached per machine, build and threads."""

from __future__ import annotations

import itertools
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from hardware.kernels import cached_kernels, layer_shapes, measure_in_child, measure_kernels


def _ggml_lib_dir() -> Path:
    import llama_cpp  # the binding is a dependency of the app: its ggml is built from the runtime's sources

    return Path(llama_cpp.__file__).parent / "lib"


def test_ggml_multiplies_a_matrix_by_a_vector_at_a_plausible_rate_for_every_type_it_can_quantize() -> None:
    types = ("Q4_K", "Q6_K", "Q8_0", "F16")
    rates = measure_kernels(_ggml_lib_dir(), threads=1, types=(*types, "NOT_A_TYPE"), matrix_bytes=1 << 20,
                            layers_bytes=1 << 20, passes=2, seconds_per_type=0.0, attention_bytes=1 << 20)  # fmt: skip
    # One large matrix, one of 512-wide rows and a chain of 512-wide layer-like products per type; the KV cache types a
    # second time from a matrix that stays in the cache; flash attention per head size and grouping.
    narrow = {f"{t}/512" for t in types}
    chains = {f"{t}@512" for t in types}
    attention = {f"attention/{d}/{g}" for d in (64, 128, 256) for g in (1, 4)}
    # And what a token costs besides, in seconds (hardware.decode_costs).
    costs = {"overhead/token", "overhead/layer", "overhead/vocab"}
    assert set(rates) == {*types, *narrow, *chains, "Q8_0/cache", "F16/cache", *attention, *costs}
    # Bytes of weights per second: more than a slow disk, less than any memory system streams into one core.
    assert all(1e7 < r < 1e12 for t, r in rates.items() if t not in attention | costs), rates
    # A layer's other nodes: more than 10 ns, less than 10 ms; sampling: less than a microsecond per vocabulary entry.
    assert 1e-8 < rates["overhead/layer"] < 1e-2 and 0 <= rates["overhead/token"] < 0.1, rates
    assert 0 < rates["overhead/vocab"] < 1e-6, rates
    # Query heads x cells per second: one costs more than a nanosecond and less than a millisecond.
    assert all(1e3 < rates[t] < 1e9 for t in attention), rates


def test_the_app_measures_in_child_processes_the_kernels_and_the_costs_per_token_apart() -> None:
    rates = measure_in_child(_ggml_lib_dir(), threads=1, types=("Q8_0",))
    assert {"Q8_0", "Q8_0/512", "Q8_0@512", "attention/64/4", "overhead/layer", "overhead/vocab"} <= set(rates), rates
    assert not any(t.startswith(("Q4_K", "F16")) for t in rates), rates  # only the types asked for


def test_a_chain_of_layers_alternates_attention_sized_and_feed_forward_sized_products() -> None:
    shapes = layer_shapes(512, lambda k: k, 10 * (512 * 512 * 2 + 1536 * 512 + 512 * 1536))
    assert shapes[:4] == [(512, 512), (512, 512), (512, 1536), (1536, 512)] and len(shapes) == 40
    # Each product's output is the next one's input.
    assert all(a[1] == b[0] for a, b in itertools.pairwise(shapes))
    # Never less than one layer, however small the budget.
    assert layer_shapes(4096, lambda k: k, 1) == [(4096, 4096), (4096, 4096), (4096, 12288), (12288, 4096)]


class CountingMeasure:
    def __init__(self, rates: dict[str, float]) -> None:
        self.rates = rates
        self.calls = 0

    def __call__(self) -> dict[str, float]:
        self.calls += 1
        return dict(self.rates)


def test_the_rates_are_measured_once_per_machine_build_and_thread_count(tmp_path: Path) -> None:
    cache = tmp_path / "kernels.json"
    measure = CountingMeasure({"Q4_K": 7e9, "F16": 9e9})
    first = cached_kernels(cache, tmp_path, threads=2, measure=measure, key="box|ggml|2t", load=lambda: 0.1)
    again = cached_kernels(cache, tmp_path, threads=2, measure=measure, key="box|ggml|2t", load=lambda: 0.1)
    assert measure.calls == 1 and again == first
    assert first.rate("Q4_K") == 7e9 and first.rate("Q6_K") == 0.0 and first.threads == 2 and first.load == 0.1
    cached_kernels(cache, tmp_path, threads=4, measure=measure, key="box|ggml|4t")
    assert measure.calls == 2
    redo = cached_kernels(cache, tmp_path, threads=2, measure=CountingMeasure({"Q4_K": 8e9}), key="box|ggml|2t",
                          again=True, now=datetime(2026, 12, 6, tzinfo=timezone.utc))  # fmt: skip
    assert redo.rates == (("Q4_K", 8e9),) and redo.measured_at.year == 2026
    assert set(json.loads(cache.read_text())) == {"box|ggml|2t", "box|ggml|4t"}


@pytest.mark.parametrize("content", ["", "not json", "[]", '{"box|ggml|2t": {"rates": {"Q4_K": -1}}}',
                                     '{"box|ggml|2t": {"rates": "fast"}}'])  # fmt: skip
def test_a_missing_or_corrupt_entry_means_measuring_again(tmp_path: Path, content: str) -> None:
    cache = tmp_path / "kernels.json"
    cache.write_text(content)
    measure = CountingMeasure({"Q8_0": 5e9})
    assert cached_kernels(cache, tmp_path, threads=2, measure=measure, key="box|ggml|2t").rates == (("Q8_0", 5e9),)
    assert measure.calls == 1
