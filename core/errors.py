"""The root of every expected error, and the one place that turns an error into what the user reads.

An *expected* error is a ``ModelwerkError``: bad input, a missing file, no network, a refused licence. It carries a one-line
message, a ``hint`` (what to do about it) and, where it applies, structured fields (``path``, ``repo_id``, ``job_id``), so
callers and tests need not parse the text. Every other exception (``KeyError``, ``TypeError``...) is a bug: the faces log
its traceback and say so (the GUI's crash dialog, the CLI's ``bug:`` line), never pass it off as the user's mistake.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from core.messages import N_, Message, Text


class ModelwerkError(Exception):
    """An expected failure the user can act on.

    Subclasses set a class-level ``hint`` (marked ``N_`` for the GUI's catalogue); an instance may pass a more precise
    one. The message and the hint may be a ``core.messages.Message``, which the GUI shows in its language; ``str(e)`` is
    the English message alone, one line; ``user_message(e)`` is what a face shows.

    Attributes:
        hint: what the user can do about it (never empty).
        path: the file or folder concerned, if any.
        repo_id: the Hugging Face repository concerned, if any.
        job_id: the job concerned, if any.
    """

    hint: str = N_("see the log for details")
    path: Path | None = None
    repo_id: str | None = None
    job_id: int | None = None

    def __init__(
        self,
        message: Text = "",
        *args: object,
        hint: Text | None = None,
        path: Path | str | None = None,
        repo_id: str | None = None,
        job_id: int | None = None,
    ) -> None:
        super().__init__(str(message), *args)
        self.message_text = message
        """The message as given: a Message keeps its template and values for the GUI."""
        self.hint_text: Text = self.hint if hint is None else hint
        self._own_hint = hint is not None
        if hint is not None:
            self.hint = str(hint)
        if path is not None:
            self.path = Path(path)
        if repo_id is not None:
            self.repo_id = repo_id
        if job_id is not None:
            self.job_id = job_id


def first_line(exc: BaseException) -> str:
    """The first non-empty line of ``str(exc)``, or the exception's class name when it has no text."""
    for line in str(exc).splitlines():
        if line.strip():
            return line.strip()
    return type(exc).__name__


def message_of(exc: BaseException) -> Text:
    """The error's first line, as the Message it was raised with when that is the whole of it (a GUI translates it)."""
    line = first_line(exc)
    message = getattr(exc, "message_text", None)
    return message if isinstance(message, Message) and str(message) == line else line


def said(exc: BaseException) -> Text:
    """``str(exc)``, as the Message it was raised with where that is all of it: to pass an error's text on inside another
    error or message (the GUI translates it; the English stays ``str(exc)``)."""
    message = getattr(exc, "message_text", None)
    return message if isinstance(message, Message) and str(message) == str(exc) else str(exc)


def is_expected(exc: BaseException) -> bool:
    """An error the user can act on, as opposed to a bug: a ``ModelwerkError``, or an ``OSError`` (the machine refused: a
    missing or unreadable file, a full disk), whose message names the file and the reason."""
    return isinstance(exc, (ModelwerkError, OSError))


def user_message(exc: BaseException, render: Callable[[Text], str] = str) -> str:
    """The one line a face shows for an expected error: its message, then its hint when one was given for this case
    (messages that already say what to do keep their class hint for the details, so it is not said twice).

    For anything that is not expected (a bug) this is ``"bug: <Type>: <first line>"``; the faces add where
    the log is. ``render`` writes a message (English by default; the GUI passes its translation).
    """
    if not is_expected(exc):
        return f"bug: {type(exc).__name__}: {first_line(exc)}"
    if not isinstance(exc, ModelwerkError):
        return first_line(exc)
    line = render(message_of(exc)).strip()
    hint_text = getattr(exc, "hint_text", exc.hint)
    hint = render(hint_text if str(hint_text) == exc.hint else exc.hint).strip()
    if getattr(exc, "_own_hint", False) and hint and hint.lower() not in line.lower():
        line = f"{line} — {hint}" if line != type(exc).__name__ else hint
    return line


def user_said(exc: BaseException) -> Text:
    """``user_message(exc)`` as a Message where the error was raised with one (a GUI shows it in its language, for a note
    or a list); its English text is ``user_message(exc)``'s, else that text itself."""
    english = user_message(exc)
    if not isinstance(exc, ModelwerkError):
        return english
    line = message_of(exc)
    if str(line).strip() == english:
        return line
    hint_text = getattr(exc, "hint_text", exc.hint)
    said = Message("{message} — {hint}", message=line, hint=hint_text if str(hint_text) == exc.hint else exc.hint)
    return said if str(said) == english else english
