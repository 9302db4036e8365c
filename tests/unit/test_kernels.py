"""llama.cpp's kernel speeds: measured through the binding's ggml libraries, cached per machine, build and threads."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from hardware.kernels import cached_kernels, measure_kernels


def _ggml_lib_dir() -> Path:
    import llama_cpp  # the binding is a dependency of the app: its ggml is built from the runtime's sources

    return Path(llama_cpp.__file__).parent / "lib"


def test_ggml_multiplies_a_matrix_by_a_vector_at_a_plausible_rate_for_every_type_it_can_quantize() -> None:
    rates = measure_kernels(_ggml_lib_dir(), threads=1, types=("Q4_K", "Q6_K", "Q8_0", "F16", "NOT_A_TYPE"),
                            matrix_bytes=1 << 20, passes=2, seconds_per_type=0.0)  # fmt: skip
    # The KV cache types a second time from a matrix that stays in the cache (attention's small K and V).
    assert set(rates) == {"Q4_K", "Q6_K", "Q8_0", "F16", "Q8_0/cache", "F16/cache"}
    # Bytes of weights per second: more than a slow disk, less than any memory system streams into one core.
    assert all(1e7 < r < 1e12 for r in rates.values()), rates


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
