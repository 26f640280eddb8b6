"""Device rules: a device that did not answer, a switch short of free ports, and the security
posture the scan recorded (its findings carried over)."""

from __future__ import annotations

from typing import Any

from infraaudit.findings.thresholds import Thresholds
from infraaudit.findings.wording import device_label, make
from infraaudit.models import ETHERNET_TYPES, AuditDocument
from infraaudit.models.finding import Evidence, Finding


def device_findings(doc: AuditDocument, t: Thresholds) -> list[Finding]:
    out = []
    limits = t.capacity
    for d in doc.devices:
        label = device_label(d)
        if not d.reachable:
            error = next((p.error for p in d.probes if p.error), "no answer")
            reason: dict[str, Any] = {"host": d.host, "error": error}
            out.append(make("DEVICE-NO-ANSWER", label, reason, [Evidence(
                source="snmp/ssh probes", device=label, measured=reason)]))
            continue
        if d.role.value == "switch":
            ethernet = [p for p in d.ports if p.type in ETHERNET_TYPES]
            used = sum(1 for p in ethernet if p.oper_status == "up")
            if len(ethernet) >= limits.min_ports:
                free = len(ethernet) - used
                free_pct = round(100 * free / len(ethernet), 1)
                if free_pct < limits.min_free_pct:
                    measured: dict[str, Any] = {"total": len(ethernet), "used": used,
                                                "free": free, "free_pct": free_pct}
                    out.append(make("PORT-CAPACITY", label, {
                        **measured, "threshold": limits.min_free_pct}, [Evidence(
                            source="snmp:ifTable", device=label, measured=measured)]))
        for sec in d.security:
            out.append(Finding(
                code=sec.code, category="security", severity=sec.severity, subject=label,
                title=sec.title, explanation=sec.explanation, recommendation=sec.recommendation,
                evidence=[Evidence(source=sec.source, device=label,
                                   measured={"line": line}) for line in sec.evidence]
                or [Evidence(source=sec.source, device=label)]))
    return out
