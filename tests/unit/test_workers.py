"""Workers without a worker: `modelwerk worker`'s refusals, llama-server's --rpc arguments, the reachability check and
the message when a worker is gone."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from app import cli
from app.chat.messages import ChatError
from app.chat.runtime import LoadOptions, server_args
from app.chat.workers import check_workers, lost_message, lost_workers
from hardware.remote import RemoteDevice, RemoteWorker


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _worker(port: int) -> RemoteWorker:
    return RemoteWorker("127.0.0.1", port, (RemoteDevice(1 << 30, 1 << 30),))


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "::"])
def test_worker_refuses_a_network_interface_without_allow_network(host: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["worker", "--host", host]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert f"refusing to listen on {host}" in err and "SSH tunnel" in err and "--allow-network" in err


@pytest.mark.parametrize(
    ("args", "match"),
    [(["--port", "0"], "--port must be between 1 and 65535"), (["--mem", "0"], "--mem must be a positive number"),
     (["--mem", "-2"], "--mem must be a positive"), (["--threads", "0"], "--threads must be 1 or more")],
)  # fmt: skip
def test_worker_bad_numbers_are_one_line_usage_errors(args: list[str], match: str, capsys: pytest.CaptureFixture[str]
                                                      ) -> None:  # fmt: skip
    assert cli.main(["worker", *args]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and match in err


def test_worker_help_documents_the_ssh_tunnel(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["worker", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "ssh -N -L 50052:127.0.0.1:50052" in out and "--allow-network" in out and "--mem" in out


def test_server_args_name_the_workers_and_the_split() -> None:
    workers = (_worker(50052), RemoteWorker("::1", 50053, ()))
    args = server_args(Path("/m/x.gguf"), name="x", port=1, options=LoadOptions(workers=workers), slots=1, gpu_layers=19,
                       threads=2, tensor_split=(9, 10))  # fmt: skip
    flags = {flag: args[i + 1] for i, flag in enumerate(args[:-1]) if flag.startswith("--")}
    assert flags["--rpc"] == "127.0.0.1:50052,[::1]:50053"
    assert flags["--tensor-split"] == "9,10" and flags["--n-gpu-layers"] == "19"
    plain = server_args(Path("/m/x.gguf"), name="x", port=1, options=LoadOptions(), slots=1, gpu_layers=0, threads=2)
    assert "--rpc" not in plain and "--tensor-split" not in plain


def test_an_unreachable_worker_is_named_before_llama_server_starts() -> None:
    port = _closed_port()
    with socket.create_server(("127.0.0.1", 0)) as alive:
        good = _worker(alive.getsockname()[1])
        with pytest.raises(ChatError, match=f"the worker 127.0.0.1:{port} is unreachable") as err:
            check_workers((good, _worker(port)))
    assert "modelwerk worker" in str(err.value) and len(str(err.value).splitlines()) == 1


def test_lost_workers_names_the_one_that_is_gone_when_llama_cpp_says_so() -> None:
    gone = _closed_port()
    with socket.create_server(("127.0.0.1", 0)) as alive:
        workers = (_worker(alive.getsockname()[1]), _worker(gone))
        log = ["srv  update_slots: ...", "/x/ggml-rpc.cpp:580: Remote RPC server crashed or returned malformed response"]
        assert lost_workers(workers, log) == [f"127.0.0.1:{gone}"]
        assert lost_workers(workers, ["an unrelated abort"]) == []
        assert lost_workers((), log) == []
        message = lost_message(workers, log)
        assert message is not None and str(message).startswith(f"the worker 127.0.0.1:{gone} stopped answering")
        # Both still listen: one of them dropped the connection (a refused allocation over its --mem).
        both = (workers[0], workers[0])
        assert lost_workers(both, log) == []
        message = lost_message(both, log)
        assert message is not None and "broke off the connection" in str(message) and "--mem" in str(message)
        assert lost_message(workers, ["an unrelated abort"]) is None


def test_with_workers_adds_them_only_to_a_model_that_needs_them() -> None:
    from dataclasses import replace

    from app.chat.workers import with_workers
    from formats.model import ModelFormat, ModelInfo
    from hardware.report import CpuInfo, GiB, HardwareReport
    from hardware.shape import REPRESENTATIVE, shape_of

    shape = shape_of(REPRESENTATIVE["8B"], "Q4_K_M")  # ~5 GiB with its cache
    info = ModelInfo(path=Path("m.gguf"), files=(), format=ModelFormat.GGUF, name="m", size_bytes=5 * GiB, shape=shape)
    small = HardwareReport("Linux", CpuInfo("cpu", 8, 8), 4 * GiB, 4 * GiB, (), cpu_bandwidth=40e9)
    big = replace(small, ram_total=64 * GiB, ram_available=64 * GiB)
    far = (RemoteWorker("10.0.0.2", 50052, (RemoteDevice(16 * GiB, 16 * GiB),)),)
    tiny = (RemoteWorker("10.0.0.2", 50052, (RemoteDevice(16 * GiB, 16 * GiB),), memory_limit=GiB // 4),)
    options = LoadOptions(context=4096)
    assert with_workers(info, big, options, far) is options  # it fits here: no network
    assert with_workers(info, small, options, far).workers == far  # it needs them
    assert with_workers(info, small, options, tiny) is options  # they cannot help: load as before, the fit warns
    assert with_workers(info, small, options, ()) is options


def test_workers_spin_less_unless_the_user_says_how_much() -> None:
    from app.chat.workers import SPIN_ENV, WAIT_SPINS, spin_less

    assert spin_less({"PATH": "/bin"}) == {"PATH": "/bin", SPIN_ENV: WAIT_SPINS}
    assert spin_less({SPIN_ENV: "300000"})[SPIN_ENV] == "300000"
