"""`modelwerk pull`'s choice of what to download, and what `modelwerk recipe` accepts as MODEL (no network, no jobs)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fixtures.hf_folders import llama_config, llama_tensors, safetensors_bytes
from fixtures.tiny_gguf import write_tiny_gguf

from app import cli, paths
from app.chat.messages import ChatError
from app.cli.pull import choose_group
from app.cli.quantize import recipe_source
from app.hub.errors import FileNotOnHub
from app.hub.files import FileGroup, FileKind, HubFile, group_files
from app.library.catalog import Catalog, source_downloaded
from app.library.importer import ImportMode, import_model
from app.store import Store

REPO = "org/Model"
WEIGHTS = [HubFile("model-00001-of-00002.safetensors", 5 << 30), HubFile("model-00002-of-00002.safetensors", 3 << 30)]
ORIGINAL = [HubFile("config.json", 600), HubFile("tokenizer.json", 9_000), HubFile("README.md", 100), *WEIGHTS]
GGUFS = [HubFile("Model-Q4_K_M.gguf", 4 << 30), HubFile("Model-Q8_0.gguf", 8 << 30)]


def _no_best(groups: list[FileGroup]) -> FileGroup:
    raise AssertionError("best() is only asked to choose between GGUF files")


def _choose(files: list[HubFile], *, file: str | None = None, quant: str | None = None) -> FileGroup:
    return choose_group(group_files(files), repo_id=REPO, file=file, quant=quant, best=_no_best)


def test_a_repo_without_gguf_gives_its_safetensors_original() -> None:
    g = _choose(ORIGINAL)
    assert g.kind is FileKind.SAFETENSORS and g.name == "model (safetensors)"
    assert [f.path for f in g.files] == ["config.json", "tokenizer.json", "model-00001-of-00002.safetensors",
                                         "model-00002-of-00002.safetensors"]  # fmt: skip


def test_a_repo_with_gguf_still_gets_the_best_gguf() -> None:
    g = choose_group(group_files(ORIGINAL + GGUFS), repo_id=REPO, file=None, quant=None, best=lambda gs: gs[-1])
    assert g.kind is FileKind.GGUF and g.name == "Model-Q8_0.gguf"


def test_a_repo_with_only_an_incomplete_gguf_set_falls_back_to_the_original() -> None:
    g = _choose([*ORIGINAL, HubFile("Model-Q4_K_M-00001-of-00002.gguf", 2 << 30)])
    assert g.kind is FileKind.SAFETENSORS


@pytest.mark.parametrize(
    "files",
    [
        [HubFile("README.md", 100), HubFile("config.json", 600)],  # nothing to download
        [HubFile("config.json", 600), HubFile("quantize_config.json", 100), HubFile("model.safetensors", 1 << 30)],  # GPTQ
        [HubFile("mmproj-F16.gguf", 600 << 20), HubFile("pytorch_model.bin", 1 << 30)],  # a projector, pickle weights
    ],
)
def test_nothing_usable_is_still_an_error(files: list[HubFile]) -> None:
    with pytest.raises(FileNotOnHub, match=f"^{REPO} has no GGUF file to choose from; pick one with --file: "):
        _choose(files)


def test_quant_and_file_choose_as_before() -> None:
    files = ORIGINAL + GGUFS
    assert _choose(files, quant="q4_k_m").name == "Model-Q4_K_M.gguf"
    assert _choose(files, file="Model-Q8_0.gguf").name == "Model-Q8_0.gguf"
    assert _choose(files, file="config.json").kind is FileKind.SAFETENSORS  # a file of the folder model names it
    with pytest.raises(FileNotOnHub, match=r"has no Q2_K file; quantizations there: Q4_K_M, Q8_0$"):
        _choose(files, quant="Q2_K")
    with pytest.raises(FileNotOnHub, match="has no Q8_0 file; quantizations there: none"):
        _choose(ORIGINAL, quant="Q8_0")  # --quant never falls back to the original
    with pytest.raises(FileNotOnHub, match=r"has no file nothing\.gguf"):
        _choose(ORIGINAL, file="nothing.gguf")


def _library(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A pulled safetensors folder and two GGUFs, registered as downloaded from REPO, and one GGUF from elsewhere."""
    models = tmp_path / "models"
    folder = models / "org" / "Model"
    folder.mkdir(parents=True)
    config = llama_config(hidden=64, layers=1, heads=2, kv_heads=2, ff=128, vocab=32, context=128)
    (folder / "config.json").write_text(json.dumps(config), encoding="utf-8")
    (folder / "model.safetensors").write_bytes(safetensors_bytes(llama_tensors(config, dtype="BF16")))
    small = write_tiny_gguf(models / "org" / "Model-GGUF" / "small.gguf", layers=1)
    big = write_tiny_gguf(models / "org" / "Model-GGUF" / "big.gguf", layers=4)
    with Store.open(paths.database_path()) as store:
        catalog = Catalog(store)
        for p in (small, big, folder):
            result = import_model(p, catalog, models, mode=ImportMode.IN_PLACE, source=source_downloaded(REPO))
            assert result.entry is not None, result.error
    return folder, small, big


def test_recipe_takes_a_pulled_repo_its_folder_first(tmp_path: Path) -> None:
    folder, _, big = _library(tmp_path)
    assert recipe_source(REPO) == folder.resolve()
    assert recipe_source("Model") == folder.resolve()  # the library name
    with Store.open(paths.database_path()) as store:
        catalog = Catalog(store)
        catalog.remove(catalog.by_path(folder).id)  # type: ignore[union-attr]
    assert recipe_source(REPO) == big.resolve()  # no folder: the largest (least quantized) GGUF
    assert recipe_source(str(folder)) == folder  # a path as before


def test_recipe_of_an_unknown_repo_says_to_pull_it(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(ChatError) as e:
        recipe_source("org/Nothing")
    assert str(e.value) == "no model org/Nothing in the library: download it with `modelwerk pull org/Nothing`"
    assert cli.main(["recipe", "org/Nothing", "--type", "Q8_0", "--no-eval"]) == 1
    err = capsys.readouterr().err
    assert err == "modelwerk recipe: no model org/Nothing in the library: download it with `modelwerk pull org/Nothing`\n"
    assert cli.main(["recipe", "nothing", "--type", "Q8_0"]) == 1
    assert "give a Hugging Face folder, a GGUF file, a library id or name" in capsys.readouterr().err
