"""Code evaluation: a model writes solutions to programming problems (HumanEval or any file in its format), each is run
against the problem's tests in ``procs.sandbox``, and pass@1 says how often the model got it right."""
