"""Secrets in an inventory: ``${ENV_VAR}`` references resolved from the environment or an
``--env-file``; a secret written inline is refused unless the user accepts the risk.

Messages name the file and line of the key and never quote a secret's value.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from infraaudit.errors import InventoryError, SecretError
from infraaudit.util.yamlfile import read_text

ENV_REF = re.compile(r"^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$")

MAX_ENV_BYTES = 1024 * 1024
SECRET_KEYS = frozenset({"community", "auth_password", "priv_password", "password", "secret",
                         "enable_secret"})


def resolve_secrets(
    node: Any, path: tuple[str | int, ...], env: dict[str, str], allow_inline: bool,
    describe: Callable[[tuple[str | int, ...]], str], inline: list[str],
) -> Any:
    """Replace ``${VAR}`` references by their values; refuse inline secrets unless allowed.

    ``describe`` names the file and line of a key path; inline secrets that are allowed are
    appended to ``inline``.
    """

    def resolve(child: Any, key: str | int) -> Any:
        return resolve_secrets(child, (*path, key), env, allow_inline, describe, inline)

    if isinstance(node, dict):
        return {k: resolve(v, k) for k, v in node.items()}
    if isinstance(node, list):
        return [resolve(v, i) for i, v in enumerate(node)]
    in_headers = len(path) >= 2 and path[-2] == "headers"  # alert webhook headers carry tokens
    if not path or (path[-1] not in SECRET_KEYS and not in_headers) or node is None:
        return node
    field = ".".join(str(p) for p in path)
    text = str(node)
    match = ENV_REF.match(text)
    if match:
        name = match.group(1)
        if not env.get(name):
            raise SecretError(
                f"{describe(path)}: {field} refers to environment variable ${{{name}}}, "
                f"which is not set or empty. Export it (export {name}=...) or put it in an "
                "--env-file."
            )
        return env[name]
    if not allow_inline:
        raise SecretError(
            f"{describe(path)}: {field} holds a secret written inline. Write a reference "
            f'such as "${{SITE_SNMP_COMMUNITY}}" and set that environment variable, or pass '
            "--allow-inline-secrets if you accept the risk."
        )
    inline.append(text)
    return text


def read_env_file(path: Path) -> dict[str, str]:
    """Read KEY=VALUE lines (``#`` comments, optional ``export``, optional quotes)."""
    values: dict[str, str] = {}
    text = read_text(path, "env file", MAX_ENV_BYTES)  # InventoryError: unreadable, not UTF-8
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        line = line.removeprefix("export ").strip()
        key, sep, value = line.partition("=")
        if not sep or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key.strip()):
            raise InventoryError(f"{path}:{number}: expected KEY=VALUE")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values
