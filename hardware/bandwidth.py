"""Measure how fast the CPU cores can read RAM, the figure that bounds CPU token generation, and cache it per machine.

Token generation streams every weight once per token, so tokens/s ~ bandwidth / model bytes. The measurement reads a buffer
much larger than any cache with one thread per physical core (numpy releases the GIL while it sums).

Other programs halve the figure easily (16.7 and 35.8 GB/s minutes apart here, a test suite running during the first), so a
measurement is several short runs of which the best counts, each cache entry keeps the machine's load while it was taken,
and a figure taken under load is measured again once the machine is idle (the better of the two is kept).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import psutil

from hardware.probe import cpu_info
from hardware.report import GiB, MiB

log = logging.getLogger(__name__)

DEFAULT_BUFFER_BYTES = 256 * MiB
BUSY_LOAD = 0.5
"""Load per core (the 1-minute load average / cores) above which a measurement counts as taken on a busy machine."""
IDLE_LOAD = 0.25
"""Load per core below which the machine counts as idle: a busy-time figure is measured again then."""
REMEASURE_AFTER = timedelta(minutes=10)
"""A busy-time figure is measured again at most this often."""


@dataclass(frozen=True)
class Bandwidth:
    """One cached measurement: bytes/s, when, and the load per core of the machine at the time (None: unknown)."""

    bytes_per_s: float
    measured_at: datetime
    load: float | None = None

    @property
    def busy(self) -> bool:
        """Measured while other programs kept the cores busy: probably low."""
        return self.load is not None and self.load > BUSY_LOAD

    def age(self, now: datetime | None = None) -> timedelta:
        return (now or datetime.now(timezone.utc)) - self.measured_at


def load_per_core() -> float | None:
    """The 1-minute load average per logical core, or None where the system has none (Windows)."""
    try:
        return os.getloadavg()[0] / (os.cpu_count() or 1)
    except (AttributeError, OSError):
        return None


def measure_best(*, runs: int = 3, seconds: float = 0.25, pause_s: float = 0.1,
                 measure: Callable[..., float] | None = None) -> float:  # fmt: skip
    """The best of `runs` short measurements with a pause between them (a busy moment spoils one run, not all)."""
    measure = measure or measure_bandwidth
    best = 0.0
    for i in range(runs):
        if i:
            time.sleep(pause_s)
        best = max(best, float(measure(seconds=seconds)))
    return best


def measure_bandwidth(*, seconds: float = 0.5, threads: int | None = None, buffer_bytes: int = DEFAULT_BUFFER_BYTES) -> float:
    """Read bandwidth in bytes/s: the best of several synchronized passes in which every thread sums its share of the buffer.

    Args:
        seconds: About how long to keep measuring after the buffer is allocated and warmed (at least one pass runs).
        threads: Reader threads; default one per physical core.
        buffer_bytes: Total buffer size; keep it well above the last-level cache.

    Raises:
        MemoryError: The buffer could not be allocated.
        RuntimeError: A reader thread failed.
    """
    import numpy as np  # only when measuring: the app should not pay for numpy at startup

    threads = max(1, threads or _physical_cores())
    elements = max(threads, buffer_bytes // 8)
    buffer = np.ones(elements, dtype=np.float64)  # writing it faults every page in before timing
    chunks = np.array_split(buffer, threads)
    for chunk in chunks:
        chunk.sum()  # warm: TLB, page tables, the sum's code path

    deadline = time.perf_counter() + seconds
    stop = threading.Event()

    def end_of_round() -> None:
        # Runs in exactly one thread while all wait, so every thread sees the same decision before the next round.
        if time.perf_counter() >= deadline:
            stop.set()

    barrier = threading.Barrier(threads, action=end_of_round)
    starts: list[list[float]] = [[] for _ in range(threads)]
    ends: list[list[float]] = [[] for _ in range(threads)]
    errors: list[BaseException] = []

    def reader(index: int) -> None:
        chunk = chunks[index]
        try:
            while True:
                starts[index].append(time.perf_counter())
                chunk.sum()
                ends[index].append(time.perf_counter())
                barrier.wait()
                if stop.is_set():
                    return
        except BaseException as exc:  # a broken barrier or MemoryError: report it instead of hanging the others
            errors.append(exc)
            barrier.abort()

    workers = [threading.Thread(target=reader, args=(i,), name=f"bandwidth-{i}", daemon=True) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    if errors:
        raise RuntimeError("bandwidth measurement failed") from errors[0]

    rounds = min(len(e) for e in ends)
    best = min(max(e[r] for e in ends) - min(s[r] for s in starts) for r in range(rounds))
    result = buffer.nbytes / best if best > 0 else 0.0
    log.debug("read bandwidth %.2f GB/s (%d threads, %d passes)", result / 1e9, threads, rounds)
    return float(result)


def _physical_cores() -> int:
    try:
        return int(psutil.cpu_count(logical=False) or os.cpu_count() or 1)
    except Exception:
        return os.cpu_count() or 1


def machine_key() -> str:
    """Identifies the hardware a measurement belongs to: CPU model, core counts and RAM (a RAM upgrade re-measures)."""
    cpu = cpu_info()
    try:
        ram_gib = round(psutil.virtual_memory().total / GiB)
    except Exception:
        ram_gib = 0
    return f"{cpu.model}|{cpu.physical_cores}c/{cpu.logical_cores}t|{ram_gib}GiB"


def cached_bandwidth(cache_file: Path, *, measure: Callable[[], float] = measure_best, key: str | None = None,
                     load: Callable[[], float | None] = load_per_core) -> float:  # fmt: skip
    """The bandwidth measured earlier on this machine, or a fresh measurement stored in `cache_file` (bytes/s)."""
    return cached_measurement(cache_file, measure=measure, key=key, load=load).bytes_per_s


def cached_measurement(cache_file: Path, *, measure: Callable[[], float] = measure_best, key: str | None = None,
                       load: Callable[[], float | None] = load_per_core, again: bool = False,
                       now: datetime | None = None) -> Bandwidth:  # fmt: skip
    """The cached measurement of this machine; measured (and stored) when there is none, when `again` is asked for, or
    when the cached one was taken on a busy machine that is idle now (at most every REMEASURE_AFTER; the better figure
    is kept, since load only ever lowers it).

    A missing, unreadable or corrupt cache just means measuring again; failing to write it is logged, not raised.
    Errors from `measure` itself propagate.

    Args:
        cache_file: JSON file {machine_key: {"bytes_per_s": float, "measured_at": ISO time, "load": float|null}}.
        measure: Called (without arguments) to measure.
        key: The machine key; default `machine_key()`.
        load: The machine's load per core now (None: unknown).
        again: Measure now and replace the entry (the user's "measure again").
    """
    key = key if key is not None else machine_key()
    now = now or datetime.now(timezone.utc)
    entries = _load(cache_file)
    cached = _entry(entries.get(key))
    if cached is not None and not again:
        if not (cached.busy and cached.age(now) >= REMEASURE_AFTER):
            return cached
        current = load()
        if current is None or current > IDLE_LOAD:
            return cached
    current = load()
    value = float(measure())
    best = value if again or cached is None else max(value, cached.bytes_per_s)
    fresh = Bandwidth(best, now, current)
    entries[key] = {"bytes_per_s": fresh.bytes_per_s, "measured_at": fresh.measured_at.isoformat(timespec="seconds"),
                    "load": None if fresh.load is None else round(fresh.load, 3)}  # fmt: skip
    _save(cache_file, entries)
    return fresh


def _entry(entry: object) -> Bandwidth | None:
    if not isinstance(entry, dict):
        return None
    value, when, load = entry.get("bytes_per_s"), entry.get("measured_at"), entry.get("load")
    if not isinstance(value, (int, float)) or isinstance(value, bool) or value <= 0:
        return None
    try:
        measured_at = datetime.fromisoformat(when) if isinstance(when, str) else None
    except ValueError:
        measured_at = None
    if measured_at is None or measured_at.tzinfo is None:
        measured_at = datetime(1970, 1, 1, tzinfo=timezone.utc)  # unknown: as old as can be
    if not isinstance(load, (int, float)) or isinstance(load, bool) or load < 0:
        load = None
    return Bandwidth(float(value), measured_at, None if load is None else float(load))


def _load(cache_file: Path) -> dict[str, Any]:
    try:
        data = json.loads(cache_file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        log.debug("ignoring bandwidth cache %s: %s", cache_file, exc)
        return {}
    return data if isinstance(data, dict) else {}


def _save(cache_file: Path, entries: dict[str, Any]) -> None:
    tmp = cache_file.with_name(cache_file.name + ".tmp")
    try:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(entries, indent=2, sort_keys=True), encoding="utf-8")
        os.replace(tmp, cache_file)
    except OSError as exc:
        log.warning("could not save bandwidth cache %s: %s", cache_file, exc)
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
