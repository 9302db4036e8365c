"""What the Chat and Compare pages talk to: the library's models (each loaded into its own runtime process) and remote
OpenAI-compatible endpoints, keyed by the sessions' model keys ("model:12", "endpoint:3/qwen3-8b").

`ChatBackends.engine(key)` gives a ChatEngine for a ready model. Runtime state changes come from the runtimes' watcher
threads; `RuntimeBridge.changed(key)` carries them to the GUI thread (a queued signal).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from app.chat.client import ChatClient
from app.chat.endpoints import Endpoint, EndpointNotFound, Endpoints
from app.chat.engine import ChatEngine
from app.chat.messages import ChatError
from app.chat.reasoning import NO_THINKING, ThinkingSupport, detect
from app.chat.runtime import LoadOptions, Runtime, RuntimeState, unavailable
from app.chat.runtime_manager import RuntimeManager
from app.chat.sessions import local_model_key
from app.chat.templates import ChatTemplate, template_for
from app.library.catalog import Catalog, CatalogEntry, EntryNotFound
from app.ui.common.format import number
from app.ui.common.i18n import translate
from formats.inspect import inspect
from formats.model import ModelFormat, ModelInfo

log = logging.getLogger(__name__)


class RuntimeBridge(QObject):
    """`changed(key, state)` on the GUI thread whenever a runtime's state changes (loading, ready, crashed...);
    `endpoint_models_changed()` when an endpoint's model list was fetched."""

    changed = Signal(str, object)
    endpoint_models_changed = Signal()

    def watch(self, key: str, runtime: Runtime) -> None:
        runtime.on_state_changed = lambda state: self.changed.emit(key, state)


@dataclass(frozen=True)
class LocalModel:
    """A library model as the chat sees it: its header (for the template and the fit check) and its thinking support."""

    key: str
    entry: CatalogEntry
    info: ModelInfo
    template: ChatTemplate
    support: ThinkingSupport


def chat_models(catalog: Catalog) -> list[CatalogEntry]:
    """The library models a runtime can load: GGUF files that are on disk."""
    return [e for e in catalog.entries() if e.format is ModelFormat.GGUF and not e.missing]


def read_local_model(entry: CatalogEntry) -> LocalModel:
    """Read the model's header and work out its template and thinking support (file I/O: call it off the GUI thread)."""
    info = inspect(Path(entry.path))
    template = template_for(info)
    return LocalModel(local_model_key(entry.id), entry, info, template, detect(template))


TINY_PARAMS = 1_000_000_000
"""Below this many parameters a model is tiny: the pane says what to expect of it."""


def model_note(model: LocalModel) -> str:
    """What the conversation pane says about the model before anything else: base model, tiny model, or nothing."""
    notes = []
    if model.template.base_model:
        notes.append(translate("Chat", "A base model: it has no chat template, so it continues a plain \"User: … "
                                       "Assistant:\" transcript instead of chatting; it answers simple questions, not "
                                       "instructions."))  # fmt: skip
    if 0 < model.info.n_params < TINY_PARAMS:
        size = f"{model.info.n_params / 1e6:.0f}M"
        notes.append(translate("Chat", "A tiny model ({size} parameters): expect short, often wrong answers; find a bigger "
                                       "one in Discover.").format(size=size))  # fmt: skip
    return " ".join(notes)


class ChatBackends:
    """The runtimes (RuntimeManager), the endpoints, and what is known about each local model."""

    def __init__(self, catalog: Catalog, endpoints: Endpoints, *, manager: RuntimeManager | None = None) -> None:
        self.catalog = catalog
        self.endpoints = endpoints
        self.manager = manager or RuntimeManager()
        self.bridge = RuntimeBridge()
        self._local: dict[str, LocalModel] = {}
        self.endpoint_models: dict[int, list[str]] = {}
        """The models each endpoint offers, as last fetched (the Chat page fetches them; Compare lists them too)."""

    # -- local models --------------------------------------------------------------------------------------------------

    def remember(self, model: LocalModel) -> None:
        self._local[model.key] = model

    def local(self, key: str) -> LocalModel | None:
        return self._local.get(key)

    def runtime(self, key: str) -> Runtime | None:
        return self.manager.get(key)

    def load(self, model: LocalModel, options: LoadOptions) -> Runtime:
        """Start a runtime for the model (returns at once, state LOADING); the Library's "Last used" is now."""
        self.remember(model)
        self.catalog.touch(model.entry.id)
        runtime = self.manager.load(model.key, Path(model.entry.path), options, name=model.entry.name)
        self.bridge.watch(model.key, runtime)
        self.bridge.changed.emit(model.key, runtime.state)
        return runtime

    def unload(self, key: str) -> None:
        self.manager.unload(key)
        self.bridge.changed.emit(key, RuntimeState.STOPPED)

    def reload(self, key: str) -> None:
        """Start the model's process again with the same options (after a crash); returns at once."""
        runtime = self.manager.get(key)
        if runtime is None:
            raise unavailable(None)
        runtime.reload()

    def model_name(self, key: str) -> str:
        """How the user knows a model: its Library name, or "model on endpoint"; the key when neither is known."""
        if key.startswith("model:"):
            try:
                return self.catalog.get(int(key.split(":", 1)[1])).name
            except (ValueError, EntryNotFound):
                return key
        parts = self.endpoint_key_parts(key)
        if parts is not None:
            try:
                return f"{parts[1]} on {self.endpoints.get(parts[0]).name}"
            except EndpointNotFound:
                return parts[1]
        return key

    # -- endpoints -----------------------------------------------------------------------------------------------------

    @staticmethod
    def endpoint_key_parts(key: str) -> tuple[int, str] | None:
        """(endpoint id, model name) of an "endpoint:3/name" key, else None."""
        if not key.startswith("endpoint:"):
            return None
        ident, _, model = key[len("endpoint:") :].partition("/")
        try:
            return int(ident), model
        except ValueError:
            return None

    @staticmethod
    def endpoint_client(endpoint: Endpoint) -> ChatClient:
        return ChatClient(endpoint.url, api_key=endpoint.api_key or None)

    # -- engines -------------------------------------------------------------------------------------------------------

    def note(self, key: str) -> str:
        """model_note for a local model that was read; "" for endpoints and models not read yet."""
        model = self._local.get(key)
        return model_note(model) if model is not None else ""

    def support(self, key: str) -> ThinkingSupport:
        model = self._local.get(key)
        return model.support if model is not None else NO_THINKING

    def context_size(self, key: str) -> int:
        """The loaded context (n_ctx) of a local model; 0 when unknown (endpoints)."""
        runtime = self.manager.get(key)
        if runtime is not None and runtime.n_ctx:
            return int(runtime.n_ctx)
        model = self._local.get(key)
        return model.entry.context_length if model is not None else 0

    def runs_on_cpu(self, key: str) -> bool:
        """Whether the model generates on this machine's CPU (a local runtime with no GPU layers). Endpoints answer
        elsewhere; a local model whose plan is not known yet counts as CPU (two of them must not share the cores)."""
        if self.endpoint_key_parts(key) is not None:
            return False
        runtime = self.manager.get(key)
        return runtime is None or not runtime.gpu_layers

    def engine(self, key: str) -> ChatEngine:
        """An engine for one answer from this model.

        Raises:
            ChatError: the model is not loaded or not ready, or the endpoint is gone.
        """
        parts = self.endpoint_key_parts(key)
        if parts is not None:
            endpoint = self.endpoints.get(parts[0])
            return ChatEngine(self.endpoint_client(endpoint), template=None, support=NO_THINKING, model=parts[1])
        runtime = self.manager.get(key)
        model = self._local.get(key)
        if runtime is None or model is None or runtime.state is not RuntimeState.READY:
            raise unavailable(runtime if model is not None else None)
        return ChatEngine(runtime.client(), template=model.template, support=model.support, model=model.entry.name)

    def stop_all(self) -> None:
        """Stop every runtime (closing the window)."""
        self.manager.stop_all()


def describe_state(runtime: Runtime | None) -> str:
    """ "ready · 1.2 GB", "loading…", "crashed", "" (not loaded)."""
    if runtime is None:
        return ""
    state = runtime.state
    if state is RuntimeState.READY:
        try:
            memory = runtime.memory_bytes()
        except (ChatError, OSError):
            memory = 0
        ready = translate("Chat", "ready")
        return f"{ready} · {number(memory / 1e9, 1)} GB" if memory else ready
    return {
        RuntimeState.LOADING: translate("Chat", "loading…"),
        RuntimeState.CRASHED: translate("Chat", "crashed"),
        RuntimeState.STOPPED: translate("Chat", "stopped"),
        RuntimeState.FAILED: translate("Chat", "failed"),
    }.get(state, str(state.value))
