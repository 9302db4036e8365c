"""Importing: copy/move/in place, duplicates by size and hash, bad files register nothing, cancel leaves nothing."""

from __future__ import annotations

import functools
import hashlib
import itertools
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import gguf
import pytest
from fixtures.hf_folders import write_llama_folder
from fixtures.tiny_gguf import write_tiny_gguf

from app.library import importer
from app.library.catalog import Catalog
from app.library.importer import Cancelled, ImportMode, import_model, numbered, sha256_file
from app.store import Store
from formats.model import ModelFormat


@pytest.fixture
def catalog(tmp_path: Path) -> Iterator[Catalog]:
    with Store.open(tmp_path / "db.sqlite") as store:
        yield Catalog(store)


@pytest.fixture
def models(tmp_path: Path) -> Path:
    return tmp_path / "models"


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*")) if folder.exists() else []


def test_copy_registers_the_copy(catalog: Catalog, models: Path, tiny_gguf: Path) -> None:
    calls: list[tuple[int, int]] = []
    result = import_model(tiny_gguf, catalog, models, progress=lambda done, total: calls.append((done, total)))
    assert result.error == "" and result.duplicate_of is None and result.entry is not None
    entry = result.entry
    assert entry.path == (models / "tiny.gguf").resolve() and entry.source == "imported"
    assert (models / "tiny.gguf").read_bytes() == tiny_gguf.read_bytes()
    assert tiny_gguf.exists()  # a copy leaves the original
    assert entry.sha256 is None  # no entry of that size: nothing hashed (the UI hashes in the background)
    assert _leftovers(models) == ["tiny.gguf"]
    size = tiny_gguf.stat().st_size
    assert calls[0] == (0, size) and calls[-1] == (size, size)
    assert all(a[0] <= b[0] for a, b in itertools.pairwise(calls))


def test_move_on_one_filesystem_renames(catalog: Catalog, models: Path, tmp_path: Path) -> None:
    src = write_tiny_gguf(tmp_path / "in" / "tiny.gguf")
    content = src.read_bytes()
    result = import_model(src, catalog, models, mode=ImportMode.MOVE)
    assert result.entry is not None and result.entry.path == (models / "tiny.gguf").resolve()
    assert not src.exists() and (models / "tiny.gguf").read_bytes() == content


def test_move_across_filesystems_copies_then_deletes(
    catalog: Catalog, models: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importer, "same_filesystem", lambda files, folder: False)
    src = write_tiny_gguf(tmp_path / "in" / "tiny.gguf")
    content = src.read_bytes()
    result = import_model(src, catalog, models, mode=ImportMode.MOVE)
    assert result.entry is not None
    assert not src.exists() and (models / "tiny.gguf").read_bytes() == content
    assert _leftovers(models) == ["tiny.gguf"]


def test_in_place_registers_where_it_is(catalog: Catalog, models: Path, tiny_gguf: Path) -> None:
    result = import_model(tiny_gguf, catalog, models, mode=ImportMode.IN_PLACE)
    assert result.entry is not None and result.entry.path == tiny_gguf.resolve()
    assert not models.exists()


def test_a_file_already_in_the_models_folder_is_not_copied(catalog: Catalog, models: Path) -> None:
    path = write_tiny_gguf(models / "tiny.gguf")
    result = import_model(path, catalog, models)
    assert result.entry is not None and result.entry.path == path.resolve()
    assert _leftovers(models) == ["tiny.gguf"]


def test_duplicate_is_recognised_by_size_and_hash(catalog: Catalog, models: Path, tmp_path: Path, tiny_gguf: Path) -> None:
    first = import_model(tiny_gguf, catalog, models).entry
    assert first is not None and first.sha256 is None
    twin = tmp_path / "elsewhere" / "same-bytes.gguf"
    twin.parent.mkdir()
    shutil.copyfile(tiny_gguf, twin)
    result = import_model(twin, catalog, models)
    assert result.entry is None and result.error == ""
    assert result.duplicate_of is not None and result.duplicate_of.id == first.id
    digest = hashlib.sha256(tiny_gguf.read_bytes()).hexdigest()
    assert catalog.get(first.id).sha256 == digest  # the entry without a hash got one for the comparison
    assert _leftovers(models) == ["tiny.gguf"]  # nothing copied
    assert len(catalog.entries()) == 1
    in_place = import_model(tiny_gguf, catalog, models, mode=ImportMode.IN_PLACE)  # the original is the same bytes too
    assert in_place.duplicate_of is not None and in_place.duplicate_of.id == first.id


def test_a_registered_path_is_known_without_hashing(
    catalog: Catalog, models: Path, tiny_gguf: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = import_model(tiny_gguf, catalog, models).entry
    assert first is not None
    monkeypatch.setattr(importer, "sha256_files", lambda *a, **k: pytest.fail("hashed"))
    again = import_model(models / "tiny.gguf", catalog, models)
    assert again.duplicate_of is not None and again.duplicate_of.id == first.id


def test_same_size_other_bytes_is_not_a_duplicate(catalog: Catalog, models: Path, tmp_path: Path) -> None:
    a = import_model(write_tiny_gguf(tmp_path / "a" / "m.gguf", seed=1), catalog, models).entry
    b_path = write_tiny_gguf(tmp_path / "b" / "m.gguf", seed=2)
    assert a is not None and a.size_bytes == b_path.stat().st_size
    result = import_model(b_path, catalog, models)
    assert result.entry is not None and result.duplicate_of is None
    assert result.entry.sha256 == hashlib.sha256(b_path.read_bytes()).hexdigest()  # computed for the check, so kept
    assert result.entry.path.name == "m-2.gguf"  # name clash: numbered


def test_no_hashing_without_a_size_match(
    catalog: Catalog, models: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hashed: list[object] = []
    real = importer.sha256_files
    monkeypatch.setattr(importer, "sha256_files", lambda files, **kw: hashed.append(files) or real(files, **kw))
    import_model(write_tiny_gguf(tmp_path / "a.gguf", layers=1), catalog, models)
    import_model(write_tiny_gguf(tmp_path / "b.gguf", layers=2), catalog, models)
    assert hashed == []


@pytest.mark.parametrize("mode", list(ImportMode))
def test_corrupt_file_registers_nothing(catalog: Catalog, models: Path, tmp_path: Path, mode: ImportMode) -> None:
    bad = tmp_path / "broken.gguf"
    bad.write_bytes(b"GGUF\x03\x00\x00\x00" + b"\xff" * 100)
    result = import_model(bad, catalog, models, mode=mode)
    assert result.entry is None and result.duplicate_of is None
    assert result.error and "\n" not in result.error
    assert catalog.entries() == [] and _leftovers(models) == [] and bad.exists()


def test_not_a_model_and_missing_path(catalog: Catalog, models: Path, tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    assert "is not a model file" in import_model(text, catalog, models).error
    assert "does not exist" in import_model(tmp_path / "nope.gguf", catalog, models).error
    assert catalog.entries() == []


def test_cancel_mid_copy_leaves_nothing(
    catalog: Catalog, models: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importer, "COPY_CHUNK", 64 << 10)  # several chunks for a 0.5 MB file
    src = write_tiny_gguf(tmp_path / "tiny.gguf")
    cancel = threading.Event()
    seen: list[int] = []

    def progress(done: int, total: int) -> None:
        seen.append(done)
        if done >= 128 << 10:
            cancel.set()

    result = import_model(src, catalog, models, progress=progress, cancel=cancel)
    assert result.error == "cancelled" and result.entry is None
    assert 0 < max(seen) < src.stat().st_size
    assert catalog.entries() == [] and _leftovers(models) == [] and src.exists()


def test_cancel_after_the_last_chunk_still_cancels(catalog: Catalog, models: Path, tiny_gguf: Path) -> None:
    cancel = threading.Event()
    result = import_model(tiny_gguf, catalog, models, progress=lambda d, t: d and cancel.set(), cancel=cancel)
    assert result.error == "cancelled" and _leftovers(models) == []


def test_interrupt_cleans_up_and_propagates(catalog: Catalog, models: Path, tiny_gguf: Path) -> None:
    def progress(done: int, total: int) -> None:
        if done:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        import_model(tiny_gguf, catalog, models, progress=progress)
    assert _leftovers(models) == [] and catalog.entries() == []


def test_name_clashes_get_numbers(catalog: Catalog, models: Path, tmp_path: Path) -> None:
    models.mkdir()
    (models / "tiny.gguf").write_bytes(b"not ours")
    (models / "tiny-2.gguf.part").write_bytes(b"someone else's copy in progress")
    result = import_model(write_tiny_gguf(tmp_path / "tiny.gguf"), catalog, models)
    assert result.entry is not None and result.entry.path.name == "tiny-3.gguf" and result.entry.name == "tiny-3"
    assert (models / "tiny.gguf").read_bytes() == b"not ours"


def test_numbered_names() -> None:
    assert numbered("tiny.gguf", 1) == "tiny.gguf"
    assert numbered("tiny.gguf", 2) == "tiny-2.gguf"
    assert numbered("m-00001-of-00003.gguf", 3) == "m-3-00001-of-00003.gguf"
    assert numbered("Llama-3-8B", 2) == "Llama-3-8B-2"
    assert numbered("blob", 2) == "blob-2"


def _split_set(folder: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, ...]:
    with monkeypatch.context() as m:
        m.setattr(gguf, "GGUFWriter", functools.partial(gguf.GGUFWriter, split_max_tensors=8))
        write_tiny_gguf(folder / "tiny.gguf")
    return tuple(folder / f"tiny-{i:05d}-of-00003.gguf" for i in (1, 2, 3))


def test_split_set_copies_all_parts(catalog: Catalog, models: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    parts = _split_set(tmp_path / "split", monkeypatch)
    result = import_model(parts[1], catalog, models)  # any part stands for the set
    assert result.entry is not None
    assert result.entry.path.name == "tiny-00001-of-00003.gguf" and len(result.entry.files) == 3
    assert _leftovers(models) == [p.name for p in parts]
    # a clash renames the whole set consistently
    again = import_model(parts[0], catalog, models, mode=ImportMode.COPY)
    assert again.duplicate_of is not None  # same bytes
    (models / "tiny-00003-of-00003.gguf").unlink()
    catalog.remove(result.entry.id)
    third = import_model(parts[0], catalog, models)
    assert third.entry is not None and [f.name for f in third.entry.files] == [
        f"tiny-2-0000{i}-of-00003.gguf" for i in (1, 2, 3)
    ]


def test_hf_folder_copies_its_files(catalog: Catalog, models: Path, tmp_path: Path) -> None:
    folder = write_llama_folder(tmp_path / "src" / "Llama-Tiny", shards=2)
    result = import_model(folder, catalog, models)
    assert result.entry is not None and result.entry.format is ModelFormat.SAFETENSORS
    dest = models / "Llama-Tiny"
    assert result.entry.path == dest.resolve() and dest.is_dir()
    assert all(f.parent == dest.resolve() for f in result.entry.files)
    for f in result.entry.files:
        assert f.read_bytes() == (folder / f.name).read_bytes()
    assert not (models / "Llama-Tiny.part").exists()
    moved = import_model(write_llama_folder(tmp_path / "other" / "Llama-Tiny", num_hidden_layers=3), catalog, models,
                         mode=ImportMode.MOVE)  # fmt: skip
    assert moved.entry is not None and moved.entry.path.name == "Llama-Tiny-2"
    assert not (tmp_path / "other" / "Llama-Tiny").exists()


def test_sha256_file_progress_and_cancel(tmp_path: Path, tiny_gguf: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importer, "HASH_CHUNK", 64 << 10)
    seen: list[tuple[int, int]] = []
    digest = sha256_file(tiny_gguf, progress=lambda d, t: seen.append((d, t)))
    assert digest == hashlib.sha256(tiny_gguf.read_bytes()).hexdigest()
    size = tiny_gguf.stat().st_size
    assert seen[0] == (0, size) and seen[-1] == (size, size) and len(seen) > 3
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        sha256_file(tiny_gguf, cancel=cancel)


def test_sha256_of_a_split_set_covers_every_part(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    parts = _split_set(tmp_path / "split", monkeypatch)
    joined = hashlib.sha256(b"".join(p.read_bytes() for p in parts)).hexdigest()
    assert sha256_file(parts[0]) == joined == sha256_file(parts[2])


def test_not_enough_space_is_an_error(
    catalog: Catalog, models: Path, tiny_gguf: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importer.shutil, "disk_usage", lambda p: SimpleNamespace(total=1, used=0, free=1))
    result = import_model(tiny_gguf, catalog, models)
    assert "not enough free space" in result.error and catalog.entries() == [] and _leftovers(models) == []


def test_cancelled_folder_copy_leaves_no_staging_folder(catalog: Catalog, models: Path, tmp_path: Path) -> None:
    folder = write_llama_folder(tmp_path / "src" / "Llama-Tiny", shards=2)
    cancel = threading.Event()
    result = import_model(folder, catalog, models, progress=lambda done, total: done and cancel.set(), cancel=cancel)
    assert result.error == "cancelled" and _leftovers(models) == [] and catalog.entries() == []
    assert folder.is_dir()
