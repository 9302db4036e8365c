"""The Documents page: collections of the user's files, indexing, search with passages in place, the self-test."""
