"""Placing endpoints: ARP/ND rows joined with the switches' FDBs over small audits.

The office below (no test depends on anything else)::

    rtr (ARP, Vlan10) ─ core gi1 ─ gi0/1 acc1 gi2: pc1, gi3: pc2, gi4: desk switch (3 PCs)
                                  core gi2 ─ p1 ap (radio p2: phone)
                                  core gi3: printer (scanned over SNMP, role printer)
"""

from __future__ import annotations

from infraaudit.models import AddressFamily, Device, LldpNeighbour, Neighbour, Port, Role
from infraaudit.models.discovery import DiscoveredHost, Discovery
from infraaudit.models.endpoints import EndpointPlace
from infraaudit.probes.link import place_endpoints, vendor

RTR_MAC, CORE_MAC, ACC_MAC, AP_MAC = ("02:00:00:00:00:01", "02:00:00:00:00:02",
                                      "02:00:00:00:00:03", "02:00:00:00:00:05")
PC1, PC2 = "00:1b:21:00:00:01", "00:1b:21:00:00:02"  # Intel OUI
DESK = ["3c:52:82:00:00:0a", "3c:52:82:00:00:0b", "3c:52:82:00:00:0c"]  # HP
PHONE = "da:a1:19:00:00:99"  # locally administered (random Wi-Fi MAC)
PRINTER = "00:00:48:00:00:07"  # Seiko Epson


def _lldp(name: str, *caps: str) -> list[LldpNeighbour]:
    return [LldpNeighbour(sys_name=name, capabilities=list(caps))]


def _port(i: int, name: str, macs: list[str], mac: str | None = None,
          lldp: list[LldpNeighbour] | None = None, up: bool = True) -> Port:
    return Port(if_index=i, name=name, type="ethernetCsmacd", oper_status="up" if up else "down",
                mac=mac, macs=macs, mac_count=len(macs), lldp_neighbours=lldp or [])


def _row(ip: str, mac: str, if_index: int = 10) -> Neighbour:
    return Neighbour(ip=ip, mac=mac, family=AddressFamily.IPV4, if_index=if_index,
                     source="IP-MIB ipNetToPhysicalTable")


def office(lldp: bool = True) -> list[Device]:
    behind_acc1 = [PC1, PC2, *DESK]
    rtr = Device(host="10.0.0.1", name="rtr", role=Role.ROUTER, reachable=True, ports=[
        Port(if_index=10, name="Vlan10", type="l3ipvlan", mac=RTR_MAC)],
        neighbours=[_row("10.0.0.2", CORE_MAC), _row("10.0.0.3", ACC_MAC),
                    _row("10.0.0.21", PC1), _row("10.0.0.22", PC2),
                    *(_row(f"10.0.0.{30 + i}", m) for i, m in enumerate(DESK)),
                    _row("10.0.0.40", PRINTER), _row("10.0.0.50", "00:1b:21:00:00:50")])
    core = Device(host="10.0.0.2", name="core", role=Role.SWITCH, reachable=True, ports=[
        _port(1, "gi1", [*behind_acc1, RTR_MAC], CORE_MAC,
              _lldp("acc1", "bridge") if lldp else None),
        _port(2, "gi2", [PHONE, AP_MAC], "02:00:00:00:01:02",
              _lldp("ap", "bridge", "wlanAccessPoint") if lldp else None),
        _port(3, "gi3", [PRINTER], "02:00:00:00:01:03"),
        _port(4, "gi4", [], "02:00:00:00:01:04", up=False),
        _port(5, "gi5", [], "02:00:00:00:01:05", up=False),
        _port(9, "gi9", [RTR_MAC], "02:00:00:00:01:09", _lldp("rtr", "router"))])
    acc1 = Device(host="10.0.0.3", name="acc1", role=Role.SWITCH, reachable=True, ports=[
        _port(1, "gi0/1", [RTR_MAC, PRINTER, CORE_MAC], ACC_MAC,
              _lldp("core", "bridge") if lldp else None),
        _port(2, "gi2", [PC1], "02:00:00:00:02:02"),
        _port(3, "gi3", [PC2], "02:00:00:00:02:03"),
        _port(4, "gi4", list(DESK), "02:00:00:00:02:04"),
        _port(5, "gi5", [], "02:00:00:00:02:05", up=False)])
    ap = Device(host="10.0.0.5", name="ap", role=Role.AP, reachable=True, ports=[
        _port(1, "p1", [RTR_MAC], AP_MAC, _lldp("core", "bridge") if lldp else None),
        _port(2, "p2", [PHONE], "02:00:00:00:03:02")])
    printer = Device(host="10.0.0.40", name="printer-kt", role=Role.PRINTER, reachable=True,
                     ports=[Port(if_index=1, name="eth0", mac=PRINTER)])
    return [rtr, core, acc1, ap, printer]


def _by_mac(devices: list[Device], discovery: Discovery | None = None
            ) -> dict[str, EndpointPlace]:
    placed = place_endpoints(devices, discovery)
    assert placed is not None
    return {e.mac: e for e in placed.endpoints}


def test_each_endpoint_on_its_access_port_never_an_uplink() -> None:
    found = _by_mac(office())
    assert {m: (e.device, e.port) for m, e in found.items()} == {
        PC1: ("acc1", "gi2"), PC2: ("acc1", "gi3"),
        **{m: ("acc1", "gi4") for m in DESK},
        PHONE: ("ap", "p2"), PRINTER: ("core", "gi3"),
        "00:1b:21:00:00:50": (None, None)}
    pc1 = found[PC1]
    assert pc1.ips == ["10.0.0.21"] and pc1.vlan == 10
    assert pc1.seen_on == ["core:gi1"] and pc1.learnt_from == ["rtr"]
    assert pc1.vendor == "Intel Corporate" and not pc1.wifi
    assert found[PRINTER].name == "printer-kt"


def test_without_lldp_uplinks_are_told_by_many_macs_from_many_switches() -> None:
    devices = office(lldp=False)
    placed = place_endpoints(devices)
    assert placed is not None
    reasons = {(u.device, u.port): u.reason for u in placed.uplinks}
    assert reasons[("core", "gi1")] in ("network-device-mac", "many-switches")
    assert reasons[("acc1", "gi0/1")] == "network-device-mac"
    found = {e.mac: e for e in placed.endpoints}
    assert (found[PC1].device, found[PC1].port) == ("acc1", "gi2")
    assert {(found[m].device, found[m].port) for m in DESK} == {("acc1", "gi4")}


def test_a_port_whose_macs_another_switch_spreads_over_its_ports_is_an_uplink() -> None:
    """No LLDP and no network device's MAC on the link: only the spread tells."""
    devices = office(lldp=False)
    core, acc1 = devices[1], devices[2]
    core.ports[0].macs = [PC1, PC2, *DESK]  # the router's MAC is not seen there
    acc1.ports[0].macs = []
    placed = place_endpoints(devices)
    assert placed is not None
    (uplink,) = [u for u in placed.uplinks if (u.device, u.port) == ("core", "gi1")]
    assert uplink.reason == "many-switches" and "acc1" in uplink.detail
    found = {e.mac: e for e in placed.endpoints}
    assert (found[PC2].device, found[PC2].port) == ("acc1", "gi3")


def test_the_desk_switch_is_the_one_shared_port() -> None:
    placed = place_endpoints(office())
    assert placed is not None
    (shared,) = placed.shared_ports
    assert (shared.device, shared.port, shared.macs) == ("acc1", "gi4", DESK)
    assert shared.vendors == [vendor(m) for m in DESK] and shared.vendors[0]


def test_behind_an_ap_that_was_not_scanned() -> None:
    devices = [d for d in office() if d.name != "ap"]
    found = _by_mac(devices)
    phone = found[PHONE]
    assert phone.wifi and (phone.device, phone.port) == ("core", "gi2")
    assert "access point ap" in phone.via
    assert phone.vendor is None


def test_wired_ports_free_leave_uplinks_out() -> None:
    placed = place_endpoints(office())
    assert placed is not None
    # core gi3-gi5 and acc1 gi2-gi5 (gi1, gi2, gi9 and gi0/1 are uplinks)
    assert (placed.wired_ports, placed.wired_ports_used, placed.wired_ports_free) == (7, 4, 3)
    assert (placed.wired, placed.wifi, placed.unplaced) == (6, 1, 1)


def test_network_devices_and_their_management_macs_are_not_endpoints() -> None:
    found = _by_mac(office())
    assert not {RTR_MAC, CORE_MAC, ACC_MAC, AP_MAC} & set(found)


def test_discovery_adds_addresses_and_names() -> None:
    discovery = Discovery(started_at="2026-12-03T00:00:00+00:00", duration_ms=1, hosts=[
        DiscoveredHost(address="10.0.0.23", mac=PC2.upper().replace(":", "-"), how=["arp"],
                       sys_name="ketoan-pc2")])
    pc2 = _by_mac(office(), discovery)[PC2]
    assert pc2.ips == ["10.0.0.22", "10.0.0.23"] and pc2.name == "ketoan-pc2"
    assert "discovery (ARP sweep)" in pc2.learnt_from


def test_nothing_to_place() -> None:
    assert place_endpoints([Device(host="10.0.0.9")]) is None


def test_the_access_switch_s_learnt_vlan_comes_before_the_router_s() -> None:
    """pc2 sits in VLAN 20 on acc1 (its forwarding database), while the router resolves it on
    Vlan10 only: the access switch's VLAN is where the endpoint is plugged in."""
    devices = office()
    acc1 = next(d for d in devices if d.name == "acc1")
    gi3 = next(p for p in acc1.ports if p.name == "gi3")
    gi3.mac_vlans = {PC2: 20}
    found = _by_mac(devices)
    assert found[PC2].vlan == 20 and found[PC1].vlan == 10
