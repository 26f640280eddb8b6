"""Build the province report from the agencies' audits: pure, given the audits and a catalog.

For every (agency code, site id) the newest audit (by scan start) is used; older ones are only
counted as superseded. Per site: devices, Ethernet ports of network devices (as in the agency
report), findings by severity (``infraaudit.findings``), IPv6 readiness, devices past their
lifetime (``DEVICE-PAST-LIFETIME`` or ``SEC-FIRMWARE-EOS`` findings, each device once) and the
proposal cost; the proposal is built per agency over its sites
(``infraaudit.proposal.plan.propose``), as the agency's own report does from the same audits.
The agency's report may hold more: its nightly health history (HISTORY-* findings and the tasks
they add) stays at the agency and is not submitted; the province report says so.
Agencies and the province are the sums of their sites.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from infraaudit.findings import Thresholds, findings
from infraaudit.models import AuditDocument
from infraaudit.models.finding import Finding
from infraaudit.models.province import (
    SEVERITIES,
    AgencyRow,
    Measures,
    ProvinceFinding,
    ProvinceReport,
    ProvinceTask,
    SeverityCounts,
    SiteRow,
)
from infraaudit.proposal import Catalog, propose
from infraaudit.report.agency import site_facts

END_OF_LIFE = ("DEVICE-PAST-LIFETIME", "SEC-FIRMWARE-EOS")
READY_SCORE = 4


PLAN_FIRST, PLAN_LAST = 2026, 2030  # every year of the plan is a column, "-" when empty


def latest_per_site(audits: Iterable[AuditDocument]) -> tuple[list[AuditDocument], int]:
    """The newest audit of each (agency code, site id), and how many older ones were left."""
    newest: dict[tuple[str, str], AuditDocument] = {}
    total = 0
    for doc in audits:
        total += 1
        key = (doc.agency.code, doc.site.id)
        known = newest.get(key)
        if known is None or (doc.scan.started_at, doc.audit_id) > (known.scan.started_at,
                                                                    known.audit_id):
            newest[key] = doc
    return sorted(newest.values(), key=lambda d: (d.agency.code, d.site.id)), total - len(newest)


def severity_counts(found: Iterable[Finding]) -> SeverityCounts:
    counts = dict.fromkeys(SEVERITIES, 0)
    for f in found:
        counts[f.severity] += 1
    return SeverityCounts(**counts)


def add(total: Measures, part: Measures) -> None:
    """Add ``part``'s measures into ``total`` in place."""
    for name in ("devices", "devices_answered", "ports_total", "ports_used", "ipv6_scored",
                 "ipv6_ready", "past_lifetime", "tasks", "proposal_vnd"):
        setattr(total, name, getattr(total, name) + getattr(part, name))
    total.findings = SeverityCounts(**{s: total.findings.count(s) + part.findings.count(s)
                                       for s in SEVERITIES})
    years = dict(total.proposal_by_year)
    for year, amount in part.proposal_by_year.items():
        years[year] = years.get(year, 0) + amount
    total.proposal_by_year = dict(sorted(years.items()))


def _site_names(docs: list[AuditDocument]) -> dict[str, str]:
    """site id -> the name the proposal uses (the site name, with its id when two collide)."""
    count: dict[str, int] = defaultdict(int)
    for doc in docs:
        count[doc.site.name] += 1
    return {doc.site.id: doc.site.name if count[doc.site.name] == 1
            else f"{doc.site.name} ({doc.site.id})" for doc in docs}


def build_province(audits: list[AuditDocument], catalog: Catalog, year: int, date: dt.date,
                   thresholds: Thresholds | None = None) -> ProvinceReport:
    """The province report over the newest audit of every site of every agency."""
    docs, superseded = latest_per_site(audits)
    by_agency: dict[str, list[AuditDocument]] = defaultdict(list)
    for doc in docs:
        by_agency[doc.agency.code].append(doc)
    agencies: list[AgencyRow] = []
    sites: list[SiteRow] = []
    all_findings: list[ProvinceFinding] = []
    all_tasks: list[ProvinceTask] = []
    totals = Measures()
    used: set[str] = set()
    for code in sorted(by_agency):
        group = by_agency[code]
        agency_name = max(group, key=lambda d: d.scan.started_at).agency.name
        names = _site_names(group)
        found_by_site: dict[str, list[Finding]] = {}
        audit_by_site: dict[str, AuditDocument | None] = {}
        for doc in group:
            found_by_site[names[doc.site.id]] = findings(doc, thresholds)
            audit_by_site[names[doc.site.id]] = doc
        proposal = propose(found_by_site, audit_by_site, catalog, thresholds)
        used.update(t.item for t in proposal.tasks)
        agency = AgencyRow(code=code, name=agency_name, sites=len(group),
                           last_scan=max(d.scan.started_at for d in group))
        phases: list[int] = []
        for doc in group:
            name = names[doc.site.id]
            found = found_by_site[name]
            facts = site_facts(doc, name)
            tasks = [t for t in proposal.tasks if t.site == name]
            by_year: dict[int, int] = defaultdict(int)
            for task in tasks:
                by_year[task.year] += task.cost_vnd
            row = SiteRow(
                agency_code=code, agency_name=agency_name, site_id=doc.site.id, site_name=name,
                address=doc.site.address, audit_id=doc.audit_id, scanned_at=doc.scan.started_at,
                complete=doc.scan.complete, ipv6_phase=facts.ipv6_phase,
                devices=facts.devices, devices_answered=facts.devices_answered,
                ports_total=sum(p.ports for p in facts.ports),
                ports_used=sum(p.up for p in facts.ports),
                findings=severity_counts(found),
                ipv6_scored=len(facts.ipv6_scores),
                ipv6_ready=sum(1 for s in facts.ipv6_scores.values() if s >= READY_SCORE),
                past_lifetime=len({f.subject for f in found if f.code in END_OF_LIFE}),
                tasks=len(tasks), proposal_by_year=dict(sorted(by_year.items())),
                proposal_vnd=sum(t.cost_vnd for t in tasks))
            sites.append(row)
            add(agency, row)
            agency.incomplete_sites += not doc.scan.complete
            if facts.ipv6_phase is not None:
                phases.append(facts.ipv6_phase)
            all_findings += [ProvinceFinding(agency_code=code, agency_name=agency_name,
                                             site_name=name, finding=f) for f in found]
        agency.ipv6_phase_min = min(phases) if phases else None
        all_tasks += [ProvinceTask(agency_code=code, agency_name=agency_name, task=t)
                      for t in proposal.tasks]
        agencies.append(agency)
        add(totals, agency)
    years = sorted(set(range(PLAN_FIRST, PLAN_LAST + 1)) | set(totals.proposal_by_year))
    return ProvinceReport(year=year, date=date.isoformat(), years=years, agencies=agencies,
                          sites=sites, findings=all_findings, tasks=all_tasks, totals=totals,
                          superseded=superseded,
                          prices=[catalog.note(k) for k in sorted(used)])
