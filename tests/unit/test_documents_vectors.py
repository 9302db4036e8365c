"""Dense vectors beside the passages: stored, searched, fused with BM25, and gone with their passages (no model: a
bag-of-words embedder stands in; tests/integration/test_embeddings.py uses the real all-MiniLM-L6-v2)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest

from app.documents.embedder import EmbedderError, Vectors, normalise
from app.documents.indexing import add_files, index_pending, remove_files
from app.documents.retrieval import Bm25Retriever, FusedRetriever
from app.documents.store import DB_NAME, DocumentStore
from app.documents.vectors import SearchMode, VectorIndex, VectorRetriever, embed_collection, retriever_for


class BagOfWords:
    """Each word hashed to one of ``dimension`` axes: texts that share words point the same way."""

    def __init__(self, dimension: int = 256, name: str = "bag") -> None:
        self.dimension = dimension
        self.name = name
        self.fingerprint = f"{name}|{dimension}"
        self.location = f"/models/{name}.gguf"
        self.calls: list[int] = []

    def embed(self, texts: Sequence[str]) -> Vectors:
        self.calls.append(len(texts))
        m = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                m[i, int(hashlib.sha1(word.encode()).hexdigest(), 16) % self.dimension] += 1.0
        return normalise(m)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[DocumentStore]:
    s = DocumentStore.open(tmp_path / DB_NAME)
    yield s
    s.close()


@pytest.fixture
def zoo(store: DocumentStore, tmp_path: Path) -> int:
    d = tmp_path / "zoo"
    d.mkdir()
    (d / "animals.md").write_text(
        "# Mammals\n\n## Aardvark\n\nThe aardvark digs burrows at night and eats termites.\n\n"
        "## Walrus\n\nThe walrus uses its tusks to haul out onto ice floes. A walrus weighs over a tonne.\n\n"
        "# Birds\n\nThe kea is a parrot of the Southern Alps that opens car doors.\n"
    )
    (d / "formats.txt").write_text("GGUF is a file format for llama.cpp models.\n")
    cid, _ = add_files(store, "Zoo", [d])
    assert not index_pending(store, cid).failed
    return cid


def vector_rows(store: DocumentStore) -> int:
    return int(store.conn.execute("SELECT COUNT(*) FROM passage_vectors").fetchone()[0])


def test_every_passage_gets_one_vector_and_a_second_run_embeds_nothing(store: DocumentStore, zoo: int) -> None:
    bag = BagOfWords()
    passages = len(store.passages(zoo))
    assert embed_collection(store, zoo, bag) == passages
    assert VectorIndex(store).count(zoo) == passages == vector_rows(store)
    assert embed_collection(store, zoo, bag) == 0  # resumable: only what is missing


def test_vector_search_finds_the_passage_with_a_citation(store: DocumentStore, zoo: int) -> None:
    bag = BagOfWords()
    embed_collection(store, zoo, bag)
    hits = VectorRetriever(store, zoo, bag).search("What does a walrus weigh?", k=3)
    assert hits[0].retriever == "vector" and hits[0].rank == 1
    assert "walrus weighs" in hits[0].text and hits[0].source.heading.endswith("Walrus")
    assert [h.rank for h in hits] == list(range(1, len(hits) + 1))
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert VectorRetriever(store, zoo, bag).search("   ") == []


def test_hybrid_fuses_bm25_and_vectors(store: DocumentStore, zoo: int) -> None:
    bag = BagOfWords()
    embed_collection(store, zoo, bag)
    hybrid = FusedRetriever([Bm25Retriever(store, zoo), VectorRetriever(store, zoo, bag)])
    hits = hybrid.search("Which file format does llama.cpp use?", k=2)
    assert hits[0].retriever == "hybrid" and "GGUF is a file format" in hits[0].text


def test_vectors_go_with_their_passages(store: DocumentStore, zoo: int, tmp_path: Path) -> None:
    bag = BagOfWords()
    index = VectorIndex(store)
    embed_collection(store, zoo, bag, index=index)
    before = vector_rows(store)
    retriever = VectorRetriever(store, zoo, bag, index=index)
    assert "GGUF" in retriever.search("GGUF file format", k=1)[0].text  # the matrix is cached now
    remove_files(store, "Zoo", [tmp_path / "zoo" / "formats.txt"])
    (tmp_path / "zoo" / "formats.txt").unlink()
    assert vector_rows(store) == before - 1
    assert all("GGUF" not in h.text for h in retriever.search("GGUF file format", k=8))  # the cache saw the change
    # A changed file is indexed again: its old passages and their vectors go, the new ones wait for vectors.
    (tmp_path / "zoo" / "animals.md").write_text("# Fish\n\nThe cod swims in the North Sea.\n")
    add_files(store, "Zoo", [tmp_path / "zoo"])
    index_pending(store, zoo)
    assert vector_rows(store) == 0
    assert [sp.passage.text for sp in index.missing(zoo)] == ["# Fish\n\nThe cod swims in the North Sea."]
    assert embed_collection(store, zoo, bag, index=index) == 1
    store.delete_collection("Zoo")
    assert vector_rows(store) == 0
    assert store.conn.execute("SELECT COUNT(*) FROM collection_embedders").fetchone()[0] == 0


def test_another_embedder_means_embedding_again(store: DocumentStore, zoo: int) -> None:
    old, new = BagOfWords(name="old"), BagOfWords(128, name="new")
    embed_collection(store, zoo, old)
    with pytest.raises(EmbedderError, match="made by old, not new"):
        VectorRetriever(store, zoo, new).search("walrus")
    passages = len(store.passages(zoo))
    assert embed_collection(store, zoo, new) == passages  # the old vectors were dropped, all made again
    assert VectorRetriever(store, zoo, new).search("walrus", k=1)[0].text.startswith("## Walrus")
    with pytest.raises(EmbedderError, match="made by new"):
        VectorRetriever(store, zoo, old).search("walrus")


def test_a_collection_without_vectors_says_so(store: DocumentStore, zoo: int) -> None:
    with pytest.raises(EmbedderError, match="no vectors yet"):
        VectorRetriever(store, zoo, BagOfWords()).search("walrus")


def test_embedding_stops_when_cancelled_and_goes_on_later(store: DocumentStore, zoo: int) -> None:
    bag = BagOfWords()
    asked: list[int] = []
    embed_collection(store, zoo, bag, batch=1, cancelled=lambda: len(asked) > 1,
                     progress=lambda p: asked.append(p.done))  # fmt: skip
    assert VectorIndex(store).count(zoo) == 2
    assert embed_collection(store, zoo, bag) == len(store.passages(zoo)) - 2


def test_vectors_of_the_wrong_shape_are_refused(store: DocumentStore, zoo: int) -> None:
    bag = BagOfWords()
    index = VectorIndex(store)
    record = index.use_embedder(zoo, bag)
    ids = [sp.id for sp in store.passages(zoo)]
    with pytest.raises(EmbedderError, match="expected"):
        index.write(record, ids, np.ones((len(ids), 3)))
    assert index.write(record, [*ids[:1], 10**9], np.ones((2, bag.dimension))) == 1  # a passage gone is skipped


def test_normalise() -> None:
    m = normalise([[3.0, 4.0], [0.0, 0.0]])
    assert m.dtype == np.float32 and np.allclose(m, [[0.6, 0.8], [0.0, 0.0]])


def test_a_collection_remembers_its_embedder_and_each_mode_has_its_retriever(store: DocumentStore, zoo: int) -> None:
    bag = BagOfWords()
    index = VectorIndex(store)
    assert index.embedder_of(zoo) is None
    embed_collection(store, zoo, bag, index=index)
    record = index.embedder_of(zoo)
    assert record is not None and (record.name, record.dimension, record.location) == ("bag", 256, "/models/bag.gguf")
    names = {mode: retriever_for(store, zoo, mode, bag).name for mode in SearchMode}
    assert names == {SearchMode.BM25: "bm25", SearchMode.VECTOR: "vector", SearchMode.HYBRID: "hybrid"}
    assert retriever_for(store, zoo, SearchMode.HYBRID, bag).search("walrus", k=1)[0].text.startswith("## Walrus")
    with pytest.raises(EmbedderError, match="needs the collection's embedding model"):
        retriever_for(store, zoo, SearchMode.VECTOR)
    index.forget_embedder(zoo)
    assert index.embedder_of(zoo) is None and vector_rows(store) == 0


class Recording(BagOfWords):
    """A bag of words that remembers what it was asked to embed."""

    def __init__(self, name: str) -> None:
        super().__init__(name=name)
        self.texts: list[str] = []

    def embed(self, texts: Sequence[str]) -> Vectors:
        self.texts.extend(texts)
        return super().embed(texts)


def test_a_model_gets_the_prefixes_it_was_trained_with(store: DocumentStore, zoo: int) -> None:
    nomic = Recording("nomic-embed-text-v1.5")
    embed_collection(store, zoo, nomic)
    assert nomic.texts and all(t.startswith("search_document: ") for t in nomic.texts)
    nomic.texts.clear()
    VectorRetriever(store, zoo, nomic).search("walrus tusks", k=1)
    assert nomic.texts == ["search_query: walrus tusks"]
    minilm = Recording("all-MiniLM-L6-v2")
    embed_collection(store, zoo, minilm)
    assert not any(t.startswith(("search_", "query: ")) for t in minilm.texts)


def test_hybrid_embeds_the_question_once_while_bm25_searches(store: DocumentStore, zoo: int) -> None:
    bag = Recording("bag")
    embed_collection(store, zoo, bag)
    bag.texts.clear()
    vector = VectorRetriever(store, zoo, bag)
    hits = FusedRetriever([Bm25Retriever(store, zoo), vector]).search("Which file format does llama.cpp use?", k=2)
    assert "GGUF is a file format" in hits[0].text
    assert bag.texts == ["Which file format does llama.cpp use?"]
    vector.search("walrus", k=1)  # a later search embeds its own question, not the prefetched one
    assert bag.texts[-1] == "walrus"
