"""Runtimes for real: llama-server child processes, the tiny GGUF (with a chat template) and Gemma 3 270M."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest
from fixtures.tiny_gguf import write_tiny_gguf

from app.chat.client import ChatClient
from app.chat.messages import PRESETS, ChatError, RuntimeCrashed, RuntimeUnavailable, Sampling
from app.chat.runtime import LoadOptions, Runtime, RuntimeState
from app.chat.runtime_manager import RuntimeManager

GREEDY = PRESETS["Greedy"]
SMALL = LoadOptions(context=512, threads=1)
GEMMA = LoadOptions(context=1024, threads=2)

TEMPLATE = (
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n"
    "{% if enable_thinking is defined and not enable_thinking %}<think>\n\n</think>\n\n{% endif %}{% endif %}"
)
"""Qwen3-like: enable_thinking=False pre-fills an empty think block."""


@pytest.fixture(scope="module")
def chat_gguf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tiny_gguf(tmp_path_factory.mktemp("models") / "tiny-chat.gguf", chat_template=TEMPLATE,
                           control_tokens=("<|im_start|>", "<|im_end|>"))  # fmt: skip


@pytest.fixture
def tiny(chat_gguf: Path) -> Iterator[Runtime]:
    rt = Runtime.launch(chat_gguf, options=SMALL)
    try:
        rt.wait_ready(60)
        yield rt
    finally:
        rt.stop()


@pytest.fixture
def gemma(gemma_model: Path) -> Iterator[Runtime]:
    rt = Runtime.launch(gemma_model, options=GEMMA, name="gemma")
    try:
        rt.wait_ready(120)
        yield rt
    finally:
        rt.stop()


def health(rt: Runtime) -> dict[str, Any]:
    with urllib.request.urlopen(rt.base_url[:-3] + "/health", timeout=10) as r:
        obj: dict[str, Any] = json.loads(r.read())
        return obj


def get(rt: Runtime, path: str) -> Any:
    req = urllib.request.Request(rt.base_url[:-3] + path, headers={"Authorization": f"Bearer {rt.key}"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())


def post(rt: Runtime, path: str, body: dict[str, Any]) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {rt.key}", "Content-Type": "application/json"}
    req = urllib.request.Request(rt.base_url[:-3] + path, data=json.dumps(body).encode(), headers=headers)
    with urllib.request.urlopen(req, timeout=60) as r:
        obj: dict[str, Any] = json.loads(r.read())
        return obj


def wait_state(rt: Runtime, state: RuntimeState) -> None:
    """Until the watcher thread has seen the process end."""
    event = threading.Event()
    for _ in range(600):
        if rt.state is state:
            return
        event.wait(0.05)
    raise AssertionError(f"still {rt.state}, not {state}")


def wait_idle(rt: Runtime) -> dict[str, Any]:
    """llama-server's slot of the latest task, once no slot is busy any more (a cancelled generation has ended)."""
    event = threading.Event()
    for _ in range(600):
        slots = get(rt, "/slots")
        if not any(s["is_processing"] for s in slots):
            latest: dict[str, Any] = max((s for s in slots if "id_task" in s), key=lambda s: s["id_task"])
            return latest
        event.wait(0.05)
    raise AssertionError("the runtime stayed busy")


# --- the tiny model ---------------------------------------------------------------------------------------------------


def test_start_ready_models_tokenize_and_stream_a_completion(tiny: Runtime) -> None:
    assert tiny.state is RuntimeState.READY and tiny.error == ""
    assert tiny.base_url.startswith("http://127.0.0.1:") and tiny.base_url.endswith("/v1")
    assert tiny.key and tiny.memory_bytes() > 0 and tiny.n_ctx == 512 and tiny.slots == 4
    assert tiny.key not in " ".join(psutil.Process(tiny.pid).cmdline())  # the key is in its environment only
    argv = psutil.Process(tiny.pid).cmdline()
    assert tiny.gpu_layers is not None and argv[argv.index("--n-gpu-layers") + 1] == str(tiny.gpu_layers)  # as planned
    client = tiny.client()
    assert client.supports_raw_prompt
    assert client.models() == ["tiny-chat.gguf"]
    tokens = client.tokenize("hello world")
    assert tokens is not None and len(tokens) == 2 and all(isinstance(t, int) for t in tokens)  # two words of its vocabulary
    deltas = list(client.stream_completion("the quick brown fox", sampling=Sampling(temperature=0, max_tokens=8)))
    assert deltas[-1].finish_reason in ("stop", "length") and deltas[-1].completion_tokens is not None
    assert deltas[-1].prompt_tokens == 5  # BOS + four words
    assert 0 < deltas[-1].completion_tokens <= 8
    # Greedy is deterministic: the same prompt gives the same text.
    again = list(client.stream_completion("the quick brown fox", sampling=Sampling(temperature=0, max_tokens=8)))
    assert "".join(d.text for d in again) == "".join(d.text for d in deltas)


def test_non_streaming_answers_carry_usage_and_timings(tiny: Runtime) -> None:
    obj = post(tiny, "/v1/completions", {"prompt": "hello", "max_tokens": 4, "temperature": 0})
    assert obj["object"] == "text_completion" and isinstance(obj["choices"][0]["text"], str)
    assert obj["usage"]["prompt_tokens"] == 2 and 0 < obj["usage"]["completion_tokens"] <= 4
    assert set(obj["timings"]) >= {"prompt_ms", "predicted_ms", "predicted_per_second"}


def test_chat_completion_renders_the_models_template_with_kwargs(tiny: Runtime) -> None:
    client = tiny.client()
    msgs = [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hello"}]
    sampling = Sampling(temperature=0, max_tokens=4)
    on = list(client.stream_chat(msgs, sampling=sampling, extra={"chat_template_kwargs": {"enable_thinking": True}}))
    off = list(client.stream_chat(msgs, sampling=sampling, extra={"chat_template_kwargs": {"enable_thinking": False}}))
    n_on, n_off = on[-1].prompt_tokens, off[-1].prompt_tokens
    assert n_on is not None and n_off is not None
    # The prompt is the template's rendering, special tokens parsed: count it the same way.
    rendered = "<|im_start|>system\nbe brief<|im_end|>\n<|im_start|>user\nhello<|im_end|>\n<|im_start|>assistant\n"
    assert n_on == len(client.tokenize(rendered) or []) + 1  # + BOS
    assert n_off > n_on  # the empty think block was pre-filled


def test_bad_requests_get_one_line_errors(tiny: Runtime) -> None:
    client = tiny.client()
    too_long = " ".join(["hello"] * 600)
    with pytest.raises(ChatError, match=r"exceeds the available context size \(512 tokens\)") as e:
        client.stream_completion(too_long, sampling=GREEDY)
    assert "\n" not in str(e.value)
    with pytest.raises(ChatError, match="messages must contain 'content'") as e:
        client.stream_chat([{"role": "user"}], sampling=GREEDY)
    assert "\n" not in str(e.value)


def test_wrong_key_is_refused_with_a_message(tiny: Runtime) -> None:
    with pytest.raises(ChatError, match="check the API key"):
        ChatClient(tiny.base_url, api_key="wrong").models()
    with pytest.raises(ChatError, match="check the API key"):
        ChatClient(tiny.base_url).stream_completion("hi", sampling=GREEDY)
    assert health(tiny)["status"] == "ok"  # health needs no key


def test_four_requests_at_once_are_decoded_together(tiny: Runtime) -> None:
    answers: list[dict[str, Any]] = []
    busy: list[int] = []
    body = {"prompt": "hello world", "max_tokens": 400, "temperature": 0, "ignore_eos": True}
    go = threading.Barrier(4)  # sent together: on a loaded machine threads started one by one can miss each other

    def ask() -> None:
        go.wait(30)
        answers.append(post(tiny, "/v1/completions", body))

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for t in threads:
        t.start()
    pause = threading.Event()
    while any(t.is_alive() for t in threads):
        busy.append(sum(s["is_processing"] for s in get(tiny, "/slots")))
        pause.wait(0.01)
    assert len(answers) == 4 and all(a["usage"]["completion_tokens"] == 400 for a in answers)
    assert max(busy) > 1  # continuous batching: several slots were generating at the same moment


def test_kill_9_is_crashed_with_a_clear_error_and_reload_brings_it_back(tiny: Runtime) -> None:
    states: list[RuntimeState] = []
    tiny.on_state_changed = states.append
    old_pid = tiny.pid
    assert old_pid is not None
    os.kill(old_pid, signal.SIGKILL)
    wait_state(tiny, RuntimeState.CRASHED)
    with pytest.raises(RuntimeCrashed, match=r"exited with code -9 \(killed\)"):
        tiny.wait_ready(10)
    assert tiny.error == "the runtime exited with code -9 (killed)"
    assert tiny.memory_bytes() == 0
    with pytest.raises(RuntimeCrashed, match="reload"):
        tiny.client()
    tiny.reload()
    tiny.wait_ready(60)
    assert tiny.pid != old_pid and tiny.state is RuntimeState.READY
    assert list(tiny.client().stream_completion("hello", sampling=Sampling(temperature=0, max_tokens=2)))
    assert states == [RuntimeState.CRASHED, RuntimeState.LOADING, RuntimeState.READY]


APP = """
import sys
from app.chat.runtime import LoadOptions, Runtime
rt = Runtime.launch(sys.argv[1], options=LoadOptions(context=256, threads=1, parallel=1))
rt.wait_ready(60)
print(rt.pid, flush=True)
sys.stdin.read()
"""


def test_the_runtime_dies_with_the_app_however_the_app_dies(chat_gguf: Path) -> None:
    app = subprocess.Popen([sys.executable, "-c", APP, str(chat_gguf)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                           text=True)  # fmt: skip
    try:
        assert app.stdout is not None
        pid = int(app.stdout.readline())
        server = psutil.Process(pid)
        assert server.name().startswith("llama-server")
        app.kill()  # no cleanup code of the app runs
        app.wait(30)
        gone, alive = psutil.wait_procs([server], timeout=30)
        assert gone and not alive
    finally:
        if app.poll() is None:
            app.kill()
            app.wait()


def test_a_file_that_is_no_model_fails_with_the_reason(tmp_path: Path) -> None:
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"GGUF" + b"\0" * 100)
    rt = Runtime.launch(bad, options=SMALL)
    try:
        with pytest.raises(ChatError, match=r"could not load bad\.gguf"):
            rt.wait_ready(60)
        assert rt.state is RuntimeState.FAILED and "\n" not in rt.error
    finally:
        rt.stop()


def test_without_llama_server_loading_fails_with_the_fix(chat_gguf: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.setenv("MODELWERK_LLAMA_SERVER", str(tmp_path / "no-such-llama-server"))
    rt = Runtime.launch(chat_gguf, options=SMALL)
    with pytest.raises(ChatError, match=r"failed to load: \$MODELWERK_LLAMA_SERVER is .*not an executable file"):
        rt.wait_ready(30)
    assert rt.state is RuntimeState.FAILED and rt.pid is None and "\n" not in rt.error


def test_manager_load_get_unload_and_stop_all_leave_no_process(chat_gguf: Path) -> None:
    manager = RuntimeManager()
    a = manager.load("model:1", chat_gguf, SMALL)
    b = manager.load("model:2", chat_gguf, SMALL)
    assert manager.get("model:1") is a and set(manager.runtimes()) == {"model:1", "model:2"}
    a.wait_ready(60)
    b.wait_ready(60)
    pids = [a.pid, b.pid]
    manager.unload("model:1")
    assert a.state is RuntimeState.STOPPED and manager.get("model:1") is None
    c = manager.load("model:2", chat_gguf, SMALL)  # same key: the old one is stopped
    assert b.state is RuntimeState.STOPPED
    manager.stop_all()  # c is stopped while it starts: it starts no process afterwards
    assert c.state is RuntimeState.STOPPED and manager.runtimes() == {}
    for pid in pids:
        assert pid is not None and not psutil.pid_exists(pid)
    assert c.pid is None or not psutil.pid_exists(c.pid)


def test_a_closed_port_is_runtime_unavailable_within_seconds(tiny: Runtime) -> None:
    url = tiny.base_url
    tiny.stop()
    assert tiny.state is RuntimeState.STOPPED
    with pytest.raises(RuntimeUnavailable, match="connection refused"):
        ChatClient(url, timeout_s=5).models()


# --- Gemma 3 270M -----------------------------------------------------------------------------------------------------


def test_gemma_streams_and_stops_mid_stream(gemma: Runtime) -> None:
    client = gemma.client()
    stream = client.stream_completion("Count to one hundred: 1, 2, 3,", sampling=Sampling(temperature=0, max_tokens=200))
    got = []
    for d in stream:
        got.append(d.text)
        if len(got) == 3:
            stream.close()  # what the Stop button does
    assert len(got) == 3
    last = wait_idle(gemma)  # llama-server saw the connection close and ended the generation
    assert last["next_token"][0]["n_decoded"] < 200
    # Free again: the next request is answered at once.
    answer = list(client.stream_completion("The capital of France is", sampling=Sampling(temperature=0, max_tokens=8)))
    assert "".join(d.text for d in answer).strip() and answer[-1].finish_reason in ("stop", "length")


def test_gemma_stop_strings_end_the_completion_before_them(gemma: Runtime) -> None:
    client = gemma.client()
    prompt = "Count from one to twenty: 1, 2, 3, 4,"
    free = "".join(d.text for d in client.stream_completion(prompt, sampling=Sampling(temperature=0, max_tokens=24)))
    assert " 7," in free  # greedy, it counts on
    deltas = list(client.stream_completion(prompt, stop=[" 7,"], sampling=Sampling(temperature=0, max_tokens=24)))
    text = "".join(d.text for d in deltas)
    assert text == free[: free.index(" 7,")] and [d.finish_reason for d in deltas if d.finish_reason] == ["stop"]


def test_gemma_chat_uses_the_base_model_transcript(gemma: Runtime) -> None:
    """Gemma 3 270M has no template: llama-server gets our plain transcript (--chat-template) and adds one BOS."""
    client = gemma.client()
    deltas = list(client.stream_chat([{"role": "user", "content": "Hi"}], sampling=Sampling(temperature=0, max_tokens=8)))
    # <bos>User: Hi\nAssistant:
    assert deltas[-1].prompt_tokens == 1 + len(client.tokenize("User: Hi\nAssistant:") or [])


def test_gemma_chat_endpoint_stops_at_the_next_turn_without_stop_strings_from_the_client(gemma: Runtime) -> None:
    """A client of `modelwerk serve` that knows nothing of the transcript gets the answer, not the turns Gemma invents."""
    deltas = list(gemma.client().stream_chat([{"role": "user", "content": "What is the capital of France?"}],
                                             sampling=Sampling(temperature=0, max_tokens=64)))  # fmt: skip
    text = "".join(d.text for d in deltas)
    assert "Paris" in text and "User:" not in text and "Question:" not in text
    assert [d.finish_reason for d in deltas if d.finish_reason] == ["stop"]


def test_gemma_engine_sends_one_bos_and_the_next_turn_reuses_the_prompt_cache(gemma: Runtime) -> None:
    from app.chat.engine import ChatEngine
    from app.chat.messages import Message, ReasoningMode, Role
    from app.chat.reasoning import detect
    from app.chat.templates import template_for
    from formats.gguf_info import inspect_gguf

    template = template_for(inspect_gguf(gemma.model_path))
    assert template.base_model and template.bos_token == "<bos>"
    engine = ChatEngine(gemma.client(), template=template, support=detect(template))
    sampling = Sampling(temperature=0, max_tokens=8)
    history = [Message(Role.USER, "Hi")]
    first = engine.answer(history, mode=ReasoningMode.OFF, sampling=sampling)
    expected = 1 + len(gemma.client().tokenize("User: Hi\nAssistant:") or [])
    assert first.stats.prompt_tokens == expected  # the same tokens as the chat endpoint's: one BOS, not two
    history += [Message(Role.ASSISTANT, first.content), Message(Role.USER, "And then?")]
    second = engine.answer(history, mode=ReasoningMode.OFF, sampling=sampling)
    assert second.stats.prompt_tokens > expected
    slot = wait_idle(gemma)
    # The first turn's prompt (and its answer) came from the slot's cache; only the rest was computed.
    assert slot["n_prompt_tokens_processed"] <= second.stats.prompt_tokens - (expected - 1), slot


def test_gemma_kill_mid_stream_raises_runtime_unavailable(gemma: Runtime) -> None:
    stream = gemma.client().stream_completion("Once upon a time", sampling=Sampling(temperature=0, max_tokens=200))
    with pytest.raises(RuntimeUnavailable):
        for _ in stream:
            assert gemma.pid is not None
            os.kill(gemma.pid, signal.SIGKILL)
    wait_state(gemma, RuntimeState.CRASHED)
    assert gemma.error == "the runtime exited with code -9 (killed)"


# --- modelwerk serve --------------------------------------------------------------------------------------------------

CLI = ("import sys, app.cli as c; from app.cli import serve; "
       "c.COMMAND_MODULES += () if serve in c.COMMAND_MODULES else (serve,); sys.exit(c.main(sys.argv[1:]))")
"""`modelwerk` with `serve` registered (until the lead adds it to COMMAND_MODULES)."""


def test_resolve_model_by_path_id_and_name(chat_gguf: Path) -> None:
    from app import paths
    from app.cli.serve import resolve_model
    from app.library.catalog import Catalog
    from app.store import Store
    from formats.gguf_info import inspect_gguf

    with Store.open(paths.database_path()) as store:
        entry = Catalog(store).add(inspect_gguf(chat_gguf), source="imported")
    assert resolve_model(str(chat_gguf)) == chat_gguf
    assert resolve_model(str(entry.id)).resolve() == chat_gguf.resolve()
    assert resolve_model(entry.name.upper()).resolve() == chat_gguf.resolve()
    with pytest.raises(ChatError, match="no model 'nope'"):
        resolve_model("nope")


def test_serve_prints_the_url_serves_and_stops_on_ctrl_c(chat_gguf: Path) -> None:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    proc = subprocess.Popen([sys.executable, "-c", CLI, "serve", str(chat_gguf), "--port", str(port), "--ctx", "512",
                             "--threads", "1", "--api-key", "k3y"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)  # fmt: skip
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.strip() == f"Serving tiny-chat at http://127.0.0.1:{port}/v1 (API key required)"
        client = ChatClient(f"http://127.0.0.1:{port}/v1", api_key="k3y")
        assert client.models() == ["tiny-chat"]
        assert list(client.stream_chat([{"role": "user", "content": "hi"}], sampling=Sampling(temperature=0, max_tokens=2)))
        proc.send_signal(signal.SIGINT)
        assert proc.wait(30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_serve_unknown_model_is_one_line_exit_1() -> None:
    r = subprocess.run([sys.executable, "-c", CLI, "serve", "no-such-model", "--no-auth"], capture_output=True, text=True,
                       timeout=60)  # fmt: skip
    assert r.returncode == 1
    assert r.stderr.strip().splitlines() == ["modelwerk serve: no model 'no-such-model': give a library id or name "
                                             "(see `modelwerk list`) or a path to a GGUF file"]  # fmt: skip
