from __future__ import annotations

from pathlib import Path

import pytest

from app.chat.messages import ChatError
from app.chat.templates import (
    GEMMA,
    TRANSCRIPT,
    TRANSCRIPT_STOP,
    ChatTemplate,
    render_messages,
    template_for,
)
from formats.model import ModelFormat, ModelInfo

QWEN3 = (
    "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n"
    "{% if enable_thinking is defined and enable_thinking is false %}<think>\n\n</think>\n\n{% endif %}{% endif %}"
)
R1 = (
    "{{ bos_token }}{% for m in messages %}{% if m.role == 'user' %}<｜User｜>{{ m.content }}"
    "{% else %}<｜Assistant｜>{{ m.content }}<｜end▁of▁sentence｜>{% endif %}{% endfor %}"
    "{% if add_generation_prompt %}<｜Assistant｜><think>\n{% endif %}"
)
GPT_OSS = (
    "{% for m in messages %}<|start|>{{ m.role }}<|message|>{{ m.content }}<|end|>{% endfor %}"
    "{% if add_generation_prompt %}<|start|>assistant{% endif %}"
    "{# reasoning_effort: {{ reasoning_effort | default('medium') }} #}"
)
USER = [{"role": "user", "content": "hi"}]


def info(**kw: object) -> ModelInfo:
    return ModelInfo(path=Path("m.gguf"), files=(Path("m.gguf"),), format=ModelFormat.GGUF, name="m", size_bytes=1,
                     **kw)  # type: ignore[arg-type]


def test_qwen3_enable_thinking_kwarg() -> None:
    t = ChatTemplate(QWEN3)
    assert render_messages(t, USER).endswith("<|im_start|>assistant\n")
    assert render_messages(t, USER, enable_thinking=False).endswith("<think>\n\n</think>\n\n")


def test_deepseek_prefilled_think_and_bos() -> None:
    t = ChatTemplate(R1, bos_token="<s>")
    out = render_messages(t, USER)
    assert out.startswith("<s><｜User｜>hi") and out.endswith("<think>\n")


def test_gpt_oss_like_renders() -> None:
    assert render_messages(ChatTemplate(GPT_OSS), USER, reasoning_effort="high").endswith("<|start|>assistant")


def test_gemma_turns_render() -> None:
    t = ChatTemplate(GEMMA, bos_token="<bos>")
    out = render_messages(t, [{"role": "system", "content": "Be brief."}, *USER,
                              {"role": "assistant", "content": "Hello"}, {"role": "user", "content": "again"}])
    assert out == ("<bos><start_of_turn>user\nBe brief.\n\nhi<end_of_turn>\n<start_of_turn>model\nHello<end_of_turn>\n"
                   "<start_of_turn>user\nagain<end_of_turn>\n<start_of_turn>model\n")


def test_template_less_model_gets_the_base_model_transcript_and_model_template_wins() -> None:
    for arch in ("gemma3", "llama", "qwen2"):
        t = template_for(info(architecture=arch, bos_token="<bos>"))
        assert (t.source, t.base_model, t.text, t.stop) == ("default", True, TRANSCRIPT, TRANSCRIPT_STOP)
    t = template_for(info(architecture="gemma3", bos_token="<bos>"))
    out = render_messages(t, [{"role": "system", "content": "Be brief."}, *USER,
                              {"role": "assistant", "content": "Hello"}, {"role": "user", "content": "again"}])
    assert out == "Be brief.\n\nUser: hi\nAssistant: Hello\nUser: again\nAssistant:"
    own = template_for(info(architecture="qwen2", chat_template=QWEN3))
    assert (own.text, own.source, own.base_model) == (QWEN3, "model", False)


def test_helpers_raise_exception_tojson_strftime() -> None:
    t = ChatTemplate("{{ {'a': '<x>'} | tojson }}|{{ strftime_now('%Y') | length }}")
    assert render_messages(t, []) == '{"a": "<x>"}|4'
    with pytest.raises(ChatError, match="only user roles"):
        render_messages(ChatTemplate("{{ raise_exception('only user roles') }}"), USER)


@pytest.mark.parametrize("evil", ["{{ ().__class__.__bases__ }}", "{{ messages.append(1) }}", "{{ ''.__class__.__mro__ }}"])
def test_sandbox_blocks_unsafe_access(evil: str) -> None:
    with pytest.raises(ChatError):
        render_messages(ChatTemplate(evil), USER)


def test_syntax_error_is_one_line_chat_error() -> None:
    with pytest.raises(ChatError, match="does not compile") as e:
        render_messages(ChatTemplate("{% for %}\n"), USER)
    assert "\n" not in str(e.value)
