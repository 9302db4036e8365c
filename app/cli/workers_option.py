"""`--worker HOST:PORT[/GiB]` for the commands that load a model (`chat`, `serve`): llama.cpp RPC workers
(`modelwerk worker` there) the model spreads over when it does not fit this machine, as Hardware → Other machines does
in the app. Each is probed first (an unreachable one is named, exit 1); a model that fits here never uses them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from app.cli import common as c

if TYPE_CHECKING:
    from app.chat.runtime import LoadOptions

__all__ = ["add_worker_argument", "with_cli_workers"]


def add_worker_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument("--worker", action="append", default=[], metavar="HOST:PORT[/GiB]",
                   help="a `modelwerk worker` the model may spread over when it does not fit here (repeat for more; "
                        "/GiB: the memory it offers, its --mem)")  # fmt: skip


def with_cli_workers(args: argparse.Namespace, path: Path, options: LoadOptions) -> LoadOptions:
    """`options` with the `--worker` machines when the model needs them; says on stderr which way it goes.

    Raises:
        UsageError: a --worker that is not HOST:PORT[/GiB].
        WorkerUnreachable: a worker that does not answer (named).
    """
    if not args.worker:
        return options
    from app.chat.runtime import fit_options
    from app.chat.workers import with_workers
    from app.machine import current_report
    from app.settings import SettingsError, parse_worker
    from core.errors import said
    from formats.gguf_info import inspect_gguf
    from hardware.fit import fit
    from hardware.remote import RemoteWorker
    from hardware.rpc_client import probe_worker

    workers = []
    for entry in args.worker:
        try:
            host, port, gib = parse_worker(entry)
        except SettingsError as e:
            raise c.UsageError(f"--worker: {said(e)}") from None
        probe = probe_worker(host, port)
        workers.append(RemoteWorker.of_probe(probe, memory_limit=round(gib * 2**30)))
    info, hw = inspect_gguf(path), current_report()
    out = with_workers(info, hw, options, tuple(workers))
    if out.workers:
        print(f"{path.name} does not fit here: spread over this machine and {len(out.workers)} worker(s)",
              file=sys.stderr)  # fmt: skip
    elif info.shape is not None and not fit(info.shape, hw, fit_options(options, options.parallel or 1)).fits:
        print(f"{path.name} fits neither here nor across this machine and the workers: loading it here",
              file=sys.stderr)  # fmt: skip
    else:
        print(f"{path.name} fits here: the workers are not used", file=sys.stderr)
    return out
