"""IPv6 readiness scores and programme phases; the site-probe planning that keeps every packet
inside the declared subnets."""

from __future__ import annotations

from pathlib import Path

import pytest

from infraaudit.errors import InventoryError
from infraaudit.findings.readiness import device_readiness, load_catalog, site_phase
from infraaudit.inventory import Inventory
from infraaudit.models import AddressFamily, Device, IpAddress, Port, Role
from infraaudit.models.host import HostInterface, HostRoute, ScanningHost
from infraaudit.models.ipv6 import (
    DnsAnswer,
    HostIpv6,
    Ipv6Route,
    RaPrefix,
    RouterAdvert,
    SegmentIpv6,
)
from infraaudit.models.readiness import Ipv6Report
from infraaudit.scan.sitescan import dns_servers, in_subnets, local_segments, ping_plan
from tests.paths import INVENTORIES

CATALOG = INVENTORIES / "ipv6_catalog.yaml"


def _v6(address: str) -> IpAddress:
    return IpAddress(address=address, family=AddressFamily.IPV6, source="ipAddressTable")


def _router(**kw: object) -> Device:
    return Device(host="10.0.0.1", name="rtr", role=Role.ROUTER, reachable=True,
                  ports=[Port(if_index=1, mac="02:00:00:00:00:01")], **kw)  # type: ignore[arg-type]


def test_scores_climb_with_each_piece_of_evidence() -> None:
    bare = Device(host="10.0.0.3", name="acc", role=Role.SWITCH, reachable=True)
    assert device_readiness(bare, [], set(), None).score == 1
    link_local = bare.model_copy(update={"addresses": [_v6("fe80::1")]})
    assert device_readiness(link_local, [], set(), None).score == 2
    ula = bare.model_copy(update={"addresses": [_v6("fe80::1"), _v6("fd00::3")]})
    scored = device_readiness(ula, [], set(), None)
    assert (scored.score, scored.addresses) == (3, ["fd00::3"])
    assert device_readiness(ula, [], set(), "fd00::3").score == 4
    router = _router(addresses=[_v6("fd00::1")])
    assert device_readiness(router, [], set(), "fd00::1").score == 4
    five = device_readiness(router, [], {"02:00:00:00:00:01"}, "fd00::1")
    assert five.score == 5 and five.device_class == "router"
    assert all(r.met for r in five.reasons)


def test_catalog_entry_needs_a_source_and_counts_as_stack(tmp_path: Path) -> None:
    catalog = load_catalog(CATALOG)
    linux = Device(host="10.0.0.4", role=Role.SWITCH, reachable=True,
                   sys_descr="Linux acc1 6.1.0 #1 SMP x86_64")
    scored = device_readiness(linux, catalog, set(), None)
    assert scored.score == 2 and scored.catalog and "Linux" in scored.catalog
    bad = tmp_path / "c.yaml"
    bad.write_text("models:\n  - {match: X, capable: true}\n", encoding="utf-8")
    with pytest.raises(InventoryError, match="no source"):
        load_catalog(bad)


def _segment(name: str, prefix: bool, rdnss: bool = False) -> SegmentIpv6:
    ra = RouterAdvert(source="fe80::1", frame_mac="02:00:00:00:00:01", hop_limit=64,
                      managed=False, other_config=True, preference="medium",
                      router_lifetime_s=1800, reachable_time_ms=0, retrans_timer_ms=0,
                      prefixes=[RaPrefix(prefix="fd00::/64", on_link=True, autonomous=True,
                                         valid_lifetime_s=86400, preferred_lifetime_s=14400)]
                      if prefix else [], rdnss=["fd00::53"] if rdnss else [], received=1,
                      multicast=0, first_seen_ms=3.0)
    return SegmentIpv6(interface=f"if-{name}", segment=name, started_at="t", duration_ms=3000,
                       ra=[ra])


def test_site_phase_is_the_highest_phase_met_with_all_before_it() -> None:
    routes = [Ipv6Route(destination="::/0", gateway="fe80::1", interface="eth0", metric=1024)]
    report = Ipv6Report(
        segments=[_segment("lan-a", True, rdnss=True)],
        dns=[DnsAnswer(name="portal.gov.vn", a=["10.0.3.10"], aaaa=["fd00::80"])],
        host=HostIpv6(default_routes=routes))
    report.devices = [device_readiness(_router(addresses=[_v6("fd00::1")]), [],
                                       {"02:00:00:00:00:01"}, "fd00::1")]
    site = site_phase(report, ["portal.gov.vn"])
    assert [p.met for p in site.phases] == [True, False, True]  # no switch scanned
    assert site.phase == 1  # phase 3's checks pass, but phase 2 is not met
    missing = next(r for r in site.phases[1].requirements if not r.met)
    assert missing.code == "switches-ipv6-address"
    no_portal = site_phase(report, [])
    assert no_portal.phase == 0 and not no_portal.phases[0].requirements[0].met


def _inventory() -> Inventory:
    return Inventory.model_validate({
        "agency": {"code": "A", "name": "a"}, "site": {"id": "s", "name": "s"},
        "devices": [{"host": "10.0.1.2", "name": "core"}, {"host": "10.0.1.2", "port": 1161}],
        "subnets": [{"prefix": "10.0.1.0/24", "name": "lan-a"}, "10.0.2.0/24"]})


def _host() -> ScanningHost:
    return ScanningHost(hostname="h", os="Linux", interfaces=[
        HostInterface(name="lo", kind="loopback", up=True, addresses=["127.0.0.1/8"]),
        HostInterface(name="eth0", kind="wired", up=True,
                      addresses=["10.0.1.100/24", "fe80::9/64"]),
        HostInterface(name="wlan0", kind="wireless", up=True, addresses=["192.168.1.5/24"]),
    ], default_routes=[
        HostRoute(family="ipv4", gateway="192.168.1.1", interface="wlan0"),
        HostRoute(family="ipv6", gateway="fe80::1", interface="eth0"),
    ], dns_servers=["10.0.1.53", "8.8.8.8"])


def test_site_probes_stay_inside_the_declared_subnets() -> None:
    inventory, host = _inventory(), _host()
    assert in_subnets("10.0.2.7", inventory.subnets) and not in_subnets("8.8.8.8",
                                                                        inventory.subnets)
    segments = local_segments(inventory, host)
    assert [(iface, s.label) for iface, s in segments] == [("eth0", "lan-a")]
    plan, notes = ping_plan(inventory, host)
    targets = [t for t, _, _ in plan]
    assert "192.168.1.1" not in targets and any("192.168.1.1" in n for n in notes)
    assert "fe80::1%eth0" in targets  # the link-local next hop on a declared segment
    assert targets.count("10.0.1.2") == 1  # one series per address
    servers, left_out = dns_servers(inventory, host)
    assert servers == ["10.0.1.53"] and "8.8.8.8" in left_out[0]
