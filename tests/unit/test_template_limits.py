"""A model's chat template is untrusted code: it renders within a time and memory budget (issue 13, item 8).

Each attack froze the app or allocated hundreds of MB in its process before; now each stops with TemplateLimitError (a
ChatError, one line) well within a generous bound, having allocated little.
"""

from __future__ import annotations

import time
import tracemalloc
from typing import Any

import pytest
from jinja2.sandbox import ImmutableSandboxedEnvironment

from app.chat.messages import ChatError
from app.chat.template_sandbox import RenderLimits, TemplateLimitError, bounded_environment, render_bounded
from app.chat.templates import RENDER_LIMITS, ChatTemplate, _tojson, render_messages

MESSAGES = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "2+2?"}]
FAST = RenderLimits(seconds=0.5)
BIG = "{% set s = 'x' * 1000000 %}"

ATTACKS = {
    "nested range loops": ("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}", "time"),
    "nested loops writing": ("{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}", "time"),
    "loops over a long string": ("{% set s = 'a' * 3000000 %}{% for a in s %}{% for b in s %}{% endfor %}{% endfor %}",
                                 "time"),
    "macro recursion": ("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "depth"),
    "recursive loop": ("{% for x in range(10) recursive %}{{ loop(range(10)) }}{% endfor %}", "depth"),
    "exponential macros": ("{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(60) }}",
                           "time"),
    "'a' * 2e8 as an int": ("{{ 'a' * (2e8 | int) }}", "memory"),
    "'a' * 200000000": ("{{ 'a' * 200000000 }}", "memory"),
    "huge join separator": ("{{ range(100000) | join('x' * 1000000) }}", "memory"),
    "huge join of one string": (BIG + "{{ ([s] * 100000) | join }}", "memory"),
    "str.join": (BIG + "{{ ''.join([s] * 100000) }}", "memory"),
    "printing a list of references": (BIG + "{{ [s] * 100000 }}", "memory"),
    "doubling with ~": ("{% set ns = namespace(s='a') %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
                        "memory"),
    "accumulating copies": (BIG + "{% set ns = namespace(l=[]) %}{% for i in range(100000) %}"
                            "{% set ns.l = ns.l + [s ~ i] %}{% endfor %}", "memory"),
    "a macro buffering output": ("{% set s = 'x' * 1000 %}{% macro m() %}{% for i in range(100000) %}{% for j in range(100) %}"
                                 "{{ s }}{% endfor %}{% endfor %}{% endmacro %}{{ m() | length }}", "memory time"),
    "center filter": ("{{ 'a' | center(1000000000) }}", "memory"),
    "str.ljust": ("{{ 'a'.ljust(1000000000) }}", "memory"),
    "printf width": ("{{ '%1000000000d' % 1 }}", "memory"),
    "format width": ("{{ '{:>{w}}'.format(1, w=1000000000) }}", "memory"),
    "indent": ("{{ ('a\n' * 100000) | indent(100000) }}", "memory"),
    "replace": ("{{ ('a' * 100000) | replace('a', 'b' * 100000) }}", "memory"),
    "power": ("{{ 10 ** 100000000 }}", "memory"),
    "sum of lists": ("{{ range(100000) | map('string') | map('list') | sum(start=[]) | length }}", "memory"),
    "batch fill": ("{{ [1] | batch(1000000000, 0) | list | length }}", "memory"),
    "int.to_bytes": ("{{ (1).to_bytes(1000000000, 'big') | length }}", "memory"),
}  # fmt: skip


def _render(text: str, limits: RenderLimits = FAST, **context: Any) -> str:
    env = bounded_environment(trim_blocks=True, lstrip_blocks=True, extensions=["jinja2.ext.loopcontrols"])
    return render_bounded(env.from_string(text), {"messages": MESSAGES, **context}, limits=limits)


@pytest.mark.parametrize("name", list(ATTACKS))
def test_an_attack_stops_quickly_having_allocated_little(name: str) -> None:
    text, kind = ATTACKS[name]
    tracemalloc.start()
    t0 = time.monotonic()
    try:
        with pytest.raises(TemplateLimitError) as caught:
            _render(text)
        elapsed = time.monotonic() - t0
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert caught.value.kind in kind.split()  # "memory time": whichever budget runs out first on this machine
    assert elapsed < FAST.seconds + 5  # the budget, plus a generous margin for a loaded machine
    # The allocation budget (64 MiB for a small input) bounds everything that accumulates; a single huge value is refused
    # before it is made.
    assert peak < (FAST.max_created + (16 << 20) if name == "accumulating copies" else 24 << 20), peak


def test_the_message_is_one_line_that_says_what_to_do() -> None:
    with pytest.raises(ChatError) as caught:
        render_messages(ChatTemplate(ATTACKS["nested range loops"][0]), MESSAGES)
    message = str(caught.value)
    assert isinstance(caught.value, TemplateLimitError) and "\n" not in message
    assert message.startswith("this model's chat template took too long (more than 2 s)")
    assert "use another GGUF of this model" in message
    assert RENDER_LIMITS.seconds == 2.0


def test_memory_messages_name_what_was_refused() -> None:
    with pytest.raises(TemplateLimitError, match=r"needed too much memory \(a str repeated 200,000,000 times"):
        render_messages(ChatTemplate(ATTACKS["'a' * 200000000"][0]), MESSAGES)


def test_a_float_repeat_fails_without_allocating() -> None:
    with pytest.raises(ChatError, match="can't multiply sequence by non-int of type 'float'"):
        render_messages(ChatTemplate("{{ 'a' * 2e8 }}"), MESSAGES)


def test_the_sandbox_still_refuses_template_injection() -> None:
    for payload in ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "{{ cycler.__init__.__globals__.os }}",
                    "{{ self.__init__.__globals__ }}", "{{ messages.append(1) }}", "{{ lipsum.__globals__ }}"):  # fmt: skip
        with pytest.raises(ChatError):
            render_messages(ChatTemplate(payload), MESSAGES)


QWEN_LIKE = (
    "{%- set ns = namespace(last=messages | length - 1) %}"
    "{%- for m in messages[::-1] %}{%- if m.role == 'user' and ns.last == messages | length - 1 %}"
    "{%- set ns.last = messages | length - 1 - loop.index0 %}{%- endif %}{%- endfor %}"
    "{%- if tools %}<tools>{% for t in tools %}{{ t | tojson }}{% endfor %}</tools>{%- endif %}"
    "{%- for m in messages %}{%- set content = m.content %}"
    "{%- if m.role == 'assistant' and '</think>' in content %}{%- set content = content.split('</think>')[-1].lstrip('\\n') %}"
    "{%- endif %}{{- '<|im_start|>' + m.role + '\\n' + content + '<|im_end|>' + '\\n' }}"
    "{%- if loop.last %}{{ loop.index }}/{{ loop.length }}{% endif %}{%- endfor %}"
    "{%- macro w(x) %}[{{ x | trim }}]{% endmacro %}{{ w(' end ') }}{{ '%s-%d' % ('a', 1) }}{{ '{}!'.format('b') }}"
    "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}"
)


def test_a_long_real_conversation_renders_exactly_as_before() -> None:
    """The budgets grow with the input: 400 messages, about 1 MB of text, render as the plain sandbox renders them."""
    long = []
    for i in range(200):
        long.append({"role": "user", "content": f"question {i} " * 250})
        long.append({"role": "assistant", "content": "<think>hmm</think>\n" + f"answer {i} " * 250})
    tools = [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}]
    plain = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
    plain.filters["tojson"] = _tojson
    expected = plain.from_string(QWEN_LIKE).render(messages=long, tools=tools, add_generation_prompt=True)
    assert len(expected) > 1_000_000
    assert render_messages(ChatTemplate(QWEN_LIKE), long, tools=tools) == expected


def test_loops_keep_their_loop_variables() -> None:
    text = ("{% for m in messages %}{{ loop.index }}/{{ loop.length }}{{ 'L' if loop.last }}{{ loop.cycle('a', 'b') }};"
            "{% else %}none{% endfor %}{% for x in [] %}{% else %}empty{% endfor %}"
            "{% for m in messages if m.role == 'user' %}{{ m.content }}{% endfor %}")  # fmt: skip
    assert _render(text) == "1/2a;2/2Lb;empty2+2?"


def test_a_template_too_large_to_compile_is_refused() -> None:
    with pytest.raises(ChatError, match="more than the 262,144 Modelwerk compiles"):
        render_messages(ChatTemplate("x" * 300_000), MESSAGES)
