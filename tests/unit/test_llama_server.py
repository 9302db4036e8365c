"""Where llama-server is found, what runtimes pass it, and how many slots the fit allows."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import pytest

from app.chat import llama_server
from app.chat.llama_server import ENV, LlamaServerMissing, find_llama_server
from app.chat.messages import ChatError
from app.chat.runtime import LoadOptions, auto_slots, check_fit, check_options, server_args
from formats.model import ModelFormat, ModelInfo
from hardware.fit import FitOptions, fit, kv_cache_bytes
from hardware.report import CpuInfo, GiB, GpuInfo, GpuVendor, HardwareReport
from hardware.shape import REPRESENTATIVE, shape_of


def executable(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n")
    path.chmod(0o755)
    return path


def test_the_variable_wins_and_a_bad_one_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    binary = executable(tmp_path / "mine" / "llama-server")
    monkeypatch.setenv(ENV, str(binary))
    assert find_llama_server() == binary
    monkeypatch.setenv(ENV, str(tmp_path / "nope"))
    with pytest.raises(LlamaServerMissing, match=f"\\${ENV} is .*nope, which is not an executable file") as e:
        find_llama_server()
    assert "\n" not in str(e.value)


def test_the_checkout_copy_then_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV, raising=False)
    monkeypatch.setattr(llama_server, "_checkout_root", lambda: tmp_path)
    with pytest.raises(LlamaServerMissing, match=r"llama-server is not built yet .* run `make`") as e:
        find_llama_server()
    assert ENV in str(e.value) and "\n" not in str(e.value)
    binary = executable(tmp_path / ".llama-server" / "llama-server")
    assert find_llama_server() == binary


def test_a_bundle_has_it_next_to_the_executable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV, raising=False)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path / "_internal"), raising=False)
    monkeypatch.setattr(sys, "executable", str(tmp_path / "modelwerk"))
    with pytest.raises(LlamaServerMissing, match="reinstall Modelwerk"):
        find_llama_server()
    binary = executable(tmp_path / "_internal" / "llama-server")
    assert find_llama_server() == binary


def test_server_args_give_each_slot_the_context_and_keep_the_key_out() -> None:
    args = server_args(Path("/m/x.gguf"), name="x", port=4321, options=LoadOptions(context=2048, kv_type="q8_0",
                       flash_attn=True), slots=4, gpu_layers=7, threads=3, chat_template="{{ x }}")  # fmt: skip
    flags = {flag: args[i + 1] for i, flag in enumerate(args[:-1]) if flag.startswith("--")}
    assert flags["--ctx-size"] == "8192" and flags["--parallel"] == "4"  # llama-server splits -c over the slots
    assert flags["--host"] == "127.0.0.1" and flags["--port"] == "4321" and flags["--n-gpu-layers"] == "7"
    assert flags["--cache-type-k"] == flags["--cache-type-v"] == "q8_0" and flags["--flash-attn"] == "auto"
    assert args.index("--jinja") < args.index("--chat-template") and args[-1] == "{{ x }}"
    assert not any("key" in a for a in args)


def test_bad_options_are_one_line_errors() -> None:
    check_options(LoadOptions())
    for options, match in ((LoadOptions(kv_type="q5"), "unknown KV cache type 'q5'"),
                           (LoadOptions(parallel=0), "parallel slots must be between 1 and 64"),
                           (LoadOptions(context=0), "at least 1 token"),
                           (LoadOptions(threads=0), "threads must be 1 or more")):  # fmt: skip
        with pytest.raises(ChatError, match=match):
            check_options(options)


def test_the_fit_counts_the_kv_cache_of_every_slot() -> None:
    shape = shape_of(REPRESENTATIVE["8B"], "Q4_K_M")
    one = kv_cache_bytes(shape, FitOptions(context=8192))
    assert kv_cache_bytes(shape, FitOptions(context=8192, slots=4)) == 4 * one
    info = ModelInfo(path=Path("m.gguf"), files=(), format=ModelFormat.GGUF, name="m", size_bytes=5 * GiB, shape=shape)
    cpu = HardwareReport("Linux", CpuInfo("cpu", 8, 16), 64 * GiB, 64 * GiB, cpu_bandwidth=50e9)
    assert auto_slots(info, cpu, LoadOptions(context=8192)) == 4
    # RAM for the weights and one or two slots, not four: two.
    weights = fit(shape, cpu, FitOptions(context=8192)).ram.total - one
    snug = replace(cpu, ram_total=weights + 3 * one + GiB, ram_available=weights + 3 * one + GiB)
    assert auto_slots(info, snug, LoadOptions(context=8192)) == 2
    assert auto_slots(info, snug, LoadOptions(context=8192, parallel=3)) == 3  # asked for: taken as is
    assert check_fit(info, snug, LoadOptions(context=8192)) is None
    warning = check_fit(info, snug, LoadOptions(context=8192, parallel=4))
    assert warning is not None and "in each of 4 parallel slots" in warning and "\n" not in warning
    assert auto_slots(None, cpu, LoadOptions()) == 1
    # A GPU: more slots may not push layers off it.
    gpu = GpuInfo("Test GPU", GpuVendor.NVIDIA, 8 * GiB, 8 * GiB, bandwidth=500e9)
    small_gpu = replace(cpu, gpus=(gpu,))
    full = fit(shape, small_gpu, FitOptions(context=8192))
    n = auto_slots(info, small_gpu, LoadOptions(context=8192))
    assert fit(shape, small_gpu, FitOptions(context=8192, slots=n)).gpu_layers >= full.gpu_layers
