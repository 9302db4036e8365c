"""Where a Library model came from, in the interface's language: the catalog stores its source as one English line
("quantized from MODEL with TYPE"), written by the jobs and the importer; the GUI reads the known forms back and says
them in German too. An unknown form (an older version's, a hand-edited database) is shown as stored."""

from __future__ import annotations

import re

from app.library.catalog import SOURCE_FOUND, SOURCE_IMPORTED
from app.ui.common.i18n import QT_TRANSLATE_NOOP, translate
from core.messages import fill

_FORMS = [
    (re.compile(r"downloaded from (?P<repo>.+)"), QT_TRANSLATE_NOOP("Library", "downloaded from {repo}")),
    (re.compile(r"quantized from (?P<model>.+) with GPTQ (?P<bits>\S+)-bit"),
     QT_TRANSLATE_NOOP("Library", "quantized from {model} with GPTQ {bits}-bit")),
    (re.compile(r"quantized from (?P<model>.+) with (?P<type>\S+)"),
     QT_TRANSLATE_NOOP("Library", "quantized from {model} with {type}")),
    (re.compile(r"converted from (?P<model>.+) to (?P<type>\S+)"),
     QT_TRANSLATE_NOOP("Library", "converted from {model} to {type}")),
    (re.compile(r"demo model \((?P<model>.+), from the (?P<package>\S+) package\)"),
     QT_TRANSLATE_NOOP("Library", "demo model ({model}, from the {package} package)")),
]  # fmt: skip


def source_text(source: str) -> str:
    """``source`` (a catalog entry's) in the interface's language."""
    if source == SOURCE_IMPORTED:
        return translate("Library", "imported")
    if source == SOURCE_FOUND:
        return translate("Library", "found in the models folder")
    for pattern, template in _FORMS:
        m = pattern.fullmatch(source)
        if m is not None:
            return fill(translate("Library", template), m.groupdict())  # not str.format: a name may hold "{...}"
    return source
