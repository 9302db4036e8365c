"""Tools a model can call: definitions, calls parsed from its output, the built-in tools and the agent loop."""
