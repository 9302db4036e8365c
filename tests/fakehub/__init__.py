"""A local fake of the Hugging Face Hub for tests: ``from fakehub import FakeHub, VirtualFile, Fault``."""

from __future__ import annotations

from .content import VirtualFile, cache_dir
from .repo import Fault, Repo
from .server import TEST_TOKEN, FakeHub, RequestRecord, closed_port_url

__all__ = ["TEST_TOKEN", "FakeHub", "Fault", "Repo", "RequestRecord", "VirtualFile", "cache_dir", "closed_port_url"]
