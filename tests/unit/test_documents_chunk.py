"""Chunking: passages round-trip to the document's text, stay near their size, overlap, and never cross a heading."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.documents.chunk import ChunkOptions, chunk_document, count_tokens
from app.documents.parse import Block, DocumentKind, ParsedDocument, markdown_blocks, paragraph_blocks

SMALL = ChunkOptions(max_tokens=20, overlap_tokens=6)


def _md(text: str) -> ParsedDocument:
    return ParsedDocument(Path("t.md"), DocumentKind.MARKDOWN, text, tuple(markdown_blocks(text)))


def test_count_tokens_words_and_marks() -> None:
    assert count_tokens("Hello, world!") == 4
    assert count_tokens("| --- | ---- |") == 5  # a run of one mark counts once


def test_passages_pack_paragraphs_and_overlap() -> None:
    paras = [f"Paragraph {i} has exactly seven words here." for i in range(6)]  # 8 units each with the period
    doc = _md("\n\n".join(paras))
    passages = chunk_document(doc, ChunkOptions(max_tokens=20, overlap_tokens=8))
    assert [p.text.count("Paragraph") for p in passages] == [2, 2, 2, 2, 2]
    for a, b in itertools.pairwise(passages):
        assert b.text.split("\n\n")[0] == a.text.split("\n\n")[-1]  # the next starts with the last paragraph before
    assert len(chunk_document(doc, SMALL)) == 3  # an overlap of 6 units takes no 8-unit paragraph
    assert all(p.tokens <= 20 for p in passages)
    assert passages[-1].text.endswith("Paragraph 5 has exactly seven words here.")


def test_a_heading_starts_a_new_passage_and_names_it() -> None:
    doc = _md("# Intro\n\nshort intro text\n\n## Setup\n\ninstall it\n\n# Usage\n\nrun it")
    passages = chunk_document(doc, SMALL)
    assert [(p.heading, p.text) for p in passages] == [
        ("Intro", "# Intro\n\nshort intro text"),
        ("Intro › Setup", "## Setup\n\ninstall it"),
        ("Usage", "# Usage\n\nrun it"),
    ]


def test_a_long_paragraph_is_cut_into_overlapping_windows() -> None:
    words = " ".join(f"w{i}" for i in range(100))
    doc = _md(words)
    passages = chunk_document(doc, SMALL)
    assert all(p.tokens <= SMALL.max_tokens for p in passages)
    assert passages[0].start == 0 and passages[-1].end == len(words)
    assert passages[1].text.startswith("w14 ")  # 20-unit windows stepping by 14: six units shared
    covered = set()
    for p in passages:
        covered.update(p.text.split())
    assert covered == set(words.split())


def test_a_new_page_starts_a_new_passage() -> None:
    text = "one two\n\nthree four\n\nfive six\n\nseven"
    blocks = (Block(0, 7, page=1), Block(9, 19, page=2), Block(21, 29, page=2), Block(31, 36, page=4))
    doc = ParsedDocument(Path("a.pdf"), DocumentKind.PDF, text, blocks, pages=4)
    passages = chunk_document(doc, SMALL)
    assert [(p.page, p.page_end, p.text) for p in passages] == [
        (1, 1, "one two"), (2, 2, "three four\n\nfive six"), (4, 4, "seven")
    ]


def test_a_block_exactly_one_window_long_is_one_passage() -> None:
    for n in (20, 21, 34, 35):
        words = " ".join(f"w{i}" for i in range(n))
        passages = chunk_document(_md(words), SMALL)
        assert passages[0].start == 0 and passages[-1].end == len(words)
        assert len(passages) == (1 if n <= 20 else 2 if n <= 34 else 3)


def test_options_are_checked() -> None:
    with pytest.raises(ValueError):
        ChunkOptions(max_tokens=10, overlap_tokens=5)


_text = st.lists(
    st.one_of(
        st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=80),
        st.sampled_from(["# Title", "## Sub", "```", "\n", "\n\n", "- item", "  ", "---", "===", "| a |"]),
    ),
    max_size=40,
).map("\n".join)


@settings(max_examples=150, deadline=None)
@given(_text)
def test_every_passage_is_the_document_text_at_its_offsets(text: str) -> None:
    for doc in (_md(text), ParsedDocument(Path("t.txt"), DocumentKind.TEXT, text, tuple(paragraph_blocks(text)))):
        passages = chunk_document(doc, SMALL)
        for i, p in enumerate(passages):
            assert p.ordinal == i
            assert doc.text[p.start : p.end] == p.text
            assert p.text.strip()
        # every word of the document is in some passage
        covered = [False] * len(text)
        for p in passages:
            for j in range(p.start, p.end):
                covered[j] = True
        assert all(covered[j] for j in range(len(text)) if not text[j].isspace())
