"""What hides text in HTML: a style that a browser would not show (display:none, visibility:hidden, opacity 0, a font
of 0 or 1 px, text in the background's colour or white, a box of no size, a place far off screen), the ``hidden``
attribute, and comments.

``hiding_reason`` judges one element's attributes; the HTML reader (app.documents.parse) asks it for every element, and
``scan_inline_html`` finds the same in a text that carries raw HTML (Markdown renders inline HTML, so a ``<span
style="display:none">`` in a .md file is invisible to its reader and plain text to a model). Stylesheets are read for
simple class rules only (``.x { display: none }``); a selector engine is out of scope.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from app.shield.flags import Flag, Kind, quoted
from core.messages import Message

MAX_STYLE = 4096
"""Characters of a style attribute looked at (a longer one is judged by its start)."""

_DECL = re.compile(r"([a-zA-Z-]{1,40})\s*:\s*([^;]{0,200})")
_NUMBER = re.compile(r"(-?\d{0,9}(?:\.\d{1,9})?)\s*(px|pt|em|rem|%|vw|vh)?")
_WHITE = frozenset({"white", "#fff", "#ffffff", "#fefefe", "rgb(255,255,255)", "rgba(255,255,255,1)", "hsl(0,0%,100%)"})
_OFFSCREEN_PX = 999


def _number(value: str) -> tuple[float, str] | None:
    m = _NUMBER.match(value.strip())
    if m is None or m.group(1) in ("", "-", ".", "-."):
        return None
    try:
        return float(m.group(1)), m.group(2) or ""
    except ValueError:
        return None


def _colour(value: str) -> str:
    return "".join(value.lower().replace("!important", "").split())


def style_hides(style: str) -> Message | None:
    """Why a CSS declaration list hides its element's text, or None when it does not."""
    decls: dict[str, str] = {}
    for m in _DECL.finditer(style[:MAX_STYLE]):
        decls[m.group(1).lower()] = m.group(2).strip().lower().replace("!important", "").strip()
    if decls.get("display") == "none":
        return Message("display:none")
    if decls.get("visibility") in ("hidden", "collapse"):
        return Message("visibility:{value}", value=decls["visibility"])
    opacity = _number(decls.get("opacity", ""))
    if opacity is not None and opacity[0] <= (1.0 if opacity[1] == "%" else 0.01):
        return Message("opacity 0")
    size = _number(decls.get("font-size", ""))
    if size is not None and size[0] <= {"px": 1.0, "pt": 1.0, "em": 0.1, "rem": 0.1, "%": 10.0}.get(size[1], 0.0):
        return Message("font-size {size}", size=decls["font-size"])
    colour = _colour(decls.get("color", ""))
    background = _colour(decls.get("background-color", decls.get("background", "")))
    if colour and background and colour == background:
        return Message("text in its background's colour ({colour})", colour=colour)
    if colour in _WHITE and not background:
        return Message("white text ({colour}), unseen on a white page", colour=colour)
    if colour in ("transparent", "rgba(0,0,0,0)"):
        return Message("transparent text")
    for side in ("left", "top", "right", "text-indent", "margin-left", "margin-top"):
        n = _number(decls.get(side, ""))
        if n is not None and n[0] <= -_OFFSCREEN_PX and (n[1] in ("px", "pt", "em", "rem") or side == "text-indent"):
            return Message("placed off screen ({side}: {value})", side=side, value=decls[side])
    for dim in ("width", "height", "max-height", "max-width"):
        n = _number(decls.get(dim, ""))
        if n is not None and n[0] == 0 and decls.get("overflow") == "hidden":
            return Message("a box of {dimension} 0 with overflow hidden", dimension=dim)
    if decls.get("clip", "").replace(" ", "") in ("rect(0,0,0,0)", "rect(0px,0px,0px,0px)", "rect(1px,1px,1px,1px)") \
            and decls.get("position") in ("absolute", "fixed"):  # fmt: skip
        return Message("clipped to nothing")
    if re.search(r"scale\(\s*0(?:\.0+)?\s*\)", decls.get("transform", "")):
        return Message("scaled to nothing")
    return None


_CLASS_RULE = re.compile(r"(?<![\w-])\.([A-Za-z_][\w-]{0,60})\s*\{([^{}]{0,2000})\}")


def hidden_classes(stylesheet: str) -> dict[str, Message]:
    """Class names a stylesheet hides with simple rules (``.x { display: none }``), with why."""
    found = {}
    for m in _CLASS_RULE.finditer(stylesheet):
        why = style_hides(m.group(2))
        if why is not None:
            found[m.group(1)] = why
    return found


def hiding_reason(attrs: Mapping[str, str | None], classes: Mapping[str, Message] | None = None) -> Message | None:
    """Why an element with ``attrs`` is not shown, or None."""
    if "hidden" in attrs:
        return Message("the hidden attribute")
    style = attrs.get("style")
    if style:
        why = style_hides(style)
        if why is not None:
            return why
    if classes:
        for name in (attrs.get("class") or "").split():
            if name in classes:
                return Message("class {name} ({why})", name=name, why=classes[name])
    return None


_STYLED_TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9]{0,15})\b([^<>]{0,2000})>")
_ATTR = re.compile(r"""([a-zA-Z-]{1,40})(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")
MAX_HIDDEN_SPAN = 20_000
"""Characters after a hiding tag looked at for its end (bounded: many unclosed tags must not cost a scan each to the end)."""
MIN_COMMENT_WORDS = 8
"""A comment with fewer words ("TODO", a licence tag) is a note to an editor, not text for a reader."""


def scan_inline_html(text: str) -> Iterator[Flag]:
    """Hidden HTML inside a text that is not read as HTML (Markdown, plain text): comments of some length, and elements
    styled or marked not to show (flagged from their opening tag to the end of the text's line or paragraph)."""
    if "<" not in text:
        return
    pos = text.find("<!--")
    while pos >= 0:  # str.find, not a lazy regex: an unclosed "<!--" repeated costs one scan, not one per opening
        close = text.find("-->", pos + 4)
        end = len(text) if close < 0 else close + 3
        body = text[pos + 4 : end - 3 if close >= 0 else end]
        if len(body.split(None, MIN_COMMENT_WORDS)) >= MIN_COMMENT_WORDS:
            yield Flag.of(Kind.HIDDEN, pos, end, Message("an HTML comment (not shown when rendered): {body}",
                                                         body=quoted(body)))  # fmt: skip
        if close < 0:
            break
        pos = text.find("<!--", end)
    closing: dict[str, int] = {}  # tag -> where its next closing tag is (-1: none after the last search): linear
    for m in _STYLED_TAG.finditer(text):
        inside = m.group(2).lower()
        if "style" not in inside and "hidden" not in inside:
            continue  # nothing else in a tag hides it (classes need a stylesheet, which inline HTML is not read for)
        attrs = {a.group(1).lower(): a.group(2) or a.group(3) or a.group(4) or "" for a in _ATTR.finditer(m.group(2))}
        why = hiding_reason(attrs)
        if why is not None:
            tag = m.group(1).lower()
            known = closing.get(tag)
            close = known if known is not None and not 0 <= known < m.end() else _find_closing(text, tag, m.end())
            closing[tag] = close
            end = min(len(text), m.end() + MAX_HIDDEN_SPAN) if close < 0 else min(close, m.end() + MAX_HIDDEN_SPAN)
            yield Flag.of(Kind.HIDDEN, m.start(), end, Message("HTML hidden by {why} (not shown when rendered): {text}",
                                                               why=why, text=quoted(text[m.end() : end])))  # fmt: skip


def _find_closing(text: str, tag: str, start: int) -> int:
    """Where ``</tag`` (any case) next starts at or after ``start``; -1 when nowhere."""
    m = re.compile(f"</{re.escape(tag)}", re.IGNORECASE).search(text, start)
    return -1 if m is None else m.start()
