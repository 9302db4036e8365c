"""A flag: one finding of the shield on a text, with what it is, where it is and why it was raised."""

from __future__ import annotations

import enum
import json
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from core.messages import Message, Text, text_of


class Kind(enum.Enum):
    """What a flag found."""

    INVISIBLE = "invisible-unicode"
    """Characters a reader does not see: Unicode tags, zero-width characters, runs of variation selectors."""
    BIDI = "bidi-control"
    """Bidirectional overrides, embeddings and isolates: the text shown is not the text read (Trojan Source)."""
    ENCODED = "encoded-blob"
    """A long base64, hex or percent-encoded run (and what it decodes to)."""
    INSTRUCTION = "instruction"
    """Text that tells an assistant what to do: ignore its instructions, reveal its prompt, keep a secret from the user."""
    ROLE_PLAY = "role-play"
    """A change of role set up for the model: "you are now DAN", "act as", chat-template role markers."""
    EXFILTRATION = "exfiltration"
    """A request to send the conversation somewhere, or a link or image whose address carries data."""
    HIDDEN = "hidden-text"
    """Text a reader of the rendered document does not see: hidden HTML, white on white, a tiny font, a comment."""
    CLASSIFIED = "classifier"
    """A local model, asked, judged the text an attempt to instruct the assistant (``app.shield.classifier``)."""


@dataclass(frozen=True)
class Flag:
    """One finding.

    Attributes:
        kind: what was found.
        start, end: where, as offsets into the text that was scanned (a document's text, for a passage's flags).
        reason: one line for the user, saying what was seen (English).
        said: the reason as a core.messages.Message, for the GUI to translate (None: ``reason`` only).
    """

    kind: Kind
    start: int
    end: int
    reason: str
    said: Message | None = field(default=None, compare=False)

    @classmethod
    def of(cls, kind: Kind, start: int, end: int, said: Message) -> Flag:
        """A flag whose reason is a message."""
        return cls(kind, start, end, str(said), said)

    @property
    def reason_text(self) -> Text:
        """The reason as a message where there is one."""
        return self.said if self.said is not None else self.reason

    def shifted(self, offset: int) -> Flag:
        """The same flag with its offsets moved by ``offset`` (a passage's flags into its document's text)."""
        return Flag(self.kind, self.start + offset, self.end + offset, self.reason, self.said)

    def to_json(self) -> dict[str, Any]:
        data = {"kind": self.kind.value, "start": self.start, "end": self.end, "reason": self.reason}
        return data | ({"reason_data": self.said.to_data()} if self.said is not None else {})

    @classmethod
    def from_json(cls, data: object) -> Flag | None:
        """A flag from ``to_json``'s dict; None for anything else (a damaged row is no reason to fail a search)."""
        if not isinstance(data, dict):
            return None
        try:
            reason = str(data["reason"])
            said = text_of(data.get("reason_data"), reason)
            return cls(Kind(data["kind"]), int(data["start"]), int(data["end"]), reason,
                       said if isinstance(said, Message) else None)  # fmt: skip
        except (KeyError, ValueError, TypeError):
            return None


def dumps(flags: Iterable[Flag]) -> str:
    """Flags as a JSON list (how the documents database keeps them)."""
    return json.dumps([f.to_json() for f in flags], ensure_ascii=False)


def loads(raw: str | None) -> tuple[Flag, ...]:
    """``dumps``'s list back; malformed entries are dropped."""
    try:
        items = json.loads(raw or "[]")
    except ValueError:
        return ()
    if not isinstance(items, list):
        return ()
    return tuple(f for f in (Flag.from_json(x) for x in items) if f is not None)


def kinds(flags: Sequence[Flag]) -> list[str]:
    """The kinds among ``flags``, each once, in order: a short label for a list of flags."""
    return list(dict.fromkeys(f.kind.value for f in flags))


QUOTE_CHARS = 60


def quote(text: str, limit: int = QUOTE_CHARS) -> str:
    """Untrusted text quoted in a reason: one line, control and invisible characters shown as escapes, at most
    ``limit`` characters."""
    s = " ".join(text[: limit * 4].split())  # sliced first: a hostile text may be megabytes long
    cut = len(s) > limit
    s = s[: limit - 1] if cut else s
    if not s.isprintable():
        s = "".join(ch if unicodedata.category(ch)[0] != "C" else f"\\u{ord(ch):04x}" for ch in s)
    return '"' + s + ("…" if cut else "") + '"'


def quoted(text: str, limit: int = QUOTE_CHARS) -> Message:
    """``quote``'s text as a message, so the GUI can quote it the language's way („…“ in German)."""
    return Message('"{text}"', text=quote(text, limit)[1:-1])


def flag_summary(flags: Sequence[Flag], *, shown: int = 2, render: Callable[[Text], str] = str) -> str:
    """One line for a list of sources or hits: the first reasons, and how many more ("hidden text in HTML; +2 more");
    ``render`` writes a reason (English by default; the GUI passes its translation)."""
    reasons = list(dict.fromkeys(render(f.reason_text) for f in flags))
    more = len(reasons) - shown
    return "; ".join(reasons[:shown]) + ("; " + render(Message("+{n} more", n=str(more))) if more > 0 else "")
