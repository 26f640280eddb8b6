"""Read an inventory file: YAML with line numbers, secrets resolved, validated into the model.

Errors name the file, the line and the field, and say how to fix them; they never quote a
resolved secret.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError

from infraaudit.errors import InventoryError
from infraaudit.inventory.model import Inventory
from infraaudit.inventory.secrets import resolve_secrets
from infraaudit.util.yamlfile import parse_yaml, read_text, validate_strict, yaml_problem


@dataclass(frozen=True)
class LoadedInventory:
    inventory: Inventory
    path: Path
    digest: str  # sha256 of the file bytes


class _Locator:
    """Maps a path of keys and indexes in the YAML document to a line number."""

    def __init__(self, file: Path, root: yaml.Node | None) -> None:
        self.file = file
        self.lines: dict[tuple[str | int, ...], int] = {}
        if root is not None:
            self._walk(root, ())

    def _walk(self, node: yaml.Node, path: tuple[str | int, ...]) -> None:
        self.lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                child = (*path, str(key.value))
                self._walk(value, child)
                self.lines[child] = key.start_mark.line + 1  # the key's line, not the value's
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                self._walk(item, (*path, i))

    def describe(self, path: tuple[str | int, ...]) -> str:
        for end in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:end]))
            if line is not None:
                return f"{self.file}:{line}"
        return str(self.file)


def _format_validation(exc: ValidationError, where: _Locator) -> str:
    problems = []
    for err in exc.errors(include_url=False, include_input=False):
        # pydantic adds the union tag (e.g. 'v2c') to the location; drop it for the lookup.
        loc = tuple(p for p in err["loc"] if p not in ("v1", "v2c", "v3"))
        field = ".".join(str(p) for p in loc) or "(top level)"
        hint = _HINTS.get(err["type"], "")
        problems.append(f"  {where.describe(loc)}: {field}: {err['msg']}{hint}")
    return "\n".join(problems)


_HINTS = {
    "extra_forbidden": " (unknown key: check its spelling and indentation)",
    "missing": " (add this key)",
    "union_tag_invalid": " (version must be v1, v2c or v3)",
    "enum": "",
}


def load_inventory(
    path: Path,
    *,
    env: dict[str, str] | None = None,
    allow_inline_secrets: bool = False,
) -> LoadedInventory:
    """Read, resolve and validate an inventory file; InventoryError says what and where."""
    text = read_text(path, "inventory")
    raw = text.encode("utf-8")
    try:
        data, node = parse_yaml(text)
    except yaml.YAMLError as exc:
        raise InventoryError(yaml_problem(exc, path)) from None
    locator = _Locator(path, node)
    if not isinstance(data, dict):
        raise InventoryError(
            f"{path}: an inventory is a YAML mapping with agency, site, credentials and devices"
        )
    inline: list[str] = []
    resolved = resolve_secrets(data, (), dict(os.environ) if env is None else env,
                               allow_inline_secrets, locator.describe, inline)
    try:
        inventory = validate_strict(Inventory, resolved)
    except ValidationError as exc:
        raise InventoryError(
            f"{path}: {exc.error_count()} problem(s):\n{_format_validation(exc, locator)}"
        ) from None  # the pydantic error may quote resolved secrets: do not chain it
    except InventoryError as exc:  # a !!binary or !!set value
        raise InventoryError(f"{path}: {exc}") from None
    catalog = inventory.ipv6.catalog
    if catalog is not None and not catalog.is_absolute():
        inventory.ipv6.catalog = (path.parent / catalog).resolve()
    db = inventory.health.db
    if db is not None and not db.is_absolute():
        inventory.health.db = (path.parent / db).resolve()
    # The digest is published in the audit: hash the file with inline secrets masked, so that it
    # cannot be used to guess a weak community offline.
    for secret in sorted(set(inline), key=len, reverse=True):
        raw = raw.replace(secret.encode("utf-8"), b"***")
    return LoadedInventory(inventory, path, hashlib.sha256(raw).hexdigest())
