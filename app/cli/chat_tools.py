"""`modelwerk chat --tools ...`: one prompt answered by the agent loop, each call asked on the terminal (or `--yes`).

`--tools python` runs the model's code in the sandbox; `docs:COLLECTION` searches a document collection; `fetch` reads
the web pages whose URLs are in the prompt, and no others. `--mcp mcp.json` adds the tools of MCP servers (app.tools.mcp);
a server that does not start is one warning and the chat goes on. The steps print on stderr as they happen (with
`--json`, in the JSON).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.chat.figures import figures_dir, figures_of
from app.cli import common as c
from app.escaping import escape_controls
from app.tools.fetch import urls_in
from core.errors import user_message

if TYPE_CHECKING:
    from app.chat.messages import ReasoningMode, Sampling
    from app.chat.templates import ChatTemplate
    from app.tools.calls import ToolCall
    from app.tools.loop import Approval, Step
    from app.tools.mcp_config import McpServer
    from app.tools.spec import Tool

INTERRUPTED = 130


def parse_tools(text: str) -> list[tuple[str, str]]:
    """``python,docs:NAME`` -> [("python", ""), ("docs", "NAME")]; one line for anything else."""
    out: list[tuple[str, str]] = []
    for item in (part.strip() for part in text.split(",")):
        kind, _, arg = item.partition(":")
        if kind == "python" and not arg:
            out.append(("python", ""))
        elif kind == "docs" and arg.strip():
            out.append(("docs", arg.strip()))
        elif kind == "fetch" and not arg:
            out.append(("fetch", ""))
        else:
            raise c.UsageError(f"unknown tool {c.safe(item)!r} in --tools: use python, fetch, docs:COLLECTION "
                               "(comma-separated)")  # fmt: skip
    if len({kind for kind, _ in out}) != len(out):
        raise c.UsageError("--tools names each tool once (one docs:COLLECTION)")
    return out


def check_arguments(args: argparse.Namespace) -> list[tuple[str, str]]:
    """The tools asked for; one line (exit 2) for what is not right, before a model is looked for."""
    if args.max_steps < 1:
        raise c.UsageError("--max-steps must be at least 1")
    if args.mcp is not None:
        mcp_servers(args)  # the mcp.json's problems, one line each, before the model loads
    elif not args.tools:
        raise c.UsageError("--tools is empty: name python, fetch and/or docs:COLLECTION (or give --mcp mcp.json)")
    wanted = parse_tools(args.tools) if args.tools else []
    if ("fetch", "") in wanted and not urls_in(args.prompt):
        raise c.UsageError("--tools fetch reads only pages whose http(s) URL is in --prompt, and there is none")
    return wanted


def mcp_servers(args: argparse.Namespace) -> list[McpServer]:
    """The servers of ``--mcp`` (none without it); its problems as a usage error, one line per problem."""
    if args.mcp is None:
        return []
    from app.tools.mcp_config import McpConfigError, load_config

    try:
        servers = load_config(Path(args.mcp))
    except McpConfigError as e:
        raise c.UsageError("\n".join(c.safe(line) for line in str(e).splitlines())) from e
    if not servers:
        raise c.UsageError(f"{c.safe(str(args.mcp))} names no enabled MCP server")
    return servers


def run_with_tools(args: argparse.Namespace, path: Path, *, template: ChatTemplate, sampling: Sampling,
                   mode: ReasoningMode) -> int:  # fmt: skip
    """The `--tools` path of `modelwerk chat`."""
    from app.chat.engine import ChatEngine
    from app.chat.messages import Role
    from app.chat.reasoning import detect
    from app.chat.runtime import LoadOptions, Runtime
    from app.chat.sessions import MessageState, local_model_key
    from app.cli.workers_option import with_cli_workers
    from app.documents.parse import DocumentError
    from app.search import open_retriever
    from app.tools.docs import docs_tool
    from app.tools.fetch import fetch_tool
    from app.tools.loop import AgentLoop, StopReason, steps_text
    from app.tools.mcp import McpServers
    from app.tools.python import python_tool
    from app.tools.render import call_format
    from app.workbench import Workbench
    from procs.sandbox import Isolation, bwrap

    wanted = check_arguments(args)
    call_format(template)  # NoToolCalling: one line, before the model loads
    with Workbench() as bench, contextlib.ExitStack() as stack:
        tools: list[Tool] = []
        for kind, arg in wanted:
            if kind == "python":
                tools.append(python_tool())
                if bwrap() is None:
                    print(f"modelwerk chat: warning: Python runs with {Isolation().describe()}", file=sys.stderr)
            elif kind == "fetch":
                tools.append(fetch_tool(urls_in(args.prompt)))
            else:
                info = bench.documents.collection(arg)  # UnknownCollection: one line
                if info.passages == 0:
                    raise DocumentError(f"the collection {info.name!r} has no indexed text yet; add files first "
                                        "(`modelwerk docs add`)")  # fmt: skip
                retriever = stack.enter_context(open_retriever(bench.documents, info.id))
                tools.append(docs_tool(retriever, collection=info.name))
        servers = mcp_servers(args)
        mcp = stack.enter_context(McpServers(servers)) if servers else None
        if mcp is not None:
            tools += mcp.start()  # before the model loads: a server that fails is said at once
            for line in mcp.problems:
                print(f"modelwerk chat: warning: {c.safe(line)}", file=sys.stderr)
        said = len(mcp.problems) if mcp is not None else 0
        conversation_id: int | None = None
        if not args.no_history:
            entry = bench.library_model(path)
            bench.catalog.touch(entry.id)
            conversation_id = bench.conversations.create(local_model_key(entry.id), system_prompt=args.system,
                                                         sampling=sampling, reasoning=mode).id  # fmt: skip
            bench.conversations.add_message(conversation_id, Role.USER, args.prompt)
        messages = ([{"role": "system", "content": args.system}] if args.system else []) + \
            [{"role": "user", "content": args.prompt}]  # fmt: skip
        steps: list[Step] = []

        def on_step(step: Step) -> None:
            steps.append(step)
            if not args.json:
                _print_step(step)

        def save_unfinished(state: MessageState, error: str = "") -> None:
            if conversation_id is not None:  # the steps so far stay with the conversation
                message = bench.conversations.add_message(conversation_id, Role.ASSISTANT, "", thinking=steps_text(steps),
                                                          state=state, error=error)  # fmt: skip
                bench.conversations.set_steps(message.id, [s.to_json() for s in steps])

        runtime = Runtime.launch(path, options=with_cli_workers(args, path, LoadOptions(context=args.ctx, parallel=1)),
                                 name=path.name)  # fmt: skip
        try:
            runtime.wait_ready(timeout_s=300)
            engine = ChatEngine(runtime.client(), template=template, support=detect(template))
            loop = AgentLoop(engine, tools, approve=_always_yes if args.yes else ask_on_terminal,
                             max_steps=args.max_steps, mode=mode, sampling=sampling, on_step=on_step)  # fmt: skip
            result = loop.run(messages)
            for line in mcp.problems[said:] if mcp is not None else ():  # a server that died during the chat
                print(f"modelwerk chat: warning: {c.safe(line)}", file=sys.stderr)
        except KeyboardInterrupt:
            save_unfinished(MessageState.CANCELLED)
            print("modelwerk chat: interrupted", file=sys.stderr)
            return INTERRUPTED
        except Exception as e:
            save_unfinished(MessageState.ERROR, user_message(e))
            raise
        finally:
            runtime.stop()
        if conversation_id is not None:
            thinking = "\n\n".join(t for t in (result.answer.thinking, steps_text(result.steps)) if t)
            state = MessageState.CANCELLED if result.stopped is StopReason.CANCELLED else MessageState.DONE
            message = bench.conversations.add_message(conversation_id, Role.ASSISTANT, result.answer.content,
                                                      thinking=thinking, stats=result.answer.stats, state=state)  # fmt: skip
            bench.conversations.set_steps(message.id, [s.to_json() for s in result.steps])  # with their figures
    if result.stopped is StopReason.STEP_LIMIT:
        print(f"modelwerk chat: stopped after {args.max_steps} rounds of tool calls (--max-steps); the answer may be "
              "incomplete", file=sys.stderr)  # fmt: skip
    if args.json:
        c.print_json({"answer": result.answer.content, "thinking": result.answer.thinking,
                      "steps": [s.to_json() for s in result.steps], "stopped": result.stopped.value,
                      "rounds": result.rounds, "stats": dataclasses.asdict(result.answer.stats),
                      "tools": [t.name for t in tools], "template": template.source,
                      "conversation": conversation_id})  # fmt: skip
    else:
        if result.answer.thinking:
            print(f"[thinking]\n{result.answer.thinking}\n[/thinking]\n")
        print(result.answer.content)
    return 0


def _always_yes(call: ToolCall, tool: Tool) -> Approval:
    from app.tools.loop import Approval

    return Approval.ONCE


def ask_on_terminal(call: ToolCall, tool: Tool) -> Approval:
    """Show the call in full (every line of code: what runs is what the user saw) and ask y/a/N on the terminal."""
    from app.tools.loop import Approval

    err = sys.stderr
    print(f"\nThe model wants to run {c.safe(tool.name)}:", file=err)
    if tool.origin:
        print(f"  ({c.safe(tool.origin)})", file=err)
    for note in call.provenance:
        print(f"  ⚠ {c.safe(note)}", file=err)
    for key, value in call.arguments.items():
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        print(f"  {c.safe(key)}:", file=err)
        for line in text.splitlines() or [""]:
            print(f"    {escape_controls(line)}", file=err)
    print("Run it? [y] once, [a] always for this tool, [N] no: ", end="", file=err, flush=True)
    reply = sys.stdin.readline().strip().lower()  # EOF (no terminal): "" is no
    if reply in ("y", "yes"):
        return Approval.ONCE
    if reply in ("a", "always"):
        return Approval.ALWAYS
    return Approval.DENY


def _print_step(step: Step) -> None:
    args: Any = json.dumps(dict(step.arguments), ensure_ascii=False)
    args = args if len(args) <= 120 else args[:119] + "…"
    print(f"[step {step.round}] {c.safe(step.tool)} {c.safe(args)} → {c.safe(step.summary)}", file=sys.stderr)
    for number, figure in enumerate(figures_of([step.to_json()]), 1):
        print(f"[step {step.round}] {figure.label(number)} written to {figures_dir() / figure.file}", file=sys.stderr)
