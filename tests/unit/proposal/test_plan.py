"""The 2026–2030 proposal: tasks from findings, quantities from measured counts, totals that
add up, every task citing the findings it answers; the agency report builder."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path

import pytest

from infraaudit.errors import InventoryError
from infraaudit.findings import make
from infraaudit.findings.wording import media_by_subject
from infraaudit.models import Agency, AuditDocument, Coverage, Device, Port, Role, ScanMeta, Site
from infraaudit.models.finding import Evidence, Finding
from infraaudit.proposal.plan import load_catalog, propose
from infraaudit.report.agency import AgencyConfig, build_report
from tests.paths import REPO

ROOT = REPO
CATALOG = load_catalog(ROOT / "inventories" / "catalog.yaml")


def _f(code: str, subject: str, **measured: object) -> Finding:
    device, _, port = subject.partition(":")
    values = {"device": device, "port": port, "interval_s": 5,
              "samples": 2, "transitions": 3, "speed_mbps": 100, "reason": "x", "fcs_errors": 9,
              "packets": 9, "fcs_ppm": 9, "threshold": 1, "wifi": 0, "wired": 0, "wifi_pct": 0,
              "total": 0, "used": 0, "free": 0, "free_pct": 0, "host": "h", "error": "e",
              "phase": 0, "missing": "", "programme": "p", "score": 1, "device_class": "router",
              "what": "w",
              "reasons": "", **measured}
    return make(code, subject, values, [Evidence(source="test", measured=dict(measured))])


def _security(code: str, subject: str, severity: str) -> Finding:
    return Finding(code=code, category="security", severity=severity, subject=subject,  # type: ignore[arg-type]
                   title="t", explanation="e", recommendation="r",
                   evidence=[Evidence(source="ssh:show running-config")])


def test_tasks_quantities_and_totals() -> None:
    site_a = [_f("PORT-FCS", "sw1:Gi1/0/12"), _f("PORT-HALF-DUPLEX", "sw1:Gi1/0/9"),
              _f("PORT-SPEED-DOWNGRADE", "sw1:Gi1/0/9"),  # same port: one cable run
              _f("DEVICE-NO-ANSWER", "sw9"), _security("SEC-TELNET", "sw1", "high"),
              _security("SEC-NO-NTP", "sw1", "low"),
              _f("IPV6-PHASE", "Trụ sở A"),
              _f("IPV6-DEVICE-NOT-READY", "rt1", device_class="router"),
              _f("IPV6-DEVICE-NOT-READY", "sw1", device_class="switch"),
              _f("PORT-CAPACITY", "sw1"), _f("WIFI-DEPENDENCE", "Trụ sở A", wifi=30)]
    site_b = [_f("PORT-FLAP", "acc:p3")]
    proposal = propose({"Trụ sở A": site_a, "Trụ sở B": site_b}, {}, CATALOG)
    by = {(t.site, t.item, t.title.split()[0]): t for t in proposal.tasks}
    recable = next(t for t in proposal.tasks if t.site == "Trụ sở A" and t.priority == 1
                   and t.item == "cable-cat6-run")
    assert recable.quantity == 2 and recable.year == 2026
    service = next(t for t in proposal.tasks if t.kind == "device-service")
    assert (service.quantity, service.answers) == (1, ["SEC-TELNET sw1"])  # not the low one
    audit = next(t for t in proposal.tasks if t.kind == "audit-device")  # checked, not repaired
    assert (audit.quantity, audit.answers, audit.group) == (1, ["DEVICE-NO-ANSWER sw9"], "audit")
    # nothing says rt1 cannot run IPv6: it is configured by the site's IPv6 task, not replaced
    assert not any(t.item == "router-ipv6" for t in proposal.tasks)
    ipv6 = next(t for t in proposal.tasks if t.kind == "ipv6-service")
    assert ipv6.devices == ["rt1", "sw1"] and "IPV6-PHASE Trụ sở A" in ipv6.answers
    wire = next(t for t in proposal.tasks if t.priority == 4 and t.item == "cable-cat6-run")
    assert wire.quantity == 30
    switches = [t for t in proposal.tasks if t.priority == 4 and t.item == "switch-24-poe"]
    assert sorted(t.quantity for t in switches) == [1, 2]  # capacity: 1; 30 new runs: 2
    assert any(t.site == "Trụ sở B" and t.item == "cable-cat6-run" for t in proposal.tasks)
    assert by  # every key is unique enough to look up
    # totals recomputed independently
    year: dict[int, int] = defaultdict(int)
    site: dict[str, int] = defaultdict(int)
    for t in proposal.tasks:
        assert t.cost_vnd == t.quantity * CATALOG.items[t.item].unit_price_vnd
        assert t.answers and t.basis
        year[t.year] += t.cost_vnd
        site[t.site] += t.cost_vnd
    assert proposal.totals_by_year == dict(year) and proposal.totals_by_site == dict(site)
    assert proposal.total_vnd == sum(year.values())
    assert len({t.id for t in proposal.tasks}) == len(proposal.tasks)
    assert {p.item for p in proposal.prices} == {t.item for t in proposal.tasks}
    assert all(p.source and p.date for p in proposal.prices)


def test_no_findings_no_tasks() -> None:
    proposal = propose({"Trụ sở A": []}, {}, CATALOG)
    assert proposal.tasks == [] and proposal.total_vnd == 0


def test_catalog_prices_need_a_source(tmp_path: Path) -> None:
    text = (ROOT / "inventories" / "catalog.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "catalog.yaml"
    bad.write_text(text.replace('    source: "', '    source_missing: "', 1),
                   encoding="utf-8")
    with pytest.raises(InventoryError, match="source"):
        load_catalog(bad)


def _audit(site_id: str, *devices: Device) -> AuditDocument:
    return AuditDocument(
        agency=Agency(code="T", name="Thanh tra"), site=Site(id=site_id, name=site_id),
        scan=ScanMeta(tool_version="t", started_at="2025-11-20T02:00:00+00:00",
                      scanning_host="h", inventory_digest="0", snmp_backend="gufo",
                      complete=True),
        coverage=Coverage(targets=len(devices), reachable=0, fully_probed=0),
        devices=list(devices))


def test_a_fibre_ports_fault_takes_optics_and_patch_cords_not_a_cat6_run() -> None:
    """The port's medium (``Port.media``, which the port rules put in their findings'
    evidence) decides: errors on the SFP uplink are mended with a module and a patch cord; on
    the copper port (and one of unknown medium) with a cable run; the SFP port said to run half
    duplex (no 1 Gb/s optic does) is checked on the device in a service visit."""
    switch = Device(host="10.0.0.2", name="sw1", reachable=True, role=Role.SWITCH, ports=[
        Port(if_index=1, name="Gi1/0/1", type="ethernetCsmacd", media="twisted-pair"),
        Port(if_index=2, name="Gi1/0/2", type="ethernetCsmacd"),
        Port(if_index=6, name="Gi1/0/6", descr="GigabitEthernet1/0/6", type="ethernetCsmacd",
             media="fibre")])
    media = media_by_subject([switch])
    faults = [("PORT-FCS", "sw1:Gi1/0/1"), ("PORT-FLAP", "sw1:Gi1/0/2"),
              ("PORT-FCS", "sw1:Gi1/0/6"), ("PORT-HALF-DUPLEX", "sw1:Gi1/0/6")]
    found = [_f(code, subject, **({"media": media[subject]} if subject in media else {}))
             for code, subject in faults]
    proposal = propose({"A": found}, {"A": _audit("a", switch)}, CATALOG)
    by_kind = {t.kind: t for t in proposal.tasks}
    assert (by_kind["recable"].item, by_kind["recable"].quantity) == ("cable-cat6-run", 2)
    optics = by_kind["repair-optics"]
    assert (optics.item, optics.quantity, optics.group) == ("fibre-optics-set", 1, "repair")
    assert optics.answers == ["PORT-FCS sw1:Gi1/0/6"]
    assert optics.cost_vnd == CATALOG.items["fibre-optics-set"].unit_price_vnd
    assert "module quang" in optics.title and "01 cổng quang" in optics.basis
    service = by_kind["device-service"]
    assert service.answers == ["PORT-HALF-DUPLEX sw1:Gi1/0/6"] and service.devices == ["sw1"]
    assert "cổng quang báo chế độ bán song công" in service.basis
    # findings that name no medium (a v6 audit, a port the device did not describe): a cable
    # run each, as before
    unknown = propose({"A": [_f(code, subject) for code, subject in faults]}, {}, CATALOG)
    assert [t.quantity for t in unknown.tasks if t.kind == "recable"] == [3]
    assert not [t for t in unknown.tasks if t.kind == "repair-optics"]


def test_build_report_names_a_site_without_audit(tmp_path: Path) -> None:
    for sid in ("a", "b"):
        (tmp_path / f"{sid}.yaml").write_text(f"site: {{id: {sid}, name: Trụ sở {sid}}}\n",
                                              encoding="utf-8")
    config = AgencyConfig.model_validate({
        "agency": {"code": "T", "name": "Thanh tra"},
        "report": {"parent_org": "UBND", "agency_name": "THANH TRA", "place": "Khánh Hòa"},
        "catalog": str(ROOT / "inventories" / "catalog.yaml"), "audits": str(tmp_path),
        "sites": [{"inventory": str(tmp_path / f"{sid}.yaml")} for sid in ("a", "b")]})
    switch = Device(host="10.0.0.2", name="sw1", reachable=True, role=Role.SWITCH, ports=[
        Port(if_index=i, name=f"Gi0/{i}", type="ethernetCsmacd",
             oper_status="up", speed_mbps=100.0 if i == 1 else 1000.0) for i in range(1, 9)])
    report = build_report(config, 2025, dt.date(2025, 12, 15), audits={"a": _audit("a", switch)},
                          catalog=CATALOG)
    assert report.missing_sites == ["Trụ sở b"]
    (facts,) = report.sites
    assert (facts.devices, facts.devices_answered, facts.ports[0].up) == (1, 1, 8)
    codes = {(f.finding.code, f.finding.subject) for f in report.findings}
    assert ("PORT-SPEED-DOWNGRADE", "sw1:Gi0/1") in codes
    assert ("PORT-CAPACITY", "sw1") in codes  # 8 of 8 ports in use
    assert all(f.finding.evidence for f in report.findings)
    answered = {a for t in report.proposal.tasks for a in t.answers}
    assert answered <= {f"{c} {s}" for c, s in codes}
    assert "hạ tầng số năm 2025" in report.meta.title
