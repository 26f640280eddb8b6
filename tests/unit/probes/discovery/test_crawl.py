"""The LLDP/CDP crawl is bounded: subnets, depth, device budget; an outside address is recorded,
never contacted; one device's failure is its own record."""

from __future__ import annotations

import asyncio
import ipaddress

from infraaudit.errors import TransportTimeout
from infraaudit.probes.discovery.crawl import (
    ALREADY,
    NO_ADDRESS,
    OUTSIDE,
    CrawlResult,
    Neighbour,
    Neighbours,
    crawl,
)
from infraaudit.probes.discovery.scope import Scope

SCOPE = Scope([ipaddress.ip_network("10.0.0.0/24")])


def lldp(address: str | None, name: str, port: str = "1") -> Neighbour:
    return Neighbour("lldp", local_port=port, name=name, port="gi0/1", address=address)


# A chain core -> sw2 -> sw3 -> sw4 -> sw5, core also sees the ISP router (outside) and a phone
# without a management address; sw2 lists core back, and a CDP neighbour with an IPv4 address.
TOPOLOGY: dict[str, Neighbours] = {
    "10.0.0.1": Neighbours("core", [lldp("10.0.0.2", "sw2"), lldp("203.0.113.1", "isp", "24"),
                                    lldp(None, "phone", "5")]),
    "10.0.0.2": Neighbours(None, [lldp("10.0.0.1", "core"),
                                  Neighbour("cdp", "Gi0/2", "sw3.lab", "Gi0/1", "10.0.0.3")]),
    "10.0.0.3": Neighbours("sw3", [lldp("10.0.0.4", "sw4")]),
    "10.0.0.4": Neighbours("sw4", [lldp("10.0.0.5", "sw5")]),
    "10.0.0.5": Neighbours("sw5", []),
}


def run(seeds: list[str], **kwargs: int) -> tuple[CrawlResult, list[str]]:
    asked: list[str] = []

    async def read(address: str) -> Neighbours:
        asked.append(address)
        if address == "10.0.0.9":
            raise TransportTimeout("no answer from 10.0.0.9:161 after 2 attempts")
        return TOPOLOGY.get(address, Neighbours())

    result = asyncio.run(crawl(seeds, read, SCOPE, names={"10.0.0.2": "sw2 (inventory)"},
                               **kwargs))
    assert sorted(asked) == sorted(result.contacted)
    return result, asked


def test_outside_neighbours_are_recorded_and_never_contacted() -> None:
    result, asked = run(["10.0.0.1"])
    assert "203.0.113.1" not in asked
    assert asked == ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5"]
    isp = next(e for e in result.edges if e.neighbour_name == "isp")
    assert (isp.followed, isp.reason, isp.neighbour_address, isp.local_port) == (
        False, OUTSIDE, "203.0.113.1", "24")
    assert isp.reason == "seen, not followed (outside subnets)"
    phone = next(e for e in result.edges if e.neighbour_name == "phone")
    assert (phone.followed, phone.reason) == (False, NO_ADDRESS)
    back = next(e for e in result.edges if e.device == "10.0.0.2" and e.neighbour_name == "core")
    assert (back.followed, back.reason, back.device_name) == (True, ALREADY, "sw2 (inventory)")
    cdp = next(e for e in result.edges if e.protocol == "cdp")
    assert (cdp.followed, cdp.neighbour_address, cdp.local_port) == (True, "10.0.0.3", "Gi0/2")
    assert [(c.address, c.depth, c.name) for c in result.crawled] == [
        ("10.0.0.1", 0, "core"), ("10.0.0.2", 1, "sw2 (inventory)"), ("10.0.0.3", 2, "sw3"),
        ("10.0.0.4", 3, "sw4"), ("10.0.0.5", 4, "sw5")]


def test_depth_is_bounded() -> None:
    result, asked = run(["10.0.0.1"], max_depth=2)
    assert asked == ["10.0.0.1", "10.0.0.2", "10.0.0.3"]
    edge = next(e for e in result.edges if e.neighbour_name == "sw4")
    assert (edge.followed, edge.reason) == (False, "seen, not followed (max depth 2 reached)")


def test_device_budget_is_bounded() -> None:
    result, asked = run(["10.0.0.1"], max_devices=2)
    assert asked == ["10.0.0.1", "10.0.0.2"]
    edge = next(e for e in result.edges if e.protocol == "cdp")
    assert (edge.followed, edge.reason) == (False, "seen, not followed (max devices 2 reached)")
    result, asked = run(["10.0.0.1", "10.0.0.5", "10.0.0.4"], max_devices=2)
    assert asked == ["10.0.0.1", "10.0.0.5"]  # seeds count against the budget too
    (skipped,) = [c for c in result.crawled if c.address == "10.0.0.4"]
    assert skipped.error == "not crawled: max devices 2 reached"


def test_seeds_outside_the_subnets_are_not_contacted_and_failures_are_records() -> None:
    result, asked = run(["192.0.2.7", "10.0.0.9", "10.0.0.5", "10.0.0.5"])
    assert asked == ["10.0.0.9", "10.0.0.5"]
    by_address = {c.address: c for c in result.crawled}
    assert by_address["192.0.2.7"].error == "not crawled: outside the subnets"
    assert "no answer from 10.0.0.9" in (by_address["10.0.0.9"].error or "")
    assert by_address["10.0.0.5"].error is None and by_address["10.0.0.5"].neighbours == 0


def test_the_scope_is_checked_again_right_before_contact() -> None:
    scope = Scope([ipaddress.ip_network("10.0.0.0/24")])
    asked: list[str] = []

    async def read(address: str) -> Neighbours:
        asked.append(address)
        if address == "10.0.0.2":  # the scope shrinks after 10.0.0.4 was queued
            scope.prefixes = (ipaddress.ip_network("10.0.0.0/30"),)
        return TOPOLOGY[address]

    result = asyncio.run(crawl(["10.0.0.1", "10.0.0.3"], read, scope))
    assert asked == ["10.0.0.1", "10.0.0.3", "10.0.0.2"]
    (late,) = [c for c in result.crawled if c.address == "10.0.0.4"]
    assert late.error == "not crawled: outside the subnets"
