"""Device rules: a device that answered something but could not be audited (with its likely
cause, ``findings/not_audited.py``), one that answered nothing at all, a switch short of free
ports, and the security posture the scan recorded (its findings carried over)."""

from __future__ import annotations

from typing import Any

from infraaudit.findings.not_audited import diagnose
from infraaudit.findings.thresholds import Thresholds
from infraaudit.findings.wording import device_label, make, words
from infraaudit.models import AuditDocument, Device, is_switch_port
from infraaudit.models.finding import Evidence, Finding
from infraaudit.models.link import PingSeries


def device_findings(doc: AuditDocument, t: Thresholds) -> list[Finding]:
    out = []
    limits = t.capacity
    pings = {p.target: p for p in (doc.link.pings if doc.link else [])}
    for d in doc.devices:
        label = device_label(d)
        if not d.reachable:
            out.append(_unaudited(d, label, pings.get(d.host)))
            continue
        if d.role.value == "switch":
            ethernet = [p for p in d.ports if is_switch_port(p)]
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


def _unaudited(d: Device, label: str, ping: PingSeries | None) -> Finding:
    """DEVICE-NOT-AUDITED when the device answered something, else DEVICE-NO-ANSWER."""
    diagnosis = diagnose(d, ping)
    if diagnosis is None:
        error = next((p.error for p in d.probes if p.error), "no answer")
        measured: dict[str, Any] = {"host": d.host, "error": error}
        if ping is not None and ping.loss_pct is not None:
            measured |= {"ping_sent": ping.sent, "ping_received": ping.received}
        what = words(["no-answer-ping" if "ping_sent" in measured else "no-answer-management"])
        return make("DEVICE-NO-ANSWER", label, {"what": what[0]}, [Evidence(
            source="snmp/ssh probes" + (", ping" if "ping_sent" in measured else ""),
            device=label, measured=measured)])
    measured = {"host": d.host, **diagnosis.evidence()}
    evidence = [Evidence(source=f"probe:{diagnosis.probe}" if diagnosis.probe else "probes",
                         device=label, measured=measured)]
    if ping is not None and ping.received:
        evidence.append(Evidence(source="ping", device=label, measured={
            "sent": ping.sent, "received": ping.received, "loss_pct": ping.loss_pct}))
    reason = words([f"not-audited-{diagnosis.cause or 'unknown'}"])[0]
    return make("DEVICE-NOT-AUDITED", label, {"reason": reason}, evidence)
