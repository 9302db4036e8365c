"""What an embedding model expects (query/document prefixes) and knows (languages), and the language of a collection."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.documents.embedder import is_multilingual, language_advice, prompts_for
from app.documents.indexing import add_files, index_pending
from app.documents.language import collection_languages, language_of, languages
from app.documents.store import DocumentStore
from tests.fixtures.seeds import CHEAT_SHEET


@pytest.mark.parametrize(("name", "query", "document"), [
    ("nomic-embed-text-v1.5", "search_query: ", "search_document: "),
    ("Nomic Embed Text V2 Moe", "search_query: ", "search_document: "),
    ("multilingual-e5-small", "query: ", "passage: "),
    ("e5-base-v2", "query: ", "passage: "),
    ("bge-small-en-v1.5", "Represent this sentence for searching relevant passages: ", ""),
    ("bge-m3", "", ""),
    ("Qwen3-Embedding-0.6B", "Instruct: Given a question, retrieve passages that answer the question\nQuery:", ""),
    ("embeddinggemma-300m", "task: search result | query: ", "title: none | text: "),
    ("all-MiniLM-L6-v2", "", ""),
    ("gte-small", "", ""),
    ("some-e5mbedding", "", ""),  # "e5" only as a word of its own
])  # fmt: skip
def test_each_family_gets_the_prefixes_its_model_card_asks_for(name: str, query: str, document: str) -> None:
    prompts = prompts_for(name)
    assert (prompts.query, prompts.document) == (query, document)


def test_multilingual_families_are_recognised_and_minilm_is_not() -> None:
    assert all(map(is_multilingual, ["multilingual-e5-small", "bge-m3", "Qwen3-Embedding-0.6B", "embeddinggemma-300m"]))
    assert not any(map(is_multilingual, ["all-MiniLM-L6-v2", "bge-small-en-v1.5", "nomic-embed-text-v1.5"]))


def test_language_of_german_and_english_text() -> None:
    german = "Die Modelle werden auf der GPU geladen, wenn sie in den Speicher passen und nicht zu groß sind."
    assert language_of(german) == "de"
    assert language_of("The model is loaded on the GPU when it fits in the memory and is not too large for it.") == "en"
    assert language_of("| Q4_K_M | 4.8 | 7B |") == ""
    assert languages(["", "x y z"]) == {}


def test_advice_for_a_german_collection_with_an_english_embedder() -> None:
    advice = language_advice("all-MiniLM-L6-v2", {"de": 0.7, "en": 0.3})
    assert "70% of this collection is German" in advice and "multilingual" in advice and "bge-m3" in advice
    assert language_advice("multilingual-e5-small", {"de": 0.7, "en": 0.3}) == ""
    assert language_advice("all-MiniLM-L6-v2", {"en": 0.9, "de": 0.1}) == ""


def test_the_cheat_sheet_is_found_to_be_partly_german(tmp_path: Path) -> None:
    with DocumentStore.open(tmp_path / "documents.db") as store:
        add_files(store, "seeds", [CHEAT_SHEET])
        cid = store.collection_id("seeds")
        index_pending(store, cid)
        shares = collection_languages(store, cid)
        texts = [str(r[0]) for r in store.conn.execute("SELECT text FROM passages")]
    assert shares.get("de", 0) >= 0.2 and shares.get("en", 0) > 0
    assert shares == pytest.approx(languages(texts), abs=0.1)  # the sample stands for the whole
    assert "German" in language_advice("all-MiniLM-L6-v2", shares)
