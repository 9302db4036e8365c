"""`modelwerk`: the GUI by default, headless subcommands for scripts.

Exit codes: 0 success, 1 an error, 2 a usage error. An expected error (``core.errors.ModelwerkError``) is one line on
stderr; anything else is a bug: a ``bug:`` line that names the log, which holds the traceback (shown too with --debug).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from app import paths
from app.cli import ask, chat, docs, hardware, library, pull, redteam, search, serve, worker
from app.cli import codeeval as codeeval_cli
from app.cli import evaluate as evaluate_cli
from app.cli import quantize as quantize_cli
from app.cli import toolchain as toolchain_cli
from app.cli.common import UsageError
from app.logs import current_log_path, setup_logging
from core.errors import is_expected, user_message

log = logging.getLogger(__name__)


COMMAND_MODULES = (hardware, library, search, pull, serve, chat, docs, ask, redteam, codeeval_cli, evaluate_cli, quantize_cli,
                   toolchain_cli, worker)
"""Each module's register(sub) adds its subcommands and returns name -> handler."""


def _parser() -> tuple[argparse.ArgumentParser, dict[str, Callable[[argparse.Namespace], int]]]:
    p = argparse.ArgumentParser(prog="modelwerk", description="A workbench for local language models.")
    p.add_argument("--debug", action="store_true", help="log debug details and show tracebacks")
    p.add_argument("--self-test", action="store_true",
                   help="check this installation: window offscreen, a tiny model loaded, 8 tokens generated")  # fmt: skip
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    commands: dict[str, Callable[[argparse.Namespace], int]] = {}
    for module in COMMAND_MODULES:
        commands.update(module.register(sub))
    return p, commands


def _files_to_open(args_list: list[str], commands: dict[str, Callable[[argparse.Namespace], int]]) -> list[Path] | None:
    """`modelwerk FILE...` (what a double-click on a .gguf runs): the files, else None (a command or options)."""
    if not args_list or args_list[0].startswith("-") or args_list[0] in commands:
        return None
    files = [Path(a) for a in args_list if not a.startswith("-")]
    missing = [str(f) for f in files if not f.exists()]
    if missing:
        raise UsageError(f"no such command or file: {missing[0]} (commands: {', '.join(sorted(commands))})")
    return files


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser, commands = _parser()
    if args_list[:1] == ["--self-test"]:
        from app.ui.selftest import self_test  # Qt only when asked for

        return self_test(args_list[1:])
    try:
        files = _files_to_open(args_list, commands)
    except UsageError as e:
        print(f"modelwerk: {e}", file=sys.stderr)
        return 2
    if files is not None:
        from app.ui.app import run_gui

        return int(run_gui([], files=files))
    args = parser.parse_args(args_list)  # exits 2 on usage errors
    if args.command is None:
        from app.ui.app import run_gui  # Qt only when the GUI is wanted

        return int(run_gui(args_list))
    try:
        setup_logging(paths.log_dir(), debug=args.debug)
        command: Callable[[argparse.Namespace], int] = commands[args.command]
        return command(args)
    except UsageError as e:
        print(f"modelwerk {args.command}: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as e:
        return _report(args.command, e, debug=args.debug)


def _report(command: str, exc: Exception, *, debug: bool) -> int:
    """The one place a command's error becomes what the user reads: exit code 1."""
    if is_expected(exc):
        log.debug("command failed", exc_info=True)
        if debug:
            raise exc
        print(f"modelwerk {command}: {user_message(exc)}", file=sys.stderr)
        return 1
    # INFO: the log file gets the traceback, the terminal (WARNING and up) only the one line below.
    log.info("bug in modelwerk %s", command, exc_info=exc)
    if debug:
        raise exc
    where = current_log_path()
    print(f"modelwerk {command}: {user_message(exc)} — see {where or 'the log'}", file=sys.stderr)
    return 1

