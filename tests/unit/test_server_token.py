"""A realistic token through llama-server here: the figure the speed estimate is scaled by (hardware.server_token)."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from app.chat.llama_server import find_llama_server
from formats.gguf_info import inspect_gguf
from hardware import server_token
from hardware.report import MiB

ROOT = Path(__file__).resolve().parents[2]


def test_the_calibration_model_is_the_shape_the_estimate_assumes_and_larger_than_a_cache(tmp_path: Path) -> None:
    path = server_token.write_calibration_model(tmp_path / "calibration.gguf")
    shape = inspect_gguf(path).shape
    assert shape is not None
    expected = server_token.calibration_shape()
    assert replace(shape, name=expected.name) == expected  # what the Library reads from the header
    assert path.stat().st_size > 64 * MiB  # streamed from RAM, as a model's weights are


def test_llama_server_generates_with_it_and_the_child_prints_seconds_per_token() -> None:
    out = subprocess.run([sys.executable, "-m", "hardware.server_token", str(find_llama_server()), "1"],
                         capture_output=True, text=True, timeout=300, cwd=ROOT, check=True)  # fmt: skip
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    assert set(figures) == {server_token.KEY}
    # 92 MiB of weights a token: slower than any memory, faster than a second even on one busy core.
    assert 1e-4 < figures[server_token.KEY] < 1.0, figures


def test_a_server_that_does_not_start_is_one_error(tmp_path: Path) -> None:
    fake = tmp_path / "llama-server"
    fake.write_text("#!/bin/sh\necho 'error: unknown argument' >&2\nexit 1\n")
    fake.chmod(0o755)
    model = server_token.write_calibration_model(tmp_path / "calibration.gguf")
    with pytest.raises(RuntimeError, match="ended while loading the calibration model"):
        server_token.seconds_per_token(fake, model, threads=1)


def test_usage_is_exit_2() -> None:
    assert server_token.main(["only-one"]) == 2
