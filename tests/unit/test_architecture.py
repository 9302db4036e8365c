"""The import rules of DESIGN.md: only app/ui imports PySide6; hardware/ and quantize/ never import app."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _modules(*packages: str) -> list[Path]:
    return [p for pkg in packages for p in (ROOT / pkg).rglob("*.py")]


def test_only_app_ui_imports_qt() -> None:
    offenders = [
        str(p.relative_to(ROOT))
        for p in _modules("app", "hardware", "quantize")
        if "ui" not in p.relative_to(ROOT).parts[1:2] and any(n.split(".")[0] == "PySide6" for n in _imports(p))
    ]
    assert offenders == [], f"PySide6 imported outside app/ui: {offenders}"


def test_hardware_and_quantize_never_import_app() -> None:
    pure = _modules("hardware", "quantize")
    offenders = [str(p.relative_to(ROOT)) for p in pure if any(n.split(".")[0] == "app" for n in _imports(p))]
    assert offenders == [], f"imports of app from hardware/ or quantize/: {offenders}"


def test_the_checks_see_the_code() -> None:
    # Guards the two tests above against passing vacuously (a moved folder, a broken glob).
    ui = _modules("app")
    assert any(p.name == "store.py" for p in ui)
    assert any("PySide6" in n for p in ui if "ui" in p.parts for n in _imports(p))
    assert any(n.startswith("hardware") for p in ui for n in _imports(p))


def test_cli_starts_without_qt() -> None:
    # The headless commands must not pay for Qt: importing the CLI loads no PySide6 module.
    import subprocess
    import sys

    code = "import sys, app.cli; print(any(m.startswith('PySide6') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_core_is_the_bottom_layer() -> None:
    # core/ is imported by hardware/, quantize/ and app/ (and run by the toolchain's own Python): standard library only.
    import sys

    modules = _modules("core")
    assert modules, "core/ not found"
    offenders = sorted(
        f"{p.relative_to(ROOT)}: {n}"
        for p in modules
        for n in _imports(p)
        if n.split(".")[0] != "core" and n.split(".")[0] not in sys.stdlib_module_names and n != "__future__"
    )
    assert offenders == [], f"core/ imports outside the standard library: {offenders}"
