"""The Chat page: models on the left (library models with their runtime's state and memory, remote endpoints), each
with its past conversations; one conversation per tab on the right.

Load… reads the model's header in the background (template, thinking support, fit), asks for the load options, and
starts a runtime process; its state arrives through ChatBackends.bridge. Closing the window stops every runtime.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from functools import partial
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.chat.endpoints import Endpoint
from app.chat.figures import figures_dir, prune
from app.chat.messages import ChatError
from app.chat.runtime import LoadOptions, RuntimeState, check_fit
from app.chat.sessions import Conversations, endpoint_model_key, local_model_key
from app.chat.workers import with_workers
from app.tools.mcp_pool import McpPool
from app.ui.chat.backends import ChatBackends, LocalModel, chat_models, describe_state, read_local_model
from app.ui.chat.conversation import ConversationPane
from app.ui.chat.dialogs import EndpointDialog, LoadDialog
from app.ui.common.errors import error_line
from app.ui.common.i18n import translate
from app.ui.common.messages import text as message_text
from app.ui.common.tasks import TaskGroup
from hardware.remote import RemoteWorker
from hardware.report import HardwareReport

log = logging.getLogger(__name__)
KIND_ROLE = Qt.ItemDataRole.UserRole
VALUE_ROLE = Qt.ItemDataRole.UserRole + 1
REFRESH_MS = 2000  # runtime memory in the list


class ChatPage(QWidget):
    """Signals: status_message(text, timeout_ms) like the other pages."""

    title = "Chat"
    status_message = Signal(str, int)

    def __init__(self, backends: ChatBackends, sessions: Conversations, parent: QWidget | None = None, *,
                 documents: Path | None = None, mcp_config: Path | None = None) -> None:  # fmt: skip
        """``documents``: the documents database (the Documents page's) whose collections a chat can attach;
        ``mcp_config``: the mcp.json whose servers a chat's Tools control offers."""
        super().__init__(parent)
        self.setObjectName("page")
        self.backends = backends
        self.sessions = sessions
        self.documents = documents
        self.mcp_config = mcp_config
        self.mcp_pool = McpPool()
        """Each conversation's MCP servers, running from its first answer with MCP on until it is closed."""
        self.tasks = TaskGroup(self)
        self._hardware: HardwareReport | None = None
        self._workers: tuple[RemoteWorker, ...] = ()
        self.default_threads = 0
        """The Load dialog's CPU threads (the ``threads`` setting; 0: automatic): the window sets it, live."""
        self._endpoint_errors: dict[int, str] = {}

        self.tree = QTreeWidget()
        self.tree.setObjectName("chat-models")
        self.tree.setHeaderLabels([translate("Chat", "Model"), translate("Chat", "State")])
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.load_button = QPushButton(translate("Chat", "Load…"))
        self.unload_button = QPushButton(translate("Chat", "Unload"))
        self.reload_button = QPushButton(translate("Chat", "Reload"))
        self.new_button = QPushButton(translate("Chat", "New chat"))
        self.delete_button = QPushButton(translate("Chat", "Delete chat"))
        self.endpoint_button = QPushButton(translate("Chat", "Add endpoint…"))
        buttons = QGridLayout()
        order = (self.load_button, self.unload_button, self.reload_button, self.new_button, self.delete_button,
                 self.endpoint_button)  # fmt: skip
        for i, b in enumerate(order):
            buttons.addWidget(b, i // 2, i % 2)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.tree, 1)
        left_layout.addLayout(buttons)

        self.tabs = QTabWidget()
        self._close_when_stopped: set[int] = set()
        """Conversations whose tab was closed mid-answer: the tab goes once the answer has stopped and been saved."""
        self.tabs.setTabsClosable(True)
        self.tabs.setDocumentMode(True)
        self.empty = QLabel(translate("Chat", "Open a conversation from the list on the left, or load a model and start "
                                              "a new chat."))  # fmt: skip
        self.empty.setObjectName("muted")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.tabs, 1)
        right_layout.addWidget(self.empty, 1)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setSizes([300, 800])
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setCollapsible(0, True)  # a narrow window can fold the model list away
        heading = QLabel(translate("Chat", "Chat"))
        heading.setObjectName("heading")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 12)
        layout.setSpacing(10)
        layout.addWidget(heading)
        layout.addWidget(self.splitter, 1)

        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self._update_states)
        self.timer.start()
        self.tree.currentItemChanged.connect(self._update_buttons)
        self.tree.itemClicked.connect(self._on_tree_item_clicked)  # one click opens a conversation, like a file list
        self.tree.itemActivated.connect(self._on_tree_item_clicked)  # Enter on the keyboard
        self.tabs.tabCloseRequested.connect(self._on_tabs_tab_close_requested)
        self.tabs.currentChanged.connect(self._on_tabs_current_changed)
        self.load_button.clicked.connect(self._on_load_button_clicked)
        self.unload_button.clicked.connect(self._on_unload_button_clicked)
        self.reload_button.clicked.connect(self._on_reload_button_clicked)
        self.new_button.clicked.connect(self._on_new_button_clicked)
        self.delete_button.clicked.connect(self._on_delete_button_clicked)
        self.endpoint_button.clicked.connect(self._on_endpoint_button_clicked)
        backends.bridge.changed.connect(self._on_runtime_changed)
        self.refresh()
        self._fetch_endpoint_models()

    # -- the model list ------------------------------------------------------------------------------------------------

    def set_hardware(self, hw: HardwareReport) -> None:
        self._hardware = hw

    def set_workers(self, workers: tuple[RemoteWorker, ...]) -> None:
        """The other machines that answered (the Hardware page's): a model that does not fit here spreads over them."""
        self._workers = workers

    def refresh(self) -> None:
        """Rebuild the list: library models, then endpoints with their models; conversations under each model."""
        current = self.selected()
        self.tree.clear()
        for entry in chat_models(self.backends.catalog):
            key = local_model_key(entry.id)
            item = self._item(self.tree, entry.name, "model", key)
            item.setToolTip(0, str(entry.path))
            self._add_conversations(item, key)
        for endpoint in self.backends.endpoints.list():
            name = translate("Chat", "{name} (endpoint)").format(name=endpoint.name)
            top = self._item(self.tree, name, "endpoint", endpoint.id)
            top.setText(1, self._endpoint_errors.get(endpoint.id, ""))
            for model in self.backends.endpoint_models.get(endpoint.id, []):
                key = endpoint_model_key(endpoint.id, model)
                self._add_conversations(self._item(top, model, "model", key), key)
            top.setExpanded(True)
        self._update_states()
        if current is not None:
            self.select(*current)
        self.empty.setVisible(self.tabs.count() == 0)
        self.tabs.setVisible(self.tabs.count() > 0)
        self._update_buttons()

    def _item(self, parent: QTreeWidget | QTreeWidgetItem, text: str, kind: str, value: object) -> QTreeWidgetItem:
        item = QTreeWidgetItem([text, ""])
        item.setToolTip(0, text)  # a narrow list cuts long names: the whole name on hover
        item.setData(0, KIND_ROLE, kind)
        item.setData(0, VALUE_ROLE, value)
        if isinstance(parent, QTreeWidget):
            parent.addTopLevelItem(item)
        else:
            parent.addChild(item)
        return item

    def _add_conversations(self, item: QTreeWidgetItem, key: str) -> None:
        for conversation in self.sessions.list_for(key):
            self._item(item, conversation.title or translate("Chat", "New chat"), "conversation", conversation.id)
        item.setExpanded(True)

    def _items(self) -> list[QTreeWidgetItem]:
        found: list[QTreeWidgetItem] = []

        def walk(item: QTreeWidgetItem) -> None:
            found.append(item)
            for i in range(item.childCount()):
                child = item.child(i)
                if child is not None:  # always, for i in range
                    walk(child)

        for i in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(i)
            if top is not None:  # always, for i in range
                walk(top)
        return found

    def selected(self) -> tuple[str, object] | None:
        item = self.tree.currentItem()
        return None if item is None else (str(item.data(0, KIND_ROLE)), item.data(0, VALUE_ROLE))

    def select(self, kind: str, value: object) -> bool:
        for item in self._items():
            if item.data(0, KIND_ROLE) == kind and item.data(0, VALUE_ROLE) == value:
                self.tree.setCurrentItem(item)
                return True
        return False

    def selected_model_key(self) -> str | None:
        item = self.tree.currentItem()
        while item is not None and item.data(0, KIND_ROLE) != "model":
            item = item.parent()
        return None if item is None else str(item.data(0, VALUE_ROLE))

    def _update_states(self) -> None:
        for item in self._items():
            if item.data(0, KIND_ROLE) == "model" and str(item.data(0, VALUE_ROLE)).startswith("model:"):
                item.setText(1, describe_state(self.backends.runtime(str(item.data(0, VALUE_ROLE)))))

    def _update_buttons(self) -> None:
        key = self.selected_model_key()
        local = key is not None and key.startswith("model:")
        runtime = self.backends.runtime(key) if local and key else None
        self.load_button.setEnabled(local)
        self.unload_button.setEnabled(runtime is not None)
        self.reload_button.setEnabled(runtime is not None)
        self.new_button.setEnabled(key is not None)
        selected = self.selected()
        self.delete_button.setEnabled(selected is not None and selected[0] == "conversation")

    # -- runtimes ------------------------------------------------------------------------------------------------------

    def chat_with(self, entry_id: int) -> None:
        """The Library's Chat button: a chat with this model — an open empty one, else a new one — loading the model
        first (the Load dialog with its memory estimate) unless it is loaded or loading already."""
        key = local_model_key(entry_id)
        runtime = self.backends.runtime(key)
        if runtime is not None and runtime.state in (RuntimeState.LOADING, RuntimeState.READY):
            self._open_chat_for(key)
        else:
            self.load(entry_id, then=lambda: self._open_chat_for(key))

    def _open_chat_for(self, key: str) -> None:
        for pane in self.panes():
            if pane.key == key and not pane.messages():
                self.tabs.setCurrentWidget(pane)
                return
        self.new_chat(key)

    def load(self, entry_id: int, options: LoadOptions | None = None, *, then: Callable[[], None] | None = None) -> None:
        """Read the model's header in the background, then ask for options (or use `options`) and start its runtime;
        `then` runs once the load has started (not when the user cancels the dialog)."""
        entry = self.backends.catalog.get(entry_id)
        self.status_message.emit(translate("Chat", "Reading {name}…").format(name=entry.name), 0)
        self.tasks.start(lambda: read_local_model(entry), lambda model: self._on_model_read(model, options, then),
                         self._on_load_error, what=f"read {entry.name}")  # fmt: skip

    def _on_model_read(self, model: LocalModel, options: LoadOptions | None,
                       then: Callable[[], None] | None = None) -> None:  # fmt: skip
        self.backends.remember(model)
        if options is None:
            hw = self._hardware

            def fit_check(o: LoadOptions) -> str | None:
                return check_fit(model.info, hw, o) if hw is not None else None

            dialog = LoadDialog(model.entry.name, max_context=model.info.context_length, fit_check=fit_check,
                                threads=self.default_threads, parent=self)  # fmt: skip
            if not dialog.exec():
                self.status_message.emit("", 0)
                return
            options = dialog.options()
        options = with_workers(model.info, self._hardware, options, self._workers)
        self.backends.load(model, options)
        self.status_message.emit(translate("Chat", "Loading {name}…").format(name=model.entry.name), 5000)
        if then is not None:
            then()

    def _on_load_error(self, message: str) -> None:
        self.status_message.emit(translate("Chat", "Cannot load: {error}").format(error=message), 10_000)

    def _on_runtime_changed(self, key: str, state: RuntimeState) -> None:
        self._update_states()
        self._update_buttons()
        for pane in self.panes():
            if pane.key == key:
                pane.refresh_model()
        runtime = self.backends.runtime(key)
        name = runtime.name if runtime is not None else key
        if state is RuntimeState.READY:
            self.status_message.emit(translate("Chat", "{name} is ready").format(name=name), 5000)
        elif state in (RuntimeState.CRASHED, RuntimeState.FAILED) and runtime is not None:
            self.status_message.emit(f"{name}: {message_text(runtime.error_text)}", 10_000)

    def _on_pane_load_requested(self, key: str) -> None:
        if key.startswith("model:"):
            self.load(int(key.split(":", 1)[1]))

    def _on_load_button_clicked(self) -> None:
        key = self.selected_model_key()
        if key and key.startswith("model:"):
            self.load(int(key.split(":", 1)[1]))

    def _on_unload_button_clicked(self) -> None:
        key = self.selected_model_key()
        if key:
            for pane in self.panes():
                if pane.key == key:
                    pane.stop()
            self.backends.unload(key)

    def _on_reload_button_clicked(self) -> None:
        key = self.selected_model_key()
        if key:
            try:
                self.backends.reload(key)
            except ChatError as e:
                self.status_message.emit(error_line(e), 10_000)

    # -- conversations -------------------------------------------------------------------------------------------------

    def panes(self) -> list[ConversationPane]:
        return [w for i in range(self.tabs.count()) if isinstance(w := self.tabs.widget(i), ConversationPane)]

    def new_chat(self, key: str) -> ConversationPane:
        conversation = self.sessions.create(key)
        pane = self.open_conversation(conversation.id)
        self.refresh()
        self.select("conversation", conversation.id)
        return pane

    def open_conversation(self, conversation_id: int) -> ConversationPane:
        for pane in self.panes():
            if pane.conversation.id == conversation_id:
                self.tabs.setCurrentWidget(pane)
                return pane
        conversation = self.sessions.get(conversation_id)
        pane = ConversationPane(conversation, sessions=self.sessions, backends=self.backends, tasks=self.tasks,
                                documents=self.documents, mcp_config=self.mcp_config, mcp_pool=self.mcp_pool)  # fmt: skip
        pane.changed.connect(self._on_pane_changed)
        pane.load_requested.connect(self._on_pane_load_requested)
        index = self.tabs.addTab(pane, self._tab_title(pane))
        self.tabs.setCurrentIndex(index)
        self.empty.hide()
        self.tabs.show()
        return pane

    def _tab_title(self, pane: ConversationPane) -> str:
        title = self.sessions.get(pane.conversation.id).title or translate("Chat", "New chat")
        if len(title) <= 28:
            return title
        numbered = re.fullmatch(r"(.*) (\(\d+\))", title)
        stem, number = (numbered.group(1), " " + numbered.group(2)) if numbered else (title, "")
        return stem[: 27 - len(number)].rstrip() + "…" + number  # "What is the capital o… (2)": the number stays

    def _on_pane_changed(self) -> None:
        """A conversation got a message or a title: its tab and list entry follow (the list is not rebuilt: that
        costs a relayout of the page on every message)."""
        pane = self.sender()
        for i, p in enumerate(self.panes()):
            if p is pane or not isinstance(pane, ConversationPane):
                text = self._tab_title(p)
                if self.tabs.tabText(i) != text:
                    self.tabs.setTabText(i, text)
        if not isinstance(pane, ConversationPane) or not self._touch(pane.conversation.id):
            self.refresh()
        if isinstance(pane, ConversationPane) and pane.conversation.id in self._close_when_stopped and not pane.busy():
            self._close_when_stopped.discard(pane.conversation.id)
            self._on_tabs_tab_close_requested(self.tabs.indexOf(pane))

    def _touch(self, conversation_id: int) -> bool:
        """Show a conversation's current title and move it to the top of its model's list; False if it is not listed."""
        for item in self._items():
            if item.data(0, KIND_ROLE) == "conversation" and item.data(0, VALUE_ROLE) == conversation_id:
                title = self.sessions.get(conversation_id).title or translate("Chat", "New chat")
                if item.text(0) != title:
                    item.setText(0, title)
                parent = item.parent()
                if parent is not None and parent.indexOfChild(item) > 0:
                    # Taking the current item out makes its neighbour current: "Delete chat" would then delete that
                    # one. It stays current; the selection is the current item alone.
                    current = self.tree.currentItem() is item
                    parent.takeChild(parent.indexOfChild(item))
                    parent.insertChild(0, item)
                    if current:
                        self.tree.setCurrentItem(item)
                return True
        return False

    def _on_tabs_tab_close_requested(self, index: int) -> None:
        pane = self.tabs.widget(index)
        if isinstance(pane, ConversationPane):
            if pane.busy():
                self._close_when_stopped.add(pane.conversation.id)
                pane.stop()
                return  # closed once the answer has stopped and been saved (_on_pane_changed)
            self.tabs.removeTab(index)
            self.mcp_pool.drop(pane.conversation.id)
            pane.deleteLater()
            kept = self.sessions.get(pane.conversation.id)
            if not pane.messages() and not kept.system_prompt and kept.attachment is None:
                # A new chat nobody wrote in or set up is not kept as a "New chat" in the list.
                self.sessions.delete(kept.id)
                self.refresh()
        self.empty.setVisible(self.tabs.count() == 0)
        self.tabs.setVisible(self.tabs.count() > 0)

    def _on_tabs_current_changed(self, index: int) -> None:
        """The list follows the tabs: the open conversation is the one selected (what "Delete chat" deletes)."""
        pane = self.tabs.widget(index)
        if isinstance(pane, ConversationPane):
            self.select("conversation", pane.conversation.id)

    def _on_tree_item_clicked(self, item: QTreeWidgetItem, _column: int) -> None:
        if item.data(0, KIND_ROLE) == "conversation":
            self.open_conversation(int(item.data(0, VALUE_ROLE)))

    def _on_new_button_clicked(self) -> None:
        key = self.selected_model_key()
        if key:
            self.new_chat(key)

    def _on_delete_button_clicked(self) -> None:
        selected = self.selected()
        if selected is None or selected[0] != "conversation":
            return
        conversation_id = selected[1]
        if not isinstance(conversation_id, int):  # a conversation's item holds its id
            return
        answer = QMessageBox.question(self, translate("Chat", "Delete chat"), translate("Chat", "Delete this conversation?"))
        if answer != QMessageBox.StandardButton.Yes:
            return
        self.delete_conversation(conversation_id)

    def delete_conversation(self, conversation_id: int) -> None:
        for i, pane in enumerate(self.panes()):
            if pane.conversation.id == conversation_id:
                pane.stop()
                self.tabs.removeTab(i)
                pane.deleteLater()
                break
        self.mcp_pool.drop(conversation_id)
        self.sessions.delete(conversation_id)
        self.refresh()
        keep = self.sessions.figure_names()
        self.tasks.start(lambda: prune(figures_dir(), keep), lambda gone: log.info("%s figure(s) deleted", gone),
                         what="deleting the figures no conversation shows")  # fmt: skip

    # -- endpoints -----------------------------------------------------------------------------------------------------

    def add_endpoint(self, name: str, url: str, api_key: str = "") -> Endpoint:
        endpoint = self.backends.endpoints.add(name, url, api_key=api_key)
        self._fetch_endpoint_models([endpoint])
        self.refresh()
        return endpoint

    def _on_endpoint_button_clicked(self) -> None:
        dialog = EndpointDialog(self, key_notice=self.backends.endpoints.keys.notice)
        if dialog.exec():
            name, url, key = dialog.values()
            try:
                self.add_endpoint(name, url, key)
            except ChatError as e:
                self.status_message.emit(error_line(e), 10_000)

    def _fetch_endpoint_models(self, endpoints: list[Endpoint] | None = None) -> None:
        for endpoint in endpoints if endpoints is not None else self.backends.endpoints.list():
            client = self.backends.endpoint_client(endpoint)
            ident = endpoint.id
            self.tasks.start(client.models, partial(self._on_endpoint_models, ident), partial(self._on_endpoint_error, ident),
                             what=f"models of endpoint {ident}")  # fmt: skip

    def _on_endpoint_models(self, endpoint_id: int, models: list[str]) -> None:
        self.backends.endpoint_models[endpoint_id] = models
        self._endpoint_errors.pop(endpoint_id, None)
        self.refresh()
        self.backends.bridge.endpoint_models_changed.emit()

    def _on_endpoint_error(self, endpoint_id: int, message: str) -> None:
        self._endpoint_errors[endpoint_id] = "unreachable"
        self.status_message.emit(translate("Chat", "Endpoint: {error}").format(error=message), 10_000)
        self.refresh()

    # -- closing -------------------------------------------------------------------------------------------------------

    def busy(self) -> bool:
        return self.tasks.pending() > 0 or self.mcp_pool.stopping()

    def shutdown(self) -> None:
        """Stop every answer, every runtime and every MCP server (the window is closing; the servers stop on threads of
        their own, ``mcp_pool.join`` waits for them)."""
        self.timer.stop()
        for pane in self.panes():
            pane.shutdown()
        self.tasks.close()
        self.mcp_pool.close()
        self.backends.stop_all()
