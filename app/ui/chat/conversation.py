"""One conversation in a tab: settings row, transcript, crash banner, input and the buttons under it.

Sending runs a `ChatTurn` (app.chat.turn: it saves the user message, the streaming assistant message and its final
state) in an AnswerJob (a pool thread). Stop sets the turn's cancel event; the engine closes the stream within a token
and the answer is saved as 'cancelled' with what it had. A runtime that dies mid-answer leaves the partial answer saved
as 'error'; the banner says what happened and offers Reload; the history stays.

With a document collection attached (the 📎 control next to the input), each answer is a `DocumentTurn` (app.answering):
the sources go into the prompt, the answer streams the same way and is saved with its sources, whose citations open the
passage in place (app.ui.chat.sources).
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMenu,
    QProgressBar,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.answering import DocumentTurn
from app.chat import export
from app.chat.attachments import AnswerSource, AnswerSources, Attachment
from app.chat.engine import ChatEngine
from app.chat.figures import figures_of
from app.chat.messages import Answer, ChatError, PromptedStrategy, ReasoningMode, Role, Sampling
from app.chat.runtime import RuntimeState
from app.chat.sessions import Conversation, Conversations, StoredMessage
from app.chat.toolset import ToolSet
from app.chat.turn import ChatTurn
from app.tools.loop import Approval, Step
from app.tools.mcp_pool import McpPool
from app.tools.render import NoToolCalling, call_format
from app.tools.turn import ToolTurn
from app.ui.chat.answer_job import AnswerJob
from app.ui.chat.attach import AttachBar
from app.ui.chat.backends import ChatBackends, describe_state
from app.ui.chat.chat_input import ChatInput
from app.ui.chat.sampling import SamplingControls
from app.ui.chat.sources import SourceDialog, read_source_text
from app.ui.chat.thinking import ThinkingControls, reasoning_choices
from app.ui.chat.tools import ApprovalBridge, ApprovalDialog, PendingApproval, ToolsControl, steps_display
from app.ui.chat.transcript import TranscriptView, bubble_of
from app.ui.common.errors import error_line
from app.ui.common.format import number
from app.ui.common.i18n import translate
from app.ui.common.messages import text as message_text
from app.ui.common.tasks import TaskGroup
from core.errors import message_of
from core.messages import Text

log = logging.getLogger(__name__)
CHARS_PER_TOKEN = 4  # the context meter's guess before the server has counted
METER_MIN_WIDTH = 100
UNKNOWN_CONTEXT = 4096
"""The context an answer from documents plans for when the model's is not known (an endpoint does not say)."""


class ConversationPane(QWidget):
    """A conversation with one model. `changed()` when its title or messages change (the page refreshes its list)."""

    changed = Signal()
    load_requested = Signal(str)
    """The banner's Load… button: load this model (its key) with the Load dialog."""

    def __init__(self, conversation: Conversation, *, sessions: Conversations, backends: ChatBackends,
                 tasks: TaskGroup, documents: Path | None = None, mcp_config: Path | None = None,
                 mcp_pool: McpPool | None = None, parent: QWidget | None = None) -> None:  # fmt: skip
        """``documents``: the documents database whose collections can be attached (None: no 📎 control);
        ``mcp_config``: the mcp.json whose servers the Tools control offers; ``mcp_pool``: where they keep running
        between answers (the page's)."""
        super().__init__(parent)
        self.conversation = conversation
        self.key = conversation.model_key
        self.sessions = sessions
        self.backends = backends
        self.tasks = tasks
        self.job: AnswerJob | None = None
        self.documents = documents
        self.mcp_config = mcp_config
        self.mcp_pool = mcp_pool
        self.approvals = ApprovalBridge(self)
        self.approval_dialog: ApprovalDialog | None = None
        self.source_dialog: SourceDialog | None = None
        self._editing: int | None = None
        self._updating = False

        # settings row
        self.reasoning = QComboBox()
        self.reasoning.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)  # the row has room: no cut
        self.reasoning.setToolTip(translate("Chat", "System 1 answers at once; System 2 thinks first (shown in a folded "
                                                    "block)"))
        self.thinking_controls = ThinkingControls(conversation.thinking_budget, conversation.strategy)
        self.sampling_controls = SamplingControls(conversation.sampling)
        # System prompt and export share one menu.
        self._reads = TaskGroup(self)
        """Reads of cited sources' files and of the collections list (ours: one that ends after the tab closed goes
        nowhere)."""
        self._exports = TaskGroup(self)
        """Exports (a conversation's figures are copied with it)."""
        self.tools_control = ToolsControl(conversation.tools, documents=documents, tasks=self._reads)
        self.more_button = QToolButton()
        self.more_button.setText(translate("Chat", "Conversation"))
        self.more_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.more_button)
        menu.addAction(translate("Chat", "System prompt…"), self._on_system_prompt_triggered)
        menu.addSeparator()
        menu.addAction(translate("Chat", "Export as Markdown…"), lambda: self._export(".md"))
        menu.addAction(translate("Chat", "Export as JSON…"), lambda: self._export(".json"))
        self.more_button.setMenu(menu)
        # Two rows, so that System 2's extra controls or a narrow (1024-wide) window never squeeze or clip them: how the
        # model thinks, then how it samples.
        mode_row = QHBoxLayout()
        mode_row.addWidget(self.reasoning)
        mode_row.addWidget(self.thinking_controls)
        mode_row.addStretch()
        mode_row.addWidget(self.tools_control)
        mode_row.addWidget(self.more_button)
        sampling_row = QHBoxLayout()
        sampling_row.addWidget(self.sampling_controls)
        sampling_row.addStretch()
        settings = QVBoxLayout()
        settings.setSpacing(6)
        settings.addLayout(mode_row)
        settings.addLayout(sampling_row)

        # what to expect of this model (a base model, a tiny one): always visible above the conversation
        self.model_note = QLabel()
        self.model_note.setObjectName("chat-model-note")
        self.model_note.setWordWrap(True)
        self.model_note.setTextFormat(Qt.TextFormat.PlainText)
        self.model_note.hide()

        # crash / error banner
        self.banner = QFrame()
        self.banner.setObjectName("chat-banner")
        self.banner_text = QLabel()
        self.banner_text.setWordWrap(True)
        self.banner_text.setTextFormat(Qt.TextFormat.PlainText)  # server errors are outside text
        self.reload_button = QPushButton(translate("Chat", "Reload"))
        self.load_button = QPushButton(translate("Chat", "Load…"))
        self.load_button.setObjectName("primary")
        banner_layout = QHBoxLayout(self.banner)
        banner_layout.setContentsMargins(10, 6, 10, 6)
        banner_layout.addWidget(self.banner_text, 1)
        banner_layout.addWidget(self.load_button)
        banner_layout.addWidget(self.reload_button)
        self.banner.hide()

        self.view = TranscriptView()
        self.attach_bar = AttachBar(documents, conversation.attachment) if documents is not None else None
        self.input = ChatInput()
        self.input.setObjectName("chat-input")
        self.input.setPlaceholderText(translate("Chat", "Message — Enter sends, Shift+Enter for a new line"))
        self.input.setFixedHeight(72)
        self.send_button = QPushButton(translate("Chat", "Send"))
        self.send_button.setDefault(True)
        self.stop_button = QPushButton(translate("Chat", "Stop"))
        self.regenerate_button = QPushButton(translate("Chat", "Regenerate"))
        self.edit_button = QPushButton(translate("Chat", "Edit and resend"))
        self.copy_button = QPushButton(translate("Chat", "Copy"))
        self.context_meter = QProgressBar()
        self.context_meter.setObjectName("context-meter")
        self.context_meter.setMinimumWidth(METER_MIN_WIDTH)
        self.context_meter.setMaximumWidth(220)
        buttons = QHBoxLayout()
        for b in (self.send_button, self.stop_button, self.regenerate_button, self.edit_button, self.copy_button):
            buttons.addWidget(b)
        buttons.addStretch()
        buttons.addWidget(self.context_meter)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.setSpacing(8)
        layout.addLayout(settings)
        layout.addWidget(self.model_note)
        layout.addWidget(self.banner)
        layout.addWidget(self.view, 1)
        if self.attach_bar is not None:
            layout.addWidget(self.attach_bar)
        layout.addWidget(self.input)
        layout.addLayout(buttons)

        self.input.submitted.connect(self.send)
        self.send_button.clicked.connect(self.send)
        self.input.textChanged.connect(self._on_input_text_changed)
        self.stop_button.clicked.connect(self.stop)
        self.regenerate_button.clicked.connect(self.regenerate)
        self.edit_button.clicked.connect(self.edit_last)
        self.copy_button.clicked.connect(self.copy_last)
        self.reload_button.clicked.connect(self._on_reload_button_clicked)
        self.load_button.clicked.connect(self._on_load_button_clicked)
        self.sampling_controls.sampling_changed.connect(self._on_sampling_controls_sampling_changed)
        self.reasoning.currentIndexChanged.connect(self._on_reasoning_current_index_changed)
        self.thinking_controls.thinking_changed.connect(self._on_thinking_controls_thinking_changed)
        self.view.source_clicked.connect(self._on_view_source_clicked)
        self.tools_control.toolset_changed.connect(self._on_tools_control_toolset_changed)
        self.approvals.asked.connect(self._on_approvals_asked)
        if self.attach_bar is not None:
            self.attach_bar.attachment_changed.connect(self._on_attach_bar_attachment_changed)

        self.refresh_model()
        self.reload_messages()

    # -- state ---------------------------------------------------------------------------------------------------------

    def busy(self) -> bool:
        return self.job is not None

    def messages(self) -> list[StoredMessage]:
        return self.sessions.messages(self.conversation.id)

    def reload_messages(self) -> None:
        self.view.set_bubbles([bubble_of(m) for m in self.messages()])
        self._update_buttons()
        self._update_meter()

    def refresh_model(self) -> None:
        """The model's state changed (loaded, crashed, reloaded): the reasoning choices and the banner follow."""
        support = self.backends.support(self.key)
        self._updating = True
        self.reasoning.clear()
        for label, mode in reasoning_choices(support):
            self.reasoning.addItem(label, mode)
        index = self.reasoning.findData(self.conversation.reasoning)
        if index < 0 and self.conversation.reasoning is ReasoningMode.NATIVE:
            index = self.reasoning.findData(ReasoningMode.PROMPTED)  # what the engine does for a model without it
        self.reasoning.setCurrentIndex(max(index, 0))
        self._updating = False
        self._show_thinking_controls()
        self.tools_control.set_unavailable(self._no_tool_calling())
        note = self.backends.note(self.key)
        self.model_note.setText(note)
        self.model_note.setVisible(bool(note))
        runtime = self.backends.runtime(self.key)
        if runtime is not None and runtime.state in (RuntimeState.CRASHED, RuntimeState.FAILED):
            error = message_text(runtime.error_text) or describe_state(runtime)
            self.show_banner(translate("Chat", "The model's runtime stopped: {error}. The conversation is kept; reload the "
                                               "model to go on.").format(error=error),
                             reload=True)  # fmt: skip
        elif runtime is not None and runtime.state is RuntimeState.LOADING:
            self.show_banner(translate("Chat", "Loading the model…"), reload=False)
        else:
            self.banner.hide()
        self._update_meter()

    def show_banner(self, text: str, *, reload: bool, load: bool = False) -> None:
        self.banner_text.setText(text)
        self.reload_button.setVisible(reload)
        self.load_button.setVisible(load)
        self.banner.show()

    def _refused(self, error: ChatError) -> None:
        """No engine: a crashed runtime keeps its banner (with Reload); a library model that is not loaded gets a Load…
        button; anything else shows the error."""
        self.refresh_model()
        if self.banner.isHidden() or not self.reload_button.isVisibleTo(self.banner):
            runtime = self.backends.runtime(self.key)
            loadable = self.key.startswith("model:") and (runtime is None or runtime.state is RuntimeState.STOPPED)
            self.show_banner(error_line(error), reload=False, load=loadable)

    def mode(self) -> ReasoningMode:
        data = self.reasoning.currentData()
        return data if isinstance(data, ReasoningMode) else ReasoningMode.OFF

    def set_mode(self, mode: ReasoningMode) -> None:
        index = self.reasoning.findData(mode)
        if index >= 0:
            self.reasoning.setCurrentIndex(index)

    def sampling(self) -> Sampling:
        return self.sampling_controls.sampling()

    # -- actions -------------------------------------------------------------------------------------------------------

    def send(self) -> None:
        """Send the input box's text (or the edited message) and stream the answer."""
        text = self.input.toPlainText().strip()
        if not text or self.busy():
            return
        try:
            engine = self.backends.engine(self.key)
        except ChatError as e:
            self._refused(e)
            return
        kind, options = self._turn_kind()
        if self._editing is not None:
            turn = kind.resend(self.sessions, self._editing, text, engine, **options)
            self._set_editing(None)
        else:
            turn = kind.ask(self.sessions, self.conversation.id, text, engine, **options)
        self.input.clear()
        self._answer(turn)

    def regenerate(self) -> None:
        """Answer the last user message again (the last answer is replaced)."""
        if self.busy():
            return
        users = [m for m in self.messages() if m.role is Role.USER]
        if not users:
            return
        try:
            engine = self.backends.engine(self.key)
        except ChatError as e:
            self._refused(e)
            return
        kind, options = self._turn_kind()
        if self._editing is not None:  # a pending edit is given up: the box held only a copy of the message
            self._set_editing(None)
            self.input.clear()
        self._answer(kind.regenerate(self.sessions, users[-1].id, engine, **options))

    def edit_last(self) -> None:
        """Put the last user message into the input box; sending replaces it and everything after it."""
        users = [m for m in self.messages() if m.role is Role.USER]
        if users and not self.busy():
            self.input.setPlainText(users[-1].content)
            self._set_editing(users[-1].id)
            self.input.setFocus()

    def _set_editing(self, message_id: int | None) -> None:
        """An edit is pending while the Send button says so; emptying the box or Regenerate gives it up."""
        self._editing = message_id
        self.send_button.setText(translate("Chat", "Send") if message_id is None else translate("Chat", "Replace and send"))

    def _on_input_text_changed(self) -> None:
        if self._editing is not None and not self.input.toPlainText().strip():
            self._set_editing(None)

    def copy_last(self) -> None:
        answers = [m for m in self.messages() if m.role is Role.ASSISTANT and m.content]
        if answers:
            QGuiApplication.clipboard().setText(answers[-1].content)

    def stop(self) -> None:
        if self.job is not None:
            self.job.stop()
        self._close_approval()

    def shutdown(self) -> None:
        """Stop a running answer (closing the tab or the window); it is saved as cancelled when it returns."""
        self.stop()
        self._reads.close()
        self.view.figures.close()
        if self.attach_bar is not None:
            self.attach_bar.tasks.close()

    def _turn_options(self) -> dict[str, object]:
        budget, strategy = self.thinking_controls.values()
        return {"mode": self.mode(), "sampling": self.sampling(), "thinking_budget": budget, "strategy": strategy}

    def attachment(self) -> Attachment | None:
        return self.attach_bar.attachment if self.attach_bar is not None else None

    def _turn_kind(self) -> tuple[type[ChatTurn], dict[str, object]]:
        """A plain turn, one with tools, or one from the attached documents, with its options."""
        attachment = self.attachment()
        toolset = self.tools_control.toolset()
        if toolset:
            if attachment is not None and not toolset.collection:  # the attached collection becomes a search tool
                toolset = dataclasses.replace(toolset, collection=attachment.collection)
            return ToolTurn, {**self._turn_options(), "toolset": toolset, "approve": self.approvals.approve,
                              "documents": self.documents, "mcp_config": self.mcp_config,
                              "mcp_pool": self.mcp_pool}  # fmt: skip
        if attachment is None or self.documents is None:
            return ChatTurn, self._turn_options()
        context = self.backends.context_size(self.key) or UNKNOWN_CONTEXT
        return DocumentTurn, {**self._turn_options(), "db_path": self.documents, "attachment": attachment,
                              "context": context}  # fmt: skip

    def _answer(self, turn: ChatTurn) -> None:
        assert isinstance(turn.engine, ChatEngine)
        self.banner.hide()
        job = AnswerJob(turn, tasks=self.tasks, parent=self)
        job.progress.connect(self._on_job_progress)
        job.done.connect(self._on_job_done)
        job.failed.connect(self._on_job_failed)
        job.stepped.connect(self._on_job_stepped)
        self.approvals.cancel = job.cancel
        self.job = job
        self.reload_messages()
        self.changed.emit()
        if isinstance(turn, DocumentTurn) and self.attach_bar is not None:
            self.attach_bar.status.setText(translate("Chat", "Reading “{name}”…").format(name=turn.attachment.collection))
        job.start()

    def _on_job_progress(self, thinking: str, content: str) -> None:
        if self.attach_bar is not None:
            self.attach_bar.status.setText("")
        self.view.update_last(content=content, thinking=thinking)

    def _on_job_stepped(self, steps: list[Step], notes: list[Text]) -> None:
        thinking, content = self.job.text() if self.job is not None else ("", "")
        stored = [s.to_json() for s in steps]
        self.view.update_last(content=content, thinking=thinking, steps=steps_display(stored, notes),
                              figures=tuple(figures_of(stored)))  # fmt: skip

    def _on_approvals_asked(self, pending: PendingApproval) -> None:
        """The loop waits for the user: the dialog opens without blocking the event loop (``open``, not ``exec``)."""
        if self.job is None or self.job.cancel.is_set():
            pending.give(Approval.DENY)
            return
        dialog = ApprovalDialog(pending, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.approval_dialog = dialog
        dialog.finished.connect(self._on_approval_dialog_finished)
        dialog.open()

    def _on_approval_dialog_finished(self, _result: int) -> None:
        self.approval_dialog = None

    def _close_approval(self) -> None:
        """Stop or the end of the answer: an open question goes (denied)."""
        if self.approval_dialog is not None:
            self.approval_dialog.reject()

    def _no_tool_calling(self) -> str:
        """Why this model cannot call tools ("" when it can, or when that is not known until it is read)."""
        model = self.backends.local(self.key)
        if model is None:
            return ""  # an endpoint (tools through its API), or a model not read yet: the send says so if it cannot
        try:
            call_format(model.template)
        except NoToolCalling as e:
            return message_text(message_of(e))
        return ""

    def _on_tools_control_toolset_changed(self, toolset: ToolSet) -> None:
        self.sessions.set_tools(self.conversation.id, toolset)
        self.conversation = self.sessions.get(self.conversation.id)
        if not toolset.mcp and self.mcp_pool is not None:
            self.mcp_pool.drop(self.conversation.id)  # its servers stop now (an answer using them stops them as it ends)

    def _on_job_done(self, _answer: Answer) -> None:
        job, self.job = self.job, None
        if job is None:
            return
        job.deleteLater()
        self._finished()

    def _on_job_failed(self, message: str, _thinking: str, _content: str) -> None:
        job, self.job = self.job, None
        if job is None:
            return
        job.deleteLater()
        self._finished()
        self.refresh_model()
        if not self.banner.isVisible():
            self.show_banner(message, reload=False)
        if self.attach_bar is not None and self.attachment() is not None:
            self.attach_bar.refresh()  # a collection deleted meanwhile: the chip says so

    def _finished(self) -> None:
        """The turn has saved its answer (done, cancelled or error): show what the store holds."""
        self._close_approval()
        if self.attach_bar is not None:
            self.attach_bar.status.setText("")
        self.reload_messages()
        self.changed.emit()

    # -- documents -----------------------------------------------------------------------------------------------------

    def _on_attach_bar_attachment_changed(self, attachment: Attachment | None) -> None:
        self.sessions.set_attachment(self.conversation.id, attachment)
        self.conversation = self.sessions.get(self.conversation.id)

    def _on_view_source_clicked(self, key: int, number: int) -> None:
        """A citation or a source entry: the passage in place, read from the file's indexed text in the pool."""
        bubble = next((b for b in self.view.bubbles() if b.key == key), None)
        sources = bubble.sources if bubble is not None else None
        source = sources.source(number) if sources is not None else None
        if sources is None or source is None:
            return
        if self.documents is None:
            self._show_source(key, sources, source, "")
            return
        path = self.documents
        self._reads.start(lambda: read_source_text(path, sources, source),
                         lambda text: self._show_source(key, sources, source, str(text)),
                         lambda _message: self._show_source(key, sources, source, ""), what="reading a source")  # fmt: skip

    def _show_source(self, key: int, sources: AnswerSources, source: AnswerSource, text: str) -> None:
        if self.source_dialog is None:
            self.source_dialog = SourceDialog(self)
        self.source_dialog.show_source(key, sources, source, text)

    # -- settings ------------------------------------------------------------------------------------------------------

    def _on_sampling_controls_sampling_changed(self, sampling: Sampling) -> None:
        self.sessions.set_sampling(self.conversation.id, sampling)
        self.conversation = self.sessions.get(self.conversation.id)

    def _on_reasoning_current_index_changed(self, _index: int) -> None:
        if self._updating or self.reasoning.currentIndex() < 0:
            return
        self.sessions.set_reasoning(self.conversation.id, self.mode())
        self.conversation = self.sessions.get(self.conversation.id)
        self._show_thinking_controls()

    def _show_thinking_controls(self) -> None:
        """The budget and strategy matter only to System 2; the strategies only to prompted reasoning."""
        mode = self.mode()
        self.thinking_controls.setVisible(mode is not ReasoningMode.OFF)
        self.thinking_controls.set_prompted(mode is ReasoningMode.PROMPTED)

    def _on_thinking_controls_thinking_changed(self, budget: int, strategy: PromptedStrategy) -> None:
        self.sessions.set_thinking(self.conversation.id, budget=budget, strategy=strategy)
        self.conversation = self.sessions.get(self.conversation.id)

    def _on_system_prompt_triggered(self) -> None:
        text, ok = QInputDialog.getMultiLineText(self, "System prompt", "Sent before the conversation:",
                                                 self.conversation.system_prompt)  # fmt: skip
        if ok:
            self.sessions.set_system_prompt(self.conversation.id, text.strip())
            self.conversation = self.sessions.get(self.conversation.id)

    def _on_load_button_clicked(self) -> None:
        self.banner.hide()
        self.load_requested.emit(self.key)

    def _on_reload_button_clicked(self) -> None:
        try:
            self.backends.reload(self.key)
        except ChatError as e:
            self.show_banner(error_line(e), reload=False)
            return
        self.show_banner(translate("Chat", "Reloading the model…"), reload=False)

    def _export(self, suffix: str) -> None:
        kind = "JSON (*.json)" if suffix == ".json" else "Markdown (*.md)"
        name = (self.conversation.title or translate("Chat", "conversation")).replace("/", "-") + suffix
        path, _ = QFileDialog.getSaveFileName(self, translate("Chat", "Export conversation"), name, kind)
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> None:
        """Write the conversation (and copies of its figures) in the pool; ``exporting()`` until it is written."""
        conversation, messages = self.sessions.get(self.conversation.id), self.messages()
        name = self.backends.model_name(self.key)
        self._exports.start(lambda: export.save(path, conversation, messages, name), self._on_exported,
                            self._on_export_failed, what="exporting the conversation")  # fmt: skip

    def exporting(self) -> bool:
        return self._exports.pending() > 0

    def _on_exported(self, _result: object) -> None:
        log.info("conversation %s exported", self.conversation.id)

    def _on_export_failed(self, message: str) -> None:
        self.show_banner(message, reload=False)

    # -- helpers -------------------------------------------------------------------------------------------------------

    def _update_buttons(self) -> None:
        busy = self.busy()
        has_user = any(b.role is Role.USER for b in self.view.bubbles())
        self.send_button.setEnabled(not busy)
        self.stop_button.setEnabled(busy)
        self.regenerate_button.setEnabled(not busy and has_user)
        self.edit_button.setEnabled(not busy and has_user)
        self.copy_button.setEnabled(any(b.role is Role.ASSISTANT and b.content for b in self.view.bubbles()))

    def _update_meter(self) -> None:
        size = self.backends.context_size(self.key)
        self.context_meter.setVisible(size > 0)
        if size <= 0:
            return
        used, tail, counted = 0, 0, False  # the last answer the runtime counted, and an estimate of what followed it
        for b in reversed(self.view.bubbles()):
            if b.stats is not None and b.stats.prompt_tokens:
                used, counted = b.stats.prompt_tokens + b.stats.answer_tokens + b.stats.thinking_tokens, True
                break
            tail += len(b.content) + len(b.thinking)  # a stopped answer has no count: it and the question after it
        used += tail // CHARS_PER_TOKEN
        self.context_meter.setRange(0, size)
        self.context_meter.setValue(min(used, size))
        about = "" if counted and not tail else "~"
        shown = translate("Chat", "context {about}{used} / {size}").format(about=about, used=number(used), size=number(size))
        self.context_meter.setFormat(shown)
        # Wide enough for its text ("Kontext 121 / 4.096"): the German buttons beside it would squeeze it and cut it.
        needed = self.context_meter.fontMetrics().horizontalAdvance(shown) + 20
        self.context_meter.setMinimumWidth(max(METER_MIN_WIDTH, needed))
