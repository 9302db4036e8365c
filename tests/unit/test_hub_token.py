"""The Hugging Face token set in Settings: kept in the key store, referenced from the settings table, used per request."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from app import paths
from app.hub.client import hf_client
from app.hub.token import HubToken, check_token
from app.keystore import KeyStore
from app.settings import SettingsError, load_settings
from app.store import Store
from app.workbench import Workbench


def test_the_token_goes_to_the_key_store_and_the_database_keeps_only_a_reference(modelwerk_home: Path) -> None:
    with Store.open(paths.database_path()) as store:
        token = HubToken(store, KeyStore(modelwerk_home, backend=None))
        assert not token.stored and token.get() == ""
        token.set("  hf_secretvalue123  ")
        ref = load_settings(store).hf_token_ref
        assert token.stored and ref.startswith("hf-token-") and token.get() == "hf_secretvalue123"
        rows = [tuple(r) for r in store.fetchall("SELECT key, value FROM settings")]
        assert "hf_secretvalue123" not in repr(rows)
        keys_file = modelwerk_home / "keys.json"
        assert "hf_secretvalue123" in keys_file.read_text() and stat.S_IMODE(keys_file.stat().st_mode) == 0o600
        token.set("hf_other")  # replacing drops the old one
        assert "hf_secretvalue123" not in keys_file.read_text()
        token.remove()
        assert not token.stored and load_settings(store).hf_token_ref == "" and "hf_other" not in keys_file.read_text()


@pytest.mark.parametrize("bad", ["", "   ", "hf_two words", "hf_\u00e9"])
def test_check_token_refuses_what_cannot_be_a_token(bad: str) -> None:
    with pytest.raises(SettingsError):
        check_token(bad)


def test_the_hub_client_reads_the_stored_token_per_request(modelwerk_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.setenv("HF_HUB_DISABLE_IMPLICIT_TOKEN", "1")  # not the developer's `hf auth login`
    with Workbench() as wb:
        client = wb.hub
        assert "authorization" not in {k.lower() for k in client.headers()}
        wb.hub_token.set("hf_fromsettings")
        assert client.headers()["authorization"] == "Bearer hf_fromsettings"  # the running client, no restart
        # The CLI's client (a new process) finds it through the setting.
        assert hf_client(load_settings(wb.store)).headers()["authorization"] == "Bearer hf_fromsettings"
        wb.hub_token.remove()
        assert "authorization" not in {k.lower() for k in client.headers()}
