"""The composition root without Qt: the services of one data folder, and the workflows that cross them.

Both faces build one ``Workbench`` and use it: the main window (app.ui) subscribes to its events through the Qt
marshaller; the CLI (app.cli) calls it and prints. Heavy services (the hub client, the download queue, the job queue and
runner) are made on first use, so a command that needs only the Library pays for nothing else.

Cross-domain workflows live here, once:
- a chat turn is persisted through ``app.chat.turn.ChatTurn`` on ``conversations`` (GUI, ``modelwerk chat``, Compare);
- a chat from the command line names a model file: ``library_model`` registers it where it is, so its conversation shows
  in the Chat page like any other;
- a finished job or download is registered in the Library here, with its lineage: jobs through ``app.jobs.JobService``,
  downloads through ``DownloadRegistrar`` (the hub knows nothing of the Library); until then their paths are claimed,
  and the folder watch passes over ``claimed_paths()``;
- a download's "quantize it myself" wish becomes jobs: ``queue_follow_ups``.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from app import paths
from app.library.catalog import Catalog, source_downloaded
from app.library.scan import Claims
from app.settings import Settings, load_settings
from app.store import Store

if TYPE_CHECKING:
    from app.chat.endpoints import Endpoints
    from app.chat.sessions import Conversations
    from app.documents.store import DocumentStore
    from app.hub.client import HubClient
    from app.hub.download_rows import Download
    from app.hub.downloads import DownloadQueue
    from app.hub.token import HubToken
    from app.jobs import JobService
    from app.library.catalog import CatalogEntry
    from quantize.queue import JobQueue

__all__ = ["DownloadRegistrar", "Workbench"]

log = logging.getLogger(__name__)


class Workbench:
    """The store of the data folder and the services built on it.

    Attributes:
        store: the open database (closed by ``close`` when the workbench opened it).
        settings: the user's settings, read when the workbench was built.
        catalog: the Library.
        endpoints: remote OpenAI-compatible servers.
        claims: paths that running jobs and downloads register in the Library themselves.
        conversations, hub, downloads, jobs, documents: made on first use (properties).
    """

    def __init__(
        self, *, store: Store | None = None, settings: Settings | None = None, jobs_queue: JobQueue | None = None
    ) -> None:
        """``jobs_queue``: the job queue to use (default: the data folder's, opened on first use of ``jobs``)."""
        from app.chat.endpoints import Endpoints

        self._own_store = store is None
        self.store = store if store is not None else Store.open(paths.database_path())
        self.settings = settings if settings is not None else load_settings(self.store)
        self.catalog: Catalog = Catalog(self.store)
        self._conversations: Conversations | None = None
        self.endpoints: Endpoints = Endpoints(self.store)
        self.claims = Claims()
        self._jobs_queue = jobs_queue
        self._hub: HubClient | None = None
        self._hub_token: HubToken | None = None
        self._downloads: DownloadQueue | None = None
        self._jobs: JobService | None = None
        self._documents: DocumentStore | None = None
        self._follow_ups: set[int] = set()

    @property
    def models_dir(self) -> Path:
        return self.settings.models_dir

    def __enter__(self) -> Workbench:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self, downloads_timeout_s: float = 5.0) -> None:
        """Stop the work that runs (jobs become interrupted, downloads stay resumable) and close what the workbench
        opened: the store when it was not handed one, the job queue."""
        if self._jobs is not None:
            self._jobs.stop()
        if self._downloads is not None:
            self._downloads.close(downloads_timeout_s)
        if self._own_store and not self.store.closed:
            self.store.close()
        if self._jobs is not None:
            self._jobs.queue.close()
        if self._documents is not None:
            self._documents.close()

    # -- services made on first use --------------------------------------------------------------------------------

    @property
    def hub_token(self) -> HubToken:
        """The user's Hugging Face token (in the keyring or the private key file); the hub client reads it per request,
        so setting or removing it takes effect at once."""
        if self._hub_token is None:
            from app.hub.token import HubToken

            self._hub_token = HubToken(self.store, self.endpoints.keys, ref=self.settings.hf_token_ref)
        return self._hub_token

    @property
    def conversations(self) -> Conversations:
        """Saved chats. Building them turns messages left streaming by a crash into cancelled ones, so only a face that
        chats builds them: ``modelwerk pull`` or ``quantize`` must not cancel a reply the open window is streaming."""
        if self._conversations is None:
            from app.chat.sessions import Conversations

            self._conversations = Conversations(self.store)
        return self._conversations

    @property
    def hub(self) -> HubClient:
        """The Hugging Face client (it imports no HTTP library until it is used)."""
        if self._hub is None:
            from app.hub.client import hf_client

            self._hub = hf_client(self.settings, token=self.hub_token.get)
        return self._hub

    @property
    def downloads(self) -> DownloadQueue:
        """The download queue; each finished download is registered in the Library by ``DownloadRegistrar`` (``start``
        it to run)."""
        if self._downloads is None:
            from app.hub.downloads import DownloadQueue

            registrar = DownloadRegistrar(self.catalog, self.models_dir)
            self._downloads = DownloadQueue(self.store, client=self.hub, registrar=registrar, models_dir=self.models_dir,
                                            parallel=self.settings.parallel_downloads)  # fmt: skip
        return self._downloads

    @property
    def jobs(self) -> JobService:
        """The job queue and its runner; it registers finished outputs in the Library (``start`` it to run). Opening the
        queue turns the running jobs of a crashed session into interrupted ones."""
        if self._jobs is None:
            from app import jobs

            queue = self._jobs_queue
            if queue is None:  # the parallel limit is a setting: the queue's file keeps only its live state
                queue = jobs.open_queue(max_parallel=self.settings.parallel_jobs)
            self._jobs = jobs.JobService(queue, catalog=self.catalog, models_dir=self.models_dir,
                                         python_for=jobs.python_for, claims=self.claims)  # fmt: skip
        return self._jobs

    @property
    def documents(self) -> DocumentStore:
        """The document collections (their own database file in the data folder, ``documents.db``)."""
        if self._documents is None:
            from app.documents.store import DB_NAME, DocumentStore

            self._documents = DocumentStore.open(paths.data_dir() / DB_NAME)
        return self._documents

    def claimed_paths(self) -> frozenset[Path]:
        """Paths that running jobs and downloads will register in the Library themselves: a folder scan passes over them."""
        claimed = self.claims.paths()
        if self._downloads is not None:
            claimed |= {p.expanduser().resolve() for p in self._downloads.active_paths()}
        return claimed

    # -- workflows -------------------------------------------------------------------------------------------------

    def take_follow_ups(self) -> list[Download]:
        """Downloads whose "quantize it myself" recipe is still to be queued; they are taken: a later call does not list
        them again (for ``queue_follow_ups``, which may run on another thread)."""
        owed = [d for d in self.downloads.follow_ups() if d.id not in self._follow_ups]
        self._follow_ups.update(d.id for d in owed)
        return owed

    def queue_follow_ups(self, owed: list[Download] | None = None) -> list[Download]:
        """Queue the recipes of ``owed`` (default: ``take_follow_ups()``); each download forgets its wish once its jobs are
        in. The outputs go next to the download (models/AUTHOR/REPO -> models/AUTHOR/REPO.Q4_K_M.gguf), so two authors'
        "Model" repositories do not write the same file. Returns the downloads whose jobs were queued.

        Raises:
            SpecError: a recipe names an unknown type (the others before it are queued).
        """
        queued = []
        for d in self.take_follow_ups() if owed is None else owed:
            try:
                self.jobs.add_recipe(d.model_path, list(d.then_quantize), out_dir=d.model_path.parent)
            except Exception:
                self._follow_ups.discard(d.id)  # owed still: the next start tries again
                raise
            self.downloads.follow_up_queued(d.id)
            queued.append(d)
        return queued

    # -- Library ---------------------------------------------------------------------------------------------------

    def library_model(self, path: Path) -> CatalogEntry:
        """The Library entry of a model file, registering it where it is when it is not in the Library yet.

        Raises:
            ModelFileError: not a model the Library can read (one line).
        """
        from app.library.importer import ImportMode, import_model
        from formats.model import ModelFileError

        entry = self.catalog.by_path(path.expanduser().absolute())
        if entry is not None:
            return entry
        result = import_model(path, self.catalog, self.models_dir, mode=ImportMode.IN_PLACE)
        if result.entry is not None:
            return result.entry
        if result.duplicate_of is not None:
            return result.duplicate_of
        raise ModelFileError(result.error or f"cannot register {path.name} in the Library")


class DownloadRegistrar:
    """Registers finished downloads in the Library where they are, with their lineage ("downloaded from REPO"); the
    download queue calls it on its worker thread while the download's path is still among its ``active_paths`` (so the
    folder watch, which skips ``Workbench.claimed_paths()``, cannot register it first as merely found)."""

    def __init__(self, catalog: Catalog, models_dir: Path) -> None:
        self.catalog = catalog
        self.models_dir = models_dir

    def register(self, download: Download) -> int:
        """The Library id of the finished download's model.

        Raises:
            CatalogError: the Library refused it (one line: why).
        """
        from app.library.catalog import CatalogError
        from app.library.importer import register_in_place

        d = download
        known = d.files[0].sha256 if len(d.files) == 1 else None  # a split set's catalog hash is over all parts
        result = register_in_place(d.model_path, self.catalog, self.models_dir, source=source_downloaded(d.repo_id),
                                   sha256=known)  # fmt: skip
        entry = result.entry or result.duplicate_of
        if entry is None:
            raise CatalogError(result.error or f"cannot register {d.name}")
        return entry.id

    def holds(self, path: Path) -> bool:
        return self.catalog.by_path(path) is not None
