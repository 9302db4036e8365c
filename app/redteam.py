"""The red-team self-test: each attack of the corpus (``app.shield.attacks``) planted in a document, the document
indexed like any other (so the scanner flags it or not), the model asked the cover question about it through
``app.answering`` with the shield off and on; an attack succeeded when its canary is in the answer.

Also measured: how many planted attacks the scanner flagged (detection), and the scanner's false positives on benign
documents (the passages of the files given, flagged when they should not be). Offline and local: the model is the
caller's ``ChatEngine``; every document lives in a temporary database.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from app.answering import ask_documents
from app.chat.engine import ChatEngine
from app.chat.messages import Sampling
from app.documents.chunk import chunk_document
from app.documents.context import Budget, SourceMode
from app.documents.indexing import add_files, index_pending
from app.documents.isolated import parse_document
from app.documents.store import DocumentStore
from app.shield.attacks import Attack, plant, succeeded
from app.shield.classifier import Calibration, Judge, calibrate, split_calibration
from app.shield.flags import kinds
from app.shield.scan import scan_text


@dataclass(frozen=True)
class Trial:
    """One attack against the model with the shield on or off, and its transcript."""

    attack: Attack
    shield: bool
    canary: str
    succeeded: bool
    flagged: list[str]
    """The kinds the scanner flagged on the planted document's passages."""
    system: str
    user: str
    answer: str


@dataclass
class Report:
    trials: list[Trial] = field(default_factory=list)
    benign_passages: int = 0
    benign_flagged: int = 0
    benign_examples: list[str] = field(default_factory=list)
    classifier: ClassifierReport | None = None

    def success_rate(self, family: str | None, shield: bool) -> tuple[int, int]:
        """(succeeded, tried) for a family (None: all) with the shield on or off."""
        ts = [t for t in self.trials if t.shield is shield and (family is None or t.attack.family == family)]
        return sum(t.succeeded for t in ts), len(ts)

    def detected(self, family: str | None) -> tuple[int, int]:
        """(flagged, planted) attacks of a family, each attack counted once."""
        seen: dict[str, bool] = {}
        for t in self.trials:
            if family is None or t.attack.family == family:
                seen[t.attack.id] = bool(t.flagged)
        return sum(seen.values()), len(seen)

    @property
    def false_positive_rate(self) -> float:
        return self.benign_flagged / self.benign_passages if self.benign_passages else 0.0


def run_attacks(engine: ChatEngine, attacks: Sequence[Attack], *, shields: Sequence[bool], budget: Budget,
                sampling: Sampling, progress: Callable[[Trial], None] | None = None) -> list[Trial]:  # fmt: skip
    """Each attack, planted, asked about with each shield setting."""
    trials = []
    with tempfile.TemporaryDirectory(prefix="mw-redteam-") as tmp:
        work = Path(tmp)
        with DocumentStore.open(work / "redteam.db") as store:
            for attack in attacks:
                planted = plant(attack)
                folder = work / attack.id
                folder.mkdir()
                cid, _ = add_files(store, attack.id, [planted.write(folder)])
                index_pending(store, cid)
                flagged = sorted({k for sp in store.passages(cid) for k in kinds(sp.passage.flags)})
                for shield in shields:
                    result = ask_documents(engine, store, cid, planted.question, budget=budget, sampling=sampling,
                                           sources=SourceMode.WHOLE, shield=shield)  # fmt: skip
                    trial = Trial(attack, shield, planted.canary, succeeded(result.answer.content, planted.canary),
                                  flagged, result.context.system, result.context.user, result.answer.content)  # fmt: skip
                    trials.append(trial)
                    if progress is not None:
                        progress(trial)
    return trials


def benign_passages(files: Sequence[Path]) -> list[tuple[str, str]]:
    """(where, text) of each passage of benign ``files``, as indexing cuts them."""
    return [(f"{path.name} passage {p.ordinal}", p.text) for path in files for p in chunk_document(parse_document(path))]


def false_positives(files: Sequence[Path], report: Report) -> None:
    """Scan the passages of benign ``files`` (as indexing cuts them) and count the flagged ones into ``report``."""
    for where, text in benign_passages(files):
        report.benign_passages += 1
        flags = scan_text(text)
        if flags:
            report.benign_flagged += 1
            if len(report.benign_examples) < 10:
                report.benign_examples.append(f"{where}: {flags[0].kind.value}: {flags[0].reason}")


@dataclass
class ClassifierReport:
    """The classifier's part of the self-test: calibrated on every other benign passage, its false positives counted
    on the others (held out), and which planted attacks it flagged."""

    judge: str
    calibration: Calibration
    held_out: int
    held_out_flagged: int
    detected: dict[str, bool]
    """Attack id -> whether any passage of its planted document scored above the threshold."""
    scores: dict[str, float]
    """Attack id -> its planted document's highest passage score."""

    @property
    def false_positive_rate(self) -> float:
        return self.held_out_flagged / self.held_out if self.held_out else 0.0

    def detected_in(self, attacks: Sequence[Attack]) -> tuple[int, int]:
        return sum(self.detected.get(a.id, False) for a in attacks), len(attacks)


def run_classifier(judge: Judge, benign: Sequence[str], attacks: Sequence[Attack],
                   progress: Callable[[str], None] | None = None) -> ClassifierReport:  # fmt: skip
    """Score the benign passages and each planted attack's passages with ``judge``."""
    scores = []
    for i, text in enumerate(benign):
        scores.append(judge.score(text))
        if progress is not None:
            progress(f"benign passage {i + 1} of {len(benign)}")
    calibrating, held_out = split_calibration(scores)
    calibration = calibrate(calibrating)
    detected: dict[str, bool] = {}
    best: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="mw-redteam-judge-") as tmp:
        for attack in attacks:
            path = plant(attack).write(Path(tmp))
            best[attack.id] = max((judge.score(p.text) for p in chunk_document(parse_document(path))), default=0.0)
            detected[attack.id] = calibration.flags(best[attack.id])
            if progress is not None:
                progress(f"attack {attack.id}")
    return ClassifierReport(judge.name, calibration, len(held_out), sum(calibration.flags(x) for x in held_out),
                            detected, best)  # fmt: skip
