"""Tools in a conversation: the Tools control, the approval question, and the steps as the folded block shows them.

The agent loop asks for approval on its own thread; ``ApprovalBridge`` carries the question to the GUI thread (a queued
signal), where the dialog opens without blocking the event loop, and the loop's thread waits for the answer (or for
Stop). "Always for this chat" lasts as long as the tab: a later answer does not ask again for that tool.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.chat.toolset import ToolSet
from app.escaping import escape_controls
from app.tools.calls import ToolCall
from app.tools.loop import Approval
from app.tools.spec import Tool
from app.ui.chat.attach import read_collections
from app.ui.common.i18n import translate
from app.ui.common.messages import said as said_text
from app.ui.common.messages import text as message_text
from app.ui.common.tasks import TaskGroup
from core.messages import Text, text_of

__all__ = ["ApprovalBridge", "ApprovalDialog", "PendingApproval", "ToolsControl", "steps_display"]

WAIT_S = 0.1  # how often the loop's thread, waiting for the user, looks whether Stop was pressed


class ToolsControl(QToolButton):
    """A button with a menu of the tools this conversation's model may call. ``toolset_changed(ToolSet)`` on a change.

    With ``documents`` (documents.db) the menu offers a search of one collection; the list is read in ``tasks`` (the
    pool) each time the menu opens.
    """

    toolset_changed = Signal(object)

    def __init__(self, toolset: ToolSet, *, documents: Path | None = None, tasks: TaskGroup | None = None,
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.setObjectName("chat-tools")
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self)
        self.python_action = self._action(menu, translate("Chat", "Python (sandboxed: no network, no files of yours)"),
                                          toolset.python)
        self.fetch_action = self._action(menu, translate("Chat", "Fetch web pages whose address you wrote"), toolset.fetch)
        self.mcp_action = self._action(menu, translate("Chat", "MCP servers (mcp.json)"), toolset.mcp)
        self.docs_menu: QMenu | None = None
        self.documents = documents
        self.tasks = tasks
        self.listed: list[str] | None = None
        """The collections' names as last read (None: not read yet)."""
        if documents is not None and tasks is not None:
            self.docs_menu = menu.addMenu(translate("Chat", "Search a document collection"))
            menu.aboutToShow.connect(self._on_menu_about_to_show)
        self.setMenu(menu)
        self._collection = toolset.collection
        self._reason = ""
        self._build_docs_menu()
        self._show()

    def _on_menu_about_to_show(self) -> None:
        if self.documents is None or self.tasks is None:
            return
        db = self.documents
        self.tasks.start(lambda: [c.info.name for c in read_collections(db)], self._on_collections_read,
                         self._on_collections_failed, what="reading the document collections")  # fmt: skip

    def _on_collections_read(self, names: list[str]) -> None:
        self.listed = names
        self._build_docs_menu()

    def _on_collections_failed(self, message: str) -> None:
        self.listed = []
        self._build_docs_menu(message)

    def _build_docs_menu(self, problem: str = "") -> None:
        menu = self.docs_menu
        if menu is None:
            return
        menu.clear()
        group = QActionGroup(menu)
        names = list(self.listed or [])
        if self._collection and self._collection not in names:
            names.append(self._collection)  # chosen before (or not read yet): still shown, still choosable to undo
        for name, label in [("", translate("Chat", "None")), *((n, n) for n in names)]:
            action = menu.addAction(escape_controls(label))
            action.setCheckable(True)
            action.setChecked(name == self._collection)
            action.setActionGroup(group)
            action.triggered.connect(lambda _checked=False, n=name: self._on_collection_chosen(n))
        if self.listed is None or problem:
            note = menu.addAction(problem or translate("Chat", "Reading the collections…"))
            note.setEnabled(False)

    def _on_collection_chosen(self, name: str) -> None:
        self._collection = name
        self._show()
        self.toolset_changed.emit(self.toolset())

    def _action(self, menu: QMenu, text: str, checked: bool) -> QAction:
        action = menu.addAction(text)
        action.setCheckable(True)
        action.setChecked(checked)
        action.toggled.connect(self._on_action_toggled)
        return action

    def toolset(self) -> ToolSet:
        """What is on (nothing while the model has no tool calling)."""
        if self._reason:
            return ToolSet()
        return ToolSet(python=self.python_action.isChecked(), fetch=self.fetch_action.isChecked(),
                       collection=self._collection, mcp=self.mcp_action.isChecked())  # fmt: skip

    def set_unavailable(self, reason: str) -> None:
        """``reason`` non-empty: the model cannot call tools; the control says why and is disabled."""
        self._reason = reason
        self.setEnabled(not reason)
        self._show()

    def _on_action_toggled(self, _checked: bool) -> None:
        self._show()
        self.toolset_changed.emit(self.toolset())

    def _show(self) -> None:
        if self._reason:
            self.setText(translate("Chat", "Tools: none"))
            self.setToolTip(self._reason)
            return
        toolset = self.toolset()
        labels = [translate("Chat", "docs: {name}").format(name=toolset.collection) if label == f"docs: {toolset.collection}"
                  else label for label in toolset.labels()]  # fmt: skip
        tools = ", ".join(labels) if labels else translate("Chat", "off")
        self.setText(translate("Chat", "Tools: {tools}").format(tools=tools))
        self.setToolTip(translate("Chat", "Tools the model may call; every call asks you first (always for this chat / once / "
                                          "deny)"))


@dataclass
class PendingApproval:
    """One question from the loop's thread: answered on the GUI thread (``answer``), waited for on the loop's."""

    call: ToolCall
    tool: Tool
    answered: threading.Event = field(default_factory=threading.Event)
    answer: Approval = Approval.DENY

    def give(self, answer: Approval) -> None:
        self.answer = answer
        self.answered.set()


class ApprovalBridge(QObject):
    """The loop's approver for one tab. ``asked(PendingApproval)`` arrives on the GUI thread.

    Emitting a signal of this GUI-thread object from the loop's thread queues it to the GUI thread (Qt's automatic
    connection), so the loop's thread never touches a widget.
    """

    asked = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.always: set[str] = set()
        """Tools the user allowed for the rest of this chat."""
        self.cancel: threading.Event | None = None

    def approve(self, call: ToolCall, tool: Tool) -> Approval:
        """Ask the user (called on the loop's thread; blocks it, never the GUI thread). Stop answers "deny"."""
        if tool.name in self.always:
            return Approval.ALWAYS  # allowed earlier in this chat: the step says "always", and nothing is asked
        pending = PendingApproval(call, tool)
        self.asked.emit(pending)
        cancel = self.cancel
        while not pending.answered.wait(WAIT_S):
            if cancel is not None and cancel.is_set():
                return Approval.DENY
        if pending.answer is Approval.ALWAYS:
            self.always.add(tool.name)
        return pending.answer


class ApprovalDialog(QDialog):
    """The question: which tool, where it comes from, its arguments in full (what runs is what the user saw)."""

    def __init__(self, pending: PendingApproval, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pending = pending
        self.setWindowTitle(translate("Chat", "Run a tool?"))
        self.setModal(True)
        tool, call = pending.tool, pending.call
        heading = QLabel(translate("Chat", "The model wants to run {tool}.").format(tool=escape_controls(tool.name)))
        heading.setTextFormat(Qt.TextFormat.PlainText)
        heading.setWordWrap(True)
        origin = QLabel(escape_controls(tool.origin) or "A tool of Modelwerk.")
        origin.setObjectName("muted")
        origin.setTextFormat(Qt.TextFormat.PlainText)  # a server's names are its own words
        origin.setWordWrap(True)
        self.arguments = QPlainTextEdit(arguments_text(call.arguments))
        self.arguments.setObjectName("tool-arguments")
        self.arguments.setReadOnly(True)
        self.arguments.setMinimumSize(520, 160)
        buttons = QDialogButtonBox()
        self.always_button = QPushButton(translate("Chat", "Always for this chat"))
        self.once_button = QPushButton(translate("Chat", "Once"))
        self.deny_button = QPushButton(translate("Chat", "Deny"))
        self.once_button.setDefault(True)
        for button, role in ((self.always_button, QDialogButtonBox.ButtonRole.AcceptRole),
                             (self.once_button, QDialogButtonBox.ButtonRole.AcceptRole),
                             (self.deny_button, QDialogButtonBox.ButtonRole.RejectRole)):  # fmt: skip
            buttons.addButton(button, role)
        self.always_button.clicked.connect(lambda: self._give(Approval.ALWAYS))
        self.once_button.clicked.connect(lambda: self._give(Approval.ONCE))
        self.deny_button.clicked.connect(lambda: self._give(Approval.DENY))
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(origin)
        self.provenance: QLabel | None = None
        if call.provenance:  # the model copied these from a page, a document or a tool's output
            said: Sequence[Text] = call.provenance_said or call.provenance
            self.provenance = QLabel("\n".join("⚠ " + escape_controls(message_text(n)) for n in said))
            self.provenance.setObjectName("warning")
            self.provenance.setTextFormat(Qt.TextFormat.PlainText)
            self.provenance.setWordWrap(True)
            layout.addWidget(self.provenance)
        layout.addWidget(QLabel(translate("Chat", "Arguments:")))
        layout.addWidget(self.arguments, 1)
        layout.addWidget(buttons)

    def _give(self, answer: Approval) -> None:
        self.pending.give(answer)
        self.done(0 if answer is Approval.DENY else 1)

    def reject(self) -> None:
        """Escape or closing the window: deny."""
        if not self.pending.answered.is_set():
            self.pending.give(Approval.DENY)
        super().reject()


def arguments_text(arguments: Mapping[str, Any]) -> str:
    """Each argument, a long text (code) on its own lines, every line escaped (no bidi or control tricks)."""
    lines: list[str] = []
    for key, value in arguments.items():
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        lines.append(f"{escape_controls(str(key))}:")
        lines += [f"    {escape_controls(line)}" for line in text.splitlines() or [""]]
    return "\n".join(lines) or "(no arguments)"


def steps_display(steps: Sequence[Mapping[str, Any]], notes: Sequence[Text] = ()) -> str:
    """The steps (``Step.to_json()`` each) and the notes as the folded block shows them: one line per call."""
    lines = [translate("Chat", "Note: {note}").format(note=escape_controls(message_text(n))) for n in notes]
    for s in steps:
        args = json.dumps(s.get("arguments", {}), ensure_ascii=False, default=str)
        args = args if len(args) <= 200 else args[:199] + "…"
        step = translate("Chat", "Step {round}").format(round=s.get("round", "?"))
        english = str(s.get("summary", ""))
        summary = said_text(text_of(s.get("summary_data"), english), english)  # as stored: damaged data is English
        lines.append(escape_controls(f"{step} · {s.get('tool', '?')} {args} [{s.get('approval', '?')}] → {summary}"))
    return "\n".join(lines)
