"""Documents: collections of the user's files, parsed, chunked into passages, indexed for retrieval, and measured.

Pure (no Qt): ``parse`` turns a file into text with pages, headings and offsets; ``chunk`` cuts that text into passages
that each know their source; ``store`` keeps collections, files and passages in SQLite with an FTS5 index;
``indexing`` fills it one file per transaction, resumably; ``retrieval`` searches it (BM25, with ``vectors`` beside it
and their fusion); ``rerank`` reorders the first hits with a reranker; ``selftest`` measures whether retrieval finds
what it should. Answering from them: ``context`` builds the prompt's numbered sources (retrieved passages, or whole
documents when they fit), ``followup`` rewrites a follow-up question for retrieval, ``citations`` maps the answer's
[n] to the sources.

Every passage carries a ``flags`` list: the seam where the shield (issue 19) marks untrusted or suspicious text.
"""
