"""Indexing as a queue job: ``python -m app.documents.job SPEC.json`` indexes one collection's pending files.

It is ``quantize.worker``'s main loop (JSON-lines events, scratch folder, stdin watchdog) with a dispatch table of its
own, so the runner treats it like any other worker. Cancel is the runner terminating the process group: each file is
written in one transaction (``app.documents.indexing``), so a killed run leaves every file indexed or still pending, and
a retry goes on with the pending ones.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from app.documents.indexing import IndexReport, Outcome, Progress, index_pending
from app.documents.parse import DocumentError
from app.documents.store import DocumentStore
from core.messages import Message, Text
from quantize import worker
from quantize.errors import JobFailed
from quantize.progress import Reporter
from quantize.spec import IndexSpec, JobKind

MODULE = "app.documents.job"
DISPATCH = {JobKind.INDEX: MODULE}
"""This module is both the worker and the job it runs (run as ``__main__``, the worker imports it once more by name)."""
MAX_LISTED = 200
"""At most this many failed (and unchanged) files are listed by name in the result; the counts are always whole."""


def run(spec: IndexSpec, reporter: Reporter) -> list[Path]:
    """Index the pending files of ``spec.collection``; sends ``done`` with the counts itself and returns no outputs.

    Raises:
        JobFailed: the database cannot be opened or the collection is gone (one line).
    """
    try:
        with DocumentStore.open(spec.output) as store:
            cid = store.collection_id(spec.collection)

            def progress(p: Progress) -> None:
                message = f"{p.done + 1}/{p.total} {p.current.name}" if p.current is not None else f"{p.done}/{p.total}"
                reporter.progress("index", p.done / p.total if p.total else 1.0, message)

            report = index_pending(store, cid, progress=progress)
    except DocumentError as e:  # an unknown collection, a database that is no documents database
        raise JobFailed(str(e)) from None
    except OSError as e:
        raise JobFailed(Message("cannot open {output}: {reason}", output=str(spec.output),
                                reason=str(e.strerror or e))) from None
    result = result_of(report)
    reporter.progress("done", 1.0, summary(result))  # what the Jobs page shows once it is done
    reporter.done([], result=result)
    return []


def summary(result: dict[str, Any]) -> Message:
    """One line such as "12 indexed, 3 unchanged, 1 failed" (and what is left pending, if anything)."""
    counts = {name: str(result.get(name, 0)) for name in ("indexed", "unchanged", "failed")}
    if result.get("remaining"):
        return Message("{indexed} indexed, {unchanged} unchanged, {failed} failed; {remaining} left pending", **counts,
                       remaining=str(result["remaining"]))  # fmt: skip
    return Message("{indexed} indexed, {unchanged} unchanged, {failed} failed", **counts)


def _data(text: Text) -> dict[str, Any] | None:
    return text.to_data() if isinstance(text, Message) else None


def result_of(report: IndexReport) -> dict[str, Any]:
    """The job's result: the counts, the files still pending, and the failed files with their one-line errors."""
    failed = report.failed
    unchanged = [r for r in report.results if r.outcome is Outcome.UNCHANGED]
    return {
        "indexed": report.count(Outcome.INDEXED),
        "unchanged": report.count(Outcome.UNCHANGED),
        "failed": len(failed),
        "remaining": report.remaining,
        "failed_files": [{"path": str(r.path), "error": r.error, "error_data": _data(r.error_text)}
                         for r in failed[:MAX_LISTED]],
        "unchanged_files": [str(r.path) for r in unchanged[:MAX_LISTED]],
    }


if __name__ == "__main__":
    sys.exit(worker.main(dispatch=DISPATCH, name=MODULE))
