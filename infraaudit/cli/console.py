"""Everything the command line prints goes through these two consoles, which never read rich
markup: text from a file, a device or a database (a YAML key ``'[/bold]x'``, a folder named
``x[/b]``, a sysName with brackets) is printed exactly as written, and styles are given as
``Text`` objects. Tables printed on them show their cells as text too."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.text import Text

err = Console(stderr=True, markup=False, highlight=False, soft_wrap=True)
out = Console(markup=False, highlight=False)


def error(message: object) -> None:
    """``error: message`` on stderr (one line for a one-line message)."""
    err.print(Text.assemble(("error:", "red"), " ", str(message)))


def fail(message: object, code: int) -> typer.Exit:
    """Print the error; the ``typer.Exit`` to raise with ``code``."""
    error(message)
    return typer.Exit(code)


def warning(message: object, label: str = "") -> None:
    """A yellow line on stderr (``label`` first, in yellow, when given)."""
    if label:
        err.print(Text.assemble((label, "yellow"), " ", str(message)))
    else:
        err.print(Text(str(message), style="yellow"))


def note(message: object, style: str = "") -> None:
    """A line on stderr, in ``style`` when given."""
    err.print(Text(str(message), style=style))


def styled(text: object, style: str) -> Text:
    """``text`` in ``style``, for a table cell or a line."""
    return Text(str(text), style=style)
