"""Figures from the Python tool: a real matplotlib plot in the real sandbox comes back as one valid PNG; whatever else
the code leaves in its folder is checked as hostile (not a PNG, too large, too many pixels, a link, a pipe)."""

from __future__ import annotations

import hashlib
import struct
import zlib
from pathlib import Path

import pytest

import app.tools.python as python_module
from app.chat.figures import MAX_FIGURES, FigureRejected, figure_file, figures_dir, figures_of, png_size
from app.tools.python import run_code

pytest.importorskip("matplotlib")

PLOT = "import matplotlib.pyplot as plt\nplt.plot([1, 2, 3], [1, 4, 9])\nplt.yscale('log')\nplt.grid(True)"


def png_header(width: int, height: int) -> bytes:
    """A PNG signature and an intact header chunk for these sides (and an end chunk): what a forger would write."""
    ihdr = b"IHDR" + struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    end = b"IEND"
    return (b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + ihdr + struct.pack(">I", zlib.crc32(ihdr))
            + struct.pack(">I", 0) + end + struct.pack(">I", zlib.crc32(end)))  # fmt: skip


def test_a_plot_comes_back_as_one_valid_png(tmp_path: Path) -> None:
    result = run_code(PLOT + "\nprint('done')", figures=tmp_path)
    assert result.ok, result.content
    [figure] = result.data["figures"]
    data = (tmp_path / figure["file"]).read_bytes()
    assert png_size(data) == (640, 480) == (figure["width"], figure["height"])
    assert figure["file"] == hashlib.sha256(data).hexdigest() + ".png" and figure["bytes"] == len(data)
    assert figure["path"] == str(tmp_path / figure["file"])
    assert result.content == "stdout:\ndone\n\n[figure 1: 640x480 PNG, shown to the user]"
    assert result.summary == "printed 5 characters: done · 1 figure" and result.data["files"] == {}


def test_savefig_of_an_open_figure_is_one_figure_and_a_second_figure_is_another(tmp_path: Path) -> None:
    result = run_code(PLOT + "\nplt.savefig('mine.png')\nplt.figure()\nplt.plot([3, 1])\nplt.show()", figures=tmp_path)
    assert [f["width"] for f in result.data["figures"]] == [640, 640]
    assert "files written: mine.png" in result.content and "[figure 2: 640x480 PNG, shown to the user]" in result.content
    assert "non-interactive" not in result.content  # plt.show() under Agg warns; the warning is noise here


def test_the_figures_of_a_run_that_fails_still_come_back(tmp_path: Path) -> None:
    result = run_code(PLOT + "\n1/0", figures=tmp_path)
    assert not result.ok and len(result.data["figures"]) == 1 and "ZeroDivisionError" in result.content


def test_no_matplotlib_imported_no_figures(tmp_path: Path) -> None:
    result = run_code("print(sum(range(10)))", figures=tmp_path)
    assert result.ok and result.data["figures"] == [] and "figure" not in result.content
    assert list(tmp_path.iterdir()) == []


def test_hostile_files_are_refused_with_a_reason(tmp_path: Path) -> None:
    code = (f"import os\nopen('fake.png', 'w').write('not an image')\n"
            f"open('huge.png', 'wb').write({png_header(100_000, 100_000)!r})\n"
            f"open('heavy.png', 'wb').write({png_header(100, 100)!r}[:33] + bytes(6 << 20))\n"
            f"open('cut.png', 'wb').write({png_header(100, 100)!r}[:40])\n"
            "os.symlink('/etc/hostname', 'link.png')\nos.mkfifo('pipe.png')\n")  # fmt: skip
    result = run_code(code, figures=tmp_path)
    assert result.data["figures"] == [] and list(tmp_path.iterdir()) == []
    assert result.data["rejected"] == ["cut.png: a damaged PNG image (cut short), not shown",
                                       "fake.png: not a PNG image, not shown",
                                       "heavy.png: larger than 5 MB, not shown",
                                       "huge.png: 100000x100000 pixels, more than 4096 per side, not shown",
                                       "link.png: a link, not a file, not shown",
                                       "pipe.png: not a regular file, not shown"]  # fmt: skip
    assert "[fake.png: not a PNG image, not shown]" in result.content


def test_a_figures_folder_that_cannot_be_written_is_one_line(tmp_path: Path) -> None:
    result = run_code(PLOT + "\nprint('ok')", figures=tmp_path / "gone" / "figures")
    assert result.ok and result.data["figures"] == [] and "stdout:\nok" in result.content
    assert "[the figures could not be kept: " in result.content


def test_at_most_so_many_figures(tmp_path: Path) -> None:
    code = f"import matplotlib.pyplot as plt\nfor i in range({MAX_FIGURES + 3}):\n    plt.figure()\n    plt.plot([0, i])"
    result = run_code(code, figures=tmp_path)
    assert len(result.data["figures"]) == MAX_FIGURES and len(list(tmp_path.iterdir())) == MAX_FIGURES


def test_a_sandbox_without_matplotlib_says_so(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(python_module, "package_folder", lambda name: None)  # as the system Python of a bundle may be
    result = run_code(PLOT, figures=tmp_path)
    assert result.summary == ("error: matplotlib is not installed in the sandbox's Python: no plots or arrays here, use "
                              "the standard library")  # fmt: skip
    assert "Traceback" not in result.content
    assert "no numpy, pandas or matplotlib" in python_module.python_tool().spec.description


def test_a_damaged_header_and_forged_names() -> None:
    good = png_header(10, 10)
    assert png_size(good) == (10, 10)
    with pytest.raises(FigureRejected, match="header checksum"):
        png_size(good[:29] + b"\x00" + good[30:])
    assert figure_file("../../etc/passwd", figures_dir()) is None and figure_file("A" * 64 + ".png", Path()) is None
    steps = [{"result": {"figures": [{"file": "../x.png", "width": 1, "height": 1, "bytes": 1},
                                     {"file": "a" * 64 + ".png", "width": 640, "height": 480, "bytes": 9},
                                     {"file": "b" * 64 + ".png", "width": "640", "height": 480, "bytes": 9}, "junk"]}},
             {"result": "not a mapping"}, {}]  # fmt: skip
    assert [f.file for f in figures_of(steps)] == ["a" * 64 + ".png"]


def test_the_command_line_says_where_a_figure_was_written(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from app.cli.chat_tools import _print_step
    from app.tools.loop import Step

    result = run_code(PLOT)
    step = Step(1, "python", {"code": PLOT}, "c1", "once", result.ok, result.summary, 1.0, result.data)
    _print_step(step)
    [figure] = result.data["figures"]
    assert f"[step 1] figure 1: 640x480 PNG written to {figures_dir() / figure['file']}" in capsys.readouterr().err
    assert step.to_json()["result"]["figures"][0]["path"] == str(figures_dir() / figure["file"])  # what --json lists


def test_figures_no_conversation_refers_to_are_deleted_after_a_grace_time(tmp_path: Path) -> None:
    import os

    from app.chat.figures import prune
    from app.chat.messages import Role
    from app.chat.sessions import Conversations
    from app.store import Store

    kept, orphan, fresh = ("a" * 64 + ".png", "b" * 64 + ".png", "c" * 64 + ".png")
    for name in (kept, orphan, fresh, ".incoming-x.png", "notes.txt"):
        (tmp_path / name).write_bytes(b"x")
    for name in (kept, orphan, ".incoming-x.png", "notes.txt"):
        os.utime(tmp_path / name, (1, 1))  # written long ago
    with Store.open(tmp_path / "modelwerk.db") as store:
        chats = Conversations(store)
        conversation = chats.create("model:1")
        message = chats.add_message(conversation.id, Role.ASSISTANT, "a plot")
        chats.set_steps(message.id, [{"tool": "python", "result": {"figures": [
            {"file": kept, "width": 640, "height": 480, "bytes": 1}]}}])  # fmt: skip
        assert chats.figure_names() == {kept}
        assert prune(tmp_path, chats.figure_names()) == 2
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix != ".db") == sorted([kept, fresh, "notes.txt"])
