"""The fake hub answers the real huggingface_hub client like the Hugging Face Hub does."""

from __future__ import annotations

import hashlib
import http.client
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from fakehub import FakeHub, Fault, VirtualFile, closed_port_url
from fakehub.llama8b import BARTOWSKI, llama8b_gguf_repo
from fakehub.repos import GATED_GGUF, TINY, TINY_GGUF, TINY_GPTQ, demo_hub, gated_repo, tiny_gguf_repo
from fakehub.virtual_models import LLAMA31_8B, gguf_files
from huggingface_hub import HfApi, hf_hub_download
from huggingface_hub.errors import (
    EntryNotFoundError,
    GatedRepoError,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)

Q4 = "Tiny-Q4_K_M.gguf"


@pytest.fixture
def hub(fakehub: FakeHub) -> FakeHub:
    return demo_hub(fakehub, big=False)


@pytest.fixture
def api(hub: FakeHub) -> HfApi:
    return HfApi(endpoint=hub.url, token=False)


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """A raw GET (urllib: no retries, no redirects of our own) -> (status, headers, body)."""
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def test_search_filters_sorts_and_pages(hub: FakeHub, api: HfApi) -> None:
    ids = [m.id for m in api.list_models(search="ModelWerk", sort="downloads")]
    assert ids == [TINY, TINY_GGUF, TINY_GPTQ, GATED_GGUF]
    assert [m.id for m in api.list_models(filter="gguf", search="TINY", sort="likes")] == [TINY_GGUF]
    assert [m.id for m in api.list_models(filter=["gptq"])] == [TINY_GPTQ]
    quants = {m.id for m in api.list_models(filter=f"base_model:quantized:{TINY}")}
    assert quants == {TINY_GGUF, TINY_GPTQ, GATED_GGUF}
    first = next(iter(api.list_models(search="Tiny", sort="downloads", expand=["downloads", "gated", "safetensors"])))
    assert (first.downloads, first.gated, first.safetensors.total > 0, first.likes) == (4321, False, True, None)

    hub.page_size = 1  # every page has one result: huggingface_hub follows the Link header
    assert [m.id for m in api.list_models(author="modelwerk-test", sort="downloads")] == ids
    searches = [r for r in hub.requests if r.path == "/api/models" and r.query.get("author")]
    assert len(searches) == 4 and "cursor" in searches[-1].query
    status, headers, _ = get(f"{hub.url}/api/models?search=tiny&limit=2")
    assert status == 200 and 'rel="next"' in headers["Link"]


def test_model_info_has_sizes_sha256_card_and_config(hub: FakeHub, api: HfApi) -> None:
    info = api.model_info(TINY_GGUF, files_metadata=True)
    files = {s.rfilename: s for s in info.siblings}
    local = hub.repos[TINY_GGUF].main.files[Q4].path
    assert files[Q4].size == local.stat().st_size
    assert files[Q4].lfs.sha256 == hashlib.sha256(local.read_bytes()).hexdigest()
    assert files["README.md"].lfs is None and files["README.md"].blob_id
    assert {"Tiny-F16-00001-of-00002.gguf", "Tiny-Q8_0.gguf", "Tiny-Q4_0.gguf"} < set(files)
    assert info.card_data.base_model == TINY and "gguf" in info.tags and info.sha == hub.repos[TINY_GGUF].main.sha
    gptq = api.model_info(TINY_GPTQ, revision="gptq-8bit-32g-actorder_True")
    assert gptq.config["quantization_config"]["bits"] == 8
    assert api.model_info(TINY_GPTQ).config["quantization_config"]["group_size"] == 128


def test_tree_and_refs(hub: FakeHub, api: HfApi) -> None:
    hub.add_repo("t/folders", {"a/b/c.txt": b"c", "a/d.bin": b"d" * 10, "top.txt": b"t"})
    tree = {e.path: e for e in api.list_repo_tree("t/folders", recursive=True)}
    assert set(tree) == {".gitattributes", "a", "a/b", "a/b/c.txt", "a/d.bin", "top.txt"}
    assert tree["a/d.bin"].lfs.sha256 == hashlib.sha256(b"d" * 10).hexdigest() and tree["a/d.bin"].size == 10
    assert {e.path for e in api.list_repo_tree("t/folders", path_in_repo="a")} == {"a/b", "a/d.bin"}
    refs = api.list_repo_refs(TINY_GPTQ)
    assert {b.name for b in refs.branches} == {"main", "gptq-8bit-32g-actorder_True"}
    with pytest.raises(EntryNotFoundError):
        list(api.list_repo_tree("t/folders", path_in_repo="nope"))


def test_hf_hub_download_and_ranges(hub: FakeHub, tmp_path: Path) -> None:
    local = hub.repos[TINY_GGUF].main.files[Q4].path
    path = hf_hub_download(TINY_GGUF, Q4, endpoint=hub.url, cache_dir=tmp_path, token=False)
    assert Path(path).read_bytes() == local.read_bytes()
    sha = hub.repos[TINY_GGUF].main.sha
    assert Path(path).parent.name == sha  # the snapshot folder is named after X-Repo-Commit

    url = hub.file_url(TINY_GGUF, Q4)
    status, headers, body = get(url, {"Range": "bytes=10-19"})
    assert (status, body, headers["Content-Range"]) == (206, local.read_bytes()[10:20], f"bytes 10-19/{local.stat().st_size}")
    status, _, body = get(url, {"Range": f"bytes={local.stat().st_size - 5}-"})
    assert (status, body) == (206, local.read_bytes()[-5:])
    status, headers, _ = get(url, {"Range": f"bytes={local.stat().st_size}-"})
    assert (status, headers["Content-Range"]) == (416, f"bytes */{local.stat().st_size}")
    # The same file by commit sha; virtual content comes out as header + zeros.
    assert get(hub.file_url(TINY_GGUF, Q4, revision=sha), {"Range": "bytes=0-3"})[2] == b"GGUF"
    hub.add_repo("t/virtual", {"v.bin": VirtualFile(b"HEAD", 3 << 20)})
    status, _, body = get(hub.file_url("t/virtual", "v.bin"))
    assert (status, len(body), body[:6]) == (200, 3 << 20, b"HEAD\0\0")


def test_errors_like_the_hub(hub: FakeHub, api: HfApi, tmp_path: Path) -> None:
    with pytest.raises(RepositoryNotFoundError):
        api.model_info("nobody/nothing")
    with pytest.raises(RevisionNotFoundError):
        api.model_info(TINY_GGUF, revision="no-such-branch")
    with pytest.raises(EntryNotFoundError):
        hf_hub_download(TINY_GGUF, "missing.gguf", endpoint=hub.url, cache_dir=tmp_path, token=False)
    with pytest.raises(RepositoryNotFoundError):
        hf_hub_download("nobody/nothing", "x.gguf", endpoint=hub.url, cache_dir=tmp_path, token=False)
    status, _, _ = get(f"{hub.url}/api/whoami-v2")
    assert status == 401
    assert get(f"{hub.url}/api/whoami-v2", {"Authorization": f"Bearer {hub.token}"})[0] == 200


def test_gated_repo_needs_the_token(hub: FakeHub, tmp_path: Path) -> None:
    assert HfApi(endpoint=hub.url, token=False).model_info(GATED_GGUF).gated == "auto"  # info is public
    with pytest.raises(GatedRepoError):
        hf_hub_download(GATED_GGUF, Q4, endpoint=hub.url, cache_dir=tmp_path, token=False)
    status, headers, _ = get(hub.file_url(GATED_GGUF, Q4), {"Authorization": "Bearer hf_wrong"})
    assert (status, headers["X-Error-Code"]) == (403, "GatedRepo")
    path = hf_hub_download(GATED_GGUF, Q4, endpoint=hub.url, cache_dir=tmp_path, token=hub.token)
    assert Path(path).stat().st_size == hub.repos[GATED_GGUF].main.files[Q4].size
    assert get(hub.file_url(GATED_GGUF, "README.md"))[0] == 200  # the card is public


def test_faults(hub: FakeHub, tmp_path: Path) -> None:
    data = hub.repos[TINY_GGUF].main.files[Q4].path.read_bytes()
    url = hub.file_url(TINY_GGUF, Q4)

    hub.set_fault(TINY_GGUF, Q4, Fault(drop_after=1000, times=1))
    with pytest.raises(http.client.IncompleteRead) as info:
        get(url)
    assert len(info.value.partial) == 1000
    assert get(url)[2] == data  # times=1: the next GET is whole

    hub.set_fault(TINY_GGUF, Q4, Fault(corrupt=True))
    status, _, body = get(url, {"Range": "bytes=4096-"})
    assert status == 206 and len(body) == len(data) - 4096 and body != data[4096:]
    hub.clear_faults()

    hub.set_fault(TINY_GGUF, Q4, Fault(status=503, times=1))
    assert get(url)[0] == 503
    assert get(url)[0] == 200

    hub.set_fault(TINY_GGUF, None, Fault(slow_bytes_per_s=2_000_000))
    assert get(url, {"Range": "bytes=0-99999"})[2] == data[:100_000]
    hub.clear_faults()


def test_hf_hub_download_resumes_a_dropped_get_with_range(hub: FakeHub, tmp_path: Path) -> None:
    # huggingface_hub writes 10 MiB chunks and resumes after the last whole one: drop the connection after 15 MiB.
    vfile = VirtualFile(b"GGUF-virtual", 25 << 20)
    hub.add_repo("t/big", {"big.gguf": vfile})
    hub.set_fault("t/big", "big.gguf", Fault(drop_after=15 << 20, times=1))
    path = hf_hub_download("t/big", "big.gguf", endpoint=hub.url, cache_dir=tmp_path, token=False)
    assert Path(path).stat().st_size == vfile.size and Path(path).read_bytes()[:12] == vfile.header
    gets = [r for r in hub.requests if r.method == "GET" and r.path.endswith("big.gguf")]
    assert [r.headers.get("Range") for r in gets] == [None, f"bytes={10 << 20}-"]
    assert [r.status for r in gets] == [200, 206]


def test_offline(hub: FakeHub) -> None:
    with hub.offline(), pytest.raises(urllib.error.URLError):
        get(f"{hub.url}/api/models")
    assert get(f"{hub.url}/api/models")[0] == 200  # back on the same port
    with pytest.raises(urllib.error.URLError):
        get(f"{closed_port_url()}/api/models")


def test_llama8b_q4_k_m_header_reads_as_the_real_model(tmp_path: Path) -> None:
    from formats.inspect import inspect

    [vfile] = gguf_files(LLAMA31_8B, "Q4_K_M")
    path = tmp_path / "Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf"
    with path.open("wb") as f:  # a sparse file: the header, then a hole up to the full size
        f.write(vfile.header)
        f.truncate(vfile.size)
    info = inspect(path)
    assert (info.architecture, info.n_layers, info.quantization, info.n_vocab) == ("llama", 32, "Q4_K_M", 128256)
    assert 4.8e9 < info.size_bytes < 5.0e9 and 8.0e9 < info.n_params < 8.1e9


def test_llama8b_repo_lists_every_quantization(fakehub: FakeHub) -> None:
    llama8b_gguf_repo(fakehub)
    tiny_gguf_repo(fakehub)
    gated_repo(fakehub)
    # files_metadata needs the sha256 of 49 GB of virtual files: tests/fakehub/sha256.json has them.
    info = HfApi(endpoint=fakehub.url, token=False).model_info(BARTOWSKI, files_metadata=True)
    names = {s.rfilename for s in info.siblings}
    assert all(len(s.lfs.sha256) == 64 for s in info.siblings if s.rfilename.endswith(".gguf"))
    assert {"Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf", "Meta-Llama-3.1-8B-Instruct-f16-00002-of-00002.gguf"} < names
    sizes = {n: c.size for n, c in fakehub.repos[BARTOWSKI].main.files.items()}
    assert 4.8e9 < sizes["Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf"] < 5.0e9
    status, _, body = get(fakehub.file_url(BARTOWSKI, "Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf"), {"Range": "bytes=0-3"})
    assert (status, body) == (206, b"GGUF")
