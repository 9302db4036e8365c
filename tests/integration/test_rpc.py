"""A model across machines for real: two `modelwerk worker` processes (llama.cpp's RPC worker) on 127.0.0.1 with
limited memory, Gemma 3 270M planned so that it fits only across both, loaded through them, a generation; the plan
against what llama.cpp reports per device; a worker killed mid-chat."""

from __future__ import annotations

import os
import re
import signal
import socket
import struct
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import psutil
import pytest

from app.chat.messages import ChatError, Sampling
from app.chat.runtime import LoadOptions, Runtime, RuntimeState, fit_options
from app.chat.workers import SPIN_ENV, WAIT_SPINS
from hardware.remote import RemoteDevice, RemoteWorker, SplitPlan, layer_bytes, local_fixed, plan_split, split_as
from hardware.report import GiB, MiB
from hardware.rpc_client import probe_worker

ROOT = Path(__file__).resolve().parents[2]
MEM_GIB = (0.16, 0.45)
"""Worker A takes most blocks; B the rest and the output's copy of the 170 MiB embedding (and holds it once more in
flight while it loads): neither could hold all of it."""
OPTIONS = LoadOptions(context=1024, threads=1, parallel=1)


def _rpc_server_built() -> bool:
    from app.chat.llama_server import LlamaServerMissing, find_rpc_server

    try:
        find_rpc_server()
    except LlamaServerMissing:
        return False
    return True


@dataclass
class Worker:
    proc: subprocess.Popen[str]
    port: int
    mem_gib: float
    output: list[str]

    @property
    def endpoint(self) -> str:
        return f"127.0.0.1:{self.port}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_worker(mem_gib: float, threads: int = 1) -> Worker:
    """`modelwerk worker --port P --mem G`, waited for until it says how to add it."""
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "app", "worker", "--port", str(port), "--mem", str(mem_gib),
                             "--threads", str(threads)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)  # fmt: skip
    out: list[str] = []
    assert proc.stdout is not None
    for line in proc.stdout:
        out.append(line.rstrip())
        if line.startswith("From another machine"):
            return Worker(proc, port, mem_gib, out)
    proc.wait(5)
    raise AssertionError(f"the worker did not start: {out}")


def stop_worker(w: Worker) -> None:
    if w.proc.poll() is None:
        w.proc.send_signal(signal.SIGINT)  # Ctrl-C
        try:
            w.proc.wait(10)
        except subprocess.TimeoutExpired:
            w.proc.kill()
            w.proc.wait()
    if w.proc.stdout is not None:
        w.proc.stdout.close()


@pytest.fixture
def workers() -> Iterator[tuple[Worker, Worker]]:
    if not _rpc_server_built():
        pytest.skip("ggml-rpc-server is not built (installer/build-llama-server.sh)")
    a = start_worker(MEM_GIB[0])
    try:
        b = start_worker(MEM_GIB[1])
        try:
            yield a, b
        finally:
            stop_worker(b)
    finally:
        stop_worker(a)


def remote(w: Worker) -> RemoteWorker:
    return RemoteWorker.of_probe(probe_worker("127.0.0.1", w.port), memory_limit=round(w.mem_gib * GiB))


BUFFER = re.compile(r"(\S+) (model|KV|compute) buffer size =\s+([\d.]+) MiB")


def buffers(log: list[str]) -> dict[tuple[str, str], float]:
    """llama.cpp's report: (buffer name, kind) -> MiB."""
    found: dict[tuple[str, str], float] = {}
    for line in log:
        m = BUFFER.search(line)
        if m:
            key = (m.group(1), m.group(2))
            found[key] = found.get(key, 0.0) + float(m.group(3))
    return found


def test_worker_reports_devices_and_how_to_add_it_and_stops_on_ctrl_c(workers: tuple[Worker, Worker]) -> None:
    a, _ = workers
    text = "\n".join(a.output)
    assert f"Worker listening on 127.0.0.1:{a.port}" in text
    assert re.search(r"device 0: [\d.]+ GiB, [\d.]+ GiB free", text)
    assert f"Add it with: Hardware → Add machine… → 127.0.0.1:{a.port}, memory 0.16 GiB" in text
    assert f"on the command line: modelwerk chat (or serve) --worker 127.0.0.1:{a.port}/0.16" in text
    assert f"ssh -N -L {a.port}:127.0.0.1:{a.port}" in text
    assert "memory for models: 0.16 GiB (enforced)" in text
    (rpc_server,) = psutil.Process(a.proc.pid).children()
    assert rpc_server.environ()[SPIN_ENV] == WAIT_SPINS  # its threads sleep soon after its part of each token
    stop_worker(a)
    assert a.proc.returncode == 0
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", a.port), timeout=1).close()


def test_a_worker_offering_more_than_its_devices_hold_is_refused_in_one_line() -> None:
    if not _rpc_server_built():
        pytest.skip("ggml-rpc-server is not built (installer/build-llama-server.sh)")
    done = subprocess.run([sys.executable, "-m", "app", "worker", "--port", str(_free_port()), "--mem", "100000"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 2, done
    assert re.fullmatch(r"modelwerk worker: --mem 100000 GiB is more than this machine's devices hold \([\d.]+ GiB\): "
                        r"give at most that", done.stderr.strip()), done.stderr  # fmt: skip


def test_a_worker_stopped_with_sigterm_stops_its_rpc_server_and_says_so() -> None:
    if not _rpc_server_built():
        pytest.skip("ggml-rpc-server is not built (installer/build-llama-server.sh)")
    w = start_worker(0.2)
    (rpc_server,) = psutil.Process(w.proc.pid).children()
    w.proc.terminate()
    assert w.proc.wait(15) == 0
    assert w.proc.stdout is not None and "Stopped." in w.proc.stdout.read()
    rpc_server.wait(10)  # gone
    w.proc.stdout.close()


def test_the_probe_measures_the_bandwidth_by_writing_into_a_buffer_of_its_own_on_the_worker(
        workers: tuple[Worker, Worker], monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    """Not the loopback's throughput (taken away here): zeros written into a buffer the probe allocates on the worker and
    frees; the worker stays usable (a second probe can allocate and write again)."""
    import hardware.rpc_client as rpc_client

    a, _ = workers
    monkeypatch.setattr(rpc_client, "loopback_bandwidth", lambda: 0.0)
    first = rpc_client.probe_worker("127.0.0.1", a.port)
    assert first.bandwidth > 1e6, first  # MB/s at least, through a worker on this machine
    again = rpc_client.probe_worker("127.0.0.1", a.port)
    assert again.bandwidth > 1e6


def test_a_probe_while_a_model_holds_the_worker_is_busy_and_leaves_the_worker_running(workers: tuple[Worker, Worker]
                                                                                      ) -> None:  # fmt: skip
    """A worker serves one client at a time: "Check again" while a model is loaded times out, and closes a connection
    the worker answers later; the worker's write to it must not kill it (SIGPIPE, which ended it before)."""
    from hardware.rpc_client import WorkerBusy

    a, _ = workers
    holder = socket.create_connection(("127.0.0.1", a.port), timeout=5)  # a loaded model's connection
    holder.sendall(struct.pack("<BQ", 14, 24) + bytes(24))  # HELLO
    assert len(holder.recv(8)) == 8
    with pytest.raises(WorkerBusy):
        probe_worker("127.0.0.1", a.port, timeout_s=0.5)
    holder.close()  # the model unloads; the worker now answers the probe that went away
    deadline = time.monotonic() + 10
    while True:
        try:
            assert probe_worker("127.0.0.1", a.port, timeout_s=2).devices
            break
        except WorkerBusy:
            assert time.monotonic() < deadline
    time.sleep(0.5)
    assert a.proc.poll() is None, a.output
    assert probe_worker("127.0.0.1", a.port, timeout_s=2).devices


def test_gemma_fits_only_across_both_workers_loads_generates_and_matches_llama_cpp_report(
        gemma_model: Path, workers: tuple[Worker, Worker]) -> None:  # fmt: skip
    from formats.gguf_info import inspect_gguf
    from hardware.probe import probe

    shape = inspect_gguf(gemma_model).shape
    assert shape is not None
    fit = fit_options(OPTIONS)
    here = local_fixed(shape, fit) + layer_bytes(shape, fit) // 2  # the embedding and no block
    a, b = (remote(w) for w in workers)
    hw = probe()
    plan = plan_split(shape, hw, (a, b), fit, local_budget=here)
    assert plan.fits, plan
    assert plan.machines == 3 and all(s.layers for s in plan.shares[1:])
    # Neither worker alone could take it.
    assert not plan_split(shape, hw, (a,), fit, local_budget=here).fits
    assert not plan_split(shape, hw, (b,), fit, local_budget=here).fits

    options = LoadOptions(context=OPTIONS.context, threads=OPTIONS.threads, parallel=1, workers=(a, b), local_memory=here)
    rt = Runtime.launch(gemma_model, options=options, name="gemma-split")
    try:
        rt.wait_ready(240)
        argv = psutil.Process(rt.pid).cmdline()
        spins = psutil.Process(rt.pid).environ().get(SPIN_ENV)
        answer = list(rt.client().stream_completion("The capital of France is",
                                                    sampling=Sampling(temperature=0, max_tokens=8)))  # fmt: skip
        assert "".join(d.text for d in answer).strip() and answer[-1].finish_reason in ("stop", "length")
    finally:
        rt.stop()
    assert argv[argv.index("--rpc") + 1] == f"{a.endpoint},{b.endpoint}"
    assert argv[argv.index("--tensor-split") + 1] == ",".join(map(str, plan.tensor_split))
    assert argv[argv.index("--n-gpu-layers") + 1] == str(plan.gpu_layers)
    assert spins == WAIT_SPINS

    assert_as_llama_cpp_reports(plan, argv)


def assert_as_llama_cpp_reports(plan: SplitPlan, argv: list[str]) -> None:
    """Each worker's weights, KV cache and compute buffer in `plan` within 5% (or 0.5 MiB) of llama.cpp's own report
    of the same load (the runtime's arguments, at info verbosity, which prints the buffers)."""
    reported = buffers(llama_server_log(argv))
    for share in plan.shares[1:]:
        got = [reported.get((share.name, kind)) for kind in ("model", "KV", "compute")]
        assert None not in got, (share.name, reported)
        want = [share.weights / MiB, share.kv_cache / MiB, share.compute / MiB]
        assert got == pytest.approx(want, rel=0.05, abs=0.5), (share.name, got, want)


def test_the_split_of_a_llama_model_matches_llama_cpp_report(smollm2_model: Path, workers: tuple[Worker, Worker]
                                                             ) -> None:  # fmt: skip
    """The same check on another architecture than Gemma's (SmolLM2: llama, 30 blocks, tied output, Q4_1): nothing in
    the estimate was fitted to it."""
    from formats.gguf_info import inspect_gguf
    from hardware.probe import probe

    shape = inspect_gguf(smollm2_model).shape
    assert shape is not None
    a, b = (remote(w) for w in workers)
    split = (shape.n_layers // 2, shape.n_layers - shape.n_layers // 2 + 1)  # every block and the output on them
    options = LoadOptions(context=OPTIONS.context, threads=OPTIONS.threads, parallel=1, workers=(a, b),
                          gpu_layers=sum(split), tensor_split=split)  # fmt: skip
    plan = split_as(shape, probe(), (a, b), fit_options(options), tensor_split=split)
    rt = Runtime.launch(smollm2_model, options=options, name="smollm2-split")
    try:
        rt.wait_ready(240)
        argv = psutil.Process(rt.pid).cmdline()
    finally:
        rt.stop()
    assert argv[argv.index("--tensor-split") + 1] == ",".join(map(str, split))
    assert_as_llama_cpp_reports(plan, argv)


def llama_server_log(argv: list[str]) -> list[str]:
    """Run llama-server with `argv` (another free port, verbosity 4) until it listens; its output."""
    argv = list(argv)
    argv[argv.index("--port") + 1] = str(_free_port())
    proc = subprocess.Popen([*argv, "--verbosity", "4"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line.rstrip())
            if "listening on" in line or "exiting due to" in line:
                break
    finally:
        proc.kill()
        proc.wait(10)
        if proc.stdout is not None:
            proc.stdout.close()
    return lines


def test_an_unreachable_worker_is_named_at_load(gemma_model: Path) -> None:
    port = _free_port()
    ghost = RemoteWorker("127.0.0.1", port, (RemoteDevice(GiB, GiB),))
    rt = Runtime.launch(gemma_model, options=LoadOptions(context=512, threads=1, workers=(ghost,)), name="g")
    with pytest.raises(ChatError, match=f"the worker 127.0.0.1:{port} is unreachable"):
        rt.wait_ready(30)
    assert rt.state is RuntimeState.FAILED and rt.pid is None  # llama-server was never started


def test_a_worker_that_dies_mid_chat_gives_one_message_naming_it(gemma_model: Path,
                                                                  workers: tuple[Worker, Worker]) -> None:  # fmt: skip
    a, b = workers
    options = LoadOptions(context=512, threads=1, parallel=1, workers=(remote(a), remote(b)), gpu_layers=999,
                          tensor_split=(1, 1))  # fmt: skip
    rt = Runtime.launch(gemma_model, options=options, name="gemma-split")
    try:
        rt.wait_ready(240)
        client = rt.client()
        first = list(client.stream_completion("Hello", sampling=Sampling(temperature=0, max_tokens=4)))
        assert first[-1].finish_reason in ("stop", "length")
        b.proc.kill()  # the machine goes away (its rpc-server dies with its parent)
        b.proc.wait(10)
        with pytest.raises(ChatError):
            list(client.stream_completion("Once upon a time", sampling=Sampling(temperature=0, max_tokens=50)))
        deadline = time.monotonic() + 30
        while rt.state is not RuntimeState.CRASHED and time.monotonic() < deadline:
            time.sleep(0.1)
        assert rt.state is RuntimeState.CRASHED
        assert rt.error.startswith(f"the worker {b.endpoint} stopped answering"), rt.error
        assert len(rt.error.splitlines()) == 1
    finally:
        rt.stop()
    assert os.path.exists(gemma_model)


def test_a_worker_asked_for_more_than_its_mem_breaks_off_and_the_load_fails_saying_so(gemma_model: Path) -> None:
    if not _rpc_server_built():
        pytest.skip("ggml-rpc-server is not built (installer/build-llama-server.sh)")
    w = start_worker(0.05)  # 51 MiB: not even the 170 MiB output copy
    try:
        options = LoadOptions(context=512, threads=1, parallel=1, workers=(remote(w),), gpu_layers=999, tensor_split=(1,))
        rt = Runtime.launch(gemma_model, options=options, name="g")
        with pytest.raises(ChatError, match=r"broke off the connection: it refused memory beyond what it offers"):
            rt.wait_ready(120)
        assert rt.state is RuntimeState.FAILED and w.proc.poll() is None  # the worker itself lives on
    finally:
        stop_worker(w)


@pytest.mark.parametrize("model", ["gemma", "smollm2"])
def test_without_flash_attention_a_workers_compute_buffer_is_never_underestimated(
        model: str, request: pytest.FixtureRequest, workers: tuple[Worker, Worker]) -> None:  # fmt: skip
    """Flash attention off (a load option): llama.cpp holds the attention's scores too; the estimate may be loose (the
    peak moves into the attention on SmolLM2) but never under what llama.cpp reserves, which would fail the load."""
    from formats.gguf_info import inspect_gguf
    from hardware.probe import probe

    path = request.getfixturevalue(f"{model}_model")
    shape = inspect_gguf(path).shape
    assert shape is not None
    a, b = (remote(w) for w in workers)
    split = (shape.n_layers // 2, shape.n_layers - shape.n_layers // 2 + 1)
    options = LoadOptions(context=2048, threads=OPTIONS.threads, parallel=1, workers=(a, b), gpu_layers=sum(split),
                          tensor_split=split, flash_attn=False)  # fmt: skip
    plan = split_as(shape, probe(), (a, b), fit_options(options), tensor_split=split)
    rt = Runtime.launch(path, options=options, name=f"{model}-no-fa")
    try:
        rt.wait_ready(240)
        argv = psutil.Process(rt.pid).cmdline()
    finally:
        rt.stop()
    assert argv[argv.index("--flash-attn") + 1] == "off"
    reported = buffers(llama_server_log(argv))
    for share in plan.shares[1:]:
        got = reported[(share.name, "compute")]
        assert got <= share.compute / MiB <= 1.25 * got, (share.name, got, share.compute / MiB)


def test_chat_on_the_command_line_spreads_over_the_workers_it_is_given_when_the_model_does_not_fit_here(
        gemma_model: Path, workers: tuple[Worker, Worker], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    """`modelwerk chat --worker A --worker B` on a machine too small for Gemma (its RAM reported as the embedding and
    half a block, plus the fit's margin): llama-server starts with --rpc over both and answers."""
    import app.machine
    from app import cli
    from formats.gguf_info import inspect_gguf
    from hardware.fit import FitOptions
    from hardware.probe import probe

    shape = inspect_gguf(gemma_model).shape
    assert shape is not None
    fit = fit_options(OPTIONS)
    here = local_fixed(shape, fit) + layer_bytes(shape, fit) // 2 + FitOptions().ram_margin
    small = replace(probe(), ram_total=here + GiB, ram_available=here)  # not the workers' machine (their RAM differs)
    monkeypatch.setattr(app.machine, "current_report", lambda *a, **k: small)
    launched: list[LoadOptions] = []
    launch = Runtime.launch
    monkeypatch.setattr(Runtime, "launch", lambda path, *, options, name: launched.append(options) or launch(
        path, options=options, name=name))  # fmt: skip
    a, b = workers
    rc = cli.main(["chat", str(gemma_model), "--prompt", "The capital of France is", "--max-tokens", "4",
                   "--temperature", "0", "--ctx", str(OPTIONS.context), "--no-history",
                   "--worker", f"{a.endpoint}/{a.mem_gib}", "--worker", f"{b.endpoint}/{b.mem_gib}"])  # fmt: skip
    out, err = capsys.readouterr()
    assert rc == 0, err
    assert "does not fit here: spread over this machine and 2 worker(s)" in err
    assert [w.endpoint for w in launched[0].workers] == [a.endpoint, b.endpoint]
    assert out.strip()


def test_a_worker_given_on_the_command_line_that_does_not_answer_is_named(smollm2_model: Path,
                                                                          capsys: pytest.CaptureFixture[str]) -> None:
    from app import cli

    port = _free_port()
    rc = cli.main(["chat", str(smollm2_model), "--prompt", "Hi", "--no-history", "--worker", f"127.0.0.1:{port}"])
    assert rc == 1
    assert f"no llama.cpp worker answers at 127.0.0.1:{port}" in capsys.readouterr().err
