"""The interface's languages: English (the source text) and German (resources/translations/modelwerk_de.ts).

Convention: every user-visible string in app/ui goes through ``translate(context, text)`` with a literal context that
names the page or dialog ("MainWindow", "Hardware", "Library", "Chat", "Settings"...). Not ``self.tr``: PySide6's
``tr`` looks up the runtime class's name, so a subclass would miss the context lupdate recorded for its base class.
Placeholders are Python ``{name}`` fields filled by ``.format`` after translating; counts use Qt's ``%n`` with
the count as the fourth argument (German has its own plural forms). lupdate's Python parser is easily lost: pass only
literals and plain names to ``translate`` (``translate("Jobs", "%n job(s)", None, count)``, never an expression such
as ``a // b``), or it drops the call without a word; a test compares its catalogue with the calls in the code. Names
stay as they are: GGUF, Q4_K_M, llama.cpp, VRAM, Hugging Face.

``make translations`` (tools/translations.py) runs pyside6-lupdate over app/ui (new texts appear as unfinished) and
pyside6-lrelease; the compiled ``.qm`` files are committed, and tests fail when one is stale or a text unfinished.
The command line stays English: only the GUI installs a translator.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from app.paths import resource_path

log = logging.getLogger(__name__)

LANGUAGES = {"en": "English", "de": "Deutsch"}
"""The interface languages, by code, in their own names (what the Settings dialog lists)."""
_LOCALES = {"en": QLocale(QLocale.Language.English, QLocale.Country.UnitedStates),
            "de": QLocale(QLocale.Language.German, QLocale.Country.Germany)}  # fmt: skip
_installed: list[QTranslator] = []
_language = "en"


def translate(context: str, text: str, disambiguation: str | None = None, n: int = -1) -> str:
    """``text`` in the interface language (itself in English); ``n`` picks the plural form of a ``%n`` text."""
    return QCoreApplication.translate(context, text, disambiguation, n)


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:
    """Mark ``text`` for the catalogue where it cannot be translated yet (a constant); ``translate`` it when shown."""
    return text


def resolve(setting: str) -> str:
    """The language code a setting means: ``auto`` follows the system locale (German if it is German, else English)."""
    if setting in LANGUAGES:
        return setting
    system = QLocale.system().name().split("_")[0]
    return system if system in LANGUAGES else "en"


def install(setting: str) -> str:
    """Switch the application to the language ``setting`` means (translators and number formats); returns its code.

    Widgets built before the switch keep their texts: the window is built after it (a change applies on restart).
    """
    global _language
    app = QCoreApplication.instance()
    assert app is not None, "install() needs the application object"
    for old in _installed:
        app.removeTranslator(old)
    _installed.clear()
    _language = resolve(setting)
    # Widgets (spin boxes, date edits) write numbers the default locale's way: the system's own while it speaks the
    # interface language (an English user in Britain keeps day/month), else the language's usual country.
    system = QLocale.system()
    speaks = system.name().split("_")[0] == _language or (_language == "en" and system.language() == QLocale.Language.C)
    QLocale.setDefault(system if speaks else _LOCALES[_language])
    # English has a catalogue too: the plural forms of its %n texts ("1 file", "2 files"; lupdate -pluralonly).
    catalogues = [(str(resource_path("translations")), f"modelwerk_{_language}")]
    if _language != "en":
        catalogues.append((QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath), f"qtbase_{_language}"))
    for folder, name in catalogues:
        translator = QTranslator(app)
        if translator.load(name, folder):
            app.installTranslator(translator)
            _installed.append(translator)
        else:
            log.warning("no %s catalogue in %s: those texts stay in their source form", name, folder)
    return _language


def language() -> str:
    """The code of the interface language now installed ("en" until ``install`` switches)."""
    return _language


def locale() -> QLocale:
    """How the interface writes numbers and dates: 1,234.5 in English, 1.234,5 in German."""
    return _LOCALES[_language]
