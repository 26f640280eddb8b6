"""Probes: protocol code that turns what a device says into infraaudit models.

A probe gets its transport injected, returns pydantic models, never prints, never writes files
and never raises past the runner. Parsing is a pure function tested by replay cases.
"""
