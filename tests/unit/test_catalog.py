"""The catalog: models in SQLite, absolute paths, refresh on re-add, thread-safe through the store."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import pytest
from fixtures.tiny_gguf import write_tiny_gguf

from app.library.catalog import Catalog, CatalogError, EntryNotFound, source_downloaded, source_quantized
from app.store import Store
from formats.inspect import inspect
from formats.model import ModelFormat


@pytest.fixture
def catalog(tmp_path: Path) -> Iterator[Catalog]:
    with Store.open(tmp_path / "db.sqlite") as store:
        yield Catalog(store)


def test_add_stores_what_the_file_is(catalog: Catalog, tmp_path: Path) -> None:
    path = write_tiny_gguf(tmp_path / "m" / "tiny.gguf", chat_template="{{ messages }}")
    before = datetime.now(timezone.utc)
    entry = catalog.add(inspect(path), source="imported")
    assert entry.id >= 1
    assert (entry.name, entry.format, entry.architecture, entry.quantization) == ("tiny", ModelFormat.GGUF, "llama", "F32")
    assert entry.path == path.resolve() and entry.files == (path.resolve(),)
    assert entry.size_bytes == path.stat().st_size
    assert entry.mtime == path.stat().st_mtime
    assert entry.n_params > 0 and entry.context_length == 512 and entry.has_template
    assert entry.source == "imported" and not entry.missing and entry.sha256 is None and entry.last_used is None
    assert entry.added >= before.replace(microsecond=0)
    assert catalog.get(entry.id) == entry
    assert catalog.entries() == [entry]


def test_paths_are_stored_absolute(catalog: Catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_tiny_gguf(tmp_path / "tiny.gguf")
    monkeypatch.chdir(tmp_path)
    entry = catalog.add(inspect(Path("tiny.gguf")), source="imported")
    assert entry.path.is_absolute() and entry.path == (tmp_path / "tiny.gguf").resolve()
    assert catalog.by_path(Path("tiny.gguf")) == entry
    assert catalog.by_path(tmp_path / "sub" / ".." / "tiny.gguf") == entry
    assert catalog.by_path(tmp_path / "other.gguf") is None


def test_adding_the_same_path_refreshes_the_entry(catalog: Catalog, tmp_path: Path) -> None:
    path = write_tiny_gguf(tmp_path / "tiny.gguf")
    first = catalog.add(inspect(path), source="imported")
    catalog.set_sha256(first.id, "ab" * 32)
    catalog.touch(first.id)
    catalog.set_missing(first.id, True)
    write_tiny_gguf(path, layers=3)
    again = catalog.add(inspect(path), source=source_quantized("Tiny", "Q4_K_M"))
    assert again.id == first.id and again.added == first.added and again.last_used is not None
    assert again.sha256 is None and not again.missing  # new content: old hash dropped
    assert again.size_bytes == path.stat().st_size != first.size_bytes
    assert again.source == "quantized from Tiny with Q4_K_M"
    assert len(catalog.entries()) == 1


def test_get_unknown_id(catalog: Catalog) -> None:
    with pytest.raises(EntryNotFound, match="no model with id 42"):
        catalog.get(42)


def test_setters(catalog: Catalog, tiny_gguf: Path) -> None:
    entry = catalog.add(inspect(tiny_gguf), source=source_downloaded("me/tiny-GGUF"))
    assert entry.source == "downloaded from me/tiny-GGUF"
    catalog.set_sha256(entry.id, "0" * 64)
    catalog.set_missing(entry.id, True)
    catalog.touch(entry.id)
    got = catalog.get(entry.id)
    assert got.sha256 == "0" * 64 and got.missing
    assert got.last_used is not None and got.last_used.tzinfo is not None
    assert got.last_used >= got.added


def test_find_duplicate_needs_size_and_hash(catalog: Catalog, tiny_gguf: Path) -> None:
    entry = catalog.add(inspect(tiny_gguf), source="imported")
    assert catalog.find_duplicate(entry.size_bytes, "f" * 64) is None
    catalog.set_sha256(entry.id, "f" * 64)
    assert catalog.find_duplicate(entry.size_bytes, "f" * 64) == replace(entry, sha256="f" * 64)
    assert catalog.find_duplicate(entry.size_bytes + 1, "f" * 64) is None
    assert [e.id for e in catalog.same_size(entry.size_bytes)] == [entry.id]


def test_remove_keeps_or_deletes_files(catalog: Catalog, tmp_path: Path) -> None:
    keep = catalog.add(inspect(write_tiny_gguf(tmp_path / "keep.gguf")), source="imported")
    drop = catalog.add(inspect(write_tiny_gguf(tmp_path / "drop.gguf")), source="imported")
    catalog.remove(keep.id)
    catalog.remove(drop.id, delete_files=True)
    assert catalog.entries() == []
    assert (tmp_path / "keep.gguf").exists() and not (tmp_path / "drop.gguf").exists()
    with pytest.raises(EntryNotFound):
        catalog.remove(keep.id)


def test_remove_a_folder_model_deletes_the_folder(catalog: Catalog, tmp_path: Path) -> None:
    from fixtures.hf_folders import write_llama_folder

    folder = write_llama_folder(tmp_path / "Llama-Tiny")
    entry = catalog.add(inspect(folder), source="imported")
    assert entry.format is ModelFormat.SAFETENSORS and entry.path == folder.resolve() and len(entry.files) > 1
    catalog.remove(entry.id, delete_files=True)
    assert not folder.exists()


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs POSIX permissions as a normal user")
def test_remove_that_cannot_delete_keeps_the_entry(catalog: Catalog, tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    path = write_tiny_gguf(folder / "tiny.gguf")
    entry = catalog.add(inspect(path), source="imported")
    folder.chmod(0o500)
    try:
        with pytest.raises(CatalogError, match="Cannot delete the files of tiny"):
            catalog.remove(entry.id, delete_files=True)
    finally:
        folder.chmod(0o700)
    assert catalog.get(entry.id) == entry


def test_concurrent_adds_from_threads(catalog: Catalog, tmp_path: Path) -> None:
    infos = [inspect(write_tiny_gguf(tmp_path / f"t{i}.gguf", layers=1, seed=i)) for i in range(8)]
    errors: list[BaseException] = []

    def add(i: int) -> None:
        try:
            entry = catalog.add(infos[i], source="imported")
            catalog.touch(entry.id)
            catalog.entries()
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=add, args=(i,)) for i in range(len(infos))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(e.name for e in catalog.entries()) == sorted(f"t{i}" for i in range(8))
    assert len({e.id for e in catalog.entries()}) == 8
