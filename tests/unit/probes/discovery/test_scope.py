"""Discovery's pure parts: which subnets are local or routed, which addresses a sweep asks, and
the guard that keeps every packet inside the declared subnets."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

import pytest

from infraaudit.errors import OutOfScope, TooLarge
from infraaudit.probes.discovery.scope import (
    IPV6_NOT_SWEPT,
    LocalAddress,
    Network,
    Scope,
    classify,
    host_addresses,
    local_addresses,
)


@dataclass
class Net:
    prefix: Network
    name: str | None = None


def net(text: str, name: str | None = None) -> Net:
    return Net(ipaddress.ip_network(text), name)


def here(iface: str, address: str, up: bool = True) -> LocalAddress:
    return LocalAddress(iface, ipaddress.IPv4Interface(address), "02:00:00:00:00:01", up)


LOCAL = [here("lo", "127.0.0.1/8"), here("eth0", "10.1.0.5/24"), here("eth1", "10.9.0.5/16")]


def test_local_subnets_are_swept_by_arp_routed_by_icmp_ipv6_not_at_all() -> None:
    subnets = [net("10.1.0.0/24", "LAN"), net("10.2.0.0/24"), net("10.9.3.0/24", "VLAN 3"),
               net("fd00::/64", "LAN v6"), net("127.0.0.0/8")]
    plans = classify(subnets, LOCAL)
    assert [(str(p.prefix), p.name, p.method) for p in plans] == [
        ("10.1.0.0/24", "LAN", "arp"), ("10.2.0.0/24", None, "icmp"),
        ("10.9.3.0/24", "VLAN 3", "icmp"),  # the host is on 10.9.0.0/16 but has no address here
        ("fd00::/64", "LAN v6", "none"), ("127.0.0.0/8", None, "icmp"),  # loopback is no link
    ]
    assert plans[0].source is not None and plans[0].source.interface == "eth0"
    assert plans[3].reason == IPV6_NOT_SWEPT
    assert IPV6_NOT_SWEPT.startswith("not swept: IPv6 prefixes are too large")


def test_an_interface_that_is_up_is_preferred_and_disabled_methods_are_recorded() -> None:
    local = [here("eth9", "10.1.0.7/24", up=False), here("eth0", "10.1.0.5/24")]
    (plan,) = classify([net("10.1.0.0/24")], local)
    assert plan.source is not None and plan.source.interface == "eth0"
    (plan,) = classify([net("10.1.0.0/24")], local, arp=False)
    assert plan.method == "icmp"
    plans = classify([net("10.1.0.0/24"), net("10.2.0.0/24")], local, arp=False, icmp=False)
    assert [p.method for p in plans] == ["none", "none"]
    assert all(p.reason and p.reason.startswith("not swept:") for p in plans)


def test_host_enumeration_never_has_network_or_broadcast() -> None:
    hosts = host_addresses(ipaddress.ip_network("192.168.1.0/24"), 1024)
    assert len(hosts) == 254 and hosts[0] == "192.168.1.1" and hosts[-1] == "192.168.1.254"
    assert "192.168.1.0" not in hosts and "192.168.1.255" not in hosts
    assert host_addresses(ipaddress.ip_network("10.0.0.0/30"), 1024) == ["10.0.0.1", "10.0.0.2"]
    assert host_addresses(ipaddress.ip_network("10.0.0.0/31"), 1024) == ["10.0.0.0", "10.0.0.1"]
    assert host_addresses(ipaddress.ip_network("10.0.0.7/32"), 1024) == ["10.0.0.7"]
    assert host_addresses(ipaddress.ip_network("10.0.0.0/29"), 1024,
                          exclude={"10.0.0.3"}) == ["10.0.0.1", "10.0.0.2", "10.0.0.4",
                                                    "10.0.0.5", "10.0.0.6"]


def test_subnets_larger_than_max_hosts_are_refused() -> None:
    assert len(host_addresses(ipaddress.ip_network("10.0.0.0/22"), 1024)) == 1022
    with pytest.raises(TooLarge, match=r"2046 host addresses, more than discovery.max_hosts"):
        host_addresses(ipaddress.ip_network("10.0.0.0/21"), 1024)
    assert len(host_addresses(ipaddress.ip_network("10.0.0.0/21"), 4096)) == 2046
    with pytest.raises(TooLarge, match="IPv6"):
        host_addresses(ipaddress.ip_network("fd00::/120"), 1024)


def test_the_guard_knows_only_the_declared_subnets() -> None:
    scope = Scope([ipaddress.ip_network("10.1.0.0/24"), ipaddress.ip_network("10.1.0.0/26"),
                   ipaddress.ip_network("fd00::/64")])
    assert scope.contains("10.1.0.200") and scope.contains("fd00::1234")
    assert not scope.contains("10.1.1.1") and not scope.contains("fd01::1")
    assert not scope.contains("not-an-address") and not scope.contains("")
    assert not scope.contains("::ffff:10.1.0.1")  # an IPv4-mapped address is IPv6: not inside
    assert scope.subnet_of("10.1.0.9") == ipaddress.ip_network("10.1.0.0/26")
    assert scope.subnet_of("10.1.0.99") == ipaddress.ip_network("10.1.0.0/24")
    assert scope.subnet_of("8.8.8.8") is None
    scope.require("10.1.0.1")
    with pytest.raises(OutOfScope, match=r"8\.8\.8\.8 is outside"):
        scope.require("8.8.8.8")
    with pytest.raises(OutOfScope):
        Scope([]).require("10.1.0.1")


def test_local_addresses_of_this_namespace() -> None:
    found = local_addresses()  # reads psutil; every namespace has at least lo
    assert all(isinstance(a.address, ipaddress.IPv4Interface) for a in found)
    assert any(a.address.ip.is_loopback for a in found)
