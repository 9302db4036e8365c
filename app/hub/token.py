"""The user's Hugging Face token, kept like the endpoints' API keys: in the system keyring or a file only the user can read
(app.keystore). The settings table keeps only a random reference to it (the ``hf_token_ref`` setting), never the token.

Without a token of its own, Modelwerk uses huggingface_hub's: ``$HF_TOKEN`` or what `hf auth login` stored.
"""

from __future__ import annotations

import os
import threading

from app.keystore import KeyStore, new_ref
from app.settings import HF_TOKEN_REF_PREFIX, SettingsError, load_settings, reset_setting, save_setting
from app.store import Store
from core.messages import Message

__all__ = ["HubToken", "check_token"]


def check_token(value: str) -> str:
    """The token as it will be stored (spaces around it dropped).

    Raises:
        SettingsError: empty, or not one word of plain characters (one line that says what to paste).
    """
    token = value.strip()
    if not token:
        raise SettingsError(Message("The token is empty: paste a token from huggingface.co/settings/tokens, e.g. hf_…"))
    if not token.isascii() or not token.isprintable() or any(c.isspace() for c in token):
        raise SettingsError(Message("The token must be one word without spaces: paste it from huggingface.co/settings/tokens"))
    return token


class HubToken:
    """Where the token is; ``get`` reads it (the keyring may talk to D-Bus: call it off the GUI thread)."""

    def __init__(self, store: Store, keys: KeyStore, *, ref: str | None = None) -> None:
        """``ref``: the stored reference when the caller has the settings already (else read from ``store``)."""
        self._store = store
        self.keys = keys
        self._ref = load_settings(store).hf_token_ref if ref is None else ref
        self._lock = threading.Lock()

    @property
    def stored(self) -> bool:
        """Whether Modelwerk keeps a token of its own (known without asking the keyring)."""
        return bool(self._ref)

    def get(self) -> str:
        """The stored token; "" when there is none (huggingface_hub's own then applies)."""
        with self._lock:
            ref = self._ref
        return self.keys.get(ref)

    def set(self, value: str) -> None:
        """Keep ``value`` (checked by ``check_token``) as the token, replacing a stored one.

        Raises:
            SettingsError: not a token. KeyStoreError, StoreError: it could not be stored (the old one stays).
        """
        token = check_token(value)
        with self._lock:
            ref = new_ref(HF_TOKEN_REF_PREFIX.rstrip("-"))
            self.keys.set(ref, token)
            try:
                save_setting(self._store, "hf_token_ref", ref)
            except Exception:
                self.keys.delete(ref)
                raise
            old, self._ref = self._ref, ref
            self.keys.delete(old)

    def remove(self) -> None:
        """Forget the stored token.

        Raises:
            StoreError: the reference could not be removed from the database.
        """
        with self._lock:
            reset_setting(self._store, "hf_token_ref")
            old, self._ref = self._ref, ""
            self.keys.delete(old)

    @property
    def fallback(self) -> str:
        """What applies without a stored token, in words (for the Settings dialog)."""
        if os.environ.get("HF_TOKEN", "").strip():
            return "HF_TOKEN from the environment"
        return "none (or the one `hf auth login` saved)"
