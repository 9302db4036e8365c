"""The attack of issue 13, item 1 against the real toolchain (torch, transformers, llama.cpp's converter): a Hugging Face
folder whose tokenizer is its own module (``auto_map`` -> ``tokenization_evil.py``, which writes a marker when imported).

transformers runs that module when asked with ``trust_remote_code=True`` (the control proves it here); the guard the
converter runs under refuses it even then, and the convert / GPTQ / evaluation workers refuse the folder before loading it.
Needs the toolchain (`real_toolchain`): skipped locally without it, a failure in CI.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from fixtures.tiny_hf import make_tiny_hf

from quantize.progress import Event, parse_event
from quantize.spec import ConvertSpec, EvaluateSpec, GptqSpec, JobSpec, dumps
from quantize.toolchain import Toolchain

TIMEOUT_S = 300
LOAD_TOKENIZER = """
import sys
from transformers import AutoTokenizer
AutoTokenizer.from_pretrained(sys.argv[1], trust_remote_code=True)  # what llama.cpp's converter does for Qwen & co.
print("loaded")
"""


@pytest.fixture(scope="module")
def tiny_hf(real_toolchain: Toolchain, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return Path(make_tiny_hf(real_toolchain, tmp_path_factory.mktemp("hf") / "tiny-llama"))


def hostile_copy(tiny_hf: Path, root: Path) -> tuple[Path, Path]:
    """The tiny model with its tokenizer class moved into the folder's own module; returns (folder, marker)."""
    folder = root / "Evil-1B"
    shutil.copytree(tiny_hf, folder)
    marker = root / "MARKER-remote-code-ran"
    (folder / "tokenization_evil.py").write_text(
        f"from pathlib import Path\nPath({str(marker)!r}).write_text('pwned')\n"
        "from transformers import PreTrainedTokenizerFast\n\n\nclass EvilTokenizer(PreTrainedTokenizerFast):\n    pass\n"
    )
    config_path = folder / "tokenizer_config.json"
    config = json.loads(config_path.read_text()) if config_path.is_file() else {}
    config["auto_map"] = {"AutoTokenizer": [None, "tokenization_evil.EvilTokenizer"]}
    config["tokenizer_class"] = "EvilTokenizer"
    config_path.write_text(json.dumps(config))
    return folder, marker


def load_tokenizer(toolchain: Toolchain, folder: Path, tmp_path: Path, *, guarded: bool) -> subprocess.CompletedProcess[str]:
    script = tmp_path / "load_tokenizer.py"
    script.write_text(LOAD_TOKENIZER)
    guard = ["-m", "quantize.remote_code", "--forbid", str(folder), "--"] if guarded else []
    env = toolchain.env()
    env["HF_MODULES_CACHE"] = str(tmp_path / "hf_modules")
    return subprocess.run([str(toolchain.python), *guard, str(script), str(folder)], env=env, capture_output=True,
                          text=True, timeout=TIMEOUT_S, check=False, cwd=tmp_path)  # fmt: skip


def run_worker(toolchain: Toolchain, spec: JobSpec, tmp_path: Path) -> tuple[int, list[Event]]:
    spec_file = tmp_path / f"spec-{time.monotonic_ns()}.json"
    spec_file.write_text(dumps(spec), encoding="utf-8")
    proc = subprocess.run([str(toolchain.python), "-m", "quantize.worker", str(spec_file)], env=toolchain.env(),
                          capture_output=True, text=True, cwd=tmp_path, timeout=TIMEOUT_S, check=False)  # fmt: skip
    return proc.returncode, [e for e in (parse_event(line) for line in proc.stdout.splitlines()) if e is not None]


def test_transformers_runs_the_folders_code_when_trusted(real_toolchain: Toolchain, tiny_hf: Path, tmp_path: Path) -> None:
    """The control: this folder really is an attack (the module runs as soon as transformers is told to trust it)."""
    folder, marker = hostile_copy(tiny_hf, tmp_path)
    done = load_tokenizer(real_toolchain, folder, tmp_path, guarded=False)
    assert marker.is_file(), done.stderr[-2000:]


def test_the_guard_keeps_trust_remote_code_true_from_running_it(real_toolchain: Toolchain, tiny_hf: Path,
                                                                 tmp_path: Path) -> None:  # fmt: skip
    folder, marker = hostile_copy(tiny_hf, tmp_path)
    done = load_tokenizer(real_toolchain, folder, tmp_path, guarded=True)
    assert done.returncode != 0 and "loaded" not in done.stdout
    assert "RemoteCodeBlocked" in done.stderr, done.stderr[-2000:]
    assert not marker.exists()


def test_the_workers_refuse_the_folder_and_never_run_its_code(real_toolchain: Toolchain, tiny_hf: Path,
                                                              tmp_path: Path) -> None:  # fmt: skip
    folder, marker = hostile_copy(tiny_hf, tmp_path)
    specs: list[JobSpec] = [
        ConvertSpec(source=folder, output=tmp_path / "evil.gguf"),
        GptqSpec(source=folder, output=tmp_path / "evil-gptq"),
        EvaluateSpec(source=folder, output=tmp_path / "evil.eval.json"),
    ]
    for spec in specs:
        code, events = run_worker(real_toolchain, spec, tmp_path)
        failed = [e for e in events if e.event == "failed"]
        assert code == 1 and len(failed) == 1, (spec.kind, events)
        assert "tokenization_evil.py" in failed[0].error and "--trust-remote-code" in failed[0].error
        assert not spec.output.exists()
    assert not marker.exists()


def test_a_clean_folder_still_converts_under_the_guard(real_toolchain: Toolchain, tiny_hf: Path, tmp_path: Path) -> None:
    """The guard is on for every conversion without permission: an ordinary model converts as before."""
    output = tmp_path / "tiny.F16.gguf"
    code, events = run_worker(real_toolchain, ConvertSpec(source=tiny_hf, output=output), tmp_path)
    assert code == 0, events[-3:]
    assert output.read_bytes()[:4] == b"GGUF"
