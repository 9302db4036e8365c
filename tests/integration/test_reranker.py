"""Reranking with a real llama-server: a tiny random-weight BERT reranker GGUF (made once by the toolchain from
``BertForSequenceClassification`` with a real tokenizer) in ``--reranking`` mode. Its scores mean nothing, so these
tests check the plumbing: one score per passage from the model, hits in the order of those scores, the one-line
refusals and failures, the child process stopped, and the command line (docs rerank, search/ask --rerank, selftest).
Rerank quality is not measured here: no trained reranker can be had offline."""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from app import cli
from app.chat.reranking import LlamaServerReranker, RerankFailed, read_reranker
from app.documents.indexing import add_files, index_pending
from app.documents.rerank import RerankingRetriever
from app.documents.retrieval import Bm25Retriever
from app.documents.store import DB_NAME, DocumentStore

pytestmark = pytest.mark.slow

QUESTION = "Which file format does llama.cpp use?"
TEXTS = ["GGUF is a file format for llama.cpp models.", "The walrus uses its tusks to haul out onto ice floes.",
         "Bread rises because yeast makes carbon dioxide.", "The kea is a parrot that opens car doors.",
         "A file format says how the bytes of a file are laid out."]  # fmt: skip


@pytest.fixture(scope="module")
def reranker(tiny_reranker: Path) -> Iterator[LlamaServerReranker]:
    with LlamaServerReranker(tiny_reranker, threads=1) as r:
        yield r


def test_the_header_says_it_is_a_reranker(tiny_reranker: Path) -> None:
    model = read_reranker(tiny_reranker)
    assert (model.name, model.architecture, model.context) == ("Tiny Bert Reranker", "bert", 512)


def test_llama_server_gives_one_score_per_passage(reranker: LlamaServerReranker) -> None:
    scores = reranker.score(QUESTION, TEXTS)
    assert len(scores) == len(TEXTS) and all(isinstance(s, float) for s in scores)
    assert len(set(scores)) == len(TEXTS)  # distinct: the order below is decided by them
    assert reranker.score(QUESTION, list(reversed(TEXTS))) == pytest.approx(list(reversed(scores)), abs=1e-4)
    assert reranker.score(QUESTION, []) == []
    # Longer than the model's 512 tokens together with the question: cut, not an error.
    assert len(reranker.score(QUESTION, ["word " * 3000, ""])) == 2


def test_search_comes_back_in_the_models_order(reranker: LlamaServerReranker, tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    for i, text in enumerate(TEXTS):
        (folder / f"{i}.txt").write_text(text + "\n")
    with DocumentStore.open(tmp_path / DB_NAME) as store:
        cid, _ = add_files(store, "Notes", [folder])
        index_pending(store, cid)
        bm25 = Bm25Retriever(store, cid)
        query = "file format llama.cpp walrus parrot yeast"
        first = bm25.search(query, k=10)
        assert len(first) == 5
        scores = reranker.score(query, [h.text for h in first])
        hits = RerankingRetriever(bm25, reranker).search(query, k=5)
    # The order and the scores are the model's for the question searched with; equal scores would keep BM25's order.
    assert [h.passage_id for h in hits] == [first[i].passage_id for i in sorted(range(5), key=lambda i: (-scores[i], i))]
    assert [h.score for h in hits] == pytest.approx(sorted(scores, reverse=True), abs=1e-5)
    assert all(h.retriever == "rerank" for h in hits) and [h.rank for h in hits] == [1, 2, 3, 4, 5]


def test_a_model_that_is_no_reranker_is_refused_before_anything_starts(tiny_gguf: Path, minilm: Path) -> None:
    for path, what in ((tiny_gguf, "is no reranker"), (minilm, "is an embedding model")):
        with pytest.raises(RerankFailed, match=what) as e:
            LlamaServerReranker(path)
        assert "\n" not in str(e.value)


def test_a_crashed_reranker_says_so_in_one_line_and_close_stops_it(tiny_reranker: Path) -> None:
    with LlamaServerReranker(tiny_reranker, threads=1) as r:
        pid = r.server.pid
        assert pid is not None and psutil.pid_exists(pid)
        child = r.server._child
        assert child is not None
        os.kill(pid, signal.SIGKILL)
        child.wait(timeout=5)
        with pytest.raises(RerankFailed) as failed:
            r.score(QUESTION, TEXTS)
    assert "\n" not in str(failed.value) and "killed" in str(failed.value).lower(), str(failed.value)
    with LlamaServerReranker(tiny_reranker, threads=1) as r:
        pid = r.server.pid
        assert pid is not None
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE


# -- the command line ----------------------------------------------------------------------------------------------------


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    rc = cli.main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def test_docs_rerank_search_and_selftest(tiny_reranker: Path, tiny_gguf: Path, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    folder = tmp_path / "docs"
    folder.mkdir()
    for i, text in enumerate(TEXTS):
        (folder / f"{i}.md").write_text(f"# Note {i}\n\n{text} " * 3 + "\n")
    assert _run(capsys, "docs", "add", "Notes", str(folder))[0] == 0

    rc, out, err = _run(capsys, "docs", "search", "Notes", "file format", "--rerank", str(tiny_reranker), "--json")
    hits = json.loads(out)
    assert rc == 0 and len(hits) == 2 and {h["retriever"] for h in hits} == {"rerank"}
    assert hits[0]["score"] >= hits[1]["score"]
    rc, out, err = _run(capsys, "docs", "search", "Notes", "file format", "--rerank", str(tiny_gguf))
    assert (rc, out) == (1, "") and err.count("\n") == 1 and "tiny.gguf is no reranker" in err

    rc, out, _ = _run(capsys, "docs", "rerank", "Notes")
    assert rc == 0 and "Notes: no reranker" in out
    rc, out, _ = _run(capsys, "docs", "rerank", "Notes", str(tiny_reranker))
    assert rc == 0 and f"Notes: reranked by Tiny Bert Reranker ({tiny_reranker})" in out
    rc, out, _ = _run(capsys, "docs", "search", "Notes", "file format")  # the collection's reranker, by itself
    assert rc == 0 and out.startswith("Reranked by Tiny Bert Reranker over the first 30 hits of bm25 search\n1. ")

    rc, out, _ = _run(capsys, "docs", "selftest", "Notes", "-n", "5", "--json")
    modes = json.loads(out)["modes"]
    assert rc == 0 and modes["rerank"]["questions"] == modes["bm25"]["questions"] > 0 and modes["vector"] is None
    rc, out, _ = _run(capsys, "docs", "selftest", "Notes", "-n", "5")
    assert "  rerank  recall @1 " in out and "rerank  = Tiny Bert Reranker over the first 30 hits of bm25 search" in out

    rc, out, err = _run(capsys, "docs", "rerank", "Notes", str(tiny_gguf))
    assert rc == 1 and "is no reranker" in err
    rc, out, _ = _run(capsys, "docs", "rerank", "Notes", "--off", "--json")
    assert rc == 0 and json.loads(out) == {"collection": "Notes", "reranker": None}


def test_ask_says_its_passages_were_reranked(tiny_reranker: Path, smollm2_model: Path, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    folder = tmp_path / "docs"
    folder.mkdir()
    for i, text in enumerate(TEXTS):
        (folder / f"{i}.md").write_text(text + "\n")
    assert _run(capsys, "docs", "add", "Notes", str(folder))[0] == 0
    rc, out, err = _run(capsys, "ask", "Notes", "--prompt", "Which file format?", "--model", str(smollm2_model),
                        "--rerank", str(tiny_reranker), "--sources", "retrieval", "--max-tokens", "8",
                        "--temperature", "0", "--json")  # fmt: skip
    assert rc == 0, err
    answer = json.loads(out)
    assert answer["mode"] == "retrieval" and answer["sources"]
    assert "passages reranked by Tiny Bert Reranker over the first 30 hits of bm25 search" in answer["notes"]

    def not_started(*_args: object, **_kw: object) -> None:
        raise AssertionError("the reranker started for an answer from whole documents")

    monkeypatch.setattr(LlamaServerReranker, "__init__", not_started)
    rc, out, err = _run(capsys, "ask", "Notes", "--prompt", "Which file format?", "--model", str(smollm2_model),
                        "--rerank", str(tiny_reranker), "--sources", "whole", "--max-tokens", "8", "--temperature", "0",
                        "--json")  # fmt: skip
    assert rc == 0, err
    assert json.loads(out)["mode"] == "whole document" and not any("reranked" in n for n in json.loads(out)["notes"])
