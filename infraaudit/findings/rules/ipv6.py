"""IPv6 rules: LAN segments without router advertisements, names without AAAA, devices scored
not ready, a site below the programme phase."""

from __future__ import annotations

from infraaudit.findings.thresholds import Thresholds
from infraaudit.findings.wording import make, words
from infraaudit.models import AuditDocument
from infraaudit.models.finding import Evidence, Finding


def ipv6_findings(doc: AuditDocument, t: Thresholds) -> list[Finding]:
    report = doc.ipv6
    if report is None:
        return []
    limits = t.ipv6
    out = []
    for seg in report.segments:
        if seg.errors and not seg.ra:
            continue  # the probe could not run: no claim either way
        if not any(ra.prefixes for ra in seg.ra):
            subject = seg.segment or seg.interface
            measured = {"interface": seg.interface, "routers": len(seg.ra),
                        "window_s": round(seg.duration_ms / 1000, 1)}
            out.append(make("IPV6-NO-RA", subject, measured, [Evidence(
                source="ipv6:router-solicitation", device=seg.interface, measured=measured,
                at=seg.started_at)]))
    for answer in report.dns:
        if answer.error is None and answer.a and not answer.aaaa:
            measured = {"server": answer.server, "rcode": answer.rcode_aaaa,
                        "a": ", ".join(answer.a)}
            out.append(make("IPV6-NO-AAAA", answer.name, measured,
                            [Evidence(source="dns", measured=measured)]))
    for dev in report.devices:
        if dev.score <= limits.device_min_score:
            unmet = [r.code for r in dev.reasons if not r.met]
            measured = {"score": dev.score, "device_class": dev.device_class,
                        "reasons": "; ".join(words(unmet))}
            out.append(make("IPV6-DEVICE-NOT-READY", dev.device, measured,
                            [Evidence(source="snmp:IP-MIB+ipv6-management", device=dev.device,
                                      measured=measured)]))
    site = report.site
    if site is not None and site.phase < limits.site_min_phase:
        missing = [f"{words([r.code])[0]}" + (f" ({', '.join(r.missing)})" if r.missing else "")
                   for p in site.phases if p.phase <= limits.site_min_phase
                   for r in p.requirements if not r.met]
        measured = {"phase": site.phase, "missing": "; ".join(missing),
                    "programme": site.programme}
        out.append(make("IPV6-PHASE", doc.site.name, measured,
                        [Evidence(source="ipv6:programme", measured=measured)]))
    return out
