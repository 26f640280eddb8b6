"""The findings stage's public surface: other stages (and their tests) import only the names of
``infraaudit.findings.__all__``, never one of its modules, and every name there has a user."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import infraaudit.findings as stage
from tests.paths import REPO

PACKAGE = "infraaudit.findings"
OWN = (REPO / "infraaudit" / "findings", REPO / "tests" / "unit" / "findings")


def _outside_files() -> Iterator[Path]:
    for top in ("infraaudit", "probes", "lab", "tests"):
        for path in sorted((REPO / top).rglob("*.py")):
            if not any(path.is_relative_to(own) for own in OWN):
                yield path


def _imports(path: Path) -> Iterator[tuple[str, list[str], int]]:
    """(module, names, line) of every import in ``path`` that reaches the findings stage."""
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == PACKAGE or node.module.startswith(PACKAGE + "."):
                yield node.module, [a.name for a in node.names], node.lineno
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == PACKAGE or alias.name.startswith(PACKAGE + "."):
                    yield alias.name, [], node.lineno


def test_all_is_sorted_and_every_name_exists() -> None:
    assert stage.__all__ == sorted(stage.__all__)
    assert [name for name in stage.__all__ if not hasattr(stage, name)] == []


def test_other_stages_import_only_the_public_names() -> None:
    wrong, used = [], set()
    for path in _outside_files():
        for module, names, line in _imports(path):
            where = f"{path.relative_to(REPO)}:{line}"
            if module != PACKAGE:
                wrong.append(f"{where} imports {module}: import from {PACKAGE}")
            wrong += [f"{where}: {name} is not in {PACKAGE}.__all__"
                      for name in names if name not in stage.__all__]
            used.update(names)
    assert wrong == []
    assert sorted(set(stage.__all__) - used) == [], "names no other stage uses"
