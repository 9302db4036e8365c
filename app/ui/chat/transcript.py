"""A conversation's transcript: messages rendered as Markdown, the assistant's thinking in a collapsible block.

One SafeTextBrowser holds the whole conversation (it loads no resource: a model's answer is untrusted text). Messages are
rendered into its document as the safe HTML of app.markdown (raw HTML shown as text, images as their address); each
thinking block is a link line ("▸ Thinking · 120 tokens · 2.1 s") that folds the
thinking text in and out. Folded by default. While an answer streams only the last message changes; the view re-renders
at most as often as the page hands it text (batched to ~30 updates/s by the worker). A new list of messages keeps those
already shown and renders the rest, so a finished answer costs its own size, not the conversation's.

The figures of tool steps show under the folded block as images: decoded in the pool (app.ui.chat.figures) and handed to
the document under a name of this view's own ``figure:`` scheme with its secret, never loaded by an address.

An answer from documents shows how its sources were chosen and lists them; each [n] of its text that names one of them,
and each entry of the list, is a link of the view's own ``cite:`` scheme carrying a secret made per view, so a link the
model writes cannot pass for one. A number that names no source is struck through in red.
"""

from __future__ import annotations

import html
import logging
import secrets
from dataclasses import dataclass, replace

from PySide6.QtCore import QTimer, QUrl, Signal
from PySide6.QtGui import (
    QColor,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextFrameFormat,
    QTextImageFormat,
)
from PySide6.QtWidgets import QWidget

from app.chat.attachments import AnswerSources
from app.chat.figures import Figure, figures_of
from app.chat.messages import AnswerStats, Role
from app.chat.sessions import MessageState, StoredMessage
from app.documents.citations import cited_numbers
from app.markdown import Mark, Marks, to_html
from app.shield.flags import flag_summary
from app.ui.chat.figures import FigureImages
from app.ui.chat.tools import steps_display
from app.ui.common import format as fmt
from app.ui.common.i18n import QT_TRANSLATE_NOOP, translate
from app.ui.common.links import open_untrusted_link
from app.ui.common.messages import text as message_text
from app.ui.common.safe_text import SafeTextBrowser

log = logging.getLogger(__name__)

ROLE_NAMES = {Role.SYSTEM: QT_TRANSLATE_NOOP("Chat", "System"), Role.USER: QT_TRANSLATE_NOOP("Chat", "You"),
              Role.ASSISTANT: QT_TRANSLATE_NOOP("Chat", "Assistant")}  # fmt: skip
ROLE_COLOURS = {Role.SYSTEM: "#6b7380", Role.USER: "#1f56c7", Role.ASSISTANT: "#1e7b3c"}
THINK_SCHEME = "think"
CITE_SCHEME = "cite"
FIGURE_SCHEME = "figure"
WRONG_COLOUR = "#c62828"
MUTED_COLOUR = "#8a919c"


@dataclass(frozen=True)
class Bubble:
    """One message as the view shows it.

    Attributes:
        key: stable id (the stored message id; negative for a message not stored yet) — the fold state is kept by key.
        streaming: the answer is still coming (a cursor mark is shown, thinking shows "Thinking…").
        note: a line under the message: "Stopped", or the error that ended it.
    """

    key: int
    role: Role
    content: str
    thinking: str = ""
    stats: AnswerStats | None = None
    streaming: bool = False
    note: str = ""
    error: bool = False
    sources: AnswerSources | None = None
    steps: str = ""
    """The answer's tool steps, one line each (shown in the folded block, above the thinking)."""
    figures: tuple[Figure, ...] = ()
    """The figures its tool steps made (shown as images under the folded block)."""


def thinking_summary(bubble: Bubble) -> str:
    """ "Thinking · 120 tokens · 2.1 s" (what the folded block says)."""
    streaming = bubble.streaming and not bubble.content
    parts = [translate("Chat", "Thinking…") if streaming else translate("Chat", "Thought")]
    if bubble.steps:
        step = translate("Chat", "Step {round}").split("{round}")[0]  # how steps_display starts a step's line
        count = sum(1 for line in bubble.steps.splitlines() if line.startswith(step))
        parts = [translate("Chat", "%n tool step(s)", None, count) if count else translate("Chat", "Tools")]
        if bubble.thinking:
            parts.append(translate("Chat", "thought"))
    stats = bubble.stats
    if stats is not None and stats.thinking_tokens:
        parts.append(translate("Chat", "{count} tokens").format(count=fmt.number(stats.thinking_tokens)))
    elif bubble.thinking:
        parts.append(translate("Chat", "{count} words").format(count=fmt.number(len(bubble.thinking.split()))))
    if stats is not None and stats.thinking_s is not None:
        parts.append(f"{fmt.number(stats.thinking_s, 1)} s")
    return " · ".join(parts)


def stats_line(stats: AnswerStats | None) -> str:
    """ "TTFT 0.12 s · 45.3 tok/s · 212 tokens" under an answer ("" when unknown)."""
    if stats is None:
        return ""
    parts = []
    if stats.ttft_s is not None:
        parts.append(f"TTFT {fmt.number(stats.ttft_s, 2)} s")
    if stats.tokens_per_s is not None:
        parts.append(f"{fmt.number(stats.tokens_per_s, 1)} tok/s")
    tokens = stats.answer_tokens + stats.thinking_tokens
    if tokens:
        parts.append(translate("Chat", "{count} tokens").format(count=fmt.number(tokens)))
    if stats.finish_reason == "length":
        parts.append(translate("Chat", "cut at the token limit"))
    return " · ".join(parts)


def bubble_of(message: StoredMessage) -> Bubble:
    """A stored message as the transcript shows it (its tool steps in the folded block)."""
    note = ""
    if message.state is MessageState.CANCELLED:
        note = translate("Chat", "Stopped")
    elif message.state is MessageState.ERROR:
        note = message.error or translate("Chat", "The answer failed")
    return Bubble(message.id, message.role, message.content, message.thinking, message.stats,
                  streaming=message.state is MessageState.STREAMING, note=note,
                  error=message.state is MessageState.ERROR, sources=message.sources,
                  steps=steps_display(message.steps), figures=tuple(figures_of(message.steps)))  # fmt: skip


class TranscriptView(SafeTextBrowser):
    """Shows a list of Bubbles; `set_bubbles` replaces them, `update_last` changes the streaming one.

    Signals:
        folded_changed(key, expanded): a thinking block was opened or closed.
        source_clicked(key, number): a citation [number] of the answer ``key`` (or its entry in the sources) was clicked.
    """

    folded_changed = Signal(int, bool)
    source_clicked = Signal(int, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("transcript")
        self.anchorClicked.connect(self._on_anchor_clicked)
        self._bubbles: list[Bubble] = []
        self._expanded: set[int] = set()
        self._last_start = 0
        """Document position where the last message begins: streaming re-renders only from there."""
        self._stream_head: tuple[object, ...] | None = None
        """What the streaming message's header and thinking looked like when its stable text was rendered."""
        self._stable_text = ""
        self._stable_end = 0
        """The streaming message's finished paragraphs (rendered once) and the document position after them."""
        self.renders = 0
        """How many times the document was rebuilt (tests check batching with it)."""
        self._secret = secrets.token_hex(8)
        """In every citation link and figure name of this view: one without it was not made here."""
        self.document().setDocumentMargin(14)
        self.figures = FigureImages(self)
        self._waiting: set[int] = set()
        """The messages shown with a figure still being read."""
        self._starts: list[int] = []
        """Document position where each message begins (a message and those after it can be rendered anew)."""
        self._figures_timer = QTimer(self)  # figures read together re-render the view once
        self._figures_timer.setSingleShot(True)
        self._figures_timer.timeout.connect(self._on_figures_timer_timeout)
        self.figures.loaded.connect(self._figures_timer.start)

    # -- content -------------------------------------------------------------------------------------------------------

    def bubbles(self) -> list[Bubble]:
        return list(self._bubbles)

    def set_bubbles(self, bubbles: list[Bubble]) -> None:
        """Show ``bubbles``. The messages they share with those shown (from the first on) stay as rendered: only the
        rest is rendered (at least the last), so a finished answer costs its own size, not the conversation's."""
        new = list(bubbles)
        same = 0
        for shown, bubble in zip(self._bubbles, new, strict=False):  # the lists may differ in length
            if shown != bubble:
                break
            same += 1
        self._bubbles = new
        self._render_from(min(same, len(new) - 1), follow=True)

    def update_last(self, *, content: str, thinking: str, streaming: bool = True, steps: str | None = None,
                    figures: tuple[Figure, ...] | None = None) -> None:  # fmt: skip
        """Replace the text of the last message (the one streaming).

        While it streams, the finished paragraphs are rendered once and only the unfinished tail is re-rendered, so an
        update costs the size of the tail, not of the whole answer. The final update re-renders the message whole.
        """
        if not self._bubbles:
            return
        last = self._bubbles[-1]
        bubble = replace(last, content=content, thinking=thinking, streaming=streaming,
                         steps=last.steps if steps is None else steps,
                         figures=last.figures if figures is None else figures)  # fmt: skip
        self._bubbles[-1] = bubble
        follow = self._at_bottom()
        bar = self.verticalScrollBar()
        old = bar.value()
        self.renders += 1
        cut = stable_cut(content) if streaming else len(content)
        cursor = QTextCursor(self.document())
        if streaming and self._stream_head == self._head(bubble) and content.startswith(self._stable_text) \
                and cut >= len(self._stable_text):  # fmt: skip
            cursor.setPosition(self._stable_end)
            cursor.movePosition(QTextCursor.MoveOperation.End, QTextCursor.MoveMode.KeepAnchor)
            cursor.removeSelectedText()
            if cut > len(self._stable_text):
                _insert_markdown(cursor, content[len(self._stable_text) : cut])
                self._stable_text, self._stable_end = content[:cut], cursor.position()
            if content[cut:]:
                _insert_markdown(cursor, content[cut:] + " ▍")
        else:
            cursor.setPosition(self._last_start)
            cursor.movePosition(QTextCursor.MoveOperation.End, QTextCursor.MoveMode.KeepAnchor)
            cursor.removeSelectedText()
            self._render_bubble(cursor, bubble, first=len(self._bubbles) == 1)
        bar.setValue(bar.maximum() if follow else old)

    def figure_url(self, name: str) -> str:
        """The name a figure's image has in the document (tests look it up)."""
        return f"{FIGURE_SCHEME}:{self._secret}/{name}"

    def _on_figures_timer_timeout(self) -> None:
        """Figures were read: the messages from the first one that waited for a figure are rendered again."""
        waiting = [i for i, b in enumerate(self._bubbles) if b.key in self._waiting]
        self._waiting.clear()
        if waiting:
            self._render_from(min(waiting), follow=self._at_bottom())

    def is_expanded(self, key: int) -> bool:
        return key in self._expanded

    def set_expanded(self, key: int, expanded: bool) -> None:
        if expanded:
            self._expanded.add(key)
        else:
            self._expanded.discard(key)
        index = next((i for i, b in enumerate(self._bubbles) if b.key == key), 0)
        self._render_from(index, follow=False)
        self.folded_changed.emit(key, expanded)

    def cite_url(self, key: int, number: int) -> str:
        """The link of source ``number`` of the answer ``key`` (tests click it)."""
        return f"{CITE_SCHEME}:{self._secret}/{key}/{number}"

    def _cited(self, url: QUrl) -> tuple[int, int] | None:
        """(key, number) of one of this view's citation links naming a real source of that answer; None otherwise."""
        parts = url.path().split("/")
        if len(parts) != 3 or not secrets.compare_digest(parts[0], self._secret):
            return None
        try:
            key, number = int(parts[1]), int(parts[2])
        except ValueError:
            return None
        bubble = next((b for b in self._bubbles if b.key == key), None)
        if bubble is None or bubble.sources is None or bubble.sources.source(number) is None:
            return None
        return key, number

    def _on_anchor_clicked(self, url: QUrl) -> None:
        if url.scheme() == CITE_SCHEME:
            cited = self._cited(url)
            if cited is None:  # written by the model to look like a citation: it opens nothing
                log.info("ignored a citation link that this view did not make")
                return
            self.source_clicked.emit(*cited)
        elif url.scheme() == THINK_SCHEME:
            try:
                key = int(url.path() or url.host())
            except ValueError:
                return
            self.set_expanded(key, key not in self._expanded)
        else:  # a link in a message: the model wrote it
            open_untrusted_link(url, self)

    # -- rendering -----------------------------------------------------------------------------------------------------

    def _at_bottom(self) -> bool:
        bar = self.verticalScrollBar()
        return bar.value() >= bar.maximum() - 4

    def _render(self, *, follow: bool) -> None:
        bar = self.verticalScrollBar()
        old = bar.value()
        self.renders += 1
        doc = self.document()
        doc.clear()
        self._starts = []
        cursor = QTextCursor(doc)
        if not self._bubbles:
            cursor.insertHtml('<p style="color:#8a919c">No messages yet. Type below and press Enter.</p>')
        for i, bubble in enumerate(self._bubbles):
            self._starts.append(cursor.position())
            self._last_start = cursor.position()
            self._render_bubble(cursor, bubble, first=i == 0)
        bar.setValue(bar.maximum() if follow else old)

    def _render_from(self, index: int, *, follow: bool) -> None:
        """Render the messages from ``index`` on anew; those before it stay (a full render when nothing can stay)."""
        if index <= 0 or index > len(self._starts):
            self._render(follow=follow)
            return
        bar = self.verticalScrollBar()
        old = bar.value()
        self.renders += 1
        cursor = QTextCursor(self.document())
        if index < len(self._starts):
            cursor.setPosition(self._starts[index])
        else:  # the new messages follow all those shown: nothing to remove (a cursor starts at the document's start)
            cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.movePosition(QTextCursor.MoveOperation.End, QTextCursor.MoveMode.KeepAnchor)
        cursor.removeSelectedText()
        del self._starts[index:]
        for bubble in self._bubbles[index:]:
            self._starts.append(cursor.position())
            self._last_start = cursor.position()
            self._render_bubble(cursor, bubble, first=False)
        bar.setValue(bar.maximum() if follow else old)

    def _render_bubble(self, cursor: QTextCursor, bubble: Bubble, *, first: bool) -> None:
        block = QTextBlockFormat()
        block.setTopMargin(0 if first else 14)
        block.setBottomMargin(2)
        if not first:
            cursor.insertBlock(block, QTextCharFormat())
        else:
            cursor.setBlockFormat(block)
        colour = ROLE_COLOURS[bubble.role]
        role = translate("Chat", ROLE_NAMES[bubble.role])
        cursor.insertHtml(f'<span style="color:{colour}; font-weight:600">{role}</span>')
        if bubble.thinking or bubble.steps or (bubble.streaming and bubble.role is Role.ASSISTANT and not bubble.content):
            self._render_thinking(cursor, bubble)
        if bubble.figures:
            self._render_figures(cursor, bubble.key, bubble.figures)
        self._stream_head, self._stable_text = None, ""
        if bubble.content and bubble.streaming:
            cut = stable_cut(bubble.content)
            if cut:
                _insert_markdown(cursor, bubble.content[:cut])
            self._stream_head, self._stable_text = self._head(bubble), bubble.content[:cut]
            self._stable_end = cursor.position()
            if bubble.content[cut:]:
                _insert_markdown(cursor, bubble.content[cut:] + " ▍")
        elif bubble.content:
            _insert_markdown(cursor, bubble.content, self._marks(bubble))
        elif bubble.streaming and not bubble.thinking:
            cursor.insertBlock(QTextBlockFormat(), QTextCharFormat())
            cursor.insertHtml('<span style="color:#8a919c">▍</span>')
        if bubble.sources is not None and not bubble.streaming:
            self._render_sources(cursor, bubble.key, bubble.sources)
        footer = bubble.note or stats_line(bubble.stats)
        if footer and not bubble.streaming:
            cursor.insertBlock(QTextBlockFormat(), QTextCharFormat())
            colour = "#c62828" if bubble.error else "#8a919c"
            cursor.insertHtml(f'<span style="color:{colour}; font-size:small">{html.escape(footer)}</span>')

    def _marks(self, bubble: Bubble) -> Marks | None:
        """Each bracket of citations in an answer from documents as links to its sources, wrong numbers struck out."""
        sources = bubble.sources
        if sources is None:
            return None

        def cite(number: int, shown: str) -> str:
            if sources.source(number) is None:
                return f'<span style="color:{WRONG_COLOUR}; text-decoration:line-through">{html.escape(shown)}</span>'
            return f'<a href="{self.cite_url(bubble.key, number)}" style="text-decoration:none">{html.escape(shown)}</a>'

        def marks(text: str) -> list[Mark]:
            brackets: dict[tuple[int, int], list[int]] = {}
            for number, span in cited_numbers(text):
                brackets.setdefault(span, []).append(number)
            return [(a, b, "[" + (cite(numbers[0], text[a + 1 : b - 1].strip()) if len(numbers) == 1  # "[Source 2]" stays
                                  else ", ".join(cite(n, str(n)) for n in numbers)) + "]")
                    for (a, b), numbers in brackets.items()]  # fmt: skip

        return marks

    def _render_sources(self, cursor: QTextCursor, key: int, sources: AnswerSources) -> None:
        """How the sources were chosen, each source as a link (cited ones said so), the wrong citations; one insert (a
        block per line costs twice the whole conversation's render)."""
        small = "font-size:small"
        summary = html.escape(f"📎 {message_text(sources.summary())} · {sources.collection}")
        lines = [f'<span style="color:{MUTED_COLOUR}; {small}">{summary}</span>']
        for s in sources.sources:
            cited_text = translate("Chat", "cited")
            cited = f'<span style="color:{MUTED_COLOUR}"> · {cited_text}</span>' if s.cited else ""
            shield = translate("Chat", "⚠ shield: {reasons}").format(reasons=flag_summary(s.flags, render=message_text))
            flagged = f'<span style="color:{WRONG_COLOUR}"> · {html.escape(shield)}</span>' if s.flags else ""
            lines.append(f'<span style="{small}"><a href="{self.cite_url(key, s.number)}" style="text-decoration:none">'
                         f"[{s.number}] {html.escape(s.citation())}</a>{cited}{flagged}</span>")  # fmt: skip
        if sources.wrong:
            wrong = ", ".join(f"[{n}]" for n in sources.wrong)
            said = translate("Chat", "⚠ {numbers}: cited, but no source of this answer has that number").format(numbers=wrong)
            lines.append(f'<span style="color:{WRONG_COLOUR}; {small}">{html.escape(said)}</span>')
        lines += [f'<span style="color:{MUTED_COLOUR}; {small}">{html.escape(message_text(note))}</span>'
                  for note in sources.notes]  # fmt: skip
        cursor.insertBlock(QTextBlockFormat(), QTextCharFormat())
        cursor.insertHtml("<br>".join(lines))

    def _head(self, bubble: Bubble) -> tuple[object, ...]:
        """Everything above a message's answer text: when it changes, the message is rendered anew."""
        expanded = bubble.key in self._expanded
        return (bubble.key, thinking_summary(bubble), expanded, bubble.thinking if expanded else "",
                bubble.steps if expanded else "", bubble.figures)  # fmt: skip

    def _render_figures(self, cursor: QTextCursor, key: int, figures: tuple[Figure, ...]) -> None:
        """Each figure as an image (registered with the document under this view's name for it), with a caption."""
        for number, figure in enumerate(figures, 1):
            cursor.insertBlock(QTextBlockFormat(), QTextCharFormat())
            image = self.figures.image(figure.file)
            caption = translate("Chat", "Figure {number} · {width}×{height}").format(number=number, width=figure.width,
                                                                                     height=figure.height)  # fmt: skip
            if image is None:
                missing = self.figures.missing(figure.file)
                state = translate("Chat", "figure missing") if missing else translate("Chat", "figure loading…")
                caption = f"{caption} · {state}"
                if not missing:
                    self._waiting.add(key)
            else:
                url = QUrl(self.figure_url(figure.file))
                self.document().addResource(QTextDocument.ResourceType.ImageResource, url, image)
                shown = QTextImageFormat()
                shown.setName(url.toString())
                shown.setWidth(image.width())
                shown.setHeight(image.height())
                cursor.insertImage(shown)
                cursor.insertBlock(QTextBlockFormat(), QTextCharFormat())
            cursor.insertHtml(f'<span style="color:{MUTED_COLOUR}; font-size:small">{html.escape(caption)}</span>')

    def _render_thinking(self, cursor: QTextCursor, bubble: Bubble) -> None:
        expanded = bubble.key in self._expanded
        arrow = "▾" if expanded else "▸"
        cursor.insertBlock(QTextBlockFormat(), QTextCharFormat())
        cursor.insertHtml(
            f'<a href="{THINK_SCHEME}:{bubble.key}" style="color:#6b5ca5; text-decoration:none">'
            f"{arrow} {html.escape(thinking_summary(bubble))}</a>"
        )
        if not expanded or not (bubble.thinking or bubble.steps):
            return
        frame = QTextFrameFormat()
        frame.setBackground(QColor("#f4f2fa"))
        frame.setBorder(0)
        frame.setLeftMargin(8)
        frame.setPadding(8)
        cursor.insertFrame(frame)
        fmt = QTextCharFormat()
        fmt.setForeground(QColor("#55506a"))
        fmt.setFontItalic(True)
        if bubble.steps:  # what the tools did, then what the model thought: plain text (both are outside words)
            steps_fmt = QTextCharFormat()
            steps_fmt.setForeground(QColor("#3d4a5c"))
            cursor.insertText(bubble.steps.strip() + ("\n\n" if bubble.thinking else ""), steps_fmt)
        if bubble.thinking:
            cursor.insertText(bubble.thinking.strip(), fmt)
        cursor.movePosition(QTextCursor.MoveOperation.End)


def stable_cut(text: str) -> int:
    """Where the finished paragraphs of a streaming Markdown text end: after its last blank line outside a code fence.

    Text before the cut no longer changes its rendering when more text arrives; the rest is re-rendered each update.
    """
    cut, fence, pos = 0, "", 0
    for line in text.splitlines(keepends=True):
        pos += len(line)
        stripped = line.strip()
        if not line.endswith("\n"):
            break  # the last, unfinished line
        if fence:
            if stripped.startswith(fence) and not stripped.strip(fence[0]):
                fence = ""
        elif stripped.startswith(("```", "~~~")):
            fence = stripped[: len(stripped) - len(stripped.lstrip(stripped[0]))]
        elif not stripped and not text[pos:].startswith((" ", "\t")):
            cut = pos  # a blank line outside code; an indented next line may continue a list item, so not there
    return cut


def _insert_markdown(cursor: QTextCursor, text: str, marks: Marks | None = None) -> None:
    # A model's line breaks are meant (a poem, an address, steps): each one breaks the line.
    cursor.insertBlock(QTextBlockFormat(), QTextCharFormat())
    cursor.insertHtml(to_html(text.strip("\n"), breaks=True, marks=marks))
