"""The toolchain environment, HF -> GGUF conversion and GPTQ, on a tiny random Hugging Face Llama built here offline.

These need the toolchain venv (torch, transformers, gptqmodel, llama.cpp's converter): `make test` installs it and sets
MODELWERK_TOOLCHAIN. Without it they skip locally and fail in CI (CI=true), so CI never passes by skipping them.
"""

from __future__ import annotations

import io
import json
import struct
import subprocess
import tarfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fixtures.tiny_hf import hf_logits, make_tiny_hf

from quantize.progress import Event, parse_event
from quantize.spec import ConvertSpec, GptqSpec, JobSpec, dumps, part_path
from quantize.toolchain import (
    ROOT_ENV,
    STAMP_NAME,
    PipProgress,
    Toolchain,
    ToolchainError,
    default_root,
    extract_converter,
)

IDS = [1, 10, 20, 30, 40, 50]  # token ids fed to both runtimes (no tokenizer differences involved)
WORKER_TIMEOUT_S = 300
GGUF_FILE_TYPE = {"f16": 1, "q8_0": 7}


@pytest.fixture(scope="module")
def toolchain(real_toolchain: Toolchain) -> Toolchain:
    return real_toolchain


@pytest.fixture(scope="module")
def tiny_hf(toolchain: Toolchain, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_tiny_hf(toolchain, tmp_path_factory.mktemp("hf") / "tiny-llama")


@pytest.fixture(scope="module")
def reference_logits(toolchain: Toolchain, tiny_hf: Path) -> np.ndarray:
    return np.array(hf_logits(toolchain, tiny_hf, IDS)["logits"])


def run_worker(toolchain: Toolchain, spec: JobSpec, tmp_path: Path) -> tuple[int, list[Event], str]:
    """``toolchain python -m quantize.worker SPEC.json`` as the runner starts it; returns exit code, events, stderr."""
    spec_file = tmp_path / f"spec-{time.monotonic_ns()}.json"
    spec_file.write_text(dumps(spec), encoding="utf-8")
    proc = subprocess.run([str(toolchain.python), "-m", "quantize.worker", str(spec_file)], env=toolchain.env(),
                          capture_output=True, cwd=tmp_path, timeout=WORKER_TIMEOUT_S, check=False)  # fmt: skip
    events = [e for e in (parse_event(line) for line in proc.stdout.splitlines()) if e is not None]
    return proc.returncode, events, proc.stderr.decode("utf-8", "replace")


def correlations(a: np.ndarray, b: np.ndarray) -> list[float]:
    return [float(np.corrcoef(x, y)[0, 1]) for x, y in zip(a, b, strict=True)]


def llama_cpp_logits_and_tokens(path: Path, n_new: int = 4) -> tuple[np.ndarray, list[int], dict[str, str]]:
    from llama_cpp import Llama

    llm = Llama(str(path), n_ctx=64, logits_all=True, n_threads=1, verbose=False)
    try:
        llm.eval(IDS)
        logits = np.array(llm.scores[: len(IDS)])
        llm.reset()
        tokens: list[int] = []
        for token in llm.generate(IDS, temp=0.0):
            tokens.append(token)
            if len(tokens) == n_new:
                break
        return logits, tokens, dict(llm.metadata)
    finally:
        llm.close()


# --- the environment --------------------------------------------------------------------------------------------------


def test_status_reports_the_pinned_versions_and_the_converter(toolchain: Toolchain) -> None:
    status = toolchain.status()
    assert status.installed and status.problem == ""
    assert status.versions["torch"].startswith("2.13.0")
    for name in ("transformers", "tokenizers", "gptqmodel", "safetensors", "sentencepiece"):
        assert status.versions[name][0].isdigit(), name
    assert status.versions["llama.cpp converter"] == f"llama-cpp-python {toolchain.llama_cpp_version}"
    assert toolchain.converter.is_file() and (toolchain.converter.parent / "gguf-py" / "gguf").is_dir()


def test_a_second_install_is_a_no_op(toolchain: Toolchain, monkeypatch: pytest.MonkeyPatch) -> None:
    stamp = (toolchain.root / STAMP_NAME).stat().st_mtime_ns

    def no_process(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("a current toolchain started pip or venv")

    monkeypatch.setattr(subprocess, "Popen", no_process)
    seen: list[tuple[str, float | None]] = []
    toolchain.install(progress=lambda stage, fraction: seen.append((stage, fraction)))
    assert seen == [("ready", 1.0)]
    assert (toolchain.root / STAMP_NAME).stat().st_mtime_ns == stamp


def test_status_of_a_missing_unfinished_or_outdated_toolchain(tmp_path: Path) -> None:
    missing = Toolchain(tmp_path / "none").status()
    assert not missing.installed and "modelwerk toolchain install" in missing.problem
    root = tmp_path / "tc"
    (root / "bin").mkdir(parents=True)
    (root / "bin" / "python").touch()
    tc = Toolchain(root, llama_cpp_version="0.3.36")
    assert "did not finish" in tc.status().problem
    (root / STAMP_NAME).write_text(json.dumps({**tc.wanted(), "torch": "torch==2.0.0"}), encoding="utf-8")
    assert "outdated" in tc.status().problem
    (root / STAMP_NAME).write_text(json.dumps(tc.wanted()), encoding="utf-8")
    broken = tc.status()
    assert not broken.installed and "torch" in broken.problem and "llama.cpp converter" in broken.problem


def test_default_root_prefers_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ROOT_ENV, str(tmp_path / "tc"))
    assert default_root(tmp_path / "data") == tmp_path / "tc"
    monkeypatch.delenv(ROOT_ENV)
    assert default_root(tmp_path / "data") == tmp_path / "data" / "toolchain"


def test_pip_output_becomes_stages_and_errors() -> None:
    p = PipProgress("installing torch")
    fractions = []
    for line in ("Collecting torch==2.13.0", "  Downloading torch-2.13.0-cp311-none-linux_x86_64.whl (190 MB)",
                 "Collecting filelock (from torch==2.13.0)", "Installing collected packages: filelock, torch",
                 "Successfully installed filelock-3 torch-2.13.0"):  # fmt: skip
        assert p.feed(line)
        fractions.append(p.fraction)
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert p.message == "installing torch: done"
    p = PipProgress("installing transformers, gptqmodel")
    p.feed("Collecting gptqmodel==99")
    assert not p.feed("ERROR: No matching distribution found for gptqmodel==99")
    assert p.error == "No matching distribution found for gptqmodel==99"


def test_the_converter_is_taken_out_of_the_sdist(tmp_path: Path) -> None:
    sdist = tmp_path / "llama_cpp_python-9.9.9.tar.gz"
    with tarfile.open(sdist, "w:gz") as tar:
        for name in ("vendor/llama.cpp/convert_hf_to_gguf.py", "vendor/llama.cpp/conversion/__init__.py",
                     "vendor/llama.cpp/gguf-py/gguf/__init__.py", "vendor/llama.cpp/src/llama.cpp", "setup.py"):  # fmt: skip
            data = f"# {name}\n".encode()
            info = tarfile.TarInfo(f"llama_cpp_python-9.9.9/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    extract_converter(sdist, tmp_path / "out")
    files = sorted(str(p.relative_to(tmp_path / "out")) for p in (tmp_path / "out").rglob("*") if p.is_file())
    assert files == ["conversion/__init__.py", "convert_hf_to_gguf.py", "gguf-py/gguf/__init__.py"]
    empty = tmp_path / "empty.tar.gz"
    with tarfile.open(empty, "w:gz"):
        pass
    with pytest.raises(ToolchainError, match=r"carries no convert_hf_to_gguf\.py"):
        extract_converter(empty, tmp_path / "out2")


def test_cancelling_an_install_stops_pip(tmp_path: Path) -> None:
    """A venv is made first (seconds); cancelling during it raises and leaves no stamp."""
    tc = Toolchain(tmp_path / "tc")
    cancel = threading.Event()
    stages: list[str] = []

    def progress(stage: str, _fraction: float | None) -> None:
        stages.append(stage)
        cancel.set()

    from quantize.toolchain import ToolchainCancelled

    with pytest.raises(ToolchainCancelled):
        tc.install(progress=progress, cancel=cancel)
    assert stages and not (tc.root / STAMP_NAME).exists()
    assert not tc.status().installed


# --- HF -> GGUF ---------------------------------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("outtype", ["f16", "q8_0"])
def test_convert_tiny_llama_to_gguf_loads_generates_and_matches_transformers(
    toolchain: Toolchain, tiny_hf: Path, reference_logits: np.ndarray, tmp_path: Path, outtype: str
) -> None:
    out = tmp_path / f"tiny.{outtype.upper()}.gguf"
    code, events, stderr = run_worker(toolchain, ConvertSpec(source=tiny_hf, output=out, outtype=outtype), tmp_path)
    assert code == 0, stderr[-2000:]
    assert events[-1].event == "done" and events[-1].outputs == (str(out),)
    assert out.is_file() and not part_path(out).exists()
    tensor_events = [e for e in events if e.stage == "convert" and e.message.startswith("[")]
    assert len(tensor_events) >= 2 * 9  # every tensor of both layers was reported
    fractions = [e.fraction for e in events if e.event == "progress" and e.fraction is not None]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0

    logits, tokens, meta = llama_cpp_logits_and_tokens(out)
    assert meta["general.architecture"] == "llama" and int(meta["general.file_type"]) == GGUF_FILE_TYPE[outtype]
    assert len(tokens) == 4 and all(0 <= t < reference_logits.shape[1] for t in tokens)
    # The converted model computes what the original does: same next-token ranking, near-identical logits.
    assert min(correlations(reference_logits, logits)) > (0.999 if outtype == "f16" else 0.99)
    assert (reference_logits.argmax(1) == logits.argmax(1)).all()


def test_convert_refuses_what_is_not_a_hugging_face_model(toolchain: Toolchain, tiny_hf: Path, tmp_path: Path) -> None:
    cases: dict[str, tuple[Path, str]] = {}
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "notes.txt").write_text("not a model", encoding="utf-8")
    cases["plain"] = (plain, "is not a Hugging Face model folder (no config.json)")
    no_tok = tmp_path / "no-tokenizer"
    no_tok.mkdir()
    for f in ("config.json", "model.safetensors"):
        (no_tok / f).symlink_to(tiny_hf / f)
    cases["no-tokenizer"] = (no_tok, "has no tokenizer")
    alien = tmp_path / "alien"
    alien.mkdir()
    for entry in tiny_hf.iterdir():
        if entry.name != "config.json":
            (alien / entry.name).symlink_to(entry)
    config = json.loads((tiny_hf / "config.json").read_text(encoding="utf-8"))
    (alien / "config.json").write_text(json.dumps({**config, "architectures": ["AlienForCausalLM"]}), encoding="utf-8")
    cases["alien"] = (alien, "does not support the architecture AlienForCausalLM")
    cases["missing"] = (tmp_path / "nowhere", "does not exist")
    for name, (source, message) in cases.items():
        out = tmp_path / f"{name}.gguf"
        code, events, _ = run_worker(toolchain, ConvertSpec(source=source, output=out), tmp_path)
        assert code == 1, name
        assert events[-1].event == "failed" and message in events[-1].error, (name, events[-1].error)
        assert "\n" not in events[-1].error
        assert not out.exists() and not part_path(out).exists(), name


# --- GPTQ ---------------------------------------------------------------------------------------------------------------


def _safetensors_header(path: Path) -> dict[str, Any]:
    with path.open("rb") as f:
        (size,) = struct.unpack("<Q", f.read(8))
        header: dict[str, Any] = json.loads(f.read(size))
    return header


@pytest.mark.slow
def test_gptq_4bit_of_tiny_llama_loads_back_and_generates(
    toolchain: Toolchain, tiny_hf: Path, reference_logits: np.ndarray, tmp_path: Path
) -> None:
    out = tmp_path / "tiny-gptq-4bit"
    spec = GptqSpec(source=tiny_hf, output=out, bits=4, group_size=128)
    code, events, stderr = run_worker(toolchain, spec, tmp_path)
    assert code == 0, stderr[-2000:]
    assert events[-1].event == "done" and events[-1].outputs == (str(out),)
    assert [e.message for e in events if e.message.startswith("layer ")] == ["layer 1/2 quantized", "layer 2/2 quantized"]
    assert out.is_dir() and not part_path(out).exists()
    qconfig = json.loads((out / "quantize_config.json").read_text(encoding="utf-8"))
    assert (qconfig["bits"], qconfig["group_size"], qconfig["desc_act"]) == (4, 128, False)
    header = _safetensors_header(out / "model.safetensors")
    qweights = [k for k, v in header.items() if k.endswith(".qweight") and v["dtype"] == "I32"]
    assert len(qweights) == 2 * 7  # q, k, v, o, gate, up, down in both layers
    assert (out / "tokenizer.json").is_file()
    assert not list(tmp_path.glob("logs"))  # gptqmodel's ./logs stayed in the worker's scratch folder

    loaded = hf_logits(toolchain, out, IDS)
    assert loaded["quantized_modules"] == 14
    assert len(loaded["generated"]) == 4
    logits = np.array(loaded["logits"])
    assert np.isfinite(logits).all()
    # 4-bit weights change the logits a little, not their shape: close to the original model's.
    assert min(correlations(reference_logits, logits)) > 0.9


def test_gptq_refuses_bad_options_and_non_models(toolchain: Toolchain, tmp_path: Path) -> None:
    out = tmp_path / "gptq"
    code, events, _ = run_worker(toolchain, GptqSpec(source=tmp_path, output=out, bits=5), tmp_path)
    assert code == 1 and "not 5" in events[-1].error
    code, events, _ = run_worker(toolchain, GptqSpec(source=tmp_path, output=out), tmp_path)
    assert code == 1 and "is not a Hugging Face model folder" in events[-1].error
    assert not out.exists() and not part_path(out).exists()


# --- the command line ---------------------------------------------------------------------------------------------------


def test_cli_toolchain_status(toolchain: Toolchain, capsys: pytest.CaptureFixture[str]) -> None:
    from app.cli import main

    assert main(["toolchain", "status", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["installed"] and data["root"] == str(toolchain.root) and data["versions"]["gptqmodel"]


def test_cli_toolchain_status_of_a_missing_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    from app.cli import main

    monkeypatch.setenv(ROOT_ENV, str(tmp_path / "none"))
    assert main(["toolchain", "status"]) == 1
    captured = capsys.readouterr()
    assert "installed: no" in captured.out and "modelwerk toolchain install" in captured.err


@pytest.mark.slow
def test_cli_convert_runs_through_the_queue_and_registers_the_output(
    toolchain: Toolchain, tiny_hf: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from app import paths
    from app.cli import main
    from app.library.catalog import Catalog
    from app.store import Store

    out = tmp_path / "cli" / "tiny.F16.gguf"
    assert main(["convert", str(tiny_hf), "--outtype", "f16", "--out", str(out), "--json"]) == 0
    row = json.loads(capsys.readouterr().out)
    assert row["state"] == "done" and row["output"] == str(out) and row["size_bytes"] == out.stat().st_size
    with Store.open(paths.database_path()) as store:
        entry = Catalog(store).get(row["model_id"])
    assert Path(entry.path) == out
    assert main(["convert", str(tiny_hf), "--out", str(out)]) == 1  # never overwrites
    assert "already exists" in capsys.readouterr().err
    assert main(["convert", str(tmp_path / "cli")]) == 1
    assert "is not a Hugging Face model folder" in capsys.readouterr().err


def test_cancelling_a_running_gptq_job_leaves_nothing(toolchain: Toolchain, tiny_hf: Path, tmp_path: Path) -> None:
    from quantize.queue import JobQueue, JobState
    from quantize.runner import JobRunner

    queue = JobQueue(tmp_path / "jobs.db", log_dir=tmp_path / "logs")
    out = tmp_path / "cancelled-gptq"
    runner = JobRunner(queue, python_for=lambda _spec: [str(toolchain.python)], grace_s=3)
    try:
        job_id = queue.add(GptqSpec(source=tiny_hf, output=out)).id
        runner.start()
        deadline = time.monotonic() + WORKER_TIMEOUT_S
        while queue.get(job_id).stage != "load" and time.monotonic() < deadline:  # importing torch and gptqmodel
            time.sleep(0.05)
        assert queue.get(job_id).stage == "load"
        runner.cancel(job_id)
        assert runner.wait_idle(WORKER_TIMEOUT_S)
        assert queue.get(job_id).state is JobState.CANCELLED
    finally:
        runner.stop()
        queue.close()
    assert not out.exists() and not part_path(out).exists()
