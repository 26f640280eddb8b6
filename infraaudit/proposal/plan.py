"""The 2026–2030 upgrade proposal: tasks derived from measured findings, priced from an editable
catalog (``inventories/catalog.yaml``: unit prices in VND with source and date, lifetimes).

Pure: ``propose(findings per site, audits, catalog)``. Every task names the findings it answers
and how its quantity was counted; cost = quantity x unit price; totals per year and per site.
Task titles, the basis sentences and the replacement reasons are wording
(``report_templates/proposal.yaml``, read by ``proposal.wording``).

Priorities: 1 urgent defects (bad cabling, devices not answering or insecure), 2 end of life
(firmware past support, service life over or ending by 2030: replaced in the year it ends),
3 IPv6 (survey/configuration per site, routers without IPv6), 4 capacity (saturated uplinks,
switches out of free ports, workplaces that depend on Wi-Fi).
"""

from __future__ import annotations

import math
from collections import defaultdict
from pathlib import Path

from pydantic import Field

from infraaudit.errors import InventoryError
from infraaudit.models import ETHERNET_TYPES, AuditDocument
from infraaudit.models.base import Strict
from infraaudit.models.finding import Finding
from infraaudit.models.report import CatalogNote, Proposal, ProposalTask
from infraaudit.proposal.wording import TaskKind, proposal_wording
from infraaudit.util.yamlfile import load_yaml_model

CABLING = {"PORT-FCS", "PORT-SPEED-DOWNGRADE", "PORT-HALF-DUPLEX", "PORT-FLAP", "PORT-ERRORS",
           "HISTORY-PORT-ERRORS", "HISTORY-PORT-FLAPS"}
SERVICE = {"DEVICE-NO-ANSWER", "HISTORY-AVAILABILITY"}
PORTS_PER_SWITCH = 24


class CatalogItem(Strict):
    name: str
    unit: str
    unit_price_vnd: int = Field(ge=0)
    source: str = Field(min_length=1, description="where the price comes from")
    date: str = Field(min_length=1, description="when it was valid")
    lifetime_years: int | None = None


class Catalog(Strict):
    currency: str = "VND"
    items: dict[str, CatalogItem]
    plan: dict[int, int] = Field(description="priority -> year")

    def note(self, key: str) -> CatalogNote:
        item = self.items[key]
        return CatalogNote(item=key, name=item.name, unit_price_vnd=item.unit_price_vnd,
                           source=item.source, date=item.date)


REQUIRED_ITEMS = ("cable-cat6-run", "device-service", "switch-24-poe", "switch-48-poe",
                  "router-ipv6", "ap-wifi6", "ipv6-service", "uplink-upgrade")


def load_catalog(path: Path) -> Catalog:
    """Read and check a catalog; InventoryError names the problem."""
    catalog = load_yaml_model(path, Catalog, "catalog")
    missing = [k for k in REQUIRED_ITEMS if k not in catalog.items]
    if missing:
        raise InventoryError(f"catalog {path}: items missing: {', '.join(missing)}")
    if sorted(catalog.plan) != [1, 2, 3, 4]:
        raise InventoryError(f"catalog {path}: plan must give a year for priorities 1 to 4")
    return catalog


def _ref(f: Finding) -> str:
    return f"{f.code} {f.subject}"


class _Builder:
    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.tasks: list[ProposalTask] = []

    def add(self, kind: TaskKind, priority: int, site: str, item: str, quantity: int,
            answers: list[Finding], year: int | None = None, **words: object) -> None:
        """A task of ``kind`` (none when nothing to do); its title and basis are the kind's
        wording filled from ``words``."""
        if quantity <= 0 or not answers:
            return
        price = self.catalog.items[item]
        wording = proposal_wording()
        self.tasks.append(ProposalTask(
            id="", year=year or self.catalog.plan[priority], priority=priority, site=site,
            title=wording.tasks.of(kind).format(**words), item=item, item_name=price.name,
            unit=price.unit, quantity=quantity, unit_price_vnd=price.unit_price_vnd,
            cost_vnd=quantity * price.unit_price_vnd,
            answers=sorted({_ref(f) for f in answers}),
            basis=wording.basis.of(kind).format(**words)))


def _device_of(subject: str) -> str:
    return subject.split(":", 1)[0]


END_OF_LIFE = ("SEC-FIRMWARE-EOS", "DEVICE-PAST-LIFETIME", "DEVICE-LIFETIME-ENDS")


def _ends(f: Finding) -> int | None:
    """The year a DEVICE-LIFETIME-ENDS finding says the service life ends."""
    value = next((e.measured.get("ends") for e in f.evidence if "ends" in e.measured), None)
    return int(value) if isinstance(value, int | float | str) and str(value).isdigit() else None


def _replacements(b: _Builder, site: str, found: list[Finding],
                  audit: AuditDocument | None) -> None:
    """One replacement per device whatever the reasons (firmware past support, service life
    over or ending): routers and firewalls by an IPv6 router, access points by a Wi-Fi 6 AP,
    switches by a 24/48-port switch after their port count. Planned in the end-of-life year of
    the plan, or in the year the service life ends when that is later. Other roles (servers,
    UPS, printers, devices of unknown role: set ``role`` in the inventory) are not network
    equipment of this catalog: no task."""
    by_device: dict[str, list[Finding]] = defaultdict(list)
    for f in found:
        if f.code in END_OF_LIFE:
            by_device[f.subject].append(f)
    facts = {d.name or d.sys_name or d.host: d for d in (audit.devices if audit else [])}
    named = proposal_wording().reasons
    for subject, reasons in sorted(by_device.items()):
        device = facts.get(subject)
        role = device.role.value if device else "other"
        if device is None:
            continue  # not in the audit: its role and ports are unknown
        codes = sorted({f.code for f in reasons})
        ends = [e for f in reasons if (e := _ends(f)) is not None]
        year = b.catalog.plan[2]
        if codes == ["DEVICE-LIFETIME-ENDS"]:
            year = max([year, *ends])
        why = ", ".join(named.of(c).format(year=min(ends) if ends else year) for c in codes)
        if role in ("router", "firewall"):
            b.add("replace-router", 2, site, "router-ipv6", 1, reasons, year=year,
                  device=subject, reason=why)
        elif role == "ap":
            b.add("replace-ap", 2, site, "ap-wifi6", 1, reasons, year=year, device=subject,
                  reason=why)
        elif role == "switch":
            ethernet = len([p for p in device.ports if p.type in ETHERNET_TYPES])
            item = "switch-48-poe" if ethernet > PORTS_PER_SWITCH else "switch-24-poe"
            b.add("replace-switch", 2, site, item, 1, reasons, year=year, device=subject,
                  reason=why, ports=ethernet)


def _site_tasks(b: _Builder, site: str, found: list[Finding], audit: AuditDocument | None) -> None:
    by_code: dict[str, list[Finding]] = defaultdict(list)
    for f in found:
        by_code[f.code].append(f)
    # 1. urgent defects
    cabling = [f for f in found if f.code in CABLING]
    ports = sorted({f.subject for f in cabling})
    b.add("recable", 1, site, "cable-cat6-run", len(ports), cabling, ports=len(ports))
    service = [f for f in found if f.code in SERVICE
               or (f.category == "security" and f.severity == "high")]
    devices = sorted({f.subject for f in service})
    b.add("device-service", 1, site, "device-service", len(devices), service,
          devices=len(devices))
    # 2. end of life: firmware past its support, service life over or ending by 2030
    _replacements(b, site, found, audit)
    # 3. IPv6
    phase = by_code.get("IPV6-PHASE", [])
    b.add("ipv6-service", 3, site, "ipv6-service", 1 if phase else 0, phase)
    routers = [f for f in by_code.get("IPV6-DEVICE-NOT-READY", [])
               if any(e.measured.get("device_class") == "router" for e in f.evidence)]
    b.add("ipv6-router", 3, site, "router-ipv6", len(routers), routers, routers=len(routers))
    # 4. capacity
    links: dict[frozenset[str], list[Finding]] = defaultdict(list)
    for f in by_code.get("PORT-SATURATED", []):  # both ends of one link: one upgrade
        neighbour = next((e.measured.get("neighbour") for e in f.evidence), None)
        key = frozenset((_device_of(f.subject), str(neighbour))) if neighbour else \
            frozenset((f.subject,))
        links[key].append(f)
    for found_on in links.values():
        first = min(found_on, key=lambda f: f.subject)
        b.add("uplink-upgrade", 4, site, "uplink-upgrade", 1, found_on, port=first.subject,
              ports=", ".join(sorted(f.subject for f in found_on)))
    full = by_code.get("PORT-CAPACITY", [])
    b.add("add-switch", 4, site, "switch-24-poe", len(full), full, switches=len(full))
    for f in by_code.get("WIFI-DEPENDENCE", []):
        wifi = int(next((e.measured.get("wifi", 0) for e in f.evidence
                         if "wifi" in e.measured), 0) or 0)
        b.add("wire-workplaces", 4, site, "cable-cat6-run", wifi, [f], count=wifi)
        b.add("wire-switch", 4, site, "switch-24-poe", math.ceil(wifi / PORTS_PER_SWITCH), [f],
              count=wifi, per_switch=PORTS_PER_SWITCH)


def propose(findings_by_site: dict[str, list[Finding]],
            audits: dict[str, AuditDocument | None], catalog: Catalog) -> Proposal:
    """Tasks for every site, numbered by year and priority, with totals."""
    b = _Builder(catalog)
    for site, found in findings_by_site.items():
        _site_tasks(b, site, found, audits.get(site))
    tasks = sorted(b.tasks, key=lambda t: (t.year, t.priority, t.site, t.title))
    counters: dict[int, int] = defaultdict(int)
    for task in tasks:
        counters[task.year] += 1
        task.id = f"T-{task.year}-{counters[task.year]:02d}"
    by_year: dict[int, int] = defaultdict(int)
    by_site: dict[str, int] = defaultdict(int)
    for task in tasks:
        by_year[task.year] += task.cost_vnd
        by_site[task.site] += task.cost_vnd
    used = sorted({t.item for t in tasks})
    return Proposal(tasks=tasks, totals_by_year=dict(sorted(by_year.items())),
                    totals_by_site=dict(by_site), total_vnd=sum(t.cost_vnd for t in tasks),
                    prices=[catalog.note(k) for k in used])

