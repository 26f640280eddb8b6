"""DHCPv6 server discovery: one Solicit, then every Advertise in the window.

Read-only by construction: the Solicit carries no Rapid Commit option, so a server can only
answer with an Advertise (an offer), and we never send a Request, so nothing is leased.
:func:`build_solicit` and :func:`parse_advertise` work on raw frames; :func:`solicit` does the
I/O on an injected :class:`~infraaudit.probes.ipv6.link.FrameLink`.
"""

from __future__ import annotations

import contextlib
import ipaddress
import secrets
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from infraaudit.models.ipv6 import Dhcpv6Advert
from infraaudit.probes.ipv6.link import FrameLink, IfaceInfo, exchange

if TYPE_CHECKING:
    from scapy.packet import Packet

# scapy is imported by the functions that build or parse frames: importing it reads the host's
# routes and interfaces (~0.25 s, ~50 MB), which a scan that sends no frame does not need.

ALL_DHCP_MAC = "33:33:00:01:00:02"
ALL_DHCP = "ff02::1:2"
CLIENT_PORT, SERVER_PORT = 546, 547
UDP_PROTO = 17
OPTION_DNS_SERVERS, OPTION_DOMAIN_LIST = 23, 24


@dataclass(frozen=True)
class Solicit:
    frame: bytes
    trid: int
    client_duid: bytes


def build_solicit(mac: str, source: str, trid: int | None = None,
                  iaid: int | None = None) -> Solicit:
    """Solicit from ``source`` (link-local) with a DUID-LL made from ``mac``, one IA_NA and an
    Option Request for DNS servers and the domain search list. No Rapid Commit."""
    from scapy.layers.dhcp6 import (
        DUID_LL,
        DHCP6_Solicit,
        DHCP6OptClientId,
        DHCP6OptElapsedTime,
        DHCP6OptIA_NA,
        DHCP6OptOptReq,
    )
    from scapy.layers.inet import UDP
    from scapy.layers.inet6 import IPv6
    from scapy.layers.l2 import Ether

    trid = secrets.randbits(24) if trid is None else trid
    iaid = secrets.randbits(32) if iaid is None else iaid
    duid = DUID_LL(lladdr=mac)
    frame = (Ether(src=mac, dst=ALL_DHCP_MAC)
             / IPv6(src=source, dst=ALL_DHCP, hlim=1)
             / UDP(sport=CLIENT_PORT, dport=SERVER_PORT)
             / DHCP6_Solicit(trid=trid)
             / DHCP6OptClientId(duid=duid)
             / DHCP6OptElapsedTime(elapsedtime=0)
             / DHCP6OptIA_NA(iaid=iaid, T1=0, T2=0)
             / DHCP6OptOptReq(reqopts=[OPTION_DNS_SERVERS, OPTION_DOMAIN_LIST]))
    return Solicit(bytes(frame), trid, bytes(duid))


def looks_like_advertise(frame: bytes) -> bool:
    """Cheap pre-filter: untagged IPv6 / UDP 547 -> 546 / message type 2 (Advertise)."""
    return (len(frame) >= 66 and frame[12:14] == b"\x86\xdd" and frame[20] == UDP_PROTO
            and frame[54:58] == b"\x02\x23\x02\x22" and frame[62] == 2)


def _chain(first: Packet) -> list[Packet]:
    from scapy.packet import NoPayload

    found = []
    layer: Packet | None = first
    while layer is not None and not isinstance(layer, NoPayload):
        found.append(layer)
        layer = layer.payload
    return found


def _name(value: object) -> str:
    text = value.decode(errors="replace") if isinstance(value, bytes) else str(value)
    return text.rstrip(".")


def parse_advertise(frame: bytes, trid: int | None = None, client_duid: bytes | None = None,
                    at_ms: float = 0.0) -> Dhcpv6Advert | None:
    """One Advertise frame, or None if it is not one (or answers another transaction/client)."""
    from scapy.layers.dhcp6 import (
        DHCP6_Advertise,
        DHCP6OptClientId,
        DHCP6OptDNSDomains,
        DHCP6OptDNSServers,
        DHCP6OptIA_NA,
        DHCP6OptIAAddress,
        DHCP6OptPref,
        DHCP6OptServerId,
        DHCP6OptStatusCode,
    )
    from scapy.layers.inet6 import IPv6
    from scapy.layers.l2 import Ether

    try:
        pkt = Ether(frame)
    except Exception:  # scapy raises many types on garbage
        return None
    if DHCP6_Advertise not in pkt or IPv6 not in pkt:
        return None
    adv = pkt[DHCP6_Advertise]
    if trid is not None and int(adv.trid) != trid:
        return None
    server_duid: bytes | None = None
    addresses: list[str] = []
    valid: int | None = None
    dns: list[str] = []
    search: list[str] = []
    pref: int | None = None
    status: tuple[int, str] | None = None
    for opt in _chain(adv.payload):
        if isinstance(opt, DHCP6OptServerId):  # first: scapy derives it from ClientId
            server_duid = bytes(opt.duid)
        elif isinstance(opt, DHCP6OptClientId):
            if client_duid is not None and bytes(opt.duid) != client_duid:
                return None
        elif isinstance(opt, DHCP6OptIA_NA):
            for sub in opt.ianaopts:
                if isinstance(sub, DHCP6OptIAAddress):
                    addresses.append(str(ipaddress.IPv6Address(sub.addr)))
                    valid = int(sub.validlft) if valid is None else valid
                elif isinstance(sub, DHCP6OptStatusCode) and status is None:
                    status = (int(sub.statuscode), _name(sub.statusmsg))
        elif isinstance(opt, DHCP6OptDNSServers):
            dns.extend(str(ipaddress.IPv6Address(a)) for a in opt.dnsservers)
        elif isinstance(opt, DHCP6OptDNSDomains):
            search.extend(_name(d) for d in opt.dnsdomains)
        elif isinstance(opt, DHCP6OptPref):
            pref = int(opt.prefval)
        elif isinstance(opt, DHCP6OptStatusCode):
            status = (int(opt.statuscode), _name(opt.statusmsg))  # top level wins
    if server_duid is None:  # RFC 8415 §16.3: an Advertise without Server ID is discarded
        return None
    return Dhcpv6Advert(
        server_duid=server_duid.hex(":"), source=str(pkt[IPv6].src), mac=str(pkt.src).lower(),
        preference=pref, addresses=addresses, valid_lifetime_s=valid, dns_servers=dns,
        domain_search=search, status_code=status[0] if status else None,
        status_message=(status[1] or None) if status else None, first_seen_ms=round(at_ms, 3))


@contextlib.contextmanager
def _client_port(iface: str) -> Iterator[socket.socket]:
    """Hold UDP port 546 on ``iface`` while listening, so our own kernel does not answer the
    Advertise with ICMPv6 port unreachable. Best effort: a DHCP client may hold it already."""
    sock = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    try:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, iface.encode())
            sock.bind(("::", CLIENT_PORT))
        yield sock
    finally:
        sock.close()


def solicit(link: FrameLink, info: IfaceInfo, timeout_s: float,
            hold_port: bool = True) -> list[Dhcpv6Advert]:
    """Send one Solicit, listen ``timeout_s`` seconds; one entry per Advertise received."""
    if info.link_local is None:
        raise OSError(info.link_local_note or "no link-local address")
    sol = build_solicit(info.mac, info.link_local)

    def keep(frame: bytes) -> bool:
        return looks_like_advertise(frame)

    if hold_port:
        with _client_port(info.name):
            got = exchange(link, [(0.0, sol.frame)], timeout_s, keep)
    else:
        got = exchange(link, [(0.0, sol.frame)], timeout_s, keep)
    found = [parse_advertise(frame, sol.trid, sol.client_duid, at_ms) for at_ms, frame in got]
    return [a for a in found if a is not None]
