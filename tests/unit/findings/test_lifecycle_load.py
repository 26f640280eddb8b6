"""Service life (installed year, ENTITY-MIB date, Cisco serial) and uplink load between two polls:
the parsers, the rules and the proposal's replacement years."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from infraaudit.findings.lifecycle import cisco_serial_date, service_age
from infraaudit.findings.rules import findings
from infraaudit.findings.rules.lifetime import lifetime_findings
from infraaudit.findings.rules.load import load_findings, uplink_reason
from infraaudit.findings.thresholds import Thresholds, load_thresholds
from infraaudit.models import (
    SCHEMA_VERSION,
    Agency,
    AuditDocument,
    Coverage,
    Device,
    LldpNeighbour,
    Port,
    PortCounters,
    Role,
    ScanMeta,
    ServiceAge,
    Site,
)
from infraaudit.models.link import LinkReport
from infraaudit.models.migrate import load_audit
from infraaudit.probes.link.polls import StatusSample, port_polls, sample_of
from infraaudit.probes.snmp.entity import _date
from infraaudit.proposal.plan import propose
from tests.unit.proposal.test_plan import CATALOG

CISCO = "1.3.6.1.4.1.9.1.516"


@pytest.mark.parametrize(("serial", "made"), [
    ("FOC1408Z61U", (2010, 8)),   # lab/recordings/cisco-c3560 (Catalyst 3560)
    ("FDO1622Y10H", (2012, 22)),  # lab/recordings/cisco-c3750 (Catalyst 3750)
    ("foc1408z61u ", (2010, 8)),
    ("FOC1460Z61U", None),        # week 60 does not exist
    ("AZS142215C3", (2010, 22)),  # the 3560's power supply: same format
    ("3C421900TX", None),         # HPE
    ("", None), (None, None),
])
def test_cisco_serial_date(serial: str | None, made: tuple[int, int] | None) -> None:
    assert cisco_serial_date(serial) == made


def test_entity_mfg_date_parses_date_and_time_and_ignores_zero() -> None:
    assert _date(bytes([0x07, 0xDB, 3, 15, 10, 0, 0, 0])) == "2011-03-15"
    assert _date(bytes([0x07, 0xDB, 3, 15, 10, 0, 0, 0, 0x2B, 7, 0])) == "2011-03-15"
    assert _date(bytes(8)) is None and _date(b"") is None and _date(b"2011") is None
    assert _date(bytes([0x07, 0xDB, 13, 1, 0, 0, 0, 0])) is None  # month 13


def test_service_age_prefers_inventory_then_entity_then_serial() -> None:
    device = Device(host="10.0.0.2", sys_object_id=CISCO, serial="FOC1408Z61U")
    assert service_age(device, 2015) == ServiceAge(year=2015, source="inventory", detail="2015")
    by_serial = service_age(device, None)
    assert by_serial is not None and (by_serial.year, by_serial.source) == (2010, "serial")
    assert by_serial.detail == "FOC1408Z61U (2010-W08)"
    device.in_service = ServiceAge(year=2011, source="entity-mib", detail="2011-03-15")
    assert service_age(device, None) == device.in_service
    other = Device(host="10.0.0.3", sys_object_id="1.3.6.1.4.1.2011.2.23", serial="FOC1408Z61U")
    assert service_age(other, None) is None  # not Cisco: the format means nothing


def _doc(*devices: Device, link: LinkReport | None = None,
         started: str = "2026-11-24T02:00:00+00:00") -> AuditDocument:
    return AuditDocument(
        agency=Agency(code="T", name="Thanh tra"), site=Site(id="s1", name="Trụ sở"),
        scan=ScanMeta(tool_version="t", started_at=started, scanning_host="h",
                      inventory_digest="0", snmp_backend="gufo", complete=True),
        coverage=Coverage(targets=len(devices), reachable=len(devices), fully_probed=0),
        devices=list(devices), link=link)


def _aged(name: str, role: Role, year: int) -> Device:
    return Device(host=f"10.0.0.{year % 200}", name=name, reachable=True, role=role,
                  in_service=ServiceAge(year=year, source="inventory", detail=str(year)))


def test_lifetime_rules_by_role_and_plan_horizon() -> None:
    doc = _doc(_aged("sw-old", Role.SWITCH, 2018),     # 8 years in 2026: past (life 8)
               _aged("sw-new", Role.SWITCH, 2019),     # ends 2027
               _aged("ap1", Role.AP, 2021),            # life 6: ends 2027
               _aged("rt1", Role.ROUTER, 2023),        # ends 2031: after the plan
               Device(host="10.0.0.9", name="unknown", reachable=True, role=Role.SWITCH))
    got = {(f.code, f.subject): f for f in lifetime_findings(doc, findings_thresholds())}
    assert set(got) == {("DEVICE-PAST-LIFETIME", "sw-old"), ("DEVICE-LIFETIME-ENDS", "sw-new"),
                        ("DEVICE-LIFETIME-ENDS", "ap1")}
    past = got[("DEVICE-PAST-LIFETIME", "sw-old")]
    assert past.evidence[0].measured == {"since": 2018, "source": "inventory",
                                         "detail": "2018", "age": 8, "life": 8,
                                         "role": "switch", "year": 2026, "ends": 2026}
    assert "8 năm" in past.explanation and "switch" in past.explanation
    assert "2027" in got[("DEVICE-LIFETIME-ENDS", "ap1")].title


def findings_thresholds() -> Thresholds:
    from infraaudit.findings.thresholds import default_thresholds
    return default_thresholds()


def test_replacements_one_per_device_in_the_year_its_life_ends() -> None:
    old = _aged("sw-old", Role.SWITCH, 2018)
    old.ports = [Port(if_index=i, type="ethernetCsmacd", oper_status="up" if i <= 33 else "down")
                 for i in range(1, 53)]  # 33 in use + 25%: 42 ports, a 48-port switch
    doc = _doc(old, _aged("sw-new", Role.SWITCH, 2019), _aged("ap1", Role.AP, 2023),
               _aged("rt1", Role.ROUTER, 2016))
    found = findings(doc)
    proposal = propose({"Trụ sở": found}, {"Trụ sở": doc}, CATALOG)
    replace = [t for t in proposal.tasks if t.priority == 2]
    by_device = {t.devices[0]: t for t in replace}
    assert len(replace) == len(by_device) == 4  # one per device
    assert (by_device["sw-old"].item, by_device["sw-old"].year) == ("switch-48-poe",
                                                                    CATALOG.plan[2])
    assert (by_device["sw-new"].item, by_device["sw-new"].year) == ("switch-24-poe", 2027)
    assert by_device["rt1"].item == "router-ipv6"
    assert by_device["rt1"].reasons == ["đã quá thời gian sử dụng"]
    assert (by_device["ap1"].item, by_device["ap1"].year) == ("ap-wifi6", 2029)  # 2023 + 6
    assert by_device["ap1"].reasons == ["hết thời gian sử dụng năm 2029"]
    assert "cần 42 cổng" in by_device["sw-old"].basis


def test_ap_and_firmware_reasons_share_one_replacement() -> None:
    ap = _aged("ap1", Role.AP, 2021)  # life 6: ends 2027
    doc = _doc(ap)
    found = findings(doc)
    eos = found[0].model_copy(update={"code": "SEC-FIRMWARE-EOS", "category": "security"})
    proposal = propose({"Trụ sở": [*found, eos]}, {"Trụ sở": doc}, CATALOG)
    (task,) = proposal.tasks
    assert task.item == "ap-wifi6" and task.year == CATALOG.plan[2]  # firmware: not later
    assert task.answers == ["DEVICE-LIFETIME-ENDS ap1", "SEC-FIRMWARE-EOS ap1"]
    assert "phần mềm hệ thống đã hết hỗ trợ của nhà sản xuất" in task.reasons


def _uplink_polls(in_octets: int, hc: bool, interval: float, speed: float = 1000
                  ) -> tuple[Device, list[Port], list[StatusSample]]:
    first = Device(host="10.0.0.2", name="sw", uptime_s=100.0, ports=[Port(
        if_index=1, name="Gi1/0/1", alias="Uplink core", oper_status="up", speed_mbps=speed,
        counters=PortCounters(in_octets=2**32 - 10, out_octets=0, hc=hc))])
    last = [Port(if_index=1, name="Gi1/0/1", oper_status="up", speed_mbps=speed,
                 counters=PortCounters(in_octets=(2**32 - 10 + in_octets) % (2**64 if hc
                                                                              else 2**32),
                                       out_octets=1_000_000, hc=hc))]
    samples = [sample_of(first), StatusSample(uptime_s=100.0 + interval)]
    return first, last, samples


def test_port_polls_load_and_32bit_ambiguity() -> None:
    first, last, samples = _uplink_polls(int(0.9e9 / 8 * 5), hc=True, interval=5)
    (poll,) = port_polls(first, last, samples, 5.0)
    assert poll.in_octets == int(0.9e9 / 8 * 5) and poll.in_util_pct == 90.0
    assert poll.out_util_pct == 0.2 and poll.speed_mbps == 1000
    # 32-bit counters on a gigabit port over 40 s could have wrapped twice: no load claimed
    first, last, samples = _uplink_polls(1000, hc=False, interval=40)
    (poll,) = port_polls(first, last, samples, 40.0)
    assert poll.in_octets == 1000 and poll.in_util_pct is None
    # ... but over 5 s one wrap is the most there can be
    first, last, samples = _uplink_polls(int(0.5e9 / 8 * 5), hc=False, interval=5)
    (poll,) = port_polls(first, last, samples, 5.0)
    assert poll.in_util_pct == 50.0


def test_saturated_uplink_by_alias_or_lldp_and_not_an_edge_port() -> None:
    first, last, samples = _uplink_polls(int(0.85e9 / 8 * 5), hc=True, interval=5)
    (poll,) = port_polls(first, last, samples, 5.0)
    doc = _doc(first, link=LinkReport(ports=[poll]))
    (found,) = load_findings(doc, findings_thresholds())
    assert (found.code, found.subject) == ("PORT-SATURATED", "sw:Gi1/0/1")
    assert found.evidence[0].measured["in_util_pct"] == 85.0
    assert "Uplink core" in found.explanation and "85%" in found.explanation
    first.ports[0].alias = None  # an edge port at 85%: someone downloading, not a finding
    assert load_findings(doc, findings_thresholds()) == []
    first.ports[0].lldp_neighbours = [LldpNeighbour(sys_name="core", capabilities=["bridge"])]
    (found,) = load_findings(doc, findings_thresholds())
    assert "core" in found.explanation
    poll.in_util_pct = 79.9  # below the threshold
    assert load_findings(doc, findings_thresholds()) == []


def test_saturated_uplink_gets_an_upgrade_task() -> None:
    first, last, samples = _uplink_polls(int(0.85e9 / 8 * 5), hc=True, interval=5)
    doc = _doc(first, link=LinkReport(ports=port_polls(first, last, samples, 5.0)))
    proposal = propose({"Trụ sở": findings(doc)}, {"Trụ sở": doc}, CATALOG)
    (task,) = [t for t in proposal.tasks if t.item == "uplink-upgrade"]
    assert task.priority == 4 and task.answers == ["PORT-SATURATED sw:Gi1/0/1"]


def test_a_version_3_audit_reads_without_the_new_fields() -> None:
    doc = _doc(_aged("sw-old", Role.SWITCH, 2018))
    data = json.loads(doc.model_dump_json())
    data["schema_version"] = 3
    del data["devices"][0]["in_service"]
    migrated = load_audit(json.dumps(data))
    assert migrated.schema_version == SCHEMA_VERSION and migrated.devices[0].in_service is None


def test_cleared_counters_are_not_load() -> None:
    """64-bit counters going backwards were cleared: no deltas, counter_reset. A 32-bit one
    cleared reads as a wrap: a load above what the port can carry is refused, not reported."""
    first, last, samples = _uplink_polls(0, hc=True, interval=5)
    last[0].counters.in_octets = 1000  # far below the first read
    (poll,) = port_polls(first, last, samples, 5.0)
    assert poll.counter_reset and poll.in_octets is None and poll.in_util_pct is None
    first, last, samples = _uplink_polls(0, hc=False, interval=5, speed=100)
    last[0].counters.in_octets = 2**31  # "wrapped" by 2 GB in 5 s on a 100 Mb/s port
    (poll,) = port_polls(first, last, samples, 5.0)
    assert poll.in_octets is not None and poll.in_util_pct is None


def test_partial_threshold_file_keeps_the_other_roles(tmp_path: Path) -> None:
    override = tmp_path / "t.yaml"
    override.write_text("lifetime: {years: {switch: 10}}\n", encoding="utf-8")
    t = load_thresholds(override)
    assert t.lifetime.years.switch == 10 and t.lifetime.years.router == 8
    assert t.lifetime.plan_until == 2030 and t.link.loss_pct == 1.0
    doc = _doc(_aged("sw", Role.SWITCH, 2017), _aged("rt", Role.ROUTER, 2017))
    assert {(f.code, f.subject) for f in lifetime_findings(doc, t)} == {
        ("DEVICE-LIFETIME-ENDS", "sw"), ("DEVICE-PAST-LIFETIME", "rt")}


def test_titles_name_the_year_the_life_ends_and_unknown_roles_get_no_task() -> None:
    ap = _aged("ap1", Role.AP, 2023)  # ends 2029; with firmware past support: planned 2027
    odd = _aged("box", Role.OTHER, 2010)  # past its life, but what would replace it?
    doc = _doc(ap, odd)
    found = findings(doc)
    eos = next(f for f in found if f.subject == "ap1").model_copy(
        update={"code": "SEC-FIRMWARE-EOS", "category": "security"})
    proposal = propose({"Trụ sở": [*found, eos]}, {"Trụ sở": doc}, CATALOG)
    (task,) = proposal.tasks
    assert task.year == CATALOG.plan[2] and "hết thời gian sử dụng năm 2029" in task.reasons
    assert ("DEVICE-PAST-LIFETIME", "box") in {(f.code, f.subject) for f in found}


def test_both_ends_of_a_saturated_link_are_one_upgrade() -> None:
    a, last_a, samples = _uplink_polls(int(0.9e9 / 8 * 5), hc=True, interval=5)
    a.sys_name, a.ports[0].alias = "sw", None
    a.ports[0].lldp_neighbours = [LldpNeighbour(sys_name="core", capabilities=["bridge"])]
    b = a.model_copy(deep=True, update={"host": "10.0.0.3", "name": "core", "sys_name": "core"})
    b.ports[0].lldp_neighbours = [LldpNeighbour(sys_name="sw", capabilities=["bridge"])]
    polls = port_polls(a, last_a, samples, 5.0) + port_polls(b, last_a, samples, 5.0)
    doc = _doc(a, b, link=LinkReport(ports=polls))
    found = [f for f in findings(doc) if f.code == "PORT-SATURATED"]
    assert {f.subject for f in found} == {"sw:Gi1/0/1", "core:Gi1/0/1"}
    proposal = propose({"Trụ sở": found}, {"Trụ sở": doc}, CATALOG)
    (task,) = proposal.tasks
    assert task.quantity == 1 and len(task.answers) == 2


def test_uplink_patterns_are_words_not_ranges() -> None:
    port = Port(if_index=1, alias="autoscore printer")
    assert uplink_reason(port, findings_thresholds()) is None
    assert uplink_reason(Port(if_index=1, alias="to-core"), findings_thresholds()) is not None


def test_ages_count_in_vietnam_years() -> None:
    """A scan at 01:00 on 1 January in Vietnam is 18:00 on 31 December UTC: already the new
    year for the ages."""
    doc = _doc(_aged("sw", Role.SWITCH, 2019), started="2026-12-31T18:00:00+00:00")
    (found,) = lifetime_findings(doc, findings_thresholds())
    assert found.evidence[0].measured["year"] == 2027 and found.code == "DEVICE-PAST-LIFETIME"
