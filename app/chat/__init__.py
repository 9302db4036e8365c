"""Chat: model runtimes (child processes), the OpenAI-compatible client, chat templates, reasoning modes, sessions."""
