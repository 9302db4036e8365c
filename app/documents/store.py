"""Collections, their files and passages in SQLite, with an FTS5 index over the passages (BM25).

The documents live in a file of their own, ``documents.db`` in the data folder: it grows with the user's files, can be
rebuilt from them, and indexing writes to it for minutes without holding the app database's write lock. Its schema
goes through the one migration runner (core.migrations), like the app database and the job queue.

A file is indexed in one transaction: its old passages go, its new ones and its row's new state come, or nothing
changes. The FTS5 tokenizer folds case and diacritics and stems English words (Porter: "aardvarks" finds "aardvark";
German words mostly pass through unchanged). A file row is ``pending`` (to be indexed or checked again: its passages,
if any, are the previous version's), ``indexed``, or ``failed`` (with a one-line error and no passages).
"""

from __future__ import annotations

import enum
import json
import os
import re
import sqlite3
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from app.documents.chunk import Passage
from app.documents.parse import DocumentError, ParsedDocument
from app.shield import flags as shield_flags
from app.shield.flags import Flag
from core.messages import N_, Message, Text, text_of
from core.migrations import migrate

DB_NAME = "documents.db"
BUSY_TIMEOUT_S = 10.0
MAX_NAME = 80
OVERFETCH = 4

MIGRATIONS: list[str] = [
    """
    CREATE TABLE collections (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE,
        created_at REAL NOT NULL
    );
    CREATE TABLE files (
        id INTEGER PRIMARY KEY,
        collection_id INTEGER NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
        path TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'indexed', 'failed')),
        sha256 TEXT NOT NULL DEFAULT '',
        size INTEGER NOT NULL DEFAULT 0,
        kind TEXT NOT NULL DEFAULT '',
        pages INTEGER NOT NULL DEFAULT 0,
        chunker INTEGER NOT NULL DEFAULT 0,
        error TEXT NOT NULL DEFAULT '',
        text TEXT NOT NULL DEFAULT '',
        added_at REAL NOT NULL,
        indexed_at REAL,
        UNIQUE (collection_id, path)
    );
    CREATE TABLE passages (
        id INTEGER PRIMARY KEY,
        file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
        ordinal INTEGER NOT NULL,
        start_offset INTEGER NOT NULL,
        end_offset INTEGER NOT NULL,
        page INTEGER,
        page_end INTEGER,
        heading TEXT NOT NULL DEFAULT '',
        text TEXT NOT NULL,
        tokens INTEGER NOT NULL,
        flags TEXT NOT NULL DEFAULT '[]'
    );
    CREATE INDEX passages_by_file ON passages(file_id, ordinal);
    CREATE VIRTUAL TABLE passages_fts USING fts5(
        text, heading, content='passages', content_rowid='id', tokenize='porter unicode61 remove_diacritics 2'
    );
    -- A heading's words count twice as much as the body's; ORDER BY rank then sorts by this (FTS5 stores the setting).
    INSERT INTO passages_fts(passages_fts, rank) VALUES ('rank', 'bm25(1.0, 2.0)');
    CREATE TRIGGER passages_fts_insert AFTER INSERT ON passages BEGIN
        INSERT INTO passages_fts(rowid, text, heading) VALUES (new.id, new.text, new.heading);
    END;
    CREATE TRIGGER passages_fts_delete AFTER DELETE ON passages BEGIN
        INSERT INTO passages_fts(passages_fts, rowid, text, heading) VALUES ('delete', old.id, old.text, old.heading);
    END;
    CREATE TRIGGER passages_fts_update AFTER UPDATE ON passages BEGIN
        INSERT INTO passages_fts(passages_fts, rowid, text, heading) VALUES ('delete', old.id, old.text, old.heading);
        INSERT INTO passages_fts(rowid, text, heading) VALUES (new.id, new.text, new.heading);
    END;
    """,
    # Dense vectors (app.documents.vectors): one per passage, made by the collection's embedder, gone with the passage.
    """
    CREATE TABLE embedders (
        id INTEGER PRIMARY KEY,
        fingerprint TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        dimension INTEGER NOT NULL,
        location TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE collection_embedders (
        collection_id INTEGER PRIMARY KEY REFERENCES collections(id) ON DELETE CASCADE,
        embedder_id INTEGER NOT NULL REFERENCES embedders(id)
    );
    CREATE TABLE passage_vectors (
        passage_id INTEGER PRIMARY KEY REFERENCES passages(id) ON DELETE CASCADE,
        embedder_id INTEGER NOT NULL REFERENCES embedders(id),
        vector BLOB NOT NULL
    );
    CREATE INDEX passage_vectors_by_embedder ON passage_vectors(embedder_id);
    """,
    # A watched folder per collection: new and changed files in it are indexed by themselves (the Documents page).
    """
    CREATE TABLE watched_folders (
        collection_id INTEGER PRIMARY KEY REFERENCES collections(id) ON DELETE CASCADE,
        path TEXT NOT NULL
    );
    """,
    # A reranker per collection (app.documents.rerank): a GGUF that reorders the first hits of its search.
    """
    CREATE TABLE collection_rerankers (
        collection_id INTEGER PRIMARY KEY REFERENCES collections(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        location TEXT NOT NULL
    );
    """,
    # A failed file's error as a message too (core.messages, JSON), so the GUI shows it in its language; '': none.
    """
    ALTER TABLE files ADD COLUMN error_data TEXT NOT NULL DEFAULT '';
    """,
]


class UnknownCollection(DocumentError):
    hint = N_("see `modelwerk docs list`")


class FileState(enum.Enum):
    PENDING = "pending"
    INDEXED = "indexed"
    FAILED = "failed"


@dataclass(frozen=True)
class CollectionInfo:
    id: int
    name: str
    created_at: float
    files: int
    indexed: int
    pending: int
    failed: int
    passages: int


@dataclass(frozen=True)
class FileRecord:
    id: int
    collection_id: int
    path: Path
    state: FileState
    sha256: str
    size: int
    kind: str
    pages: int
    chunker: int
    error: str
    passages: int
    indexed_at: float | None
    error_data: str = ""
    """``error`` as ``core.messages`` data (JSON; '': none): ``error_text`` reads it."""

    @property
    def error_text(self) -> Text:
        """``error`` as the message it was written with (the GUI translates it), else the English text."""
        try:
            return text_of(json.loads(self.error_data) if self.error_data else None, self.error)
        except ValueError:
            return self.error


@dataclass(frozen=True)
class StoredPassage:
    """A passage as stored, with its file: what a retriever returns."""

    id: int
    file_id: int
    path: Path
    passage: Passage


def check_name(name: str) -> str:
    """A collection name as given, stripped; one line of at most 80 printable characters.

    Raises:
        DocumentError: empty, too long, or with control characters.
    """
    name = name.strip()
    if not name:
        raise DocumentError(Message("a collection needs a name"))
    if len(name) > MAX_NAME:
        raise DocumentError(Message("a collection name has at most {limit} characters", limit=str(MAX_NAME)))
    if re.search(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]", name):
        raise DocumentError(Message("a collection name cannot contain control characters or line breaks"))
    return name


def path_key(path: Path) -> str:
    """How a file is named in a collection: its absolute path with symbolic links resolved."""
    return str(path.expanduser().resolve())


FTS_TOKENIZER = "porter unicode61 remove_diacritics 2"
"""passages_fts's tokenizer (migration 1 spells it out; migrations never change)."""


class DocumentStore:
    """The documents database of one data folder. One connection; use it from one thread at a time."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path
        self._stemmer: sqlite3.Connection | None = None  # document_frequencies' tokenizer, made on first use

    @classmethod
    def open(cls, path: Path) -> DocumentStore:
        """Open (creating and migrating) the database at ``path``; the file is private to the user (0600).

        Raises:
            MigrationError: the file cannot be upgraded, or a newer Modelwerk wrote it.
        """
        if not path.exists():
            fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
            os.close(fd)
        conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_S)
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA secure_delete = ON")  # a removed document's text does not linger in free pages
            migrate(conn, MIGRATIONS, path=path, what="the documents database")
        except BaseException:
            conn.close()
            raise
        return cls(conn, path)

    def close(self) -> None:
        if self._stemmer is not None:
            self._stemmer.close()
        self.conn.close()

    def __enter__(self) -> DocumentStore:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    # -- collections ---------------------------------------------------------------------------------------------------

    def collection_id(self, name: str, *, create: bool = False) -> int:
        """The id of collection ``name`` (any case); made when ``create``.

        Raises:
            UnknownCollection: there is none and ``create`` is false.
            DocumentError: ``create`` with a name that is not allowed.
        """
        row = self.conn.execute("SELECT id FROM collections WHERE name = ?", (name.strip(),)).fetchone()
        if row is not None:
            return int(row[0])
        if not create:
            raise UnknownCollection(Message("no collection named {strip}", strip=repr(name.strip())))
        cur = self.conn.execute("INSERT INTO collections(name, created_at) VALUES (?, ?)", (check_name(name), time.time()))
        return int(cur.lastrowid or 0)

    def collections(self) -> list[CollectionInfo]:
        rows = self.conn.execute(
            """
            SELECT c.id, c.name, c.created_at,
                   COUNT(f.id),
                   COALESCE(SUM(f.state = 'indexed'), 0), COALESCE(SUM(f.state = 'pending'), 0),
                   COALESCE(SUM(f.state = 'failed'), 0),
                   (SELECT COUNT(*) FROM passages p JOIN files g ON g.id = p.file_id WHERE g.collection_id = c.id)
            FROM collections c LEFT JOIN files f ON f.collection_id = c.id
            GROUP BY c.id ORDER BY c.name COLLATE NOCASE
            """
        ).fetchall()
        return [CollectionInfo(int(r[0]), str(r[1]), float(r[2]), *(int(x) for x in r[3:])) for r in rows]

    def collection(self, name: str) -> CollectionInfo:
        """Raises UnknownCollection."""
        cid = self.collection_id(name)
        return next(c for c in self.collections() if c.id == cid)

    def rename_collection(self, name: str, new_name: str) -> str:
        """Give collection ``name`` another name (a change of case only is allowed); returns the new name as stored.

        Raises:
            UnknownCollection: there is no collection ``name``.
            DocumentError: the new name is not allowed, or another collection has it.
        """
        cid = self.collection_id(name)
        new_name = check_name(new_name)
        row = self.conn.execute("SELECT id FROM collections WHERE name = ?", (new_name,)).fetchone()
        if row is not None and int(row[0]) != cid:
            raise DocumentError(Message("there is already a collection named {new_name}", new_name=repr(new_name)))
        self.conn.execute("UPDATE collections SET name = ? WHERE id = ?", (new_name, cid))
        return new_name

    def delete_collection(self, name: str) -> None:
        """Remove a collection with its files and passages (one transaction). Raises UnknownCollection."""
        cid = self.collection_id(name)
        with self.transaction():
            self.conn.execute("DELETE FROM passages WHERE file_id IN (SELECT id FROM files WHERE collection_id = ?)", (cid,))
            self.conn.execute("DELETE FROM files WHERE collection_id = ?", (cid,))
            self.conn.execute("DELETE FROM collections WHERE id = ?", (cid,))

    def watch(self, collection_id: int, folder: Path | None) -> None:
        """Watch ``folder`` for ``collection_id`` (one per collection; None: watch nothing)."""
        if folder is None:
            self.conn.execute("DELETE FROM watched_folders WHERE collection_id = ?", (collection_id,))
        else:
            self.conn.execute("INSERT OR REPLACE INTO watched_folders(collection_id, path) VALUES (?, ?)",
                              (collection_id, str(folder)))  # fmt: skip

    def watched(self) -> dict[int, Path]:
        """Collection id -> the folder it watches."""
        return {int(r[0]): Path(str(r[1])) for r in self.conn.execute("SELECT collection_id, path FROM watched_folders")}

    # -- files ---------------------------------------------------------------------------------------------------------

    _FILE_COLUMNS = """f.id, f.collection_id, f.path, f.state, f.sha256, f.size, f.kind, f.pages, f.chunker, f.error,
                       (SELECT COUNT(*) FROM passages p WHERE p.file_id = f.id), f.indexed_at, f.error_data"""

    @staticmethod
    def _file(r: Sequence[object]) -> FileRecord:
        return FileRecord(int(str(r[0])), int(str(r[1])), Path(str(r[2])), FileState(r[3]), str(r[4]), int(str(r[5])),
                          str(r[6]), int(str(r[7])), int(str(r[8])), str(r[9]), int(str(r[10])),
                          None if r[11] is None else float(str(r[11])), str(r[12]))  # fmt: skip

    def files(self, collection_id: int, *, state: FileState | None = None) -> list[FileRecord]:
        sql = f"SELECT {self._FILE_COLUMNS} FROM files f WHERE f.collection_id = ?"
        params: list[object] = [collection_id]
        if state is not None:
            sql += " AND f.state = ?"
            params.append(state.value)
        return [self._file(r) for r in self.conn.execute(sql + " ORDER BY f.path", params)]

    def file(self, file_id: int) -> FileRecord:
        r = self.conn.execute(f"SELECT {self._FILE_COLUMNS} FROM files f WHERE f.id = ?", (file_id,)).fetchone()
        if r is None:
            raise DocumentError(Message("no document file {file_id}", file_id=str(file_id)))
        return self._file(r)

    def file_text(self, file_id: int) -> str:
        """The document's text as indexed (passage offsets point into it)."""
        row = self.conn.execute("SELECT text FROM files WHERE id = ?", (file_id,)).fetchone()
        return "" if row is None else str(row[0])

    def text_chars(self, file_ids: Sequence[int]) -> int:
        """The length of these files' indexed texts together, without reading them."""
        total = 0
        for i in range(0, len(file_ids), 500):
            part = list(file_ids[i : i + 500])
            row = self.conn.execute(f"SELECT COALESCE(SUM(length(text)), 0) FROM files WHERE id IN "
                                    f"({','.join('?' * len(part))})", part).fetchone()  # fmt: skip
            total += int(row[0])
        return total

    def file_flags(self, file_id: int) -> tuple[Flag, ...]:
        """Every flag on the file's passages, each once (overlapping passages share some), in the order of the text."""
        flags: dict[Flag, None] = {}
        for _, passage_flags in self.flagged_passages(file_id):
            flags.update(dict.fromkeys(passage_flags))
        return tuple(sorted(flags, key=lambda f: (f.start, f.end)))

    def flagged_passages(self, file_id: int) -> list[tuple[int, tuple[Flag, ...]]]:
        """The file's passages that carry flags: (ordinal, flags), in order."""
        rows = self.conn.execute("SELECT ordinal, flags FROM passages WHERE file_id = ? AND flags != '[]' ORDER BY ordinal",
                                 (file_id,))  # fmt: skip
        return [(int(o), shield_flags.loads(str(raw))) for o, raw in rows]

    def replace_flags(self, kind: shield_flags.Kind, flags: dict[int, Sequence[Flag]]) -> None:
        """Give each passage (by id) these flags of ``kind`` in place of the ones of that kind it had; one transaction.
        For findings made after indexing (the classifier's): indexing again starts from the scan's own flags."""
        with self.transaction():
            for pid, new in flags.items():
                row = self.conn.execute("SELECT flags FROM passages WHERE id = ?", (pid,)).fetchone()
                if row is not None:
                    kept = [f for f in shield_flags.loads(str(row[0])) if f.kind is not kind]
                    self.conn.execute("UPDATE passages SET flags = ? WHERE id = ?", (shield_flags.dumps([*kept, *new]), pid))

    def mark_pending(self, collection_id: int, paths: Iterable[Path]) -> int:
        """Add these files to the collection, or mark those already in it to be checked again; one transaction."""
        now = time.time()
        n = 0
        with self.transaction():
            for p in paths:
                self.conn.execute(
                    """INSERT INTO files(collection_id, path, state, added_at) VALUES (?, ?, 'pending', ?)
                       ON CONFLICT(collection_id, path) DO UPDATE SET state = 'pending'""",
                    (collection_id, path_key(p), now),
                )
                n += 1
        return n

    def write_indexed(self, file_id: int, doc: ParsedDocument, passages: Sequence[Passage], *, sha256: str, size: int,
                      chunker: int) -> None:  # fmt: skip
        """Replace the file's passages and mark it indexed, all in one transaction (a crash leaves the old state)."""
        with self.transaction():
            self.conn.execute("DELETE FROM passages WHERE file_id = ?", (file_id,))
            self.conn.executemany(
                """INSERT INTO passages(file_id, ordinal, start_offset, end_offset, page, page_end, heading, text, tokens,
                                        flags) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                [(file_id, p.ordinal, p.start, p.end, p.page, p.page_end, p.heading, p.text, p.tokens,
                  shield_flags.dumps(p.flags)) for p in passages],
            )  # fmt: skip
            self.conn.execute(
                """UPDATE files SET state = 'indexed', sha256 = ?, size = ?, kind = ?, pages = ?, chunker = ?, error = '',
                                    text = ?, indexed_at = ? WHERE id = ?""",
                (sha256, size, doc.kind.value, doc.pages, chunker, doc.text, time.time(), file_id),
            )

    def write_unchanged(self, file_id: int) -> None:
        """The file's content is what was indexed: indexed again without touching its passages."""
        self.conn.execute("UPDATE files SET state = 'indexed', error = '' WHERE id = ?", (file_id,))

    def write_failed(self, file_id: int, error: Text) -> None:
        """The file could not be read: no passages, the one-line error kept (in English, and as the message)."""
        data = json.dumps(error.to_data()) if isinstance(error, Message) else ""
        with self.transaction():
            self.conn.execute("DELETE FROM passages WHERE file_id = ?", (file_id,))
            self.conn.execute("UPDATE files SET state = 'failed', error = ?, error_data = ?, sha256 = '', text = '', "
                              "indexed_at = NULL WHERE id = ?", (str(error), data, file_id))  # fmt: skip

    def abandon_pending(self, collection_id: int) -> int:
        """Drop the plan: pending files never indexed leave the collection, pending re-checks of indexed files go back to
        indexed with the passages they have (one transaction). Returns the files that left."""
        with self.transaction():
            gone = self.conn.execute(
                "DELETE FROM files WHERE collection_id = ? AND state = 'pending' AND indexed_at IS NULL", (collection_id,)
            ).rowcount
            self.conn.execute("UPDATE files SET state = 'indexed' WHERE collection_id = ? AND state = 'pending'",
                              (collection_id,))  # fmt: skip
        return int(gone)

    def remove_files(self, collection_id: int, paths: Iterable[Path]) -> list[Path]:
        """Remove these files (and files under these folders) with their passages; returns the paths removed."""
        keys = [path_key(p) for p in paths]
        removed: list[Path] = []
        with self.transaction():
            for key in keys:
                rows = self.conn.execute(
                    "SELECT id, path FROM files WHERE collection_id = ? AND (path = ? OR substr(path, 1, ?) = ?)",
                    (collection_id, key, len(key) + 1, key.rstrip(os.sep) + os.sep),
                ).fetchall()
                for file_id, path in rows:
                    self.conn.execute("DELETE FROM passages WHERE file_id = ?", (file_id,))
                    self.conn.execute("DELETE FROM files WHERE id = ?", (file_id,))
                    removed.append(Path(path))
        return removed

    # -- passages ------------------------------------------------------------------------------------------------------

    def passages(self, collection_id: int, *, min_tokens: int = 0) -> list[StoredPassage]:
        rows = self.conn.execute(
            f"""SELECT {self._PASSAGE_COLUMNS} FROM passages p JOIN files f ON f.id = p.file_id
                WHERE f.collection_id = ? AND p.tokens >= ? ORDER BY f.path, p.ordinal""",
            (collection_id, min_tokens),
        ).fetchall()
        return [self._passage(r) for r in rows]

    _PASSAGE_COLUMNS = "p.id, p.file_id, f.path, p.ordinal, p.start_offset, p.end_offset, p.text, p.tokens, p.page, " \
                       "p.page_end, p.heading, p.flags"  # fmt: skip

    @staticmethod
    def _passage(r: Sequence[object]) -> StoredPassage:
        page, page_end = r[8], r[9]
        passage = Passage(ordinal=int(str(r[3])), start=int(str(r[4])), end=int(str(r[5])), text=str(r[6]),
                          tokens=int(str(r[7])), page=None if page is None else int(str(page)),
                          page_end=None if page_end is None else int(str(page_end)), heading=str(r[10]),
                          flags=shield_flags.loads(str(r[11])) if r[11] else ())  # fmt: skip
        return StoredPassage(int(str(r[0])), int(str(r[1])), Path(str(r[2])), passage)

    def document_frequencies(self, terms: Sequence[str]) -> list[int]:
        """How many passages (of every collection: the index is shared) contain each of ``terms``, as the full-text
        index counts them: each term is first run through the index's own tokenizer (Porter stems, folded diacritics)
        in a private in-memory database (writing here would look like a change to the vector cache), then looked up in
        the index's vocabulary. 0 for a term not indexed."""
        if self._stemmer is None:
            self._stemmer = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
            self._stemmer.execute(f"CREATE VIRTUAL TABLE terms USING fts5(term, tokenize='{FTS_TOKENIZER}')")
            self._stemmer.execute("CREATE VIRTUAL TABLE terms_vocab USING fts5vocab(terms, 'instance')")
            self.conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.passages_vocab USING fts5vocab(main, passages_fts, "
                              "'row')")  # fmt: skip
        self._stemmer.executemany("INSERT INTO terms(rowid, term) VALUES (?, ?)", list(enumerate(terms)))
        try:
            stems = dict(self._stemmer.execute("SELECT doc, term FROM terms_vocab").fetchall())
        finally:
            self._stemmer.execute("DELETE FROM terms")
        counts = {str(t): int(n) for t, n in self.conn.execute(
            f"SELECT term, doc FROM temp.passages_vocab WHERE term IN ({','.join('?' * len(stems))})",
            list(stems.values()))}  # fmt: skip
        return [counts.get(stems.get(i, ""), 0) for i in range(len(terms))]

    def match(self, collection_id: int, fts_query: str, *, k: int) -> list[tuple[StoredPassage, float]]:
        """The ``k`` best passages for an FTS5 query by BM25 (a heading counts twice as much as body text), best first,
        with a score where higher is better.

        FTS5 ranks the whole index; joining every match to its file to keep one collection's is what costs. So the best
        ``OVERFETCH * k`` matches are taken first and filtered; only when other collections' passages crowd out this
        one's does the query run again over all matches.
        """
        limit = max(k * OVERFETCH, 32)
        top = f"""WITH top AS (SELECT rowid, rank FROM passages_fts WHERE passages_fts MATCH ? ORDER BY rank LIMIT ?)
                  SELECT {self._PASSAGE_COLUMNS}, top.rank FROM top JOIN passages p ON p.id = top.rowid
                  JOIN files f ON f.id = p.file_id WHERE f.collection_id = ? ORDER BY top.rank LIMIT ?"""
        rows = self.conn.execute(top, (fts_query, limit, collection_id, k)).fetchall()
        if len(rows) < k:
            matched = self.conn.execute("SELECT COUNT(*) FROM (SELECT 1 FROM passages_fts WHERE passages_fts MATCH ? LIMIT ?)",
                                        (fts_query, limit)).fetchone()[0]  # fmt: skip
            if matched >= limit:  # there were more matches than were looked at
                rows = self.conn.execute(
                    f"""SELECT {self._PASSAGE_COLUMNS}, passages_fts.rank
                        FROM passages_fts JOIN passages p ON p.id = passages_fts.rowid JOIN files f ON f.id = p.file_id
                        WHERE passages_fts MATCH ? AND f.collection_id = ? ORDER BY passages_fts.rank LIMIT ?""",
                    (fts_query, collection_id, k),
                ).fetchall()
        return [(self._passage(r), -float(r[12])) for r in rows]

    # -- transactions --------------------------------------------------------------------------------------------------

    def transaction(self) -> _Transaction:
        """``with store.transaction():`` BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any exception."""
        return _Transaction(self.conn)


class _Transaction:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> None:
        self.conn.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if exc_type is None:
            self.conn.execute("COMMIT")
        elif self.conn.in_transaction:
            self.conn.execute("ROLLBACK")
