"""Scanning the models folder: new models appear, vanished ones go missing and come back, unchanged ones are not re-read."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fixtures.hf_folders import write_llama_folder
from fixtures.tiny_gguf import write_tiny_gguf

import formats.inspect as inspect_module
from app.library.catalog import SOURCE_FOUND, Catalog
from app.library.scan import scan_folder
from app.store import Store
from formats.model import ModelFormat, ModelInfo


@pytest.fixture
def catalog(tmp_path: Path) -> Iterator[Catalog]:
    with Store.open(tmp_path / "db.sqlite") as store:
        yield Catalog(store)


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Every path the scan inspects (reads the header of)."""
    seen: list[Path] = []
    real = inspect_module.inspect

    def counting(path: Path) -> ModelInfo:
        seen.append(Path(path))
        return real(path)

    monkeypatch.setattr(inspect_module, "inspect", counting)
    return seen


def test_missing_folder_is_an_empty_scan(catalog: Catalog, tmp_path: Path) -> None:
    result = scan_folder(tmp_path / "nothing-here", catalog)
    assert result.added == result.missing == result.returned == result.errors == ()


def test_scan_adds_models_and_ignores_the_rest(catalog: Catalog, tmp_path: Path) -> None:
    models = tmp_path / "models"
    write_tiny_gguf(models / "a.gguf")
    write_tiny_gguf(models / "b.gguf", layers=1)
    write_llama_folder(models / "Llama-Tiny")
    (models / "c.gguf.part").write_bytes(b"copy in progress")
    (models / "d.gguf.incomplete").write_bytes(b"download in progress")
    (models / "notes.txt").write_text("hello")
    write_tiny_gguf(models / "nested" / "deeper" / "e.gguf")  # two levels down: not scanned
    (models / "broken.gguf").write_bytes(b"GGUF" + b"\x00" * 3)
    result = scan_folder(models, catalog)
    assert sorted(e.name for e in result.added) == ["Llama-Tiny", "a", "b"]
    assert all(e.source == SOURCE_FOUND for e in result.added)
    assert {e.format for e in result.added} == {ModelFormat.GGUF, ModelFormat.SAFETENSORS}
    assert [p.name for p, _ in result.errors] == ["broken.gguf"]
    assert "\n" not in result.errors[0][1]
    assert len(catalog.entries()) == 3


def test_unchanged_models_are_not_reread(catalog: Catalog, tmp_path: Path, reads: list[Path]) -> None:
    models = tmp_path / "models"
    write_tiny_gguf(models / "a.gguf")
    write_llama_folder(models / "Llama-Tiny")
    scan_folder(models, catalog)
    assert len(reads) == 2
    reads.clear()
    again = scan_folder(models, catalog)
    assert reads == [] and again.added == again.missing == again.returned == ()
    # a changed file (new size and mtime) is read again and keeps its id
    before = catalog.by_path(models / "a.gguf")
    assert before is not None
    write_tiny_gguf(models / "a.gguf", layers=3)
    changed = scan_folder(models, catalog)
    assert reads == [models / "a.gguf"]
    assert [e.id for e in changed.added] == [before.id] and changed.added[0].size_bytes != before.size_bytes


def test_touched_mtime_alone_rereads(catalog: Catalog, tmp_path: Path, reads: list[Path]) -> None:
    path = write_tiny_gguf(tmp_path / "models" / "a.gguf")
    scan_folder(path.parent, catalog)
    st = path.stat()
    os.utime(path, (st.st_atime, st.st_mtime + 10))
    reads.clear()
    scan_folder(path.parent, catalog)
    assert reads == [path]


def test_vanished_models_go_missing_and_come_back(catalog: Catalog, tmp_path: Path, reads: list[Path]) -> None:
    models = tmp_path / "models"
    path = write_tiny_gguf(models / "a.gguf")
    elsewhere = write_tiny_gguf(tmp_path / "elsewhere" / "b.gguf", layers=1)
    catalog.add(inspect_module.inspect(elsewhere), source="imported")  # imported in place, outside the folder
    (entry,) = scan_folder(models, catalog).added
    hidden = tmp_path / "hidden.gguf"
    path.rename(hidden)
    elsewhere.rename(tmp_path / "b.moved")
    gone = scan_folder(models, catalog)
    assert sorted(e.name for e in gone.missing) == ["a", "b"] and all(e.missing for e in gone.missing)
    assert catalog.get(entry.id).missing
    assert scan_folder(models, catalog).missing == ()  # reported once
    hidden.rename(path)
    (tmp_path / "b.moved").rename(elsewhere)
    reads.clear()
    back = scan_folder(models, catalog)
    assert sorted(e.name for e in back.returned) == ["a", "b"] and not any(e.missing for e in back.returned)
    assert reads == []  # same size and mtime: not re-read
    assert back.added == ()
    assert not any(e.missing for e in catalog.entries())


def test_a_deleted_split_part_makes_the_set_missing(catalog: Catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import functools

    import gguf

    models = tmp_path / "models"
    with monkeypatch.context() as m:
        m.setattr(gguf, "GGUFWriter", functools.partial(gguf.GGUFWriter, split_max_tensors=8))
        write_tiny_gguf(models / "tiny.gguf")
    (entry,) = scan_folder(models, catalog).added  # one model, not three
    assert len(entry.files) == 3
    (models / "tiny-00002-of-00003.gguf").unlink()
    result = scan_folder(models, catalog)
    assert [e.id for e in result.missing] == [entry.id]
    assert "part 2 of 3 is missing" in result.errors[0][1]


def test_claimed_paths_are_left_to_the_work_that_claimed_them(catalog: Catalog, tmp_path: Path) -> None:
    from app.library.scan import Claims

    models = tmp_path / "models"
    known = write_tiny_gguf(models / "known.gguf")
    [entry] = scan_folder(models, catalog).added
    out = write_tiny_gguf(models / "made.Q8_0.gguf", layers=1)  # a job's output, renamed into the folder
    claims = Claims()
    claims.claim([out, known])
    claims.claim([out])  # claimed twice: released twice
    known.unlink()
    result = scan_folder(models, catalog, skip=claims.paths())
    assert result.added == () and result.missing == ()  # neither found nor marked missing while claimed
    assert [e.id for e in catalog.entries()] == [entry.id]
    claims.release([out, known])
    assert claims.paths() == {out.resolve()}
    claims.release([out])
    assert claims.paths() == frozenset()
    result = scan_folder(models, catalog, skip=claims.paths())
    assert [e.id for e in result.missing] == [entry.id] and [e.path for e in result.added] == [out.resolve()]
