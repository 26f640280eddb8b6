"""Breadth-first crawl of LLDP/CDP neighbours, bounded by the declared subnets, a device budget
and a depth. The neighbour reader is injected; the crawl checks every address against the scope
right before handing it to the reader, so an outside address is never contacted."""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from infraaudit.errors import InfraAuditError
from infraaudit.models.discovery import CrawledDevice, CrawlEdge
from infraaudit.probes.discovery.scope import Scope

MAX_DEVICES = 256
MAX_DEPTH = 4

OUTSIDE = "seen, not followed (outside subnets)"
NO_ADDRESS = "seen, not followed (no management address)"
TOO_DEEP = "seen, not followed (max depth {depth} reached)"
TOO_MANY = "seen, not followed (max devices {count} reached)"
ALREADY = "already crawled"


@dataclass(frozen=True)
class Neighbour:
    """One row of a device's LLDP or CDP table."""

    protocol: Literal["lldp", "cdp"]
    local_port: str | None = None
    name: str | None = None
    port: str | None = None
    address: str | None = None


@dataclass
class Neighbours:
    """What a reader got from one device: its name (if it knows it) and its neighbours."""

    name: str | None = None
    rows: list[Neighbour] = field(default_factory=list)


NeighbourReader = Callable[[str], Awaitable[Neighbours]]


@dataclass
class CrawlResult:
    crawled: list[CrawledDevice] = field(default_factory=list)
    edges: list[CrawlEdge] = field(default_factory=list)
    contacted: list[str] = field(default_factory=list)  # every address given to the reader


def normalise(address: str | None) -> str | None:
    if not address:
        return None
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


async def crawl(seeds: Sequence[str], read: NeighbourReader, scope: Scope, *,
                max_devices: int = MAX_DEVICES, max_depth: int = MAX_DEPTH,
                concurrency: int = 16, names: dict[str, str] | None = None) -> CrawlResult:
    """Read the neighbours of every seed, then of every neighbour they name, level by level.

    ``read`` raises :class:`InfraAuditError` (a transport failure, no answer with any profile)
    to record an error on that device. ``names`` gives the known name of an address (the
    inventory's) for devices whose reader does not return one.
    """
    result = CrawlResult()
    names = dict(names or {})
    slots = asyncio.Semaphore(concurrency)
    depth_of: dict[str, int] = {}
    level: list[str] = []
    for seed in seeds:
        address = normalise(seed) or seed
        if address in depth_of:
            continue
        if not scope.contains(address):
            result.crawled.append(CrawledDevice(address=address, depth=0, name=names.get(address),
                                                error="not crawled: outside the subnets"))
            continue
        if len(depth_of) >= max_devices:
            result.crawled.append(CrawledDevice(
                address=address, depth=0, name=names.get(address),
                error=f"not crawled: max devices {max_devices} reached"))
            continue
        depth_of[address] = 0
        level.append(address)

    async def visit(address: str) -> Neighbours | str:
        async with slots:
            if not scope.contains(address):  # checked again right before contact
                return "not crawled: outside the subnets"
            result.contacted.append(address)
            try:
                return await read(address)
            except InfraAuditError as exc:
                return str(exc) or type(exc).__name__

    depth = 0
    while level:
        outcomes = await asyncio.gather(*(visit(a) for a in level))
        upcoming: list[str] = []
        for address, got in zip(level, outcomes, strict=True):
            if isinstance(got, str):
                result.crawled.append(CrawledDevice(address=address, depth=depth,
                                                    name=names.get(address), error=got))
                continue
            name = got.name or names.get(address)
            if name:
                names[address] = name
            result.crawled.append(CrawledDevice(address=address, depth=depth, name=name,
                                                neighbours=len(got.rows)))
            for row in got.rows:
                target = normalise(row.address)
                followed, reason = _follow(target, depth, scope, depth_of, max_depth,
                                           max_devices)
                if followed and reason is None and target is not None:
                    depth_of[target] = depth + 1
                    upcoming.append(target)
                result.edges.append(CrawlEdge(
                    device=address, device_name=name, protocol=row.protocol,
                    local_port=row.local_port, neighbour_name=row.name, neighbour_port=row.port,
                    neighbour_address=target or row.address, followed=followed, reason=reason))
        level = upcoming
        depth += 1
    return result


def _follow(target: str | None, depth: int, scope: Scope, depth_of: dict[str, int],
            max_depth: int, max_devices: int) -> tuple[bool, str | None]:
    if target is None:
        return False, NO_ADDRESS
    if not scope.contains(target):
        return False, OUTSIDE
    if target in depth_of:
        return True, ALREADY
    if depth + 1 > max_depth:
        return False, TOO_DEEP.format(depth=max_depth)
    if len(depth_of) >= max_devices:
        return False, TOO_MANY.format(count=max_devices)
    return True, None
