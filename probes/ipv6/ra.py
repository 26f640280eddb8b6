"""Router discovery: one Router Solicitation, then every Router Advertisement in the window.

:func:`build_rs` and :func:`parse_ra` work on raw frames (unit tests feed recorded bytes);
:func:`merge_adverts` folds the RAs of one router into one :class:`RouterAdvert`;
:func:`discover_routers` does the I/O on an injected
:class:`~infraaudit.probes.ipv6.link.FrameLink`.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING

from infraaudit.models.ipv6 import RaPrefix, RouterAdvert, RouterPreference
from infraaudit.probes.ipv6.link import FrameLink, IfaceInfo, exchange

if TYPE_CHECKING:
    from scapy.packet import Packet

# scapy is imported by the functions that build or parse frames: importing it reads the host's
# routes and interfaces (~0.25 s, ~50 MB), which a scan that sends no frame does not need.

ALL_ROUTERS_MAC = "33:33:00:00:00:02"
ALL_ROUTERS = "ff02::2"
ICMPV6, RA_TYPE = 58, 134
_PREFERENCE: dict[int, RouterPreference] = {0: "medium", 1: "high", 2: "reserved", 3: "low"}
_LINK_LOCAL = ipaddress.IPv6Network("fe80::/10")


def build_rs(mac: str, source: str | None) -> bytes:
    """Router Solicitation to all-routers; without a source address (``::``) the source
    link-layer option must be left out (RFC 4861 §4.1)."""
    from scapy.layers.inet6 import ICMPv6ND_RS, ICMPv6NDOptSrcLLAddr, IPv6
    from scapy.layers.l2 import Ether

    frame = (Ether(src=mac, dst=ALL_ROUTERS_MAC)
             / IPv6(src=source or "::", dst=ALL_ROUTERS, hlim=255) / ICMPv6ND_RS())
    if source:
        frame = frame / ICMPv6NDOptSrcLLAddr(lladdr=mac)
    return bytes(frame)


def looks_like_ra(frame: bytes) -> bool:
    """Cheap pre-filter on raw bytes (untagged IPv6, no extension header, ICMPv6 type 134)."""
    return (len(frame) >= 70 and frame[12:14] == b"\x86\xdd" and frame[20] == ICMPV6
            and frame[54] == RA_TYPE)


def _options(ra: Packet) -> list[Packet]:
    from scapy.packet import NoPayload

    found = []
    layer = ra.payload
    while layer is not None and not isinstance(layer, NoPayload):
        found.append(layer)
        layer = layer.payload
    return found


def _name(value: object) -> str:
    text = value.decode(errors="replace") if isinstance(value, bytes) else str(value)
    return text.rstrip(".")


def parse_ra(frame: bytes, at_ms: float = 0.0) -> RouterAdvert | None:
    """One RA frame as a :class:`RouterAdvert` (``received=1``), or None if the frame is not a
    valid RA (RFC 4861 §6.1.2: hop limit 255, link-local source, code 0)."""
    from scapy.layers.inet6 import (
        ICMPv6ND_RA,
        ICMPv6NDOptDNSSL,
        ICMPv6NDOptMTU,
        ICMPv6NDOptPrefixInfo,
        ICMPv6NDOptRDNSS,
        ICMPv6NDOptSrcLLAddr,
        IPv6,
    )
    from scapy.layers.l2 import Ether

    try:
        pkt = Ether(frame)
    except Exception:  # scapy raises many types on garbage
        return None
    if IPv6 not in pkt or ICMPv6ND_RA not in pkt:
        return None
    ip6, ra = pkt[IPv6], pkt[ICMPv6ND_RA]
    try:
        source = ipaddress.IPv6Address(ip6.src)
        multicast = ipaddress.IPv6Address(ip6.dst).is_multicast
    except ValueError:
        return None
    if ip6.hlim != 255 or source not in _LINK_LOCAL or ra.code != 0:
        return None
    prefixes: list[RaPrefix] = []
    rdnss: list[str] = []
    dnssl: list[str] = []
    mac: str | None = None
    mtu: int | None = None
    rdnss_lifetime: int | None = None
    for opt in _options(ra):
        if type(opt) is ICMPv6NDOptSrcLLAddr:  # not its subclass, the target LL option
            mac = str(opt.lladdr).lower()
        elif isinstance(opt, ICMPv6NDOptMTU):
            mtu = int(opt.mtu)
        elif isinstance(opt, ICMPv6NDOptPrefixInfo):
            try:
                net = ipaddress.IPv6Network((opt.prefix, int(opt.prefixlen)), strict=False)
            except ValueError:
                continue
            prefixes.append(RaPrefix(prefix=str(net), on_link=bool(opt.L),
                                     autonomous=bool(opt.A),
                                     valid_lifetime_s=int(opt.validlifetime),
                                     preferred_lifetime_s=int(opt.preferredlifetime)))
        elif isinstance(opt, ICMPv6NDOptRDNSS):
            rdnss.extend(str(ipaddress.IPv6Address(a)) for a in opt.dns)
            rdnss_lifetime = int(opt.lifetime)
        elif isinstance(opt, ICMPv6NDOptDNSSL):
            dnssl.extend(_name(n) for n in opt.searchlist)
    return RouterAdvert(
        source=str(source), mac=mac, frame_mac=str(pkt.src).lower(), hop_limit=int(ra.chlim),
        managed=bool(ra.M), other_config=bool(ra.O), preference=_PREFERENCE[int(ra.prf) & 3],
        router_lifetime_s=int(ra.routerlifetime), reachable_time_ms=int(ra.reachabletime),
        retrans_timer_ms=int(ra.retranstimer), prefixes=prefixes, rdnss=rdnss,
        rdnss_lifetime_s=rdnss_lifetime, dnssl=dnssl, mtu=mtu, received=1,
        multicast=int(multicast), first_seen_ms=round(at_ms, 3))


def merge_adverts(adverts: list[RouterAdvert]) -> list[RouterAdvert]:
    """One entry per router (source address), in order of first appearance: header fields of
    its last RA, union of prefixes (latest lifetimes win), RDNSS and DNSSL; counts summed."""
    merged: dict[str, RouterAdvert] = {}
    for ad in adverts:
        old = merged.get(ad.source)
        if old is None:
            merged[ad.source] = ad.model_copy(deep=True)
            continue
        prefixes = {p.prefix: p for p in old.prefixes}
        prefixes.update({p.prefix: p for p in ad.prefixes})
        merged[ad.source] = ad.model_copy(update={
            "mac": ad.mac or old.mac,
            "mtu": ad.mtu if ad.mtu is not None else old.mtu,
            "prefixes": list(prefixes.values()),
            "rdnss": list(dict.fromkeys([*old.rdnss, *ad.rdnss])),
            "rdnss_lifetime_s": (ad.rdnss_lifetime_s if ad.rdnss_lifetime_s is not None
                                 else old.rdnss_lifetime_s),
            "dnssl": list(dict.fromkeys([*old.dnssl, *ad.dnssl])),
            "received": old.received + ad.received,
            "multicast": old.multicast + ad.multicast,
            "first_seen_ms": old.first_seen_ms,
        }, deep=True)
    return list(merged.values())


def discover_routers(link: FrameLink, info: IfaceInfo, timeout_s: float) -> list[RouterAdvert]:
    """Send one RS at once, listen ``timeout_s`` seconds, return the routers heard."""
    got = exchange(link, [(0.0, build_rs(info.mac, info.link_local))], timeout_s, looks_like_ra)
    adverts = [ad for at_ms, frame in got if (ad := parse_ra(frame, at_ms)) is not None]
    return merge_adverts(adverts)
