"""`modelwerk chat`: load a model in a runtime, answer one prompt, stop the runtime.

The turn is saved like the Chat page saves it (app.chat.turn): a new conversation with the model (a file not in the
Library yet is registered where it is), so it is listed in the Chat page afterwards. `--no-history` keeps nothing.
With `--tools` the model may call tools (app.tools): each call is asked on the terminal unless `--yes`, and the steps
are saved with the answer (folded like thinking).
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from app.cli import common as c
from app.cli.workers_option import add_worker_argument

if TYPE_CHECKING:
    from app.chat.messages import ChatError
    from app.chat.runtime import Runtime
    from app.chat.templates import ChatTemplate
    from formats.model import ModelInfo

INTERRUPTED = 130


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> dict[str, Callable[[argparse.Namespace], int]]:
    """Add the subcommand; returns name -> handler."""
    p = sub.add_parser("chat", help="answer one prompt with a local model")
    p.add_argument("model", metavar="MODEL", help="a library id, a library name or a path to a GGUF file")
    p.add_argument("--prompt", required=True, help="the user message")
    p.add_argument("--reasoning", choices=["off", "native", "prompted"], default="off",
                   help="System 1 (off) or System 2: the model's native thinking, or prompted reasoning")  # fmt: skip
    p.add_argument("--system", default="", help="a system prompt")
    p.add_argument("--max-tokens", type=int, default=256)
    p.add_argument("--temperature", type=float, default=0.7)
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--ctx", type=int, default=4096, help="context length (default 4096)")
    p.add_argument("--json", action="store_true", help="print {answer, thinking, stats, conversation} as JSON "
                                                       "(with --tools also the steps)")  # fmt: skip
    p.add_argument("--no-history", action="store_true", help="do not save the conversation (nor register the model file)")
    p.add_argument("--tools", default="", metavar="python,fetch,docs:COLLECTION",
                   help="tools the model may call: python (sandboxed, standard library only), fetch (only the URLs in "
                        "--prompt), docs:COLLECTION (search a document collection)")  # fmt: skip
    p.add_argument("--mcp", type=Path, default=None, metavar="mcp.json",
                   help="MCP servers whose tools the model may call, in LM Studio's and Cursor's notation: "
                        '{"mcpServers": {NAME: {"command": ..., "args": [...]} or {"url": ...}}}')  # fmt: skip
    p.add_argument("--yes", action="store_true", help="run every tool call without asking")
    add_worker_argument(p)
    p.add_argument("--max-steps", type=int, default=8, help="rounds of tool calls before the model must answer (default 8)")
    p.add_argument("--chat-template", type=Path, default=None, metavar="FILE",
                   help="a Jinja chat template to use instead of the model's (e.g. one with tool calling)")  # fmt: skip
    return {"chat": _cmd_chat}


def _cmd_chat(args: argparse.Namespace) -> int:
    from app.chat.engine import ChatEngine
    from app.chat.messages import Message, ReasoningMode, Role, RuntimeUnavailable, Sampling
    from app.chat.reasoning import detect
    from app.chat.runtime import LoadOptions, Runtime
    from app.chat.sessions import local_model_key
    from app.chat.templates import template_for
    from app.chat.turn import ChatTurn
    from app.cli.serve import resolve_model
    from app.cli.workers_option import with_cli_workers
    from app.workbench import Workbench
    from formats.gguf_info import inspect_gguf

    if args.max_tokens < 1:
        raise c.UsageError("--max-tokens must be at least 1")
    if args.tools or args.mcp is not None:
        from app.cli.chat_tools import check_arguments

        check_arguments(args)
    path = resolve_model(args.model)
    info = inspect_gguf(path)
    template = template_for(info) if args.chat_template is None else _template_file(args.chat_template, info)
    sampling = Sampling(temperature=args.temperature, max_tokens=args.max_tokens, seed=args.seed)
    if args.temperature == 0:
        sampling = dataclasses.replace(sampling, top_k=1, top_p=1.0, min_p=0.0)
    mode = ReasoningMode(args.reasoning)
    if args.tools or args.mcp is not None:
        from app.cli.chat_tools import run_with_tools

        return run_with_tools(args, path, template=template, sampling=sampling, mode=mode)
    with Workbench() as bench:
        conversation_id: int | None = None
        if not args.no_history:
            entry = bench.library_model(path)
            bench.catalog.touch(entry.id)  # the Library's "Last used"
            conversation_id = bench.conversations.create(local_model_key(entry.id), system_prompt=args.system,
                                                         sampling=sampling, reasoning=mode).id  # fmt: skip
        # One answer: one slot (a slot's KV cache is memory for nothing when no second request comes).
        options = with_cli_workers(args, path, LoadOptions(context=args.ctx, parallel=1))
        runtime = Runtime.launch(path, options=options, name=path.name)
        try:
            runtime.wait_ready(timeout_s=300)
            engine = ChatEngine(runtime.client(), template=template, support=detect(template))
            if conversation_id is None:
                messages = [Message(Role.SYSTEM, args.system)] if args.system else []
                turn = ChatTurn(engine, [*messages, Message(Role.USER, args.prompt)], mode=mode, sampling=sampling)
            else:
                turn = ChatTurn.ask(bench.conversations, conversation_id, args.prompt, engine, mode=mode, sampling=sampling)
            try:
                answer = turn.run()
            except RuntimeUnavailable as e:
                ended = _why_it_ended(runtime)
                if ended is None:
                    raise
                raise ended from e
        except KeyboardInterrupt:
            print("modelwerk chat: interrupted", file=sys.stderr)
            return INTERRUPTED
        finally:
            runtime.stop()
    if args.json:
        c.print_json({"answer": answer.content, "thinking": answer.thinking, "stats": dataclasses.asdict(answer.stats),
                      "template": template.source, "base_model": template.base_model,
                      "conversation": conversation_id})  # fmt: skip
    else:
        if answer.thinking:
            print(f"[thinking]\n{answer.thinking}\n[/thinking]\n")
        print(answer.content)
    return 0


def _why_it_ended(runtime: Runtime, wait_s: float = 3.0) -> ChatError | None:
    """When the connection to llama-server broke because it ended (a crash, a worker gone), what the runtime says
    about it ("the worker 127.0.0.1:50053 stopped answering…") rather than the connection's own words (which name
    llama-server's private port); None when it is still running."""
    import time

    from app.chat.messages import ChatError
    from app.chat.runtime import RuntimeState

    deadline = time.monotonic() + wait_s
    while runtime.state not in (RuntimeState.CRASHED, RuntimeState.FAILED) and time.monotonic() < deadline:
        time.sleep(0.05)  # its watcher notices the exit within moments
    return ChatError(runtime.error_text) if runtime.state in (RuntimeState.CRASHED, RuntimeState.FAILED) else None


def _template_file(path: Path, info: ModelInfo) -> ChatTemplate:
    """A chat template from a file the user names, with the model's own BOS and EOS."""
    from app.chat.templates import MAX_TEMPLATE_CHARS, ChatTemplate

    try:
        if path.stat().st_size > MAX_TEMPLATE_CHARS * 4:
            raise c.UsageError(f"{path} is too large for a chat template (at most {MAX_TEMPLATE_CHARS:,} characters)")
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise c.UsageError(f"{path} is not UTF-8 text: give a Jinja chat template file") from e
    except OSError as e:
        raise c.UsageError(f"cannot read the chat template {path}: {e.strerror or e}") from e
    return ChatTemplate(text, "file", False, info.bos_token or "", info.eos_token or "")
