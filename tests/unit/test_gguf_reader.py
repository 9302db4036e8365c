"""The GGUF header reader: agrees with gguf.GGUFReader, rejects every malformed file with its own message, never crashes."""

from __future__ import annotations

import contextlib
import tracemalloc
from datetime import timedelta
from pathlib import Path

import gguf
import pytest
from fixtures.malformed_gguf import (
    BIG_TOKENS,
    DATA_BYTES,
    TOKENS,
    Case,
    base_gguf,
    base_infos,
    base_kvs,
    build,
    corpus,
    kv_str,
    mutated_gguf,
    random_bytes,
)
from fixtures.tiny_gguf import DEFAULT_WORDS, build_vocab, expected_tensor_shapes
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from formats.gguf import GGUFHeader, read_array_string, read_gguf_header, split_parts
from formats.model import ArrayInfo, ModelFileError

CASES = corpus()
_VALUE_TYPE_NAMES = {gguf.GGUFValueType.STRING: "string"} | {
    t: t.name.lower() for t in gguf.GGUFValueType if t not in (gguf.GGUFValueType.STRING, gguf.GGUFValueType.ARRAY)
}


def assert_matches_gguf_reader(path: Path, header: GGUFHeader) -> None:
    """Our header equals what gguf.GGUFReader (which decodes everything) reads from the same file."""
    reader = gguf.GGUFReader(path)
    fields = {name: f for name, f in reader.fields.items() if not name.startswith("GGUF.")}
    assert list(header.metadata) == list(fields)
    for key, f in fields.items():
        ours = header.metadata[key]
        if f.types[0] == gguf.GGUFValueType.ARRAY:
            if isinstance(ours, ArrayInfo):
                assert (ours.item_type, ours.length) == (_VALUE_TYPE_NAMES[f.types[1]], len(f.data)), key
            else:
                assert isinstance(ours, tuple)
                assert list(ours) == list(f.contents()), key
        else:
            assert ours == f.contents(), key
    assert header.alignment == reader.alignment
    assert header.data_offset == reader.data_offset
    assert len(header.tensors) == len(reader.tensors)
    for ours_t, theirs in zip(header.tensors, reader.tensors, strict=True):
        assert ours_t.name == theirs.name
        assert ours_t.type_name == theirs.tensor_type.name
        assert ours_t.shape == tuple(int(d) for d in theirs.shape)
        assert header.data_offset + ours_t.offset == theirs.data_offset
        assert ours_t.n_bytes == theirs.n_bytes


def _write(folder: Path, data: bytes, name: str = "x.gguf") -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


# --- valid files ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("big_vocab", [False, True])
def test_corpus_base_is_valid(tmp_path: Path, big_vocab: bool) -> None:
    path = _write(tmp_path, base_gguf(big_vocab=big_vocab).data)
    header = read_gguf_header(path)
    assert header.version == 3
    assert header.metadata["general.architecture"] == "llama"
    tokens = header.metadata["tokenizer.ggml.tokens"]
    assert tokens == (ArrayInfo("string", 1100) if big_vocab else tuple(TOKENS))
    assert [t.name for t in header.tensors] == ["token_embd.weight", "blk.0.attn_q.weight", "output.weight"]
    assert_matches_gguf_reader(path, header)


def test_tiny_fixture_matches_gguf_reader_and_generator(tiny_gguf: Path) -> None:
    header = read_gguf_header(tiny_gguf)
    assert_matches_gguf_reader(tiny_gguf, header)
    vocab = len(build_vocab(DEFAULT_WORDS)[0])
    shapes = expected_tensor_shapes(hidden=64, layers=2, heads=4, kv_heads=4, ff=128, vocab_size=vocab)
    assert {t.name: t.shape for t in header.tensors} == shapes
    assert {t.type_name for t in header.tensors} == {"F32"}
    assert header.metadata["general.name"] == "tiny-llama"
    assert header.metadata["llama.attention.head_count_kv"] == 4


def test_kquant_fixture_matches_gguf_reader(kquant_gguf: Path) -> None:
    header = read_gguf_header(kquant_gguf)
    assert_matches_gguf_reader(kquant_gguf, header)
    assert {t.type_name for t in header.tensors} == {"F16", "F32"}


def test_large_arrays_are_kept_as_length_only(tiny_gguf: Path) -> None:
    header = read_gguf_header(tiny_gguf, max_array_items=16)
    tokens = header.metadata["tokenizer.ggml.tokens"]
    assert isinstance(tokens, ArrayInfo) and tokens.item_type == "string"
    assert header.metadata["tokenizer.ggml.scores"] == ArrayInfo("float32", tokens.length)
    assert header.metadata["tokenizer.ggml.token_type"] == ArrayInfo("int32", tokens.length)
    full = read_gguf_header(tiny_gguf)
    assert full.tensors == header.tensors and full.data_offset == header.data_offset


def test_read_array_string_decodes_one_item(tmp_path: Path, tiny_gguf: Path) -> None:
    big = read_gguf_header(_write(tmp_path, base_gguf(big_vocab=True).data))
    for i in (0, 1, 9, 10, 99, 100, 1099):
        assert read_array_string(big, "tokenizer.ggml.tokens", i) == BIG_TOKENS[i]
    with pytest.raises(IndexError):
        read_array_string(big, "tokenizer.ggml.tokens", 1100)
    with pytest.raises(TypeError):
        read_array_string(big, "tokenizer.ggml.scores", 0)
    small = read_gguf_header(tiny_gguf)
    lazy = read_gguf_header(tiny_gguf, max_array_items=0)
    assert read_array_string(small, "tokenizer.ggml.tokens", 1) == read_array_string(lazy, "tokenizer.ggml.tokens", 1) == "<s>"


def test_read_array_string_on_a_file_cut_since(tmp_path: Path) -> None:
    path = _write(tmp_path, base_gguf(big_vocab=True).data)
    header = read_gguf_header(path)
    path.write_bytes(path.read_bytes()[:2000])
    with pytest.raises(ModelFileError, match="the file changed while it was read"):
        read_array_string(header, "tokenizer.ggml.tokens", 1000)


@pytest.mark.slow
def test_gemma_header_matches_gguf_reader(gemma_model: Path) -> None:
    """The real Gemma 3 270M: every key and tensor as gguf.GGUFReader reads them (GGUFReader needs ~17 s here)."""
    header = read_gguf_header(gemma_model)
    assert header.version == 3 and header.file_size == 253_113_024
    assert len(header.tensors) == 236
    assert header.metadata["tokenizer.ggml.tokens"] == ArrayInfo("string", 262_144)
    assert_matches_gguf_reader(gemma_model, header)


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(ModelFileError, match=r"cannot read nothing\.gguf"):
        read_gguf_header(tmp_path / "nothing.gguf")
    with pytest.raises(ModelFileError, match="cannot read"):
        read_gguf_header(tmp_path)


# --- malformed files -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_malformed_file_rejected_with_its_message(tmp_path: Path, case: Case) -> None:
    with pytest.raises(ModelFileError) as err:
        read_gguf_header(_write(tmp_path, case.data))
    message = str(err.value)
    assert case.message in message
    assert "\n" not in message and len(message) < 300


def test_every_malformed_case_has_its_own_message(tmp_path: Path) -> None:
    messages = {}
    for case in CASES:
        with pytest.raises(ModelFileError) as err:
            read_gguf_header(_write(tmp_path, case.data))
        messages[case.name] = str(err.value)
    assert len(set(messages.values())) == len(CASES), messages
    for case in CASES:  # no case's expected text matches another case's message
        assert [name for name, m in messages.items() if case.message in m] == [case.name]


# --- split files ---------------------------------------------------------------------------------------------------


def test_split_parts(tmp_path: Path) -> None:
    single = _write(tmp_path, b"", "model.gguf")
    assert split_parts(single) == (single,)
    parts = [_write(tmp_path, b"", f"big-model-{i:05d}-of-00003.gguf") for i in (1, 2, 3)]
    assert split_parts(parts[1]) == tuple(parts)
    assert split_parts(parts[2]) == tuple(parts)
    parts[1].unlink()
    with pytest.raises(ModelFileError, match=r"split GGUF part 2 of 3 is missing: big-model-00002-of-00003\.gguf"):
        split_parts(parts[0])
    with pytest.raises(ModelFileError, match="not a valid split GGUF name"):
        split_parts(tmp_path / "m-00004-of-00003.gguf")


# --- hypothesis: nothing but ModelFileError, quickly, without allocating more than the file ---------------------------

FAST = settings(deadline=timedelta(milliseconds=500), suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def _check(path: Path, data: bytes) -> None:
    path.write_bytes(data)
    try:
        header = read_gguf_header(path)
    except ModelFileError as e:
        assert str(e) and "\n" not in str(e)
        return
    for t in header.tensors:  # whatever parses is consistent with the file
        assert header.data_offset + t.offset + t.n_bytes <= len(data)


@FAST
@given(data=random_bytes)
def test_random_bytes_raise_only_model_file_error(scratch: Path, data: bytes) -> None:
    _check(scratch / "random.gguf", data)


@settings(FAST, max_examples=300)
@given(data=mutated_gguf())
def test_mutated_headers_raise_only_model_file_error(scratch: Path, data: bytes) -> None:
    _check(scratch / "mutated.gguf", data)


@settings(deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.one_of(mutated_gguf(), random_bytes))
def test_reading_never_allocates_more_than_the_file(scratch: Path, data: bytes) -> None:
    """Declared counts and lengths (2^60 items...) never turn into allocations: the peak stays near the file size."""
    path = scratch / "alloc.gguf"
    path.write_bytes(data)
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        with contextlib.suppress(ModelFileError):
            read_gguf_header(path)
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    assert peak < len(data) + 256 * 1024


def test_names_in_messages_are_escaped_to_one_line(tmp_path: Path) -> None:
    data = build([*base_kvs(), kv_str("odd\nkey", "a"), kv_str("odd\nkey", "b")], base_infos(), b"\0" * DATA_BYTES).data
    with pytest.raises(ModelFileError, match=r"key 7 of 7 \(odd\\nkey\) appears twice"):
        read_gguf_header(_write(tmp_path, data))


def test_a_vocabulary_over_many_read_windows_is_skipped_to_the_right_place(tmp_path: Path) -> None:
    """The skip walks window by window without a check per string: strings of every length, some across a window's
    end, land on the next key exactly, and an item past the first windows is found by its offset."""
    tokens = [("x" * (i % 97)) + f"-{i}" for i in range(60_000)]  # ~3.2 MB: past the first 64 KiB and 4 MiB windows
    kvs = base_kvs(tokens)
    path = tmp_path / "big-vocab.gguf"
    path.write_bytes(build(kvs, base_infos(), bytes(DATA_BYTES)).data)
    header = read_gguf_header(path)
    skipped = header.metadata["tokenizer.ggml.tokens"], header.metadata["tokenizer.ggml.scores"]
    assert skipped == (ArrayInfo("string", len(tokens)), ArrayInfo("float32", len(tokens)))
    assert [t.name for t in header.tensors] == ["token_embd.weight", "blk.0.attn_q.weight", "output.weight"]
    for i in (0, 1, 4_321, 59_999):
        assert read_array_string(header, "tokenizer.ggml.tokens", i) == tokens[i]
