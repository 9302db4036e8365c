"""Markdown from untrusted sources (model answers, model cards) as HTML that is safe to hand to a Qt text widget.

Qt's own Markdown and HTML importers pass raw HTML through and load every image they are given — a local file, a FIFO
(the app froze) or /dev/zero (it crashed). Here markdown-it-py parses CommonMark (+ tables and strikethrough) with raw
HTML turned off, so "<b>", "<script>" and "List<String>" come out as the characters they are. No element that makes a
viewer fetch anything is produced: an image becomes its alt text and its address, which the user may open as a link.
Inline styles stand in for a style sheet (Qt's HTML subset has no classes), keeping code blocks and tables readable.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any, TypeAlias
from urllib.parse import urlsplit

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token

CODE_BACKGROUND = "#f0f2f5"
TABLE_BORDER = "#d0d4da"
MUTED = "#6b7380"
WEB_SCHEMES = ("http", "https")

Mark: TypeAlias = tuple[int, int, str]
"""(start, end, html): a span of a run of plain text shown as HTML that the caller made (and escaped) itself."""
Marks: TypeAlias = Callable[[str], Sequence[Mark]]

_CODE_FONT = "font-family:monospace"
_PRE = f'<pre style="background-color:{CODE_BACKGROUND}; {_CODE_FONT}; margin-top:6px; margin-bottom:6px">'


def to_html(text: str, *, breaks: bool = False, marks: Marks | None = None) -> str:
    """Safe HTML for a Markdown text: raw HTML shown as text, images as "[image: alt] address", nothing to load.

    Args:
        text: Markdown from a model, a model card or any other source not trusted to write HTML.
        breaks: a single newline breaks the line (what a chat answer means by it) instead of joining the lines.
        marks: spans of plain text (never code, never a link's text) to show as the caller's own HTML: the chat's
            citation links. It sees each run of text and returns its spans; the text around them is escaped.
    """
    out: str = _parser(breaks).render(text, {"marks": marks} if marks is not None else {})
    return out.strip()  # a trailing newline would show as a space after the last block


def escape_text(text: str) -> str:
    """Plain text as HTML that shows it exactly (line breaks kept): for metadata that is not Markdown."""
    return html.escape(text).replace("\n", "<br>")


def is_web_address(address: str) -> bool:
    """True for an absolute http(s) address with a host: the only kind Modelwerk offers to open."""
    try:
        parts = urlsplit(address)
        return parts.scheme.lower() in WEB_SCHEMES and bool(parts.hostname)
    except ValueError:  # a malformed address ("http://[x")
        return False


@cache
def _parser(breaks: bool) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "breaks": breaks, "typographer": False, "linkify": False})
    md.enable(["table", "strikethrough"])
    md.add_render_rule("image", _render_image)
    md.add_render_rule("text", _render_text)
    md.add_render_rule("fence", _render_code_block)
    md.add_render_rule("code_block", _render_code_block)
    md.add_render_rule("code_inline", _render_code_inline)
    md.add_render_rule("table_open", _render_table_open)
    md.add_render_rule("th_open", _render_cell_open)
    md.add_render_rule("td_open", _render_cell_open)
    md.add_render_rule("blockquote_open", _render_blockquote_open)
    return md


# markdown-it calls render rules as methods of its renderer: (self, tokens, idx, options, env).
def _render_text(_self: Any, tokens: Sequence[Token], idx: int, _options: Any, env: Any) -> str:
    content = tokens[idx].content
    marks = env.get("marks") if isinstance(env, dict) else None
    if marks is None or _inside_link(tokens, idx):
        return escapeHtml(content)
    out, pos = [], 0
    for start, end, markup in sorted(marks(content)):
        if start < pos or end > len(content):
            continue
        out += [escapeHtml(content[pos:start]), markup]
        pos = end
    out.append(escapeHtml(content[pos:]))
    return "".join(out)


def _inside_link(tokens: Sequence[Token], idx: int) -> bool:
    """Whether the text token ``idx`` is a link's text (a mark there would put a link inside a link)."""
    depth = 0
    for token in tokens[:idx]:
        depth += {"link_open": 1, "link_close": -1}.get(token.type, 0)
    return depth > 0


def _render_image(_self: Any, tokens: Sequence[Token], idx: int, _options: Any, _env: Any) -> str:
    token = tokens[idx]
    alt = "".join(child.content for child in token.children or ()) or token.content
    src = str(token.attrGet("src") or "")
    label = html.escape(f"[image: {alt}]" if alt else "[image]")
    shown = html.escape(src)
    address = f'<a href="{shown}">{shown}</a>' if is_web_address(src) else shown
    return f'<span style="color:{MUTED}">{label}</span> {address}'


def _render_code_block(_self: Any, tokens: Sequence[Token], idx: int, _options: Any, _env: Any) -> str:
    code = tokens[idx].content.removesuffix("\n")
    return f"{_PRE}{html.escape(code)}</pre>\n"


def _render_code_inline(_self: Any, tokens: Sequence[Token], idx: int, _options: Any, _env: Any) -> str:
    return f'<code style="background-color:{CODE_BACKGROUND}">{html.escape(tokens[idx].content)}</code>'


def _render_table_open(_self: Any, _tokens: Sequence[Token], _idx: int, _options: Any, _env: Any) -> str:
    return (
        f'<table border="1" cellspacing="0" cellpadding="4" style="border-collapse:collapse; border-color:{TABLE_BORDER}; '
        'margin-top:6px; margin-bottom:6px">\n'
    )


def _render_blockquote_open(_self: Any, _tokens: Sequence[Token], _idx: int, _options: Any, _env: Any) -> str:
    return f'<blockquote style="color:{MUTED}">\n'


def _render_cell_open(_self: Any, tokens: Sequence[Token], idx: int, _options: Any, _env: Any) -> str:
    token = tokens[idx]
    tag = token.tag  # th or td
    align = {"text-align:left": "left", "text-align:center": "center", "text-align:right": "right"}.get(
        str(token.attrGet("style") or ""), ""
    )
    shade = f" background-color:{CODE_BACKGROUND};" if tag == "th" else ""
    style = f' style="border:1px solid {TABLE_BORDER};{shade}"'
    return f'<{tag} align="{align}"{style}>' if align else f"<{tag}{style}>"
