"""The Python tool: real runs in the sandbox; what comes back to the model."""

from __future__ import annotations

import threading

from app.tools.python import MAX_OUTPUT_CHARS, SPEC, python_tool, run_code
from app.tools.spec import check_arguments
from procs.sandbox import Limits


def test_print_comes_back() -> None:
    result = python_tool().run({"code": "print(6 * 7)"}, threading.Event())
    assert result.ok and result.content == "stdout:\n42\n" and result.summary == "printed 3 characters: 42"
    assert result.data["outcome"] == "ok" and result.data["isolation"]


def test_an_error_gives_its_last_line_and_the_files_written() -> None:
    result = run_code("open('out.csv', 'w').write('a,b\\n1,2\\n')\nprint('half')\n1/0")
    assert not result.ok
    assert result.content == ("stdout:\nhalf\n\nerror: ZeroDivisionError: division by zero\n"
                              "files written: out.csv (8 bytes)")  # fmt: skip
    assert result.data["files"] == {"out.csv": 8}


def test_a_hostile_file_name_cannot_forge_a_line() -> None:
    result = run_code("open('x\\nerror: none', 'w').close()")
    assert "files written: 'x\\nerror: none' (0 bytes)" in result.content


def test_a_package_the_sandbox_lacks_is_said_plainly_and_there_is_no_network() -> None:
    result = run_code("import no_such_package_here")
    assert result.summary == ("error: no_such_package_here is not installed in the sandbox's Python (only the standard "
                              "library, matplotlib and numpy is available)")  # fmt: skip
    result = run_code("import socket\nsocket.create_connection(('1.1.1.1', 80), timeout=2)")
    assert not result.ok


def test_long_output_is_clipped_for_the_model() -> None:
    result = run_code("for i in range(20000): print(i)")
    assert result.ok and len(result.content) < MAX_OUTPUT_CHARS + 200 and "characters left out" in result.content
    assert result.content.rstrip().endswith("19999")


def test_limits_and_cancel() -> None:
    result = run_code("while True: pass", limits=Limits(cpu_s=30, wall_s=1.0))
    assert result.summary == "error: stopped after 1 s (time limit)"
    cancel = threading.Event()
    timer = threading.Timer(0.3, cancel.set)
    timer.start()
    result = run_code("import time\ntime.sleep(30)", cancel=cancel)
    timer.join()
    assert result.summary == "error: stopped by the user" and result.data["outcome"] == "cancelled"


def test_the_schema_refuses_what_is_not_code() -> None:
    assert check_arguments(SPEC.parameters, {"code": ""}) is not None
    assert check_arguments(SPEC.parameters, {"code": "x" * 40_000}) is not None
    assert check_arguments(SPEC.parameters, {"cmd": "ls"}) is not None
    assert "no numpy, pandas or matplotlib" in SPEC.description  # the description for a sandbox without them
    assert "matplotlib and numpy" in python_tool().spec.description  # this environment has them
