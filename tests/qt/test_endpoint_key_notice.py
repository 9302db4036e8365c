"""Without a system keyring, the Add endpoint dialog says where the key will be kept, before the user types it."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from app import paths
from app.chat.endpoints import Endpoints
from app.keystore import FALLBACK_NAME
from app.store import Store
from app.ui.chat.dialogs import EndpointDialog


def test_the_dialog_names_the_key_file_when_there_is_no_keyring(qtbot: QtBot) -> None:
    with Store(paths.database_path()) as store:  # the suite runs with keyring's "no keyring" backend (conftest)
        notice = Endpoints(store).keys.notice
    dialog = EndpointDialog(key_notice=notice)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.key_notice.isVisible()
    assert dialog.key_notice.text() == f"No system keyring: the key is kept in {paths.data_dir() / FALLBACK_NAME}, " \
                                       "readable only by you."  # fmt: skip


def test_with_a_keyring_the_dialog_says_nothing_more(qtbot: QtBot) -> None:
    dialog = EndpointDialog(key_notice="")
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.key_notice.isVisible()
