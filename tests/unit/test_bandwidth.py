"""Memory bandwidth: a real short measurement, and the per-machine cache."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hardware.bandwidth import cached_bandwidth, machine_key, measure_bandwidth
from hardware.report import MiB


class CountingMeasure:
    def __init__(self, *values: float) -> None:
        self.values = list(values)
        self.calls = 0

    def __call__(self) -> float:
        self.calls += 1
        return self.values.pop(0)


def test_measure_bandwidth_is_positive() -> None:
    assert measure_bandwidth(seconds=0.05) > 0


def test_measure_bandwidth_with_a_small_buffer_and_one_thread() -> None:
    assert measure_bandwidth(seconds=0.0, threads=1, buffer_bytes=4 * MiB) > 0


def test_machine_key_is_stable_and_names_the_hardware() -> None:
    key = machine_key()
    assert key == machine_key()
    assert "GiB" in key and "c/" in key


def test_cache_measures_once_then_reuses(tmp_path: Path) -> None:
    cache = tmp_path / "cache" / "bandwidth.json"
    measure = CountingMeasure(20e9, 99e9)

    assert cached_bandwidth(cache, measure=measure, key="box") == 20e9
    assert cached_bandwidth(cache, measure=measure, key="box") == 20e9
    assert measure.calls == 1
    entry = json.loads(cache.read_text())["box"]
    assert entry["bytes_per_s"] == 20e9
    assert entry["measured_at"].startswith("20")


def test_cache_defaults_to_this_machines_key(tmp_path: Path) -> None:
    cache = tmp_path / "bandwidth.json"
    measure = CountingMeasure(7e9)
    assert cached_bandwidth(cache, measure=measure) == 7e9
    assert list(json.loads(cache.read_text())) == [machine_key()]
    assert cached_bandwidth(cache, measure=measure) == 7e9
    assert measure.calls == 1


def test_cache_remeasures_when_the_machine_changes(tmp_path: Path) -> None:
    cache = tmp_path / "bandwidth.json"
    measure = CountingMeasure(20e9, 30e9)

    assert cached_bandwidth(cache, measure=measure, key="old box") == 20e9
    assert cached_bandwidth(cache, measure=measure, key="new box") == 30e9
    assert measure.calls == 2
    assert set(json.loads(cache.read_text())) == {"old box", "new box"}


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b"\xff\xfe\x00garbage",
        b"[1, 2, 3]",
        b'{"box": 5}',
        b'{"box": {"bytes_per_s": "fast"}}',
        b'{"box": {"bytes_per_s": -1}}',
        b'{"box": {"bytes_per_s": true}}',
        b"",
    ],
)
def test_cache_remeasures_on_a_corrupt_file(tmp_path: Path, content: bytes) -> None:
    cache = tmp_path / "bandwidth.json"
    cache.write_bytes(content)
    measure = CountingMeasure(20e9)

    assert cached_bandwidth(cache, measure=measure, key="box") == 20e9
    assert measure.calls == 1
    assert json.loads(cache.read_text())["box"]["bytes_per_s"] == 20e9  # repaired


def test_cache_that_is_a_folder_does_not_raise(tmp_path: Path) -> None:
    cache = tmp_path / "bandwidth.json"
    cache.mkdir()
    measure = CountingMeasure(20e9, 21e9)
    assert cached_bandwidth(cache, measure=measure, key="box") == 20e9
    assert cached_bandwidth(cache, measure=measure, key="box") == 21e9  # could not be stored: measured again
    assert not list(tmp_path.glob("*.tmp"))
