"""core.messages: English text for the command line, data a GUI can translate, and hostile stored data refused."""

from __future__ import annotations

import json

import pytest

from core.messages import GiB, Message, Number, Size, fill


def test_the_english_text_fills_typed_values() -> None:
    m = Message("{layers} of {total} layers, {size}, {speed} tok/s", layers=Number(24), total=Number(32_768),
                size=Size(int(4.7 * GiB)), speed=Number(2.5, None))  # fmt: skip
    assert str(m) == "24 of 32,768 layers, 4.7 GiB, 2.5 tok/s"
    assert str(Message("{a} ({b})", a="x", b=Message("~{s} tok/s", s=Number(3.43, 1)))) == "x (~3.4 tok/s)"


def test_plural_messages_pick_the_english_form() -> None:
    one = Message.plural("%n passage left out", "%n passages left out", 1)
    two = Message.plural("%n passage left out", "%n passages left out", 2)
    assert (str(one), str(two)) == ("1 passage left out", "2 passages left out")
    assert two.template == "%n passages left out"  # the catalogue's key is the plural form


def test_a_round_trip_through_json_keeps_everything() -> None:
    m = Message.plural("%n file in {where}", "%n files in {where}", 3, where=Message("{size} free", size=Size(GiB)))
    back = Message.from_data(json.loads(json.dumps(m.to_data())))
    assert back == m and str(back) == "3 files in 1.0 GiB free"


@pytest.mark.parametrize("data", [
    None, "text", [], {"template": 3}, {"template": "x", "args": []}, {"template": "x", "args": {"a": 3}},
    {"template": "x", "args": {"a": {"number": "3"}}}, {"template": "x", "args": {"a": {"number": 3, "decimals": 99}}},
    {"template": "x", "n": "2", "one": "y"}, {"template": "x", "n": True, "one": "y"},
    {"template": "x", "args": {"a": {"bytes": None}}}, {"template": "x", "args": {"a": {"message": "y"}}},
])  # fmt: skip
def test_damaged_data_is_refused_with_a_value_error(data: object) -> None:
    with pytest.raises(ValueError):
        Message.from_data(data)


def test_deeply_nested_data_is_refused() -> None:
    data: dict[str, object] = {"template": "{a}"}
    for _ in range(50):
        data = {"template": "{a}", "args": {"a": {"message": data}}}
    with pytest.raises(ValueError):
        Message.from_data(data)


def test_a_stored_template_cannot_reach_into_its_values() -> None:
    # str.format would give "{a.__class__}" the value's class; fill leaves what is not a plain field alone.
    assert fill("{a.__class__} {a} {b}", {"a": "x"}) == "{a.__class__} x {b}"
    assert str(Message.from_data({"template": "{a.__init__.__globals__}", "args": {"a": "x"}})) == "{a.__init__.__globals__}"
