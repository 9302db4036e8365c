"""Dense vectors for a collection's passages, and the ``VectorRetriever`` that searches them.

The vectors live in the documents database beside their passages (``passage_vectors``: one float32 row per passage,
keyed by its id), so they are written in the same transactions and go with their passages (a foreign key that cascades):
a removed file, a re-indexed file or a deleted collection leaves no stale vector behind, and a crash loses nothing.
A collection's vectors are tied to the embedder that made them (``collection_embedders``): choosing another one drops
them, and ``embed_collection`` makes them again.

Search is exact (brute force): the collection's vectors are read once into one numpy matrix (kept while the database
is unchanged) and a query is a matrix-vector product, ~10 ms for 100,000 vectors of 384 dimensions on 2 cores. An
approximate index (HNSW) would only pay off in the millions, and needs a second file to keep consistent.
"""

from __future__ import annotations

import enum
import functools
import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from app.documents.embedder import Embedder, EmbedderError, Vectors, normalise, prompts_for
from app.documents.retrieval import Bm25Retriever, FusedRetriever, Hit, Retriever, Source, query_terms, snippet
from app.documents.store import DocumentStore, StoredPassage
from core.messages import Message

log = logging.getLogger(__name__)

BATCH = 64
"""Passages embedded and written per transaction (a cancel or crash loses at most one batch)."""


@dataclass(frozen=True)
class EmbedderRecord:
    """An embedder as the database knows it."""

    id: int
    fingerprint: str
    name: str
    dimension: int
    location: str = ""
    """The model's GGUF file when it was last used (start it again from there)."""


@dataclass(frozen=True)
class EmbedProgress:
    done: int
    total: int


class VectorIndex:
    """The vectors of one documents database. Like ``DocumentStore``: one thread at a time."""

    def __init__(self, store: DocumentStore) -> None:
        self.store = store
        self._cache: dict[tuple[int, int], tuple[tuple[int, int], npt.NDArray[np.int64], Vectors]] = {}
        self._lock = threading.Lock()

    # -- embedders -----------------------------------------------------------------------------------------------------

    def embedder_of(self, collection_id: int) -> EmbedderRecord | None:
        """The embedder whose vectors the collection holds, or None when it has none chosen."""
        row = self.store.conn.execute(
            """SELECT e.id, e.fingerprint, e.name, e.dimension, e.location FROM collection_embedders c
               JOIN embedders e ON e.id = c.embedder_id WHERE c.collection_id = ?""", (collection_id,)).fetchone()  # fmt: skip
        return None if row is None else EmbedderRecord(int(row[0]), str(row[1]), str(row[2]), int(row[3]), str(row[4]))

    def use_embedder(self, collection_id: int, embedder: Embedder) -> EmbedderRecord:
        """Make ``embedder`` the collection's; vectors another one made are dropped (one transaction)."""
        conn = self.store.conn
        with self.store.transaction():
            conn.execute("INSERT INTO embedders(fingerprint, name, dimension, location) VALUES (?, ?, ?, ?) "
                         "ON CONFLICT(fingerprint) DO UPDATE SET location = excluded.location",
                         (embedder.fingerprint, embedder.name, embedder.dimension, embedder.location))  # fmt: skip
            eid = int(conn.execute("SELECT id FROM embedders WHERE fingerprint = ?", (embedder.fingerprint,)).fetchone()[0])
            current = conn.execute("SELECT embedder_id FROM collection_embedders WHERE collection_id = ?",
                                   (collection_id,)).fetchone()  # fmt: skip
            if current is None or int(current[0]) != eid:
                conn.execute("DELETE FROM passage_vectors WHERE passage_id IN (SELECT p.id FROM passages p JOIN files f "
                             "ON f.id = p.file_id WHERE f.collection_id = ?)", (collection_id,))  # fmt: skip
                conn.execute("INSERT INTO collection_embedders(collection_id, embedder_id) VALUES (?, ?) "
                             "ON CONFLICT(collection_id) DO UPDATE SET embedder_id = excluded.embedder_id",
                             (collection_id, eid))  # fmt: skip
        return EmbedderRecord(eid, embedder.fingerprint, embedder.name, embedder.dimension, embedder.location)

    def forget_embedder(self, collection_id: int) -> None:
        """No vectors for the collection any more (BM25 only)."""
        with self.store.transaction():
            self.store.conn.execute("DELETE FROM passage_vectors WHERE passage_id IN (SELECT p.id FROM passages p JOIN "
                                    "files f ON f.id = p.file_id WHERE f.collection_id = ?)", (collection_id,))  # fmt: skip
            self.store.conn.execute("DELETE FROM collection_embedders WHERE collection_id = ?", (collection_id,))

    # -- vectors -------------------------------------------------------------------------------------------------------

    def missing(self, collection_id: int) -> list[StoredPassage]:
        """The collection's passages without a vector, in order."""
        rows = self.store.conn.execute(
            f"""SELECT {DocumentStore._PASSAGE_COLUMNS} FROM passages p JOIN files f ON f.id = p.file_id
                WHERE f.collection_id = ? AND NOT EXISTS (SELECT 1 FROM passage_vectors v WHERE v.passage_id = p.id)
                ORDER BY f.path, p.ordinal""",
            (collection_id,),
        ).fetchall()
        return [DocumentStore._passage(r) for r in rows]

    def count(self, collection_id: int) -> int:
        row = self.store.conn.execute(
            """SELECT COUNT(*) FROM passage_vectors v JOIN passages p ON p.id = v.passage_id JOIN files f ON f.id = p.file_id
               WHERE f.collection_id = ?""", (collection_id,)).fetchone()  # fmt: skip
        return int(row[0])

    def write(self, embedder: EmbedderRecord, passage_ids: Sequence[int], vectors: npt.ArrayLike) -> int:
        """Store one vector per passage (normalised, float32), in one transaction; a passage removed meanwhile is
        skipped. Returns the vectors written."""
        m = normalise(vectors)
        if m.shape != (len(passage_ids), embedder.dimension):
            raise EmbedderError(Message("expected {count} vectors of {dimension} numbers, got {shape}",
                                        count=str(len(passage_ids)), dimension=str(embedder.dimension), shape=str(m.shape)))
        with self.store.transaction():
            cur = self.store.conn.executemany(
                """INSERT INTO passage_vectors(passage_id, embedder_id, vector) SELECT ?, ?, ?
                   WHERE EXISTS (SELECT 1 FROM passages WHERE id = ?)
                   ON CONFLICT(passage_id) DO UPDATE SET embedder_id = excluded.embedder_id, vector = excluded.vector""",
                [(pid, embedder.id, m[i].tobytes(), pid) for i, pid in enumerate(passage_ids)],
            )
        return int(cur.rowcount)

    def matrix(self, collection_id: int, embedder: EmbedderRecord) -> tuple[npt.NDArray[np.int64], Vectors]:
        """The collection's passage ids and their vectors (one row each), read once and kept while nothing in the
        database changed (``PRAGMA data_version`` for other connections, ``total_changes`` for this one)."""
        conn = self.store.conn
        stamp = (int(conn.execute("PRAGMA data_version").fetchone()[0]), conn.total_changes)
        key = (collection_id, embedder.id)
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None and cached[0] == stamp:
                return cached[1], cached[2]
        rows = conn.execute(
            """SELECT v.passage_id, v.vector FROM passage_vectors v JOIN passages p ON p.id = v.passage_id
               JOIN files f ON f.id = p.file_id WHERE f.collection_id = ? AND v.embedder_id = ? ORDER BY v.passage_id""",
            (collection_id, embedder.id),
        ).fetchall()
        ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        width = embedder.dimension * 4
        blob = b"".join(r[1] if len(r[1]) == width else bytes(width) for r in rows)
        m = np.frombuffer(blob, dtype=np.float32).reshape(len(rows), embedder.dimension)
        with self._lock:
            self._cache = {k: v for k, v in self._cache.items() if k[0] != collection_id}
            self._cache[key] = (stamp, ids, m)
        return ids, m

    def nearest(self, collection_id: int, embedder: EmbedderRecord, query: Vectors, *, k: int) -> list[tuple[int, float]]:
        """The ``k`` passages whose vectors are closest to ``query`` (cosine, higher is better), best first."""
        ids, m = self.matrix(collection_id, embedder)
        if not len(ids) or k < 1:
            return []
        scores = m @ normalise(query)[0]
        k = min(k, len(ids))
        top = np.argpartition(-scores, k - 1)[:k] if k < len(ids) else np.arange(len(ids))
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(int(ids[i]), float(scores[i])) for i in top]

    def passages(self, ids: Sequence[int]) -> dict[int, StoredPassage]:
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self.store.conn.execute(
            f"""SELECT {DocumentStore._PASSAGE_COLUMNS} FROM passages p JOIN files f ON f.id = p.file_id
                WHERE p.id IN ({marks})""",
            list(ids),
        ).fetchall()
        return {sp.id: sp for sp in (DocumentStore._passage(r) for r in rows)}


def passage_text(sp: StoredPassage) -> str:
    """What is embedded for a passage: its text, after its heading path where the text does not start with it."""
    p = sp.passage
    last = p.heading.split("›")[-1].strip()
    return f"{p.heading}\n\n{p.text}" if last and last not in p.text[: len(last) + 16] else p.text


def embed_collection(
    store: DocumentStore,
    collection_id: int,
    embedder: Embedder,
    *,
    index: VectorIndex | None = None,
    batch: int = BATCH,
    prefix: str | None = None,
    progress: Callable[[EmbedProgress], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> int:
    """Give every passage of the collection a vector from ``embedder`` (which becomes the collection's: another one's
    vectors are dropped first). Resumable: only passages without a vector are embedded, ``batch`` per transaction.

    Args:
        prefix: put before every passage; None: what the model was trained with (``prompts_for``: "search_document: "
            for nomic-embed, none for all-MiniLM).

    Returns:
        The vectors written.

    Raises:
        ModelwerkError: the embedder failed (the batches before stay).
    """
    index = index or VectorIndex(store)
    if prefix is None:
        prefix = prompts_for(embedder.name).document
    record = index.use_embedder(collection_id, embedder)
    todo = index.missing(collection_id)
    written = 0
    for start in range(0, len(todo), batch):
        if cancelled is not None and cancelled():
            break
        if progress is not None:
            progress(EmbedProgress(start, len(todo)))
        part = todo[start : start + batch]
        vectors = embedder.embed([prefix + passage_text(sp) for sp in part])
        written += index.write(record, [sp.id for sp in part], vectors)
    if progress is not None:
        progress(EmbedProgress(len(todo), len(todo)))
    return written


@functools.cache
def _pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=2, thread_name_prefix="query-embedding")


class VectorRetriever:
    """Dense retrieval: the passages whose vectors are closest to the question's (cosine), with the ``Retriever``
    protocol's ``search`` and ``Hit``, so ``FusedRetriever([Bm25Retriever(...), VectorRetriever(...)])`` is hybrid.

    Raises (from ``search``):
        EmbedderError: the collection has no vectors yet, or another embedder made them.
    """

    name = "vector"

    def __init__(self, store: DocumentStore, collection_id: int, embedder: Embedder, *, index: VectorIndex | None = None,
                 query_prefix: str | None = None) -> None:  # fmt: skip
        self.store = store
        self.collection_id = collection_id
        self.embedder = embedder
        self.index = index or VectorIndex(store)
        # None: what the model was trained to see before a question (``prompts_for``)
        self.query_prefix = prompts_for(embedder.name).query if query_prefix is None else query_prefix
        self._prefetched: dict[str, Future[Vectors]] = {}

    def _record(self) -> EmbedderRecord:
        record = self.index.embedder_of(self.collection_id)
        if record is None:
            raise EmbedderError(Message("this collection has no vectors yet: embed it with an embedding model first"))
        if record.fingerprint != self.embedder.fingerprint:
            raise EmbedderError(Message("this collection's vectors were made by {name}, not {name2}: embed it again with "
                                        "the new model, or choose the old one", name=str(record.name),
                                        name2=str(self.embedder.name)))  # fmt: skip
        return record

    def prefetch(self, query: str) -> None:
        """Start embedding ``query`` in the background (the model runs in its own process), so a hybrid search can
        run BM25 meanwhile; the next ``search`` for it takes the vector."""
        if query.strip() and query not in self._prefetched:
            self._prefetched = {query: _pool().submit(self.embedder.embed, [self.query_prefix + query])}

    def search(self, query: str, *, k: int = 8) -> list[Hit]:
        if not query.strip() or k < 1:
            return []
        record = self._record()
        pending = self._prefetched.pop(query, None)
        vector = pending.result() if pending is not None else self.embedder.embed([self.query_prefix + query])
        found = self.index.nearest(self.collection_id, record, vector, k=k)
        passages = self.index.passages([pid for pid, _ in found])
        terms = query_terms(query)
        hits: list[Hit] = []
        for pid, score in found:
            sp = passages.get(pid)
            if sp is None:  # removed between the two reads
                continue
            p = sp.passage
            hits.append(Hit(pid, len(hits) + 1, score, self.name, Source(sp.path, p.start, p.end, p.page, p.page_end,
                                                                         p.heading),
                            p.text, snippet(p.text, terms), p.flags))  # fmt: skip
        return hits


class SearchMode(enum.Enum):
    """``modelwerk docs search --mode``: BM25 alone, vectors alone, or both fused by reciprocal rank."""

    BM25 = "bm25"
    VECTOR = "vector"
    HYBRID = "hybrid"


def retriever_for(store: DocumentStore, collection_id: int, mode: SearchMode, embedder: Embedder | None = None, *,
                  index: VectorIndex | None = None, query_prefix: str | None = None) -> Retriever:  # fmt: skip
    """The retriever of a search mode. ``embedder``: the collection's (``VectorIndex.embedder_of`` says which model made
    its vectors, and where it is); needed for vector and hybrid.

    Raises:
        EmbedderError: vector or hybrid without an embedder.
    """
    bm25 = Bm25Retriever(store, collection_id)
    if mode is SearchMode.BM25:
        return bm25
    if embedder is None:
        raise EmbedderError(Message("{value} search needs the collection's embedding model; embed the collection first",
                                    value=str(mode.value)))
    vector = VectorRetriever(store, collection_id, embedder, index=index, query_prefix=query_prefix)
    return vector if mode is SearchMode.VECTOR else FusedRetriever([bm25, vector])
