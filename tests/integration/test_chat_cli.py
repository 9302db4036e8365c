from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import main


def chat(argv: list[str]) -> int:
    """`modelwerk chat ...` through the real entry point."""
    return main(["chat", *argv])


def test_chat_with_gemma_json(gemma_model: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc = chat([str(gemma_model), "--prompt", "The capital of France is", "--json", "--max-tokens", "8",
               "--temperature", "0", "--ctx", "1024"])  # fmt: skip
    out = json.loads(capsys.readouterr().out)
    assert rc == 0 and out["answer"] and out["base_model"] is True
    assert out["stats"]["answer_tokens"] > 0 and out["stats"]["finish_reason"] in ("stop", "length")


def test_chat_prompted_reasoning_with_gemma(gemma_model: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc = chat([str(gemma_model), "--prompt", "2+2?", "--reasoning", "prompted", "--json", "--max-tokens", "16",
               "--temperature", "0", "--ctx", "1024"])  # fmt: skip
    out = json.loads(capsys.readouterr().out)
    assert rc == 0 and out["stats"]["answer_tokens"] + out["stats"]["thinking_tokens"] > 0


QWEN3 = (
    "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


def test_chat_keeps_the_conversation_like_the_chat_page(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`modelwerk chat FILE --prompt ...` registers the file where it is and saves the turn (user and answer)."""
    from fixtures.tiny_gguf import write_tiny_gguf

    from app import paths
    from app.chat.messages import Role
    from app.chat.sessions import Conversations, MessageState, local_model_key
    from app.library.catalog import Catalog
    from app.store import Store

    model = write_tiny_gguf(tmp_path / "tiny-chat.gguf", chat_template=QWEN3,
                            control_tokens=("<|im_start|>", "<|im_end|>"))  # fmt: skip
    rc = chat([str(model), "--prompt", "Hello there", "--system", "Be brief.", "--max-tokens", "4", "--temperature", "0",
               "--ctx", "256", "--json"])  # fmt: skip
    out = json.loads(capsys.readouterr().out)
    assert rc == 0 and isinstance(out["conversation"], int)
    with Store.open(paths.database_path()) as store:
        entry = Catalog(store).by_path(model)
        assert entry is not None
        sessions = Conversations(store)
        [conversation] = sessions.list_for(local_model_key(entry.id))
        assert conversation.id == out["conversation"]
        assert conversation.title == "Hello there" and conversation.system_prompt == "Be brief."
        messages = sessions.messages(conversation.id)
    assert [m.role for m in messages] == [Role.USER, Role.ASSISTANT]
    assert messages[0].content == "Hello there"
    assert messages[1].state is MessageState.DONE and messages[1].content == out["answer"]
    assert messages[1].stats is not None and messages[1].stats.answer_tokens > 0


def test_chat_without_history_saves_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from fixtures.tiny_gguf import write_tiny_gguf

    from app import paths
    from app.chat.sessions import Conversations
    from app.library.catalog import Catalog
    from app.store import Store

    model = write_tiny_gguf(tmp_path / "tiny-chat.gguf", chat_template=QWEN3,
                            control_tokens=("<|im_start|>", "<|im_end|>"))  # fmt: skip
    rc = chat([str(model), "--prompt", "Hi", "--max-tokens", "2", "--ctx", "256", "--no-history", "--json"])
    assert rc == 0 and json.loads(capsys.readouterr().out)["conversation"] is None
    with Store.open(paths.database_path()) as store:
        assert Catalog(store).entries() == [] and Conversations(store).list_all() == []


@pytest.mark.slow
def test_base_model_answers_a_question_instead_of_repeating_it(gemma_model: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    """Gemma 3 270M base has no chat template: it chats in a plain transcript, and answers (issue 16, item 1)."""
    rc = chat([str(gemma_model), "--prompt", "What is the capital of France?", "--json", "--max-tokens", "32",
               "--temperature", "0", "--ctx", "1024", "--no-history"])  # fmt: skip
    out = json.loads(capsys.readouterr().out)
    assert rc == 0 and out["base_model"] is True and out["template"] == "default"
    assert "Paris" in out["answer"] and "capital of France?" not in out["answer"]
    assert out["stats"]["finish_reason"] == "stop"  # it stopped by itself (or at "\nUser:"), not at the token limit


@pytest.mark.slow
def test_the_instruct_demo_model_chats_through_its_own_chatml_template(smollm2_model: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    """SmolLM2 135M Instruct: its own template (not the base-model transcript), an answer that ends by itself."""
    rc = chat([str(smollm2_model), "--prompt", "What is the capital of France?", "--json", "--max-tokens", "64",
               "--temperature", "0", "--ctx", "1024", "--no-history"])  # fmt: skip
    out = json.loads(capsys.readouterr().out)
    assert rc == 0 and out["template"] == "model" and out["base_model"] is False
    assert out["answer"] and "<|im_" not in out["answer"] and "User:" not in out["answer"]
    assert out["stats"]["answer_tokens"] > 0


def test_a_runtime_that_dies_mid_answer_is_said_as_the_runtime_says_it(gemma_model: Path, monkeypatch: pytest.MonkeyPatch,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    """llama-server killed as the answer starts: the error is why the runtime ended ("... killed"), not the broken
    connection's words, which name llama-server's private port."""
    import os
    import signal

    from app.chat.runtime import Runtime
    from app.chat.turn import ChatTurn

    launched: list[Runtime] = []
    launch = Runtime.launch
    monkeypatch.setattr(Runtime, "launch", lambda *a, **k: launched.append(launch(*a, **k)) or launched[-1])
    run = ChatTurn.run

    def killed_first(self: ChatTurn, *args: object, **kwargs: object) -> object:
        pid = launched[0].pid
        assert pid is not None
        os.kill(pid, signal.SIGKILL)
        return run(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ChatTurn, "run", killed_first)
    rc = chat([str(gemma_model), "--prompt", "Hi", "--max-tokens", "8", "--ctx", "1024", "--no-history"])
    err = capsys.readouterr().err
    assert rc == 1 and "killed" in err and "127.0.0.1:" not in err, err
