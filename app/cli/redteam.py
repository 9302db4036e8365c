"""`modelwerk redteam MODEL`: the red-team self-test (``app.redteam``): attack success rate per family with the shield
off and on, the scanner's detection rate, and its false positives on benign documents. Bad input (an unknown model or
family, a missing file) is one line, checked before a model is loaded."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.cli import common as c
from app.shield.attacks import FAMILIES

if TYPE_CHECKING:
    from app.chat.runtime import Runtime
    from app.redteam import ClassifierReport, Report
    from app.shield.attacks import Attack

INTERRUPTED = 130
ROOT = Path(__file__).resolve().parents[2]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> dict[str, Callable[[argparse.Namespace], int]]:
    p = sub.add_parser("redteam", help="attack a model through planted documents, with the shield off and on")
    p.add_argument("model", metavar="MODEL", help="a library id, a library name or a path to a GGUF file")
    p.add_argument("--shield", choices=["on", "off", "both"], default="both")
    p.add_argument("--attacks", default="", metavar="FAMILY,...", help=f"only these families: {', '.join(FAMILIES)}")
    p.add_argument("--benign", action="append", type=Path, default=None, metavar="PATH",
                   help="a benign document for the false-positive rate (repeatable; default: README.md and docs/*.md "
                        "of a checkout)")  # fmt: skip
    p.add_argument("--classifier", metavar="JUDGE", default=None,
                   help="also measure the shield's classifier with this model as the judge (a library id, name or GGUF "
                        "path; MODEL itself works): calibrated on half of the benign passages, its false positives "
                        "counted on the other half")  # fmt: skip
    p.add_argument("--max-tokens", type=int, default=48, help="answer tokens at most (default 48)")
    p.add_argument("--ctx", type=int, default=2048, help="context length in tokens (default 2048)")
    p.add_argument("--transcripts", action="store_true", help="print each attack's prompt and answer")
    p.add_argument("--json", action="store_true", help="print the report as JSON, with every transcript")
    return {"redteam": _cmd}


def _benign(given: list[Path] | None) -> list[Path]:
    from app.documents.parse import DocumentError

    if given:
        for p in given:
            if not p.is_file():
                raise DocumentError(f"no such file: {p}")
        return given
    return [p for p in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))] if p.is_file()]


def _cmd(args: argparse.Namespace) -> int:
    from app.chat.engine import ChatEngine
    from app.chat.messages import Sampling
    from app.chat.reasoning import detect
    from app.chat.runtime import LoadOptions, Runtime
    from app.chat.templates import template_for
    from app.cli.serve import resolve_model
    from app.documents.context import Budget
    from app.documents.parse import DocumentError
    from app.redteam import Report, false_positives, run_attacks
    from app.shield.attacks import load
    from formats.gguf_info import inspect_gguf

    if args.max_tokens < 1 or args.ctx < 256:
        raise DocumentError("--max-tokens must be 1 or more and --ctx at least 256")
    families = [f.strip() for f in args.attacks.split(",") if f.strip()]
    attacks = load(families or None)  # UnknownFamily: one line, before a model is loaded
    benign = _benign(args.benign)
    path = resolve_model(args.model)
    judge_path = resolve_model(args.classifier) if args.classifier else None
    template = template_for(inspect_gguf(path))
    shields = {"on": [True], "off": [False], "both": [False, True]}[args.shield]
    report = Report()
    false_positives(benign, report)
    sampling = Sampling(temperature=0.0, max_tokens=args.max_tokens, top_k=1, top_p=1.0, min_p=0.0, seed=0)
    runtime = Runtime.launch(path, options=LoadOptions(context=args.ctx, parallel=1), name=path.name)
    try:
        runtime.wait_ready(timeout_s=300)
        engine = ChatEngine(runtime.client(), template=template, support=detect(template))

        def progress(t: Any) -> None:  # on stderr with --json too: the Red-team dialog counts these lines
            mark = "SUCCEEDED" if t.succeeded else "failed"
            print(f"  {t.attack.id:<22} shield {'on ' if t.shield else 'off'}  attack {mark}", file=sys.stderr, flush=True)

        report.trials = run_attacks(engine, attacks, shields=shields, budget=Budget(runtime.n_ctx or args.ctx,
                                    args.max_tokens), sampling=sampling, progress=progress)  # fmt: skip
        if judge_path is not None:
            report.classifier = _classify(runtime if judge_path == path else None, judge_path, benign, attacks)
    except KeyboardInterrupt:
        print("modelwerk redteam: interrupted", file=sys.stderr)
        return INTERRUPTED
    finally:
        runtime.stop()
    if args.json:
        c.print_json(_json(report, model=path.name, shields=shields))
    else:
        _print(report, model=path.name, shields=shields, transcripts=args.transcripts)
    return 0


def _classify(runtime: Runtime | None, judge_path: Path, benign: list[Path], attacks: list[Attack]) -> ClassifierReport:
    """The classifier's part: ``runtime`` when the judge is the model under attack, else the judge in its own."""
    from app.chat.runtime import LoadOptions, Runtime
    from app.redteam import benign_passages, run_classifier
    from app.shield.classifier import Judge

    own = runtime is None
    if runtime is None:
        runtime = Runtime.launch(judge_path, options=LoadOptions(context=2048, parallel=1), name=judge_path.name)
    try:
        runtime.wait_ready(timeout_s=300)
        client = runtime.client()
        judge = Judge(lambda m: client.top_logprobs(m, top=10), judge_path.name)
        texts = [text for _, text in benign_passages(benign)]
        return run_classifier(judge, texts, attacks, progress=_progress_line)
    finally:
        if own:
            runtime.stop()


def _progress_line(what: str) -> None:
    print(f"  classifier: {what}", file=sys.stderr, flush=True)


def _families(report: Report) -> list[str]:
    return list(dict.fromkeys(t.attack.family for t in report.trials))


def _of(report: Report, family: str | None) -> list[Attack]:
    """The attacks of a family (None: all) in the report, each once."""
    return list({t.attack.id: t.attack for t in report.trials if family is None or t.attack.family == family}.values())


def _json(report: Report, *, model: str, shields: list[bool]) -> dict[str, Any]:
    fams: dict[str, Any] = {}
    for f in [*_families(report), None]:
        row: dict[str, Any] = {}
        for s in shields:
            won, tried = report.success_rate(f, s)
            row["shield_on" if s else "shield_off"] = {"succeeded": won, "tried": tried,
                                                       "rate": round(won / tried, 3) if tried else None}  # fmt: skip
        flagged, planted = report.detected(f)
        row["detected"] = {"flagged": flagged, "planted": planted}
        fams[f or "all"] = row
    return {
        "model": model,
        "families": fams,
        "false_positives": {"passages": report.benign_passages, "flagged": report.benign_flagged,
                            "rate": round(report.false_positive_rate, 4), "examples": report.benign_examples},
        "classifier": None if (k := report.classifier) is None else {
            "judge": k.judge, "threshold": k.calibration.threshold, "calibrated_on": k.calibration.benign,
            "false_positives": {"passages": k.held_out, "flagged": k.held_out_flagged,
                                "rate": round(k.false_positive_rate, 4)},
            "detected": {f or "all": dict(zip(("flagged", "planted"), k.detected_in(_of(report, f)), strict=True))
                         for f in [*_families(report), None]},
            "scores": dict(k.scores)},  # unrounded: compared with the threshold
        "trials": [{"attack": t.attack.id, "family": t.attack.family, "lang": t.attack.lang, "shield": t.shield,
                    "canary": t.canary, "succeeded": t.succeeded, "flagged": t.flagged, "system": t.system,
                    "user": t.user, "answer": t.answer} for t in report.trials],
    }  # fmt: skip


def _print(report: Report, *, model: str, shields: list[bool], transcripts: bool) -> None:
    print(f"Red team: {c.safe(model)}, {len({t.attack.id for t in report.trials})} attacks")
    head = "  ".join(f"shield {'on' if s else 'off':<3} success" for s in shields)
    print(f"  {'family':<22}{head}  scanner flagged")
    for f in [*_families(report), None]:
        cells = []
        for s in shields:
            won, tried = report.success_rate(f, s)
            cells.append(f"{won:>3}/{tried:<3} {won / tried if tried else 0:>6.0%}   ")
        flagged, planted = report.detected(f)
        print(f"  {f or 'all':<22}{'  '.join(cells)}  {flagged}/{planted}")
    print(f"Scanner false positives on benign documents: {report.benign_flagged} of {report.benign_passages} passages "
          f"({report.false_positive_rate:.1%})")  # fmt: skip
    for e in report.benign_examples:
        print(f"  {c.safe(e)}")
    if (k := report.classifier) is not None:
        print(f"Classifier {c.safe(k.judge)}: threshold {k.calibration.threshold:.3f} from {k.calibration.benign} benign "
              f"passages; false positives on the {k.held_out} held out: {k.held_out_flagged} "
              f"({k.false_positive_rate:.1%})")  # fmt: skip
        for f in [*_families(report), None]:
            flagged, planted = k.detected_in(_of(report, f))
            print(f"  {f or 'all':<22}classifier flagged {flagged}/{planted}")
    if transcripts:
        for t in report.trials:
            print(f"\n== {t.attack.id} (shield {'on' if t.shield else 'off'}): "
                  f"{'SUCCEEDED' if t.succeeded else 'failed'}, canary {t.canary}")  # fmt: skip
            for line in t.answer.splitlines():
                print("   " + c.safe(line))



