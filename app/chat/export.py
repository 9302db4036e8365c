"""Export a conversation as Markdown (thinking folded in ``<details>`` blocks) or JSON.

The figures of tool steps (app.chat.figures) are copied beside the export, into ``<name>-figures/``, and the Markdown
shows them as images from there (the JSON lists them with the steps); a figure whose file is gone says "figure missing".
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from app.chat.attachments import AnswerSources
from app.chat.figures import MAX_BYTES, figure_file, figures_dir, figures_of
from app.chat.messages import ChatError, Role
from app.chat.sessions import Conversation, MessageState, StoredMessage
from core.messages import Message

FigureLinks = Mapping[str, str | None]
"""A stored figure's name -> where the export has its copy (relative to the export), None when its file is gone."""

__all__ = ["JSON_FORMAT", "save", "to_json", "to_markdown"]

JSON_FORMAT = "modelwerk-chat"
JSON_VERSION = 1

_HEADINGS = {Role.SYSTEM: "System", Role.USER: "User", Role.ASSISTANT: "Assistant"}


def _thinking_summary(message: StoredMessage) -> str:
    details = []
    if message.stats is not None:
        if message.stats.thinking_tokens:
            details.append(f"{message.stats.thinking_tokens} tokens")
        if message.stats.thinking_s is not None:
            details.append(f"{message.stats.thinking_s:.1f} s")
    return "Thinking" + (f" ({', '.join(details)})" if details else "")


def _answer_footer(message: StoredMessage) -> str:
    parts = []
    if message.state is MessageState.CANCELLED:
        parts.append("stopped")
    elif message.state is MessageState.ERROR:
        parts.append("failed" + (f": {message.error}" if message.error else ""))
    elif message.state is MessageState.STREAMING:
        parts.append("unfinished")
    stats = message.stats
    if stats is not None:
        if stats.ttft_s is not None:
            parts.append(f"first token {stats.ttft_s:.2f} s")
        if stats.tokens_per_s is not None:
            parts.append(f"{stats.tokens_per_s:.1f} tokens/s")
    return f"*({'; '.join(parts)})*" if parts else ""


def _escape_details(text: str) -> str:
    # A literal </details> in the thinking would close our block early.
    return text.replace("</details>", "&lt;/details&gt;")


def to_markdown(conversation: Conversation, messages: Sequence[StoredMessage], model_name: str = "",
                figures: FigureLinks | None = None) -> str:  # fmt: skip
    """The conversation as a Markdown document; each answer's thinking is a collapsed ``<details>`` block. `model_name`:
    how the user knows the model ("gemma-3-270m Q4_K_M"); without it, its key. ``figures``: where the figures were
    copied (see ``save``); without it a figure is named, not shown."""
    lines = [f"# {conversation.title or 'Conversation'}", ""]
    lines.append(f"- Model: `{model_name or conversation.model_key}`")
    lines.append(f"- Started: {conversation.created.strftime('%Y-%m-%d %H:%M UTC')}")
    lines.append(f"- Reasoning: {conversation.reasoning.value}")
    lines.append("")
    if conversation.system_prompt:
        lines += ["## System prompt", "", conversation.system_prompt.strip(), ""]
    for message in messages:
        lines += [f"## {_HEADINGS[message.role]}", ""]
        if message.thinking.strip():
            lines += [
                "<details>",
                f"<summary>{_thinking_summary(message)}</summary>",
                "",
                _escape_details(message.thinking.strip()),
                "",
                "</details>",
                "",
            ]
        lines += _figures_markdown(message, figures)
        if message.content.strip():
            lines += [message.content.strip(), ""]
        if message.sources is not None:
            lines += _sources_markdown(message.sources)
        footer = _answer_footer(message) if message.role is Role.ASSISTANT else ""
        if footer:
            lines += [footer, ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def _sources_markdown(sources: AnswerSources) -> list[str]:
    """The sources under an answer from documents: how they were chosen, then one line per [n]."""
    summary = str(sources.summary())
    lines = [f"*{summary[:1].upper()}{summary[1:]} of the collection “{sources.collection}”.*", ""]
    for s in sources.sources:
        lines.append(f"- [{s.number}] {s.citation()} — `{s.path}`" + (" (cited)" if s.cited else ""))
    if sources.wrong:
        lines.append("- Cited but no source of this answer: " + ", ".join(f"[{n}]" for n in sources.wrong))
    lines += [f"- Note: {note}" for note in sources.notes]
    return [*lines, ""] if len(lines) > 2 else lines


def _figures_markdown(message: StoredMessage, links: FigureLinks | None) -> list[str]:
    lines = []
    for number, figure in enumerate(figures_of(message.steps), 1):
        caption = f"Figure {number} ({figure.width}×{figure.height})"
        if links is None:
            lines.append(f"*{caption}: `{figure.file}` in Modelwerk's figures folder*")
        elif links.get(figure.file) is None:
            lines.append(f"*{caption}: figure missing*")
        else:
            lines.append(f"![{caption}]({quote(str(links[figure.file]))})")  # the export's own name may hold spaces
    return [*lines, ""] if lines else []


def _message_dict(message: StoredMessage, links: FigureLinks | None) -> dict[str, Any]:
    figures = [{"file": f.file, "width": f.width, "height": f.height, "copy": None if links is None else links.get(f.file)}
               for f in figures_of(message.steps)]  # fmt: skip
    return {
        "role": message.role.value,
        "content": message.content,
        "thinking": message.thinking,
        "state": message.state.value,
        "error": message.error,
        "stats": None if message.stats is None else dataclasses.asdict(message.stats),
        "sources": None if message.sources is None else message.sources.to_dict(),
        "steps": list(message.steps),
        "figures": figures,
        "created": message.created.isoformat(),
    }


def to_dict(conversation: Conversation, messages: Sequence[StoredMessage], model_name: str = "",
            figures: FigureLinks | None = None) -> dict[str, Any]:  # fmt: skip
    """The conversation as plain JSON-able data (what ``to_json`` writes)."""
    return {
        "format": JSON_FORMAT,
        "version": JSON_VERSION,
        "title": conversation.title,
        "model": model_name or conversation.model_key,
        "model_key": conversation.model_key,
        "system_prompt": conversation.system_prompt,
        "sampling": dataclasses.asdict(conversation.sampling),
        "reasoning": conversation.reasoning.value,
        "attachment": None if conversation.attachment is None else dataclasses.asdict(conversation.attachment),
        "created": conversation.created.isoformat(),
        "updated": conversation.updated.isoformat(),
        "messages": [_message_dict(m, figures) for m in messages],
    }


def to_json(conversation: Conversation, messages: Sequence[StoredMessage], model_name: str = "",
            figures: FigureLinks | None = None) -> str:  # fmt: skip
    """The conversation as a JSON document (UTF-8 text, indented); messages keep thinking, stats, state and steps."""
    return json.dumps(to_dict(conversation, messages, model_name, figures), indent=2, ensure_ascii=False) + "\n"


def save(path: Path, conversation: Conversation, messages: Sequence[StoredMessage], model_name: str = "", *,
         figures: Path | None = None) -> None:  # fmt: skip
    """Write the conversation to ``path``: JSON for a .json file, Markdown otherwise; its figures (from ``figures``,
    by default the data folder's) are copied into ``<name>-figures/`` beside it.

    Raises:
        ChatError: the file (or a figure's copy) cannot be written.
    """
    as_json = path.suffix.lower() == ".json"
    try:
        links = _copy_figures(messages, figures or figures_dir(), path.with_name(f"{path.stem}-figures"))
        text = (to_json if as_json else to_markdown)(conversation, messages, model_name, links)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ChatError(Message("Cannot write {reason}: {reason2}", reason=str(exc.filename or path),
                                reason2=str(exc.strerror or exc))) from exc


def _copy_figures(messages: Sequence[StoredMessage], source: Path, target: Path) -> dict[str, str | None]:
    links: dict[str, str | None] = {}
    for figure in (f for m in messages for f in figures_of(m.steps)):
        found = figure_file(figure.file, source)
        if figure.file in links or found is None:
            continue
        if not found.is_file() or found.stat().st_size > MAX_BYTES:
            links[figure.file] = None
            continue
        target.mkdir(exist_ok=True)
        shutil.copyfile(found, target / figure.file)
        links[figure.file] = f"{target.name}/{figure.file}"
    return links
