"""A package ``__init__`` that names its public surface without importing it (PEP 562).

The package imports its names under ``if TYPE_CHECKING:`` — what readers, mypy and the layout
test see — and ends with ``__getattr__ = lazy_exports(__name__)``: a name is then imported from
the module that block names the first time someone uses it. ``infraaudit --help`` so does not
import FastAPI, SQLAlchemy or scapy because the command line names a type of their package.

Only absolute ``from a.b import c [as d]`` lines count. A package whose exported name is also
the name of one of its modules must stay eager: importing that module would shadow the name.
"""

from __future__ import annotations

import ast
import importlib
import sys
from collections.abc import Callable
from pathlib import Path


def _type_checking_imports(source: str) -> dict[str, tuple[str, str]]:
    """``{exported name: (module, name in it)}`` of the ``if TYPE_CHECKING:`` blocks."""
    found: dict[str, tuple[str, str]] = {}
    for node in ast.parse(source).body:
        if not (isinstance(node, ast.If) and isinstance(node.test, ast.Name)
                and node.test.id == "TYPE_CHECKING"):
            continue
        for line in node.body:
            if isinstance(line, ast.ImportFrom) and not line.level and line.module:
                for alias in line.names:
                    found[alias.asname or alias.name] = (line.module, alias.name)
    return found


def lazy_exports(package: str) -> Callable[[str], object]:
    """The ``__getattr__`` of ``package``: its ``TYPE_CHECKING`` names, imported on first use
    (and then kept as ordinary attributes)."""
    table: dict[str, tuple[str, str]] = {}

    def __getattr__(name: str) -> object:
        module = sys.modules[package]
        if not table:
            path = Path(module.__file__ or "")
            table.update(_type_checking_imports(path.read_text(encoding="utf-8")))
        if name not in table:  # also how ``from package import submodule`` finds a module
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        source, attr = table[name]
        value = getattr(importlib.import_module(source), attr)
        setattr(module, name, value)
        return value

    return __getattr__
