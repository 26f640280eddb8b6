"""The scanning host's own IPv6 state: addresses, default routes, and route lookups.

Addresses come from ``/proc/net/if_inet6`` and routes from ``/proc/net/ipv6_route`` (both follow
the reader's network namespace); a route lookup asks the kernel (``ip -6 -j route get``), which
sends nothing. Whether the far end answers is the pinger's job, not this module's.
"""

from __future__ import annotations

import ipaddress
import json
import subprocess
from collections.abc import Callable, Iterable
from pathlib import Path

from infraaudit.models.ipv6 import AddressScope, HostAddress, HostIpv6, Ipv6Route, RouteLookup
from infraaudit.probes.ipv6.link import IF_INET6, parse_if_inet6

IPV6_ROUTE = Path("/proc/net/ipv6_route")
RTF_REJECT = 0x0200
_SCOPES: dict[int, AddressScope] = {0x00: "global", 0x20: "link-local", 0x40: "site-local",
                                    0x10: "loopback"}
_FLAGS = {0x01: "temporary", 0x02: "nodad", 0x04: "optimistic", 0x08: "dadfailed",
          0x10: "homeaddress", 0x20: "deprecated", 0x40: "tentative", 0x80: "permanent"}
_UNREACHABLE_TYPES = {"unreachable", "prohibit", "blackhole", "throw"}

RouteGetter = Callable[[str], "subprocess.CompletedProcess[str]"]


def parse_addresses(text: str) -> list[HostAddress]:
    """``/proc/net/if_inet6`` as :class:`HostAddress` rows (scope and flag names decoded)."""
    rows = []
    for ln in parse_if_inet6(text):
        rows.append(HostAddress(
            interface=ln.interface, address=ln.address, prefix_length=ln.prefix_length,
            scope=_SCOPES.get(ln.scope, "other"),
            flags=[name for bit, name in _FLAGS.items() if ln.flags & bit]))
    return rows


def parse_routes(text: str) -> list[Ipv6Route]:
    """``/proc/net/ipv6_route``: ``dst plen src splen gateway metric refcnt use flags dev``;
    reject routes (the kernel's unreachable entries) are left out."""
    routes = []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) != 10:
            continue
        try:
            dst = ipaddress.IPv6Address(bytes.fromhex(parts[0]))
            plen = int(parts[1], 16)
            gateway = ipaddress.IPv6Address(bytes.fromhex(parts[4]))
            metric, flags = int(parts[5], 16), int(parts[8], 16)
        except ValueError:
            continue
        if flags & RTF_REJECT:
            continue
        routes.append(Ipv6Route(destination=f"{dst}/{plen}",
                                gateway=None if gateway.is_unspecified else str(gateway),
                                interface=parts[9], metric=metric))
    return routes


def default_routes(routes: Iterable[Ipv6Route]) -> list[Ipv6Route]:
    found = {(r.gateway, r.interface, r.metric): r for r in routes
             if r.destination == "::/0" and r.interface != "lo"}
    return sorted(found.values(), key=lambda r: (r.metric, r.interface))


def parse_route_get(destination: str, returncode: int, stdout: str, stderr: str) -> RouteLookup:
    """The result of ``ip -6 -j route get DESTINATION``."""
    if returncode != 0:
        message = stderr.strip().removeprefix("RTNETLINK answers: ") or f"exit {returncode}"
        return RouteLookup(destination=destination, reachable=False, error=message)
    try:
        entries = json.loads(stdout) if stdout.strip() else []
    except ValueError as exc:
        return RouteLookup(destination=destination, reachable=False, error=f"bad output: {exc}")
    if not entries:
        return RouteLookup(destination=destination, reachable=False, error="no route")
    entry = entries[0]
    kind = entry.get("type", "unicast")
    reachable = kind not in _UNREACHABLE_TYPES
    return RouteLookup(destination=destination, reachable=reachable,
                       gateway=entry.get("gateway"), interface=entry.get("dev"),
                       source=entry.get("prefsrc"),
                       error=None if reachable else f"{kind} route")


def _route_get(destination: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["ip", "-6", "-j", "route", "get", destination], capture_output=True,
                          text=True, check=False, timeout=5)


def route_lookup(destinations: Iterable[str],
                 getter: RouteGetter = _route_get) -> list[RouteLookup]:
    """The route the kernel would use for each IPv6 destination (no packet is sent)."""
    found = []
    for dest in destinations:
        try:
            addr = ipaddress.IPv6Address(dest.split("%", 1)[0])
        except ValueError:
            found.append(RouteLookup(destination=dest, reachable=False,
                                     error="not an IPv6 address"))
            continue
        try:
            res = getter(str(addr))
        except (OSError, subprocess.SubprocessError) as exc:
            found.append(RouteLookup(destination=dest, reachable=False, error=str(exc)))
            continue
        found.append(parse_route_get(dest, res.returncode, res.stdout, res.stderr))
    return found


def host_state(check: Iterable[str] = (), if_inet6: Path = IF_INET6,
               ipv6_route: Path = IPV6_ROUTE,
               getter: RouteGetter = _route_get) -> HostIpv6:
    """Own addresses, default routes and route lookups for ``check``; never raises."""
    errors: list[str] = []
    addresses: list[HostAddress] = []
    routes: list[Ipv6Route] = []
    try:
        addresses = parse_addresses(if_inet6.read_text())
    except OSError as exc:
        errors.append(f"addresses: {if_inet6}: {exc.strerror or exc}")
    try:
        routes = default_routes(parse_routes(ipv6_route.read_text()))
    except OSError as exc:
        errors.append(f"routes: {ipv6_route}: {exc.strerror or exc}")
    return HostIpv6(addresses=addresses,
                    global_addresses=sum(a.scope == "global" for a in addresses),
                    default_routes=routes, route_lookups=route_lookup(check, getter),
                    errors=errors)
