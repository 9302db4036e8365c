"""gguf's constants (value types, ggml quant block sizes, file types) without importing the gguf package.

`import gguf` imports numpy and its tensor readers and writers (~200 ms), which the app's startup does not need: the
Library reads headers with its own reader. gguf/constants.py imports only the standard library, so it is loaded alone.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType


def _load() -> ModuleType:
    if "gguf.constants" in sys.modules:  # gguf already imported (tests, quantize): share its enums
        return sys.modules["gguf.constants"]
    spec = importlib.util.find_spec("gguf")  # finds the package without running its __init__
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("the gguf package is not installed (pip install gguf)")
    path = Path(next(iter(spec.submodule_search_locations))) / "constants.py"
    module_spec = importlib.util.spec_from_file_location("app.library._gguf_constants", path)
    if module_spec is None or module_spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module


_constants = _load()
GGUFValueType = _constants.GGUFValueType
GGMLQuantizationType = _constants.GGMLQuantizationType
GGML_QUANT_SIZES: dict[object, tuple[int, int]] = _constants.GGML_QUANT_SIZES
LlamaFileType = _constants.LlamaFileType
