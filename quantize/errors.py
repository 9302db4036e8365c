"""Typed errors of quantization jobs; their messages are one line for the user."""

from __future__ import annotations

from core.errors import ModelwerkError


class JobFailed(ModelwerkError):
    """An expected job failure (bad input, no disk space, llama.cpp refused); the message is one line."""

    hint = "read the job's log, fix the input, and retry the job"


class JobCancelled(JobFailed):
    """The job was cancelled before it finished."""

    hint = "retry the job to run it again"
