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


def false_positives(files: Sequence[Path], report: Report) -> None:
    """Scan the passages of benign ``files`` (as indexing cuts them) and count the flagged ones into ``report``."""
    for path in files:
        doc = parse_document(path)
        for p in chunk_document(doc):
            report.benign_passages += 1
            flags = scan_text(p.text)
            if flags:
                report.benign_flagged += 1
                if len(report.benign_examples) < 10:
                    report.benign_examples.append(f"{path.name} passage {p.ordinal}: {flags[0].kind.value}: {flags[0].reason}")
