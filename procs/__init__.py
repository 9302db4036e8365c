"""Child processes, the one way Modelwerk runs them: what to launch (`procs.launch`), the parent's supervisor
(`procs.supervisor`: process group, terminate then kill, `Outcome`), the JSON-lines event protocol (`procs.jsonlines`) and
the child's orphan watchdog (`procs.watchdog`). Pure: the standard library only, so the toolchain's Python can run a
worker from these sources.
"""
