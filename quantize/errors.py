"""Typed errors of quantization jobs; their messages are one line for the user."""

from __future__ import annotations

from core.errors import ModelwerkError
from core.messages import N_


class JobFailed(ModelwerkError):
    """An expected job failure (bad input, no disk space, llama.cpp refused); the message is one line."""

    hint = N_("read the job's log, fix the input, and retry the job")


class JobCancelled(JobFailed):
    """The job was cancelled before it finished."""

    hint = N_("retry the job to run it again")
