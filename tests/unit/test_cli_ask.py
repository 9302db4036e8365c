"""`modelwerk ask`: bad input is one line on stderr and exit 1, before any model is loaded; the default model."""

from __future__ import annotations

from pathlib import Path

import pytest

from app import cli
from app.cli import ask


@pytest.fixture
def notes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    d = tmp_path / "notes"
    d.mkdir()
    (d / "walrus.md").write_text("# Walrus\n\nThe walrus weighs over a tonne.\n")
    (tmp_path / "empty.md").write_text("")
    assert cli.main(["docs", "add", "Notes", str(d)]) == 0
    cli.main(["docs", "add", "Empty", str(tmp_path / "empty.md")])
    capsys.readouterr()
    return d


def _err(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    rc = cli.main(["ask", *argv])
    out, err = capsys.readouterr()
    assert (rc, out) == (1, ""), err
    assert err.count("\n") == 1 and err.startswith("modelwerk ask: ")
    return err


def test_bad_input_is_one_line(notes: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert "no collection named 'Nope'" in _err(capsys, "Nope", "--prompt", "walrus?")
    assert "has no indexed text yet" in _err(capsys, "Empty", "--prompt", "walrus?")
    assert "no model 'no-such-model'" in _err(capsys, "Notes", "--prompt", "walrus?", "--model", "no-such-model")
    assert "question (--prompt) is empty" in _err(capsys, "Notes", "--prompt", "  ")
    assert "-k must be 1 or more" in _err(capsys, "Notes", "--prompt", "walrus?", "-k", "0")
    assert "is not in the collection" in _err(capsys, "Notes", "--prompt", "walrus?", "--file", str(tmp_path / "x.md"))


def test_the_default_model(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                           notes: Path) -> None:  # fmt: skip
    demo = tmp_path / "SmolLM2-135M-Instruct.Q4_1.gguf"
    monkeypatch.setattr("app.library.demo.instruct_model_file", lambda: demo)
    assert ask.default_model() == demo  # an empty Library: the instruct demo model
    monkeypatch.setattr("app.library.demo.instruct_model_file", lambda: None)
    assert "no instruct model to answer with" in _err(capsys, "Notes", "--prompt", "walrus?")


def test_the_default_model_is_the_librarys_instruct_model(tmp_path: Path) -> None:
    from fixtures.tiny_gguf import write_tiny_gguf

    from app import paths
    from app.library.catalog import Catalog
    from app.store import Store
    from formats.inspect import inspect

    chatml = "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}"
    instruct = write_tiny_gguf(tmp_path / "instruct.gguf", chat_template=chatml)
    base = write_tiny_gguf(tmp_path / "base.gguf")
    with Store.open(paths.database_path()) as store:
        catalog = Catalog(store)
        catalog.add(inspect(instruct), source="imported")
        catalog.touch(catalog.add(inspect(base), source="imported").id)  # used last, but it cannot chat
    assert ask.default_model() == instruct.resolve()
