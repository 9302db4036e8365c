"""Memory bandwidth: a real short measurement, and the per-machine cache."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from hardware.bandwidth import cached_bandwidth, cached_measurement, machine_key, measure_bandwidth, measure_best
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


def _at(minutes_ago: float) -> datetime:
    return datetime.now(timezone.utc) - timedelta(minutes=minutes_ago)


def test_a_figure_measured_on_a_busy_machine_is_measured_again_once_it_is_idle(tmp_path: Path) -> None:
    cache = tmp_path / "bandwidth.json"
    busy, idle = (lambda: 1.8), (lambda: 0.05)
    first = cached_measurement(cache, measure=CountingMeasure(16.7e9), key="box", load=busy, now=_at(30))
    assert first.busy and first.bytes_per_s == 16.7e9

    # Still busy: the busy figure stays (measuring now would give the same low figure).
    again_busy = CountingMeasure(17e9)
    assert cached_measurement(cache, measure=again_busy, key="box", load=busy).bytes_per_s == 16.7e9
    assert again_busy.calls == 0

    # Idle now: measured again, the better figure kept, and no longer marked busy.
    idle_measure = CountingMeasure(35.8e9)
    after = cached_measurement(cache, measure=idle_measure, key="box", load=idle)
    assert idle_measure.calls == 1 and after.bytes_per_s == 35.8e9 and not after.busy
    assert after.age() < timedelta(minutes=1)
    assert cached_bandwidth(cache, measure=CountingMeasure(1e9), key="box", load=idle) == 35.8e9


def test_a_busy_figure_is_not_measured_again_within_minutes(tmp_path: Path) -> None:
    cache = tmp_path / "bandwidth.json"
    cached_measurement(cache, measure=CountingMeasure(16.7e9), key="box", load=lambda: 1.8, now=_at(2))
    measure = CountingMeasure(35e9)
    assert cached_measurement(cache, measure=measure, key="box", load=lambda: 0.0).bytes_per_s == 16.7e9
    assert measure.calls == 0


def test_measuring_again_on_request_replaces_the_figure_even_when_lower(tmp_path: Path) -> None:
    cache = tmp_path / "bandwidth.json"
    cached_measurement(cache, measure=CountingMeasure(35e9), key="box", load=lambda: 0.0)
    redo = cached_measurement(cache, measure=CountingMeasure(30e9), key="box", load=lambda: 0.1, again=True)
    assert redo.bytes_per_s == 30e9 and json.loads(cache.read_text())["box"]["load"] == 0.1


def test_an_entry_of_an_older_version_without_load_is_kept(tmp_path: Path) -> None:
    cache = tmp_path / "bandwidth.json"
    cache.write_text(json.dumps({"box": {"bytes_per_s": 20e9, "measured_at": "2026-01-01T00:00:00+00:00"}}))
    measure = CountingMeasure(99e9)
    entry = cached_measurement(cache, measure=measure, key="box", load=lambda: 0.0)
    assert (entry.bytes_per_s, entry.load, measure.calls) == (20e9, None, 0)
    assert entry.measured_at == datetime(2026, 1, 1, tzinfo=timezone.utc)


def test_the_best_of_several_short_runs_counts() -> None:
    figures = iter([10e9, 30e9, 20e9])
    assert measure_best(runs=3, pause_s=0, measure=lambda seconds: next(figures)) == 30e9
