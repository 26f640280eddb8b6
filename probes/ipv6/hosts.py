"""IPv6 hosts on the link: ICMPv6 echo to all-nodes (ff02::1) plus the kernel neighbour cache.

:func:`build_echo`, :func:`parse_echo_reply` and :func:`parse_neighbours` are pure;
:func:`count_hosts` does the I/O on an injected :class:`~infraaudit.probes.ipv6.link.FrameLink`.
"""

from __future__ import annotations

import ipaddress
import json
import secrets
import subprocess
from collections.abc import Callable, Collection

from infraaudit.models.ipv6 import Ipv6Neighbour, LinkIpv6Hosts
from infraaudit.probes.ipv6.link import ALL_NODES_MAC, FrameLink, IfaceInfo, exchange

# scapy is imported by the functions that build or parse frames: importing it reads the host's
# routes and interfaces (~0.25 s, ~50 MB), which a scan that sends no frame does not need.

ALL_NODES = "ff02::1"
ICMPV6, ECHO_REPLY = 58, 129
PAYLOAD = b"infraaudit ipv6 host count"
# neighbour states that mean "a host answered at this address" (not FAILED/INCOMPLETE/NONE)
LIVE_STATES = frozenset({"REACHABLE", "STALE", "DELAY", "PROBE", "PERMANENT", "NOARP"})

NeighbourReader = Callable[[str], str]


def build_echo(mac: str, source: str, ident: int, seq: int) -> bytes:
    from scapy.layers.inet6 import ICMPv6EchoRequest, IPv6
    from scapy.layers.l2 import Ether

    return bytes(Ether(src=mac, dst=ALL_NODES_MAC) / IPv6(src=source, dst=ALL_NODES, hlim=1)
                 / ICMPv6EchoRequest(id=ident, seq=seq, data=PAYLOAD))


def looks_like_echo_reply(frame: bytes) -> bool:
    return (len(frame) >= 62 and frame[12:14] == b"\x86\xdd" and frame[20] == ICMPV6
            and frame[54] == ECHO_REPLY)


def parse_echo_reply(frame: bytes, ident: int) -> tuple[str, str, int] | None:
    """(source address, source MAC, sequence) of an echo reply to our ``ident``, else None."""
    from scapy.layers.inet6 import ICMPv6EchoReply, IPv6
    from scapy.layers.l2 import Ether

    try:
        pkt = Ether(frame)
    except Exception:  # scapy raises many types on garbage
        return None
    if IPv6 not in pkt or ICMPv6EchoReply not in pkt:
        return None
    reply = pkt[ICMPv6EchoReply]
    if int(reply.id) != ident:
        return None
    try:
        source = str(ipaddress.IPv6Address(pkt[IPv6].src))
    except ValueError:
        return None
    return source, str(pkt.src).lower(), int(reply.seq)


def responders(replies: list[tuple[float, bytes]], ident: int, sent_ms: dict[int, float],
               exclude: Collection[str] = ()) -> list[Ipv6Neighbour]:
    """Distinct (address, MAC) responders, first reply's delay as rtt; ``exclude`` drops the
    scanner's own addresses and MACs."""
    seen: dict[tuple[str, str], Ipv6Neighbour] = {}
    for at_ms, frame in replies:
        parsed = parse_echo_reply(frame, ident)
        if parsed is None:
            continue
        address, mac, seq = parsed
        if address in exclude or mac in exclude or (address, mac) in seen:
            continue
        rtt = at_ms - sent_ms[seq] if seq in sent_ms else None
        seen[(address, mac)] = Ipv6Neighbour(address=address, mac=mac,
                                             rtt_ms=round(rtt, 3) if rtt is not None else None)
    return sorted(seen.values(), key=lambda n: (ipaddress.IPv6Address(n.address), n.mac or ""))


def parse_neighbours(text: str, exclude: Collection[str] = ()) -> list[Ipv6Neighbour]:
    """Live entries of ``ip -6 -j neigh show dev IFACE`` (not FAILED/INCOMPLETE)."""
    entries = json.loads(text) if text.strip() else []
    found = []
    for entry in entries:
        address = entry.get("dst")
        states = [str(s) for s in entry.get("state", [])]
        if not address or not LIVE_STATES.intersection(states) or address in exclude:
            continue
        try:
            ip = ipaddress.IPv6Address(address)
        except ValueError:
            continue
        if ip.is_multicast:
            continue
        lladdr = entry.get("lladdr")
        found.append(Ipv6Neighbour(address=str(ip), mac=str(lladdr).lower() if lladdr else None,
                                   state=",".join(states)))
    return sorted(found, key=lambda n: ipaddress.IPv6Address(n.address))


def read_neighbours(iface: str) -> str:
    """``ip -6 -j neigh show dev IFACE`` (raises OSError / CalledProcessError)."""
    return subprocess.run(["ip", "-6", "-j", "neigh", "show", "dev", iface], capture_output=True,
                          text=True, check=True, timeout=5).stdout


def count_hosts(link: FrameLink, info: IfaceInfo, window_s: float,
                neighbours: NeighbourReader | None = read_neighbours) -> LinkIpv6Hosts:
    """Two echo requests to ff02::1 (at 0 and window/2), listen ``window_s`` seconds, then read
    the neighbour cache. The scanner's own addresses and MAC are excluded from both lists."""
    exclude = {*info.own_addresses, info.mac}
    errors: list[str] = []
    echoed: list[Ipv6Neighbour] = []
    if info.link_local is None:
        errors.append(f"echo: {info.link_local_note or 'no link-local address'}")
    else:
        ident = secrets.randbits(16)
        sends = [(0.0, build_echo(info.mac, info.link_local, ident, 1)),
                 (window_s / 2, build_echo(info.mac, info.link_local, ident, 2))]
        got = exchange(link, sends, window_s, looks_like_echo_reply)
        echoed = responders(got, ident, {1: 0.0, 2: window_s / 2 * 1000.0}, exclude)
    cache: list[Ipv6Neighbour] = []
    cache_read = False
    if neighbours is not None:
        try:
            cache = parse_neighbours(neighbours(info.name), exclude)
            cache_read = True
        except (OSError, ValueError, subprocess.SubprocessError) as exc:
            errors.append(f"neighbour cache: {exc}")
    return LinkIpv6Hosts(echo_count=len(echoed), echo_responders=echoed,
                         neighbour_count=len(cache) if cache_read else None, neighbours=cache,
                         window_ms=round(window_s * 1000.0, 3),
                         error="; ".join(errors) or None)
