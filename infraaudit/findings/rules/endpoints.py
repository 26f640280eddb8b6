"""Endpoints: an access port shared by several endpoints (a hub or desk switch behind it, no
LLDP/CDP neighbour), from the site's endpoint placement (``doc.endpoints``)."""

from __future__ import annotations

from typing import Any

from infraaudit.findings.thresholds import Thresholds
from infraaudit.findings.wording import make, wording
from infraaudit.models import AuditDocument
from infraaudit.models.finding import Evidence, Finding


def shared_port_findings(doc: AuditDocument, t: Thresholds) -> list[Finding]:
    """PORT-SHARED-ENDPOINTS: at least ``cabling.shared_port_endpoints`` endpoint MACs placed
    on one access port."""
    placed = doc.endpoints
    limit = t.cabling.shared_port_endpoints
    if placed is None:
        return []
    ips = {e.mac: ", ".join(e.ips) for e in placed.endpoints}
    out = []
    for shared in placed.shared_ports:
        if len(shared.macs) < limit:
            continue
        known = sorted({v for v in shared.vendors if v})
        vendors = ", ".join(known) if known else wording().words["vendor-unknown"]
        measured: dict[str, Any] = {"endpoints": len(shared.macs), "if_index": shared.if_index,
                                    "lldp_neighbours": 0}
        evidence = [Evidence(source="snmp:BRIDGE-MIB+LLDP-MIB", device=shared.device,
                             port=shared.port, measured=measured)]
        evidence += [Evidence(source="snmp:BRIDGE-MIB+IP-MIB ARP/ND+IEEE OUI",
                              device=shared.device, port=shared.port,
                              measured={"mac": mac, "vendor": vendor, "ip": ips.get(mac) or None})
                     for mac, vendor in zip(shared.macs, shared.vendors, strict=True)]
        out.append(make("PORT-SHARED-ENDPOINTS", f"{shared.device}:{shared.port}", {
            "device": shared.device, "port": shared.port, "count": len(shared.macs),
            "threshold": limit, "vendors": vendors}, evidence))
    return out
