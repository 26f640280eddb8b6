"""L2 rules over real recordings and a real audit: spanning-tree churn per day of uptime, a
blocking port no redundant link explains, a PoE budget near its limit, and a duplex or speed
mismatch across an LLDP link whose two ends are audited (one finding per link)."""

from __future__ import annotations

import asyncio
import json
import unicodedata
from functools import cache

from infraaudit.findings.rules import findings
from infraaudit.findings.rules.links import audited_links
from infraaudit.findings.thresholds import default_thresholds
from infraaudit.models import (
    AuditDocument,
    Device,
    Duplex,
    LldpNeighbour,
    PoeGroup,
    PowerOverEthernet,
)
from infraaudit.models.finding import Finding
from infraaudit.models.migrate import load_audit
from infraaudit.probes.snmp.device import assemble, collect
from infraaudit.probes.snmp.replay import ReplayClient
from tests.paths import REPO, UNIT_DATA
from tests.unit.findings.test_rules import _doc

L2_CODES = {"STP-TOPOLOGY-CHANGES", "STP-PORT-BLOCKING", "POE-BUDGET", "LINK-DUPLEX-MISMATCH",
            "LINK-SPEED-MISMATCH"}


def _scanned(path: str, name: str) -> Device:
    client = ReplayClient.from_file(REPO / path)
    return assemble(Device(host=f"10.0.0.{len(name)}", name=name), asyncio.run(collect(client)))


@cache
def _juniper() -> str:
    return _scanned("lab/recordings/juniper-mx960-13-3r9-13.snmprec.bz2", "mx").model_dump_json()


def _l2(doc: AuditDocument) -> list[Finding]:
    return [f for f in findings(doc) if f.code in L2_CODES]


def _links(doc: AuditDocument) -> list[Finding]:
    """The link rules only (the sample site's D-Link switches also fire their STP churn)."""
    return [f for f in _l2(doc) if f.code.startswith("LINK-")]


def test_topology_changes_per_day_of_uptime_on_a_real_switch() -> None:
    dlink = _scanned("tests/replay/device/dlink-des3200/walk.snmprec", "dlink")
    got = _l2(_doc([dlink]))
    assert [(f.code, f.subject) for f in got] == [("STP-TOPOLOGY-CHANGES", "dlink")]
    measured = got[0].evidence[0].measured
    assert measured["top_changes"] == 91 and measured["uptime_s"] == 433218.0
    assert measured["per_day"] == 18.15  # 91 changes in 5.01 days
    assert "18,15 lần mỗi ngày" in got[0].title and "5 ngày" in got[0].explanation
    # the same 91 changes over 50 days are 1.8 a day: below the 10-a-day threshold
    assert dlink.uptime_s is not None
    dlink.uptime_s *= 10
    assert _l2(_doc([dlink])) == []


def test_a_few_changes_are_not_judged_whatever_the_rate() -> None:
    dlink = _scanned("tests/replay/device/dlink-des3200/walk.snmprec", "dlink")
    assert dlink.stp is not None
    dlink.stp = dlink.stp.model_copy(update={"top_changes": 19})
    dlink.uptime_s = 3600.0  # 456 a day, but fewer changes than stp_min_changes
    assert _l2(_doc([dlink])) == []


def test_blocking_ports_that_are_down_are_not_findings() -> None:
    mx = Device.model_validate_json(_juniper())
    assert mx.stp is not None
    blocking = [i for i, s in mx.stp.port_states.items() if s == "blocking"]
    # 16 STP rows, 12 blocking: 7 of those map to a port (all down); 7 rows map to ifIndex 0
    # or to none and are counted
    assert len(blocking) == 7 and mx.stp.unmapped_ports == 7
    assert {p.oper_status for p in mx.ports if p.if_index in blocking} == {"down"}
    assert _l2(_doc([mx])) == []


def test_a_blocking_access_port_without_neighbour_fires_a_redundant_uplink_does_not() -> None:
    mx = Device.model_validate_json(_juniper())
    assert mx.stp is not None
    access, uplink = sorted(i for i, s in mx.stp.port_states.items() if s == "blocking")[:2]
    for port in mx.ports:
        if port.if_index in (access, uplink):
            port.oper_status = "up"
        if port.if_index == uplink:
            port.lldp_neighbours = [LldpNeighbour(sys_name="core", port_id="xe-0/0/1",
                                                  capabilities=["bridge"])]
    got = _l2(_doc([mx]))
    name = next(p.name for p in mx.ports if p.if_index == access)
    assert [(f.code, f.subject) for f in got] == [("STP-PORT-BLOCKING", f"mx:{name}")]
    assert got[0].evidence[0].measured["lldp_neighbours"] == 0
    # LLDP was not read: a port without neighbours proves nothing
    mx.probes = [p for p in mx.probes if p.probe != "lldp"]
    assert _l2(_doc([mx])) == []


def _hung_vuong() -> AuditDocument:
    return load_audit((UNIT_DATA / "sample-agency" / "hung-vuong.json").read_text("utf-8"))


def _port(doc: AuditDocument, device: str, port: str):  # type: ignore[no-untyped-def]
    d = next(d for d in doc.devices if d.sys_name == device)
    return next(p for p in d.ports if p.name == port)


def test_the_real_audit_links_are_matched_and_raise_nothing() -> None:
    doc = _hung_vuong()
    pairs = {(link.a.device.sys_name, link.b.device.sys_name) for link in audited_links(doc)}
    assert ("sw-core-hungvuong", "sw-tang1-hungvuong") in pairs and len(pairs) == 5
    # ap-hungvuong-2 says 1000 Mb/s, its switch port 100: an AP's own figure is not judged;
    # the only findings are the two D-Link floor switches' recorded STP churn (91 changes in
    # 5.01 days of uptime)
    assert sorted((f.code, f.subject) for f in _l2(doc)) == [
        ("STP-TOPOLOGY-CHANGES", "sw-tang1-hungvuong"),
        ("STP-TOPOLOGY-CHANGES", "sw-tang2-hungvuong")]


def test_a_duplex_mismatch_across_a_link_fires_once_not_per_end() -> None:
    doc = _hung_vuong()
    _port(doc, "sw-tang1-hungvuong", "25").duplex = Duplex.HALF
    got = _links(doc)
    assert [(f.code, f.subject) for f in got] == [
        ("LINK-DUPLEX-MISMATCH", "sw-core-hungvuong:Gi1/0/2–sw-tang1-hungvuong:25")]
    assert {(e.device, e.measured["duplex"]) for e in got[0].evidence} == {
        ("sw-core-hungvuong", "full"), ("sw-tang1-hungvuong", "half")}
    assert "bán song công" in got[0].explanation and "half" not in got[0].explanation
    # the half-duplex end is also its own port finding, as before
    assert ("PORT-HALF-DUPLEX", "sw-tang1-hungvuong:25") in {
        (f.code, f.subject) for f in findings(doc)}


def test_a_speed_mismatch_between_two_switches_fires_once() -> None:
    doc = _hung_vuong()
    _port(doc, "sw-tang2-hungvuong", "25").speed_mbps = 100.0
    got = _links(doc)
    assert [(f.code, f.subject) for f in got] == [
        ("LINK-SPEED-MISMATCH", "sw-core-hungvuong:Gi1/0/3–sw-tang2-hungvuong:25")]
    assert "1000 Mb/s" in got[0].explanation and "100 Mb/s" in got[0].explanation


def test_poe_budget_near_its_limit() -> None:
    dlink = _scanned("tests/replay/device/dlink-des3200/walk.snmprec", "dlink")
    dlink.stp = None
    dlink.poe = PowerOverEthernet(groups=[PoeGroup(group=1, budget_w=370, used_w=340,
                                                   status="on", usage_threshold_pct=80)],
                                  ports=24, ports_powered=17)
    got = _l2(_doc([dlink]))
    assert [(f.code, f.subject) for f in got] == [("POE-BUDGET", "dlink")]
    assert got[0].evidence[0].measured["used_pct"] == 91.9
    assert "340 W" in got[0].explanation and "17 cổng" in got[0].explanation
    assert default_thresholds().l2.poe_budget_pct == 90.0
    dlink.poe.groups[0].used_w = 330  # 89.2 %
    assert _l2(_doc([dlink])) == []


def test_l2_wording_is_nfc_and_names_no_mib() -> None:
    text = (REPO / "infraaudit" / "report_templates" / "findings.yaml").read_text("utf-8")
    assert unicodedata.normalize("NFC", text) == text
    doc = _hung_vuong()
    _port(doc, "sw-tang1-hungvuong", "25").duplex = Duplex.HALF
    for f in _l2(doc):
        prose = f.title + f.explanation + f.recommendation
        assert "MIB" not in prose and "dot1" not in prose
        json.dumps(f.model_dump())
