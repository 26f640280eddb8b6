"""ENTITY-MIB entPhysicalTable: the chassis' model, serial number, firmware, hardware revision;
the medium of the ports it describes (a port entity's or its transceiver's description)."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field

from infraaudit.models import PortMedia, port_media
from infraaudit.probes.snmp.base import SnmpProbe
from infraaudit.probes.snmp.transport import Value
from infraaudit.probes.snmp.values import Walked, integer, text

_BASE = "1.3.6.1.2.1.47.1.1.1.1"
CHASSIS, STACK, MODULE, PORT = 3, 11, 9, 10


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
    # entPhysicalName of a port entity -> the medium its description or a module in it names
    port_media: dict[str, PortMedia] = Field(default_factory=dict)


def _field(walked: Walked, column: str, index: str) -> str | None:
    return text(walked.get(column, {}).get(index))


def parse(walked: Walked) -> EntityFacts:
    classes = {i: integer(v) for i, v in walked.get("entPhysicalClass", {}).items()}
    rows: set[str] = set()
    for column in walked.values():  # some agents leave out whole columns (even the class)
        rows.update(i for i in column if i.isdigit())
    indexes = sorted(rows, key=int)
    if not indexes:
        return EntityFacts()
    chassis = [i for i in indexes if classes.get(i) == CHASSIS]
    contained = walked.get("entPhysicalContainedIn", {})
    # The top chassis: contained in nothing (0); else the first chassis; without classes, the
    # entity contained in nothing; else the first entity.
    candidates = chassis or ([] if classes else indexes)
    top = next((i for i in candidates if integer(contained.get(i)) == 0),
               candidates[0] if candidates else indexes[0])

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
        or _model_from_names(_field(walked, "entPhysicalName", top),
                             _field(walked, "entPhysicalDescr", top)),
        serial=first("entPhysicalSerialNum", order),
        firmware=first("entPhysicalSoftwareRev", order) or first("entPhysicalFirmwareRev", order),
        hardware_rev=first("entPhysicalHardwareRev", [top]),
        manufacturer=first("entPhysicalMfgName", order),
        mfg_date=_date(walked.get("entPhysicalMfgDate", {}).get(top)),
        physical_entities=len(indexes),
        chassis_count=len(chassis),
        port_media=_port_media(walked, classes, contained),
    )


def _port_media(walked: Walked, classes: dict[str, int | None], contained: dict[str, Value]
                ) -> dict[str, PortMedia]:
    """Per port entity with a name, the medium its description names, else that of a module
    or port inside it (a transceiver: "10GBASE-LR SFP+ Module" under a port)."""
    inside: dict[str, list[str]] = {}
    for index, parent in contained.items():
        if classes.get(index) in (MODULE, PORT):
            inside.setdefault(str(integer(parent)), []).append(index)
    found: dict[str, PortMedia] = {}
    for index in (i for i, c in classes.items() if c == PORT):
        name = _field(walked, "entPhysicalName", index)
        candidates = [index, *inside.get(index, [])]
        media = next((m for i in candidates
                      if (m := port_media(_field(walked, "entPhysicalDescr", i)))), None)
        if name and media:
            found[name] = media
    return found


def _date(value: Value | None) -> str | None:
    """SNMPv2-TC DateAndTime (8 or 11 octets: year high, year low, month, day, ...) ->
    YYYY-MM-DD. Agents that do not know the date send zero-length or all-zero octets."""
    if not isinstance(value, bytes) or len(value) not in (8, 11):
        return None
    year, month, day = int.from_bytes(value[:2], "big"), value[2], value[3]
    if not (1980 <= year <= 2100 and 1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


_MODEL_LIKE = re.compile(r"[A-Za-z0-9][\w./+()-]*(?: [\w./+()-]+){0,3}")
_HOSTNAME_LIKE = re.compile(r"[a-z0-9]+(?:[-_.][a-z0-9]+)+|[\w-]+\.[a-z]{2,}(?:\.[a-z]{2,})*",
                            re.IGNORECASE)
_GENERIC = re.compile(r"(chassis|switch|router|system|board|unit|stack|frame|slot)( \d+)?",
                      re.IGNORECASE)


def _model_like(text: str | None) -> bool:
    """A product code: short, at most four words, letters and digits, not a bare word like
    "Chassis" or "Switch 1"."""
    return bool(text and len(text) <= 40 and _MODEL_LIKE.fullmatch(text)
                and re.search(r"\d", text) and re.search(r"[A-Za-z]", text)
                and not _GENERIC.fullmatch(text))


def _hostname_like(text: str) -> bool:
    """One token of words joined by - _ or . with lowercase in it (``hn-core-01``,
    ``sw1.agency.gov.vn``): a name someone gave the device, not its model."""
    return " " not in text and bool(_HOSTNAME_LIKE.fullmatch(text)) and text != text.upper()


def _model_from_names(name: str | None, descr: str | None) -> str | None:
    """Without entPhysicalModelName: a model-like entPhysicalName (Huawei AR routers put
    "AR169F" there) over a description that looks like a hostname or a sentence; else a short
    description (some agents name the model only there)."""
    if name and _model_like(name) and not _hostname_like(name):
        return name
    if descr and len(descr) <= 60 and not _hostname_like(descr) and len(descr.split()) <= 6:
        return descr
    return None


PROBE = SnmpProbe(
    name="entity",
    parse=parse,
    columns={
        "entPhysicalDescr": f"{_BASE}.2",
        "entPhysicalContainedIn": f"{_BASE}.4",
        "entPhysicalName": f"{_BASE}.7",
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
