"""The Discover page: Hugging Face search, a repository's files with fit badges, and the Downloads panel."""
