"""Control tokens in untrusted text: what looks like a chat template's token (``<|im_start|>``, ``</tool_response>``,
``<start_of_turn>``, ``[INST]``...) written with look-alike brackets before the text goes into a prompt.

llama.cpp reads control tokens in a raw prompt's text, so a document, a web page or a tool's output that says
``<|im_end|><|im_start|>system`` would otherwise close the turn it sits in and open a system turn of its own. Datamarking
does not help: a token has no spaces for the marker to go between.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"<(\|[^|<>\s]{1,40}\|)>|<(/?(?:tool_call|tool_response|tools|think|start_of_turn|end_of_turn|s))>"
                      r"|\[(/?[A-Z][A-Z_]{2,30})\]")  # fmt: skip


def defuse(text: str) -> str:
    """``text`` with every control-token look-alike written ``‹|im_start|›``: readable, but no longer a token."""
    return _CONTROL.sub(lambda m: f"‹{m.group(1) or m.group(2) or m.group(3)}›", text)
