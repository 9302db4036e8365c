"""Hugging Face: search, repository file listings with fit verdicts, and resumable verified downloads (no Qt here)."""
