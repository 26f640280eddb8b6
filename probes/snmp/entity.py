"""ENTITY-MIB entPhysicalTable: the chassis' model, serial number, firmware, hardware revision."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from infraaudit.probes.snmp.base import SnmpProbe
from infraaudit.probes.snmp.transport import Value
from infraaudit.probes.snmp.values import Walked, integer, text

_BASE = "1.3.6.1.2.1.47.1.1.1.1"
CHASSIS, STACK, MODULE = 3, 11, 9


class EntityFacts(BaseModel):
    model_config = ConfigDict(extra="forbid")

    model: str | None = None
    serial: str | None = None
    firmware: str | None = None
    hardware_rev: str | None = None
    manufacturer: str | None = None
    mfg_date: str | None = None  # entPhysicalMfgDate of the chassis as YYYY-MM-DD, if set
    physical_entities: int = 0
    chassis_count: int = 0


def _field(walked: Walked, column: str, index: str) -> str | None:
    return text(walked.get(column, {}).get(index))


def parse(walked: Walked) -> EntityFacts:
    classes = {i: integer(v) for i, v in walked.get("entPhysicalClass", {}).items()}
    indexes = sorted(set(classes) | set(walked.get("entPhysicalDescr", {})), key=int)
    if not indexes:
        return EntityFacts()
    chassis = [i for i in indexes if classes.get(i) == CHASSIS]
    # The top chassis: contained in nothing (0); else the first chassis; else the first entity.
    top = next(
        (i for i in chassis if integer(walked.get("entPhysicalContainedIn", {}).get(i)) == 0),
        chassis[0] if chassis else indexes[0],
    )

    def first(column: str, candidates: list[str]) -> str | None:
        for index in candidates:
            value = _field(walked, column, index)
            if value:
                return value
        return None

    # The chassis row first; modules next (some agents fill serial/firmware only there).
    order = [top] + [i for i in indexes if classes.get(i) in (MODULE, STACK) and i != top]
    return EntityFacts(
        model=first("entPhysicalModelName", [top])
        or _model_from_descr(_field(walked, "entPhysicalDescr", top)),
        serial=first("entPhysicalSerialNum", order),
        firmware=first("entPhysicalSoftwareRev", order) or first("entPhysicalFirmwareRev", order),
        hardware_rev=first("entPhysicalHardwareRev", [top]),
        manufacturer=first("entPhysicalMfgName", order),
        mfg_date=_date(walked.get("entPhysicalMfgDate", {}).get(top)),
        physical_entities=len(indexes),
        chassis_count=len(chassis),
    )


def _date(value: Value | None) -> str | None:
    """SNMPv2-TC DateAndTime (8 or 11 octets: year high, year low, month, day, ...) ->
    YYYY-MM-DD. Agents that do not know the date send zero-length or all-zero octets."""
    if not isinstance(value, bytes) or len(value) not in (8, 11):
        return None
    year, month, day = int.from_bytes(value[:2], "big"), value[2], value[3]
    if not (1980 <= year <= 2100 and 1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def _model_from_descr(descr: str | None) -> str | None:
    """Some agents leave entPhysicalModelName empty and name the model in a short description."""
    return descr if descr and len(descr) <= 60 else None


PROBE = SnmpProbe(
    name="entity",
    parse=parse,
    columns={
        "entPhysicalDescr": f"{_BASE}.2",
        "entPhysicalContainedIn": f"{_BASE}.4",
        "entPhysicalClass": f"{_BASE}.5",
        "entPhysicalHardwareRev": f"{_BASE}.8",
        "entPhysicalFirmwareRev": f"{_BASE}.9",
        "entPhysicalSoftwareRev": f"{_BASE}.10",
        "entPhysicalSerialNum": f"{_BASE}.11",
        "entPhysicalMfgName": f"{_BASE}.12",
        "entPhysicalModelName": f"{_BASE}.13",
        "entPhysicalMfgDate": f"{_BASE}.17",
    },
)
