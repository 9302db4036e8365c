"""`modelwerk docs classify COLLECTION --model JUDGE`: the shield's classifier over a collection. A local model judges
every passage (``app.shield.classifier``); the threshold is calibrated on a collection of the user's own benign
documents (``--benign``; at most 2 % of its passages would be flagged) or given (``--threshold``). Passages above it get
a "classifier" flag, shown wherever the scanner's flags are; running it again replaces the classifier's flags."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from app.cli import common as c
from app.documents.parse import DocumentError
from app.workbench import Workbench

if TYPE_CHECKING:
    from app.shield.flags import Flag


def register(dsub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    k = dsub.add_parser(
        "classify",
        help="let a local model judge each passage for instructions aimed at the "
        "assistant (the shield's classifier); flags the passages above a calibrated threshold",
    )
    k.add_argument("collection", metavar="COLLECTION")
    k.add_argument("--model", required=True, metavar="JUDGE", help="an instruction-following GGUF: library id, name or path")
    how = k.add_mutually_exclusive_group(required=True)
    how.add_argument(
        "--benign",
        metavar="COLLECTION",
        help="calibrate on this collection of your own documents (at most 2%% of its passages above)",
    )
    how.add_argument("--threshold", type=float, metavar="T", help="flag scores above T (0-1), from an earlier calibration")
    k.add_argument("--json", action="store_true", help="print JSON")


def classify(wb: Workbench, args: argparse.Namespace) -> int:
    from app.chat.runtime import LoadOptions, Runtime
    from app.cli.serve import resolve_model
    from app.shield.classifier import Calibration, Judge, calibrate, flag
    from app.shield.flags import Kind

    store = wb.documents
    info = store.collection(args.collection)  # an unknown collection: one line, before a model is loaded
    benign = store.passages(store.collection(args.benign).id) if args.benign else []
    if args.benign and not benign:
        raise DocumentError(f"the collection {args.benign!r} has no passages to calibrate on; add documents first")
    if args.threshold is not None and not 0 <= args.threshold <= 1:
        raise DocumentError("--threshold must be between 0 and 1")
    path = resolve_model(args.model)
    passages = store.passages(info.id)
    started = time.monotonic()
    runtime = Runtime.launch(path, options=LoadOptions(context=2048, parallel=1), name=path.name)
    try:
        runtime.wait_ready(timeout_s=300)
        client = runtime.client()
        judge = Judge(lambda m: client.top_logprobs(m, top=10), path.name)
        total = len(benign) + len(passages)

        def scored(texts: list[str], done: int) -> list[float]:
            out = []
            for i, text in enumerate(texts):
                out.append(judge.score(text))
                if not args.json:
                    print(f"\r  judged {done + i + 1} of {total} passages", end="", file=sys.stderr, flush=True)
            return out

        calibration = (calibrate(scored([sp.passage.text for sp in benign], 0)) if benign
                       else Calibration(float(args.threshold), 0))  # fmt: skip
        scores = scored([sp.passage.text for sp in passages], len(benign))
        if not args.json:
            print(file=sys.stderr)
    except KeyboardInterrupt:
        print("modelwerk docs: interrupted; no flags were changed", file=sys.stderr)
        return 130
    finally:
        runtime.stop()
    found: dict[int, Sequence[Flag]] = {}
    for sp, value in zip(passages, scores, strict=True):
        raised = flag(value, calibration, judge=path.name, start=sp.passage.start, end=sp.passage.end)
        found[sp.id] = [raised] if raised is not None else []
    store.replace_flags(Kind.CLASSIFIED, found)
    flagged = [(sp, v) for sp, v in zip(passages, scores, strict=True) if calibration.flags(v)]
    if args.json:
        c.print_json({"collection": info.name, "judge": path.name, "threshold": round(calibration.threshold, 4),
                      "calibrated_on": calibration.benign, "passages": len(passages), "flagged": len(flagged),
                      "seconds": round(time.monotonic() - started, 1),
                      "flags": [{"file": str(sp.path), "passage": sp.passage.ordinal, "score": round(v, 4)}
                                for sp, v in flagged]})  # fmt: skip
        return 0
    source = f"calibrated on {calibration.benign} passages of {args.benign!r}" if benign else "given"
    print(f"{c.safe(path.name)} judged {len(passages)} passages of {c.safe(info.name)!r}: {len(flagged)} above the "
          f"threshold {calibration.threshold:.3f} ({source})")  # fmt: skip
    for sp, v in flagged:
        print(f"  {v:.2f}  {c.safe(sp.path.name)} passage {sp.passage.ordinal}")
    return 0
