"""The data directory and the folders inside it."""

from __future__ import annotations

from pathlib import Path

import platformdirs
import pytest

from app import paths


def test_modelwerk_home_is_honoured_and_created(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "elsewhere" / "home"
    monkeypatch.setenv("MODELWERK_HOME", str(home))
    assert paths.data_dir() == home
    assert home.is_dir()


def test_autouse_fixture_isolates_the_data_dir(modelwerk_home: Path) -> None:
    assert paths.data_dir() == modelwerk_home


def test_modelwerk_home_expands_user(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("USERPROFILE", str(tmp_path))  # what expanduser reads on Windows
    monkeypatch.setenv("MODELWERK_HOME", "~/mw")
    assert paths.data_dir() == tmp_path / "mw"
    assert (tmp_path / "mw").is_dir()


def test_platform_dir_when_unset(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MODELWERK_HOME")
    calls: list[tuple[str, object]] = []

    def fake_user_data_dir(appname: str, appauthor: object = None) -> str:
        calls.append((appname, appauthor))
        return str(tmp_path / "platform" / appname)

    monkeypatch.setattr(platformdirs, "user_data_dir", fake_user_data_dir)
    assert paths.data_dir() == tmp_path / "platform" / "Modelwerk"
    assert calls == [("Modelwerk", False)]
    assert (tmp_path / "platform" / "Modelwerk").is_dir()


def test_helpers_live_inside_the_data_dir(modelwerk_home: Path) -> None:
    assert paths.database_path() == modelwerk_home / "modelwerk.db"
    assert not paths.database_path().exists()  # the store creates the file, not paths
    assert paths.log_dir() == modelwerk_home / "logs"
    assert paths.log_dir().is_dir()
    assert paths.cache_dir() == modelwerk_home / "cache"
    assert paths.cache_dir().is_dir()
    assert paths.default_models_dir() == modelwerk_home / "models"


def test_uncreatable_data_dir_raises_a_typed_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("MODELWERK_HOME", str(blocker / "home"))
    with pytest.raises(paths.DataDirError, match="Cannot create the Modelwerk folder"):
        paths.data_dir()
