"""One LAN segment's IPv6: routers (RA), DHCPv6 servers and IPv6 hosts, probed concurrently."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar

from infraaudit.models.ipv6 import LinkIpv6Hosts, SegmentIpv6
from infraaudit.probes.ipv6.dhcpv6 import solicit
from infraaudit.probes.ipv6.hosts import NeighbourReader, count_hosts, read_neighbours
from infraaudit.probes.ipv6.link import (
    FrameLink,
    IfaceInfo,
    LinkFactory,
    PacketLink,
    interface_info,
)
from infraaudit.probes.ipv6.ra import discover_routers

T = TypeVar("T")


def _with_link(factory: LinkFactory, iface: str, job: Callable[[FrameLink], T]) -> T:
    link = factory(iface)
    try:
        return job(link)
    finally:
        link.close()


async def probe_segment(
    iface: str,
    timeout_s: float = 3.0,
    *,
    segment: str | None = None,
    segment_prefix: str | None = None,
    echo_window_s: float | None = None,
    link_factory: LinkFactory = PacketLink,
    info: IfaceInfo | None = None,
    neighbours: NeighbourReader | None = read_neighbours,
) -> SegmentIpv6:
    """Router Solicitation, DHCPv6 Solicit and all-nodes echo on ``iface``, concurrently (each
    on its own socket, in a worker thread), so the whole probe takes about ``timeout_s``.

    The echo window is ``echo_window_s`` (default: ``min(timeout_s, 2)``). Needs root (or
    CAP_NET_RAW) in the interface's network namespace. Never raises: every failure is an entry in
    ``errors`` ("ra: ...", "dhcpv6: ...", "hosts: ...").
    """
    started_at = datetime.now(UTC).isoformat(timespec="milliseconds")
    start = time.monotonic()

    def done(**fields: object) -> SegmentIpv6:
        return SegmentIpv6.model_validate({
            "interface": iface, "segment": segment, "segment_prefix": segment_prefix,
            "started_at": started_at,
            "duration_ms": round((time.monotonic() - start) * 1000.0, 3), **fields})

    if info is None:
        try:
            info = interface_info(iface)
        except OSError as exc:
            return done(errors=[f"interface: {exc.strerror or exc}"])
    me = info
    window = echo_window_s if echo_window_s is not None else min(timeout_s, 2.0)
    errors: dict[str, str] = {}

    async def run(name: str, job: Callable[[FrameLink], T]) -> T | None:
        try:
            return await asyncio.to_thread(_with_link, link_factory, iface, job)
        except Exception as exc:  # a probe failure is a recorded result
            errors[name] = str(exc) or type(exc).__name__
            return None

    ra, dhcp, hosts = await asyncio.gather(
        run("ra", lambda link: discover_routers(link, me, timeout_s)),
        run("dhcpv6", lambda link: solicit(link, me, timeout_s)),
        run("hosts", lambda link: count_hosts(link, me, window, neighbours)),
    )
    if hosts is not None and hosts.error:
        errors["hosts"] = hosts.error
    return done(mac=me.mac, link_local=me.link_local, ra=ra or [],
                ra_multicast=sum(r.multicast for r in ra or []), dhcpv6=dhcp or [],
                hosts=hosts or LinkIpv6Hosts(error=errors.get("hosts")),
                errors=[f"{name}: {errors[name]}" for name in ("ra", "dhcpv6", "hosts")
                        if name in errors])
