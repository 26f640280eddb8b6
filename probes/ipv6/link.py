"""Packet I/O on one interface, isolated from the parsers so those stay pure.

A :class:`FrameLink` sends and receives whole Ethernet frames. :class:`PacketLink` is the real
one: an ``AF_PACKET`` socket bound to the interface for IPv6 frames only (it follows the network
namespace of the process that opens it, so it works under ``ip netns exec``). It never puts the
interface in promiscuous mode; it only asks for the all-nodes multicast group at layer 2, which
an IPv6-enabled interface has joined anyway. Tests inject a replaying link instead.
"""

from __future__ import annotations

import fcntl
import ipaddress
import select
import socket
import struct
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

ETH_P_IPV6 = 0x86DD
SOL_PACKET = 263
PACKET_ADD_MEMBERSHIP = 1
PACKET_MR_MULTICAST = 0
PACKET_OUTGOING = 4
SIOCGIFHWADDR = 0x8927
ARPHRD_ETHER = 1
ALL_NODES_MAC = "33:33:00:00:00:01"

IF_INET6 = Path("/proc/net/if_inet6")
IFA_F_TENTATIVE = 0x40
IFA_F_DADFAILED = 0x08
IFA_F_DEPRECATED = 0x20


class FrameLink(Protocol):
    """Whole Ethernet frames in and out of one interface."""

    def send(self, frame: bytes) -> None: ...

    def recv(self, timeout_s: float) -> bytes | None:
        """The next frame received (not one we sent), or None after ``timeout_s``."""
        ...

    def close(self) -> None: ...


LinkFactory = Callable[[str], FrameLink]


def mac_text(raw: bytes) -> str:
    return raw.hex(":")


class PacketLink:
    """``AF_PACKET`` socket on ``iface`` receiving IPv6 frames (root or CAP_NET_RAW)."""

    def __init__(self, iface: str) -> None:
        # protocol 0 receives nothing until bind() sets ETH_P_IPV6 on this interface only
        self._sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
        try:
            self._sock.bind((iface, ETH_P_IPV6))
            mreq = struct.pack("iHH8s", socket.if_nametoindex(iface), PACKET_MR_MULTICAST, 6,
                               bytes.fromhex(ALL_NODES_MAC.replace(":", "")))
            self._sock.setsockopt(SOL_PACKET, PACKET_ADD_MEMBERSHIP, mreq)
        except OSError:
            self._sock.close()
            raise

    def send(self, frame: bytes) -> None:
        self._sock.send(frame)

    def recv(self, timeout_s: float) -> bytes | None:
        deadline = time.monotonic() + max(timeout_s, 0.0)
        while True:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self._sock], [], [], max(left, 0.0))
            if not ready:
                return None
            frame, addr = self._sock.recvfrom(65535)
            if addr[2] != PACKET_OUTGOING:
                return frame
            if left <= 0:
                return None

    def close(self) -> None:
        self._sock.close()

    def __enter__(self) -> PacketLink:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def exchange(
    link: FrameLink,
    sends: Iterable[tuple[float, bytes]],
    window_s: float,
    keep: Callable[[bytes], bool],
) -> list[tuple[float, bytes]]:
    """Send each frame at its offset (seconds from the start), listen for ``window_s`` seconds;
    return ``(ms since the start, frame)`` for every received frame ``keep`` accepts."""
    pending = sorted(sends, key=lambda s: s[0])
    start = time.monotonic()
    got: list[tuple[float, bytes]] = []
    while True:
        now = time.monotonic() - start
        while pending and pending[0][0] <= now:
            link.send(pending.pop(0)[1])
        if now >= window_s:
            return got
        until = min(window_s, pending[0][0]) if pending else window_s
        frame = link.recv(until - now)
        if frame is not None and keep(frame):
            got.append(((time.monotonic() - start) * 1000.0, frame))


@dataclass(frozen=True)
class IfaceInfo:
    """The scanner's own identity on one interface."""

    name: str
    mac: str
    link_local: str | None
    link_local_note: str | None = None  # why there is no usable link-local address
    own_addresses: frozenset[str] = field(default_factory=frozenset)  # every interface's IPv6


@dataclass(frozen=True)
class Inet6Line:
    """One line of /proc/net/if_inet6."""

    address: str
    ifindex: int
    prefix_length: int
    scope: int
    flags: int
    interface: str


def parse_if_inet6(text: str) -> list[Inet6Line]:
    """Parse ``/proc/net/if_inet6``: ``addr32hex ifindex plen scope flags name`` (hex fields)."""
    lines = []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) != 6 or len(parts[0]) != 32:
            continue
        try:
            address = str(ipaddress.IPv6Address(bytes.fromhex(parts[0])))
            lines.append(Inet6Line(address, int(parts[1], 16), int(parts[2], 16),
                                   int(parts[3], 16), int(parts[4], 16), parts[5]))
        except ValueError:
            continue
    return lines


def pick_link_local(lines: Iterable[Inet6Line], iface: str) -> tuple[str | None, str | None]:
    """The interface's usable link-local address, or None and the reason."""
    candidates = [ln for ln in lines if ln.interface == iface and ln.scope == 0x20]
    usable = [ln for ln in candidates if not ln.flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED)]
    usable.sort(key=lambda ln: bool(ln.flags & IFA_F_DEPRECATED))
    if usable:
        return usable[0].address, None
    if candidates:
        return None, "link-local address still tentative or failed DAD"
    return None, "no IPv6 link-local address on the interface (IPv6 disabled?)"


def interface_mac(iface: str) -> str:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        req = struct.pack("256s", iface.encode()[:15])
        res = fcntl.ioctl(sock.fileno(), SIOCGIFHWADDR, req)
    family = struct.unpack_from("H", res, 16)[0]
    if family != ARPHRD_ETHER:
        raise OSError(f"{iface} is not an Ethernet interface (ARPHRD {family})")
    return mac_text(res[18:24])


def interface_info(iface: str, if_inet6: Path = IF_INET6) -> IfaceInfo:
    """MAC (ioctl) and IPv6 addresses (/proc/net/if_inet6) of ``iface``; raises OSError."""
    mac = interface_mac(iface)
    lines = parse_if_inet6(if_inet6.read_text()) if if_inet6.exists() else []
    link_local, note = pick_link_local(lines, iface)
    return IfaceInfo(iface, mac, link_local, note, frozenset(ln.address for ln in lines))
