"""`modelwerk info`, `import` and `list`: output, JSON, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fixtures.hardware_reports import cpu_only
from fixtures.tiny_gguf import write_tiny_gguf

from app import cli
from app.cli import common
from app.library import importer


@pytest.fixture(autouse=True)
def machine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(common, "report", lambda bandwidth=True: cpu_only())


def _models_dir(home: Path) -> Path:
    return home / "models"  # the default models folder under MODELWERK_HOME


def test_info_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_tiny_gguf(tmp_path / "tiny.gguf", chat_template="{% for m in messages %}\n{{ m.content }}{% endfor %}")
    assert cli.main(["info", str(path)]) == 0
    out = capsys.readouterr().out
    for text in ("llama", "F32", "512 tokens", "2 layers, 4 heads", "Template      yes: {% for m in messages %}"):
        assert text in out
    assert "21 tensors" in out  # tensor groups by type with bytes
    assert "CPU only at 512 tokens of context" in out  # the fit verdict (capped at the model's context)


def test_info_json_has_every_field_and_the_fit(tiny_gguf: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["info", str(tiny_gguf), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["architecture"] == "llama" and data["format"] == "gguf" and data["has_template"] is False
    assert data["files"] == [str(tiny_gguf)] and data["tensor_groups"][0]["type_name"] == "F32"
    assert data["shape"]["n_layers"] == 2
    assert data["fit"]["placement"] == "cpu_only" and data["fit"]["context"] == 512


def test_info_of_a_bad_file_is_one_line_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"GGML" + b"\x00" * 32)
    assert cli.main(["info", str(bad)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("modelwerk info: ") and len(err.strip().splitlines()) == 1


def test_import_then_list(modelwerk_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = write_tiny_gguf(tmp_path / "a.gguf")
    b = write_tiny_gguf(tmp_path / "b.gguf", layers=1)
    assert cli.main(["import", str(a), str(b)]) == 0
    assert capsys.readouterr().out.splitlines() == ["imported a (id 1)", "imported b (id 2)"]
    assert (_models_dir(modelwerk_home) / "a.gguf").is_file() and a.exists()
    assert cli.main(["import", str(a)]) == 0  # a duplicate is not a failure
    assert capsys.readouterr().out.strip() == "already in the library as a"

    assert cli.main(["list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["ID", "NAME", "FORMAT", "QUANT", "SIZE", "PARAMS", "CONTEXT", "SOURCE"]
    assert lines[1].split()[:4] == ["1", "a", "gguf", "F32"] and "imported" in lines[1]
    assert len(lines) == 3

    (_models_dir(modelwerk_home) / "b.gguf").unlink()
    assert cli.main(["list", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [(e["name"], e["missing"]) for e in data] == [("a", False), ("b", True)]
    assert data[0]["path"] == str((_models_dir(modelwerk_home) / "a.gguf").resolve())
    assert data[0]["added"] and data[0]["last_used"] is None


def test_import_move_and_in_place(modelwerk_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    moved = write_tiny_gguf(tmp_path / "moved.gguf")
    kept = write_tiny_gguf(tmp_path / "kept.gguf", layers=1)
    assert cli.main(["import", "--move", str(moved)]) == 0
    assert cli.main(["import", "--in-place", str(kept)]) == 0
    assert not moved.exists() and (_models_dir(modelwerk_home) / "moved.gguf").exists()
    assert kept.exists() and not (_models_dir(modelwerk_home) / "kept.gguf").exists()
    capsys.readouterr()
    assert cli.main(["list", "--json"]) == 0
    paths = [e["path"] for e in json.loads(capsys.readouterr().out)]
    assert paths == [str((_models_dir(modelwerk_home) / "moved.gguf").resolve()), str(kept.resolve())]


def test_import_failures_exit_1_one_line_each(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = write_tiny_gguf(tmp_path / "good.gguf")
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"GGUF\x07\x00\x00\x00")
    assert cli.main(["import", str(bad), str(good), str(tmp_path / "none.gguf")]) == 1
    out, err = capsys.readouterr()
    assert out.splitlines() == ["imported good (id 1)"]
    errors = err.strip().splitlines()
    assert len(errors) == 2 and errors[0].startswith(f"{bad}: ") and errors[1].startswith(f"{tmp_path / 'none.gguf'}: ")


def test_import_usage_errors_exit_2(tiny_gguf: Path) -> None:
    with pytest.raises(SystemExit) as e:
        cli.main(["import", "--copy", "--move", str(tiny_gguf)])
    assert e.value.code == 2
    with pytest.raises(SystemExit) as e:
        cli.main(["import"])
    assert e.value.code == 2


def test_import_shows_progress_for_large_copies(
    tiny_gguf: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(common, "PROGRESS_MIN_BYTES", 1)
    monkeypatch.setattr(importer, "COPY_CHUNK", 64 << 10)
    assert cli.main(["import", str(tiny_gguf)]) == 0
    out, err = capsys.readouterr()
    assert out.strip() == "imported tiny (id 1)"
    assert "tiny.gguf: 100% of " in err and " KiB" in err and err.endswith("\n")


def test_list_of_an_empty_library(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["list"]) == 0
    assert "The library is empty" in capsys.readouterr().out
    assert cli.main(["list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
