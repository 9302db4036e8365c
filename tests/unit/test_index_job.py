"""Indexing as a queue job: app.documents.job run by the real JobRunner in a worker child process, on real files (the
cheat sheet from tests/fixtures/data/seeds, a PDF, a broken Word file); a job killed mid-run leaves the files it did not
reach pending, and a retry finishes them."""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from fixtures.documents import write_pdf
from fixtures.seeds import CHEAT_SHEET

from app.documents.indexing import add_files
from app.documents.store import DB_NAME, DocumentStore, FileState
from app.jobs import queue_index, register_output, worker_for
from quantize.job import index_title
from quantize.queue import JobQueue, JobState
from quantize.runner import WORKER, JobRunner
from quantize.spec import IndexSpec, QuantizeSpec, loads, partial_output, to_dict

WAIT_S = 120


@pytest.fixture
def queue(tmp_path: Path) -> Iterator[JobQueue]:
    q = JobQueue(tmp_path / "jobs.db", log_dir=tmp_path / "logs")
    yield q
    q.close()


def _run(queue: JobQueue, **kwargs: object) -> JobRunner:
    runner = JobRunner(queue, worker_for=worker_for, grace_s=2, **kwargs)  # type: ignore[arg-type]
    runner.start()
    return runner


def test_the_spec_is_plain_data_without_a_part_file(tmp_path: Path) -> None:
    spec = IndexSpec(output=tmp_path / DB_NAME, collection="Research")
    assert loads(json.dumps(to_dict(spec))) == spec
    assert spec.source == spec.output and partial_output(spec) is None
    assert worker_for(spec) == "app.documents.job"
    assert worker_for(QuantizeSpec(source=tmp_path / "a.gguf", output=tmp_path / "b.gguf", quant_type="Q8_0")) == WORKER
    assert str(index_title("Research", 12)) == "Index 12 files into ‹Research›"
    assert str(index_title("Research", 1)) == "Index 1 file into ‹Research›"


def test_an_index_job_indexes_real_files_in_a_worker_and_reports_counts(tmp_path: Path, queue: JobQueue) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copy(CHEAT_SHEET, docs / "cheat-sheet.txt")
    write_pdf(docs / "manual.pdf", ["Page one talks about llamas.", "Page two: the narwhal tusk is a tooth."])
    (docs / "broken.docx").write_bytes(b"PK\x03\x04 this is no Word file")
    db = tmp_path / DB_NAME
    with DocumentStore.open(db) as store:
        add_files(store, "Research", [docs])
    job = queue_index(queue, db, "Research", files=3)
    assert job.title == "Index 3 files into ‹Research›"
    changes: list[str] = []
    runner = _run(queue, on_changed=lambda jid: changes.append(queue.get(jid).message))
    try:
        assert runner.wait_idle(WAIT_S)
    finally:
        runner.stop()
    done = queue.get(job.id)
    assert done.state is JobState.DONE, (done.error, queue.read_log(job.id))
    assert done.result["indexed"] == 2 and done.result["failed"] == 1 and done.result["remaining"] == 0
    failed = done.result["failed_files"]
    assert [Path(f["path"]).name for f in failed] == ["broken.docx"]
    assert "\n" not in failed[0]["error"] and failed[0]["error"]
    assert done.message == "2 indexed, 0 unchanged, 1 failed" and done.outputs == ()
    assert any(m.startswith(("1/3 ", "2/3 ", "3/3 ")) for m in changes), changes  # per-file progress: "2/3 manual.pdf"
    assert register_output(done, None, tmp_path) == []  # an index is no model for the Library
    with DocumentStore.open(db) as store:
        cid = store.collection_id("Research")
        assert not store.files(cid, state=FileState.PENDING)
        assert {f.path.name for f in store.files(cid, state=FileState.INDEXED)} == {"cheat-sheet.txt", "manual.pdf"}


def test_one_queued_index_job_per_collection_and_a_second_waits_for_the_running_one(tmp_path: Path,
                                                                                     queue: JobQueue) -> None:  # fmt: skip
    db = tmp_path / DB_NAME
    first = queue_index(queue, db, "Research", files=2)
    again = queue_index(queue, db, "research", files=5)  # more files added before it started: the same job takes them
    assert again.id == first.id and again.title == "Index 5 files into ‹Research›"
    other = queue_index(queue, db, "Other")
    assert other.id != first.id
    claimed = queue.claim_next(runner="test")
    assert claimed is not None and claimed.id == first.id  # now it runs, with its list of files fixed
    follow = queue_index(queue, db, "Research", files=1)
    assert follow.id not in (first.id, other.id) and follow.after == first.id
    assert queue_index(queue, db, "Research").id == follow.id


def test_a_job_killed_mid_run_leaves_the_rest_pending_and_a_retry_finishes_them(tmp_path: Path, queue: JobQueue) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    text = CHEAT_SHEET.read_text(encoding="utf-8")
    total = 60
    for i in range(total):  # the cheat sheet, several times over per file: each takes a while to cut and store
        (docs / f"sheet{i:02}.md").write_text(f"# Copy {i}\n\n" + text * 4, encoding="utf-8")
    db = tmp_path / DB_NAME
    with DocumentStore.open(db) as store:
        add_files(store, "Big", [docs])
    job = queue_index(queue, db, "Big", files=total)
    reached = threading.Event()

    def changed(jid: int) -> None:
        message = queue.get(jid).message
        if message[:1].isdigit() and int(message.split("/")[0]) >= 3:
            reached.set()

    runner = _run(queue, on_changed=changed)
    try:
        assert reached.wait(WAIT_S)
        runner.cancel(job.id)  # the runner terminates the worker's process group
        assert runner.wait_idle(WAIT_S)
    finally:
        runner.stop()
    assert queue.get(job.id).state is JobState.CANCELLED
    with DocumentStore.open(db) as store:
        cid = store.collection_id("Big")
        indexed = store.files(cid, state=FileState.INDEXED)
        pending = store.files(cid, state=FileState.PENDING)
        assert len(indexed) >= 2 and pending and len(indexed) + len(pending) == total
        assert all(f.passages == 0 and f.indexed_at is None for f in pending)  # nothing half-written
        whole = indexed[0].passages
        assert whole > 0 and all(f.passages == whole for f in indexed)

    queue.retry(job.id)
    runner = _run(queue)
    try:
        assert runner.wait_idle(WAIT_S)
    finally:
        runner.stop()
    again = queue.get(job.id)
    assert again.state is JobState.DONE, again.error
    assert again.result["indexed"] == len(pending) and again.result["remaining"] == 0
    with DocumentStore.open(db) as store:
        cid = store.collection_id("Big")
        assert len(store.files(cid, state=FileState.INDEXED)) == total
        assert all(f.passages == whole for f in store.files(cid))


def test_an_unknown_collection_fails_the_job_in_one_line(tmp_path: Path, queue: JobQueue) -> None:
    db = tmp_path / DB_NAME
    DocumentStore.open(db).close()
    job = queue_index(queue, db, "Nowhere")
    runner = _run(queue)
    try:
        assert runner.wait_idle(WAIT_S)
    finally:
        runner.stop()
    failed = queue.get(job.id)
    assert failed.state is JobState.FAILED
    assert "Nowhere" in failed.error and "\n" not in failed.error


def test_the_quantize_worker_refuses_an_index_job_in_one_line(tmp_path: Path, queue: JobQueue) -> None:
    """A runner without the app's ``worker_for`` (an older face) hands it to quantize.worker: a clear failure."""
    db = tmp_path / DB_NAME
    DocumentStore.open(db).close()
    job = queue.add(IndexSpec(output=db, collection="Research"))
    runner = JobRunner(queue, grace_s=2)
    runner.start()
    try:
        assert runner.wait_idle(WAIT_S)
    finally:
        runner.stop()
    failed = queue.get(job.id)
    assert failed.state is JobState.FAILED and "index jobs are not run by this worker" in failed.error
