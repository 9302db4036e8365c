"""A hostile hub or repository against the hub client: the token stays on the endpoint, and a GGUF header on the hub
costs a bounded number of bytes and of memory to check (issue 13, items 6 and 7)."""

from __future__ import annotations

import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest
from fakehub import TEST_TOKEN, FakeHub
from fakehub.hostile import ENDLESS_VOCAB, HUGE_STRING, hostile_repos
from fakehub.llama8b import BARTOWSKI, llama8b_gguf_repo
from fakehub.repos import tiny_gguf_repo
from fixtures.hardware_reports import desktop_24gb

from app.hub.client import HubClient
from app.hub.remote_fit import REMOTE_MAX_BYTES, TOO_LARGE_BADGE, fit_files, open_remote
from formats.gguf import MAX_ARRAY_ITEMS, HeaderLimits, HeaderTooLarge, read_gguf_header_from


@pytest.fixture
def client(fakehub: FakeHub, tmp_path: Path) -> HubClient:
    return HubClient(fakehub.url, token=TEST_TOKEN, timeout_s=30, cache_dir=tmp_path / "hub-cache")


@pytest.fixture
def elsewhere() -> Iterator[FakeHub]:
    """Another host (another port of 127.0.0.1 is another origin) that records what it is sent."""
    with FakeHub() as other:
        yield other


def _served(hub: FakeHub) -> int:
    return sum(r.sent for r in hub.requests if "/resolve/" in r.path)


# --- item 6: the token goes to the configured endpoint only ----------------------------------------------------------


def test_a_next_page_on_another_host_is_not_followed(client: HubClient, fakehub: FakeHub, elsewhere: FakeHub) -> None:
    tiny_gguf_repo(fakehub)
    for n in range(3):
        fakehub.add_repo(f"someone/model-{n}-GGUF", {"m.gguf": b"GGUF"}, tags=("gguf",), downloads=10 - n)
    fakehub.link_base = elsewhere.url  # the hub's Link: <http://127.0.0.1:OTHER/api/models?cursor=...>; rel="next"
    first = client.search("model-", page_size=2)
    assert [r.repo_id for r in first.results] == ["someone/model-0-GGUF", "someone/model-1-GGUF"]
    assert not first.has_more  # paging stops where the hub pointed away from itself
    again = client.search("model-", page=1, page_size=2)  # no cursor kept: asked of the hub itself, from the start
    assert [r.repo_id for r in again.results] == ["someone/model-2-GGUF"]
    assert elsewhere.requests == []
    assert fakehub.requests and all(r.headers.get("Authorization") == f"Bearer {TEST_TOKEN}" for r in fakehub.requests)


def test_the_token_never_leaves_the_endpoint(client: HubClient, elsewhere: FakeHub) -> None:
    """Defence in depth: whatever asks this client for a URL off its endpoint, the request carries no token."""
    assert client.on_endpoint(client.endpoint + "/api/models?cursor=x")
    assert not client.on_endpoint(elsewhere.url + "/api/models")
    assert not client.on_endpoint(client.endpoint.replace("http://", "https://"))
    client._get(elsewhere.url + "/api/models")
    [request] = elsewhere.requests
    assert "Authorization" not in request.headers


# --- item 7: a remote header's cost is capped -----------------------------------------------------------------------


def test_a_declared_256_mib_string_is_not_fetched(client: HubClient, fakehub: FakeHub) -> None:
    hostile_repos(fakehub)
    details = client.repo(HUGE_STRING)
    fakehub.clear_requests()
    tracemalloc.start()
    try:
        [fit] = fit_files(client, HUGE_STRING, details.groups, desktop_24gb())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert fit.report is None and fit.badge == TOO_LARGE_BADGE
    assert "268,435,456 bytes" in fit.error and fit.error.startswith("Not checked")
    assert _served(fakehub) <= 1 << 20  # the first 64 KiB read holds the whole declaration (before: 256 MiB)
    assert peak < 8 << 20  # before: about 1 GB


def test_a_header_walk_past_the_budget_stops_there(client: HubClient, fakehub: FakeHub) -> None:
    hostile_repos(fakehub)
    details = client.repo(ENDLESS_VOCAB)
    fakehub.clear_requests()
    [fit] = fit_files(client, ENDLESS_VOCAB, details.groups, desktop_24gb())
    assert fit.report is None and fit.badge == TOO_LARGE_BADGE
    assert _served(fakehub) <= REMOTE_MAX_BYTES + (1 << 20)  # 80 MB of vocabulary declared


def test_a_real_large_header_is_well_inside_the_budget(client: HubClient, fakehub: FakeHub) -> None:
    """Llama 3.1 8B's header (128k tokens, 280k merges: the largest kind of vocabulary there is) under the caps."""
    llama8b_gguf_repo(fakehub)
    [q4] = [g for g in client.repo(BARTOWSKI).groups if g.quant == "Q4_K_M"]
    f = q4.files[0]
    with open_remote(client, BARTOWSKI, f.path, size=f.size) as rf:
        header = read_gguf_header_from(rf, name=Path(f.path), size=f.size, max_array_items=MAX_ARRAY_ITEMS,  # type: ignore[arg-type]
                                       limits=HeaderLimits(max_string=1 << 20, max_text=8 << 20))  # fmt: skip
        assert rf.bytes_fetched < REMOTE_MAX_BYTES // 2, rf.bytes_fetched
    assert header.data_offset > 4 << 20  # a header of several MB: the cap is not tight against real files
    with (
        open_remote(client, BARTOWSKI, f.path, size=f.size, max_bytes=1 << 20) as rf,
        pytest.raises(HeaderTooLarge, match="1,048,576 bytes"),
    ):
        read_gguf_header_from(rf, name=Path(f.path), size=f.size, max_array_items=MAX_ARRAY_ITEMS)  # type: ignore[arg-type]
