"""Evaluation against real llama.cpp: tiny random models for the mechanics, Gemma 3 270M for what the numbers mean."""

from __future__ import annotations

import ctypes
import io
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fixtures.tiny_gguf import DEFAULT_WORDS, write_kquant_gguf

from quantize.errors import JobFailed
from quantize.eval_text import EVAL_TEXT
from quantize.evaluate import Metrics, evaluate_gguf, run
from quantize.progress import Reporter, parse_event
from quantize.results import ResultStore
from quantize.spec import EvaluateSpec, dumps, part_path
from quantize.toolchain import Toolchain

REPO_ROOT = Path(__file__).resolve().parents[2]
TINY_TEXT = " ".join(DEFAULT_WORDS * 6)  # words in the tiny vocabulary: ~200 tokens
GEMMA_TEXT = EVAL_TEXT[:2600]  # ~580 Gemma tokens: two windows of 256


def test_a_model_against_itself_has_zero_kld_and_full_agreement(kquant_gguf: Path) -> None:
    events: list[tuple[str, float | None, str]] = []
    m = evaluate_gguf(kquant_gguf, reference=kquant_gguf, text=TINY_TEXT, context=64, threads=2,
                      progress=lambda *e: events.append(e))  # fmt: skip
    assert m.kld_mean is not None and m.kld_p99 is not None and m.top1_agreement is not None
    assert m.kld_mean < 1e-5 and m.kld_p99 < 1e-4 and m.top1_agreement == 1.0
    assert math.isfinite(m.perplexity) and m.perplexity > 1 and m.reference_perplexity == pytest.approx(m.perplexity, rel=1e-4)
    assert m.ppl_tokens > 50 and m.context == 64 and m.backend == "llama.cpp"
    assert m.quant_type == "F16" and m.params is not None and m.params > 1_000_000
    assert m.size_bytes == kquant_gguf.stat().st_size and m.prompt_tps > 0 and m.gen_tps > 0
    assert m.model == m.reference == kquant_gguf.name
    assert events[0][0] == "load" and "evaluate" in [s for s, *_ in events] and events[-1][0] == "done"


def test_another_model_differs_and_without_reference_there_is_no_kld(kquant_gguf: Path, tmp_path: Path) -> None:
    other = write_kquant_gguf(tmp_path / "other.gguf", seed=1)  # same vocabulary, other random weights
    vs = evaluate_gguf(other, reference=kquant_gguf, text=TINY_TEXT, context=64, threads=2)
    assert vs.kld_mean is not None and vs.kld_mean > 1e-3 and vs.top1_agreement is not None and vs.top1_agreement < 1.0
    alone = evaluate_gguf(other, text=TINY_TEXT, context=64, threads=2)
    assert alone.kld_mean is None and alone.top1_agreement is None and alone.reference is None
    assert alone.perplexity == pytest.approx(vs.perplexity, rel=1e-3)  # same windows, same tokens


def test_vocabulary_mismatch_is_a_clear_error(kquant_gguf: Path, tmp_path: Path) -> None:
    bigger = write_kquant_gguf(tmp_path / "bigger.gguf", vocab_words=(*DEFAULT_WORDS, "extra", "words", "here"))
    with pytest.raises(JobFailed, match=r"vocabulary of [\d,]+ tokens .* same vocabulary"):
        evaluate_gguf(kquant_gguf, reference=bigger, text=TINY_TEXT, context=64, threads=2)


def test_too_short_text_and_missing_files(kquant_gguf: Path, tmp_path: Path) -> None:
    with pytest.raises(JobFailed, match="too short"):
        evaluate_gguf(kquant_gguf, text="hello world", context=64, threads=2)
    with pytest.raises(JobFailed, match="no such model"):
        evaluate_gguf(tmp_path / "none.gguf", text=TINY_TEXT, context=64)
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"GGUF" + b"\0" * 100)
    with pytest.raises(JobFailed, match=r"cannot load bad\.gguf"):
        evaluate_gguf(bad, text=TINY_TEXT, context=64)


def test_run_writes_metrics_atomically_and_reports_done(kquant_gguf: Path, tmp_path: Path) -> None:
    text = tmp_path / "text.txt"
    text.write_text(TINY_TEXT, encoding="utf-8")
    spec = EvaluateSpec(source=kquant_gguf, output=tmp_path / "out" / "metrics.json", reference=kquant_gguf, text=text,
                        context=64, threads=2)  # fmt: skip
    stream = io.StringIO()
    assert run(spec, Reporter(stream)) == [spec.output]
    events = [e for e in map(parse_event, stream.getvalue().splitlines()) if e is not None]
    assert events[-1].event == "done" and events[-1].outputs == (str(spec.output),)
    assert any(e.event == "progress" and e.stage == "evaluate" for e in events)
    written = json.loads(spec.output.read_text(encoding="utf-8"))
    assert written == events[-1].result and Metrics.from_dict(written).top1_agreement == 1.0
    assert not part_path(spec.output).exists()


def test_the_worker_runs_an_evaluation_job(kquant_gguf: Path, tmp_path: Path) -> None:
    spec = EvaluateSpec(source=kquant_gguf, output=tmp_path / "m.json", context=64, threads=2)
    spec_file = tmp_path / "spec.json"
    spec_file.write_text(dumps(spec), encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    proc = subprocess.run([sys.executable, "-m", "quantize.worker", str(spec_file)], capture_output=True, text=True,
                          cwd=tmp_path, env=env, timeout=120)  # fmt: skip
    events = [e for e in map(parse_event, proc.stdout.splitlines()) if e is not None]
    assert proc.returncode == 0, proc.stderr[-2000:]
    done = [e for e in events if e.event == "done"]
    assert len(done) == 1 and done[0].result["perplexity"] > 1 and done[0].result["kld_mean"] is None
    assert json.loads(spec.output.read_text())["text_sha256"] == done[0].result["text_sha256"]


def test_worker_reports_a_vocabulary_mismatch_and_leaves_no_output(kquant_gguf: Path, tmp_path: Path) -> None:
    bigger = write_kquant_gguf(tmp_path / "bigger.gguf", vocab_words=(*DEFAULT_WORDS, "more"))
    spec = EvaluateSpec(source=kquant_gguf, output=tmp_path / "m.json", reference=bigger, context=64, threads=2)
    with pytest.raises(JobFailed, match="same vocabulary"):
        run(spec, Reporter(io.StringIO()))
    assert not spec.output.exists() and not part_path(spec.output).exists()


# --- the CLI --------------------------------------------------------------------------------------------------------------


def test_cli_eval_json_prints_and_saves_the_metrics(kquant_gguf: Path, tmp_path: Path, modelwerk_home: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    from app import paths
    from app.cli import main

    text = tmp_path / "t.txt"
    text.write_text(TINY_TEXT, encoding="utf-8")
    rc = main(["eval", str(kquant_gguf), "--reference", str(kquant_gguf), "--text", str(text), "--context", "64",
               "--threads", "2", "--json"])  # fmt: skip
    out = json.loads(capsys.readouterr().out)
    assert rc == 0 and out["model"] == kquant_gguf.name and out["top1_agreement"] == 1.0 and out["ppl_tokens"] > 50
    stored = ResultStore(paths.data_dir() / "jobs.db").all()
    assert [r["id"] for r in stored] == [out["id"]] and stored[0]["perplexity"] == out["perplexity"]

    rc = main(["eval", str(kquant_gguf), "--text", str(text), "--context", "64", "--threads", "2", "--no-save"])
    shown = capsys.readouterr().out
    assert rc == 0 and "perplexity" in shown and kquant_gguf.name in shown and "KL divergence" not in shown
    assert len(ResultStore(paths.data_dir() / "jobs.db").all()) == 1


def test_cli_eval_errors(kquant_gguf: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from app.cli import main

    assert main(["eval", "no-such-model"]) == 1
    assert "no model 'no-such-model'" in capsys.readouterr().err
    assert main(["eval", str(kquant_gguf), "--context", "4"]) == 2
    bigger = write_kquant_gguf(tmp_path / "bigger.gguf", vocab_words=(*DEFAULT_WORDS, "more"))
    assert main(["eval", str(kquant_gguf), "--reference", str(bigger), "--context", "64", "--threads", "2"]) == 1
    assert "same vocabulary" in capsys.readouterr().err


# --- Gemma 3 270M: what the numbers mean ------------------------------------------------------------------------------


def requantize(source: Path, output: Path, ftype: int) -> Path:
    import llama_cpp

    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = ftype
    params.allow_requantize = True
    params.nthread = 2
    rc = llama_cpp.llama_model_quantize(str(source).encode(), str(output).encode(), ctypes.byref(params))
    assert rc == 0, f"llama_model_quantize returned {rc}"
    return output


@pytest.fixture(scope="module")
def gemma_requantized(gemma_model: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    import llama_cpp

    folder = tmp_path_factory.mktemp("gemma-quants")
    return {
        "Q8_0": requantize(gemma_model, folder / "gemma-3-270m.Q8_0.gguf", llama_cpp.LLAMA_FTYPE_MOSTLY_Q8_0),
        "Q4_0": requantize(gemma_model, folder / "gemma-3-270m.Q4_0.gguf", llama_cpp.LLAMA_FTYPE_MOSTLY_Q4_0),
    }


@pytest.mark.slow
def test_gemma_q8_0_is_closer_to_the_original_than_q4_0(gemma_model: Path, gemma_requantized: dict[str, Path]) -> None:
    results = {name: evaluate_gguf(path, reference=gemma_model, text=GEMMA_TEXT, context=256, threads=2)
               for name, path in gemma_requantized.items()}  # fmt: skip
    q8, q4 = results["Q8_0"], results["Q4_0"]
    for m in (q8, q4):
        assert math.isfinite(m.perplexity) and m.perplexity > 1 and m.ppl_tokens >= 200
        assert m.kld_mean is not None and m.kld_mean >= 0 and m.top1_agreement is not None
        assert m.params is not None and 250e6 < m.params < 300e6 and m.prompt_tps > 0 and m.gen_tps > 0
    assert (q8.quant_type, q4.quant_type) == ("Q8_0", "Q4_0")
    assert q8.kld_mean is not None and q4.kld_mean is not None and q8.kld_mean < q4.kld_mean
    assert q8.top1_agreement is not None and q4.top1_agreement is not None and q8.top1_agreement >= q4.top1_agreement
    assert q8.size_bytes > q4.size_bytes
    assert q8.reference_perplexity == pytest.approx(q4.reference_perplexity, rel=1e-6)  # the same reference run
    # for the report: pytest -s shows them
    for name, m in results.items():
        print(f"\n{name}: {json.dumps(m.to_dict())}")


# --- GPTQ / Hugging Face folders: transformers in the toolchain environment ------------------------------------------------


@pytest.fixture(scope="module")
def toolchain_hf(tmp_path_factory: pytest.TempPathFactory, real_toolchain: Toolchain) -> dict[str, Path]:
    """The tiny random HF Llama and its GPTQ 4-bit quantization (H2's job), made with the toolchain's Python."""
    from fixtures.tiny_hf import make_tiny_hf

    from quantize.spec import GptqSpec

    toolchain = real_toolchain
    folder = tmp_path_factory.mktemp("hf")
    hf = make_tiny_hf(toolchain, folder / "tiny-llama")
    gptq = folder / "tiny-llama-GPTQ-4bit"
    spec_file = folder / "gptq.json"
    spec_file.write_text(dumps(GptqSpec(source=hf, output=gptq, bits=4, group_size=128)), encoding="utf-8")
    proc = subprocess.run([str(toolchain.python), "-m", "quantize.worker", str(spec_file)], capture_output=True, text=True,
                          cwd=folder, env=toolchain.env(), timeout=300)  # fmt: skip
    assert proc.returncode == 0 and gptq.is_dir(), proc.stdout[-1000:] + proc.stderr[-2000:]
    return {"hf": hf, "gptq": gptq}


@pytest.mark.slow
def test_cli_evaluates_gptq_against_its_source_in_the_toolchain(toolchain_hf: dict[str, Path], tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    from app.cli import main

    text = tmp_path / "t.txt"
    text.write_text(EVAL_TEXT[:3000], encoding="utf-8")
    common = ["--text", str(text), "--context", "64", "--threads", "2", "--json"]
    assert main(["eval", str(toolchain_hf["hf"]), "--reference", str(toolchain_hf["hf"]), *common]) == 0
    same = json.loads(capsys.readouterr().out)
    assert same["backend"] == "transformers" and same["kld_mean"] < 1e-5 and same["top1_agreement"] == 1.0
    assert main(["eval", str(toolchain_hf["gptq"]), "--reference", str(toolchain_hf["hf"]), *common]) == 0
    q = json.loads(capsys.readouterr().out)
    assert q["quant_type"].startswith("GPTQ-4bit") and math.isfinite(q["perplexity"]) and q["ppl_tokens"] > 100
    assert q["kld_mean"] > same["kld_mean"] and 0 < q["top1_agreement"] <= 1.0
    assert q["params"] == same["params"] and q["size_bytes"] < same["size_bytes"]
    assert q["reference_perplexity"] == pytest.approx(same["perplexity"], rel=1e-4)


def test_cli_eval_finds_library_models_by_name(kquant_gguf: Path, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    from app.cli import main

    assert main(["import", "--in-place", str(kquant_gguf)]) == 0
    capsys.readouterr()
    assert main(["list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    entries = listed if isinstance(listed, list) else listed.get("models", [])
    name = next(e["name"] for e in entries if Path(e["path"]).resolve() == kquant_gguf.resolve())
    text = tmp_path / "t.txt"
    text.write_text(TINY_TEXT, encoding="utf-8")
    assert main(["eval", name, "--reference", name, "--text", str(text), "--context", "64", "--threads", "2", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["model"] == kquant_gguf.name and out["top1_agreement"] == 1.0
