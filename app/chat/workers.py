"""A runtime across machines: the llama.cpp RPC workers (`modelwerk worker`) a model is spread over with `--rpc`.

llama.cpp does the distribution; this module checks the workers before llama-server starts (llama-server aborts on an
unreachable worker with a message that names none), turns hardware.remote's plan into llama-server's arguments, and
names the worker that went away when llama-server dies of it ("Remote RPC server crashed or returned malformed
response" is llama.cpp's abort when a worker stops answering mid-generation).
"""

from __future__ import annotations

import socket
from typing import TYPE_CHECKING

from app.chat.messages import ChatError
from core.messages import Message, Number

if TYPE_CHECKING:
    from app.chat.runtime import LoadOptions
    from formats.model import ModelInfo
    from hardware.remote import RemoteWorker
    from hardware.report import HardwareReport

__all__ = ["CONNECT_TIMEOUT_S", "LOST_MARKS", "SPIN_ENV", "WAIT_SPINS", "check_workers", "lost_message", "lost_workers",
           "spin_less", "with_workers", "worker_split"]

CONNECT_TIMEOUT_S = 1.0
ALL_LAYERS = 999
"""--n-gpu-layers for "every block and the output on the workers"."""
SPIN_ENV = "GOMP_SPINCOUNT"
WAIT_SPINS = "1000"
"""How many times llama.cpp's OpenMP threads spin for more work before they sleep, in a worker and in a llama-server
that has workers (llama.cpp is built with OpenMP; `--poll` does not reach it). libgomp's default, 300,000, keeps a
finished part's cores busy for milliseconds: a worker computes its layers, then waits while the others compute theirs,
and where processes share a machine (two workers and llama-server on one, as bench/rpc.py runs them) that spinning
takes the cores from the part being computed. Measured idle on 2 cores at 2 threads (7 December): split / local 0.62
with the default, 0.72 at 30,000, 0.81-0.84 at 3,000, 0.85 at 1,000; llama-server alone measured the same at 1,000 as
with the default (84.2 and 83.9 tok/s), so a worker on a machine of its own loses nothing. Not lower: OpenMP's sleeping
waits (OMP_WAIT_POLICY=PASSIVE) cost a futex wake at each of ggml's barriers, 82 -> 46 tok/s. A user's own
GOMP_SPINCOUNT wins."""
LOST_MARKS = ("Remote RPC server crashed", "Failed to connect to", "failed to connect")
"""What llama.cpp's log says when a worker is gone."""


def spin_less(env: dict[str, str]) -> dict[str, str]:
    """``env`` with llama.cpp's OpenMP threads spinning WAIT_SPINS times before they sleep, unless it sets its own."""
    return {SPIN_ENV: WAIT_SPINS, **env}


def check_workers(workers: tuple[RemoteWorker, ...], *, timeout_s: float = CONNECT_TIMEOUT_S) -> None:
    """Raises ChatError naming the first worker that does not accept a TCP connection within `timeout_s`."""
    for w in workers:
        try:
            with socket.create_connection((w.host, w.port), timeout=timeout_s):
                pass
        except OSError as e:
            raise ChatError(Message("the worker {endpoint} is unreachable ({reason}): start `modelwerk worker` there (and "
                                    "its SSH tunnel), or remove it on the Hardware page", endpoint=w.endpoint,
                                    reason=e.strerror or str(e))) from e  # fmt: skip


def worker_split(name: str, options: LoadOptions, info: ModelInfo | None, hw: HardwareReport | None,
                 slots: int) -> tuple[int, tuple[int, ...]]:  # fmt: skip
    """(--n-gpu-layers, --tensor-split) across the workers: the options' when given, else hardware.remote's plan;
    without the model's shape or this machine's figures, every layer on the workers split by their free memory
    (llama.cpp's default).

    Raises:
        ChatError: the model does not fit across this machine and the workers (which device lacks what).
    """
    from app.chat.runtime import fit_options
    from hardware.remote import plan_split

    layers = options.gpu_layers if options.gpu_layers is not None else ALL_LAYERS
    if options.tensor_split:
        return layers, options.tensor_split
    if info is None or info.shape is None or hw is None:
        return layers, ()
    plan = plan_split(info.shape, hw, options.workers, fit_options(options, slots), local_budget=options.local_memory)
    if not plan.fits:
        short = next(s for s in plan.shares if not s.fits)
        raise ChatError(Message.plural("{name} does not fit across this machine and %n worker: {device} would need "
                                       "{need} MiB and offers {offers} MiB; add a machine, or choose a smaller model or "
                                       "context", "{name} does not fit across this machine and %n workers: {device} would "
                                       "need {need} MiB and offers {offers} MiB; add a machine, or choose a smaller model "
                                       "or context", len(options.workers), name=name, device=short.name,
                                       need=Number(short.total / 2**20), offers=Number(short.budget / 2**20)))  # fmt: skip
    return plan.gpu_layers, plan.tensor_split


def lost_workers(workers: tuple[RemoteWorker, ...], log_lines: list[str]) -> list[str]:
    """The endpoints of the workers that no longer accept a connection, when llama.cpp's log says a worker broke off;
    [] otherwise (also when every worker still listens: then one of them dropped the connection)."""
    if not workers or not any(m in line for line in log_lines for m in LOST_MARKS):
        return []
    lost = []
    for w in workers:
        try:
            check_workers((w,))
        except ChatError:
            lost.append(w.endpoint)
    return lost


def lost_message(workers: tuple[RemoteWorker, ...], log_lines: list[str]) -> Message | None:
    """One line for a runtime that ended because of a worker, naming it; None when that was not why."""
    if not workers or not any(m in line for line in log_lines for m in LOST_MARKS):
        return None
    lost = lost_workers(workers, log_lines)
    if lost:
        return Message("the worker {names} stopped answering, and llama.cpp cannot continue without it: start "
                       "`modelwerk worker` there again, then reload the model", names=", ".join(lost))  # fmt: skip
    names = ", ".join(w.endpoint for w in workers)
    return Message("a worker ({names}) broke off the connection: it refused memory beyond what it offers (`--mem`) or "
                   "was restarted; give it more memory or use a smaller context, then reload the model",
                   names=names)  # fmt: skip


def with_workers(info: ModelInfo, hw: HardwareReport | None, options: LoadOptions,
                 workers: tuple[RemoteWorker, ...]) -> LoadOptions:  # fmt: skip
    """`options` with the workers when the model needs them: it does not fit here and fits across this machine and
    the workers; else `options` unchanged (a model that fits here never pays the network)."""
    from dataclasses import replace

    from app.chat.runtime import fit_options
    from hardware.fit import fit
    from hardware.remote import plan_split

    if not workers or options.workers or info.shape is None or hw is None:
        return options
    slots = options.parallel or 1
    if fit(info.shape, hw, fit_options(options, slots)).fits:
        return options
    if not plan_split(info.shape, hw, workers, fit_options(options, slots)).fits:
        return options
    return replace(options, workers=workers, parallel=slots)
