"""The layout keeps its promises (ARCHITECTURE.md): stages meet only at their public names,
import only the stages their docstring allows, form no cycle, and hold small files.

Read from the source text (``ast``), so a lazy import inside a function counts as well.
A stage is a subpackage of ``infraaudit`` (a probe family, ``infraaudit.probes.<family>``, is a
stage of its own); ``errors``, ``util`` and ``models`` are shared layers every stage may use.
"""

from __future__ import annotations

import ast
import importlib
import os
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from tests.paths import REPO

PACKAGE = REPO / "infraaudit"
SHARED = {"infraaudit", "infraaudit.errors", "infraaudit.util", "infraaudit.models",
          "infraaudit.schema"}
MAX_LINES = 420  # "about 400": past it a file holds two things


@dataclass(frozen=True)
class Import:
    importer: str  # module doing the import
    module: str  # module imported from
    names: tuple[str, ...]  # names taken from it (empty for ``import x``)
    line: int


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def sources() -> dict[str, Path]:
    """Every module of the installed package, by dotted name (through the probes and
    report_templates symlinks, as the wheel holds them)."""
    found = {}
    for folder, dirs, files in os.walk(PACKAGE, followlinks=True):  # rglob skips symlinks
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith(".py"):
                path = Path(folder) / name
                found[module_name(path)] = path
    return found


def stage_of(module: str) -> str:
    parts = module.split(".")
    if len(parts) >= 3 and parts[1] == "probes":
        return ".".join(parts[:3])
    return ".".join(parts[:2])


def resolve(importer: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    is_package = sources()[importer].name == "__init__.py"
    base = importer.split(".")
    base = base[:len(base) - node.level + (1 if is_package else 0)]
    return ".".join(base + ([node.module] if node.module else []))


@cache
def imports() -> list[Import]:
    found = []
    for name, path in sources().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                module = resolve(name, node)
                if module.startswith("infraaudit"):
                    found.append(Import(name, module, tuple(a.name for a in node.names),
                                        node.lineno))
            elif isinstance(node, ast.Import):
                found += [Import(name, a.name, (), node.lineno) for a in node.names
                          if a.name.startswith("infraaudit")]
    return found


def stages() -> list[str]:
    return sorted({stage_of(m) for m in sources() if stage_of(m) not in SHARED
                   and stage_of(m) not in ("infraaudit.probes", "infraaudit.report_templates")
                   and "." in m})


def allowed(stage: str) -> set[str]:
    """The stages a stage's docstring says it may import ("May import: a, b, c.")."""
    doc = ast.get_docstring(ast.parse(sources()[stage].read_text(encoding="utf-8"))) or ""
    match = re.search(r"May import:\s*(.*?)\.(?:\s|$)", doc, flags=re.S)
    assert match, f"{stage}/__init__.py: its docstring must say 'May import: ...'"
    listed = re.sub(r"\([^)]*\)", "", match.group(1))  # "health (history)": the name counts
    words = [w.strip() for w in re.split(r"[,;]| and |\n", listed) if w.strip()]
    out = set()
    for word in words:
        first = word.split()[0]
        if first in ("nothing", "every"):
            out.add(first)
        else:
            out.add(f"infraaudit.{first}")
    return out


def cross_stage() -> list[Import]:
    return [i for i in imports() if stage_of(i.module) not in SHARED
            and stage_of(i.module) != stage_of(i.importer)]


def test_every_stage_says_what_it_holds_and_names_its_public_surface() -> None:
    for stage in stages():
        package = importlib.import_module(stage)
        assert package.__doc__, f"{stage}: no docstring"
        names = getattr(package, "__all__", None)
        assert isinstance(names, list), f"{stage}/__init__.py has no __all__"
        missing = [n for n in names if not hasattr(package, n)]
        assert not missing, f"{stage}.__all__ names what it does not hold: {missing}"
        allowed(stage)


def test_every_package_says_what_it_may_import() -> None:
    """Sub-packages too: "May import: what the report stage may." is enough for them."""
    silent = [m for m, path in sources().items() if path.name == "__init__.py"
              and "May import" not in (ast.get_docstring(ast.parse(path.read_text("utf-8"))) or "")]
    assert not silent, silent


def test_stages_meet_only_at_the_names_their_init_exports() -> None:
    """``from infraaudit.report import build_report``, never ``infraaudit.report.agency``."""
    wrong = []
    for imp in cross_stage():
        target = stage_of(imp.module)
        public = set(getattr(importlib.import_module(target), "__all__", []))
        if imp.module != target or not imp.names:
            wrong.append(f"{imp.importer}:{imp.line} imports {imp.module} "
                         f"(use: from {target} import ...)")
        elif unknown := [n for n in imp.names if n not in public]:
            wrong.append(f"{imp.importer}:{imp.line} takes {unknown} from {target}, "
                         "which does not export them")
    assert not wrong, "\n".join(wrong)


def test_every_name_a_stage_exports_has_a_user_outside_it() -> None:
    """An export nobody imports is a door into nothing: drop it (tests and the lab count)."""
    used: dict[str, set[str]] = defaultdict(set)
    for imp in cross_stage():
        used[stage_of(imp.module)].update(imp.names)
    for top in ("tests", "lab"):
        for path in sorted((REPO / top).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom) and node.module in stages():
                    used[node.module].update(a.name for a in node.names)
    unused = {stage: sorted(set(importlib.import_module(stage).__all__) - used[stage])
              for stage in stages()}
    assert not {s: names for s, names in unused.items() if names}, unused


def test_stages_import_only_what_their_docstring_allows_and_form_no_cycle() -> None:
    edges: dict[str, set[str]] = defaultdict(set)
    for imp in cross_stage():
        edges[stage_of(imp.importer)].add(stage_of(imp.module))
    wrong = []
    for stage, targets in sorted(edges.items()):
        permitted = allowed(stage)
        if "every" in permitted:
            continue
        for target in sorted(targets):
            family = ".".join(target.split(".")[:2])  # "probes" allows every probe family
            if target not in permitted and family not in permitted:
                wrong.append(f"{stage} imports {target}; its docstring allows "
                             f"{sorted(p.removeprefix('infraaudit.') for p in permitted)}")
    assert not wrong, "\n".join(wrong)
    assert not cycles(edges), cycles(edges)


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The cycles of a directed graph (one path per strongly connected part of size > 1,
    or a node that imports itself)."""
    found, state = [], {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = "open"
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == "open":
                found.append([*path[path.index(nxt):], nxt] if nxt in path else [node, nxt])
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = "done"

    for node in sorted(edges):
        if node not in state:
            visit(node, [node])
    return found


def test_no_module_imports_itself_back_through_others() -> None:
    edges: dict[str, set[str]] = defaultdict(set)
    known = sources()
    for imp in imports():
        targets = [imp.module] + [f"{imp.module}.{n}" for n in imp.names]
        for target in targets:
            if target in known and target != imp.importer:
                edges[imp.importer].add(target)
    # a package's __init__ re-exporting its modules is not a cycle with them
    for module in list(edges):
        edges[module] = {t for t in edges[module]
                         if not (module.startswith(t + ".") and known[t].name == "__init__.py")}
    assert not cycles(edges), "\n".join(" -> ".join(c) for c in cycles(edges))


@pytest.mark.parametrize("folder", ["infraaudit", "probes", "lab"])
def test_no_source_file_holds_more_than_about_400_lines(folder: str) -> None:
    big = {str(p.relative_to(REPO)): n for p in sorted((REPO / folder).rglob("*.py"))
           if "run" not in p.relative_to(REPO).parts
           and (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not big, big
