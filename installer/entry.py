"""The bundled executable's entry point (PyInstaller runs this file as `__main__`).

`modelwerk --run-module MODULE ARGS...` runs a module as `python -m MODULE ARGS...` would: a frozen bundle has no
`python -m`, and the chat runtime and the quantization worker are child processes started that way
(procs/launch.py). Everything else is the normal command line: the GUI, a file to open, or a subcommand.
"""

from __future__ import annotations

import multiprocessing
import runpy
import sys

from procs.launch import RUN_MODULE_FLAG

if __name__ == "__main__":
    multiprocessing.freeze_support()
    if len(sys.argv) > 2 and sys.argv[1] == RUN_MODULE_FLAG:
        module = sys.argv[2]
        sys.argv = [module, *sys.argv[3:]]
        runpy.run_module(module, run_name="__main__", alter_sys=True)
        sys.exit(0)
    from app.cli import main

    sys.exit(main())
