"""Discovery of a site: sweep the declared subnets, crawl LLDP/CDP from the inventory's devices,
identify the responders over SNMP. Never leaves the declared subnets.

1. Each IPv4 subnet where the scanning host has an address is swept by ARP on that interface;
   each other IPv4 subnet by ICMP echo; IPv6 prefixes are not swept (recorded as such).
2. The crawl starts at the inventory's devices and follows management addresses inside the
   subnets, breadth first, up to ``max_depth`` hops and ``max_devices`` devices.
3. Every responder that is not an inventory device gets one SNMP GET (sysObjectID, sysName,
   sysDescr) with each of the inventory's profiles in turn; the first that answers is recorded
   by name.
A failed sweep, crawl step or identification is a record in the result, never an exception.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from infraaudit.errors import InfraAuditError, PingUnavailable, TooLarge
from infraaudit.inventory import Inventory
from infraaudit.models.discovery import (
    DiscoveredHost,
    Discovery,
    DiscoverySweep,
    HowFound,
)
from infraaudit.probes.discovery import arp
from infraaudit.probes.discovery.crawl import MAX_DEPTH, MAX_DEVICES, crawl
from infraaudit.probes.discovery.scope import (
    LocalAddress,
    Scope,
    SweepPlan,
    classify,
    host_addresses,
    local_addresses,
)
from infraaudit.probes.discovery.snmp import ClientFactory, DiscoverySnmp
from infraaudit.probes.link import Pinger
from infraaudit.probes.snmp import Backend, make_client

log = logging.getLogger(__name__)

ATTEMPTS = 2
REPLY_TIMEOUT_S = 1.0

Progress = Callable[[str], None]


class SweepingPinger(Protocol):
    """What discovery needs of ``infraaudit.probes.link.ping.Pinger``."""

    async def __aenter__(self) -> SweepingPinger: ...

    async def __aexit__(self, *exc: object) -> None: ...

    async def sweep(self, addresses: Iterable[str], attempts: int = 2, timeout_s: float = 1.0,
                    rate_pps: float = 200.0) -> dict[str, float]: ...


ArpSweeper = Callable[..., Awaitable[arp.ArpResult]]


@dataclass
class Tools:
    """The transports discovery uses; tests swap them."""

    local_addresses: Callable[[], list[LocalAddress]] = local_addresses
    arp_sweep: ArpSweeper = arp.sweep
    pinger: Callable[[], SweepingPinger] = Pinger
    snmp_client: ClientFactory = make_client


@dataclass
class _Hosts:
    """DiscoveredHost records by address, merged as the steps find them."""

    labels: dict[ipaddress.IPv4Network | ipaddress.IPv6Network, str]
    scope: Scope
    by_address: dict[str, DiscoveredHost] = field(default_factory=dict)

    def note(self, address: str, how: HowFound, *, mac: str | None = None,
             interface: str | None = None, rtt_ms: float | None = None,
             in_inventory: bool = False) -> DiscoveredHost:
        host = self.by_address.get(address)
        if host is None:
            prefix = self.scope.subnet_of(address)
            host = DiscoveredHost(address=address, how=[],
                                  subnet=self.labels.get(prefix) if prefix else None)
            self.by_address[address] = host
        if how not in host.how:
            host.how = [*host.how, how]
        if mac and host.mac is None:
            host.mac = mac
        if interface and host.interface is None:
            host.interface = interface
        if rtt_ms is not None and (host.rtt_ms is None or rtt_ms < host.rtt_ms):
            host.rtt_ms = rtt_ms
        if in_inventory:
            host.in_inventory = True
        return host

    def ordered(self) -> list[DiscoveredHost]:
        def key(host: DiscoveredHost) -> tuple[int, int]:
            ip = ipaddress.ip_address(host.address)
            return ip.version, int(ip)

        return sorted(self.by_address.values(), key=key)


async def icmp_sweep(targets: Sequence[str], scope: Scope, pinger: Callable[[], SweepingPinger],
                     *, rate_pps: float, attempts: int = ATTEMPTS,
                     timeout_s: float = REPLY_TIMEOUT_S) -> tuple[int, dict[str, float]]:
    """``(requests sent, {address: best RTT ms})``; one round per attempt, each round's targets
    checked against the scope right before it is handed to the pinger."""
    answered: dict[str, float] = {}
    sent = 0
    async with pinger() as p:
        for _ in range(attempts):
            todo = [t for t in targets if t not in answered]
            if not todo:
                break
            for target in todo:
                scope.require(target)
            got = await p.sweep(todo, attempts=1, timeout_s=timeout_s, rate_pps=rate_pps)
            sent += len(todo)
            asked = set(todo)
            for address, rtt in got.items():
                if address in asked:
                    answered[address] = min(rtt, answered.get(address, rtt))
    return sent, answered


class _Run:
    def __init__(self, inventory: Inventory, backend: Backend, progress: Progress | None,
                 tools: Tools, max_devices: int, max_depth: int) -> None:
        self.inventory = inventory
        self.options = inventory.discovery
        self.tools = tools
        self.progress = progress
        self.max_devices = max_devices
        self.max_depth = max_depth
        self.scope = Scope(s.prefix for s in inventory.subnets)
        self.hosts = _Hosts({s.prefix: s.name or str(s.prefix) for s in inventory.subnets},
                            self.scope)
        self.snmp = DiscoverySnmp(inventory, self.scope, backend, tools.snmp_client)
        self.out = Discovery(started_at=datetime.now(UTC).isoformat(timespec="milliseconds"),
                             duration_ms=0.0)

    def say(self, message: str) -> None:
        log.info("%s", message)
        if self.progress is not None:
            self.progress(message)

    async def run(self) -> Discovery:
        t0 = time.perf_counter()
        try:
            await self._steps()
        finally:
            self.snmp.cancel_pending()
            self.out.hosts = self.hosts.ordered()
            self.out.duration_ms = round((time.perf_counter() - t0) * 1000, 1)
        return self.out

    async def _steps(self) -> None:
        inventory = self.inventory
        if not self.options.enabled:
            self.out.errors.append("discovery is disabled in the inventory (discovery.enabled)")
            return
        if not inventory.subnets:
            self.out.errors.append("the inventory declares no subnets: nothing was swept and no "
                                   "neighbour was followed (discovery never leaves the subnets)")
        for device in inventory.devices:
            self.hosts.note(device.host, "inventory", in_inventory=True)
        try:
            local = self.tools.local_addresses()
        except Exception as exc:  # psutil failing must not stop the other steps
            self.out.errors.append(f"cannot list the scanning host's addresses: {exc!r}")
            local = []
        own = {str(a.address.ip) for a in local}
        for plan in classify(inventory.subnets, local, arp=self.options.arp,
                             icmp=self.options.icmp):
            await self._sweep(plan, own)
        if self.options.lldp_crawl and inventory.devices:
            await self._crawl()
        await self._identify()

    # -- sweeps -------------------------------------------------------------------------------

    async def _sweep(self, plan: SweepPlan, own: set[str]) -> None:
        record = DiscoverySweep(subnet=str(plan.prefix), name=plan.name, method=plan.method,
                                error=plan.reason)
        self.out.sweeps.append(record)
        if plan.method == "none":
            return
        try:
            targets = host_addresses(plan.prefix, self.options.max_hosts, exclude=own)
        except TooLarge as exc:
            record.error = str(exc)
            return
        record.targets = len(targets)
        if plan.method == "arp" and plan.source is not None:
            await self._arp(record, plan.source, targets)
            self._said(record)
            if record.error and record.sent == 0 and self.options.icmp:
                # no packet socket (not root) or interface down: ping the subnet instead
                fallback = DiscoverySweep(subnet=record.subnet, name=record.name, method="icmp",
                                          targets=len(targets))
                self.out.sweeps.append(fallback)
                await self._icmp(fallback, targets)
                self._said(fallback)
        else:
            await self._icmp(record, targets)
            self._said(record)

    def _said(self, record: DiscoverySweep) -> None:
        self.say(f"{record.method.upper()} sweep of {record.name or record.subnet}: "
                 f"{record.answered} of {record.targets} answered in "
                 f"{record.duration_ms / 1000:.1f} s"
                 + (f" ({record.error})" if record.error else ""))

    async def _arp(self, record: DiscoverySweep, source: LocalAddress,
                   targets: list[str]) -> None:
        record.interface = source.interface
        if not source.up:
            record.error = f"interface {source.interface} is down"
            return
        if not source.mac:
            record.error = f"interface {source.interface} has no MAC address (not Ethernet)"
            return
        t0 = time.perf_counter()
        try:
            result = await self.tools.arp_sweep(
                source.interface, source.mac, str(source.address.ip), targets, self.scope,
                rate_pps=self.options.rate_pps, attempts=ATTEMPTS, timeout_s=REPLY_TIMEOUT_S)
        except InfraAuditError as exc:
            record.error = str(exc)
            return
        finally:
            record.duration_ms = round((time.perf_counter() - t0) * 1000, 1)
        record.sent, record.answered, record.error = result.sent, len(result.replies), result.error
        for address, reply in result.replies.items():
            self.hosts.note(address, "arp", mac=reply.mac, interface=source.interface,
                            rtt_ms=reply.rtt_ms)

    async def _icmp(self, record: DiscoverySweep, targets: list[str]) -> None:
        t0 = time.perf_counter()
        try:
            record.sent, answered = await icmp_sweep(targets, self.scope, self.tools.pinger,
                                                     rate_pps=self.options.rate_pps)
        except PingUnavailable as exc:
            record.error = str(exc)
            return
        except (InfraAuditError, OSError) as exc:
            record.error = f"ICMP sweep failed: {exc}"
            return
        finally:
            record.duration_ms = round((time.perf_counter() - t0) * 1000, 1)
        record.answered = len(answered)
        for address, rtt in answered.items():
            self.hosts.note(address, "icmp", rtt_ms=round(rtt, 3))

    # -- crawl and identification -------------------------------------------------------------

    async def _crawl(self) -> None:
        devices = self.inventory.devices
        names = {d.host: d.name for d in devices if d.name}
        result = await crawl([d.host for d in devices], self.snmp.neighbours, self.scope,
                             max_devices=self.max_devices, max_depth=self.max_depth,
                             concurrency=self.inventory.limits.concurrency, names=names)
        self.out.crawled, self.out.edges = result.crawled, result.edges
        for edge in result.edges:
            if edge.followed and edge.neighbour_address:
                self.hosts.note(edge.neighbour_address, edge.protocol)
        outside = sum(1 for e in result.edges if not e.followed)
        self.say(f"LLDP/CDP crawl: {len(result.crawled)} device(s), {len(result.edges)} "
                 f"neighbour(s), {outside} not followed")

    async def _identify(self) -> None:
        todo = [h for h in self.hosts.by_address.values()
                if not h.in_inventory and self.scope.contains(h.address)]
        if not todo or not self.snmp.profiles:
            return
        identities = await asyncio.gather(*(self.snmp.identify(h.address) for h in todo))
        for host, identity in zip(todo, identities, strict=True):
            if identity is None:
                continue
            host.snmp_profile = identity.profile
            host.sys_name, host.sys_object_id = identity.sys_name, identity.sys_object_id
            host.sys_descr, host.vendor = identity.sys_descr, identity.vendor
        named = sum(1 for i in identities if i is not None)
        self.say(f"SNMP identification: {named} of {len(todo)} responder(s) answered")


async def discover(inventory: Inventory, *, snmp_backend: Backend = Backend.GUFO,
                   progress: Progress | None = None, tools: Tools | None = None,
                   max_devices: int = MAX_DEVICES, max_depth: int = MAX_DEPTH) -> Discovery:
    """Discover the hosts and devices of the inventory's subnets. Never raises (but for
    cancellation): failures are recorded in the result.

    Uses pysnmp's shared engine when a profile needs it: call
    ``infraaudit.probes.snmp.client.release_backends()`` at the end of the scan, as the runner does.
    """
    run = _Run(inventory, snmp_backend, progress, tools or Tools(), max_devices, max_depth)
    try:
        return await run.run()
    except Exception as exc:  # a bug must cost the discovery record, not the scan
        log.exception("discovery: internal error")
        run.out.errors.append(f"internal error: {exc!r}")
        return run.out
