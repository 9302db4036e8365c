"""`modelwerk pull`: download a model from Hugging Face into the library, resumably, through the download queue.

The download is a row of the same persistent queue the GUI uses, so a pull that was interrupted (Ctrl-C, a kill, a crash)
continues from its ``.incomplete`` files in the next ``pull`` of the same file, or in the GUI's Downloads panel.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from app.cli import common as c
from app.hub.errors import FileNotOnHub, HubError
from app.hub.files import FileGroup, FileKind, find_quant

if TYPE_CHECKING:
    from app.hub.client import HubClient

INTERRUPTED = 130
REDRAW_S = 0.25


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> dict[str, Callable[[argparse.Namespace], int]]:
    """Add the subcommand; returns name -> handler."""
    p = sub.add_parser("pull", help="download a model from Hugging Face into the library (resumable)")
    p.add_argument("repo", metavar="REPO", help="repository, e.g. bartowski/Qwen2.5-7B-Instruct-GGUF")
    which = p.add_mutually_exclusive_group()
    which.add_argument("--file", metavar="NAME", help="a file (or a split set's first part, or its listed name)")
    which.add_argument("--quant", metavar="Q", help="the quantization to get, e.g. Q4_K_M")
    p.add_argument("--revision", default="main", help="branch or commit (default main)")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    return {"pull": _cmd_pull}


def _cmd_pull(args: argparse.Namespace) -> int:
    from app.hub.downloads import DownloadState
    from app.workbench import Workbench

    with Workbench() as workbench:
        client = workbench.hub
        details = client.repo(args.repo, revision=args.revision)
        group = choose_group(details.groups, repo_id=args.repo, file=args.file, quant=args.quant,
                             best=lambda gs: _best(client, args.repo, gs))  # fmt: skip
        if group.kind is FileKind.SAFETENSORS and not (args.file or args.quant):
            print(f"{args.repo} has no GGUF file: downloading its safetensors model ({c.size(group.size)}) — convert "
                  f"and quantize it with `modelwerk recipe {args.repo}`", file=sys.stderr)  # fmt: skip
        queue = workbench.downloads  # it registers the finished download in the Library (the workbench's registrar)
        bar = _Bar(group.name)
        try:
            d = queue.add(args.repo, group)
            queue.start(only=[d.id])
            while d.state not in (DownloadState.DONE, DownloadState.FAILED, DownloadState.CANCELLED, DownloadState.PAUSED):
                d = queue.wait(d.id, timeout_s=REDRAW_S)
                bar.show(d.done_bytes, d.total_bytes, d.speed_bps, d.eta_s)
        except KeyboardInterrupt:
            queue.close()
            bar.end()
            print(f"modelwerk pull: interrupted; run the same command again to resume {c.safe(group.name)}", file=sys.stderr)
            return INTERRUPTED
        finally:
            queue.close()
            bar.end()
        if d.state is not DownloadState.DONE or d.model_id is None:
            why = {DownloadState.PAUSED: "paused (in another Modelwerk window): resume it there, or run pull again",
                   DownloadState.CANCELLED: "cancelled"}.get(d.state, d.error or d.state.value)  # fmt: skip
            print(f"modelwerk pull: {why}", file=sys.stderr)
            return 1
        entry = workbench.catalog.get(d.model_id)
    if args.json:
        c.print_json({"repo_id": args.repo, "revision": group.revision, "file": group.name, "quant": group.quant,
                      "download_id": d.id, "model_id": entry.id, "name": entry.name, "path": entry.path,
                      "size_bytes": entry.size_bytes})  # fmt: skip
    else:
        print(f"downloaded {c.safe(entry.name)} from {args.repo}: library id {entry.id} ({c.safe(entry.path)})")
    return 0


def choose_group(
    groups: Sequence[FileGroup],
    *,
    repo_id: str,
    file: str | None,
    quant: str | None,
    best: Callable[[list[FileGroup]], FileGroup],
) -> FileGroup:
    """The group named by ``--file`` or ``--quant``, else ``best`` of the complete GGUF language models, else the
    safetensors original (a repository with no GGUF: ``modelwerk recipe`` converts and quantizes it).

    Raises:
        FileNotOnHub: nothing matches; the message lists what there is.
    """
    if file:
        wanted = file.strip("/")
        for g in groups:
            if g.name == wanted or any(f.path == wanted or PurePosixPath(f.path).name == wanted for f in g.files):
                return _complete(g)
        raise FileNotOnHub(f"{repo_id} has no file {file}; it has: {_listing(groups)}")
    if quant:
        found = find_quant(groups, quant)
        if found is None:
            have = sorted({g.quant for g in groups if g.quant and not g.mmproj})
            raise FileNotOnHub(f"{repo_id} has no {quant} file; quantizations there: {', '.join(have) or 'none'}")
        return _complete(found)
    ggufs = [g for g in groups if g.kind is FileKind.GGUF and not g.mmproj and g.complete]
    originals = [g for g in groups if g.kind is FileKind.SAFETENSORS and g.complete]
    if not ggufs and len(originals) == 1:
        return originals[0]
    if not ggufs:
        raise FileNotOnHub(f"{repo_id} has no GGUF file to choose from; pick one with --file: {_listing(groups)}")
    return best(ggufs)


def _best(client: HubClient, repo_id: str, groups: list[FileGroup]) -> FileGroup:
    """The best-fitting GGUF for this machine (read from each file's header on the hub)."""
    from app.hub.remote_fit import best_file, fit_files

    print(f"choosing the best file of {repo_id} for this machine...", file=sys.stderr)
    fits = fit_files(client, repo_id, groups, c.report(bandwidth=False))
    top = best_file(fits)
    if top is None or top.report is None:
        raise HubError(f"no GGUF file of {repo_id} fits this machine; pick one with --quant or --file: {_listing(groups)}")
    print(f"best fit: {c.safe(top.group.name)} ({top.report.verdict})", file=sys.stderr)
    return top.group


def _complete(g: FileGroup) -> FileGroup:
    if not g.complete:
        raise FileNotOnHub(f"{g.name} cannot be downloaded: {g.note}")
    return g


def _listing(groups: Sequence[FileGroup]) -> str:
    names = [g.name for g in groups]
    return ", ".join(names[:12]) + (f" and {len(names) - 12} more" if len(names) > 12 else "") if names else "no model files"


class _Bar:
    """One self-overwriting line on stderr: percent, bytes, speed, time left."""

    def __init__(self, label: str) -> None:
        self._label = label
        self._last = 0.0
        self._line = c.StatusLine()

    def show(self, done: int, total: int, speed: float, eta: float | None) -> None:
        now = time.monotonic()
        if now - self._last < REDRAW_S and done < total:
            return
        self._last = now
        pct = f"{done * 100 // total:3d}%" if total > 0 else "  ?%"
        rate = f"{c.size(speed)}/s" if speed > 0 else "-"
        left = c.clock(eta) if eta is not None else "-"
        self._line.write(f"{self._label}: {pct}  {c.size(done)} of {c.size(total)}  {rate}  ETA {left}")

    def end(self) -> None:
        self._line.end()
