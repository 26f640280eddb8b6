"""The 2026–2030 upgrade proposal: tasks derived from measured findings, priced from an editable
catalog (``inventories/catalog.yaml``: unit prices in VND with source and date, lifetimes, what
each item replaces, whether prices are sample values and include VAT).

Pure: ``propose(findings per site, audits, catalog, thresholds)``. Every task names the findings
it answers, the devices it is about, how its quantity was counted and the tables of Phụ lục I it
rests on; cost = quantity x unit price; totals per year and per site. Task titles, bases, groups
and replacement reasons are wording (``report_templates/proposal.yaml``, ``proposal.wording``).

Groups and priorities (the plan's years come from the catalog):
    audit     1  devices the scan could not audit: check their management settings (never a
                 repair or a replacement: nothing says they are broken)
    repair    1  cables of ports with measured faults; devices unstable over the nightly checks
                 or with a high-severity security finding
    replace   2  one replacement per device (``proposal.replace``), in the year its first reason
                 demands (3 for a model that cannot run IPv6)
    ipv6      3  per site: survey, plan and configuration of IPv6, naming the devices to configure
    capacity  4  saturated uplinks and switches short of ports (unless their device is replaced
                 by then), workplaces that depend on Wi-Fi
"""

from __future__ import annotations

import math
from collections import defaultdict
from pathlib import Path
from typing import Literal

from pydantic import Field

from infraaudit.errors import InventoryError
from infraaudit.findings import Thresholds, default_thresholds, medium_of
from infraaudit.models import AuditDocument
from infraaudit.models.base import Strict
from infraaudit.models.finding import Finding
from infraaudit.models.report import CatalogNote, Proposal, ProposalTask
from infraaudit.proposal.replace import Replacement, ends_year, replacements
from infraaudit.proposal.wording import TaskKind, proposal_wording
from infraaudit.util.yamlfile import load_yaml_model

CABLING = {"PORT-FCS", "PORT-SPEED-DOWNGRADE", "PORT-HALF-DUPLEX", "PORT-FLAP", "PORT-ERRORS",
           "HISTORY-PORT-ERRORS", "HISTORY-PORT-FLAPS"}
NOT_AUDITED = {"DEVICE-NO-ANSWER", "DEVICE-NOT-AUDITED"}
#: what a service visit fixes on a device (the device-service task), in the order its basis
#: names them; the device's own condition is left to its replacement when it is replaced
UNSTABLE = ("HISTORY-AVAILABILITY", "STP-TOPOLOGY-CHANGES", "STP-PORT-BLOCKING",
            "LINK-DUPLEX-MISMATCH", "LINK-SPEED-MISMATCH")
FIBRE_HALF_DUPLEX = "fibre-half-duplex"  # PORT-HALF-DUPLEX on a fibre port: checked, not mended
CONDITION = ("DEVICE-FAN-FAILED", "DEVICE-POWER-FAILED", "DEVICE-TEMPERATURE-HIGH",
             "DEVICE-CPU-HIGH", "DEVICE-MEMORY-HIGH")
SECURITY_HIGH = "security-high"
PORTS_PER_SWITCH = 24
GROUP_OF: dict[TaskKind, str] = {
    "audit-device": "audit", "recable": "repair", "repair-optics": "repair",
    "device-service": "repair",
    "replace-router": "replace", "replace-core": "replace", "replace-switch": "replace",
    "replace-ap": "replace", "ipv6-service": "ipv6", "uplink-upgrade": "capacity",
    "add-switch": "capacity", "wire-workplaces": "capacity", "wire-switch": "capacity"}
# the tables of Phụ lục I (report_words.yaml appendix_items) a task of each kind rests on
EVIDENCE_OF: dict[TaskKind, list[str]] = {
    "audit-device": ["devices"], "recable": ["ports"], "repair-optics": ["ports"],
    "device-service": ["findings"],
    "replace-router": ["ages"], "replace-core": ["ages"], "replace-switch": ["ages"],
    "replace-ap": ["ages"], "ipv6-service": ["ipv6"], "uplink-upgrade": ["ports"],
    "add-switch": ["ports"], "wire-workplaces": ["ports"], "wire-switch": ["ports"]}
Replaces = Literal["router", "core-switch", "access-switch", "ap"]


class CatalogItem(Strict):
    name: str
    unit: str
    unit_price_vnd: int = Field(ge=0)
    source: str = Field(min_length=1, description="where the price comes from")
    date: str = Field(min_length=1, description="when it was valid")
    lifetime_years: int | None = None
    replaces: Replaces | None = Field(default=None, description="the devices it replaces")
    ports: int | None = Field(default=None, ge=1, description="ports (access switches; core "
                              "switches, to size a core by the ports in use)")


class Catalog(Strict):
    currency: str = "VND"
    sample_prices: bool = Field(description="the prices are sample values, not quotations")
    vat_included: bool = Field(description="the unit prices include VAT")
    items: dict[str, CatalogItem]
    plan: dict[int, int] = Field(description="priority -> year")

    def note(self, key: str) -> CatalogNote:
        item = self.items[key]
        return CatalogNote(item=key, name=item.name, unit_price_vnd=item.unit_price_vnd,
                           source=item.source, date=item.date)


REQUIRED_ITEMS = ("cable-cat6-run", "fibre-optics-set", "device-service", "ipv6-service",
                  "uplink-upgrade")
REPLACING: tuple[Replaces, ...] = ("router", "core-switch", "access-switch", "ap")


def load_catalog(path: Path) -> Catalog:
    """Read and check a catalog; InventoryError names the problem."""
    catalog = load_yaml_model(path, Catalog, "catalog")
    missing = [k for k in REQUIRED_ITEMS if k not in catalog.items]
    missing += [f"an item with replaces: {r}" for r in REPLACING
                if not any(i.replaces == r for i in catalog.items.values())]
    if missing:
        raise InventoryError(f"catalog {path}: items missing: {', '.join(missing)}")
    unsized = [k for k, i in catalog.items.items() if i.replaces == "access-switch" and not i.ports]
    if unsized:
        raise InventoryError(f"catalog {path}: access switches need ports: {', '.join(unsized)}")
    if sorted(catalog.plan) != [1, 2, 3, 4]:
        raise InventoryError(f"catalog {path}: plan must give a year for priorities 1 to 4")
    return catalog


def _ref(f: Finding) -> str:
    return f"{f.code} {f.subject}"


def _device_of(subject: str) -> str:
    return subject.split(":", 1)[0]


class _Builder:
    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.tasks: list[ProposalTask] = []

    def add(self, kind: TaskKind, priority: int, site: str, item: str, quantity: int,
            answers: list[Finding], year: int | None = None, subjects: list[str] | None = None,
            reasons: list[str] | None = None, evidence: list[str] | None = None,
            **words: object) -> None:
        """A task of ``kind`` (none when nothing to do); its title and basis are the kind's
        wording filled from ``words``; ``subjects``: the devices it is about; ``evidence``: the
        tables of Phụ lục I it rests on (by default those of its kind)."""
        if quantity <= 0 or not answers:
            return
        price = self.catalog.items[item]
        wording = proposal_wording()
        # counts in running text: two digits below 10 ("03 cổng"), as the seeds write them
        words = {k: f"{v:02d}" if isinstance(v, int) and not isinstance(v, bool) else v
                 for k, v in words.items()}
        self.tasks.append(ProposalTask(
            id="", year=year or self.catalog.plan[priority], priority=priority, site=site,
            title=wording.tasks.of(kind).format(**words), item=item, item_name=price.name,
            unit=price.unit, quantity=quantity, unit_price_vnd=price.unit_price_vnd,
            cost_vnd=quantity * price.unit_price_vnd,
            answers=sorted({_ref(f) for f in answers}),
            basis=wording.basis.of(kind).format(**words), kind=kind, group=GROUP_OF[kind],
            devices=sorted(set(subjects or [])), reasons=reasons or [],
            evidence=evidence or EVIDENCE_OF[kind]))


def _replace(b: _Builder, site: str, r: Replacement, t: Thresholds) -> None:
    named = proposal_wording().reasons
    seen: list[str] = []
    for f in r.reasons:
        text = named.of(f.code).format(year=ends_year(f) or r.year)
        if text not in seen:
            seen.append(text)
    evidence = sorted({k for f in r.reasons for k in (
        ["ipv6"] if f.code == "IPV6-DEVICE-NOT-READY" else
        ["ports"] if f.code in ("PORT-SATURATED", "PORT-CAPACITY") else
        ["devices"] if f.code == "SEC-FIRMWARE-EOS" else ["ages"])})
    b.add(r.kind, 2, site, r.item, r.quantity, r.reasons, year=r.year,
          subjects=[r.device], reasons=seen, reason="; ".join(seen), ports=r.ports, used=r.used,
          need=r.need, growth=f"{t.proposal.growth_pct:g}", evidence=evidence)


def _capacity(b: _Builder, site: str, by_code: dict[str, list[Finding]],
              replaced: dict[str, Replacement], labels: dict[str, str]) -> None:
    """Saturated uplinks and switches short of ports, unless a device of theirs is replaced by
    the capacity year (then they are reasons of that replacement); Wi-Fi workplaces."""
    year = b.catalog.plan[4]

    def covered(f: Finding, devices: list[str]) -> bool:
        hit = next((replaced[d] for d in devices if d in replaced and replaced[d].year <= year),
                   None)
        if hit is not None:
            hit.reasons.append(f)
        return hit is not None

    links: dict[frozenset[str], list[Finding]] = defaultdict(list)
    for f in by_code.get("PORT-SATURATED", []):  # both ends of one link: one upgrade
        neighbour = next((e.measured.get("neighbour") for e in f.evidence), None)
        ends = [_device_of(f.subject)] + ([labels.get(str(neighbour), str(neighbour))]
                                          if neighbour else [])
        if not covered(f, ends):
            links[frozenset(ends)].append(f)
    for found_on in links.values():
        b.add("uplink-upgrade", 4, site, "uplink-upgrade", 1, found_on,
              subjects=[_device_of(f.subject) for f in found_on])
    full = [f for f in by_code.get("PORT-CAPACITY", []) if not covered(f, [f.subject])]
    b.add("add-switch", 4, site, _smallest_access(b.catalog), len(full), full,
          subjects=[f.subject for f in full], switches=len(full))
    for f in by_code.get("WIFI-DEPENDENCE", []):
        wifi = int(next((e.measured.get("wifi", 0) for e in f.evidence
                         if "wifi" in e.measured), 0) or 0)
        b.add("wire-workplaces", 4, site, "cable-cat6-run", wifi, [f], count=wifi)
        per_switch = b.catalog.items[_smallest_access(b.catalog)].ports or PORTS_PER_SWITCH
        b.add("wire-switch", 4, site, _smallest_access(b.catalog), math.ceil(wifi / per_switch),
              [f], count=wifi, per_switch=per_switch)


def _smallest_access(catalog: Catalog) -> str:
    return min((i.ports or 0, k) for k, i in catalog.items.items()
               if i.replaces == "access-switch")[1]


def _devices_of(f: Finding) -> list[str]:
    """The devices a finding is about: its subject's device, or each end of a link."""
    if f.code.startswith("LINK-") and "–" in f.subject:
        return sorted({e.device for e in f.evidence if e.device})
    return [_device_of(f.subject)]


def _service_key(f: Finding) -> str | None:
    if f.code in UNSTABLE or f.code in CONDITION:
        return f.code
    if f.code == "PORT-HALF-DUPLEX" and medium_of(f) == "fibre":
        return FIBRE_HALF_DUPLEX
    return SECURITY_HIGH if f.category == "security" and f.severity == "high" else None


def _service(b: _Builder, site: str, found: list[Finding], checked: set[str],
             replaced: set[str]) -> None:
    """One service visit per device that is unstable, overloaded, has failed hardware, a link
    whose ends disagree or a high-severity security setting: not for the devices checked first
    (their audit task), nor for a replaced device's own condition (the new one fixes it)."""
    service: list[Finding] = []
    devices: set[str] = set()
    for f in found:
        key = _service_key(f)
        named = [d for d in _devices_of(f) if d not in checked
                 and not (f.code in CONDITION and d in replaced)]
        if key and named:
            service.append(f)
            devices.update(named)
    keys = {_service_key(f) for f in service}
    phrases = proposal_wording().service
    why = [phrases.of(k) for k in (*UNSTABLE, FIBRE_HALF_DUPLEX, *CONDITION, SECURITY_HIGH)
           if k in keys]
    b.add("device-service", 1, site, "device-service", len(devices), service,
          subjects=sorted(devices), devices=len(devices), why="; ".join(why))


def _site_tasks(b: _Builder, site: str, found: list[Finding], audit: AuditDocument | None,
                t: Thresholds) -> None:
    by_code: dict[str, list[Finding]] = defaultdict(list)
    for f in found:
        by_code[f.code].append(f)
    # audit: devices the scan could not read are checked, not repaired
    silent = [f for f in found if f.code in NOT_AUDITED]
    b.add("audit-device", 1, site, "device-service", len({f.subject for f in silent}), silent,
          subjects=[f.subject for f in silent], devices=len({f.subject for f in silent}))
    # repair: cables of faulty ports (optics and patch cords on a fibre port: a Cat6 run does
    # not mend it; a fibre port at half duplex is checked in the service visit: no optic runs
    # so, a new one would not change it); unstable or insecure devices
    cabling = [f for f in found if f.code in CABLING and medium_of(f) != "fibre"]
    optical = [f for f in found if f.code in CABLING and medium_of(f) == "fibre"
               and _service_key(f) is None]
    repairs: list[tuple[TaskKind, str, list[Finding]]] = [
        ("recable", "cable-cat6-run", cabling), ("repair-optics", "fibre-optics-set", optical)]
    for kind, item, faults in repairs:
        ports = sorted({f.subject for f in faults})
        b.add(kind, 1, site, item, len(ports), faults,
              subjects=[_device_of(p) for p in ports], ports=len(ports))
    # replace: one per device
    items: dict[str, tuple[str | None, int | None]] = {
        k: (i.replaces, i.ports) for k, i in b.catalog.items.items()}
    replaced = replacements(found, audit, t, items, b.catalog.plan)
    labels = {d.sys_name: (d.name or d.sys_name) for d in (audit.devices if audit else [])
              if d.sys_name}
    # capacity before the replacements: a replaced device takes its uplink and port findings
    # as reasons (propose orders the tasks)
    _capacity(b, site, by_code, replaced, labels)
    _service(b, site, found, {f.subject for f in silent}, set(replaced))
    for r in replaced.values():
        _replace(b, site, r, t)
    # ipv6: one task per site, naming the devices to configure (not those replaced for it)
    for_ipv6 = {f.subject for r in replaced.values() for f in r.reasons
                if f.code == "IPV6-DEVICE-NOT-READY"}
    ipv6 = by_code.get("IPV6-PHASE", []) + [f for f in by_code.get("IPV6-DEVICE-NOT-READY", [])
                                            if f.subject not in for_ipv6]
    b.add("ipv6-service", 3, site, "ipv6-service", 1 if ipv6 else 0, ipv6,
          subjects=[f.subject for f in ipv6 if f.code == "IPV6-DEVICE-NOT-READY"])


def propose(findings_by_site: dict[str, list[Finding]],
            audits: dict[str, AuditDocument | None], catalog: Catalog,
            thresholds: Thresholds | None = None) -> Proposal:
    """Tasks for every site, grouped, numbered by year, with totals for every year of the
    plan (2026 – 2030)."""
    t = thresholds or default_thresholds()
    b = _Builder(catalog)
    for site, found in findings_by_site.items():
        _site_tasks(b, site, found, audits.get(site), t)
    groups = proposal_wording().groups.ordered()
    order = list(groups)
    tasks = sorted(b.tasks, key=lambda x: (order.index(x.group), x.year, x.site, x.title))
    counters: dict[int, int] = defaultdict(int)
    for task in sorted(tasks, key=lambda x: (x.year, order.index(x.group), x.site, x.title)):
        counters[task.year] += 1
        task.id = f"T-{task.year}-{counters[task.year]:02d}"
    by_year: dict[int, int] = defaultdict(int)
    by_site: dict[str, int] = defaultdict(int)
    for task in tasks:
        by_year[task.year] += task.cost_vnd
        by_site[task.site] += task.cost_vnd
    used = sorted({x.item for x in tasks})
    years = list(range(2026, 2031))
    years += sorted(y for y in by_year if y not in years)  # a catalog planning beyond 2030
    return Proposal(tasks=tasks, totals_by_year=dict(sorted(by_year.items())),
                    totals_by_site=dict(by_site), total_vnd=sum(x.cost_vnd for x in tasks),
                    prices=[catalog.note(k) for k in used], years=years,
                    groups={k: v for k, v in groups.items() if any(x.group == k for x in tasks)},
                    draft=catalog.sample_prices, vat_included=catalog.vat_included)
