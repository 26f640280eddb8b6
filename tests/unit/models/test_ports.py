"""One classification of ports: pseudo-interfaces are kept but not counted as switch ports."""

from __future__ import annotations

import pytest

from infraaudit.models import Port, is_switch_port, port_kind, port_media
from infraaudit.models.migrate import load_audit
from tests.paths import UNIT_DATA


@pytest.mark.parametrize(("if_type", "name", "kind"), [
    ("ethernetCsmacd", "GigabitEthernet1/0/1", "physical"),
    ("ethernetCsmacd", "eth0", "physical"),
    ("ethernetCsmacd", "vqos3", "virtual"),  # Vyatta's QoS devices
    ("propVirtual", "unrouted VLAN 1002", "vlan"),  # Catalyst 4500
    ("propVirtual", "Vl1", "vlan"),
    ("l3ipvlan", "Vlanif10", "vlan"),
    ("ethernetCsmacd", "rif0(10.2.0.22)", "vlan"),  # D-Link's routing interface
    ("softwareLoopback", "lo", "loopback"),
    ("other", "InLoopBack0", "loopback"),
    ("other", "NULL0", "null"),
    ("tunnel", "gre0", "tunnel"),
    ("propVirtual", "StackPort1", "stack"),
    ("other", "CPU Interface for Unit: 1", "cpu"),
    ("ieee8023adLag", "Po1", "lag"),
    ("ethernetCsmacd", "Eth-Trunk1", "lag"),
    ("propVirtual", "ge-0/0/0.0", "virtual"),
    ("bridge", "br0", "virtual"),
    ("gigabitEthernet", None, "physical"),
])
def test_kind(if_type: str, name: str | None, kind: str) -> None:
    assert port_kind(if_type, name) == kind


def test_only_physical_ethernet_ports_count() -> None:
    ports = [Port(if_index=i, name=n, type=t) for i, (n, t) in enumerate([
        ("mgt", "ethernetCsmacd"), ("eth0", "ethernetCsmacd"), ("vqos0", "ethernetCsmacd"),
        ("lo", "softwareLoopback"), ("unrouted VLAN 5", "propVirtual"), ("Gi1", None)])]
    assert [p.kind for p in ports] == ["physical", "physical", "virtual", "loopback", "vlan",
                                       "physical"]
    assert [p.name for p in ports if is_switch_port(p)] == ["mgt", "eth0"]
    # a port given its kind keeps it
    assert Port(if_index=9, name="vqos0", type="ethernetCsmacd", kind="physical").kind == \
        "physical"


def test_a_v4_audit_gets_its_ports_classified() -> None:
    text = (UNIT_DATA / "sample-agency-v4" / "hung-vuong.json").read_text(encoding="utf-8")
    assert '"schema_version": 4' in text
    doc = load_audit(text)
    router = next(d for d in doc.devices if d.role.value == "router")
    kinds = {p.name: p.kind for p in router.ports}
    assert kinds["eth1"] == "physical" and kinds["vqos0"] == "virtual" and kinds["lo"] == \
        "loopback"
    assert sum(is_switch_port(p) for p in router.ports) == 6


@pytest.mark.parametrize(("descr", "media"), [
    # entPhysicalDescr of port entities as agents send them (the Catalyst 3750G-12S recording:
    # "1000BaseLX SFP", "1000BaseSX SFP", "unsupported"), and PHY names of other vendors
    ("1000BaseLX SFP", "fibre"), ("1000BaseSX SFP", "fibre"), ("10GBASE-SR SFP+", "fibre"),
    ("100BaseFX", "fibre"), ("1000BASE-BX10-D", "fibre"), ("Single-mode fiber", "fibre"),
    ("10/100/1000BaseTX", "twisted-pair"), ("1000BaseT SFP", "twisted-pair"),
    ("10GBase-T", "twisted-pair"), ("RJ45", "twisted-pair"),
    ("unsupported", None), ("Port", None), ("SFP", None), ("GigabitEthernet0/1", None),
    ("ProCurve Fixed Switch port id:30", None), (None, None),
])
def test_the_medium_a_description_names(descr: str | None, media: str | None) -> None:
    assert port_media(descr) == media
