"""`modelwerk docs`: document collections: add files, list, remove, embed (vectors), search (BM25, vectors, hybrid), and
the retrieval self-test.

Bad input (a missing file, an unknown collection) is one line on stderr and exit 1, with nothing registered; an
unreadable file is one line on stderr each while the others are indexed, and the command then exits 1. Ctrl-C stops
between or inside a file: the file being indexed stays as it was, and the next `docs add` to the collection goes on
with the files left pending.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.cli import common as c
from app.cli import docs_classify
from app.documents.indexing import IndexReport, Outcome, Progress, add_files, index_pending, remove_files
from app.documents.parse import DocumentError
from app.documents.rerank import RerankingRetriever
from app.documents.retrieval import Hit
from app.documents.selftest import KS, SelfTestResult, generate_probes, load_probes
from app.documents.store import DocumentStore, FileState
from app.shield.flags import Flag
from app.workbench import Workbench

if TYPE_CHECKING:
    from app.documents.vectors import EmbedProgress

MODES = ("bm25", "vector", "hybrid")
INTERRUPTED = 130


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> dict[str, Callable[[argparse.Namespace], int]]:
    """Add the subcommands; returns name -> handler."""
    d = sub.add_parser("docs", help="document collections: add files, search them, measure retrieval")
    dsub = d.add_subparsers(dest="action", metavar="ACTION", required=True)
    a = dsub.add_parser("add", help="add files or folders to a collection (made when new) and index them")
    a.add_argument("collection", metavar="COLLECTION")
    a.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="PDF, DOCX, Markdown, HTML, text or code; folders too")
    a.add_argument("--json", action="store_true", help="print the result as JSON")

    ls = dsub.add_parser("list", help="the collections, or one collection's files")
    ls.add_argument("collection", nargs="?", metavar="COLLECTION")
    ls.add_argument("--json", action="store_true", help="print JSON")

    rm = dsub.add_parser("remove", help="remove files (or, with no PATH, the whole collection)")
    rm.add_argument("collection", metavar="COLLECTION")
    rm.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="files or folders to remove from it")

    s = dsub.add_parser("search", help="the passages that best match a query, with their sources")
    s.add_argument("collection", metavar="COLLECTION")
    s.add_argument("query", metavar="QUERY")
    s.add_argument("-k", "--k", type=int, default=8, dest="k", metavar="N", help="how many passages (default 8)")
    s.add_argument("--mode", choices=MODES, default=None,
                   help="bm25, vector or hybrid (default: hybrid when the collection has vectors, else bm25)")
    s.add_argument("--rerank", default=None, metavar="MODEL",
                   help="rerank the first hits with this GGUF reranker (library id, name or path; default: the "
                        "collection's reranker, if it has one)")  # fmt: skip
    s.add_argument("--json", action="store_true", help="print JSON")

    r = dsub.add_parser("rerank", help="show or choose the collection's reranker (a GGUF that reorders search hits)")
    r.add_argument("collection", metavar="COLLECTION")
    r.add_argument("model", nargs="?", default=None, metavar="MODEL",
                   help="a GGUF reranker: library id, name or path (bge-reranker-v2-m3, jina-reranker, "
                        "Qwen3-Reranker)")  # fmt: skip
    r.add_argument("--off", action="store_true", help="search this collection without a reranker again")
    r.add_argument("--json", action="store_true", help="print JSON")

    e = dsub.add_parser("embed", help="give every passage a vector (dense retrieval; hybrid search and ask use them)")
    e.add_argument("collection", metavar="COLLECTION")
    e.add_argument("--model", default=None, metavar="M",
                   help="a GGUF embedding model: library id, name or path (default: the collection's, else the offline "
                        "default all-MiniLM-L6-v2, converted once; English only: for German use a multilingual one)")
    e.add_argument("--json", action="store_true", help="print JSON")

    t = dsub.add_parser("selftest", help="does retrieval find the right passages? recall@k and MRR")
    t.add_argument("collection", metavar="COLLECTION")
    t.add_argument("--questions", type=Path, default=None, metavar="FILE",
                   help='labelled questions, JSON [{"question", "file", "answer"}] (default: made from it)')  # fmt: skip
    t.add_argument("-n", type=int, default=50, metavar="N", help="questions to make from the collection (default 50)")
    t.add_argument("--json", action="store_true", help="print JSON")
    docs_classify.register(dsub)
    return {"docs": _cmd_docs}


def _cmd_docs(args: argparse.Namespace) -> int:
    handler = {"add": _add, "list": _list, "remove": _remove, "embed": _embed, "search": _search,
               "selftest": _selftest, "rerank": _rerank, "classify": docs_classify.classify}[args.action]  # fmt: skip
    with Workbench() as wb:
        return handler(wb, args)


def _err(line: str) -> None:
    print(f"modelwerk docs: {c.safe(line)}", file=sys.stderr)


# -- add ------------------------------------------------------------------------------------------------------------------


def _add(wb: Workbench, args: argparse.Namespace) -> int:
    store = wb.documents
    before = {f.path for f in _pending(wb, args.collection)}
    cid, files = add_files(store, args.collection, args.paths)
    name = store.collection(args.collection).name
    resumed = len(before - {Path(p).resolve() for p in files})
    if not args.json:
        more = f" (and {resumed} left pending by an earlier run)" if resumed else ""
        print(f"Indexing {len(files)} file{'s' * (len(files) != 1)} into {c.safe(name)!s}{more}")
    status = c.StatusLine()

    def progress(p: Progress) -> None:
        if not args.json and p.current is not None and sys.stderr.isatty():
            status.write(f"[{p.done + 1}/{p.total}] {c.safe(p.current.name)}")

    t0 = time.monotonic()
    try:
        report = index_pending(store, cid, progress=progress)
    except KeyboardInterrupt:
        status.end()
        left = len(store.files(cid, state=FileState.PENDING))
        _err(f"stopped; {left} file{'s' * (left != 1)} left pending: `modelwerk docs add {name} ...` goes on with them")
        return INTERRUPTED
    finally:
        status.end()
    elapsed = time.monotonic() - t0
    info = store.collection(name)
    if args.json:
        totals = {"collection_passages": info.passages, "collection_files": info.files}
        c.print_json(_report_json(name, report, elapsed, flags=_flags_by_path(store, cid)) | totals)
    else:
        flagged = _flags_by_path(store, cid)
        for r in report.results:
            if r.outcome is Outcome.INDEXED:
                found = flagged.get(r.path.resolve(), [])
                shown = f"; flags: {', '.join(dict.fromkeys(f['kind'] for f in found))}" if found else ""
                print(f"  {c.safe(r.path.name)}: {r.passages} passages ({r.seconds:.2f} s){c.safe(shown)}")
            elif r.outcome is Outcome.UNCHANGED:
                print(f"  {c.safe(r.path.name)}: unchanged")
        counts = f"{report.count(Outcome.INDEXED)} indexed, {report.count(Outcome.UNCHANGED)} unchanged"
        print(f"{c.safe(name)}: {counts}, {report.count(Outcome.FAILED)} failed in {elapsed:.1f} s; "
              f"{info.passages} passages in {info.files} files")  # fmt: skip
    for r in report.failed:
        _err(r.error)
    from app.documents.vectors import VectorIndex  # numpy: not at the command line's start

    if VectorIndex(store).embedder_of(cid) is not None and not report.cancelled:
        _embed_with(store, cid, None, quiet=args.json, wb=wb)  # the collection has vectors: the new passages get theirs
    return 1 if report.failed else 0


def _pending(wb: Workbench, collection: str) -> list[Any]:
    try:
        cid = wb.documents.collection_id(collection)
    except DocumentError:
        return []
    return wb.documents.files(cid, state=FileState.PENDING)


def _flags_by_path(store: DocumentStore, cid: int) -> dict[Path, list[dict[str, Any]]]:
    """Each flagged file's flags (kind, location, reason), once each although overlapping passages share some."""
    out: dict[Path, list[dict[str, Any]]] = {}
    for record in store.files(cid, state=FileState.INDEXED):
        found: dict[Flag, list[int]] = {}
        for ordinal, flags in store.flagged_passages(record.id):
            for f in flags:
                found.setdefault(f, []).append(ordinal)
        if found:
            out[record.path] = [{"kind": f.kind.value, "location": {"start": f.start, "end": f.end, "passages": ordinals},
                                 "reason": f.reason} for f, ordinals in sorted(found.items(), key=lambda x: x[0].start)]
    return out


def _report_json(name: str, report: IndexReport, elapsed: float, *,
                 flags: dict[Path, list[dict[str, Any]]] | None = None) -> dict[str, Any]:  # fmt: skip
    flags = flags or {}
    return {
        "collection": name,
        "seconds": round(elapsed, 3),
        "cancelled": report.cancelled,
        "remaining": report.remaining,
        "files": [
            {"path": str(r.path), "outcome": r.outcome.value, "passages": r.passages, "error": r.error or None,
             "seconds": round(r.seconds, 3), "flags": flags.get(r.path.resolve(), [])}
            for r in report.results
        ],
    }


# -- list, remove -----------------------------------------------------------------------------------------------------------


def _list(wb: Workbench, args: argparse.Namespace) -> int:
    store = wb.documents
    if args.collection is None:
        infos = store.collections()
        if args.json:
            c.print_json(infos)
        elif not infos:
            print("No collections yet: `modelwerk docs add NAME FILE...` makes one.")
        else:
            rows = [["COLLECTION", "FILES", "PASSAGES", "PENDING", "FAILED"]]
            rows += [[i.name, str(i.files), str(i.passages), str(i.pending), str(i.failed)] for i in infos]
            c.table(rows, right=(1, 2, 3, 4))
        return 0
    info = store.collection(args.collection)
    files = store.files(info.id)
    if args.json:
        c.print_json({"collection": info, "files": files})
        return 0
    print(f"{c.safe(info.name)}: {info.files} files, {info.passages} passages")
    if files:
        rows = [["STATE", "PASSAGES", "PAGES", "FILE"]]
        rows += [[f.state.value, str(f.passages), str(f.pages or ""), str(f.path)] for f in files]
        c.table(rows, right=(1, 2))
    for f in files:
        if f.error:
            print(f"  {c.safe(f.error)}")
    return 0


def _remove(wb: Workbench, args: argparse.Namespace) -> int:
    store = wb.documents
    if not args.paths:
        info = store.collection(args.collection)
        store.delete_collection(info.name)
        print(f"Removed the collection {c.safe(info.name)} ({info.files} files, {info.passages} passages)")
        return 0
    removed = remove_files(store, args.collection, args.paths)
    print(f"Removed {len(removed)} file{'s' * (len(removed) != 1)} from {c.safe(store.collection(args.collection).name)}")
    return 0


# -- embed ------------------------------------------------------------------------------------------------------------------


def _embed(wb: Workbench, args: argparse.Namespace) -> int:
    from app.documents.embedder import language_advice
    from app.documents.language import collection_languages
    from app.documents.vectors import VectorIndex

    store = wb.documents
    info = store.collection(args.collection)
    if info.passages == 0:
        raise DocumentError(f"the collection {info.name!r} has no passages yet; add files first")
    model = None
    if args.model is not None:
        from app.cli.serve import resolve_model

        model = resolve_model(args.model)
    written, seconds, name = _embed_with(store, info.id, model, quiet=args.json, wb=wb)
    advice = language_advice(name, collection_languages(store, info.id))
    if args.json:
        c.print_json({"collection": info.name, "embedder": name, "embedded": written, "seconds": round(seconds, 3),
                      "vectors": VectorIndex(store).count(info.id), "advice": advice})  # fmt: skip
    elif advice:
        print(f"Note: {c.safe(advice)}")
    return 0


def _embed_with(store: DocumentStore, cid: int, model: Path | None, *, quiet: bool,
                wb: Workbench) -> tuple[int, float, str]:  # fmt: skip
    """Embed the collection's passages that have no vector with ``model`` (None: the collection's embedder, else the
    default one, prepared first when it is missing). Returns (vectors written, seconds, the embedder's name)."""
    from app.chat.embedding import LlamaServerEmbedder
    from app.documents.vectors import VectorIndex, embed_collection

    if model is None:
        record = VectorIndex(store).embedder_of(cid)
        model = Path(record.location) if record is not None and Path(record.location).is_file() else None
    if model is None:
        model = _default_embedder(wb)
    status = c.StatusLine()

    def progress(p: EmbedProgress) -> None:
        if not quiet and sys.stderr.isatty() and p.total:
            status.write(f"embedding [{p.done}/{p.total}]")

    t0 = time.monotonic()
    try:
        with LlamaServerEmbedder(model) as embedder:
            written = embed_collection(store, cid, embedder, progress=progress)
            name = embedder.name
    finally:
        status.end()
    seconds = time.monotonic() - t0
    if not quiet:
        print(f"Embedded {written} passage{'s' * (written != 1)} with {c.safe(name)} in {seconds:.1f} s")
    return written, seconds, name


def _default_embedder(wb: Workbench) -> Path:
    """The offline default embedder's GGUF, converted from its package by the job queue first when it is missing."""
    from app.documents.embedder import DEFAULT_NAME, default_embedder_path
    from app.jobs import queue_default_embedder
    from quantize.queue import JobState

    path = default_embedder_path(wb.models_dir)
    if path.is_file():
        return path
    print(f"Preparing the default embedder {DEFAULT_NAME} (converted once into the models folder) ...", file=sys.stderr)
    jobs = queue_default_embedder(wb.jobs.queue, wb.models_dir)
    ended = wb.jobs.run([j.id for j in jobs])
    failed = [e.job for e in ended if e.job.state is not JobState.DONE]
    if failed or not path.is_file():
        why = failed[0].error if failed else "no file was written"
        raise DocumentError(f"preparing the default embedder failed: {why}")
    return path


# -- search, selftest ---------------------------------------------------------------------------------------------------------


def _search(wb: Workbench, args: argparse.Namespace) -> int:
    from app.documents.vectors import SearchMode
    from app.search import open_retriever

    if args.k < 1:
        raise DocumentError("-k must be 1 or more")
    if not args.query.strip():
        raise DocumentError("the query is empty")
    store = wb.documents
    cid = store.collection_id(args.collection)
    rerank = reranker_arg(args.rerank)
    with open_retriever(store, cid, None if args.mode is None else SearchMode(args.mode), rerank=rerank) as retriever:
        hits = retriever.search(args.query, k=args.k)
    if args.json:
        c.print_json([_hit_json(h) for h in hits])
        return 0
    if not hits:
        print("No passage matches.")
    elif isinstance(retriever, RerankingRetriever):
        print(f"Reranked by {c.safe(retriever.reranked_by)}")
    for h in hits:
        print(f"{h.rank}. {c.safe(h.source.citation())}  (score {h.score:.2f})")
        print(f"   {c.safe(h.snippet)}")
    return 0


def _hit_json(h: Hit) -> dict[str, Any]:
    s = h.source
    return {
        "rank": h.rank, "score": round(h.score, 4), "retriever": h.retriever, "citation": s.citation(),
        "source": {"path": str(s.path), "page": s.page, "page_end": s.page_end, "heading": s.heading, "start": s.start,
                   "end": s.end},
        "snippet": h.snippet, "text": h.text, "flags": [f.to_json() for f in h.flags],
    }  # fmt: skip


def _selftest(wb: Workbench, args: argparse.Namespace) -> int:
    store = wb.documents
    info = store.collection(args.collection)
    if info.passages == 0:
        raise DocumentError(f"the collection {info.name!r} has no passages yet; add files first")
    if args.questions is not None:
        probes = load_probes(store, info.id, args.questions)
        origin = f"labelled questions from {args.questions.name}"
    else:
        if args.n < 1:
            raise DocumentError("-n must be 1 or more")
        probes = generate_probes(store, info.id, n=args.n)
        origin = "questions made from its own passages"
    if not probes:
        raise DocumentError(f"no questions could be made from {info.name!r} (too little text)")
    from app.search import measure_search

    results, reranked_by = measure_search(store, info.id, probes)
    measured = {r.retriever for r in results}
    if args.json:
        modes: dict[str, Any] = {"vector": None, "hybrid": None, "rerank": None} | {r.retriever: _result_json(r)
                                                                                     for r in results}  # fmt: skip
        c.print_json({"collection": info.name, "questions": len(probes), "origin": origin, "modes": modes})
        return 0
    print(f"Self-test of {c.safe(info.name)}: {len(probes)} {c.safe(origin)}")
    for r in results:
        recall = "  ".join(f"@{k} {r.recall[k]:.2f}" for k in KS)
        per_question = r.seconds * 1000 / max(r.probes, 1)
        print(f"  {r.retriever:<7} recall {recall}  MRR {r.mrr:.2f}  distinct first hits {r.distinct_first:.2f}  "
              f"({per_question:.1f} ms a question)")  # fmt: skip
    if "vector" not in measured:
        print("  vector  not measured: the collection has no vectors (`modelwerk docs embed` makes them)")
        print("  hybrid  not measured: needs vectors")
    if reranked_by:
        print(f"  rerank  = {c.safe(reranked_by)}")
    else:
        print("  rerank  not measured: the collection has no reranker (`modelwerk docs rerank COLLECTION MODEL`)")
    for r in results:
        for m in r.misses:
            print(f"  missed ({r.retriever}): {c.safe(m.question)!s} -> expected {c.safe(m.expected)}, got {c.safe(m.got)}")
    return 0


def _result_json(r: SelfTestResult) -> dict[str, Any]:
    return {"recall": {str(k): round(v, 4) for k, v in r.recall.items()}, "mrr": round(r.mrr, 4), "questions": r.probes,
            "distinct_first": round(r.distinct_first, 4), "seconds": round(r.seconds, 3),
            "misses": c.to_jsonable(r.misses)}  # fmt: skip


# -- rerank ---------------------------------------------------------------------------------------------------------------


def reranker_arg(model: str | None) -> Path | bool:
    """``--rerank MODEL`` as ``open_retriever``'s ``rerank``: the GGUF, checked to be a reranker before anything starts;
    True (the collection's reranker, if any) without it.

    Raises:
        ChatError: no such model, or a model that is no reranker (one line).
    """
    if model is None:
        return True
    from app.chat.reranking import read_reranker
    from app.cli.serve import resolve_model

    return read_reranker(resolve_model(model)).path


def _rerank(wb: Workbench, args: argparse.Namespace) -> int:
    from app.documents.rerank import RerankerChoice, choose_reranker, reranker_of

    store = wb.documents
    info = store.collection(args.collection)
    if args.off and args.model is not None:
        raise DocumentError("give a MODEL or --off, not both")
    if args.off:
        choose_reranker(store, info.id, None)
    elif args.model is not None:
        from app.chat.reranking import read_reranker
        from app.cli.serve import resolve_model

        model = read_reranker(resolve_model(args.model))
        choose_reranker(store, info.id, RerankerChoice(model.name, model.path))
    choice = reranker_of(store, info.id)
    if args.json:
        described = None if choice is None else {"name": choice.name, "path": str(choice.location),
                                                 "present": choice.location.is_file()}  # fmt: skip
        c.print_json({"collection": info.name, "reranker": described})
        return 0
    if choice is None:
        print(f"{c.safe(info.name)}: no reranker (search and answers use the first search's order)")
    else:
        gone = "" if choice.location.is_file() else " (the file is gone: choose another, or --off)"
        print(f"{c.safe(info.name)}: reranked by {c.safe(choice.name)} ({c.safe(str(choice.location))}){c.safe(gone)}")
    return 0
