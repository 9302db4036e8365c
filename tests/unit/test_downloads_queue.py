"""The persistent DownloadQueue against the fake hub: registration, pause/resume/cancel/retry, restart, parallel limit."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fakehub import FakeHub, Fault, closed_port_url
from fakehub.repos import GATED_GGUF, TINY, TINY_GGUF, gated_repo, original_repo, tiny_gguf_repo

from app.hub.client import HubClient
from app.hub.downloads import Download, DownloadQueue, DownloadState
from app.hub.errors import DownloadError
from app.hub.files import FileGroup, HubFile
from app.hub.partial_file import incomplete_path
from app.library.catalog import Catalog
from app.store import Store
from app.workbench import DownloadRegistrar

SLOW = 300_000  # bytes per second: a ~1 MB file takes a few seconds, long enough to act on it mid-way


class Env:
    def __init__(self, hub: FakeHub, tmp_path: Path) -> None:
        self.hub = hub
        self.store = Store(tmp_path / "db.sqlite")
        self.catalog = Catalog(self.store)
        self.models_dir = tmp_path / "models"
        self.registrar = DownloadRegistrar(self.catalog, self.models_dir)
        self.client = HubClient(hub.url)
        self.events: list[Download] = []
        self._lock = threading.Lock()
        self.queues: list[DownloadQueue] = []

    def on_change(self, d: Download) -> None:
        with self._lock:
            self.events.append(d)

    def queue(self, *, parallel: int = 2, client: HubClient | None = None) -> DownloadQueue:
        q = DownloadQueue(self.store, client=client or self.client, registrar=self.registrar, models_dir=self.models_dir,
                          parallel=parallel, on_change=self.on_change, retries=1, backoff_s=0.01,
                          timeout_s=5.0)  # fmt: skip
        self.queues.append(q)
        return q

    def group(self, name: str, repo: str = TINY_GGUF) -> FileGroup:
        return next(g for g in self.client.repo(repo).groups if g.name == name)

    def ranges(self, path: str) -> list[str | None]:
        return [r.headers.get("Range") for r in self.hub.requests if r.method == "GET" and r.path.endswith("/" + path)]


@pytest.fixture
def env(fakehub: FakeHub, tmp_path: Path) -> Iterator[Env]:
    tiny_gguf_repo(fakehub)
    e = Env(fakehub, tmp_path)
    yield e
    for q in e.queues:
        q.close()
    e.store.close()


def until(check: Callable[[], bool], what: str, timeout_s: float = 15.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)


def started(q: DownloadQueue, download_id: int) -> Callable[[], bool]:
    return lambda: q.get(download_id).done_bytes > 0


def test_download_registers_the_model_in_the_library(env: Env) -> None:
    q = env.queue()
    q.start()
    group = env.group("Tiny-Q4_K_M.gguf")
    d = q.add(TINY_GGUF, group)
    assert d.state in (DownloadState.QUEUED, DownloadState.RUNNING) and d.total_bytes == group.size
    done = q.wait(d.id, timeout_s=30)
    assert done.state is DownloadState.DONE, done.error
    assert done.done_bytes == done.total_bytes and done.fraction == 1.0
    entry = env.catalog.get(done.model_id or -1)
    assert entry.path == (env.models_dir / "modelwerk-test" / "Tiny-GGUF" / "Tiny-Q4_K_M.gguf").resolve()
    assert entry.source == f"downloaded from {TINY_GGUF}"
    assert entry.sha256 == group.files[0].sha256
    states = [e.state for e in env.events if e.id == d.id]
    assert states[0] is DownloadState.QUEUED and DownloadState.RUNNING in states and states[-1] is DownloadState.DONE
    assert not any(p.name.endswith(".incomplete") for p in env.models_dir.rglob("*"))


def test_split_gguf_downloads_every_part_then_registers_once(env: Env) -> None:
    q = env.queue()
    q.start()
    d = q.wait(q.add(TINY_GGUF, env.group("Tiny-F16 (2 parts)")).id, timeout_s=30)
    assert d.state is DownloadState.DONE, d.error
    entry = env.catalog.get(d.model_id or -1)
    assert [f.name for f in entry.files] == ["Tiny-F16-00001-of-00002.gguf", "Tiny-F16-00002-of-00002.gguf"]
    assert len(env.catalog.entries()) == 1


def test_folder_model_registers_its_folder(env: Env) -> None:
    original_repo(env.hub)
    q = env.queue()
    q.start()
    group = next(g for g in env.client.repo(TINY).groups if g.kind.value == "safetensors")
    d = q.wait(q.add(TINY, group).id, timeout_s=30)
    assert d.state is DownloadState.DONE, d.error
    assert env.catalog.get(d.model_id or -1).path == (env.models_dir / "modelwerk-test" / "Tiny").resolve()


def test_then_quantize_is_kept_until_the_recipe_is_queued(env: Env, tmp_path: Path) -> None:
    """Discover's "Quantize it myself": the types ride with the download, survive a restart, and are forgotten only
    once the app says the recipe is in the job queue."""
    original_repo(env.hub)
    env.hub.set_fault(TINY, "model.safetensors", Fault(slow_bytes_per_s=SLOW))
    q = env.queue()
    q.start()
    group = next(g for g in env.client.repo(TINY).groups if g.kind.value == "safetensors")
    d = q.add(TINY, group, then_quantize=["Q4_K_M"])
    assert d.then_quantize == ("Q4_K_M",)
    assert q.add(TINY, group, then_quantize=["Q8_0", "Q4_K_M"]).then_quantize == ("Q4_K_M", "Q8_0")  # merged, no repeat
    assert q.follow_ups() == []  # not before it is in the Library
    env.hub.clear_faults()
    done = q.wait(d.id, timeout_s=30)
    assert done.state is DownloadState.DONE, done.error
    q.close()

    again = env.queue()  # a restart: the follow-up is still owed
    [owed] = again.follow_ups()
    assert owed.id == d.id and owed.then_quantize == ("Q4_K_M", "Q8_0") and owed.model_id == done.model_id
    assert owed.model_path == env.catalog.get(owed.model_id or -1).path
    again.follow_up_queued(d.id)
    assert again.follow_ups() == [] and again.get(d.id).then_quantize == ()


def test_a_cancelled_download_forgets_its_quantization(env: Env) -> None:
    env.hub.set_fault(TINY_GGUF, "Tiny-Q8_0.gguf", Fault(slow_bytes_per_s=SLOW))
    q = env.queue()
    q.start()
    d = q.add(TINY_GGUF, env.group("Tiny-Q8_0.gguf"), then_quantize=["Q4_K_M"])
    until(started(q, d.id), "progress")
    q.cancel(d.id)
    assert q.wait(d.id, timeout_s=10).state is DownloadState.CANCELLED
    assert q.get(d.id).then_quantize == ()  # a later plain Download of the same file queues no jobs
    paused = q.add(TINY_GGUF, env.group("Tiny-Q4_0.gguf"), then_quantize=["Q2_K"])
    q.pause(paused.id)
    assert q.wait(paused.id, timeout_s=10).state is DownloadState.PAUSED
    q.cancel(paused.id)  # not running: the row is cancelled directly
    assert q.get(paused.id).state is DownloadState.CANCELLED and q.get(paused.id).then_quantize == ()


def test_pause_keeps_the_part_and_resume_continues_with_range(env: Env) -> None:
    env.hub.set_fault(TINY_GGUF, "Tiny-Q8_0.gguf", Fault(slow_bytes_per_s=SLOW))
    q = env.queue()
    q.start()
    d = q.add(TINY_GGUF, env.group("Tiny-Q8_0.gguf"))
    until(started(q, d.id), "progress")
    q.pause(d.id)
    paused = q.wait(d.id, timeout_s=10)
    assert paused.state is DownloadState.PAUSED
    kept = incomplete_path(paused.dest(paused.files[0])).stat().st_size
    assert kept > 0
    assert q.get(d.id).done_bytes == kept  # recorded at the pause
    env.hub.clear_faults()
    q.resume(d.id)
    assert q.wait(d.id, timeout_s=30).state is DownloadState.DONE
    assert env.ranges("Tiny-Q8_0.gguf")[-1] == f"bytes={kept}-"


def test_cancel_deletes_partial_files_and_retry_starts_again(env: Env) -> None:
    env.hub.set_fault(TINY_GGUF, "Tiny-Q8_0.gguf", Fault(slow_bytes_per_s=SLOW))
    q = env.queue()
    q.start()
    d = q.add(TINY_GGUF, env.group("Tiny-Q8_0.gguf"))
    until(started(q, d.id), "progress")
    q.cancel(d.id)
    cancelled = q.wait(d.id, timeout_s=10)
    assert cancelled.state is DownloadState.CANCELLED and cancelled.done_bytes == 0
    assert not incomplete_path(d.dest(d.files[0])).exists()
    env.hub.clear_faults()
    q.retry(d.id)
    assert q.wait(d.id, timeout_s=30).state is DownloadState.DONE
    assert env.ranges("Tiny-Q8_0.gguf")[-1] is None  # started over


def test_corrupt_download_fails_registers_nothing_and_retry_works(env: Env) -> None:
    env.hub.set_fault(TINY_GGUF, "Tiny-Q4_0.gguf", Fault(corrupt=True, times=1))
    q = env.queue()
    q.start()
    d = q.wait(q.add(TINY_GGUF, env.group("Tiny-Q4_0.gguf")).id, timeout_s=30)
    assert d.state is DownloadState.FAILED
    assert "corrupted in transit (sha256 mismatch); it was deleted" in d.error
    assert env.catalog.entries() == [] and not d.dest(d.files[0]).exists()
    q.retry(d.id)
    assert q.wait(d.id, timeout_s=30).state is DownloadState.DONE
    assert len(env.catalog.entries()) == 1


def test_close_while_running_then_a_new_queue_continues(env: Env) -> None:
    env.hub.set_fault(TINY_GGUF, "Tiny-Q8_0.gguf", Fault(slow_bytes_per_s=SLOW))
    q = env.queue()
    q.start()
    d = q.add(TINY_GGUF, env.group("Tiny-Q8_0.gguf"))
    until(started(q, d.id), "progress")
    q.close()
    row = q.get(d.id)
    assert row.state is DownloadState.QUEUED and row.done_bytes > 0
    kept = incomplete_path(d.dest(d.files[0])).stat().st_size
    env.hub.clear_faults()
    q2 = env.queue()
    q2.start()
    assert q2.wait(d.id, timeout_s=30).state is DownloadState.DONE
    assert env.ranges("Tiny-Q8_0.gguf")[-1] == f"bytes={kept}-"


def test_rows_left_running_by_a_dead_process_resume_on_start(env: Env) -> None:
    q = env.queue()
    d = q.add(TINY_GGUF, env.group("Tiny-Q4_0.gguf"))  # not started: stays queued
    data = env.hub.repos[TINY_GGUF].revisions["main"].files["Tiny-Q4_0.gguf"].read(0, 300_000)
    part = incomplete_path(d.dest(d.files[0]))
    part.parent.mkdir(parents=True)
    part.write_bytes(data)
    env.store.execute("UPDATE downloads SET state = 'running', owner_pid = 999999999 WHERE id = ?", (d.id,))
    assert q.get(d.id).state is DownloadState.RUNNING
    q.start()
    assert q.wait(d.id, timeout_s=30).state is DownloadState.DONE
    assert env.ranges("Tiny-Q4_0.gguf") == ["bytes=300000-"]


def test_parallel_limit_is_respected(env: Env) -> None:
    names = ["Tiny-Q4_0.gguf", "Tiny-Q4_K_M.gguf", "Tiny-Q8_0.gguf"]
    for n in names:
        env.hub.set_fault(TINY_GGUF, n, Fault(slow_bytes_per_s=4_000_000))
    q = env.queue(parallel=1)
    ids = [q.add(TINY_GGUF, env.group(n)).id for n in names]
    q.start()
    most = 0
    while not all(q.get(i).state is DownloadState.DONE for i in ids):
        running = sum(d.state is DownloadState.RUNNING for d in q.list())
        most = max(most, running)
        assert all(q.get(i).state not in (DownloadState.FAILED, DownloadState.CANCELLED) for i in ids)
        time.sleep(0.005)
    assert most == 1
    # Queue order is kept.
    firsts = [next(k for k, e in enumerate(env.events) if e.id == i and e.state is DownloadState.RUNNING) for i in ids]
    assert firsts == sorted(firsts)


def test_set_parallel_runs_more_at_once(env: Env) -> None:
    names = ["Tiny-Q4_0.gguf", "Tiny-Q4_K_M.gguf"]
    for n in names:
        env.hub.set_fault(TINY_GGUF, n, Fault(slow_bytes_per_s=SLOW))
    q = env.queue(parallel=1)
    ids = [q.add(TINY_GGUF, env.group(n)).id for n in names]
    q.start()
    until(lambda: q.get(ids[0]).state is DownloadState.RUNNING, "the first download")
    assert q.get(ids[1]).state is DownloadState.QUEUED
    q.set_parallel(2)
    until(lambda: q.get(ids[1]).state is DownloadState.RUNNING, "the second download")
    for i in ids:
        q.cancel(i)
        assert q.wait(i, timeout_s=10).state is DownloadState.CANCELLED


def test_pause_and_cancel_of_queued_downloads(env: Env) -> None:
    q = env.queue()
    d = q.add(TINY_GGUF, env.group("Tiny-Q4_0.gguf"))
    q.pause(d.id)
    assert q.get(d.id).state is DownloadState.PAUSED
    q.cancel(d.id)
    assert q.get(d.id).state is DownloadState.CANCELLED
    q.resume(d.id)  # not paused any more: nothing happens
    assert q.get(d.id).state is DownloadState.CANCELLED


def test_add_twice_is_one_download_and_remove_only_when_finished(env: Env) -> None:
    q = env.queue()
    group = env.group("Tiny-Q4_0.gguf")
    d = q.add(TINY_GGUF, group)
    assert q.add(TINY_GGUF, group).id == d.id
    assert [x.id for x in q.list()] == [d.id]
    with pytest.raises(DownloadError, match="cancel it before removing it"):
        q.remove(d.id)
    q.start()
    assert q.wait(d.id, timeout_s=30).state is DownloadState.DONE
    q.remove(d.id)
    assert q.list() == []
    assert d.dest(d.files[0]).exists()  # the model stays


def test_a_file_that_is_no_model_fails_registration_but_is_kept(env: Env) -> None:
    env.hub.add_repo("test/Broken-GGUF", {"broken-Q4_0.gguf": b"not a gguf at all" * 1000})
    q = env.queue()
    q.start()
    group = env.group("broken-Q4_0.gguf", repo="test/Broken-GGUF")
    d = q.wait(q.add("test/Broken-GGUF", group).id, timeout_s=30)
    assert d.state is DownloadState.FAILED
    assert d.error.startswith("downloaded, but not added to the Library:") and "\n" not in d.error
    assert d.dest(d.files[0]).exists()


def test_gated_repo_without_token_fails_with_how_to_get_access(env: Env) -> None:
    gated_repo(env.hub)
    q = env.queue()
    q.start()
    group = FileGroup(name="Tiny-Q4_K_M.gguf", kind=env.group("Tiny-Q4_K_M.gguf").kind, quant="Q4_K_M",
                      files=(HubFile("Tiny-Q4_K_M.gguf", 957_056, None),))  # fmt: skip
    d = q.wait(q.add(GATED_GGUF, group).id, timeout_s=30)
    assert d.state is DownloadState.FAILED
    assert f"{GATED_GGUF} is gated: accept its terms at" in d.error and "HF_TOKEN" in d.error


def test_offline_fails_with_a_clear_message(env: Env) -> None:
    group = env.group("Tiny-Q4_0.gguf")
    q = env.queue(client=HubClient(closed_port_url()))
    q.start()
    d = q.wait(q.add(TINY_GGUF, group).id, timeout_s=30)
    assert d.state is DownloadState.FAILED
    assert d.error.startswith("cannot reach http://127.0.0.1:")


def test_bad_paths_are_refused(env: Env) -> None:
    q = env.queue()
    evil = FileGroup(name="evil", kind=env.group("Tiny-Q4_0.gguf").kind, quant="", files=(HubFile("../../evil.gguf", 1),))
    with pytest.raises(DownloadError, match="leaves the model's folder"):
        q.add(TINY_GGUF, evil)
    with pytest.raises(DownloadError, match="not a repository name"):
        q.add("../x", env.group("Tiny-Q4_0.gguf"))


def test_the_workbench_registers_a_finished_download_once_with_its_lineage_before_the_folder_watch(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The download's files are all in when the registrar runs: a folder scan at that very moment (the watch, on its own
    thread in the app) passes over the claimed path, so the model is registered once, as downloaded, not as found."""
    from app.library.scan import scan_folder
    from app.settings import Settings
    from app.workbench import Workbench

    workbench = Workbench(store=env.store, settings=Settings(models_dir=env.models_dir, hf_endpoint=env.hub.url))
    scans = []
    register = DownloadRegistrar.register

    def scan_then_register(self: DownloadRegistrar, d: Download) -> int:
        assert d.dest(d.files[0]).is_file()  # the worst moment for a race: the file is complete, not yet registered
        scans.append(scan_folder(env.models_dir / "modelwerk-test" / "Tiny-GGUF", env.catalog,
                                 skip=workbench.claimed_paths()))  # fmt: skip
        return register(self, d)

    monkeypatch.setattr(DownloadRegistrar, "register", scan_then_register)
    try:
        q = workbench.downloads
        q.start()
        d = q.wait(q.add(TINY_GGUF, env.group("Tiny-Q4_K_M.gguf")).id, timeout_s=30)
    finally:
        workbench.close()
    assert d.state is DownloadState.DONE, d.error
    [scan] = scans
    assert scan.added == () and scan.errors == ()  # the watch left it to the download
    [entry] = env.catalog.entries()
    assert entry.id == d.model_id and entry.source == f"downloaded from {TINY_GGUF}"
    assert workbench.claimed_paths() == frozenset()  # released once registered


def test_a_download_found_first_by_another_process_gets_its_lineage(env: Env) -> None:
    """`modelwerk pull` while the app is open: the app's folder watch does not know the pull's claims, so it may register
    the file first as merely found; the registrar then gives that entry its lineage instead of adding a second."""
    from app.library.scan import scan_folder

    q = env.queue()
    q.start()
    group = env.group("Tiny-Q4_K_M.gguf")
    d = q.add(TINY_GGUF, group)
    real = env.registrar.register

    def found_first(download: Download) -> int:
        scan_folder(download.model_path.parent, env.catalog)  # no claims: another process
        assert env.catalog.by_path(download.model_path) is not None
        return real(download)

    env.registrar.register = found_first  # type: ignore[method-assign]
    done = q.wait(d.id, timeout_s=30)
    assert done.state is DownloadState.DONE, done.error
    [entry] = env.catalog.entries()
    assert entry.id == done.model_id and entry.source == f"downloaded from {TINY_GGUF}"


def test_a_download_the_library_refuses_fails_with_one_line(env: Env) -> None:
    from app.library.catalog import CatalogError

    def refuse(download: Download) -> int:
        raise CatalogError("the Library is full")

    env.registrar.register = refuse  # type: ignore[method-assign]
    q = env.queue()
    q.start()
    d = q.wait(q.add(TINY_GGUF, env.group("Tiny-Q4_K_M.gguf")).id, timeout_s=30)
    assert d.state is DownloadState.FAILED
    assert d.error.startswith("downloaded, but not added to the Library: the Library is full")
