"""The per-platform command tables (``commands.yaml``): the only text an SSH session may send."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict

from infraaudit.errors import CommandRefused
from infraaudit.util.yamlfile import data_yaml


class Command(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    command: str
    parser: Literal["textfsm", "own", "keep"]
    fills: tuple[str, ...]


class PlatformTable(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    copy_of: str | None = None
    session: frozenset[str] = frozenset()
    rejected: tuple[str, ...] = ()  # how the device says "I don't know that command"
    commands: tuple[Command, ...] = ()

    def allows(self, text: str) -> bool:
        return any(c.command == text for c in self.commands)


class _Tables(BaseModel):
    model_config = ConfigDict(extra="forbid")

    autodetect: frozenset[str]
    platforms: dict[str, PlatformTable]


@cache
def _tables() -> _Tables:
    text = resources.files("infraaudit.probes.ssh").joinpath("commands.yaml").read_text("utf-8")
    data = data_yaml(text)
    for entry in data["platforms"].values():  # `copy:` in the file, `copy_of` in the model
        if "copy" in entry:
            entry["copy_of"] = entry.pop("copy")
    return _Tables.model_validate(data)


def command_slug(command: str) -> str:
    """File name for a command's capture: 'show ip int brief' -> 'show_ip_int_brief'."""
    return re.sub(r"[^a-z0-9]+", "_", command.lower()).strip("_")


def platforms() -> list[str]:
    return sorted(_tables().platforms)


def autodetect_commands() -> frozenset[str]:
    return _tables().autodetect


def resolve(platform: str) -> str:
    """The platform whose table ``platform`` uses, following ``copy:`` aliases."""
    tables = _tables().platforms
    name, seen = platform, set()
    while True:
        entry = tables.get(name)
        if entry is None:
            known = ", ".join(sorted(tables))
            raise CommandRefused(f"no command table for platform {platform!r} (known: {known})")
        if entry.copy_of is None:
            return name
        if name in seen:
            raise CommandRefused(f"copy loop in the command table at {name!r}")
        seen.add(name)
        name = entry.copy_of


def table(platform: str) -> PlatformTable:
    """The allowlist of ``platform``."""
    return _tables().platforms[resolve(platform)]
