"""Repository file names that mean something else on Windows (a drive, a stream, a device) or forge log lines are refused
on every OS before anything is downloaded."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.hub.download_rows import check_file_paths, dest_dir_for
from app.hub.errors import DownloadError
from app.hub.files import HubFile
from app.hub.portable_names import name_problem, path_problem

REFUSED = [
    "C:evil.gguf",  # drive-relative on Windows: lands in drive C's current folder
    "x.gguf:stream",  # an alternate data stream of x.gguf
    "CON", "nul.gguf", "Com1.gguf", "LPT9", "aux.tar.gz", "COM\u00b9", "CONIN$",  # devices, with any extension
    "model.gguf.", "model.gguf ", "trailing. ",  # Windows drops these: two names, one file
    "two\nlines.gguf", "cr\r.gguf", "esc\x1b[31m.gguf", "nel\x85.gguf",  # forge log lines, drive terminals
    "gguf.\u202eexe", "a\u2066b.gguf",  # bidi overrides disguise the name
    'q"uote.gguf', "a<b.gguf", "a|b.gguf", "a?.gguf", "a*.gguf",
    "", ".", "..",
    "x" * 256,
]
ALLOWED = ["model.Q4_K_M.gguf", "tokenizer.json", "icon.gguf", "con_fig.json", "CONSOLE.gguf", "com10.gguf",
           ".gitattributes", "a b.gguf", "Ünïcødé-模型.gguf", "x" * 255]  # fmt: skip


@pytest.mark.parametrize("name", REFUSED)
def test_unportable_names_are_refused(name: str) -> None:
    assert name_problem(name) is not None


@pytest.mark.parametrize("name", ALLOWED)
def test_ordinary_names_pass(name: str) -> None:
    assert name_problem(name) is None
    assert path_problem(f"sub/{name}") is None


@pytest.mark.parametrize("path", ["C:evil.gguf", "x.gguf:stream", "sub/NUL", "sub./model.gguf", "a\nCRITICAL x/b.gguf"])
def test_the_download_check_refuses_them(path: str) -> None:
    with pytest.raises(DownloadError, match="not a portable file name") as caught:
        check_file_paths((HubFile(path, 1),))
    assert "\n" not in str(caught.value)  # the message names the file with its newline escaped


def test_the_download_check_keeps_refusing_traversal() -> None:
    for path in ("../evil.gguf", "/etc/passwd", "a\\..\\b.gguf"):
        with pytest.raises(DownloadError, match="leaves the model's folder"):
            check_file_paths((HubFile(path, 1),))


def test_repository_and_revision_names_must_be_portable(tmp_path: Path) -> None:
    assert dest_dir_for(tmp_path, "owner/model") == tmp_path / "owner" / "model"
    assert dest_dir_for(tmp_path, "owner/model", "refs/pr/1") == tmp_path / "owner" / "model@refs_pr_1"
    for repo in ("C:/model", "owner/nul", "owner/model.", "own\ner/model"):
        with pytest.raises(DownloadError, match="not a repository name"):
            dest_dir_for(tmp_path, repo)
    with pytest.raises(DownloadError, match="not a revision"):
        dest_dir_for(tmp_path, "owner/model", "x:y")
