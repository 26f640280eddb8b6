"""Build the agency report from its sites' latest audits: facts, findings, proposal.

The agency file (``inventories/<agency>/agency.yaml``) names the agency, the report's official
frame, the catalog, the folder where audits are written and the site inventories. For each site
the newest audit whose ``site.id`` matches is used; a site without an audit is named in the
report as not measured, never silently dropped.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
from collections import Counter
from pathlib import Path

from pydantic import Field

from infraaudit.errors import AuditFormatError, InventoryError, StoreError
from infraaudit.findings import (
    Thresholds,
    default_thresholds,
    device_label,
    findings,
    gigabit_capable,
)
from infraaudit.health import HistoryStore, availability, default_db, links, ports, since
from infraaudit.models import Agency, AuditDocument, is_switch_port
from infraaudit.models.base import Strict
from infraaudit.models.finding import Finding
from infraaudit.models.migrate import load_audit
from infraaudit.models.report import (
    AgencyReport,
    DeviceAgeRow,
    HistoryDevice,
    HistoryLink,
    HistoryPort,
    LinkRow,
    ReportMeta,
    SiteFacts,
    SiteFinding,
    SiteHistory,
    SitePlace,
    SwitchPorts,
    TopologyEdge,
)
from infraaudit.proposal import Catalog, load_catalog, propose
from infraaudit.report.section import build_section, place
from infraaudit.util.clock import VN_TZ, local_year
from infraaudit.util.yamlfile import load_yaml_model, read_yaml


class ReportOptions(Strict):
    parent_org: str
    agency_name: str
    number: str = "Số:      /BC-"
    place: str
    title: str = ("Hiện trạng hạ tầng số năm {year} và đề xuất danh mục nhiệm vụ hạ tầng số "
                  "giai đoạn 2026 – 2030")
    addressee: str | None = Field(default=None, description="Kính gửi: the body reported to")
    recipients: list[str] = Field(default_factory=list)
    signer_title: str = ""
    signer_name: str = ""
    history_days: int = Field(default=90, ge=1, le=3650,
                              description="window of nightly health checks the report reads")


class AgencySite(Strict):
    inventory: Path


class AgencyConfig(Strict):
    agency: Agency
    report: ReportOptions
    catalog: Path
    audits: Path = Field(description="folder holding the sites' audit JSON files")
    sites: list[AgencySite] = Field(min_length=1)


def load_frame(path: Path) -> ReportOptions:
    """A report frame file: the keys of an agency file's ``report`` section (parent_org,
    agency_name, number, place, title, addressee, recipients, signer_title, signer_name), e.g.
    the province's own frame for its summary report."""
    return load_yaml_model(path, ReportOptions, "report frame")


def frame_meta(options: ReportOptions, year: int, date: dt.date) -> ReportMeta:
    """The official frame of a report dated ``date`` about ``year``."""
    return ReportMeta(
        parent_org=options.parent_org, agency_name=options.agency_name, number=options.number,
        place=options.place, date=date.isoformat(), year=year,
        title=options.title.format(year=year), addressee=options.addressee,
        recipients=options.recipients, signer_title=options.signer_title,
        signer_name=options.signer_name)


def load_agency(path: Path) -> AgencyConfig:
    """Read an agency file; relative paths are relative to it."""
    config = load_yaml_model(path, AgencyConfig, "agency file")
    base = path.parent
    config.catalog = (base / config.catalog).resolve()
    config.audits = (base / config.audits).resolve()
    for site in config.sites:
        site.inventory = (base / site.inventory).resolve()
    return config


def site_identity(inventory: Path) -> tuple[str, str]:
    """(site id, site name) from a site inventory, without resolving its secrets."""
    data = read_yaml(inventory, "site inventory")[0] or {}
    try:
        return str(data["site"]["id"]), str(data["site"]["name"])
    except (KeyError, TypeError) as exc:
        raise InventoryError(f"site inventory {inventory}: no site id/name ({exc})") from None


def _inventory_address(inventory: Path) -> str | None:
    """The site's street address from its inventory, if it gives one (read as history_db)."""
    try:
        data = read_yaml(inventory, "site inventory")[0] or {}
        address = data["site"].get("address")
    except (InventoryError, KeyError, TypeError, AttributeError):
        return None
    return str(address) if address else None


def history_db(inventory: Path) -> Path:
    """The health history database a site inventory names (``health.db``, relative to the
    inventory), else the default one; read without resolving the inventory's secrets."""
    try:
        data = read_yaml(inventory, "site inventory")[0] or {}
        db = (data.get("health") or {}).get("db")
    except (InventoryError, AttributeError):
        db = None
    return (inventory.parent / db).resolve() if db else default_db()


def site_history(db: Path, site_id: str, date: dt.date, days: int,
                 thresholds: Thresholds | None = None) -> SiteHistory | None:
    """The site's nightly checks in the ``days`` up to the end of ``date`` (a Vietnam calendar
    day); None when there is no database or no run (the report then says nothing about
    history). The database is opened read-only; StoreError when it cannot be read."""
    if not db.is_file():
        return None
    t = thresholds or default_thresholds()
    last = dt.datetime.combine(date, dt.time.max, tzinfo=VN_TZ).astimezone(dt.UTC)
    start, end = since(days, last), last.isoformat(timespec="microseconds")
    with HistoryStore.read_only(db) as store:
        runs = [r for r in store.runs(site_id, start) if r["started_at"] <= end]
        if not runs:
            return None
        devices = availability(store, site_id, start, end)
        link_rows = links(store, site_id, start, end)
        port_rows = ports(store, site_id, start, t.health.error_ppm, end)
    return SiteHistory(
        days=days, runs=len(runs), first=runs[0]["started_at"], last=runs[-1]["started_at"],
        complete_runs=sum(r["complete"] for r in runs),
        devices=[HistoryDevice(device=a.name or a.host, runs=a.runs, answered=a.reachable,
                               availability_pct=a.availability_pct) for a in devices],
        links=[HistoryLink(target=x.name or x.target, runs=x.runs, loss_p50=x.loss_p50,
                           loss_p95=x.loss_p95, rtt_p50_ms=x.rtt_p50_ms,
                           rtt_p95_ms=x.rtt_p95_ms, jitter_p95_ms=x.jitter_p95_ms)
               for x in link_rows],
        ports=[HistoryPort(device=p.device or p.host, port=p.port or str(p.if_index),
                           samples=p.samples, runs_with_errors=p.runs_with_errors,
                           error_ppm_max=p.error_ppm_max, fcs_ppm_max=p.fcs_ppm_max,
                           flaps=p.flaps)
               for p in port_rows if p.flaps or p.runs_with_errors])


def latest_audits(folder: Path) -> dict[str, AuditDocument]:
    """The newest readable audit per site id in ``folder`` (unreadable files are skipped)."""
    newest: dict[str, AuditDocument] = {}
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            doc = load_audit(path.read_text(encoding="utf-8"))
        except (OSError, AuditFormatError):
            continue
        known = newest.get(doc.site.id)
        if known is None or doc.scan.started_at > known.scan.started_at:
            newest[doc.site.id] = doc
    return newest


def device_ages(doc: AuditDocument, t: Thresholds) -> list[DeviceAgeRow]:
    """Devices whose service start is known, oldest first."""
    year = local_year(doc.scan.started_at)
    lives = t.lifetime.years
    rows = []
    for d in doc.devices:
        if d.in_service is not None:
            life = lives.of(d.role.value)
            rows.append(DeviceAgeRow(device=device_label(d), role=d.role.value,
                                     since=d.in_service.year, source=d.in_service.source,
                                     age=year - d.in_service.year, life=life,
                                     ends=d.in_service.year + life))
    return sorted(rows, key=lambda r: (r.since, r.device))


_MAC = re.compile(r"^[0-9a-f]{2}([:.-]?[0-9a-f]{2}){5}$|^([0-9a-f]{4}\.){2}[0-9a-f]{4}$", re.I)


def _neighbour_name(text: str | None) -> str | None:
    """A neighbour's name or port as drawn, or None when it is only an address (an IP or MAC
    address is not shown in the report, and says nothing to its reader)."""
    text = (text or "").strip()
    if not text or _MAC.match(text):
        return None
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return text
    return None


def site_facts(doc: AuditDocument, name: str, thresholds: Thresholds | None = None,
               history: SiteHistory | None = None) -> SiteFacts:
    """The measured facts of one site, for tables and charts."""
    limits = thresholds or default_thresholds()
    answered = [d for d in doc.devices if d.reachable]
    flapping = {(p.device, p.if_index) for p in (doc.link.ports if doc.link else [])
                if p.transitions >= 2}
    errors = {(p.device, p.if_index) for p in (doc.link.ports if doc.link else [])
              if (p.in_error_ppm or 0) + (p.out_error_ppm or 0) + (p.fcs_ppm or 0) > 0}
    ports = []
    for d in answered:
        ethernet = [p for p in d.ports if is_switch_port(p)]
        if not ethernet or d.role.value not in ("switch", "router", "ap", "firewall"):
            continue
        up = sum(p.oper_status == "up" for p in ethernet)
        downgraded = sum(1 for p in ethernet if p.oper_status == "up" and (
            (p.duplex is not None and p.duplex.value == "half")
            or (gigabit_capable(p, limits) is not None and p.speed_mbps is not None
                and p.speed_mbps < limits.cabling.min_speed_mbps)))
        ports.append(SwitchPorts(
            device=device_label(d), model=d.model, ports=len(ethernet), up=up,
            down=len(ethernet) - up, free=len(ethernet) - up,
            with_errors=sum((d.host, p.if_index) in errors for p in ethernet),
            flapping=sum((d.host, p.if_index) in flapping for p in ethernet),
            downgraded=downgraded))
    labels = {d.sys_name: device_label(d) for d in doc.devices if d.sys_name}
    edges, seen = [], set()
    nodes = {device_label(d): d.role.value for d in answered}
    unnamed: set[str] = set()
    for d in answered:
        for p in d.ports:
            for n in p.lldp_neighbours:
                other = labels.get(n.sys_name or "") or _neighbour_name(n.sys_name)
                if other is None:  # a neighbour known only by an address: counted, not drawn
                    unnamed.add(n.mgmt_address or n.chassis_id or f"{d.host}:{p.if_index}")
                    continue
                key = tuple(sorted((device_label(d), other)))
                if key in seen:
                    continue
                seen.add(key)
                nodes.setdefault(other, "ap" if "wlanAccessPoint" in n.capabilities else "other")
                edges.append(TopologyEdge(a=device_label(d), a_port=p.name, b=other,
                                          b_port=_neighbour_name(n.port_id)))
    share = doc.link.endpoints if doc.link else None
    placed = doc.endpoints
    ipv6 = doc.ipv6
    return SiteFacts(
        site_id=doc.site.id, name=name, address=doc.site.address, audit_id=doc.audit_id,
        scanned_at=doc.scan.started_at, complete=doc.scan.complete, devices=len(doc.devices),
        devices_answered=len(answered),
        roles=dict(Counter(d.role.value for d in answered)),
        vendors=dict(Counter(d.vendor or "không xác định" for d in answered)),
        ports=ports,
        links=[LinkRow(target=p.name or p.target, loss_pct=p.loss_pct, rtt_avg_ms=p.rtt_avg_ms,
                       jitter_ms=p.jitter_ms) for p in (doc.link.pings if doc.link else [])],
        wired_endpoints=share.wired if share else None,
        wifi_endpoints=share.wifi if share else None, wifi_pct=share.wifi_pct if share else None,
        endpoints=placed.wired + placed.wifi if placed else None,
        shared_ports=sum(len(s.macs) >= limits.cabling.shared_port_endpoints
                         for s in placed.shared_ports) if placed else None,
        wired_ports=placed.wired_ports if placed else None,
        wired_ports_free=placed.wired_ports_free if placed else None,
        ipv6_phase=ipv6.site.phase if ipv6 and ipv6.site else None,
        ipv6_scores={d.device: d.score for d in ipv6.devices} if ipv6 else {},
        topology=edges, topology_nodes=nodes, topology_unnamed=len(unnamed),
        ages=device_ages(doc, limits), history=history)


def build_report(config: AgencyConfig, year: int, date: dt.date,
                 audits: dict[str, AuditDocument] | None = None,
                 catalog: Catalog | None = None,
                 thresholds: Thresholds | None = None,
                 read_history: bool = True) -> AgencyReport:
    """The whole report model (pure given its inputs; reads the folders when not given, and the
    sites' health history unless ``read_history`` is false)."""
    audits = latest_audits(config.audits) if audits is None else audits
    catalog = catalog or load_catalog(config.catalog)
    sites: list[SiteFacts] = []
    missing: list[str] = []
    site_findings: list[SiteFinding] = []
    measured: list[tuple[SiteFacts, AuditDocument, list[Finding]]] = []
    unmeasured: list[SitePlace] = []
    found_by_site: dict[str, list[Finding]] = {}
    audit_by_site: dict[str, AuditDocument | None] = {}
    for entry in config.sites:
        site_id, name = site_identity(entry.inventory)
        doc = audits.get(site_id)
        if doc is None:
            missing.append(name)
            unmeasured.append(place(name, _inventory_address(entry.inventory),
                                    main=not sites and len(missing) == 1, measured=False))
            continue
        history, note = None, None
        try:
            if read_history:
                history = site_history(history_db(entry.inventory), site_id, date,
                                       config.report.history_days, thresholds)
        except StoreError as exc:  # one site's unreadable history is noted, not fatal
            note = str(exc)
        facts = site_facts(doc, name, thresholds, history)
        facts.history_error = note
        facts.address = facts.address or _inventory_address(entry.inventory)  # older audits
        sites.append(facts)
        found = findings(doc, thresholds, history)
        found_by_site[name] = found
        audit_by_site[name] = doc
        site_findings += [SiteFinding(site=name, finding=f) for f in found]
        measured.append((facts, doc, found))
    meta = frame_meta(config.report, year, date)
    return AgencyReport(meta=meta, sites=sites, findings=site_findings,
                        proposal=propose(found_by_site, audit_by_site, catalog, thresholds),
                        missing_sites=missing,
                        section=build_section(measured, unmeasured, thresholds))
