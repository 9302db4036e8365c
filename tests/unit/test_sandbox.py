"""The code sandbox against escape attempts: network, the user's files, writing outside its folder, fork bombs,
endless loops, floods of output, memory, the parent's environment. Each ends as an outcome, never a hang."""

from __future__ import annotations

import socket
import tempfile
import uuid
from pathlib import Path

import pytest
from fixtures.ci import skip_or_fail_in_ci

from procs.sandbox import Limits, bwrap, run_python

QUICK = Limits(cpu_s=2, wall_s=6.0, memory_mb=256, processes=8, output_bytes=20_000)


@pytest.fixture(scope="module")
def isolated() -> None:
    if bwrap() is None:
        skip_or_fail_in_ci("bubblewrap is not installed or cannot make namespaces here (make installs it: bubblewrap)")


def test_code_runs_and_its_output_comes_back() -> None:
    r = run_python("import sys\nprint('hello', sys.stdin.read())\nopen('out.txt', 'w').write('12345')", stdin="world",
                   limits=QUICK)  # fmt: skip
    assert r.ok and r.stdout == "hello world\n" and r.files == {"out.txt": 5}


def test_an_exception_is_an_error_with_its_last_line() -> None:
    r = run_python("raise ValueError('nope')", limits=QUICK)
    assert r.outcome == "error" and r.exit_code == 1 and r.last_line() == "ValueError: nope"


def test_no_network_not_even_this_machines_own_servers(isolated: None) -> None:
    with socket.socket() as server:  # a local server, as a runtime or `modelwerk serve --no-auth` would be
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        r = run_python(f"import socket\nsocket.create_connection(('127.0.0.1', {port}), timeout=2)", limits=QUICK)
        assert r.outcome == "error" and "Connection refused" in r.last_line()  # its own loopback, nobody listening
    r = run_python("import socket\nsocket.create_connection(('1.1.1.1', 80), timeout=2)", limits=QUICK)
    assert r.outcome == "error" and "Network is unreachable" in r.last_line()
    assert r.isolation.network


def test_the_users_files_are_not_there(isolated: None, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("password")
    r = run_python(f"print(open({str(secret)!r}).read())", limits=QUICK)
    assert r.outcome == "error" and "FileNotFoundError" in r.last_line()
    home = Path.home()
    r = run_python(f"import os\nprint(sorted(os.listdir({str(home)!r})))", limits=QUICK)
    assert "password" not in r.stdout and "secret.txt" not in r.stdout


def test_writing_outside_its_folder_reaches_nothing(isolated: None, tmp_path: Path) -> None:
    target = tmp_path / "planted.py"
    r = run_python(f"open({str(target)!r}, 'w').write('x')", limits=QUICK)
    assert not r.ok and not target.exists()
    probe = Path("/tmp") / f"modelwerk-sandbox-probe-{uuid.uuid4().hex}"
    r = run_python(f"open({str(probe)!r}, 'w').write('x')\nimport os\nprint(os.listdir('/tmp'))", limits=QUICK)
    assert r.ok and r.stdout.strip() == f"[{probe.name!r}]"  # /tmp is the run's own empty tmpfs
    assert not probe.exists()


def test_the_parents_environment_stays_out(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MODELWERK_TEST_SECRET", "hunter2")
    r = run_python("import os\nprint(dict(os.environ))", limits=QUICK)
    assert r.ok and "hunter2" not in r.stdout


def test_a_fork_bomb_is_stopped() -> None:
    r = run_python("import os\nwhile True:\n    os.fork()", limits=QUICK)
    if not r.isolation.processes:
        skip_or_fail_in_ci("no process limit here (root without a pids cgroup)")
    assert not r.ok
    assert "Resource temporarily unavailable" in r.stderr or r.outcome in ("timeout", "killed")


def test_an_endless_loop_is_ended_by_the_cpu_limit_or_the_clock() -> None:
    r = run_python("while True:\n    pass", limits=QUICK)
    assert r.outcome in ("killed", "timeout") and not r.ok


def test_sleeping_forever_is_ended_by_the_clock() -> None:
    r = run_python("import time\ntime.sleep(3600)", limits=Limits(wall_s=1.0))
    assert r.outcome == "timeout" and r.exit_code is None


def test_a_flood_of_output_is_cut() -> None:
    r = run_python("while True:\n    print('x' * 1000)", limits=QUICK)
    assert r.outcome == "output limit" and len(r.stdout) <= QUICK.output_bytes


def test_memory_beyond_the_limit_fails() -> None:
    r = run_python("x = bytearray(2 * 2**30)", limits=QUICK)
    assert not r.ok and "MemoryError" in r.last_line()


def test_without_isolation_the_result_says_so() -> None:
    r = run_python("print(1)", limits=QUICK, isolate=False)
    assert r.ok and not r.isolation.network and not r.isolation.filesystem
    assert "no isolation of network, filesystem" in r.isolation.describe()


def test_only_plain_file_names_are_written() -> None:
    planted = Path(tempfile.gettempdir()) / f"evil-{uuid.uuid4().hex}.py"  # where "../NAME" from the run's folder lands
    with pytest.raises(ValueError, match="plain file name"):
        run_python("print(1)", files={f"../{planted.name}": "x"})
    assert not planted.exists()
