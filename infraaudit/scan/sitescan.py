"""The per-site part of a scan: ping series, repeated port polls, IPv6 on the LAN and readiness.

Active probes here only ever send to inventory devices and to addresses inside the inventory's
declared subnets (a gateway outside them is recorded, not pinged).
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import time
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Literal

from infraaudit.errors import PingUnavailable, TransportError
from infraaudit.findings import device_readiness, load_ipv6_catalog, site_phase
from infraaudit.inventory import Inventory, LinkOptions, Subnet
from infraaudit.models import Device, Port
from infraaudit.models.host import ScanningHost
from infraaudit.models.link import PingSeries, PortPoll
from infraaudit.models.readiness import Ipv6Report
from infraaudit.probes.ipv6 import host_state, probe_segment, resolve
from infraaudit.probes.link import (
    STATUS_PROBE,
    StatusSample,
    parse_status,
    ping_many,
    port_polls,
    sample_of,
)
from infraaudit.probes.snmp import (
    INTERFACES_PROBE,
    Backend,
    BaseClient,
    SnmpTarget,
    make_client,
    parse_interfaces,
    resample_health,
)

log = logging.getLogger(__name__)

PingKind = Literal["gateway", "device"]
SAMPLE_EVERY_S = 1.0
SYS_UPTIME = "1.3.6.1.2.1.1.3.0"  # status samples between the first and the last poll


def in_subnets(address: str, subnets: list[Subnet]) -> bool:
    """True if ``address`` lies in one of the declared subnets."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    return any(ip.version == s.prefix.version and ip in s.prefix for s in subnets)


def ping_plan(inventory: Inventory, host: ScanningHost | None, gateway: bool = True
              ) -> tuple[list[tuple[str, str | None, PingKind]], list[str]]:
    """``([(address, name, kind)], notes)``: the devices, and the gateways inside the subnets."""
    plan: list[tuple[str, str | None, PingKind]] = []
    notes = []
    seen = set()
    if gateway and host is not None:
        for route in host.default_routes:
            if route.gateway in seen:
                continue
            local = {iface for iface, _ in local_segments(inventory, host)}
            if in_subnets(route.gateway, inventory.subnets):
                plan.append((route.gateway, "gateway", "gateway"))
                seen.add(route.gateway)
            elif route.gateway.lower().startswith("fe80:") and route.interface in local:
                # a link-local next hop on a segment the host is on (declared) is on that segment
                plan.append((f"{route.gateway}%{route.interface}", "gateway", "gateway"))
                seen.add(route.gateway)
            else:
                notes.append(f"gateway {route.gateway} not pinged: outside the declared subnets")
    for entry in inventory.devices:
        if entry.host not in seen:
            plan.append((entry.host, entry.name, "device"))
            seen.add(entry.host)
    return plan, notes


async def run_pings(inventory: Inventory, host: ScanningHost | None,
                    options: LinkOptions | None = None,
                    ) -> tuple[list[PingSeries], str | None, list[str]]:
    """Ping series to every planned target: (series, why none ran, targets left out).
    ``options`` default to the inventory's ``link`` section."""
    options = options or inventory.link
    plan, notes = ping_plan(inventory, host, options.ping_gateway)
    started = datetime.now(UTC).isoformat(timespec="seconds")
    try:
        stats = await ping_many([t for t, _, _ in plan], options.ping_count,
                                options.ping_interval_ms / 1000, options.ping_timeout_s)
    except PingUnavailable as exc:
        return [], str(exc), notes
    series = []
    for address, name, kind in plan:
        s = stats[address]
        series.append(PingSeries(
            target=address, name=name, kind=kind,
            count=options.ping_count, interval_ms=options.ping_interval_ms, started_at=started,
            sent=s.sent, received=s.received, loss_pct=_round(s.loss_pct),
            rtt_min_ms=_round(s.rtt_min_ms), rtt_avg_ms=_round(s.rtt_avg_ms),
            rtt_max_ms=_round(s.rtt_max_ms), jitter_ms=_round(s.jitter_ms)))
    return series, None, notes


def _round(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


@dataclass
class PollTarget:
    """A device scanned over SNMP whose ports are polled again."""

    device: Device
    target: SnmpTarget
    first_at: float  # monotonic time the full scan finished
    samples: list[StatusSample] = field(default_factory=list)


async def poll_again(targets: list[PollTarget], options: LinkOptions, backend: Backend
                     ) -> tuple[list[PortPoll], list[str]]:
    """Sample each device's port status every second until ``poll_interval_s`` after its first
    poll, then re-read its interface table; return port records and per-device errors."""
    results = await asyncio.gather(*(_poll_one(t, options, backend) for t in targets))
    polls: list[PortPoll] = []
    errors: list[str] = []
    for got, error in results:
        polls += got
        if error:
            errors.append(error)
    return polls, errors


async def _poll_one(pt: PollTarget, options: LinkOptions, backend: Backend
                    ) -> tuple[list[PortPoll], str | None]:
    client = make_client(pt.target, backend)
    label = pt.device.name or pt.device.host
    try:
        await client.open()
        samples = [sample_of(pt.device)]
        samples[0].at = pt.first_at
        deadline = pt.first_at + options.poll_interval_s
        while time.monotonic() + SAMPLE_EVERY_S < deadline:
            await asyncio.sleep(SAMPLE_EVERY_S)
            samples.append(await _status(client))
        await asyncio.sleep(max(0.0, deadline - time.monotonic()))
        last_status = await _status(client)
        before = time.monotonic()
        last = parse_interfaces(await INTERFACES_PROBE.collect(client))
        read_at = (before + time.monotonic()) / 2
        samples.append(last_status)
        await _second_health_sample(client, pt.device, label)
        ports = _with_status(last.ports, last_status)
        first_read = _counters_read_at(pt.device) or pt.first_at
        return (port_polls(pt.device, ports, samples, read_at - first_read), None)
    except TransportError as exc:
        return [], f"{label}: second poll failed: {exc}"
    except Exception as exc:  # one device's odd data must not cost the others
        log.exception("%s: second poll", label)
        return [], f"{label}: second poll failed: internal error {exc!r}"
    finally:
        await client.close()


async def _second_health_sample(client: BaseClient, device: Device, label: str) -> None:
    """CPU and memory read again in the second poll, so a high load is judged on two samples.
    A device whose first read had neither is not asked; a failed read leaves the first sample."""
    health = device.health
    if health is None or not (health.cpu or health.memory):
        return
    try:
        second = await resample_health(client, health)
    except TransportError as exc:
        log.info("%s: second CPU/memory read failed: %s", label, exc)
        return
    health.cpu += second.cpu
    health.memory += second.memory


def _counters_read_at(device: Device) -> float | None:
    """Monotonic time the full scan read the device's interface counters: the middle of its
    interfaces probe. Rates divide by the time between the two counter reads, not by the time
    between the end of the scan and the second poll (a slow agent's walk would inflate them)."""
    probe = next((p for p in device.probes if p.probe == INTERFACES_PROBE.name), None)
    if probe is None:
        return None
    try:
        started = datetime.fromisoformat(probe.started_at).timestamp()
    except ValueError:
        return None
    return started + probe.duration_ms / 2000 - (time.time() - time.monotonic())


async def _status(client: BaseClient) -> StatusSample:
    sample = parse_status(await STATUS_PROBE.collect(client))
    sample.at = time.monotonic()
    return sample


def _with_status(ports: list[Port], status: StatusSample) -> list[Port]:
    """Ports of the last poll; status columns from the status sample taken with them."""
    for port in ports:
        if port.oper_status is None:
            port.oper_status = status.oper.get(port.if_index)
    return ports


# --- IPv6 readiness -----------------------------------------------------------------------------


def local_segments(inventory: Inventory, host: ScanningHost | None
                   ) -> list[tuple[str, Subnet]]:
    """``(interface, subnet)`` for each non-loopback interface with an address in a declared
    subnet: the segments where router and DHCPv6 discovery may run (one per interface)."""
    out: dict[str, Subnet] = {}
    for iface in host.interfaces if host else []:
        if iface.kind == "loopback" or not iface.up:
            continue
        for cidr in iface.addresses:
            address = cidr.split("/", 1)[0]
            subnet = next((s for s in inventory.subnets if in_subnets(address, [s])), None)
            if subnet is not None and iface.name not in out:
                out[iface.name] = subnet
    return sorted(out.items())


def dns_servers(inventory: Inventory, host: ScanningHost | None) -> tuple[list[str], list[str]]:
    """Resolvers to ask (listed, else the host's inside the subnets) and notes on those left out."""
    if inventory.ipv6.dns_servers:
        return [str(a) for a in inventory.ipv6.dns_servers], []
    servers, notes = [], []
    for server in host.dns_servers if host else []:
        if in_subnets(server, inventory.subnets):
            servers.append(server)
        else:
            notes.append(f"resolver {server} not asked: outside the declared subnets "
                         "(list it in ipv6.dns_servers to use it)")
    return servers, notes


async def run_ipv6_lan(inventory: Inventory, host: ScanningHost | None) -> Ipv6Report:
    """RA/DHCPv6/host count on each local segment, AAAA of the listed names, host IPv6 state."""
    options = inventory.ipv6
    report = Ipv6Report()
    segments = local_segments(inventory, host)
    if not segments:
        report.notes.append("no interface of the scanning host is inside a declared subnet: "
                            "router and DHCPv6 discovery not run")
    report.segments = list(await asyncio.gather(*(
        probe_segment(iface, options.timeout_s, segment=subnet.label,
                      segment_prefix=str(subnet.prefix))
        for iface, subnet in segments)))
    if options.dns_names:
        servers, notes = dns_servers(inventory, host)
        report.notes += notes
        if servers:
            report.dns = await asyncio.to_thread(resolve, options.dns_names, servers)
        else:
            report.notes.append("DNS names not checked: no resolver inside the declared subnets")
    v6_devices = [e.host for e in inventory.devices if ":" in e.host]
    report.host = await asyncio.to_thread(host_state, v6_devices)
    return report


async def management_over_ipv6(device: Device, target: SnmpTarget, subnets: list[Subnet],
                               backend: Backend) -> str | None:
    """The first of the device's IPv6 addresses (inside the subnets) that answers SNMP, if any.

    A device listed in the inventory by an IPv6 address already answered on it."""
    if ":" in device.host:
        return device.host if device.reachable else None
    candidates = [a.address for a in device.addresses
                  if a.family.value == "ipv6" and not a.address.lower().startswith("fe80")
                  and in_subnets(a.address, subnets)]
    for address in dict.fromkeys(candidates):
        client = make_client(replace(target, host=address, retries=0), backend)
        try:
            await client.open()
            if await client.get([SYS_UPTIME]):
                return address
        except TransportError:
            continue
        finally:
            await client.close()
    return None


def readiness(report: Ipv6Report, devices: list[Device], management: dict[str, str | None],
              inventory: Inventory) -> None:
    """Fill the report's device scores and site phase (pure, from what was measured)."""
    catalog = load_ipv6_catalog(inventory.ipv6.catalog)
    ra_macs = {m.lower() for s in report.segments for ra in s.ra
               for m in (ra.mac, ra.frame_mac) if m}
    report.devices = [device_readiness(d, catalog, ra_macs, management.get(d.host))
                      for d in devices if d.reachable]
    report.site = site_phase(report, inventory.ipv6.dns_names)
