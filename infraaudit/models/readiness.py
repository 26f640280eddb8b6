"""The IPv6 section of the audit: LAN measurements, per-device readiness and the site's phase.

Device classes follow RIPE-772 ("Requirements for IPv6 in ICT Equipment"): host, switch (layer 2),
router (router or layer 3 switch), security (network security equipment), cpe. Scores run 1-5;
each comes with the reasons (stable codes) that set it.
"""

from typing import Literal

from pydantic import Field

from infraaudit.models.base import Strict
from infraaudit.models.ipv6 import DnsAnswer, HostIpv6, SegmentIpv6

DeviceClass = Literal["host", "switch", "router", "security", "cpe"]


class Reason(Strict):
    code: str = Field(description="stable code, e.g. ipv6-address, no-ipv6-management")
    met: bool
    detail: str | None = Field(default=None, description="the evidence, e.g. the address seen")


class DeviceIpv6(Strict):
    device: str = Field(description="inventory name, else sysName, else address")
    host: str
    device_class: DeviceClass
    score: int = Field(ge=1, le=5)
    reasons: list[Reason] = Field(default_factory=list)
    addresses: list[str] = Field(default_factory=list, description="global and ULA addresses")
    management_address: str | None = Field(
        default=None, description="IPv6 address on which the device answered SNMP")
    catalog: str | None = Field(default=None, description="catalog entry used, with its source")


class Requirement(Strict):
    code: str
    met: bool
    detail: str | None = None
    missing: list[str] = Field(
        default_factory=list, description="segments, devices or names that fall short")


class PhaseCheck(Strict):
    phase: int
    name: str
    met: bool
    requirements: list[Requirement] = Field(default_factory=list)


class SiteIpv6(Strict):
    phase: int = Field(description="highest programme phase met with all before it (0: none)")
    phases: list[PhaseCheck] = Field(default_factory=list)
    programme: str = Field(description="the programme and its source")


class Ipv6Report(Strict):
    segments: list[SegmentIpv6] = Field(default_factory=list)
    dns: list[DnsAnswer] = Field(default_factory=list)
    host: HostIpv6 | None = None
    devices: list[DeviceIpv6] = Field(default_factory=list)
    site: SiteIpv6 | None = None
    notes: list[str] = Field(default_factory=list, description="checks left out, and why")
