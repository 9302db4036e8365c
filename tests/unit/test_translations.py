"""The GUI's catalogues (resources/translations): complete, in step with the code, and compiled."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tools import translations


def test_every_text_in_the_code_is_in_the_german_catalogue() -> None:
    # lupdate silently drops a call it cannot parse (an expression among its arguments): the code is the reference.
    catalogue = translations.read(translations.ts_path("de"))
    missing = sorted(translations.source_texts() - set(catalogue))
    assert not missing, f"not in modelwerk_de.ts (run `make translations`): {missing[:20]}"


def test_every_german_text_is_translated() -> None:
    catalogue = translations.read(translations.ts_path("de"))
    unfinished = sorted(f"{m.context}: {m.source}" for m in catalogue.values() if not m.finished)
    assert not unfinished, f"unfinished in modelwerk_de.ts: {unfinished[:20]}"
    assert len(catalogue) > 300


def test_plural_texts_have_their_forms_in_both_languages() -> None:
    german = translations.read(translations.ts_path("de"))
    english = translations.read(translations.ts_path("en"))
    plural = {key for key in german if "%n" in key[1]}
    assert plural and plural == set(english)
    for language in (german, english):
        for key in plural:
            assert len(language[key].forms) == 2 and language[key].finished, key


def test_no_catalogue_keeps_texts_the_code_no_longer_has() -> None:
    catalogue = translations.read(translations.ts_path("de"))
    stale = sorted(set(catalogue) - translations.source_texts())
    assert not stale, f"in modelwerk_de.ts but not in the code (run `make translations`): {stale[:20]}"


@pytest.mark.parametrize("language", translations.LANGUAGES)
def test_the_committed_qm_is_compiled_from_the_ts(language: str, tmp_path: Path) -> None:
    fresh = tmp_path / f"modelwerk_{language}.qm"
    translations.release(translations.ts_path(language), fresh)
    assert translations.qm_path(language).read_bytes() == fresh.read_bytes(), "run `make translations`"


def test_the_pure_packages_messages_are_in_the_catalogue_with_their_english_plurals() -> None:
    # core.messages: hardware, formats, quantize and the app's domains make texts the GUI translates (context "messages").
    pure = translations.pure_texts()
    assert "Full GPU" in pure and "Runs on the CPU from RAM (no GPU was found)." in pure
    german = translations.read(translations.ts_path("de"))
    assert {(translations.MESSAGES, t) for t in pure} <= set(german)
    english = translations.read(translations.ts_path("en"))
    for other, one in pure.items():
        if one:  # a plural text: its English forms are the code's
            assert english[(translations.MESSAGES, other)].forms == (one, other)


def test_every_message_template_is_a_literal() -> None:
    # A template made at run time (an f-string, a variable) cannot be in the catalogue: the GUI would show it in English.
    found = []
    for path in translations.pure_files():
        for kind, call in translations.message_calls(ast.parse(path.read_text(encoding="utf-8"))):
            count = 2 if kind == "plural" else 1
            if len(call.args) < count or not all(isinstance(a, ast.Constant) and isinstance(a.value, str)
                                                 for a in call.args[:count]):  # fmt: skip
                found.append(f"{path.relative_to(translations.ROOT)}:{call.lineno}")
    assert not found, f"Message templates must be literals: {found}"


def test_every_message_field_has_a_value_and_every_value_a_field() -> None:
    # A {field} without its value would be shown as written ("not {kind}"), a value without its field never.
    import re

    found = []
    for path in translations.pure_files():
        for kind, call in translations.message_calls(ast.parse(path.read_text(encoding="utf-8"))):
            count = 2 if kind == "plural" else 1
            texts = [a.value for a in call.args[:count] if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            names = {k.arg for k in call.keywords}
            if kind == "N_" or len(texts) < count or None in names:
                continue
            fields = {f for text in texts for f in re.findall(r"\{(\w+)\}", text)}
            if fields != names:
                found.append(f"{path.relative_to(translations.ROOT)}:{call.lineno}: {sorted(fields ^ names)}")
    assert not found, found
