"""The UI's own state file (window geometry, column layout, remembered choices): ui.ini in the data dir."""

from __future__ import annotations

from PySide6.QtCore import QSettings

from app import paths


def ui_state() -> QSettings:
    """Window geometry and layout, kept in the data dir so MODELWERK_HOME isolates it like everything else."""
    return QSettings(str(paths.data_dir() / "ui.ini"), QSettings.Format.IniFormat)
