"""IPv6 readiness: a 1-5 score per device (RIPE-772 class, with reasons) and the site's phase of
the national IPv6-for-Gov programme. Pure functions over the audit's measurements.

Device score:
    1  no sign of an IPv6 stack (no IPv6 address at all) and no catalog entry saying it has one
    2  IPv6 stack present (link-local, or the catalog says capable) but no global/ULA address
    3  a global or ULA address configured
    4  3, and the device answered SNMP over IPv6 (management works over IPv6)
    5  4, and for routers: router advertisements seen on the LAN from it; for other classes: the
       catalog confirms the RIPE-772 mandatory requirements (``ripe772: full``)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from infraaudit.errors import InventoryError
from infraaudit.findings.datafile import as_tuple
from infraaudit.models import Device, Role
from infraaudit.models.readiness import (
    DeviceClass,
    DeviceIpv6,
    Ipv6Report,
    PhaseCheck,
    Reason,
    Requirement,
    SiteIpv6,
)
from infraaudit.util.yamlfile import load_packaged, read_yaml

CLASS_OF_ROLE: dict[Role, DeviceClass] = {
    Role.ROUTER: "router", Role.FIREWALL: "security", Role.SWITCH: "switch", Role.AP: "switch",
    Role.SERVER: "host", Role.PRINTER: "host", Role.UPS: "host", Role.OTHER: "host",
}


@dataclass(frozen=True)
class CatalogEntry:
    match: str
    capable: bool
    management: bool
    ripe772: str
    source: str

    def describe(self) -> str:
        return f"«{self.match}»: {self.source}"


def load_catalog(path: Path | None) -> list[CatalogEntry]:
    """Read an IPv6 capability catalog (see inventories/ipv6_catalog.yaml); [] without a path."""
    if path is None:
        return []
    try:
        data = read_yaml(path, "IPv6 catalog")[0] or {}
        entries = []
        for i, row in enumerate(data.get("models") or []):
            if not row.get("source"):
                raise InventoryError(f"{path}: models[{i}] has no source: say where it was read")
            re.compile(row["match"])
            entries.append(CatalogEntry(str(row["match"]), bool(row.get("capable", True)),
                                        bool(row.get("management", False)),
                                        str(row.get("ripe772", "none")), str(row["source"])))
        return entries
    except (KeyError, TypeError, AttributeError, re.error) as exc:
        raise InventoryError(f"IPv6 catalog {path}: {exc}") from None


def catalog_entry(device: Device, catalog: list[CatalogEntry]) -> CatalogEntry | None:
    text = " ".join(x for x in (device.vendor, device.model, device.sys_descr) if x)
    return next((e for e in catalog if re.search(e.match, text, re.IGNORECASE)), None)


def label(device: Device) -> str:
    return device.name or device.sys_name or device.host


def _routable(address: str) -> bool:
    return not address.lower().startswith(("fe80", "::1")) and address != "::"


def device_readiness(device: Device, catalog: list[CatalogEntry], ra_macs: set[str],
                     management_address: str | None) -> DeviceIpv6:
    """Score one scanned device. ``ra_macs``: source MACs of router advertisements seen on the
    LAN; ``management_address``: the IPv6 address it answered SNMP on, if any."""
    klass = CLASS_OF_ROLE.get(device.role, "host")
    v6 = [a for a in device.addresses if a.family.value == "ipv6"]
    routable = sorted({a.address for a in v6 if _routable(a.address)})
    entry = catalog_entry(device, catalog)
    if management_address and management_address not in routable:
        routable.append(management_address)
    reasons = [
        Reason(code="ipv6-stack", met=bool(v6) or bool(entry and entry.capable),
               detail=(f"{len(v6)} IPv6 addresses in the IP-MIB" if v6 else
                       f"catalog {entry.describe()}" if entry and entry.capable else
                       "no IPv6 address reported, no catalog entry")),
        Reason(code="ipv6-address", met=bool(routable),
               detail=", ".join(routable) or "no global or ULA address"),
        Reason(code="ipv6-management", met=management_address is not None,
               detail=(f"answered SNMP on {management_address}" if management_address
                       else "did not answer management over IPv6 (or no address to try)")),
    ]
    port_macs = {p.mac.lower() for p in device.ports if p.mac}
    if klass == "router":
        sends_ra = bool(port_macs & ra_macs)
        reasons.append(Reason(code="router-advertisements", met=sends_ra,
                              detail="RA from one of its interfaces seen on the LAN" if sends_ra
                              else "no RA from its interfaces seen on the probed segments"))
    else:
        full = bool(entry and entry.ripe772 == "full")
        reasons.append(Reason(code="ripe772-catalog", met=full,
                              detail=f"catalog {entry.describe()}: ripe772 {entry.ripe772}"
                              if entry else "no catalog entry for this model"))
    met = {r.code: r.met for r in reasons}
    score = 1
    if met["ipv6-stack"]:
        score = 2
    if met["ipv6-address"]:
        score = 3
    if score == 3 and met["ipv6-management"]:
        score = 4
    if score == 4 and (met.get("router-advertisements") or met.get("ripe772-catalog")):
        score = 5
    return DeviceIpv6(device=label(device), host=device.host, device_class=klass, score=score,
                      reasons=reasons, addresses=routable, management_address=management_address,
                      catalog=entry.describe() if entry else None)


RequirementCode = Literal["portal-aaaa", "ra-every-segment", "host-ipv6-default-route",
                          "routers-ipv6-ready", "switches-ipv6-address", "ipv6-dns-every-segment",
                          "all-devices-ipv6-management"]


class ProgrammePhase(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    phase: int = Field(ge=1)
    name: str
    requirements: Annotated[tuple[RequirementCode, ...], BeforeValidator(as_tuple)]


class Programme(BaseModel):
    """``data/ipv6_programme.yaml``: the programme's phases as measurable requirements (an
    unknown requirement code fails at load, with its path)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    programme: str
    phases: Annotated[tuple[ProgrammePhase, ...], BeforeValidator(as_tuple)]


@cache
def programme() -> Programme:
    return load_packaged("infraaudit.findings", "data/ipv6_programme.yaml", Programme)


def _requirement(code: str, report: Ipv6Report, dns_names: list[str]) -> Requirement:
    devices = report.devices
    if code == "portal-aaaa":
        if not dns_names:
            return Requirement(code=code, met=False,
                               detail="no portal name listed (inventory ipv6.dns_names)")
        missing = [a.name for a in report.dns if not a.aaaa]
        missing += [n for n in dns_names if n not in {a.name for a in report.dns}]
        return Requirement(code=code, met=not missing, missing=missing,
                           detail=f"no AAAA: {', '.join(missing)}" if missing
                           else f"AAAA for {', '.join(dns_names)}")
    if code == "ra-every-segment":
        if not report.segments:
            return Requirement(code=code, met=False, detail="no LAN segment could be probed")
        bare = [s.segment or s.interface for s in report.segments
                if not any(ra.prefixes for ra in s.ra)]
        return Requirement(code=code, met=not bare, missing=bare,
                           detail=f"no RA with a prefix on: {', '.join(bare)}" if bare
                           else f"RA with a prefix on {len(report.segments)} segments")
    if code == "host-ipv6-default-route":
        routes = report.host.default_routes if report.host else []
        return Requirement(code=code, met=bool(routes),
                           detail=", ".join(f"via {r.gateway} dev {r.interface}" for r in routes)
                           or "the scanning host has no IPv6 default route")
    if code in ("routers-ipv6-ready", "switches-ipv6-address", "all-devices-ipv6-management"):
        want = {"routers-ipv6-ready": ({"router", "security"}, 4),
                "switches-ipv6-address": ({"switch"}, 3),
                "all-devices-ipv6-management": ({"router", "security", "switch", "host", "cpe"},
                                                4)}[code]
        scope = [d for d in devices if d.device_class in want[0]]
        low = [f"{d.device} ({d.score})" for d in scope if d.score < want[1]]
        if not scope:
            return Requirement(code=code, met=False, detail="no such device scanned")
        return Requirement(code=code, met=not low, missing=[d.device for d in scope
                                                            if d.score < want[1]],
                           detail=f"score below {want[1]}: {', '.join(low)}" if low
                           else f"{len(scope)} devices at {want[1]} or above")
    if code == "ipv6-dns-every-segment":
        if not report.segments:
            return Requirement(code=code, met=False, detail="no LAN segment could be probed")
        bare = [s.segment or s.interface for s in report.segments
                if not any(ra.rdnss for ra in s.ra)
                and not any(d.dns_servers for d in s.dhcpv6)]
        return Requirement(code=code, met=not bare, missing=bare,
                           detail=f"no DNS server offered over IPv6 on: {', '.join(bare)}" if bare
                           else "RDNSS or DHCPv6 DNS on every segment")
    raise ValueError(f"unknown IPv6 programme requirement {code!r}")


def site_phase(report: Ipv6Report, dns_names: list[str]) -> SiteIpv6:
    """Which programme phase the site meets: the highest phase met together with all before it."""
    prog = programme()
    checks = []
    reached = 0
    for phase in prog.phases:
        reqs = [_requirement(code, report, dns_names) for code in phase.requirements]
        met = all(r.met for r in reqs)
        checks.append(PhaseCheck(phase=phase.phase, name=phase.name, met=met,
                                 requirements=reqs))
        if met and reached == phase.phase - 1:
            reached = phase.phase
    return SiteIpv6(phase=reached, phases=checks, programme=prog.programme)
