"""The GUI's catalogues: `python -m tools.translations` (what `make translations` runs).

pyside6-lupdate collects app/ui's ``translate()`` texts into resources/translations/modelwerk_de.ts (new ones unfinished,
for Qt Linguist or an editor), then pyside6-lrelease compiles the ``.qm`` files that are committed beside them.
Two things lupdate's Python parser does not do, this does: it marks ``%n`` texts as plural (the parser only sees a
literal count) and keeps their plural forms, which lupdate would fold into one; and it writes modelwerk_en.ts, the
English plural forms ("1 day ago", "2 days ago") of those texts.
The pure packages' messages (core.messages: ``Message(...)``, ``Message.plural(...)``, ``N_(...)``) are collected here
too, into the context ``messages``; their English plural forms come from the code.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "resources" / "translations"
SOURCES = ROOT / "app" / "ui"
LANGUAGES = ("de", "en")
"""German holds every text; English only the plural forms (its other texts are the sources themselves)."""
MARKERS = ("translate", "QT_TRANSLATE_NOOP")
PURE = tuple(ROOT / name for name in ("core", "hardware", "formats", "procs", "quantize", "app"))
"""Where core.messages' texts are made: everything but app/ui (the GUI translates them in app.ui.common.messages)."""
MESSAGES = "messages"


@dataclass(frozen=True)
class Message:
    context: str
    source: str
    forms: tuple[str, ...]
    """The translation; one form, or one per plural form for a ``%n`` text; empty strings when not translated."""
    finished: bool


def ts_path(language: str) -> Path:
    return FOLDER / f"modelwerk_{language}.ts"


def qm_path(language: str) -> Path:
    return FOLDER / f"modelwerk_{language}.qm"


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if found is None:
        raise SystemExit(f"{name} not found: it comes with PySide6 (pip install -e .)")
    return found


def read(ts: Path) -> dict[tuple[str, str], Message]:
    """The messages of a ``.ts`` file by (context, source)."""
    messages: dict[tuple[str, str], Message] = {}
    if not ts.exists():
        return messages
    for context in ET.parse(ts).getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            source = message.findtext("source") or ""
            translation = message.find("translation")
            if translation is None:
                continue
            forms = [f.text or "" for f in translation.iter("numerusform")] or [translation.text or ""]
            finished = translation.get("type") not in ("unfinished", "vanished", "obsolete") and all(forms)
            messages[(name, source)] = Message(name, source, tuple(forms), finished)
    return messages


def source_texts(folder: Path = SOURCES) -> set[tuple[str, str]]:
    """Every (context, text) that app/ui passes as literals to ``translate`` or ``QT_TRANSLATE_NOOP``; for the default
    folder also the pure packages' messages (``pure_texts``)."""
    found: set[tuple[str, str]] = {(MESSAGES, text) for text in pure_texts()} if folder == SOURCES else set()
    for path in sorted(folder.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if not isinstance(node, ast.Call) or len(node.args) < 2:
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            context, text = node.args[0], node.args[1]
            if (name in MARKERS and isinstance(context, ast.Constant) and isinstance(context.value, str)
                    and isinstance(text, ast.Constant) and isinstance(text.value, str)):  # fmt: skip
                found.add((context.value, text.value))
    return found


def _literal(node: ast.expr) -> str | None:
    """The text of a string literal (implicitly joined parts are one), else None."""
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def message_calls(tree: ast.Module) -> list[tuple[str, ast.Call]]:
    """The calls of core.messages' ``Message``, ``Message.plural`` and ``N_`` in a module, as ("Message" | "plural" |
    "N_", call); by the names the module imported them under (the chat has a ``Message`` class of its own)."""
    names = {alias.asname or alias.name: alias.name for node in ast.walk(tree)
             if isinstance(node, ast.ImportFrom) and node.module == "core.messages" for alias in node.names}  # fmt: skip
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        f = node.func
        if isinstance(f, ast.Name) and names.get(f.id) in ("Message", "N_"):
            found.append((names[f.id], node))
        elif isinstance(f, ast.Attribute) and f.attr == "plural" and isinstance(f.value, ast.Name) \
                and names.get(f.value.id) == "Message":  # fmt: skip
            found.append(("plural", node))
    return found


def pure_files() -> list[Path]:
    """The pure packages' sources (everything but app/ui)."""
    return [p for folder in PURE for p in sorted(folder.rglob("*.py")) if SOURCES not in p.parents]


def pure_texts() -> dict[str, str]:
    """The templates of the pure packages' ``Message``, ``Message.plural`` and ``N_`` calls, each with its English
    singular form ("" unless it is a plural text)."""
    found: dict[str, str] = {}
    for path in pure_files():
        for kind, call in message_calls(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            first = _literal(call.args[0]) if call.args else None
            if kind != "plural" and first:
                found.setdefault(first, "")
            elif kind == "plural" and len(call.args) >= 2 and first and (other := _literal(call.args[1])):
                found[other] = first
    return found


def _lupdate(ts: Path) -> None:
    sources = [str(p.relative_to(ROOT)) for p in sorted(SOURCES.rglob("*.py"))]
    subprocess.run([_tool("pyside6-lupdate"), "-silent", *sources, "-no-obsolete", "-locations", "none",
                    "-source-language", "en", "-target-language", "de", "-ts", str(ts)],
                   cwd=ROOT, check=True, capture_output=True)  # its chatter ("Removed plural forms...") is expected


def _write(ts: Path, language: str, messages: list[Message]) -> None:
    root = ET.Element("TS", version="2.1", language=language, sourcelanguage="en")
    by_context: dict[str, list[Message]] = {}
    for m in messages:
        by_context.setdefault(m.context, []).append(m)
    for name in sorted(by_context):
        context = ET.SubElement(root, "context")
        ET.SubElement(context, "name").text = name
        for m in sorted(by_context[name], key=lambda m: m.source):
            plural = "%n" in m.source
            message = ET.SubElement(context, "message", numerus="yes") if plural else ET.SubElement(context, "message")
            ET.SubElement(message, "source").text = m.source
            translation = ET.SubElement(message, "translation")
            if not m.finished:
                translation.set("type", "unfinished")
            if plural:
                for form in m.forms if len(m.forms) == 2 else (m.forms[0], m.forms[0]) if m.forms else ("", ""):
                    ET.SubElement(translation, "numerusform").text = form
            else:
                translation.text = m.forms[0] if m.forms else ""
    ET.indent(root, space="    ")
    text = ET.tostring(root, encoding="unicode")
    ts.write_text(f'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n{text}\n', encoding="utf-8")


def update() -> None:
    """Bring both catalogues up to date with app/ui and compile them."""
    FOLDER.mkdir(parents=True, exist_ok=True)
    german = ts_path("de")
    before = read(german)
    _lupdate(german)  # new texts in, vanished ones out
    merged = [before.get(key, m) if "%n" in key[1] else m for key, m in read(german).items()]
    pure = pure_texts()  # lupdate reads app/ui only: the pure packages' messages keep what the catalogue had
    merged += [before.get((MESSAGES, t), Message(MESSAGES, t, (), False)) for t in sorted(pure)]
    _write(german, "de", merged)
    english_before = read(ts_path("en"))
    english = [english_before.get((m.context, m.source), Message(m.context, m.source, ("", ""), False))
               for m in merged if "%n" in m.source and m.context != MESSAGES]  # fmt: skip
    english += [Message(MESSAGES, t, (pure[t], t), True) for t in sorted(pure) if pure[t]]  # the forms the code has
    _write(ts_path("en"), "en", english)
    for language in LANGUAGES:
        release(ts_path(language), qm_path(language))


def release(ts: Path, qm: Path) -> None:
    """Compile ``ts`` into ``qm`` with pyside6-lrelease, replacing ``qm`` atomically: a running Modelwerk maps the old
    file into memory (QTranslator), and rewriting it in place would crash that process with SIGBUS."""
    part = qm.with_name(qm.name + ".part")
    subprocess.run([_tool("pyside6-lrelease"), "-silent", str(ts), "-qm", str(part)], check=True)
    part.replace(qm)


if __name__ == "__main__":
    update()
