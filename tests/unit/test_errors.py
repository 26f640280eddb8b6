"""One drawn exception tree (STYLE.md: httpx draws its hierarchy and every class is in it):
every exception class infraaudit defines for others to catch lives in ``infraaudit.errors``,
derives from ``InfraAuditError`` and stands in the docstring's drawing under its real parent."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re

import infraaudit
from infraaudit import errors
from infraaudit.errors import InfraAuditError


def all_modules() -> list[str]:
    names = [m.name for m in pkgutil.walk_packages(infraaudit.__path__, "infraaudit.")
             if not m.name.endswith("__main__")]  # a __main__ runs its command when imported
    return sorted(names)


def defined_exceptions() -> dict[str, type[BaseException]]:
    found: dict[str, type[BaseException]] = {}
    for name in all_modules():
        module = importlib.import_module(name)
        for value in vars(module).values():
            if (inspect.isclass(value) and issubclass(value, BaseException)
                    and value.__module__ == name):
                found[f"{name}.{value.__qualname__}"] = value
    return found


# "    │   └── SecretError   ..." (the depth is the count of 4-wide indents) or the root alone
DRAWN = r"^(\s*)((?:[│ ]   )*)(?:[├└]── )?([A-Z]\w+)\s{2,}|^(\s*)(InfraAuditError)$"


def drawing() -> dict[str, str | None]:
    """Each class the docstring draws, with the class drawn as its parent."""
    parents: dict[str, str | None] = {}
    stack: list[tuple[int, str]] = []
    for line in (errors.__doc__ or "").splitlines():
        match = re.match(DRAWN, line)
        if not match:
            continue
        name = match.group(3) or match.group(5)
        depth = 0 if match.group(5) else len(match.group(2)) // 4 + 1
        while stack and stack[-1][0] >= depth:
            stack.pop()
        parents[name] = stack[-1][1] if stack else None
        stack.append((depth, name))
    return parents


def test_every_public_exception_is_defined_in_the_errors_module() -> None:
    elsewhere = sorted(path for path, cls in defined_exceptions().items()
                       if cls.__module__ != "infraaudit.errors"
                       and not cls.__name__.startswith("_"))
    assert not elsewhere, f"define them in infraaudit/errors.py (or make them private): {elsewhere}"


def test_every_exception_derives_from_the_root() -> None:
    outside = sorted(path for path, cls in defined_exceptions().items()
                     if cls is not InfraAuditError and not issubclass(cls, InfraAuditError))
    assert not outside, outside


def test_the_drawing_shows_every_class_under_its_real_parent() -> None:
    drawn = drawing()
    classes = {name: cls for name, cls in vars(errors).items()
               if inspect.isclass(cls) and issubclass(cls, BaseException)
               and cls.__module__ == "infraaudit.errors"}
    assert set(drawn) == set(classes), (set(classes) ^ set(drawn))
    for name, parent in drawn.items():
        real = classes[name].__bases__[0]
        expected = "Exception" if parent is None else parent
        assert real.__name__ == expected, f"{name} is drawn under {parent}, derives from {real}"
