"""installer/gpu-backend.sh: which backend `make` builds llama.cpp with, on machines these tests can only pretend to be
(a fake root with device nodes and headers, fake nvcc/glslc on PATH)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "installer" / "gpu-backend.sh"
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="a POSIX shell script")


def backend(tmp_path: Path, *, want: str = "auto", tools: tuple[str, ...] = (), files: tuple[str, ...] = ()) -> str:
    bin_dir, root = tmp_path / "bin", tmp_path / "root"
    bin_dir.mkdir(parents=True, exist_ok=True)
    for tool in tools:
        (bin_dir / tool).write_text("#!/bin/sh\nexit 0\n")
        (bin_dir / tool).chmod(0o755)
    for f in files:
        (root / f).parent.mkdir(parents=True, exist_ok=True)
        (root / f).touch()
    root.mkdir(parents=True, exist_ok=True)
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "MODELWERK_GPU_ROOT": str(root), "HOME": os.environ.get("HOME", "/")}
    out = subprocess.run(["sh", str(SCRIPT), want], env=env, capture_output=True, text=True, timeout=10)
    return out.stdout.strip() if out.returncode == 0 else f"exit {out.returncode}: {out.stderr.strip()}"


def test_auto_builds_for_the_cpu_without_a_gpu_even_with_a_toolkit(tmp_path: Path) -> None:
    # This project's machines: nvcc 13 installed, no driver. A CUDA build would take far longer and could not run.
    assert backend(tmp_path, tools=("nvcc", "glslc"), files=("usr/include/vulkan/vulkan.h",)) == "cpu"


def test_auto_takes_cuda_with_nvcc_and_an_nvidia_driver(tmp_path: Path) -> None:
    assert backend(tmp_path, tools=("nvcc",), files=("dev/nvidiactl",)) == "cuda"
    assert backend(tmp_path / "no-nvcc", files=("dev/nvidiactl",)) == "cpu"


def test_auto_takes_vulkan_with_the_sdk_and_a_render_node(tmp_path: Path) -> None:
    gpu = ("dev/dri/renderD128", "usr/include/vulkan/vulkan.h")
    assert backend(tmp_path, tools=("glslc",), files=gpu) == "vulkan"
    assert backend(tmp_path / "no-headers", tools=("glslc",), files=("dev/dri/renderD128",)) == "cpu"


def test_an_explicit_choice_wins_and_a_wrong_one_is_refused(tmp_path: Path) -> None:
    assert backend(tmp_path, want="cuda") == "cuda"
    assert backend(tmp_path, want="cpu", tools=("nvcc",), files=("dev/nvidiactl",)) == "cpu"
    assert backend(tmp_path, want="rocm") == "exit 2: MODELWERK_GPU must be auto, cpu, cuda or vulkan, not 'rocm'"
