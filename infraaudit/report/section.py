"""The numbers of the "3. Hạ tầng số" section, counted once from the sites' facts and findings.

The section follows the seed report's complaints in their order (worn devices, broken ports and
capacity; cabling; unstable links and Wi-Fi; IPv4 only; devices that could not be audited) and
puts security findings aside for section 5. Each list holds what the findings measured, with the
device named by role, site and model (``DeviceRef``) so the body never needs a hostname or an
address; Phụ lục I lists the same items per site, so every number of the body can be found there.
No wording here: ``report_templates/report.blocks.j2`` writes the sentences.
"""

from __future__ import annotations

from infraaudit.findings import Thresholds, default_thresholds, device_label, medium_of
from infraaudit.models import AuditDocument, Device
from infraaudit.models.finding import Finding
from infraaudit.models.report import (
    AgeItem,
    ConditionItem,
    DeviceRef,
    DeviceRow,
    FullItem,
    Ipv6Row,
    Ipv6Site,
    LinkItem,
    LoadItem,
    MismatchItem,
    NotAudited,
    PortItem,
    Section,
    SecurityItem,
    SiteFacts,
    SitePlace,
    WifiSite,
)
from infraaudit.report.render.blocks import local_time

NETWORK_ROLES = ("router", "firewall", "switch", "ap")
#: Names that SNMP agents report as their maker but that are software, not who made the box:
#: the SNMP agent itself (says nothing of the hardware) and router operating systems.
AGENT_ONLY = ("net-snmp",)
AGENT_SOFTWARE = ("net-snmp", "vyatta", "vyos")
#: Findings about the lifecycle and the ports that section 3 counts itself (the rest of the
#: security category goes to section 5).
FIRMWARE_CODE = "SEC-FIRMWARE-EOS"


def place(name: str, address: str | None, main: bool, measured: bool = True) -> SitePlace:
    """A site named by its address: ``"26 Hùng Vương, phường Nha Trang"`` gives the street
    ``26 Hùng Vương`` and the ward ``phường Nha Trang``."""
    street, ward = None, None
    if address:
        head, _, tail = address.partition(",")
        street, ward = head.strip() or None, tail.strip() or None
    return SitePlace(name=name, main=main, street=street, ward=ward, measured=measured)


def _vendor(device: Device) -> str | None:
    vendor = (device.vendor or "").strip()
    return vendor or None


def _ref(device: Device, site: int) -> DeviceRef:
    model = (device.model or "").strip() or None
    vendor = _vendor(device)
    if vendor and vendor.lower() in AGENT_SOFTWARE:
        vendor = None
    if vendor and model and model.lower().startswith(vendor.lower()):
        vendor = None  # "HUAWEI S5720": the model already names its maker
    return DeviceRef(name=device.name or device.sys_name or "", role=device.role.value,
                     site=site, vendor=vendor, model=model)


class _Site:
    """One site's devices, looked up the way findings name them."""

    def __init__(self, index: int, doc: AuditDocument) -> None:
        self.index, self.doc = index, doc
        self.by_label = {device_label(d): d for d in doc.devices}

    def ref(self, label: str | None) -> DeviceRef | None:
        device = self.by_label.get(label or "")
        return _ref(device, self.index) if device else None


def _measured(f: Finding, *keys: str) -> float | None:
    for e in f.evidence:
        for key in keys:
            value = e.measured.get(key)
            if isinstance(value, int | float) and not isinstance(value, bool):
                return float(value)
    return None


def _port_item(site: _Site, f: Finding, *keys: str) -> PortItem | None:
    ev = f.evidence[0]
    device = site.ref(ev.device or f.subject.split(":", 1)[0])
    if device is None:
        return None
    port = ev.port or f.subject.split(":", 1)[-1]
    return PortItem(device=device, port=port, value=_measured(f, *keys) if keys else None,
                    media=medium_of(f))


def _add_port(into: list[PortItem], item: PortItem | None) -> None:
    """Once per port: a port with errors now and in the nightly checks is one port."""
    if item and not any(i.device == item.device and i.port == item.port for i in into):
        into.append(item)


def _ports(section: Section, site: _Site, found: list[Finding]) -> None:
    for f in found:
        code = f.code
        if code in ("PORT-ERRORS", "HISTORY-PORT-ERRORS"):
            _add_port(section.port_errors, _port_item(site, f, "error_ppm", "error_ppm_max"))
        elif code in ("PORT-FLAP", "HISTORY-PORT-FLAPS"):
            _add_port(section.flapping, _port_item(site, f, "transitions", "flaps"))
        elif code == "PORT-FCS":
            _add_port(section.crc, _port_item(site, f, "fcs_ppm", "fcs_ppm_max"))
        elif code == "PORT-SPEED-DOWNGRADE":
            _add_port(section.downgraded, _port_item(site, f, "speed_mbps"))
        elif code == "PORT-HALF-DUPLEX":
            _add_port(section.half_duplex, _port_item(site, f, "speed_mbps"))
        elif code == "PORT-SATURATED":
            item = _port_item(site, f)
            loads = [v for k in ("in_util_pct", "out_util_pct")
                     if (v := _measured(f, k)) is not None]
            if item and loads:
                section.saturated.append(LoadItem(
                    device=item.device, port=item.port, speed_mbps=_measured(f, "speed_mbps"),
                    util_pct=max(loads),
                    threshold=_measured(f, "threshold") or section.load_threshold))
        elif code == "PORT-CAPACITY":
            device = site.ref(f.evidence[0].device or f.subject)
            free, total = _measured(f, "free"), _measured(f, "total")
            if device and free is not None and total is not None:
                section.full.append(FullItem(device=device, free=int(free), total=int(total)))


def _numbers(measured: list[dict[str, float | int | str | bool | None]], key: str
             ) -> list[float]:
    return [float(v) for m in measured if isinstance(v := m.get(key), int | float)
            and not isinstance(v, bool)] or [0.0]


def _condition(section: Section, site: _Site, found: list[Finding]) -> None:
    """The devices' own state: load, failed hardware, heat, PoE budget, STP churn."""
    into = {"DEVICE-CPU-HIGH": section.cpu_high, "DEVICE-MEMORY-HIGH": section.memory_high,
            "DEVICE-FAN-FAILED": section.fan_failed, "DEVICE-POWER-FAILED": section.power_failed,
            "DEVICE-TEMPERATURE-HIGH": section.too_hot, "POE-BUDGET": section.poe_full,
            "STP-TOPOLOGY-CHANGES": section.stp_churn}
    for f in found:
        items = into.get(f.code)
        device = site.ref(f.evidence[0].device or f.subject) if f.evidence else None
        if items is None or device is None:
            continue
        values = [e.measured for e in f.evidence]
        item = ConditionItem(device=device, count=len(values))
        if f.code in ("DEVICE-CPU-HIGH", "DEVICE-MEMORY-HIGH"):
            item.value = min(_numbers(values, "percent"))  # held at least this high
            item.samples = len(values)
            item.window = next((str(v["window"]) for v in values
                                if v.get("window") not in (None, "instant")), None)
        elif f.code == "DEVICE-TEMPERATURE-HIGH":
            item.value = _measured(f, "value")
            item.threshold = _measured(f, "threshold")
        elif f.code == "POE-BUDGET":
            item.value = max(_numbers(values, "used_pct"))
        elif f.code == "STP-TOPOLOGY-CHANGES":
            item.value = _measured(f, "per_day")
        items.append(item)


def _l2_links(section: Section, site: _Site, found: list[Finding]) -> None:
    """Ports that block with no known bridge behind, links whose ends disagree, ports that
    several endpoints share."""
    for f in found:
        if f.code == "STP-PORT-BLOCKING":
            _add_port(section.stp_blocking, _port_item(site, f))
        elif f.code == "PORT-SHARED-ENDPOINTS":
            _add_port(section.shared, _port_item(site, f, "endpoints"))
        elif f.code in ("LINK-DUPLEX-MISMATCH", "LINK-SPEED-MISMATCH") and len(f.evidence) == 2:
            a, b = (site.ref(e.device) for e in f.evidence)
            if a is not None and b is not None:
                section.mismatched.append(MismatchItem(
                    kind="duplex" if f.code == "LINK-DUPLEX-MISMATCH" else "speed", a=a, b=b))


def _links(section: Section, site: _Site, found: list[Finding]) -> None:
    for f in found:
        ref = site.ref(f.subject)
        if f.code == "LINK-LOSS":
            section.lossy.append(LinkItem(target=f.subject, device=ref, site=site.index,
                                          loss_pct=_measured(f, "loss_pct")))
            section.loss_threshold = _measured(f, "threshold") or section.loss_threshold
        elif f.code == "HISTORY-LINK-LOSS":
            section.lossy.append(LinkItem(
                target=f.subject, device=ref, site=site.index,
                loss_pct=_measured(f, "loss_p50", "loss_pct"), runs=int(_measured(f, "runs") or 1)))
        elif f.code == "LINK-JITTER":
            section.jittery.append(LinkItem(target=f.subject, device=ref, site=site.index,
                                            jitter_ms=_measured(f, "jitter_ms")))
            section.jitter_threshold = _measured(f, "threshold") or section.jitter_threshold


def _ages(section: Section, site: _Site, facts: SiteFacts, plan_until: int) -> None:
    by_label = site.by_label
    for row in facts.ages:
        device = by_label.get(row.device)
        if device is None or row.role not in NETWORK_ROLES:
            continue
        section.aged += 1
        item = AgeItem(device=_ref(device, site.index), since=row.since, age=row.age,
                       life=row.life, ends=row.ends, source=row.source)
        if row.age >= row.life:
            section.past_life.append(item)
        elif row.ends <= plan_until:
            section.ending.append(item)


def _not_audited(section: Section, site: _Site, found: list[Finding]) -> None:
    pings = {p.target: p for p in (site.doc.link.pings if site.doc.link else [])}
    causes = {f.subject: next((str(e.measured["cause"]) for e in f.evidence
                               if e.measured.get("cause")), None)
              for f in found if f.code == "DEVICE-NOT-AUDITED"}
    for d in site.doc.devices:
        if d.reachable:
            continue
        ping = pings.get(d.host)
        answers = None if ping is None or ping.loss_pct is None else ping.received > 0
        section.not_audited.append(NotAudited(device=_ref(d, site.index), answers_ping=answers,
                                              cause=causes.get(device_label(d))))


def _security(section: Section, site: _Site, found: list[Finding]) -> None:
    for f in found:
        if f.category != "security" or f.code == FIRMWARE_CODE:
            continue
        ref = site.ref(f.subject.split(":", 1)[0])
        if ref is None:
            continue
        item = next((s for s in section.security if s.code == f.code), None)
        if item is None:
            item = SecurityItem(code=f.code, title=f.title, devices=[], of=0)
            section.security.append(item)
        if ref not in item.devices:
            item.devices.append(ref)


def _ipv6(section: Section, site: _Site, doc: AuditDocument, phase: int) -> None:
    assert doc.ipv6 is not None
    for d in doc.ipv6.devices:
        ref = site.ref(d.device)
        if ref is not None:
            section.ipv6_devices.append(Ipv6Row(
                device=ref, score=d.score, missing=[r.code for r in d.reasons if not r.met]))
    nxt = next((p for p in (doc.ipv6.site.phases if doc.ipv6.site else []) if not p.met), None)
    section.ipv6.append(Ipv6Site(
        site=site.index, phase=phase, scored=len(doc.ipv6.devices),
        ready=sum(d.score >= 4 for d in doc.ipv6.devices),
        with_address=sum(bool(d.addresses) for d in doc.ipv6.devices),
        missing=[r.code for r in nxt.requirements if not r.met] if nxt else []))


def _inventory(section: Section, index: int, doc: AuditDocument) -> None:
    """Phụ lục I's device list and the counts of audited devices by role and maker."""
    section.devices += len(doc.devices)
    for d in doc.devices:
        vendor = _vendor(d)
        section.inventory.append(DeviceRow(
            device=_ref(d, index), firmware=d.firmware, audited=d.reachable,
            software=vendor if vendor and vendor.lower() in AGENT_SOFTWARE
            and vendor.lower() not in AGENT_ONLY else None))
        if not d.reachable:
            continue
        section.audited += 1
        section.health_read += bool(d.health and (d.health.cpu or d.health.memory))
        section.roles[d.role.value] = section.roles.get(d.role.value, 0) + 1
        if vendor is None or vendor.lower() in AGENT_ONLY:
            section.unknown_vendor += 1
        elif vendor.lower() in AGENT_SOFTWARE:
            section.software[vendor] = section.software.get(vendor, 0) + 1
        else:
            section.vendors[vendor] = section.vendors.get(vendor, 0) + 1


def build_section(sites: list[tuple[SiteFacts, AuditDocument, list[Finding]]],
                  missing: list[SitePlace], thresholds: Thresholds | None = None) -> Section:
    """The section's numbers for the measured sites (in the agency file's order) and the sites
    listed without an audit."""
    t = thresholds or default_thresholds()
    section = Section(jitter_threshold=t.link.jitter_ms, loss_threshold=t.link.loss_pct,
                      load_threshold=t.load.uplink_util_pct,
                      free_threshold=t.capacity.min_free_pct,
                      cpu_threshold=t.condition.cpu_pct, memory_threshold=t.condition.memory_pct,
                      poe_threshold=t.l2.poe_budget_pct,
                      stp_threshold=t.l2.stp_changes_per_day,
                      ipv6_target_phase=t.ipv6.site_min_phase)
    for index, (facts, doc, found) in enumerate(sites):
        site = _Site(index, doc)
        section.sites.append(place(facts.name, facts.address, main=index == 0))
        day = local_time(doc.scan.started_at)["date"]
        if day not in section.dates:
            section.dates.append(day)
        _inventory(section, index, doc)
        for link in facts.links:
            if link.loss_pct is None:
                continue
            section.links += 1
            section.links_clean += link.loss_pct == 0
            if link.rtt_avg_ms is not None:
                section.rtt_max_ms = max(section.rtt_max_ms or 0, link.rtt_avg_ms)
        share = doc.link.endpoints if doc.link else None
        if share is not None:
            section.wired = (section.wired or 0) + share.wired
        free = sum(p.free for p in facts.ports if p.device in site.by_label
                   and site.by_label[p.device].role.value == "switch")
        section.wifi.append(WifiSite(
            site=index, measured=bool(share and share.access_points),
            wifi=share.wifi if share else 0, wired=share.wired if share else 0,
            pct=share.wifi_pct if share else None, threshold=t.wifi.share_pct, free_ports=free))
        if facts.ipv6_phase is not None and doc.ipv6 is not None:
            _ipv6(section, site, doc, facts.ipv6_phase)
        if facts.history:
            h = facts.history
            section.history_runs = max(section.history_runs, h.runs)
            section.history_first = min(filter(None, (section.history_first, h.first)))
            section.history_last = max(filter(None, (section.history_last, h.last)))
        _ages(section, site, facts, t.lifetime.plan_until)
        section.firmware_eos += [r for f in found if f.code == FIRMWARE_CODE
                                 if (r := site.ref(f.subject)) is not None]
        _ports(section, site, found)
        _condition(section, site, found)
        _l2_links(section, site, found)
        _links(section, site, found)
        _not_audited(section, site, found)
        _security(section, site, found)
    for item in section.security:
        item.of = section.audited
    section.sites += missing
    section.past_life.sort(key=lambda a: (a.since, a.device.site, a.device.name))
    return section
