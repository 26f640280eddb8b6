"""The audit document: one JSON file per site scan, the contract with reports and the province.

Change its shape only together with SCHEMA_VERSION and a migration (``migrate.py``).
Version history: 1 the SNMP spine; 2 adds SSH facts (device platform, ssh_profile, per-field
sources and conflicts, security findings); 3 adds the site sections: scanning host, link
stability (ping series, port polls, Wi-Fi share), IPv6 readiness and discovery, and the MAC
addresses learnt per port; 4 adds ``devices[].in_service`` (installed or manufacture year)
and octet deltas with the load they mean in the port polls (``link.ports[]``); 5 adds
``ports[].kind`` (physical or the pseudo-interface it is, ``models/ports.py``) and, on devices,
``model_source``, ``firmware_source`` and ``bridge_port_mapping``;
the ARP/ND rows ``devices[].neighbours``, the site's ``endpoints`` (where each endpoint is plugged
in) and the L2 facts (``devices[].vlans``, ``pvids``, ``stp``, ``poe``).
"""

import uuid
from typing import Literal

from pydantic import Field

from infraaudit.models.base import Strict
from infraaudit.models.device import Device
from infraaudit.models.discovery import Discovery
from infraaudit.models.endpoints import EndpointMap
from infraaudit.models.host import ScanningHost
from infraaudit.models.link import LinkReport
from infraaudit.models.readiness import Ipv6Report

SCHEMA_VERSION: Literal[7] = 7


class Agency(Strict):
    code: str
    name: str


class Site(Strict):
    id: str
    name: str
    address: str | None = None


class ScanMeta(Strict):
    tool_version: str
    started_at: str = Field(description="ISO 8601 UTC")
    finished_at: str | None = Field(default=None, description="ISO 8601 UTC")
    scanning_host: str
    inventory_digest: str = Field(description="sha256 of the inventory file as read")
    snmp_backend: str
    complete: bool = Field(description="false when the scan was interrupted before the end")


class Coverage(Strict):
    targets: int
    reachable: int
    fully_probed: int


class AuditDocument(Strict):
    schema_version: Literal[7] = SCHEMA_VERSION
    audit_id: str = Field(default_factory=lambda: str(uuid.uuid4()))
    agency: Agency
    site: Site
    scan: ScanMeta
    coverage: Coverage
    devices: list[Device] = Field(default_factory=list)
    host: ScanningHost | None = Field(default=None, description="the host the scan ran on")
    link: LinkReport | None = Field(default=None, description="link stability measurements")
    ipv6: Ipv6Report | None = Field(default=None, description="IPv6 readiness of LAN and devices")
    discovery: Discovery | None = Field(default=None, description="hosts found in the subnets")
    endpoints: EndpointMap | None = Field(
        default=None, description="where each endpoint is plugged in (ARP/ND joined with FDB)")

    def recount(self) -> None:
        """Recompute the coverage block from the devices."""
        self.coverage = Coverage(
            targets=len(self.devices),
            reachable=sum(d.reachable for d in self.devices),
            fully_probed=sum(d.fully_probed for d in self.devices),
        )
