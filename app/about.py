"""What this installation is made of: versions (Modelwerk, llama.cpp's binding, Qt, Python) and the licenses of what it ships.

Read from the installed packages' metadata (a bundle keeps it), so the About dialog and bug reports never go stale.
"""

from __future__ import annotations

import importlib.metadata as metadata
import platform
from dataclasses import dataclass

DISTRIBUTIONS = ("modelwerk", "llama-cpp-python", "PySide6-Essentials", "shiboken6", "huggingface-hub", "gguf", "numpy",
                 "jinja2", "psutil", "nvidia-ml-py", "platformdirs", "markdown-it-py", "mdurl", "pypdf", "python-docx",
                 "lxml", "google-re2", "mcp")  # fmt: skip
LICENSE_FILES = ("LICENSE", "LICENSE.txt", "LICENSE.md", "COPYING")


@dataclass(frozen=True)
class Component:
    name: str
    version: str
    license: str


def version_of(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "not installed"


def license_of(distribution: str) -> str:
    """The SPDX expression, the License field or the trove classifier; "unknown" if the metadata says nothing."""
    try:
        md = metadata.metadata(distribution)
    except metadata.PackageNotFoundError:
        return "unknown"
    # get_all, not md[key]: the importlib_metadata backport (which some packages install) raises on a missing key
    fields = [md.get_all("License-Expression"), md.get_all("License")]
    text = next((values[0] for values in fields if values and values[0]), "")
    if not text or len(text) > 80:  # some packages paste the whole license text into the field
        classifiers = [c.split(" :: ")[-1] for c in md.get_all("Classifier") or [] if c.startswith("License ::")]
        text = ", ".join(classifiers) or (text.splitlines()[0] if text else "")
    return text or "unknown"


def components() -> list[Component]:
    return [Component(d, version_of(d), license_of(d)) for d in DISTRIBUTIONS]


def qt_version() -> str:
    """The Qt library's version, without importing Qt (the binding's version matches the Qt it ships)."""
    return version_of("PySide6-Essentials")


def summary() -> dict[str, str]:
    """The versions a bug report needs."""
    return {
        "Modelwerk": version_of("modelwerk"),
        "llama.cpp": f"from llama-cpp-python {version_of('llama-cpp-python')}",
        "Qt": qt_version(),
        "Python": f"{platform.python_version()} ({platform.python_implementation()})",
        "System": f"{platform.system()} {platform.release()} {platform.machine()}",
    }
