"""The device-health readers as data (``data/health.yaml``) loaded into a model once: a typo, an
OID that is not numeric or a reader missing the columns its style needs fails at load."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from infraaudit.errors import InfraAuditError
from infraaudit.models.device_health import SensorKind, SensorState
from infraaudit.util.yamlfile import data_yaml

NUMERIC_OID = re.compile(r"^1(\.\d+)+$")


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _numeric(oid: str) -> str:
    if not NUMERIC_OID.match(oid):
        raise ValueError(f"not a numeric OID: {oid!r}")
    return oid


class Column(_Frozen):
    name: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9]*$")
    oid: str

    _check = field_validator("oid")(_numeric)

    @property
    def source(self) -> str:
        return f"{self.name} ({self.oid})"


class CpuReader(Column):
    window: str | None = None
    skip_zero: bool = False
    scalar: bool = False
    #: max: the busiest row (a table of modules or boards, each its own CPU); mean: all rows
    #: together (the cores of one processor: a core a packet engine keeps at 100% is not load)
    combine: Literal["max", "mean"] = "max"


class MemoryReader(_Frozen):
    style: Literal["percent", "used_free", "total_free", "hr_storage"]
    percent: Column | None = None
    used: Column | None = None
    free: Column | None = None
    total: Column | None = None
    type: Column | None = None
    units: Column | None = None
    ram_type: str | None = None
    #: hr_storage: rows named here (hrStorageDescr) are memory the kernel gives back on demand;
    #: ``available`` is the one that already counts it (net-snmp's "Available memory"), the
    #: ``reclaimable`` ones are subtracted from the RAM rows' use when it is absent
    descr: Column | None = None
    available: str | None = None
    reclaimable: tuple[str, ...] = ()
    skip_zero: bool = False

    @model_validator(mode="after")
    def _needs(self) -> MemoryReader:
        needed = {"percent": ("percent",), "used_free": ("used", "free"),
                  "total_free": ("total", "free"),
                  "hr_storage": ("type", "units", "total", "used", "ram_type")}[self.style]
        missing = [n for n in needed if getattr(self, n) is None]
        if missing:
            raise ValueError(f"style {self.style} needs {', '.join(missing)}")
        return self

    def columns(self) -> list[Column]:
        """The first column gates the others: when it is empty the rest are not walked."""
        order = (self.type, self.percent, self.used, self.total, self.free, self.units,
                 self.descr)
        return [c for c in order if c is not None]


class SensorReader(_Frozen):
    kind: SensorKind
    type: Column | None = None
    kind_by_type: dict[str, SensorKind] = Field(default_factory=dict)
    name: Column | None = None
    value: Column | None = None
    threshold: Column | None = None
    state: Column | None = None
    scale_column: Column | None = None
    precision: Column | None = None
    states: dict[int, SensorState] = Field(default_factory=dict)
    skip_zero: bool = False
    scalar: bool = False
    scale: float = 1.0

    @model_validator(mode="after")
    def _needs(self) -> SensorReader:
        if self.value is None and self.state is None:
            raise ValueError("a sensor reader needs a value or a state column")
        if self.state is not None and not self.states:
            raise ValueError("a state column needs its states")
        if self.kind_by_type and self.type is None:
            raise ValueError("kind_by_type needs a type column")
        return self

    def columns(self) -> list[Column]:
        order = (self.type, self.value, self.state, self.threshold, self.name,
                 self.scale_column, self.precision)
        return [c for c in order if c is not None]


class FamilyReaders(_Frozen):
    vendors: list[str] = Field(default_factory=list)
    cpu: CpuReader | None = None
    memory: MemoryReader | None = None
    sensors: list[SensorReader] = Field(default_factory=list)


class HealthTables(_Frozen):
    families: dict[str, FamilyReaders]
    generic: FamilyReaders

    @model_validator(mode="after")
    def _one_family_per_vendor(self) -> HealthTables:
        seen: dict[str, str] = {}
        for family, readers in self.families.items():
            for vendor in readers.vendors:
                if vendor in seen:
                    raise ValueError(f"vendor {vendor!r} in {seen[vendor]} and {family}")
                seen[vendor] = family
        return self

    def family_of(self, vendor: str | None) -> str | None:
        for family, readers in self.families.items():
            if vendor in readers.vendors:
                return family
        return None

    def readers(self, family: str) -> FamilyReaders:
        return self.generic if family == GENERIC else self.families[family]


GENERIC = "generic"


def parse_tables(text: str, where: str = "health.yaml") -> HealthTables:
    try:
        return HealthTables.model_validate(data_yaml(text))
    except (yaml.YAMLError, ValidationError) as exc:
        raise InfraAuditError(f"{where}: {exc}") from None


@cache
def tables() -> HealthTables:
    source = resources.files("infraaudit.probes.snmp").joinpath("data/health.yaml")
    return parse_tables(source.read_text("utf-8"), str(source))
