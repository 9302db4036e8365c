"""Remote endpoints: URL validation and normalisation, storage, the key kept out of reprs and logs."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from app.chat.endpoints import EndpointNotFound, Endpoints, InvalidEndpoint, normalise_url
from app.store import Store


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://localhost:8000", "http://localhost:8000/v1"),
        ("http://localhost:8000/", "http://localhost:8000/v1"),
        ("http://localhost:8000/v1", "http://localhost:8000/v1"),
        ("  HTTPS://Example.COM/v1/ ", "https://example.com/v1"),
        ("localhost:11434", "http://localhost:11434/v1"),
        ("https://openrouter.ai/api/v1", "https://openrouter.ai/api/v1"),
        ("http://10.0.0.5:8080/v1/chat/completions", "http://10.0.0.5:8080/v1"),
        ("http://[::1]:8000", "http://[::1]:8000/v1"),
    ],
)
def test_normalise_url(url: str, expected: str) -> None:
    assert normalise_url(url) == expected


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("", "Enter the server's URL"),
        ("ftp://host/v1", "must start with http:// or https://"),
        ("http://", "no host name"),
        ("http://host:99999/v1", "not a valid URL"),
        ("http://user:secret@host/v1", "API key field"),
        ("http://host/v1?x=1", "?query"),
    ],
)
def test_bad_urls_are_refused_with_one_line(url: str, reason: str) -> None:
    with pytest.raises(InvalidEndpoint) as info:
        normalise_url(url)
    assert reason in str(info.value) and "\n" not in str(info.value)
    assert "secret" not in str(info.value)


def test_add_list_update_remove(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with Store(tmp_path / "modelwerk.db") as store:
        endpoints = Endpoints(store)
        vllm = endpoints.add("vLLM box", "http://gpu-box:8000", api_key=" sk-very-secret ")
        local = endpoints.add("", "http://localhost:8080/v1")
        assert vllm.url == "http://gpu-box:8000/v1" and vllm.api_key == "sk-very-secret" and vllm.has_key
        assert local.name == "localhost" and not local.has_key
        assert endpoints.list() == [vllm, local]
        assert Endpoints(store).get(vllm.id) == vllm
        assert "sk-very-secret" not in repr(vllm) and "sk-very-secret" not in str(vllm)
        changed = endpoints.update(vllm.id, url="http://gpu-box:9000", api_key="sk-other-secret")
        assert changed.url == "http://gpu-box:9000/v1" and changed.name == "vLLM box"
        assert endpoints.get(vllm.id) == changed
        with pytest.raises(InvalidEndpoint):
            endpoints.add("x", "gopher://x")
        endpoints.remove(local.id)
        endpoints.remove(local.id)  # harmless
        assert endpoints.list() == [changed]
        with pytest.raises(EndpointNotFound):
            endpoints.get(local.id)
    assert "secret" not in caplog.text
