from __future__ import annotations

from infraaudit.models import Port, Role
from infraaudit.probes.snmp.role import guess_role
from infraaudit.probes.snmp.system import SystemFacts, vendor_from_oid


def ethernet(n: int) -> list[Port]:
    return [Port(if_index=i, type="ethernetCsmacd") for i in range(1, n + 1)]


def test_access_switch() -> None:
    facts = SystemFacts(sys_descr="DES-3200-28 Fast Ethernet Switch", bridge_ports=28,
                        sys_services=2, vendor="D-Link")
    assert guess_role(facts, ethernet(28))[0] is Role.SWITCH


def test_router_and_server_and_ups() -> None:
    router = SystemFacts(sys_descr="Cisco IOS Software, C1900", ip_forwarding=True,
                         sys_services=78)
    assert guess_role(router, ethernet(3))[0] is Role.ROUTER
    server = SystemFacts(sys_descr="Linux web01 5.10.0", ip_forwarding=False, sys_services=72)
    assert guess_role(server, ethernet(2))[0] is Role.SERVER
    ups = SystemFacts(sys_descr="APC Web/SNMP Management Card", vendor="APC")
    assert guess_role(ups, [])[0] is Role.UPS


def test_ap_from_lldp_capability() -> None:
    ap = SystemFacts(sys_descr="some device", lldp_capabilities=["bridge", "wlanAccessPoint"])
    role, reason = guess_role(ap, ethernet(1))
    assert role is Role.AP and "wlanAccessPoint" in reason


def test_vendor_from_sys_object_id() -> None:
    assert vendor_from_oid("1.3.6.1.4.1.9.1.617") == "Cisco"
    assert vendor_from_oid("1.3.6.1.4.1.999999.1") == "enterprise 999999"
    assert vendor_from_oid("0.0") is None and vendor_from_oid(None) is None


def test_router_named_in_sys_descr_beats_bridge_capability() -> None:
    mx = SystemFacts(sys_descr="Juniper Networks, Inc. mx960 internet router, kernel JUNOS 13.3",
                     ip_forwarding=True, lldp_capabilities=["bridge", "router"], sys_services=6)
    assert guess_role(mx, ethernet(49))[0] is Role.ROUTER


def test_l2_switch_reporting_ip_forwarding_stays_a_switch() -> None:
    des = SystemFacts(sys_descr="DES-3200-26 Fast Ethernet Switch", ip_forwarding=True,
                      bridge_ports=26)
    role, reason = guess_role(des, ethernet(26))
    assert role is Role.SWITCH and "names a switch" in reason


def test_enterprise_numbers_checked_against_iana() -> None:
    """47196 is Aruba (AOS-CX), not Hikvision (39165); every number is listed once."""
    import re
    from importlib import resources

    assert vendor_from_oid("1.3.6.1.4.1.47196.4.1.1.1.1") == "Aruba (HPE)"
    assert vendor_from_oid("1.3.6.1.4.1.39165.1.1") == "Hikvision"
    assert vendor_from_oid("1.3.6.1.4.1.705.1") == "Eaton"
    text = resources.files("infraaudit.probes.snmp").joinpath("data/enterprises.yaml").read_text()
    numbers = re.findall(r"^(\d+):", text, re.MULTILINE)
    assert len(numbers) == len(set(numbers))
