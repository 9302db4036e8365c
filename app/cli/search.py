"""`modelwerk search` and `modelwerk files`: find models on Hugging Face, and which file of a repository fits here."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import datetime
from typing import Any

from app.cli import common as c
from app.cli.common import UsageError

SORTS = {"downloads": "DOWNLOADS", "likes": "LIKES", "updated": "UPDATED", "trending": "TRENDING"}


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> dict[str, Callable[[argparse.Namespace], int]]:
    """Add the subcommands; returns name -> handler."""
    s = sub.add_parser("search", help="search Hugging Face for models (GGUF, GPTQ or all)")
    s.add_argument("query", nargs="?", default="", help="free text, e.g. 'llama 8b instruct'")
    s.add_argument("--format", choices=("gguf", "gptq", "all"), default="all", help="only GGUF or GPTQ repositories")
    s.add_argument("--sort", choices=tuple(SORTS), default="downloads", help="order (default downloads)")
    s.add_argument("--limit", type=int, default=30, help="results per page (default 30)")
    s.add_argument("--page", type=int, default=1, help="page number, from 1 (default 1)")
    s.add_argument("--json", action="store_true", help="print JSON")

    f = sub.add_parser("files", help="a repository's downloadable files, with the fit of each GGUF on this machine")
    f.add_argument("repo", help="OWNER/NAME, e.g. bartowski/Qwen2.5-7B-Instruct-GGUF")
    f.add_argument("--revision", default="main", help="branch or commit (GPTQ variants live on branches)")
    f.add_argument("--ctx", type=int, default=None, help="context to judge the fit at (default 8192, or less if the model's)")
    f.add_argument("--no-fit", action="store_true", help="list the files only (no header reads)")
    f.add_argument("--json", action="store_true", help="print JSON")
    return {"search": _cmd_search, "files": _cmd_files}


def _client() -> Any:
    from app.hub.client import hf_client

    return hf_client(c.settings())


def _cmd_search(args: argparse.Namespace) -> int:
    from app.hub.client import SearchFormat, SearchSort

    if args.limit < 1 or args.limit > 500:
        raise UsageError("--limit must be between 1 and 500")
    if args.page < 1:
        raise UsageError("--page counts from 1")
    page = _client().search(args.query, format=SearchFormat(args.format), sort=SearchSort[SORTS[args.sort]],
                            page=args.page - 1, page_size=args.limit)  # fmt: skip
    if page.cached:
        print(f"modelwerk search: the hub is unreachable; showing results cached {_when(page.cached_at)}", file=sys.stderr)
    if args.json:
        c.print_json({"query": page.query, "page": page.page + 1, "has_more": page.has_more, "cached": page.cached,
                      "results": [c.to_jsonable(r) for r in page.results]})  # fmt: skip
        return 0
    if not page.results:
        print("No models found." if page.page == 0 else "No more results.")
        return 0
    rows = [("REPOSITORY", "PARAMS", "FORMAT", "DOWNLOADS", "LIKES", "UPDATED")]
    for r in page.results:
        rows.append((
            r.repo_id + (" (gated)" if r.gated else ""),
            c.params(r.n_params) if r.n_params else "-",
            ",".join(r.formats) or "-",
            f"{r.downloads:,}",
            f"{r.likes:,}",
            r.updated.date().isoformat() if r.updated else "-",
        ))
    c.table(rows, right=(1, 3, 4))
    if page.has_more:
        print(f"More results: --page {page.page + 2}")
    return 0


def _cmd_files(args: argparse.Namespace) -> int:
    from app.hub.remote_fit import FileFit, Recommendation, default_options, fit_files, fit_folder, recommend
    from hardware.fit import FitOptions

    if args.ctx is not None and args.ctx < 1:
        raise UsageError("--ctx must be a positive number of tokens, e.g. 8192")
    client = _client()
    details = client.repo(args.repo, revision=args.revision)
    fits: dict[str, FileFit] = {}
    rec: Recommendation | None = None
    if not args.no_fit:
        options = FitOptions(context=args.ctx) if args.ctx else None
        hw = c.report(bandwidth=False)
        found = fit_files(client, details.repo_id, details.groups, hw, options=options)
        fits = {f.group.name: f for f in found}
        for g in details.groups:  # the original's weights, as the F16 GGUF they convert to
            if g.kind.value == "safetensors" and g.complete:
                fits[g.name] = fit_folder(client, details, g, hw, options=options)
        if details.is_original:  # ready-made or self-made
            rec = recommend(client, details, hw, options=options)
    if args.json:
        c.print_json({
            "repo": details.repo_id, "revision": details.revision, "sha": details.sha, "cached": details.cached,
            "gptq": [c.to_jsonable(v) for v in details.gptq],
            "groups": [_group_json(g, fits.get(g.name)) for g in details.groups],
            "recommendation": c.to_jsonable(rec) if rec is not None else None,
        })  # fmt: skip
        return 0
    if details.cached:
        print(f"modelwerk files: the hub is unreachable; showing a listing cached {_when(details.cached_at)}", file=sys.stderr)
    ctx = args.ctx or default_options(0).context
    print(f"{details.repo_id} ({details.revision})" + ("" if args.no_fit else f": fit at up to {ctx:,} tokens of context"))
    if not details.groups:
        print("No model files (GGUF, safetensors or GPTQ) in this repository.")
    rows = [("", "FILE", "QUANT", "SIZE", "FIT")]
    for g in details.groups:
        ff = fits.get(g.name)
        fit_text = "" if args.no_fit else _fit_text(ff, g)
        rows.append(("*" if ff and ff.best else "", g.name, g.quant or "-", c.size(g.size), fit_text))
    if details.groups:
        c.table(rows, right=(3,))
    for v in details.gptq:
        if v.revision != details.revision:
            print(f"GPTQ variant {v.label}: --revision {v.revision}")
    if any(f.best for f in fits.values()):
        print("* best file for this machine")
    if rec is not None:
        print(f"Ready-made or self-made: {rec.text}")
        if rec.repo_id and rec.quant and not rec.command:
            print(f"  get it: modelwerk pull {rec.repo_id} --quant {rec.quant}")
        if rec.command:
            print(f"  make it: {rec.command}")
    return 0


def _fit_text(ff: Any, g: Any) -> str:
    from app.hub.files import FOLDER_AS

    if g.note:
        return str(g.note)
    if ff is None:
        return "not estimated (GGUF only)" if g.kind.value != "gguf" else ""
    if ff.report is None:
        return str(ff.error)
    r = ff.report
    text = str(r.verdict) if not r.fits else f"{r.verdict}, max context {r.max_context:,}"
    return f"as {FOLDER_AS} GGUF: {text}" if g.kind.value == "safetensors" else text


def _group_json(g: Any, ff: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"name": g.name, "kind": g.kind.value, "quant": g.quant, "size": g.size, "revision": g.revision,
                           "note": g.note, "mmproj": g.mmproj, "files": [c.to_jsonable(f) for f in g.files]}  # fmt: skip
    if ff is not None:
        out["fit"] = c.fit_summary(ff.report) if ff.report is not None else None
        out["fit_error"] = ff.error
        out["best"] = ff.best
    return out


def _when(saved: datetime | None) -> str:
    return f"at {saved:%Y-%m-%d %H:%M} UTC" if saved is not None else "earlier"
