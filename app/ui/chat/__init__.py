"""The Chat page: models and their conversations, one conversation per tab, its transcript and settings, and the backends
they talk to."""
