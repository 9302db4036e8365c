"""Typed settings on top of the store."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from app import paths
from app.settings import (
    DEFAULT_HF_ENDPOINT,
    GIB,
    SETTING_NAMES,
    Settings,
    SettingsError,
    load_settings,
    reset_setting,
    save_setting,
)
from app.store import Store


@pytest.fixture(autouse=True)
def _no_hf_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    # The developer's own mirror setting must not leak into the defaults under test.
    monkeypatch.delenv("HF_ENDPOINT", raising=False)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "modelwerk.db") as opened:
        yield opened


def _raw(store: Store, name: str, text: str) -> None:
    store.execute("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", (name, text))


def test_defaults(store: Store, modelwerk_home: Path) -> None:
    settings = load_settings(store)
    assert settings == Settings()
    assert settings.models_dir == modelwerk_home / "models" == paths.default_models_dir()
    assert settings.hf_endpoint == DEFAULT_HF_ENDPOINT == "https://huggingface.co"
    assert settings.gpu_margin == GIB == 1024**3
    assert settings.threads == 0
    assert settings.parallel_downloads == 2
    assert set(SETTING_NAMES) == {
        "models_dir", "hf_endpoint", "gpu_margin", "threads", "parallel_downloads", "parallel_jobs", "import_mode",
        "import_ask", "usable_speed", "hf_token_ref", "language", "workers",
    }  # fmt: skip
    assert settings.language == "auto"
    assert settings.usable_speed == 5.0


def test_hf_endpoint_env_overrides_the_default(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_ENDPOINT", "https://hf-mirror.example/")
    assert load_settings(store).hf_endpoint == "https://hf-mirror.example"
    # ... but not a value the user saved explicitly.
    save_setting(store, "hf_endpoint", "http://localhost:8080")
    assert load_settings(store).hf_endpoint == "http://localhost:8080"


def test_round_trip(store: Store, tmp_path: Path) -> None:
    save_setting(store, "models_dir", tmp_path / "my models")
    save_setting(store, "hf_endpoint", "https://mirror.example/hf/")
    save_setting(store, "gpu_margin", 512 * 1024**2)
    save_setting(store, "threads", 6)
    save_setting(store, "parallel_downloads", 4)
    assert load_settings(store) == Settings(
        models_dir=tmp_path / "my models",
        hf_endpoint="https://mirror.example/hf",
        gpu_margin=512 * 1024**2,
        threads=6,
        parallel_downloads=4,
    )
    # Stored as JSON, the path as a string.
    row = store.fetchone("SELECT value FROM settings WHERE key = 'models_dir'")
    assert row is not None
    assert json.loads(row["value"]) == str(tmp_path / "my models")


def test_usable_speed_takes_whole_and_fractional_tokens_per_second(store: Store) -> None:
    save_setting(store, "usable_speed", 2.5)
    assert load_settings(store).usable_speed == 2.5
    save_setting(store, "usable_speed", 0)  # judge by fit alone
    assert load_settings(store).usable_speed == 0.0
    _raw(store, "usable_speed", "-3")  # a hand-edited database: the default applies
    assert load_settings(store).usable_speed == 5.0


def test_round_trip_survives_reopen(tmp_path: Path) -> None:
    path = tmp_path / "modelwerk.db"
    with Store(path) as first:
        save_setting(first, "threads", 3)
    with Store(path) as second:
        assert load_settings(second).threads == 3


def test_models_dir_accepts_str_and_makes_it_absolute(store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    save_setting(store, "models_dir", "relative/models")
    assert load_settings(store).models_dir == tmp_path / "relative" / "models"


def test_reset_setting_restores_the_default(store: Store) -> None:
    save_setting(store, "threads", 8)
    reset_setting(store, "threads")
    assert load_settings(store).threads == 0


def test_unknown_name(store: Store) -> None:
    with pytest.raises(SettingsError, match="Unknown setting 'colour'"):
        save_setting(store, "colour", "blue")
    with pytest.raises(SettingsError, match="Unknown setting"):
        reset_setting(store, "colour")


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("threads", -1, "threads must be 0 (auto) or a positive whole number"),
        ("threads", 2.5, "threads must be 0 (auto) or a positive whole number"),
        ("threads", "4", "threads must be 0 (auto) or a positive whole number"),
        ("threads", True, "threads must be 0 (auto) or a positive whole number"),
        ("parallel_downloads", 0, "parallel_downloads must be a whole number from 1 to 8"),
        ("parallel_downloads", 9, "parallel_downloads must be a whole number from 1 to 8"),
        ("parallel_downloads", 2.0, "parallel_downloads must be a whole number from 1 to 8"),
        ("parallel_jobs", 0, "parallel_jobs must be a whole number from 1 to 8"),
        ("parallel_jobs", 9, "parallel_jobs must be a whole number from 1 to 8"),
        ("import_mode", "sideways", "import_mode must be one of copy, move, in_place"),
        ("import_mode", 1, "import_mode must be one of copy, move, in_place"),
        ("import_ask", "false", "import_ask must be true or false"),
        ("import_ask", 0, "import_ask must be true or false"),
        ("usable_speed", -1, "usable_speed must be a number of tokens/s from 0"),
        ("usable_speed", 1001, "usable_speed must be a number of tokens/s from 0"),
        ("usable_speed", float("nan"), "usable_speed must be a number of tokens/s from 0"),
        ("usable_speed", float("inf"), "usable_speed must be a number of tokens/s from 0"),
        ("usable_speed", "5", "usable_speed must be a number of tokens/s from 0"),
        ("usable_speed", True, "usable_speed must be a number of tokens/s from 0"),
        ("gpu_margin", -5, "gpu_margin must be a whole number of bytes, 0 or more"),
        ("gpu_margin", None, "gpu_margin must be a whole number of bytes, 0 or more"),
        ("hf_endpoint", "ftp://example.com", "hf_endpoint must be an http:// or https:// address"),
        ("hf_endpoint", "huggingface.co", "hf_endpoint must be an http:// or https:// address"),
        ("hf_endpoint", 42, "hf_endpoint must be an http:// or https:// address"),
        ("models_dir", "", "models_dir must be an absolute folder path"),
        ("models_dir", 7, "models_dir must be an absolute folder path"),
    ],
)
def test_validation_errors(store: Store, name: str, value: object, message: str) -> None:
    with pytest.raises(SettingsError) as info:
        save_setting(store, name, value)
    assert str(info.value).startswith(message)
    assert "\n" not in str(info.value)
    assert store.fetchall("SELECT * FROM settings") == []  # nothing stored


def test_models_dir_must_not_be_a_file(store: Store, tmp_path: Path) -> None:
    blocker = tmp_path / "file.bin"
    blocker.write_bytes(b"x")
    with pytest.raises(SettingsError, match="is a file"):
        save_setting(store, "models_dir", blocker)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("threads", "not json"),
        ("threads", "-3"),
        ("threads", '"eight"'),
        ("gpu_margin", "1.5"),
        ("hf_endpoint", '"gopher://x"'),
        ("models_dir", '"relative/path"'),
        ("models_dir", "null"),
    ],
)
def test_corrupted_stored_value_falls_back_to_the_default(
    store: Store, caplog: pytest.LogCaptureFixture, name: str, text: str
) -> None:
    save_setting(store, "gpu_margin" if name != "gpu_margin" else "threads", 5)  # a good neighbour survives
    _raw(store, name, text)
    with caplog.at_level(logging.WARNING, logger="app.settings"):
        settings = load_settings(store)
    assert getattr(settings, name) == getattr(Settings(), name)
    assert (settings.gpu_margin if name != "gpu_margin" else settings.threads) == 5
    assert any(name in record.getMessage() and record.levelno == logging.WARNING for record in caplog.records)


def test_unknown_stored_keys_are_ignored(store: Store) -> None:
    _raw(store, "from_a_newer_version", '"whatever"')
    assert load_settings(store) == Settings()


def test_settings_are_frozen() -> None:
    settings = Settings()
    with pytest.raises(AttributeError):
        settings.threads = 3  # type: ignore[misc]


def test_save_settings_stores_all_or_nothing(store: Store) -> None:
    from app.settings import SettingsError, save_settings

    with pytest.raises(SettingsError, match="hf_endpoint must be an http"):
        save_settings(store, {"threads": 4, "hf_endpoint": "ftp://mirror"})
    assert load_settings(store).threads == 0  # the valid one was not stored either
    save_settings(store, {"threads": 4, "parallel_jobs": 3})
    assert (load_settings(store).threads, load_settings(store).parallel_jobs) == (4, 3)


def test_validate_setting_wants_an_absolute_models_dir_and_refuses_a_file(tmp_path: Path) -> None:
    from app.settings import SettingsError, validate_setting

    with pytest.raises(SettingsError, match="absolute"):
        validate_setting("models_dir", "models")
    (tmp_path / "f").write_text("x")
    with pytest.raises(SettingsError, match="is a file"):
        validate_setting("models_dir", str(tmp_path / "f"))
    assert validate_setting("models_dir", str(tmp_path)) == tmp_path
    assert validate_setting("hf_token_ref", "hf-token-abc123") == "hf-token-abc123"
    with pytest.raises(SettingsError, match="hf_token_ref"):
        validate_setting("hf_token_ref", "hf_secret value")
    assert validate_setting("language", "de") == "de"
    with pytest.raises(SettingsError, match="language must be one of auto, en, de"):
        validate_setting("language", "fr")


def test_workers_are_host_port_entries_with_an_optional_memory(store: Store) -> None:
    save_setting(store, "workers", ["127.0.0.1:50052", " gpu-box:50053/8 ", "127.0.0.1:50052", "[::1]:7000/0.5"])
    assert load_settings(store).workers == ("127.0.0.1:50052", "gpu-box:50053/8", "[::1]:7000/0.5")
    for bad, match in ((["no port:x"], "HOST:PORT"), (["h:1/-3"], "positive number of GiB"), ("h:1", "a list"),
                       (["h:1/lots"], "positive number of GiB, not lots"),
                       (["http://127.0.0.1:50062"], "has no scheme: write HOST:PORT")):  # fmt: skip
        with pytest.raises(SettingsError, match=match):
            save_setting(store, "workers", bad)
