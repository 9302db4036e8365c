"""Documents attached to a conversation, and the sources an answer was given from them: plain data, stored as JSON.

Chat keeps them (``app.chat.sessions``) and exports them; what they point into (a collection of documents.db) is
app.documents' business, and ``app.answering`` joins the two. A stored value that cannot be read (a newer or broken
row) reads as no attachment or no sources, never as an error that would keep the conversation from opening.
"""

from __future__ import annotations

import enum
import json
import logging
from dataclasses import asdict, dataclass, field
from typing import Any

from app.shield.flags import Flag

__all__ = ["SEARCH_NAMES", "SOURCE_CHOICES", "AnswerSource", "AnswerSources", "Attachment"]

log = logging.getLogger(__name__)

SOURCE_CHOICES = ("auto", "retrieval", "whole")
"""How an attached collection is used (app.documents.context.SourceMode's values): the whole documents when they fit
(auto), always retrieved passages, or always the whole documents."""

SEARCH_NAMES = {"bm25": "BM25", "vector": "vectors", "hybrid": "hybrid", "rerank": "reranked"}
"""How the retrievers' names are said to the user."""


@dataclass(frozen=True)
class Attachment:
    """A collection attached to a conversation.

    Attributes:
        collection_id: its id in documents.db.
        collection: its name when attached (shown when it has been deleted since).
        sources: one of ``SOURCE_CHOICES``.
        files: only these files of the collection (absolute paths); empty for all of it.
        exclude_flagged: leave out the passages the shield flagged (instruction-like or hidden text).
    """

    collection_id: int
    collection: str
    sources: str = "auto"
    files: tuple[str, ...] = ()
    exclude_flagged: bool = False

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str | None) -> Attachment | None:
        """The stored attachment; None for none or one that cannot be read."""
        if not text:
            return None
        try:
            data = json.loads(text)
            sources = str(data.get("sources", "auto"))
            return cls(int(data["collection_id"]), str(data["collection"]),
                       sources if sources in SOURCE_CHOICES else "auto",
                       tuple(str(f) for f in data.get("files", ())), bool(data.get("exclude_flagged", False)))  # fmt: skip
        except (ValueError, TypeError, KeyError, AttributeError):
            log.warning("Ignoring an unreadable attachment %r", text[:80])
            return None


@dataclass(frozen=True)
class AnswerSource:
    """One numbered source an answer was given (the [n] of its prompt), with its text as it was then."""

    number: int
    path: str
    start: int
    end: int
    text: str
    page: int | None = None
    page_end: int | None = None
    heading: str = ""
    flags: tuple[Flag, ...] = ()
    passage_id: int | None = None
    tokens: int = 0
    cited: bool = False

    def citation(self) -> str:
        """``notes.md · p. 3 · Setup`` (file name, pages, heading), as app.documents.retrieval.Source says it."""
        name = self.path.replace("\\", "/").rsplit("/", 1)[-1]
        parts = [name]
        if self.page is not None:
            parts.append(f"p. {self.page}" if self.page_end in (None, self.page) else f"p. {self.page}–{self.page_end}")
        if self.heading:
            parts.append(self.heading)
        if self.page is None and not self.heading and self.passage_id is not None:
            parts.append(f"chars {self.start}–{self.end}")
        return " · ".join(parts)


@dataclass(frozen=True)
class AnswerSources:
    """What an answer from documents was given, and how it was chosen.

    Attributes:
        collection_id, collection: the collection (its id in documents.db, its name then).
        mode: "retrieval" or "whole document".
        search: the retriever ("hybrid", "bm25", "vector"); "" when no passage was retrieved.
        query: what was retrieved with ("" for whole documents).
        sources: the numbered sources, [1] first.
        source_tokens: what they cost in the prompt.
        wrong: numbers the answer cites that name no source.
        notes: what the user should know (passages left out for lack of room).
    """

    collection_id: int
    collection: str
    mode: str
    search: str = ""
    query: str = ""
    sources: tuple[AnswerSource, ...] = ()
    source_tokens: int = 0
    wrong: tuple[int, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)

    def source(self, number: int) -> AnswerSource | None:
        return next((s for s in self.sources if s.number == number), None)

    def summary(self) -> str:
        """ "answered from 5 retrieved passages (hybrid)" or "answered from the whole document (3,100 tokens)"."""
        n = len(self.sources)
        if self.mode == "whole document":
            what = "the whole document" if n == 1 else f"{n} whole documents"
            return f"answered from {what} ({self.source_tokens:,} tokens)"
        if not n:
            return "no passage matched the question"
        how = f" ({SEARCH_NAMES.get(self.search, self.search)})" if self.search else ""
        return f"answered from {n} retrieved passage{'s' * (n != 1)}{how}"

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self, dict_factory=_plain)

    @classmethod
    def from_json(cls, text: str | None) -> AnswerSources | None:
        """The stored sources; None for none or ones that cannot be read."""
        if not text:
            return None
        try:
            data = json.loads(text)
            sources = tuple(
                AnswerSource(int(s["number"]), str(s["path"]), int(s["start"]), int(s["end"]), str(s["text"]),
                             _int(s.get("page")), _int(s.get("page_end")), str(s.get("heading", "")),
                             tuple(f for f in map(Flag.from_json, s.get("flags", ())) if f is not None),
                             _int(s.get("passage_id")),
                             int(s.get("tokens", 0)), bool(s.get("cited", False)))
                for s in data.get("sources", ())
            )  # fmt: skip
            return cls(int(data["collection_id"]), str(data["collection"]), str(data["mode"]), str(data.get("search", "")),
                       str(data.get("query", "")), sources, int(data.get("source_tokens", 0)),
                       tuple(int(n) for n in data.get("wrong", ())), tuple(str(n) for n in data.get("notes", ())))  # fmt: skip
        except (ValueError, TypeError, KeyError, AttributeError):
            log.warning("Ignoring unreadable answer sources %r", text[:80])
            return None


def _int(value: object) -> int | None:
    return None if value is None else int(str(value))


def _plain(items: list[tuple[str, Any]]) -> dict[str, Any]:
    """``asdict``'s dicts with enum values as their values (a source's flags carry their kind)."""
    return {k: v.value if isinstance(v, enum.Enum) else v for k, v in items}
