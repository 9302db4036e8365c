"""app.markdown: untrusted Markdown becomes HTML that shows every character as written and makes a viewer load nothing."""

from __future__ import annotations

from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st

from app.markdown import escape_text, is_web_address, to_html

# Every element the renderer may produce; none of them makes a viewer fetch anything.
ALLOWED_TAGS = {
    "p", "br", "em", "strong", "s", "code", "pre", "a", "span", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li",
    "blockquote", "hr", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"href", "style", "border", "cellspacing", "cellpadding", "align", "start"}


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parsed(html: str) -> _Collect:
    collect = _Collect()
    collect.feed(html)
    collect.close()
    return collect


def shown(html: str) -> str:
    """The characters a reader sees (whitespace collapsed)."""
    return " ".join("".join(parsed(html).text).split())


def test_text_after_a_less_than_sign_is_shown_exactly() -> None:
    for text in ("Is List<String> valid Java?", "if a<b && c>d: pass", "Map<K, V> & Set<T>", "x <y> z", "1 < 2 > 0"):
        assert shown(to_html(text)) == text, text


def test_raw_html_is_shown_as_text_never_as_markup() -> None:
    for text in ('<script>alert("x")</script>', "<b>bold?</b>", '<img src="/dev/zero">', "<style>p{}</style>",
                 '<a href="file:///etc/passwd">x</a>', "<iframe src=x></iframe>", "<!-- hidden -->"):  # fmt: skip
        html = to_html(text)
        assert shown(html) == text, text
        assert all(tag == "p" for tag, _ in parsed(html).tags), html


def test_an_image_becomes_its_alt_text_and_address_and_loads_nothing() -> None:
    html = to_html("![z](/dev/zero) and ![a FIFO](file:///tmp/fifo) and ![logo](https://example.org/logo.png)")
    assert "<img" not in html
    assert shown(html) == (
        "[image: z] /dev/zero and ![a FIFO](file:///tmp/fifo) and [image: logo] https://example.org/logo.png"
    )  # markdown-it makes no image of a file: address at all: it stays the text it was
    links = [dict(attrs)["href"] for tag, attrs in parsed(html).tags if tag == "a"]
    assert links == ["https://example.org/logo.png"]  # only a web address is offered as a link, and only to click


def test_reference_images_and_images_in_links_load_nothing() -> None:
    html = to_html("![alt][pic]\n\n[![badge](https://img.example/b.svg)](https://example.org)\n\n[pic]: /dev/zero")
    assert "<img" not in html and "src=" not in html
    assert "[image: alt] /dev/zero" in shown(html) and "[image: badge]" in shown(html)


def test_markdown_keeps_its_shape() -> None:
    html = to_html("# Title\n\nSome **bold**, `x < y`.\n\n- one\n- two\n\n```py\nif a < b:\n    pass\n```\n\n"
                   "| a | b |\n|:--|--:|\n| 1 | 2 |\n\n> quoted\n\n1. first")  # fmt: skip
    tags = [tag for tag, _ in parsed(html).tags]
    for tag in ("h1", "strong", "code", "ul", "li", "pre", "table", "th", "td", "blockquote", "ol"):
        assert tag in tags, tag
    assert "if a &lt; b:\n    pass</pre>" in html  # code kept verbatim, indentation included
    assert 'background-color:' in html  # code blocks are shaded
    assert '<th align="right" style=' in html


def test_breaks_keep_a_chat_answers_line_breaks() -> None:
    assert "<br" in to_html("line one\nline two", breaks=True)
    assert "<br" not in to_html("line one\nline two")  # a model card joins lines, as Hugging Face shows it


def test_links_keep_their_address_for_the_viewer_to_judge() -> None:
    html = to_html("[site](https://example.org/a?b=1&c=2) [settings](ms-settings:privacy) [file](file:///etc/passwd)")
    hrefs = [dict(attrs)["href"] for tag, attrs in parsed(html).tags if tag == "a"]
    assert hrefs == ["https://example.org/a?b=1&c=2", "ms-settings:privacy"]  # the view refuses the second one
    assert "[file](file:///etc/passwd)" in shown(html)  # markdown-it never makes a file: link


def test_is_web_address() -> None:
    assert is_web_address("https://example.org/x") and is_web_address("HTTP://example.org")
    for address in ("file:///etc/passwd", "ms-settings:", "smb://host/share", "/dev/zero", "https:", "https:///x", ""):
        assert not is_web_address(address), address


def test_escape_text_keeps_lines() -> None:
    assert escape_text("<b>a</b>\nb & c") == "&lt;b&gt;a&lt;/b&gt;<br>b &amp; c"


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([*"<>!/[]()\"'=&*`#|-: \nabimgsrcfle.", "<img", "src=", "](", "![", "```", "\n\n"]),
                max_size=40))  # fmt: skip
def test_no_input_makes_an_element_that_loads_something(pieces: list[str]) -> None:
    text = "".join(pieces)
    for breaks in (False, True):
        collect = parsed(to_html(text, breaks=breaks))
        for tag, attrs in collect.tags:
            assert tag in ALLOWED_TAGS, (text, tag)
            assert {name for name, _ in attrs} <= ALLOWED_ATTRIBUTES, (text, attrs)
