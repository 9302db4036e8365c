"""The command Discover and `modelwerk files` recommend for an original with no GGUF that fits, run as a user pastes it.

`modelwerk pull REPO` downloads the safetensors original from the fake hub; `modelwerk recipe REPO --type Q8_0` converts it
with the toolchain and quantizes it; the Q8_0 GGUF is then in the Library. The original is the fake hub's own
(fakehub.repos.original_repo: random weights and a trained tokenizer that llama.cpp's converter accepts). Converting needs
the toolchain venv: without MODELWERK_TOOLCHAIN this skips locally and fails in CI (CI=true), so CI never passes by
skipping it.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fakehub import FakeHub
from fakehub.repos import TINY, original_repo

from app.hub.recommend import quantize_command
from quantize.toolchain import ROOT_ENV, Toolchain

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT_S = 300


@pytest.fixture
def toolchain_root(real_toolchain: Toolchain) -> Path:
    return real_toolchain.root


def _modelwerk(command: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """One `modelwerk ...` command line as the shell would run it, through this checkout's `python -m app`."""
    argv = shlex.split(command)
    assert argv[0] == "modelwerk", command
    return subprocess.run([sys.executable, "-m", "app", *argv[1:]], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=TIMEOUT_S, check=False)  # fmt: skip


def _library(env: dict[str, str]) -> list[dict[str, Any]]:
    listed = _modelwerk("modelwerk list --json", env)
    assert listed.returncode == 0, listed.stderr
    entries: list[dict[str, Any]] = json.loads(listed.stdout)
    return entries


def test_the_recommended_command_pulls_converts_and_quantizes(
    fakehub: FakeHub, modelwerk_home: Path, toolchain_root: Path
) -> None:
    original_repo(fakehub)
    env = dict(os.environ, MODELWERK_HOME=str(modelwerk_home), HF_ENDPOINT=fakehub.url, PYTHONPATH=str(ROOT))
    env[ROOT_ENV] = str(toolchain_root)
    env.pop("HF_TOKEN", None)
    command = quantize_command(TINY, "Q8_0")
    pull, recipe = command.split(" && ")

    got = _modelwerk(pull, env)
    assert got.returncode == 0, got.stdout + got.stderr
    assert f"{TINY} has no GGUF file: downloading its safetensors model (" in got.stderr
    assert f"convert and quantize it with `modelwerk recipe {TINY}`" in got.stderr
    [original] = _library(env)
    assert (original["format"], original["source"]) == ("safetensors", f"downloaded from {TINY}")
    folder = Path(original["path"])
    assert folder == (modelwerk_home / "models" / TINY).resolve()
    assert {"config.json", "model.safetensors", "tokenizer.json"} <= {p.name for p in folder.iterdir()}

    got = _modelwerk(recipe, env)  # convert -> quantize -> evaluate: a few seconds on the tiny model
    assert got.returncode == 0, got.stdout + got.stderr
    made = {e["quantization"]: e for e in _library(env) if e["format"] == "gguf"}
    assert set(made) >= {"Q8_0"}, made
    q8 = made["Q8_0"]
    assert Path(q8["path"]).is_file() and Path(q8["path"]).read_bytes()[:4] == b"GGUF"
    assert q8["source"].startswith("quantized from ") and q8["source"].endswith(" with Q8_0")
    lines = got.stdout.splitlines()
    assert [line.split(":")[0] for line in lines] == ["convert", "Q8_0", "evaluate"], got.stdout
    assert lines[1].startswith(f"Q8_0: {q8['path']} (") and lines[1].endswith(f"library id {q8['id']}")
    assert "PPL " in lines[2] and "top-1 " in lines[2]


def test_recipe_of_a_repo_that_was_not_pulled_says_how(fakehub: FakeHub, modelwerk_home: Path) -> None:
    env = dict(os.environ, MODELWERK_HOME=str(modelwerk_home), HF_ENDPOINT=fakehub.url, PYTHONPATH=str(ROOT))
    _, recipe = quantize_command(TINY, "Q8_0").split(" && ")
    got = _modelwerk(recipe, env)
    assert got.returncode == 1
    assert got.stderr == f"modelwerk recipe: no model {TINY} in the library: download it with `modelwerk pull {TINY}`\n"
