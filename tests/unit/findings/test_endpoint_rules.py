"""PORT-SHARED-ENDPOINTS over a placed office: the desk switch's port and no other."""

from __future__ import annotations

import unicodedata

from infraaudit.findings.rules import findings
from infraaudit.findings.thresholds import default_thresholds
from infraaudit.models import Agency, AuditDocument, Coverage, Device, ScanMeta, Site
from infraaudit.probes.link import place_endpoints
from tests.unit.probes.link.test_placement import DESK, office


def _doc(devices: list[Device]) -> AuditDocument:
    return AuditDocument(
        agency=Agency(code="T", name="Thanh tra"), site=Site(id="s1", name="Trụ sở"),
        scan=ScanMeta(tool_version="t", started_at="2026-12-03T00:00:00+00:00",
                      scanning_host="h", inventory_digest="0", snmp_backend="gufo",
                      complete=True),
        coverage=Coverage(targets=0, reachable=0, fully_probed=0),
        devices=devices, endpoints=place_endpoints(devices))


def test_fires_on_the_desk_switch_port_only_with_its_macs_and_vendors() -> None:
    got = [f for f in findings(_doc(office())) if f.code == "PORT-SHARED-ENDPOINTS"]
    (finding,) = got
    assert finding.subject == "acc1:gi4" and finding.category == "cabling"
    macs = [e.measured["mac"] for e in finding.evidence[1:]]
    assert macs == DESK
    assert {e.measured["vendor"] for e in finding.evidence[1:]} == {"Hewlett Packard"}
    assert finding.evidence[1].measured["ip"] == "10.0.0.30"
    assert "ghi nhận 3 thiết bị đầu cuối (ngưỡng 3)" in finding.explanation
    assert "Hewlett Packard" in finding.explanation
    assert unicodedata.is_normalized("NFC", finding.explanation + finding.title)


def test_quiet_below_the_threshold_and_without_placement() -> None:
    t = default_thresholds().overridden({"cabling": {"shared_port_endpoints": 4}})
    assert not [f for f in findings(_doc(office()), t) if f.code == "PORT-SHARED-ENDPOINTS"]
    devices = office()
    devices[2].ports[3].macs = DESK[:2]  # two PCs on one port: below 3
    assert not [f for f in findings(_doc(devices)) if f.code == "PORT-SHARED-ENDPOINTS"]
    doc = _doc(office())
    doc.endpoints = None  # an audit of schema 4
    assert not [f for f in findings(doc) if f.code == "PORT-SHARED-ENDPOINTS"]

