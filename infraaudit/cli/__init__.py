"""The command line: one module per command group; ``app`` is the entry point.
May import: every stage."""

from infraaudit.cli.app import app

__all__ = ["app"]
