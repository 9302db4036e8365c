"""The Hardware page: this machine, the advice table, and the fit calculator."""
