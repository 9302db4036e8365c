"""The bottom layer: what every other package may import and what imports nothing of the project.

Standard library only, because the toolchain's own Python runs quantize workers from these sources without the app's
dependencies. ``core.errors`` is the root of every expected error; ``core.migrations`` is the one schema migration runner
for every SQLite file (the app's database and the job queue's).
"""
