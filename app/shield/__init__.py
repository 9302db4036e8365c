"""Untrusted text (documents, web pages, tool output): detection on the way in, datamarking in the prompt, suspicious
links on the way out, and the red-team corpus that measures them. Pure: no Qt, no app services."""
