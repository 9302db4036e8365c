"""Text in a PDF that a reader does not see: drawn invisible (text render mode 3 or 7), in white (on the white page),
in a font too small to read, or placed outside the page's visible box.

``page_text`` extracts a page's text as the reader of the documents does (pypdf's ``extract_text``) while it follows
the graphics state through the page's operators (``q``/``Q``, ``Tr``, the fill and stroke colours, ``Tf``, the text and
transformation matrices). Each text-showing operator is made to end a piece of the extracted text (an identity ``cm``
before it: pypdf hands its text on at every ``cm``), so every piece is judged by the state it was drawn in. Not seen:
text covered by an image or a filled shape drawn over it, text clipped away, text in the colour of a shape drawn
under it; white text on a page that paints a non-white area or an image before it is given the benefit of the doubt
(it may sit on a dark band).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from core.messages import Message

if TYPE_CHECKING:
    from pypdf import PageObject

MIN_POINTS = 1.5
"""Text drawn smaller than this (its height on the page, in points) is too small to read."""
MAX_GAP = 200
"""Characters pypdf may put between one piece of text and the next (spaces, line breaks) where a piece is looked for."""
WHITE = 0.95
"""A fill of at least this much of white (gray, each of red, green and blue; at most 1 - this of each ink) is white."""

_SHOW = frozenset({b"Tj", b"TJ", b"'", b'"'})
_FILL_PAINT = frozenset({b"f", b"F", b"f*", b"B", b"B*", b"b", b"b*"})
_STATE = _FILL_PAINT | {b"q", b"Q", b"Tr", b"Tf", b"g", b"rg", b"k", b"sc", b"scn", b"G", b"RG", b"K", b"SC", b"SCN",
                        b"cs", b"CS", b"Do", b"sh"}  # fmt: skip
"""The operators that change what this module follows (all others pass by)."""


@dataclass(frozen=True)
class _State:
    render: int = 0
    fill: tuple[float, ...] = (0.0,)
    stroke: tuple[float, ...] = (0.0,)
    size: float = 0.0


def _white(colour: tuple[float, ...]) -> bool:
    if len(colour) == 4:  # CMYK: no ink
        return all(c <= 1 - WHITE for c in colour)
    return len(colour) in (1, 3) and all(c >= WHITE for c in colour)


def _numbers(args: list[Any]) -> tuple[float, ...] | None:
    try:
        return tuple(float(a) for a in args)
    except (TypeError, ValueError):
        return None  # a pattern's name among the operands: a colour this module does not judge


class _Tracker:
    """The graphics state through a page's operators, and the reason (or None) each piece of text is unseen."""

    def __init__(self, number: int, box: tuple[float, float, float, float]) -> None:
        self.number = number
        self.box = box
        self.state = _State()
        self.stack: list[_State] = []
        self.painted = False
        """A non-white area or an image was painted: white text after it may be on it."""
        self.why: Message | None = None
        """Why the text of the last text-showing operator is unseen (None: it is seen)."""
        self.pieces: list[tuple[str, Message | None]] = []

    def before(self, op: bytes, args: list[Any], cm: list[float], tm: list[float]) -> None:
        if op in _SHOW:  # the most frequent operators first: this runs for every operator of every page
            self.why = self._judge(cm, tm)
            return
        if op not in _STATE:
            return
        s = self.state
        if op == b"q":
            self.stack.append(s)
        elif op == b"Q":
            self.state = self.stack.pop() if self.stack else _State()
        elif op == b"Tr" and args:
            mode = _numbers(args[:1])
            self.state = replace(s, render=int(mode[0]) if mode and math.isfinite(mode[0]) else 0)
        elif op == b"Tf" and len(args) >= 2:
            size = _numbers(args[1:2])
            self.state = replace(s, size=size[0] if size else 0.0)
        elif op in (b"g", b"rg", b"k", b"sc", b"scn"):
            colour = _numbers(args)
            if colour is not None:
                self.state = replace(s, fill=colour)
        elif op in (b"G", b"RG", b"K", b"SC", b"SCN"):
            colour = _numbers(args)
            if colour is not None:
                self.state = replace(s, stroke=colour)
        elif op == b"cs":
            self.state = replace(s, fill=(0.0,))
        elif op == b"CS":
            self.state = replace(s, stroke=(0.0,))
        elif op == b"Do" or op == b"sh" or (op in _FILL_PAINT and not _white(s.fill)):
            self.painted = True

    def _judge(self, cm: list[float], tm: list[float]) -> Message | None:
        s = self.state
        where = Message("on page {number} of the PDF", number=str(self.number))
        if s.render in (3, 7):
            return Message("invisible text {where} (text render mode {mode}: not drawn)", where=where, mode=str(s.render))
        c = tm[2] * cm[0] + tm[3] * cm[2]
        d = tm[2] * cm[1] + tm[3] * cm[3]
        height = abs(s.size) * math.hypot(c, d)
        if height < MIN_POINTS:
            return Message("text {where} in a font {height} pt high (too small to read)", where=where,
                           height=f"{height:.2g}")
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        x0, y0, x1, y1 = self.box
        if x >= x1 or y >= y1 or y + height <= y0 or x < x0 - 100 * height:
            return Message("text {where} placed outside the page (at {x}, {y}; the page is {x0} to {x1} by {y0} to {y1})",
                           where=where, x=f"{x:.0f}", y=f"{y:.0f}", x0=f"{x0:.0f}", x1=f"{x1:.0f}", y0=f"{y0:.0f}",
                           y1=f"{y1:.0f}")  # fmt: skip
        fill_only, stroke_only = s.render in (0, 4), s.render in (1, 5)
        unseen_fill = _white(s.fill) and not self.painted
        unseen_stroke = _white(s.stroke) and not self.painted
        if (fill_only and unseen_fill) or (stroke_only and unseen_stroke) or (unseen_fill and unseen_stroke):
            colour = " ".join(f"{c:g}" for c in (s.stroke if stroke_only else s.fill))
            return Message("white text {where} (colour {colour}), unseen on the white page", where=where, colour=colour)
        return None

    def text(self, text: str, cm: Any, tm: Any, font: Any, size: Any) -> None:
        if text:
            self.pieces.append((text, self.why if text.strip() else None))


def page_text(page: PageObject, number: int) -> tuple[str, list[tuple[int, int, Message]]]:
    """Page ``number``'s text (what ``page.extract_text()`` gives, line endings made ``\\n``) and the spans of it a reader
    does not see, each with its reason."""
    from pypdf.generic import ContentStream, NameObject, NumberObject

    try:
        box = tuple(float(v) for v in page.cropbox)
    except (TypeError, ValueError, KeyError):
        box = (0.0, 0.0, 612.0, 792.0)
    x0, y0, x1, y1 = box
    tracker = _Tracker(number, (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)))
    contents = page.get("/Contents")
    if contents is None:
        return _lines(page.extract_text() or ""), []
    # Parsed as pypdf's text extraction parses it ("bytes": strings left for the fonts to decode).
    content = ContentStream(contents.get_object(), page.pdf, "bytes")
    identity = [NumberObject(1), NumberObject(0), NumberObject(0), NumberObject(1), NumberObject(0), NumberObject(0)]
    ops: list[tuple[Any, bytes]] = []
    for operands, operator in content.operations:
        if operator in _SHOW:
            ops.append((identity, b"cm"))  # ends the piece before: each piece is one operator's text
        ops.append((operands, operator))
    stream = ContentStream(None, page.pdf, "bytes")
    stream.operations = ops
    copy = type(page)(page.pdf)
    copy.update(page)
    copy[NameObject("/Contents")] = stream
    text = _lines(copy.extract_text(visitor_operand_before=tracker.before, visitor_text=tracker.text) or "")
    return text, _spans(text, [(_lines(piece), why) for piece, why in tracker.pieces])


def _lines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _spans(text: str, pieces: list[tuple[str, Message | None]]) -> list[tuple[int, int, Message]]:
    """Where the unseen pieces are in ``text`` (found in order; neighbours with the same reason joined)."""
    spans: list[tuple[int, int, Message]] = []
    at = 0
    for piece, why in pieces:
        if not piece.strip():
            continue
        k = text.find(piece, at, at + len(piece) + MAX_GAP)
        if k < 0:
            continue  # not where it should be (pypdf laid it out otherwise): looked for within a bound, so linear
        at = k + len(piece)
        if why is None:
            continue
        if spans and spans[-1][2] == why and not text[spans[-1][1] : k].strip():
            spans[-1] = (spans[-1][0], at, why)
        else:
            spans.append((k, at, why))
    return spans
