"""The hub client, remote fit and `modelwerk search/files` against the fake hub (the real huggingface_hub underneath)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import pytest
from fakehub import TEST_TOKEN, FakeHub, closed_port_url
from fakehub.llama8b import BARTOWSKI, LLAMA2_GPTQ, META_8B
from fakehub.repos import GATED_GGUF, TINY, TINY_GGUF, TINY_GPTQ, demo_hub, original_repo, tiny_gguf_files
from fixtures.hardware_reports import cpu_only, desktop_24gb, laptop_8gb_nvidia

from app import cli
from app.cli import common
from app.hub.client import HubClient, SearchFormat, SearchSort
from app.hub.errors import GatedRepoError, HubUnavailable, RepoNotFound
from app.hub.files import FileGroup, FileKind, HubFile
from app.hub.remote_fit import best_file, fit_file, fit_files, fit_folder, open_remote, recommend, remote_info
from formats.gguf import MAX_ARRAY_ITEMS, read_gguf_header_from
from formats.gguf_info import inspect_gguf
from hardware.fit import Placement


@pytest.fixture
def hub(fakehub: FakeHub) -> FakeHub:
    return demo_hub(fakehub, big=True)


@pytest.fixture
def client(hub: FakeHub, tmp_path: Path) -> HubClient:
    return HubClient(hub.url, token=TEST_TOKEN, timeout_s=30, cache_dir=tmp_path / "hub-cache")


# --- search ---------------------------------------------------------------------------------------------------------


def test_search_filters_and_sorts(client: HubClient) -> None:
    page = client.search("modelwerk")
    assert [r.repo_id for r in page.results] == [TINY, TINY_GGUF, TINY_GPTQ, GATED_GGUF]  # downloads, descending
    assert (page.page, page.has_more, page.cached) == (0, False, False)
    gguf = client.search("", format=SearchFormat.GGUF, sort=SearchSort.LIKES).results
    assert gguf and all("gguf" in r.formats for r in gguf)
    assert [r.likes for r in gguf] == sorted((r.likes for r in gguf), reverse=True)
    gptq = client.search("", format=SearchFormat.GPTQ).results
    assert {r.repo_id for r in gptq} >= {TINY_GPTQ, LLAMA2_GPTQ} and all("gptq" in r.formats for r in gptq)
    assert all("gguf" not in r.formats for r in gptq)


def test_search_results_carry_what_the_list_shows(client: HubClient) -> None:
    by_id = {r.repo_id: r for r in client.search("llama").results}
    meta = by_id[META_8B]
    assert (meta.author, meta.gated, meta.n_params, meta.formats) == ("meta-llama", True, 8_030_261_248, ("safetensors",))
    assert meta.updated is not None and meta.downloads > 0
    assert by_id[BARTOWSKI].formats == ("gguf",) and by_id[BARTOWSKI].n_params


def test_pages_cover_every_result_once(client: HubClient, hub: FakeHub, tmp_path: Path) -> None:
    everything = [r.repo_id for r in client.search("", sort=SearchSort.DOWNLOADS, page_size=100).results]
    assert len(everything) > 5
    pages, n = [], 0
    while True:
        page = client.search("", sort=SearchSort.DOWNLOADS, page=n, page_size=2)
        pages += [r.repo_id for r in page.results]
        n += 1
        if not page.has_more:
            break
    assert pages == everything
    # A fresh client (no cursor remembered) gets the same page by asking for the first pages' worth.
    fresh = HubClient(hub.url, token=TEST_TOKEN, timeout_s=30)
    assert [r.repo_id for r in fresh.search("", page=2, page_size=2).results] == everything[4:6]
    hub.page_size = 1  # a hub that caps every answer at one result: the client follows its Link headers
    hub.clear_requests()
    assert [r.repo_id for r in fresh.search("", page=1, page_size=2).results] == everything[2:4]


# --- repositories ---------------------------------------------------------------------------------------------------


def test_repo_groups_sizes_hashes_and_card(client: HubClient, hub: FakeHub) -> None:
    d = client.repo(TINY_GGUF)
    assert [g.quant for g in d.groups] == ["Q4_0", "Q4_K_M", "Q8_0", "F16"]
    split = d.groups[-1]
    assert split.name == "Tiny-F16 (2 parts)" and [f.path for f in split.files] == [
        "Tiny-F16-00001-of-00002.gguf",
        "Tiny-F16-00002-of-00002.gguf",
    ]
    rev = hub.repos[TINY_GGUF].main
    for g in d.groups:
        for f in g.files:
            assert (f.size, f.sha256) == (rev.files[f.path].size, rev.files[f.path].sha256())
    assert d.sha == rev.sha and d.base_models == (TINY,) and d.n_params == 2_000_000
    assert d.card.startswith("# Tiny GGUF") and "base_model:" not in d.card
    assert not d.is_original and not d.gptq


def test_gptq_variants_from_config_and_branches(client: HubClient) -> None:
    d = client.repo(TINY_GPTQ)
    assert [(v.bits, v.group_size, v.desc_act, v.revision) for v in d.gptq] == [
        (4, 128, False, "main"),
        (8, 32, True, "gptq-8bit-32g-actorder_True"),
    ]
    [group] = d.groups
    assert (group.kind, group.quant) == (FileKind.GPTQ, "GPTQ 4-bit g128")
    assert {"config.json", "model.safetensors", "tokenizer.json"} <= {f.path for f in group.files}
    branch = client.repo(TINY_GPTQ, revision="gptq-8bit-32g-actorder_True")
    assert branch.groups[0].quant == "GPTQ 8-bit g32 act-order" and branch.groups[0].revision == branch.revision


def test_originals_and_their_quantizations(client: HubClient) -> None:
    original = client.repo(TINY)
    assert original.is_original and original.groups[0].kind is FileKind.SAFETENSORS
    assert {r.repo_id for r in client.quantizations_of(TINY)} == {TINY_GGUF, TINY_GPTQ, GATED_GGUF}


def test_gated_repo_is_visible_but_its_files_need_a_token(hub: FakeHub, client: HubClient, monkeypatch: pytest.MonkeyPatch,
                                                          tmp_path: Path) -> None:  # fmt: skip
    d = client.repo(GATED_GGUF)
    assert d.gated and d.groups and d.card
    assert fit_file(client, GATED_GGUF, d.groups[0], laptop_8gb_nvidia()).report is not None  # with the token
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))  # no stored token either
    anonymous = HubClient(hub.url, timeout_s=30)
    assert not anonymous.has_token() and "authorization" not in {k.lower() for k in anonymous.headers()}
    ff = fit_file(anonymous, GATED_GGUF, d.groups[0], laptop_8gb_nvidia())
    assert ff.report is None and "gated" in ff.error and "HF_TOKEN" in ff.error
    with pytest.raises(GatedRepoError):
        anonymous.read_text(GATED_GGUF, d.groups[0].files[0].path)


def test_unknown_repo(client: HubClient) -> None:
    with pytest.raises(RepoNotFound, match="nobody/nothing"):
        client.repo("nobody/nothing")


def test_offline_fails_fast_and_serves_the_cache(hub: FakeHub, client: HubClient, tmp_path: Path) -> None:
    with pytest.raises(HubUnavailable, match="cannot reach"):
        HubClient(closed_port_url(), token=TEST_TOKEN, timeout_s=2).search("llama")
    online = client.search("tiny")
    details = client.repo(TINY_GGUF)
    with hub.offline():
        cached = client.search("tiny")
        assert cached.cached and cached.results == online.results
        assert cached.cached_at is not None and abs((datetime.now(timezone.utc) - cached.cached_at).total_seconds()) < 60
        repo = client.repo(TINY_GGUF)
        assert repo.cached and repo.groups == details.groups and repo.card == details.card
        assert repo.cached_at is not None and repo.cached_at.tzinfo is not None
        with pytest.raises(HubUnavailable):
            client.search("something never searched")
        with pytest.raises(HubUnavailable):
            HubClient(hub.url, token=TEST_TOKEN, timeout_s=2, cache_dir=tmp_path / "empty").search("tiny")
    assert not client.search("tiny").cached


# --- remote fit -----------------------------------------------------------------------------------------------------


def test_remote_info_equals_local_inspect(client: HubClient) -> None:
    d = client.repo(TINY_GGUF)
    local = tiny_gguf_files()
    for g in d.groups:
        remote = remote_info(client, TINY_GGUF, g)
        here = inspect_gguf(local[g.files[0].path])
        assert remote.shape == here.shape
        same = replace(here, path=remote.path, files=remote.files, bos_token=remote.bos_token, eos_token=remote.eos_token)
        assert remote == same
        assert remote.path == Path(g.files[0].path) and remote.size_bytes == g.size


def test_a_header_costs_a_few_requests(client: HubClient) -> None:
    d = client.repo(BARTOWSKI)
    [q4] = [g for g in d.groups if g.quant == "Q4_K_M"]
    f = q4.files[0]
    with open_remote(client, BARTOWSKI, f.path, size=f.size) as rf:
        header = read_gguf_header_from(rf, name=Path(f.path), size=f.size, max_array_items=MAX_ARRAY_ITEMS)  # type: ignore[arg-type]
        assert rf.bytes_fetched < 2 * header.data_offset + (1 << 20) and rf.bytes_fetched < f.size // 100
        assert rf.requests <= 10


def test_llama_8b_on_an_8_gb_laptop(client: HubClient) -> None:
    d = client.repo(BARTOWSKI)
    fits = fit_files(client, BARTOWSKI, d.groups, laptop_8gb_nvidia())
    by_quant = {f.group.quant: f for f in fits}
    assert not any(f.error for f in fits)
    assert by_quant["Q4_K_M"].report is not None and by_quant["Q4_K_M"].report.placement is Placement.FULL_GPU
    for q in ("Q8_0", "F16"):
        report = by_quant[q].report
        assert report is not None and report.placement is Placement.PARTIAL, q
    [best] = [f for f in fits if f.best]
    # With flash attention (llama.cpp's default, and the runtime's) the compute buffer is the logits' 0.25 GiB, not the
    # attention scores' 0.5 GiB at 8k: Q5_K_M still goes entirely on the GPU, and is the best file.
    assert best.group.quant == "Q5_K_M" and best_file(fits) == best
    assert best.report is not None and best.report.placement is Placement.FULL_GPU
    assert by_quant["Q4_K_M"].report.options.context == 8192  # type: ignore[union-attr]


def test_an_original_is_judged_as_the_f16_gguf_it_converts_to(client: HubClient) -> None:
    """From config.json alone, Meta's original lands where bartowski's real F16 GGUF (read from its header) lands."""
    original = client.repo(META_8B)
    [folder] = [g for g in original.groups if g.kind.value == "safetensors"]
    gguf = client.repo(BARTOWSKI)
    [f16] = [g for g in gguf.groups if g.quant == "F16"]
    for hw in (laptop_8gb_nvidia(), desktop_24gb(), cpu_only()):
        estimated = fit_folder(client, original, folder, hw).report
        measured = fit_file(client, BARTOWSKI, f16, hw).report
        assert estimated is not None and measured is not None
        assert estimated.placement is measured.placement, hw.cpu.model
        assert abs(estimated.gpu_layers - measured.gpu_layers) <= 1
    assert best_file([fit_folder(client, original, folder, desktop_24gb())]) is None  # not a file to run as it is


def test_llama_8b_elsewhere(client: HubClient) -> None:
    d = client.repo(BARTOWSKI)
    desktop = {f.group.quant: f for f in fit_files(client, BARTOWSKI, d.groups, desktop_24gb())}
    assert desktop["Q8_0"].report is not None and desktop["Q8_0"].report.placement is Placement.FULL_GPU
    assert desktop["F16"].report is not None and desktop["F16"].report.placement is Placement.FULL_GPU
    best_desktop = best_file(list(desktop.values()))  # F16 fits too, but costs twice Q8_0's memory for no quality
    assert best_desktop is not None and best_desktop.group.quant == "Q8_0"
    cpu = fit_files(client, BARTOWSKI, d.groups, cpu_only())
    assert all(f.report is not None and f.report.placement in (Placement.CPU_ONLY, Placement.DOES_NOT_FIT) for f in cpu)
    best = best_file(cpu)
    assert best is not None and best.report is not None and best.report.fits and best.group.quant != "F16"


def test_fit_file_never_raises(client: HubClient) -> None:
    hw = laptop_8gb_nvidia()
    missing = FileGroup("gone.gguf", FileKind.GGUF, "Q4_0", (HubFile("gone.gguf", 1000, None),))
    assert "no such file" in fit_file(client, TINY_GGUF, missing, hw).error
    incomplete = replace(missing, note="incomplete split set: part 2 of 2 missing on the hub")
    assert "incomplete" in fit_file(client, TINY_GGUF, incomplete, hw).error
    readme = FileGroup("README.md", FileKind.GGUF, "", (HubFile("README.md", 100, None),))
    assert "GGUF" in fit_file(client, TINY_GGUF, readme, hw).error
    folder = client.repo(TINY).groups[0]
    assert fit_file(client, TINY, folder, hw).error
    offline = HubClient(closed_port_url(), timeout_s=2)
    assert "cannot reach" in fit_file(offline, TINY_GGUF, client.repo(TINY_GGUF).groups[0], hw).error
    assert best_file([]) is None


def test_recommendation_for_an_original(client: HubClient) -> None:
    meta = client.repo(META_8B)
    assert meta.is_original and meta.gated
    rec = recommend(client, meta, laptop_8gb_nvidia())
    # Q5_K_M with flash attention on (llama.cpp's default): see test_llama_8b_on_an_8_gb_laptop.
    assert (rec.repo_id, rec.quant, rec.command) == (BARTOWSKI, "Q5_K_M", None)
    assert rec.text.startswith(f"{BARTOWSKI} has ready-made GGUF files; Q5_K_M fits this machine fully on the GPU at 8k "
                               "context, ~"), rec.text  # fmt: skip
    assert recommend(client, meta, desktop_24gb()).quant == "Q8_0"


def test_recommendation_without_ready_made_files(fakehub: FakeHub, tmp_path: Path) -> None:
    original_repo(fakehub)  # alone: nobody has quantized it
    client = HubClient(fakehub.url, token=TEST_TOKEN, timeout_s=30)
    rec = recommend(client, client.repo(TINY), laptop_8gb_nvidia())
    assert rec.repo_id is None and rec.quant == "Q8_0"
    assert rec.command == f"modelwerk pull {TINY} && modelwerk recipe {TINY} --type Q8_0"
    starved = cpu_only(ram_total=1 << 20, ram_available=1 << 20)
    rec = recommend(client, client.repo(TINY), starved)
    assert rec.command is None and "would not fit" in rec.text


# --- CLI ------------------------------------------------------------------------------------------------------------


def test_cli_search(hub: FakeHub, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("HF_ENDPOINT", hub.url)
    assert cli.main(["search", "modelwerk", "--format", "gguf"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ["REPOSITORY", "PARAMS", "FORMAT", "DOWNLOADS", "LIKES", "UPDATED"]
    assert TINY_GGUF in out and "1,234" in out and f"{GATED_GGUF} (gated)" in out and TINY_GPTQ not in out
    assert cli.main(["search", "", "--sort", "likes", "--limit", "2", "--page", "2", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["page"], data["has_more"], data["cached"], len(data["results"])) == (2, True, False, 2)
    assert {"repo_id", "downloads", "likes", "updated", "n_params", "gated", "formats"} <= set(data["results"][0])


def test_cli_search_errors(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("HF_ENDPOINT", closed_port_url())
    assert cli.main(["search", "llama"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("modelwerk search: cannot reach") and len(err.strip().splitlines()) == 1
    assert cli.main(["search", "llama", "--limit", "0"]) == 2


def test_cli_files(hub: FakeHub, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("HF_ENDPOINT", hub.url)
    monkeypatch.setattr(common, "report", lambda bandwidth=True: laptop_8gb_nvidia())
    assert cli.main(["files", TINY_GGUF]) == 0
    out = capsys.readouterr().out
    assert "Tiny-F16 (2 parts)" in out and "Full GPU" in out and "* best file for this machine" in out
    assert cli.main(["files", TINY_GPTQ, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["groups"][0]["kind"] == "gptq" and len(data["gptq"]) == 2
    assert cli.main(["files", "nobody/nothing"]) == 1
    assert "not found" in capsys.readouterr().err
    assert cli.main(["files", TINY]) == 0  # an original: ready-made or self-made
    out = capsys.readouterr().out
    assert "model (safetensors)" in out and "as F16 GGUF: Full GPU" in out
    assert f"Ready-made or self-made: {TINY_GGUF} has ready-made GGUF files; Q8_0 fits this machine" in out
    assert f"get it: modelwerk pull {TINY_GGUF} --quant Q8_0" in out
    assert cli.main(["files", TINY, "--json"]) == 0
    rec = json.loads(capsys.readouterr().out)["recommendation"]
    assert (rec["repo_id"], rec["quant"], rec["command"]) == (TINY_GGUF, "Q8_0", None)
