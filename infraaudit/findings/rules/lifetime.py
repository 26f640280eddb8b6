"""Service life by role: a device past its role's years of service, or whose service life ends
within the plan (lifetime thresholds; the service start comes from findings.lifecycle)."""

from __future__ import annotations

from typing import Any

from infraaudit.findings.thresholds import Thresholds
from infraaudit.findings.wording import device_label, make, wording
from infraaudit.models import AuditDocument
from infraaudit.models.finding import Evidence, Finding
from infraaudit.util.clock import local_year


def lifetime_findings(doc: AuditDocument, t: Thresholds) -> list[Finding]:
    """DEVICE-PAST-LIFETIME when the device's age reached its role's service life;
    DEVICE-LIFETIME-ENDS when the service life ends by ``plan_until``."""
    limits = t.lifetime
    year = local_year(doc.scan.started_at)
    named = wording().words
    out = []
    for d in doc.devices:
        if d.in_service is None:
            continue
        role = d.role.value
        life = limits.years.of(role)
        age, ends = year - d.in_service.year, d.in_service.year + life
        label = device_label(d)
        measured: dict[str, Any] = {"since": d.in_service.year, "source": d.in_service.source,
                                    "detail": d.in_service.detail, "age": age, "life": life,
                                    "role": role, "year": year, "ends": ends}
        values = {**measured, "role": named[f"role-{role}"],
                  "since": f"{named['source-' + d.in_service.source]} "
                           + (d.in_service.detail if d.in_service.source != "inventory"
                              else str(d.in_service.year)),
                  "plan_until": limits.plan_until}
        evidence = [Evidence(source=f"lifecycle:{d.in_service.source}", device=label,
                             measured=measured)]
        if age >= life:
            out.append(make("DEVICE-PAST-LIFETIME", label, values, evidence))
        elif ends <= limits.plan_until:
            out.append(make("DEVICE-LIFETIME-ENDS", label, values, evidence))
    return out
