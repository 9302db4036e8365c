from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest

from quantize.results import ResultStore, family_name, metrics_family


def metrics(model: str, *, reference: str | None = None, ppl: float = 10.0, **extra: Any) -> dict[str, Any]:
    return {"model": model, "reference": reference, "size_bytes": 1000, "params": 270_000_000, "quant_type": "Q8_0",
            "perplexity": ppl, "ppl_tokens": 254, "kld_mean": 0.01 if reference else None, "kld_p99": None,
            "top1_agreement": None, "prompt_tps": 100.0, "gen_tps": 20.0, "context": 256, "text_sha256": "ab",
            "backend": "llama.cpp", **extra}  # fmt: skip


@pytest.mark.parametrize(
    ("name", "family"),
    [
        ("gemma-3-270m.Q8_0.gguf", "gemma-3-270m"),
        ("gemma-3-270m-q4_k_m.gguf", "gemma-3-270m"),
        ("gemma-3-270m-q4_k_m.Q4_0.gguf", "gemma-3-270m"),
        ("/models/Qwen2.5-7B-Instruct-IQ2_XS.gguf", "qwen2.5-7b-instruct"),
        ("Llama-3-8B-Instruct-Q4_K_M-00001-of-00003.gguf", "llama-3-8b-instruct"),
        ("tiny-llama-f16.gguf", "tiny-llama"),
        ("/out/tiny-llama-GPTQ-4bit/", "tiny-llama"),
        ("Mistral-7B-v0.1", "mistral-7b-v0.1"),
        ("gemma-3-270m", "gemma-3-270m"),
    ],
)
def test_family_name_strips_quant_suffixes(name: str, family: str) -> None:
    assert family_name(name) == family


def test_family_prefers_lineage_then_reference() -> None:
    assert metrics_family(metrics("x.Q4_0.gguf", reference="base-f16.gguf")) == "base"
    assert metrics_family(metrics("x.Q4_0.gguf", reference="base-f16.gguf", base_model="Other-7B")) == "other-7b"
    assert metrics_family(metrics("solo.Q4_0.gguf")) == "solo"


def test_add_all_for_family_delete(tmp_path: Path) -> None:
    store = ResultStore(tmp_path / "sub" / "jobs.db")
    a = store.add(metrics("gemma-3-270m.Q8_0.gguf", reference="gemma-3-270m-q4_k_m.gguf", ppl=9.1))
    b = store.add(metrics("gemma-3-270m.Q4_0.gguf", reference="gemma-3-270m-q4_k_m.gguf", ppl=27.3))
    c = store.add(metrics("tiny.gguf"))
    assert a < b < c
    assert [r["id"] for r in store.all()] == [a, b, c]
    fam = store.for_family("gemma-3-270m.Q8_0.gguf")
    assert [(r["model"], r["perplexity"]) for r in fam] == [("gemma-3-270m.Q8_0.gguf", 9.1), ("gemma-3-270m.Q4_0.gguf", 27.3)]
    assert store.for_family("gemma-3-270m") == fam and fam[0]["family"] == "gemma-3-270m" and fam[0]["created"]
    assert store.families() == ["gemma-3-270m", "tiny"]
    assert store.get(c)["kld_mean"] is None
    store.delete(a)
    store.delete(12345)  # unknown: no error
    assert [r["id"] for r in store.all()] == [b, c]
    with pytest.raises(KeyError):
        store.get(a)
    # persisted: a new store on the same file sees the same rows
    assert [r["model"] for r in ResultStore(tmp_path / "sub" / "jobs.db").all()] == ["gemma-3-270m.Q4_0.gguf", "tiny.gguf"]


def test_accepts_metrics_objects_and_nan(tmp_path: Path) -> None:
    from quantize.evaluate import Metrics

    m = Metrics.from_dict(metrics("m.Q4_0.gguf", ppl=float("inf"), unknown_key=1))
    store = ResultStore(tmp_path / "jobs.db")
    row = store.get(store.add(m))
    assert row["perplexity"] == float("inf") and row["model"] == "m.Q4_0.gguf" and "unknown_key" not in row
    with pytest.raises(ValueError, match="model name"):
        store.add({"perplexity": 1.0})


def test_shares_the_file_without_touching_user_version(tmp_path: Path) -> None:
    db_path = tmp_path / "jobs.db"
    with sqlite3.connect(db_path) as db:  # another owner (the job queue) got there first
        db.execute("PRAGMA user_version = 7")
        db.execute("CREATE TABLE jobs (id INTEGER PRIMARY KEY, spec TEXT)")
        db.execute("INSERT INTO jobs (spec) VALUES ('{}')")
    store = ResultStore(db_path)
    store.add(metrics("a.gguf"))
    ResultStore(db_path)  # opening again is harmless
    with sqlite3.connect(db_path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 7
        assert db.execute("SELECT COUNT(*) FROM jobs").fetchone()[0] == 1
        assert db.execute("SELECT COUNT(*) FROM eval_results").fetchone()[0] == 1


def test_concurrent_adds_from_threads(tmp_path: Path) -> None:
    store = ResultStore(tmp_path / "jobs.db")
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            for j in range(10):
                store.add(metrics(f"m{i}-{j}.gguf"))
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(store.all()) == 40
