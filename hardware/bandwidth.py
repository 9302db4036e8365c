"""Measure how fast the CPU cores can read RAM, the figure that bounds CPU token generation, and cache it per machine.

Token generation streams every weight once per token, so tokens/s ~ bandwidth / model bytes. The measurement reads a buffer
much larger than any cache with one thread per physical core (numpy releases the GIL while it sums).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import psutil

from hardware.probe import cpu_info
from hardware.report import GiB, MiB

log = logging.getLogger(__name__)

DEFAULT_BUFFER_BYTES = 256 * MiB


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


def cached_bandwidth(cache_file: Path, *, measure: Callable[[], float] = measure_bandwidth, key: str | None = None) -> float:
    """The bandwidth measured earlier on this machine, or a fresh measurement stored in `cache_file`.

    A missing, unreadable or corrupt cache just means measuring again; failing to write it is logged, not raised.
    Errors from `measure` itself propagate.

    Args:
        cache_file: JSON file {machine_key: {"bytes_per_s": float, "measured_at": ISO time}}.
        measure: Called (without arguments) when there is no valid entry.
        key: The machine key; default `machine_key()`.
    """
    key = key if key is not None else machine_key()
    entries = _load(cache_file)
    entry = entries.get(key)
    if isinstance(entry, dict):
        value = entry.get("bytes_per_s")
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
            return float(value)
    value = float(measure())
    entries[key] = {"bytes_per_s": value, "measured_at": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    _save(cache_file, entries)
    return value


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
