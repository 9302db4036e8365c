"""The GUI's catalogues (resources/translations): complete, in step with the code, and compiled."""

from __future__ import annotations

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


def test_the_gui_translates_every_fit_reason() -> None:
    # app/ui/common/verdicts.py lists hardware.fit's sentences for the catalogue: the English text is the lookup key.
    from hardware.fit import REASONS

    listed = {text for context, text in translations.source_texts(translations.SOURCES / "common") if context == "Verdicts"}
    assert set(REASONS.values()) <= listed, "app/ui/common/verdicts.py's REASONS must equal hardware.fit.REASONS"


def test_the_gui_translates_every_advice_sentence() -> None:
    # app/ui/hardware/advice_text.py lists hardware.advice's sentences for the catalogue: the English text is the key.
    from hardware.advice import PHRASES, WHERE

    listed = {text for context, text in translations.source_texts(translations.SOURCES / "hardware") if context == "Advice"}
    assert set(PHRASES.values()) | set(WHERE.values()) <= listed
