"""Firmware and model from sysDescr, per vendor family, as data (``data/identity.yaml``).

Used when ENTITY-MIB gives no firmware or model: most IOS 12.x, Junos, D-Link, TP-Link,
MikroTik, Netgear and printer agents name them only in sysDescr. Pure.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

from pydantic import BaseModel, ConfigDict, field_validator

from infraaudit.util.yamlfile import data_yaml


class Family(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    match: str
    enterprises: list[int] = []
    firmware: list[str] = []
    model: list[str] = []

    @field_validator("match", "firmware", "model")
    @classmethod
    def _compiles(cls, value: str | list[str]) -> str | list[str]:
        for pattern in [value] if isinstance(value, str) else value:
            re.compile(pattern)
        return value


class Families(BaseModel):
    model_config = ConfigDict(extra="forbid")

    families: list[Family]


class Identity(BaseModel):
    model_config = ConfigDict(extra="forbid")

    family: str | None = None
    firmware: str | None = None
    model: str | None = None


@cache
def families() -> list[Family]:
    source = resources.files("infraaudit.probes.snmp").joinpath("data/identity.yaml")
    return Families.model_validate(data_yaml(source.read_text("utf-8"))).families


def _enterprise(sys_object_id: str | None) -> int | None:
    prefix = "1.3.6.1.4.1."
    if sys_object_id and sys_object_id.startswith(prefix):
        head = sys_object_id[len(prefix):].split(".")[0]
        return int(head) if head.isdigit() else None
    return None


def _first(patterns: list[str], text: str) -> str | None:
    for pattern in patterns:
        found = re.search(pattern, text, re.IGNORECASE | re.MULTILINE)
        if not found:
            continue
        named = [v for v in found.groupdict().values() if v]
        value = " ".join(named) if named else next((g for g in found.groups() if g), None)
        if value and value.strip(" ,.;"):
            return value.strip(" ,.;")[:80]
    return None


def from_sys_descr(sys_descr: str | None, sys_object_id: str | None) -> Identity:
    """The family of the first entry that applies, with the firmware and model it finds."""
    text = sys_descr or ""
    if not text.strip():
        return Identity()
    enterprise = _enterprise(sys_object_id)
    for family in families():
        if family.enterprises and enterprise not in family.enterprises:
            continue
        if not re.search(family.match, text, re.IGNORECASE | re.MULTILINE):
            continue
        return Identity(family=family.name, firmware=_first(family.firmware, text),
                        model=_first(family.model, text))
    return Identity()
