"""Typed errors of quantization jobs; their messages are one line for the user."""

from __future__ import annotations


class JobFailed(Exception):
    """An expected job failure (bad input, no disk space, llama.cpp refused); the message is one line."""


class JobCancelled(JobFailed):
    """The job was cancelled before it finished."""
