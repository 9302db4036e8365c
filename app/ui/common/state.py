"""The UI's own state file, ui.ini in the data dir: window geometry and state, the last page shown, the Library's header
and splitter layout.

Only Qt's opaque blobs (``saveGeometry``, ``saveState``) and where the user left the window live here: they belong to one
display and one screen layout, are no choices the user makes, and are worth nothing outside Qt. Preferences (what the
user chose, e.g. the import mode or how many jobs run at once) are settings, in the database's settings table
(app.settings), with the one migration scheme of app.store; an older Modelwerk kept the import choices here, and
app.store's migration 8 moved them.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings

from app import paths


def ui_state() -> QSettings:
    """Window geometry and layout, kept in the data dir so MODELWERK_HOME isolates it like everything else."""
    return QSettings(str(paths.data_dir() / "ui.ini"), QSettings.Format.IniFormat)
