"""Wi-Fi dependence: the share of a site's endpoints that reach the LAN through access points."""

from __future__ import annotations

from infraaudit.findings.thresholds import Thresholds
from infraaudit.findings.wording import make
from infraaudit.models import AuditDocument
from infraaudit.models.finding import Evidence, Finding


def wifi_findings(doc: AuditDocument, t: Thresholds) -> list[Finding]:
    share = doc.link.endpoints if doc.link else None
    limits = t.wifi
    if share is None or share.wifi_pct is None:
        return []
    total = share.wifi + share.wired
    if total < limits.min_endpoints or share.wifi_pct < limits.share_pct:
        return []
    measured = {"wifi": share.wifi, "wired": share.wired, "wifi_pct": share.wifi_pct}
    evidence = [Evidence(source="snmp:BRIDGE-MIB+LLDP-MIB", measured=measured)]
    evidence += [Evidence(source="access point", device=ap) for ap in share.access_points]
    return [make("WIFI-DEPENDENCE", doc.site.name, {**measured, "total": total,
                                                    "threshold": limits.share_pct}, evidence)]
