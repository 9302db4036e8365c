"""The GUI's one place for errors: an expected one becomes the line a page shows, anything else (a bug) goes to the
crash dialog with the log path, and the page still gets a line so it can leave its busy state."""

from __future__ import annotations

from app.ui.common.messages import text
from core.errors import is_expected, user_message


def error_text(exc: BaseException) -> str:
    """The one line a page shows for the error its action raised, in the interface language where the error carries a
    ``core.messages.Message`` (and its hint, marked ``N_``); a bug is also logged and reported in the crash dialog."""
    if not is_expected(exc):
        from app.ui.app import report_bug  # the crash dialog lives with the application's hooks

        report_bug(exc)
    return error_line(exc)


def error_line(exc: BaseException) -> str:
    """The line for an error in the interface language, without reporting a bug (``user_message``'s "bug: ..." line)."""
    return user_message(exc, text)
