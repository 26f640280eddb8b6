"""The plan a reviewer reads: one replacement per device, sized by role and ports in use, IPv6
replacements only for models that cannot run it, no uplink upgrade on a replaced switch, every
year of 2026 – 2030 — on hand-built audits and on the sample agency's real ones."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from infraaudit.errors import InventoryError
from infraaudit.findings import findings
from infraaudit.models import Device, LldpNeighbour, Port, Role
from infraaudit.models.finding import Evidence
from infraaudit.models.readiness import DeviceIpv6, Ipv6Report, Reason
from infraaudit.proposal.plan import load_catalog, propose
from infraaudit.report.render import render_markdown
from tests.paths import REPO
from tests.report_sample import sample_report
from tests.unit.findings.test_lifecycle_load import _aged, _doc

CATALOG = load_catalog(REPO / "inventories" / "catalog.yaml")


def _ports(total: int, up: int) -> list[Port]:
    return [Port(if_index=i, name=f"Gi0/{i}", type="ethernetCsmacd",
                 oper_status="up" if i <= up else "down", speed_mbps=1000.0)
            for i in range(1, total + 1)]


def test_the_sample_agency_plan_names_each_device_once_and_every_year() -> None:
    report = sample_report()
    plan = report.proposal
    replaced = Counter(d for t in plan.tasks if t.group == "replace" for d in t.devices)
    assert replaced and max(replaced.values()) == 1, replaced
    for task in plan.tasks:  # a replaced device gets no uplink upgrade or added switch
        if task.kind in ("uplink-upgrade", "add-switch"):
            assert not set(task.devices) & set(replaced), task
    assert plan.years == [2026, 2027, 2028, 2029, 2030]
    per_device = Counter(d for t in plan.tasks if t.group in ("audit", "repair")
                         and t.kind not in ("recable", "repair-optics") for d in t.devices)
    assert max(per_device.values()) == 1, per_device  # checked or repaired, not both
    md = render_markdown(report)
    assert "| Năm thực hiện | 2026 | 2027 | 2028 | 2029 | 2030 | Tổng cộng |" in md
    # the 12-port SFP core switch (7 ports in use) is replaced by the small core switch, not a
    # 24-port PoE access one nor the 24-port core
    core = next(t for t in plan.tasks if t.devices == ["sw-core-hungvuong"])
    assert core.item == "switch-core-12" and core.kind == "replace-core"
    assert all(t.kind != "device-service" or "DEVICE-NO-ANSWER" not in " ".join(t.answers)
               for t in plan.tasks)  # a device not audited is checked, never repaired
    assert plan.draft and "DỰ THẢO" in md.split("# BÁO CÁO")[0]
    assert "đã bao gồm thuế giá trị gia tăng" in md


def test_access_switches_are_sized_by_ports_in_use_plus_the_margin() -> None:
    small, big, huge = (_aged(n, Role.SWITCH, 2015) for n in ("sw-a", "sw-b", "sw-c"))
    small.ports, big.ports, huge.ports = _ports(33, 10), _ports(24, 20), _ports(96, 60)
    doc = _doc(small, big, huge)
    plan = propose({"Trụ sở": findings(doc)}, {"Trụ sở": doc}, CATALOG)
    got = {t.devices[0]: (t.item, t.quantity) for t in plan.tasks if t.group == "replace"}
    # 10 in use -> 13 ports: 24; 20 -> 25: 48; 60 -> 75: two 48-port switches
    assert got == {"sw-a": ("switch-24-poe", 1), "sw-b": ("switch-48-poe", 1),
                   "sw-c": ("switch-48-poe", 2)}


def test_a_switch_joined_to_three_of_the_sites_switches_is_a_core_switch(
        tmp_path: Path) -> None:
    hub = _aged("sw-hub", Role.SWITCH, 2015)
    hub.sys_name = "sw-hub"
    hub.ports = _ports(12, 4)
    others = []
    for i, name in enumerate(("sw-1", "sw-2", "rt-1"), start=1):
        hub.ports[i].lldp_neighbours = [LldpNeighbour(sys_name=name, capabilities=["bridge"])]
        others.append(Device(host=f"10.0.1.{i}", name=name, sys_name=name, reachable=True,
                             role=Role.ROUTER if name.startswith("rt") else Role.SWITCH))
    doc = _doc(hub, *others)
    plan = propose({"Trụ sở": findings(doc)}, {"Trụ sở": doc}, CATALOG)
    (task,) = [t for t in plan.tasks if t.group == "replace"]
    assert (task.kind, task.item) == ("replace-core", "switch-core-12")  # 4 ports in use
    hub.ports = _ports(24, 18)  # 18 in use, 23 with the margin: the 24-port core
    for i, name in enumerate(("sw-1", "sw-2", "rt-1"), start=1):
        hub.ports[i].lldp_neighbours = [LldpNeighbour(sys_name=name, capabilities=["bridge"])]
    plan = propose({"Trụ sở": findings(doc)}, {"Trụ sở": doc}, CATALOG)
    (task,) = [t for t in plan.tasks if t.group == "replace"]
    assert (task.kind, task.item) == ("replace-core", "switch-core-10g")
    # a catalog whose one core switch names no port count: that one, whatever the ports
    text = (REPO / "inventories" / "catalog.yaml").read_text(encoding="utf-8")
    start = text.index("  switch-core-12:")
    text = text[:start] + text[text.index("  switch-core-10g:"):]
    text = text.replace("    replaces: core-switch\n    ports: 24\n", "    replaces: core-switch\n")
    path = tmp_path / "catalog.yaml"
    path.write_text(text, encoding="utf-8")
    plan = propose({"Trụ sở": findings(doc)}, {"Trụ sở": doc}, load_catalog(path))
    (task,) = [t for t in plan.tasks if t.group == "replace"]
    assert (task.kind, task.item) == ("replace-core", "switch-core-10g")
    hub.ports[3].lldp_neighbours = []  # two neighbours: an access switch in a chain
    plan = propose({"Trụ sở": findings(doc)}, {"Trụ sở": doc}, CATALOG)
    (task,) = [t for t in plan.tasks if t.group == "replace"]
    assert task.kind == "replace-switch"


def _readiness(device: str, stack: bool, catalog: str | None) -> DeviceIpv6:
    return DeviceIpv6(device=device, host="10.0.0.1", device_class="router", score=1,
                      reasons=[Reason(code="ipv6-stack", met=stack)], catalog=catalog)


@pytest.mark.parametrize(("catalog", "replaced"), [
    ("«RB750»: datasheet, no IPv6", True),  # the catalog knows the model and vouches for none
    (None, False),  # nothing known: only not configured
])
def test_a_router_is_replaced_for_ipv6_only_when_the_catalog_says_it_cannot(
        catalog: str | None, replaced: bool) -> None:
    router = Device(host="10.0.0.1", name="rt", reachable=True, role=Role.ROUTER,
                    ports=_ports(4, 2))
    doc = _doc(router)
    doc.ipv6 = Ipv6Report(devices=[_readiness("rt", False, catalog)])
    plan = propose({"Trụ sở": findings(doc)}, {"Trụ sở": doc}, CATALOG)
    kinds = {t.kind: t for t in plan.tasks}
    assert ("replace-router" in kinds) is replaced
    if replaced:
        task = kinds["replace-router"]
        assert task.year == CATALOG.plan[3] and task.reasons == [
            "không hỗ trợ IPv6 (theo danh mục năng lực IPv6)"]
        assert "ipv6-service" not in kinds or "rt" not in kinds["ipv6-service"].devices
    else:
        assert kinds["ipv6-service"].devices == ["rt"]


def test_a_saturated_uplink_of_a_replaced_switch_is_a_reason_not_a_task() -> None:
    sw = _aged("sw", Role.SWITCH, 2015)  # past its life: replaced in 2027
    sw.ports = _ports(24, 10)
    found = findings(_doc(sw))
    saturated = found[0].model_copy(update={"code": "PORT-SATURATED", "subject": "sw:Gi0/1",
                                            "evidence": [Evidence(source="snmp:ifXTable")]})
    doc = _doc(sw)
    plan = propose({"Trụ sở": [*found, saturated]}, {"Trụ sở": doc}, CATALOG)
    assert not any(t.kind == "uplink-upgrade" for t in plan.tasks)
    (task,) = [t for t in plan.tasks if t.group == "replace"]
    assert "PORT-SATURATED sw:Gi0/1" in task.answers
    assert "đường kết nối lên (uplink) gần bão hòa" in task.reasons and "ports" in task.evidence
    # a switch replaced only after the capacity year keeps its uplink task
    late = _aged("sw", Role.SWITCH, 2022)  # ends 2030
    late.ports = _ports(24, 10)
    found = findings(_doc(late))
    plan = propose({"Trụ sở": [*found, saturated]}, {"Trụ sở": _doc(late)}, CATALOG)
    assert any(t.kind == "uplink-upgrade" for t in plan.tasks)


def test_a_catalog_without_a_core_switch_is_refused(tmp_path: Path) -> None:
    text = (REPO / "inventories" / "catalog.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "catalog.yaml"
    bad.write_text(text.replace("replaces: core-switch", "replaces: access-switch"),
                   encoding="utf-8")  # the core switches keep their port counts
    with pytest.raises(InventoryError, match="replaces: core-switch"):
        load_catalog(bad)


def test_a_device_not_audited_and_unavailable_at_night_is_checked_once() -> None:
    from tests.unit.proposal.test_plan import _f
    night = {"runs": 6, "answered": 2, "availability_pct": 33.3, "days": 90}
    found = [_f("DEVICE-NO-ANSWER", "modem"), _f("HISTORY-AVAILABILITY", "modem", **night),
             _f("HISTORY-AVAILABILITY", "sw2", **night)]
    plan = propose({"Trụ sở": found}, {}, CATALOG)
    assert {(t.kind, tuple(t.devices)) for t in plan.tasks} == {
        ("audit-device", ("modem",)), ("device-service", ("sw2",))}


def test_a_device_not_audited_is_replaced_when_its_kind_needs_no_measuring() -> None:
    """Aged by the asset register and of a kind set in the inventory: an access point or a
    router is replaced like any other (its item needs no ports); a switch is not, its size is
    unknown: the plan has it checked first."""
    ap, router, switch = (_aged(n, r, 2015) for n, r in (
        ("ap-x", Role.AP), ("rt-x", Role.ROUTER), ("sw-x", Role.SWITCH)))
    for device in (ap, router, switch):
        device.reachable = False
    doc = _doc(ap, router, switch)
    plan = propose({"Trụ sở": findings(doc)}, {"Trụ sở": doc}, CATALOG)
    replaced = {d: t.kind for t in plan.tasks if t.group == "replace" for d in t.devices}
    assert replaced == {"ap-x": "replace-ap", "rt-x": "replace-router"}
