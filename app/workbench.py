"""The composition root without Qt: the services of one data folder, and the workflows that cross them.

Both faces build one ``Workbench`` and use it: the main window (app.ui) subscribes to its events through the Qt
marshaller; the CLI (app.cli) calls it and prints. Heavy services (the hub client, the download queue, the job queue and
runner) are made on first use, so a command that needs only the Library pays for nothing else.

Cross-domain workflows live here, once:
- a chat turn is persisted through ``app.chat.turn.ChatTurn`` on ``conversations`` (GUI, ``modelwerk chat``, Compare);
- a chat from the command line names a model file: ``library_model`` registers it where it is, so its conversation shows
  in the Chat page like any other.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from app import paths
from app.settings import Settings, load_settings
from app.store import Store

if TYPE_CHECKING:
    from app.chat.endpoints import Endpoints
    from app.chat.sessions import Conversations
    from app.library.catalog import Catalog, CatalogEntry

__all__ = ["Workbench"]

log = logging.getLogger(__name__)


class Workbench:
    """The store of the data folder and the services built on it.

    Attributes:
        store: the open database (closed by ``close`` when the workbench opened it).
        settings: the user's settings, read when the workbench was built.
        catalog: the Library.
        conversations: saved chats (messages left streaming by a crash become cancelled when it is built).
        endpoints: remote OpenAI-compatible servers.
    """

    def __init__(self, *, store: Store | None = None, settings: Settings | None = None) -> None:
        from app.chat.endpoints import Endpoints
        from app.chat.sessions import Conversations
        from app.library.catalog import Catalog

        self._own_store = store is None
        self.store = store if store is not None else Store.open(paths.database_path())
        self.settings = settings if settings is not None else load_settings(self.store)
        self.catalog: Catalog = Catalog(self.store)
        self.conversations: Conversations = Conversations(self.store)
        self.endpoints: Endpoints = Endpoints(self.store)

    @property
    def models_dir(self) -> Path:
        return self.settings.models_dir

    def __enter__(self) -> Workbench:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close what the workbench opened (the store, when it was not handed one)."""
        if self._own_store and not self.store.closed:
            self.store.close()

    # -- Library ---------------------------------------------------------------------------------------------------

    def library_model(self, path: Path) -> CatalogEntry:
        """The Library entry of a model file, registering it where it is when it is not in the Library yet.

        Raises:
            ModelFileError: not a model the Library can read (one line).
        """
        from app.library.importer import ImportMode, import_model
        from app.library.model import ModelFileError

        entry = self.catalog.by_path(path.expanduser().absolute())
        if entry is not None:
            return entry
        result = import_model(path, self.catalog, self.models_dir, mode=ImportMode.IN_PLACE)
        if result.entry is not None:
            return result.entry
        if result.duplicate_of is not None:
            return result.duplicate_of
        raise ModelFileError(result.error or f"cannot register {path.name} in the Library")
