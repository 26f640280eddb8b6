"""SNMP and CLI facts about one device become one record; disagreements are kept as evidence."""

from __future__ import annotations

from infraaudit.models import Device, Duplex, Port, PortCounters, Role
from infraaudit.probes.ssh.parsers import CliFacts
from infraaudit.scan.merge import mark_snmp_sources, merge_cli


def snmp_device() -> Device:
    device = Device(host="10.0.0.2", reachable=True, sys_name="sw-tang2", firmware="12.2(55)SE3",
                    model=None, uptime_s=1000.0, role=Role.SWITCH, role_reason="bridge",
                    ports=[Port(if_index=10101, name="Gi0/1", descr="GigabitEthernet0/1",
                                speed_mbps=100.0)])
    mark_snmp_sources(device)
    return device


def test_cli_fills_gaps_agrees_and_disagrees() -> None:
    cli = CliFacts(platform="cisco_ios", hostname="SW-TANG2", os_version="15.0(2)SE11",
                   model="WS-C2960-24TT-L", uptime_s=1060.0,
                   ports=[Port(if_index=1, name="GigabitEthernet0/1", duplex=Duplex.HALF,
                               speed_mbps=100.0, media="fibre",
                               counters=PortCounters(fcs_errors=42))])
    device = merge_cli(snmp_device(), cli)
    assert device.sys_name == "sw-tang2"  # same name, other case: agreement, SNMP value kept
    assert device.sources["sys_name"] == ["snmp", "cli"]
    assert device.model == "WS-C2960-24TT-L" and device.sources["model"] == ["cli"]
    assert device.firmware == "12.2(55)SE3"  # SNMP kept ...
    assert [(c.field, c.values) for c in device.conflicts] == [
        ("firmware", {"snmp": "12.2(55)SE3", "cli": "15.0(2)SE11"})]  # ... disagreement kept
    assert device.uptime_s == 1000.0 and device.sources["uptime_s"] == ["snmp", "cli"]
    port = device.ports[0]
    assert port.duplex is Duplex.HALF and port.counters.fcs_errors == 42  # matched by descr
    assert port.media == "fibre"  # "media type is LX": what ENTITY-MIB did not say
    assert device.sources["ports"] == ["snmp", "cli"]
    assert device.platform == "cisco_ios"
    assert device.role is Role.SWITCH  # the SNMP role guess stands


def test_ssh_only_device_takes_everything_from_the_cli() -> None:
    cli = CliFacts(platform="linux", hostname="srv-portal", os_version="Linux 6.1.0",
                   ports=[Port(if_index=1, name="lo"), Port(if_index=2, name="eth0")])
    device = merge_cli(Device(host="10.0.0.9", reachable=True), cli)
    assert device.sys_name == "srv-portal" and device.sources["sys_name"] == ["cli"]
    assert [p.name for p in device.ports] == ["lo", "eth0"] and device.sources["ports"] == ["cli"]
    assert device.role is Role.SERVER and device.conflicts == []


def test_cli_neighbours_and_mac_counts_fill_snmp_ports_by_abbreviated_name() -> None:
    from infraaudit.models import LldpNeighbour
    from infraaudit.probes.ssh.parsers import attach_to_ports, canonical_ifname

    assert canonical_ifname("Gi0/1") == canonical_ifname("GigabitEthernet0/1")
    assert canonical_ifname("Te1/0/1") == "tengigabitethernet1/0/1"
    assert canonical_ifname("Po3") == canonical_ifname("Port-channel3")
    cli = CliFacts(platform="cisco_ios", ports=[Port(if_index=1, name="GigabitEthernet0/1")],
                   lldp={"Gi0/1": [LldpNeighbour(sys_name="sw-core")]},
                   mac_count={"Gi0/1": 7}, ipv6={"Gi0/1": ["2001:DB8::1/64"]})
    attach_to_ports(cli)
    assert cli.ports[0].mac_count == 7 and cli.ports[0].addresses[0].address == "2001:db8::1"
    device = merge_cli(snmp_device(), cli)
    port = device.ports[0]  # SNMP's "Gi0/1" port, matched by name across abbreviations
    assert [n.sys_name for n in port.lldp_neighbours] == ["sw-core"] and port.mac_count == 7
    assert "2001:db8::1" in {a.address for a in device.addresses}


def test_fqdn_sys_name_and_short_prompt_agree() -> None:
    device = Device(host="10.0.0.3", reachable=True, sys_name="sw-tang3.ttt.khanhhoa.gov.vn")
    merge_cli(device, CliFacts(platform="cisco_ios", hostname="SW-TANG3"))
    assert device.conflicts == [] and device.sources["sys_name"] == ["snmp", "cli"]
