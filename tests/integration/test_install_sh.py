"""installer/linux/install.sh run for real against a temporary HOME, from a folder whose path has sed's and the shell's
special characters in it: the menu entry must launch exactly that folder's modelwerk."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LINUX = REPO / "installer" / "linux"

pytestmark = pytest.mark.skipif(sys.platform == "win32" or shutil.which("sh") is None, reason="a POSIX shell script")


def _unpacked(folder: Path) -> Path:
    """What the Linux tarball unpacks to, as far as install.sh reads it (the program itself is a stub)."""
    (folder / "share").mkdir(parents=True)
    shutil.copy(LINUX / "install.sh", folder / "install.sh")
    shutil.copy(LINUX / "modelwerk.desktop", folder / "share" / "modelwerk.desktop")
    shutil.copy(LINUX / "modelwerk-gguf.xml", folder / "share" / "modelwerk-gguf.xml")
    (folder / "modelwerk").write_text("#!/bin/sh\n", encoding="utf-8")
    (folder / "modelwerk").chmod(0o755)
    icons = folder / "_internal" / "resources" / "icons"
    icons.mkdir(parents=True)
    for size in (16, 24, 32, 48, 64, 128, 256, 512):
        (icons / f"modelwerk-{size}.png").write_bytes(b"\x89PNG")
    return folder


def _exec_program(value: str) -> tuple[str, str]:
    """The program of a desktop entry's Exec value and the rest, undoing its escapes as the spec says.

    First the string escapes of the file (\\\\ -> \\), then the quoting of a quoted argument (\\" \\` \\$ \\\\), and %%.
    """
    unescaped = value.replace("\\\\", "\0").replace("\\s", " ").replace("\0", "\\")
    assert unescaped.startswith('"'), value
    program, i = [], 1
    while unescaped[i] != '"':
        if unescaped[i] == "\\":
            assert unescaped[i + 1] in '"`$\\', value
            i += 1
        program.append(unescaped[i])
        i += 1
    return "".join(program).replace("%%", "%"), unescaped[i + 1 :]


def _run(folder: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"HOME": str(home), "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    return subprocess.run(["sh", str(folder / "install.sh"), *args], env=env, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("folder_name", ["Modelwerk & co | tools", 'odd "quote" `tick` $HOME \\back 100%'])
def test_the_menu_entry_launches_the_folder_it_was_installed_from(tmp_path: Path, folder_name: str) -> None:
    folder = _unpacked(tmp_path / folder_name / "modelwerk")
    home = tmp_path / "home"
    home.mkdir()

    done = _run(folder, home)

    assert done.returncode == 0, done.stderr
    entry = (home / ".local/share/applications/modelwerk.desktop").read_text(encoding="utf-8").splitlines()
    source = (LINUX / "modelwerk.desktop").read_text(encoding="utf-8").splitlines()
    assert len(entry) == len(source)
    for mine, theirs in zip(entry, source, strict=True):
        if theirs.startswith("Exec="):
            program, rest = _exec_program(mine[len("Exec=") :])
            assert program == str(folder / "modelwerk")
            assert rest == theirs[len("Exec=modelwerk") :]  # " %F": the files double-clicked
        else:
            assert mine == theirs
    assert (home / ".local/bin/modelwerk").resolve() == (folder / "modelwerk").resolve()
    assert (home / ".local/share/icons/hicolor/512x512/apps/modelwerk.png").is_file()

    gone = _run(folder, home, "--uninstall")
    assert gone.returncode == 0, gone.stderr
    assert not (home / ".local/share/applications/modelwerk.desktop").exists()


def test_a_folder_with_a_line_break_is_refused(tmp_path: Path) -> None:
    folder = _unpacked(tmp_path / "two\nlines" / "modelwerk")
    home = tmp_path / "home"
    home.mkdir()
    done = _run(folder, home)
    assert done.returncode != 0 and "line break" in done.stderr
    assert not (home / ".local/share/applications/modelwerk.desktop").exists()
