"""The command line: one module per command group; ``app`` is the entry point.
May import: every stage."""

from infraaudit.cli.signals import hold_sigterm

hold_sigterm()  # before the commands are imported: a SIGTERM meanwhile is not lost (signals.py)

from infraaudit.cli.app import app  # noqa: E402

__all__ = ["app"]
