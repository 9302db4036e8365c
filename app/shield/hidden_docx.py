"""Text in a Word document that a reader does not see: runs marked hidden (``w:vanish``, ``w:specVanish``,
``w:webHidden``), in white on a white page, in the colour of their own shading, or in a font of at most 1 pt.

``HiddenRuns.spans`` judges the runs of one paragraph (python-docx's ``Paragraph``) by their direct formatting, then their
character style, then their paragraph's style (each with the styles it is based on). Not seen: text hidden behind a
shape or an image, white text on a coloured table cell or text box, hiding by theme colours or document defaults.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.messages import Message, Number

MAX_HALF_POINTS = 2
"""A run this small (in half-points, as ``w:sz`` counts) or smaller is too small to read: 1 pt."""
_NEAR_WHITE = 0xF0
"""Each of red, green and blue at least this much: white to a reader."""


@dataclass(frozen=True)
class _Look:
    hidden: str | None = None
    colour: str | None = None
    """RRGGBB upper case, or None when not set ("auto" included)."""
    shading: str | None = None
    half_points: int | None = None


def _w(tag: str) -> str:
    from docx.oxml.ns import qn

    return str(qn(f"w:{tag}"))


def _on(el: Any) -> bool:
    """A toggle property (``<w:vanish/>``): on unless its value says off."""
    return el is not None and el.get(_w("val"), "true").lower() not in ("0", "false", "off")


def _hex(value: str | None) -> str | None:
    if value is None or len(value) != 6:
        return None
    try:
        int(value, 16)
    except ValueError:
        return None
    return value.upper()


def _look(props: Any) -> _Look:
    """What a run or style properties element (``w:rPr``) says, None for each thing it leaves unsaid."""
    if props is None:
        return _Look()
    hidden = next((f"w:{t}" for t in ("vanish", "specVanish", "webHidden") if _on(props.find(_w(t)))), None)
    colour = props.find(_w("color"))
    shading = props.find(_w("shd"))
    size = props.find(_w("sz"))
    try:
        half_points = int(size.get(_w("val"))) if size is not None else None
    except (TypeError, ValueError):
        half_points = None
    return _Look(hidden, _hex(colour.get(_w("val"))) if colour is not None else None,
                 _hex(shading.get(_w("fill"))) if shading is not None else None, half_points)  # fmt: skip


def _merge(first: _Look, then: _Look) -> _Look:
    """``first``'s properties, those it leaves unsaid taken from ``then``."""
    return _Look(first.hidden or then.hidden, first.colour or then.colour, first.shading or then.shading,
                 first.half_points if first.half_points is not None else then.half_points)  # fmt: skip


def _style_look(style: Any, depth: int = 0) -> _Look:
    """A style's run properties with those of the styles it is based on (a bounded chain: a hostile file can loop)."""
    if style is None or depth > 10:
        return _Look()
    own = _look(style.element.find(_w("rPr")))
    return _merge(own, _style_look(style.base_style, depth + 1))


def _white(colour: str | None) -> bool:
    return colour is not None and all(int(colour[i : i + 2], 16) >= _NEAR_WHITE for i in (0, 2, 4))


def _why(look: _Look, where: Message, *, paragraph_shading: str | None) -> Message | None:
    if look.hidden is not None:
        return Message("hidden text {where} (marked hidden: {how})", where=where, how=look.hidden)
    if look.half_points is not None and look.half_points <= MAX_HALF_POINTS:
        return Message("text {where} in a {size} pt font (too small to read)", where=where,
                       size=Number(look.half_points / 2, None))
    background = look.shading or paragraph_shading
    if look.colour is not None and background is not None and look.colour == background:
        return Message("text {where} in its background's colour (#{colour})", where=where, colour=look.colour)
    if _white(look.colour) and (background is None or _white(background)):
        return Message("white text {where} (#{colour}), unseen on the white page", where=where, colour=str(look.colour))
    return None


class HiddenRuns:
    """The judge of one Word document's runs (its styles looked up once)."""

    def __init__(self, document: Any) -> None:
        self.styles = {s.style_id: s for s in document.styles}
        self.looks: dict[str, _Look] = {}
        background = document.element.find(_w("background"))
        self.white_page = background is None or _hex(background.get(_w("color"))) in (None, "FFFFFF")

    def _style(self, style: Any) -> _Look:
        if style is None:
            return _Look()
        if style.style_id not in self.looks:
            self.looks[style.style_id] = _style_look(style)
        return self.looks[style.style_id]

    def spans(self, paragraph: Any, number: int) -> list[tuple[int, int, Message]]:
        """The spans of ``paragraph.text`` (a python-docx ``Paragraph``, the ``number``-th of the document) a reader
        does not see, each with its reason."""
        p = paragraph._p
        ppr = p.find(_w("pPr"))
        shd = ppr.find(_w("shd")) if ppr is not None else None
        shading = _hex(shd.get(_w("fill"))) if shd is not None else None
        if shading is None and not self.white_page:
            shading = "000000"  # a coloured page: white text may show on it (judged like a shaded paragraph)
        base = self._style(paragraph.style)
        where = Message("in paragraph {number} of the Word document", number=str(number))
        spans: list[tuple[int, int, Message]] = []
        at = 0
        for el in p.xpath("w:r | w:hyperlink"):
            for r in [el] if el.tag == _w("r") else el.xpath("w:r"):
                text = r.text
                if not text:
                    continue
                rpr = r.find(_w("rPr"))
                look = _look(rpr)
                rstyle = rpr.find(_w("rStyle")) if rpr is not None else None
                if rstyle is not None:
                    look = _merge(look, self._style(self.styles.get(rstyle.get(_w("val")))))
                why = _why(_merge(look, base), where, paragraph_shading=shading)
                if why is not None and text.strip():
                    if spans and spans[-1][1] == at and spans[-1][2] == why:
                        spans[-1] = (spans[-1][0], at + len(text), why)
                    else:
                        spans.append((at, at + len(text), why))
                at += len(text)
        return spans
