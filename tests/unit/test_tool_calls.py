"""Tool calling through real chat templates (Qwen 2.5, Llama 3.1, Mistral Nemo, gpt-oss, as published) and the
parsing of calls in each format, hostile ones included."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.chat.templates import CHATML, ChatTemplate, render_messages
from app.tools.calls import MAX_CALLS, CallFormat, ToolCall, from_openai, new_call_id, parse_calls
from app.tools.render import NoToolCalling, call_format
from app.tools.spec import MAX_ARGUMENT_CHARS, ToolSpec, check_arguments

TEMPLATES = Path(__file__).parent.parent / "fixtures" / "templates"
PYTHON = ToolSpec("python", "Run Python code and return what it prints.",
                  {"type": "object", "properties": {"code": {"type": "string", "maxLength": 1000}}, "required": ["code"],
                   "additionalProperties": False})  # fmt: skip

# What each model writes to call python(code="print(1)"), in its own format.
CASES = {
    "qwen2.5": (CallFormat.HERMES, '<tool_call>\n{"name": "python", "arguments": {"code": "print(1)"}}\n</tool_call>'),
    "llama3.1": (CallFormat.LLAMA3, '{"name": "python", "parameters": {"code": "print(1)"}}'),
    "mistral-nemo": (CallFormat.MISTRAL,
                     '[TOOL_CALLS][{"name": "python", "arguments": {"code": "print(1)"}, "id": "a1B2c3D4e"}]'),
    "gpt-oss": (CallFormat.HARMONY,
                '<|channel|>commentary to=functions.python <|constrain|>json<|message|>{"code": "print(1)"}<|call|>'),
}  # fmt: skip
TOKENS = {"qwen2.5": ("", "<|im_end|>"), "llama3.1": ("<|begin_of_text|>", "<|eot_id|>"), "mistral-nemo": ("<s>", "</s>"),
          "gpt-oss": ("<|startoftext|>", "<|return|>")}  # fmt: skip


def template(name: str) -> ChatTemplate:
    bos, eos = TOKENS[name]
    return ChatTemplate((TEMPLATES / f"{name}.jinja").read_text(), "model", False, bos, eos)


@pytest.mark.parametrize("name", sorted(CASES))
def test_real_templates_render_tools_and_their_calls_parse(name: str) -> None:
    t = template(name)
    fmt, output = CASES[name]
    assert call_format(t) is fmt
    prompt = render_messages(t, [{"role": "user", "content": "What is 6*7?"}], tools=[PYTHON.to_openai()])
    assert "python" in prompt and "Run Python code" in prompt and "What is 6*7?" in prompt
    rest, [call] = parse_calls(output, fmt)
    assert (call.name, dict(call.arguments), call.error, rest) == ("python", {"code": "print(1)"}, "", "")


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_call_and_its_result_render_back_through_the_template(name: str) -> None:
    call = ToolCall(new_call_id(), "python", {"code": "print(6*7)"})
    messages = [{"role": "user", "content": "What is 6*7?"},
                {"role": "assistant", "content": "", "tool_calls": [call.to_openai()]},
                {"role": "tool", "tool_call_id": call.id, "name": "python", "content": "42"}]  # fmt: skip
    prompt = render_messages(template(name), messages, tools=[PYTHON.to_openai()])
    assert "print(6*7)" in prompt and "42" in prompt


def test_a_template_without_tools_has_no_tool_calling() -> None:
    with pytest.raises(NoToolCalling, match="this model has no tool calling"):
        call_format(ChatTemplate(CHATML))
    with pytest.raises(NoToolCalling):
        call_format(None)


def test_llama3_python_tag_and_answers_that_merely_contain_json() -> None:
    _, [call] = parse_calls('<|python_tag|>{"name": "python", "parameters": {"code": "1"}}', CallFormat.LLAMA3)
    assert call.name == "python" and not call.error
    answer = 'Here is JSON: {"name": "x", "parameters": {}}'
    assert parse_calls(answer, CallFormat.LLAMA3) == (answer, [])
    answer = '{"name": "Ada", "age": 36}'  # an answer that is JSON, not a call
    assert parse_calls(answer, CallFormat.LLAMA3) == (answer, [])


def test_text_around_hermes_calls_is_kept_and_several_calls_are_read() -> None:
    text = ('Let me compute.\n<tool_call>{"name": "python", "arguments": {"code": "1"}}</tool_call>\n'
            '<tool_call>{"name": "docs", "arguments": {"query": "x"}}</tool_call>')  # fmt: skip
    rest, calls = parse_calls(text, CallFormat.HERMES)
    assert rest == "Let me compute." and [c.name for c in calls] == ["python", "docs"]


@pytest.mark.parametrize(("text", "error"), [
    ('<tool_call>{"name": "python", "arguments": {"code": </tool_call>', "not valid JSON"),
    ('<tool_call>{"name": "python", "arguments": "{oops"}</tool_call>', "not valid JSON"),
    ('<tool_call>{"name": "python", "arguments": [1, 2]}</tool_call>', "must be a JSON object"),
    ('<tool_call>{"name": "rm -rf /", "arguments": {}}</tool_call>', "tool name"),
    ('<tool_call>["python"]</tool_call>', "JSON object"),
    ("<tool_call>" + "[" * 100_000 + "</tool_call>", "not valid JSON"),
    ('<tool_call>{"name": "python", "arguments": "' + "x" * (MAX_ARGUMENT_CHARS + 1) + '"}</tool_call>', "allowed"),
    ('<tool_call>{"name": "python", "arguments": {"code": "' + "x" * (2 * MAX_ARGUMENT_CHARS) + '"}}</tool_call>', "allowed"),
])  # fmt: skip
def test_a_malformed_call_is_an_error_the_model_sees_never_an_exception(text: str, error: str) -> None:
    _, [call] = parse_calls(text, CallFormat.HERMES)
    assert error in call.error and not call.arguments


def test_long_hostile_text_parses_in_linear_time() -> None:
    """A 1 MB answer from a hostile endpoint: a quadratic parser would hang here (the suite's timeout fails it)."""
    for filler in (" " * 1_000_000, "to=functions.x " * 70_000, "<tool_call>" * 90_000, "[TOOL_CALLS]" + "[" * 900_000):
        for fmt in CallFormat:
            parse_calls(filler, fmt)


def test_harmony_call_after_analysis_keeps_no_header() -> None:
    text = ("<|start|>assistant<|channel|>commentary to=functions.python <|constrain|>json<|message|>"
            '{"code": "1"}<|call|>')  # fmt: skip
    rest, [call] = parse_calls("Sure." + text, CallFormat.HARMONY)
    assert rest == "Sure." and call.arguments == {"code": "1"}
    rest, [call] = parse_calls('<|start|>assistant to=functions.python<|channel|>commentary json<|message|>{"code": "2"}',
                               CallFormat.HARMONY)  # fmt: skip
    assert rest == "" and call.arguments == {"code": "2"}


def test_calls_from_one_answer_are_capped() -> None:
    text = '<tool_call>{"name": "python", "arguments": {}}</tool_call>' * 50
    assert len(parse_calls(text, CallFormat.HERMES)[1]) == MAX_CALLS


def test_mistral_ids_are_nine_letters_and_digits() -> None:
    assert all(len(i) == 9 and i.isalnum() for i in (new_call_id() for _ in range(20)))


def test_openai_tool_calls() -> None:
    calls = from_openai([
        {"id": "call_1", "type": "function", "function": {"name": "python", "arguments": '{"code": "print(1)"}'}},
        {"id": "call_2", "type": "function", "function": {"name": "python", "arguments": {"code": "2"}}},
        {"id": "call_3", "function": {"name": "python", "arguments": "{bad"}},
        "junk", {"function": "x"},
    ])  # fmt: skip
    assert [(c.name, dict(c.arguments)) for c in calls[:2]] == [("python", {"code": "print(1)"}), ("python", {"code": "2"})]
    assert calls[0].id == "call_1" and "not valid JSON" in calls[2].error and calls[3].error and calls[4].error
    deep: dict[str, object] = {}
    node = deep
    for _ in range(5000):
        node["a"] = node = {}
    big = {"code": "x" * (MAX_ARGUMENT_CHARS + 1)}
    for arguments, error in ((deep, "not plain JSON"), (big, "allowed")):
        [call] = from_openai([{"id": "c", "function": {"name": "python", "arguments": arguments}}])
        assert error in call.error


def test_any_format_tries_each() -> None:
    for fmt, output in CASES.values():
        _, [call] = parse_calls(output, CallFormat.ANY)
        assert call.name == "python" and not call.error, fmt


@given(st.text(max_size=300))
@settings(max_examples=200, deadline=None)
def test_parsing_never_raises(text: str) -> None:
    for fmt in CallFormat:
        for prefix in ("", "<tool_call>", "[TOOL_CALLS]", "<|python_tag|>", "to=functions.x<|message|>"):
            parse_calls(prefix + text, fmt)


def test_arguments_are_checked_against_the_schema() -> None:
    schema = PYTHON.parameters
    assert check_arguments(schema, {"code": "print(1)"}) is None
    assert "lacks the required 'code'" in (check_arguments(schema, {}) or "")
    assert "must be string, not integer" in (check_arguments(schema, {"code": 1}) or "")
    assert "unknown 'extra'" in (check_arguments(schema, {"code": "", "extra": 1}) or "")
    assert "more than the 1,000 allowed" in (check_arguments(schema, {"code": "x" * 1001}) or "")
    assert check_arguments({"type": "integer", "minimum": 1, "maximum": 5}, True) is not None
    assert check_arguments({"type": "integer", "minimum": 1, "maximum": 5}, 9) == "arguments must be at most 5"
    assert json.dumps(PYTHON.to_openai())  # the OpenAI shape is plain JSON
