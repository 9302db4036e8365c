"""A Jinja sandbox that also bounds time and memory: a model's chat template is untrusted code, run on every turn.

jinja2's ImmutableSandboxedEnvironment already refuses attribute tricks (SSTI) and caps range() at 100,000 items, but
nested loops can run for hours and `'a' * 200000000` allocates 200 MB. `render_bounded` adds, per render:

- a time budget, checked by every hook below and on every item of every {% for %} (each loop's iterable is wrapped at
  parse time): a template repeats work only through loops, calls (macros, recursive loops) and filters, all hooked;
- a nesting limit for macros and recursive loops;
- checks *before* every operation that can amplify a small input into a large value in C, where no check can run (`*`,
  `+`, `**`, `%`, `~`, str methods such as center/join/replace, the filters center/indent/join/replace/format/batch/
  slice/sum/wordwrap/tojson/string), and a cap on the size of any one value;
- an allocation budget: every value the template creates (and every piece of output, including what macros and
  `{% set %}` blocks buffer) is charged, never refunded, so the peak memory of a render is bounded by it;
- a cap on the prompt's length.

Budgets grow with the size of the conversation, so a long chat is never refused. Going past one raises
TemplateLimitError (a ChatError: one line for the user). The render itself stays on the caller's thread: the app calls it
from worker threads (the chat worker and the model reader), never from the GUI thread.
"""

from __future__ import annotations

import functools
import re
import sys
import threading
import time
import types
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from app.chat.messages import ChatError
from core.messages import N_, Message, Text

if TYPE_CHECKING:
    import jinja2
    from jinja2 import nodes
    from jinja2.compiler import Frame

__all__ = ["RenderLimits", "TemplateLimitError", "bounded_environment", "compile_bounded", "render_bounded", "text_size"]

LOOP_FILTER = "bounded_loop"
_HINT = Message("the template in the model file is broken or hostile; use another GGUF of this model")


class TemplateLimitError(ChatError):
    """A chat template went past its time, memory or nesting budget and was stopped."""

    hint = N_("choose another chat template for this model")

    def __init__(self, what: Text, *, kind: str) -> None:
        self.kind = kind
        """"time", "memory" or "depth"."""
        super().__init__(Message("this model's chat template {what} and was stopped: {hint}", what=what, hint=_HINT))


@dataclass(frozen=True)
class RenderLimits:
    """What one render may cost. The `per_input_*` factors scale a budget with the size of the messages passed in."""

    seconds: float = 2.0
    max_value: int = 4 << 20
    """Characters (or items) of any one value the template makes, plus per_input_value x the input's characters."""
    max_output: int = 8 << 20
    """Characters of the prompt, plus per_input_value x the input's characters."""
    max_created: int = 64 << 20
    """Bytes of all values the template makes in one render (never refunded), plus per_input_created x the input's."""
    max_depth: int = 64
    """Nested template frames: macro calls, recursive loops, blocks."""
    max_int_bits: int = 1 << 16
    per_input_value: int = 2
    per_input_created: int = 16


@dataclass
class _Budget:
    """The limits of one render, on one thread, and what has been spent of them."""

    limits: RenderLimits
    deadline: float
    max_value: int
    max_output: int
    max_created: int
    created: int = 0
    depth: int = 0

    @classmethod
    def start(cls, limits: RenderLimits, *, input_chars: int = 0, input_bytes: int = 0) -> _Budget:
        return cls(limits, time.monotonic() + limits.seconds,
                   max_value=limits.max_value + limits.per_input_value * input_chars,
                   max_output=limits.max_output + limits.per_input_value * input_chars,
                   max_created=limits.max_created + limits.per_input_created * input_bytes)  # fmt: skip

    def too_big(self, what: str) -> TemplateLimitError:
        return TemplateLimitError(f"needed too much memory ({what})", kind="memory")

    def check_size(self, n: int, what: str = "a value") -> None:
        """Before an operation whose result has about `n` characters or items."""
        if n > self.max_value:
            raise self.too_big(f"{what}: {n:,} characters or items, at most {self.max_value:,}")

    def charge(self, value: Any) -> Any:
        """After an operation: `value` counts against the allocation budget; returns it."""
        if isinstance(value, (str, list, tuple, dict, set, bytes)):
            n = len(value)
            if n > self.max_value:
                raise self.too_big(f"a value of {n:,} characters or items, at most {self.max_value:,}")
            self._spend(sys.getsizeof(value))
        elif isinstance(value, int) and value.bit_length() > 64:
            self._spend(sys.getsizeof(value))
        return value

    def _spend(self, n: int) -> None:
        self.created += n
        if self.created > self.max_created:
            raise self.too_big(f"more than {self.max_created >> 20:,} MiB of text and lists made in one render")

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise TemplateLimitError(Message("took too long (more than {seconds} s)",
                                             seconds=format(self.limits.seconds, 'g')), kind="time")


_local = threading.local()
_COMPILE_LIMITS = RenderLimits(seconds=10.0)


def _budget() -> _Budget:
    """This thread's render budget, its deadline checked; outside a render (jinja folds constant filters while it
    compiles) a fresh one. Every hook of the sandbox starts here, so every step a template takes checks the clock."""
    b: _Budget | None = getattr(_local, "budget", None)
    if b is None:
        return _Budget.start(_COMPILE_LIMITS)
    if time.monotonic() > b.deadline:
        b.check_time()
    return b


# --- sizes ---------------------------------------------------------------------------------------------------------


def text_size(value: Any, limit: int) -> int:
    """About how many characters str(value) or JSON of it has; stops counting once past `limit` (so it costs at most
    about `limit` steps). A list of a million references to one big string is a small list but a huge text."""
    total = 0
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, str):
            total += len(v) + 2
        elif isinstance(v, (bytes, bytearray)):
            total += 4 * len(v) + 3
        elif isinstance(v, bool) or v is None:
            total += 5
        elif isinstance(v, int):
            total += v.bit_length() * 3 // 10 + 2
        elif isinstance(v, float):
            total += 24
        elif isinstance(v, Mapping):
            total += 2 + 4 * len(v)
            if total <= limit:
                stack.extend(v.keys())
                stack.extend(v.values())
        elif isinstance(v, (list, tuple, set, frozenset)):
            total += 2 + 2 * len(v)
            if total <= limit:
                stack.extend(v)
        else:
            total += 64  # objects of the sandbox (a namespace, a loop): printed as a short repr
        if total > limit:
            return total
    return total


def input_size(value: Any) -> tuple[int, int]:
    """(characters, bytes) of the strings in a template's input (messages, tools, kwargs): what the budgets scale with."""
    chars = nbytes = 0
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, str):
            chars += len(v)
            nbytes += sys.getsizeof(v)
        elif isinstance(v, Mapping):
            stack.extend(v.keys())
            stack.extend(v.values())
        elif isinstance(v, (list, tuple)):
            stack.extend(v)
    return chars, nbytes


_FORMAT_NUMBER = re.compile(r"\d+")
_NESTED_SPEC = re.compile(r"\{[^{}]*\{")


def _check_format(b: _Budget, fmt: str, args: Iterable[Any], *, star: bool) -> None:
    """`fmt % args` or `fmt.format(*args)`: no width or precision past the cap, and arguments that print small."""
    for m in _FORMAT_NUMBER.finditer(fmt):
        if len(m.group()) > 7 or int(m.group()) > b.max_value:
            b.check_size(10 ** min(len(m.group()), 30), "a formatted field")
    values = list(args)
    if star:  # widths taken from the arguments ('%*d', '{:{w}}')
        for v in values:
            if isinstance(v, int) and not isinstance(v, bool) and abs(v) > b.max_value:
                b.check_size(abs(v), "a formatted field")
    b.check_size(len(fmt) + text_size(values, b.max_value), "a formatted text")


# --- operators -----------------------------------------------------------------------------------------------------

_SEQUENCES = (str, list, tuple, bytes)


def _mul_size(b: _Budget, left: Any, right: Any) -> None:
    for seq, n in ((left, right), (right, left)):
        if isinstance(seq, _SEQUENCES) and isinstance(n, int):
            b.check_size(len(seq) * max(n, 0), f"a {type(seq).__name__} repeated {n:,} times")
            return
    if isinstance(left, int) and isinstance(right, int):
        bits = left.bit_length() + right.bit_length()
        if bits > b.limits.max_int_bits:
            raise b.too_big(f"a number of {bits:,} bits")


def _pow_size(b: _Budget, left: Any, right: Any) -> None:
    if isinstance(left, int) and isinstance(right, int) and right > 0:
        bits = max(left.bit_length() - 1, 0) * right
        if bits > b.limits.max_int_bits:
            raise b.too_big(f"a number of about {bits:,} bits")


def _add_size(b: _Budget, left: Any, right: Any) -> None:
    if isinstance(left, _SEQUENCES) and isinstance(right, _SEQUENCES):
        b.check_size(len(left) + len(right), f"a {type(left).__name__}")


# --- calls: str methods implemented in C, where a small argument makes a huge result ---------------------------------

_C_CALLABLES = (types.BuiltinFunctionType, types.BuiltinMethodType, types.MethodWrapperType, types.MethodDescriptorType)
_REFUSED_METHODS = frozenset({"translate", "maketrans", "to_bytes"})


def _check_c_call(b: _Budget, obj: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
    """Before a call of a C function or method; returns the arguments to call it with (an iterator to join is read
    into a list first, to measure it)."""
    name = getattr(obj, "__name__", "")
    owner = getattr(obj, "__self__", None)
    if isinstance(owner, str) and name in ("format", "format_map"):  # reached through the sandbox's format wrapper
        _check_format(b, owner, [*args, *kwargs.values()], star=bool(_NESTED_SPEC.search(owner)))
        return args
    if name in _REFUSED_METHODS:
        raise b.too_big(f"{name}(), which a chat template never needs")
    for v in (*args, *kwargs.values()):  # widths, counts, lengths: a huge one is never a real template's
        if isinstance(v, int) and not isinstance(v, bool) and abs(v) > b.max_value:
            raise b.too_big(f"{name}({v:,})")
    if not isinstance(owner, str):
        return args
    if name == "join" and args:
        items = args[0] if isinstance(args[0], (list, tuple)) else list(args[0])
        b.check_size(text_size(items, b.max_value) + len(owner) * len(items), "a joined text")
        return (items, *args[1:])
    if name == "replace" and len(args) >= 2 and isinstance(args[0], str) and isinstance(args[1], str):
        _check_replace(b, owner, args[0], args[1], args[2] if len(args) > 2 else kwargs.get("count", -1))
    elif name == "expandtabs":
        size = kwargs.get("tabsize", args[0] if args else 8)
        b.check_size(len(owner) + owner.count("\t") * max(int(size), 0), "a text with its tabs expanded")
    elif name in ("center", "ljust", "rjust", "zfill") and args and isinstance(args[0], int):
        b.check_size(args[0], "a padded text")
    return args


def _check_replace(b: _Budget, s: str, old: str, new: str, count: Any) -> None:
    n = s.count(old) if old else len(s) + 1
    if isinstance(count, int) and count >= 0:
        n = min(n, count)
    b.check_size(len(s) + n * max(len(new) - len(old), 0), "a text after replace()")


# --- filters -------------------------------------------------------------------------------------------------------


def _bounded_filters(env: jinja2.Environment) -> None:
    """Wrap every filter: checks before the amplifying ones, the result charged after all of them."""
    from jinja2.filters import make_attrgetter
    from jinja2.utils import _PassArg, pass_environment

    def before_center(b: _Budget, value: Any, width: Any = 80, *a: Any, **k: Any) -> None:
        b.check_size(max(len(str(value)), int(width)) if isinstance(width, int) else 0, "a centred text")

    def before_indent(b: _Budget, s: Any, width: Any = 4, *a: Any, **k: Any) -> None:
        w = k.get("width", width)
        lines = str(s).count("\n") + 1 if isinstance(s, str) else text_size(s, b.max_value)
        step = len(w) if isinstance(w, str) else int(w) if isinstance(w, int) else 0
        b.check_size(text_size(s, b.max_value) + lines * max(step, 0), "an indented text")

    def before_format(b: _Budget, value: Any, *args: Any, **kwargs: Any) -> None:
        _check_format(b, str(value), [*args, *kwargs.values()], star=True)

    def before_replace(b: _Budget, s: Any, old: Any = "", new: Any = "", count: Any = None, *a: Any, **k: Any) -> None:
        if isinstance(s, str):
            _check_replace(b, s, str(old), str(new), count)

    def before_batch(b: _Budget, value: Any, linecount: Any = 1, *a: Any, **k: Any) -> None:
        if isinstance(linecount, int):
            b.check_size(linecount, "a batch")

    def before_slice(b: _Budget, value: Any, slices: Any = 1, *a: Any, **k: Any) -> None:
        if isinstance(slices, int):
            b.check_size(slices, "a list of slices")

    def before_wordwrap(b: _Budget, s: Any, width: Any = 79, *a: Any, **k: Any) -> None:
        wrap = a[2] if len(a) > 2 else k.get("wrapstring")
        step = len(wrap) if isinstance(wrap, str) else 1
        n = len(s) if isinstance(s, str) else 0
        b.check_size(n + (n // max(int(width) if isinstance(width, int) else 1, 1) + 1) * step, "a wrapped text")

    def before_text(b: _Budget, value: Any, *a: Any, **k: Any) -> None:
        b.check_size(text_size(value, b.max_value), "a text")

    def before_escaped(b: _Budget, value: Any, *a: Any, **k: Any) -> None:  # '"' -> '&#34;', 'é' -> '\u00e9'
        b.check_size(6 * text_size(value, b.max_value), "an escaped text")

    def before_json(b: _Budget, value: Any, *a: Any, **k: Any) -> None:
        (before_escaped if k.get("ensure_ascii") or (a and a[0]) else before_text)(b, value)

    before: dict[str, Callable[..., None]] = {
        "center": before_center, "indent": before_indent, "format": before_format, "replace": before_replace,
        "batch": before_batch, "slice": before_slice, "wordwrap": before_wordwrap, "tojson": before_json,
        "string": before_text, "pprint": before_text, "urlencode": before_escaped, "xmlattr": before_escaped,
        "e": before_escaped, "escape": before_escaped, "forceescape": before_escaped, "urlize": before_escaped,
    }  # fmt: skip

    def wrap(name: str, f: Callable[..., Any]) -> Callable[..., Any]:
        check = before.get(name)
        skip = 0 if _PassArg.from_obj(f) is None else 1

        @functools.wraps(f)  # keeps jinja_pass_arg
        def bounded(*args: Any, **kwargs: Any) -> Any:
            b = _budget()
            if check is not None:
                check(b, *args[skip:], **kwargs)
            return b.charge(f(*args, **kwargs))

        return bounded

    original_join = env.filters["join"]

    @functools.wraps(original_join)
    def join(eval_ctx: Any, value: Iterable[Any], d: str = "", attribute: str | int | None = None) -> Any:
        b = _budget()
        items = list(value) if not isinstance(value, (list, tuple)) else value
        if attribute is not None:
            getter = make_attrgetter(eval_ctx.environment, attribute)
            items = [getter(x) for x in items]
        b.check_size(text_size(items, b.max_value) + len(str(d)) * len(items), "a joined text")
        return b.charge(original_join(eval_ctx, items, d))

    @pass_environment
    def bounded_sum(environment: Any, iterable: Iterable[Any], attribute: str | int | None = None, start: Any = 0) -> Any:
        getter = make_attrgetter(environment, attribute) if attribute is not None else None
        total = start
        for item in iterable:  # each + checked and charged: summing lists is quadratic, and stops at the budget
            total = environment.call_binop(None, "+", total, getter(item) if getter else item)
        return total

    for name, f in list(env.filters.items()):
        env.filters[name] = wrap(name, f)
    env.filters["join"] = join
    env.filters["sum"] = bounded_sum


# --- the environment -----------------------------------------------------------------------------------------------


def _code_generator() -> type[Any]:
    from jinja2.compiler import CodeGenerator

    class BoundedCodeGenerator(CodeGenerator):
        """Every piece of output (yielded, or buffered by a macro or a {% set %} block) and every `~` goes through the
        environment, which charges it: a loop of constant text buffered in a macro is memory too."""

        def _output_const_repr(self, group: Iterable[Any]) -> str:
            return f"environment.bounded_output({super()._output_const_repr(group)})"

        def _output_child_pre(self, node: nodes.Expr, frame: Frame, finalize: Any) -> None:
            self.write("environment.bounded_output(")
            super()._output_child_pre(node, frame, finalize)

        def _output_child_post(self, node: nodes.Expr, frame: Frame, finalize: Any) -> None:
            super()._output_child_post(node, frame, finalize)
            self.write(")")

        def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
            self.write("environment.bounded_concat((")
            for arg in node.nodes:
                self.visit(arg, frame)
                self.write(", ")
            self.write("))")

    return BoundedCodeGenerator


@functools.lru_cache(maxsize=1)
def _environment_class() -> type[jinja2.Environment]:
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    class BoundedSandbox(ImmutableSandboxedEnvironment):
        code_generator_class = _code_generator()
        intercepted_binops = frozenset({"*", "+", "**", "%"})

        def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
            b = _budget()
            if operator == "*":
                _mul_size(b, left, right)
            elif operator == "+":
                _add_size(b, left, right)
            elif operator == "**":
                _pow_size(b, left, right)
            elif operator == "%" and isinstance(left, str):
                _check_format(b, left, right if isinstance(right, tuple) else (right,), star="*" in left)
            return b.charge(super().call_binop(context, operator, left, right))

        def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
            b = _budget()
            target = __obj.__wrapped__ if isinstance(__obj, types.FunctionType) and hasattr(__obj, "__wrapped__") else __obj
            if isinstance(target, _C_CALLABLES):  # str.format comes wrapped (in Python) by the sandbox
                args = _check_c_call(b, target, args, kwargs)
            b.depth += 1  # macros (and recursive loops' loop()) are called through here
            try:
                if b.depth > b.limits.max_depth:
                    raise TemplateLimitError(Message("nested macros or loops too deep (more than {max_depth})",
                                                     max_depth=str(b.limits.max_depth)),
                                             kind="depth")  # fmt: skip
                return b.charge(super().call(__context, __obj, *args, **kwargs))
            finally:
                b.depth -= 1

        def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
            """Every {% for %} iterates through bounded_loop, which checks the clock on each item: a loop with an empty
            body runs no other hook."""
            from jinja2 import nodes

            tree = super()._parse(source, name, filename)
            for loop in tree.find_all(nodes.For):
                loop.iter = nodes.Filter(loop.iter, LOOP_FILTER, [], [], None, None, lineno=loop.iter.lineno)
            return tree

        def getitem(self, obj: Any, argument: Any) -> Any:
            b = _budget()  # also the clock of sort/map/groupby by attribute: their getters come here
            value = super().getitem(obj, argument)
            return b.charge(value) if isinstance(argument, slice) else value

        def getattr(self, obj: Any, attribute: str) -> Any:
            _budget()
            return super().getattr(obj, attribute)

        def bounded_output(self, value: Any) -> Any:
            b = _budget()
            if isinstance(value, str):
                b.charge(value)
            return value

        def bounded_concat(self, values: tuple[Any, ...]) -> str:
            b = _budget()
            b.check_size(text_size(values, b.max_value), "a joined text")
            return str(b.charge("".join(str(v) for v in values)))

    return BoundedSandbox


def _bounded_loop(context: Any, iterable: Iterable[Any]) -> Iterator[Any]:
    """The items of a {% for %}, the deadline checked before each (a pass_context filter: jinja never runs it while it
    compiles)."""
    b = _budget()
    for item in iterable:
        if time.monotonic() > b.deadline:
            b.check_time()
        yield item


def _finalize(value: Any) -> Any:
    """Before `{{ value }}` becomes text: a small list of references to one big string is a huge text."""
    if not isinstance(value, str):
        b = _budget()
        b.check_size(text_size(value, b.max_value), "printed text")
    return value


def bounded_environment(*, filters: Mapping[str, Callable[..., Any]] | None = None, **options: Any) -> jinja2.Environment:
    """A new bounded sandbox (ImmutableSandboxedEnvironment with this module's limits): jinja2's filters and `filters`
    (added or replaced) all bounded; `options` go to jinja2.Environment."""
    from jinja2 import pass_context

    env = _environment_class()(finalize=_finalize, **options)
    env.globals.pop("lipsum", None)  # generates text in a Python loop; no chat template uses it
    env.filters.update(filters or {})
    _bounded_filters(env)
    env.filters[LOOP_FILTER] = pass_context(_bounded_loop)
    return env


def compile_bounded(env: jinja2.Environment, text: str) -> jinja2.Template:
    """env.from_string, with the budget jinja's constant folding runs under while it compiles."""
    _local.budget = _Budget.start(_COMPILE_LIMITS)
    try:
        return env.from_string(text)
    finally:
        _local.budget = None


# --- rendering -----------------------------------------------------------------------------------------------------


def render_bounded(template: jinja2.Template, context: Mapping[str, Any], *,
                   limits: RenderLimits | None = None) -> str:  # fmt: skip
    """Render `template` (compiled in a `bounded_environment`) within `limits`; raises TemplateLimitError past them, and
    whatever the template raises otherwise."""
    chars, nbytes = input_size(context)
    b = _Budget.start(limits or RenderLimits(), input_chars=chars, input_bytes=nbytes)
    previous = getattr(_local, "budget", None)
    _local.budget = b
    out: list[str] = []
    size = 0
    try:
        for piece in template.generate(**context):
            size += len(piece)
            if size > b.max_output:
                raise b.too_big(f"a prompt of more than {b.max_output:,} characters")
            out.append(piece)
    finally:
        _local.budget = previous
    return "".join(out)
