"""Probes: protocol code that turns what a device says into infraaudit models.

A probe gets its transport injected, returns pydantic models, never prints, never writes files
and never raises past the runner. Parsing is a pure function tested by replay cases.
May import: models, errors (never a later stage).

This folder is the package ``infraaudit.probes`` (the symlink ``infraaudit/probes``). Imported
as a top-level ``probes`` (a script run from the repository root), every module would load a
second time under another name, with classes that are not the package's: refuse it.
"""

if __name__ != "infraaudit.probes":
    raise ImportError(f"{__name__!r} is the package infraaudit.probes: import infraaudit.probes")
