"""IPv6 readiness of a LAN segment and of the scanning host (issue 5, part 3a).

What the ``infraaudit.probes.ipv6`` package measures on one link: the routers that advertise
(RA), the DHCPv6 servers that answer a Solicit (never a Request: nothing is leased), the IPv6
hosts that answer an all-nodes echo, what the resolver returns for A and AAAA, and the scanning
host's own IPv6 addresses and default routes.

Units: protocol lifetimes are whole seconds as on the wire (``*_s``; ``4294967295`` means
infinity, RFC 4861 §4.6.2), measured durations are milliseconds (``*_ms``), times are ISO 8601
UTC. MAC addresses are lower-case ``aa:bb:cc:dd:ee:ff``; IPv6 addresses are compressed
(RFC 5952), prefixes ``address/length``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from infraaudit.models.base import Strict

INFINITE_LIFETIME = 0xFFFFFFFF

RouterPreference = Literal["high", "medium", "low", "reserved"]
AddressScope = Literal["global", "link-local", "site-local", "loopback", "other"]


class RaPrefix(Strict):
    """One Prefix Information option (RFC 4861 §4.6.2)."""

    prefix: str = Field(description="prefix/length, e.g. fd00:1::/64")
    on_link: bool = Field(description="L flag")
    autonomous: bool = Field(description="A flag: hosts may form addresses by SLAAC")
    valid_lifetime_s: int
    preferred_lifetime_s: int


class RouterAdvert(Strict):
    """What one router (one link-local source) advertised during the listening window.

    When a router sent several advertisements, the header fields are those of the last one and
    prefixes, RDNSS and DNSSL are the union of all of them.
    """

    source: str = Field(description="link-local address the RA came from")
    mac: str | None = Field(default=None, description="source link-layer address option")
    frame_mac: str = Field(description="Ethernet source address of the frame")
    hop_limit: int = Field(description="Cur Hop Limit advertised (0: unspecified)")
    managed: bool = Field(description="M flag: addresses from DHCPv6")
    other_config: bool = Field(description="O flag: other configuration from DHCPv6")
    preference: RouterPreference = Field(description="default router preference (RFC 4191)")
    router_lifetime_s: int = Field(description="0: not a default router")
    reachable_time_ms: int
    retrans_timer_ms: int
    prefixes: list[RaPrefix] = Field(default_factory=list)
    rdnss: list[str] = Field(default_factory=list, description="RDNSS servers (RFC 8106)")
    rdnss_lifetime_s: int | None = None
    dnssl: list[str] = Field(default_factory=list, description="DNS search list (RFC 8106)")
    mtu: int | None = None
    received: int = Field(description="RAs from this router during the window")
    multicast: int = Field(
        description="of which sent to all-nodes: periodic (unsolicited) RAs, or a router that "
                    "answers solicitations by multicast")
    first_seen_ms: float = Field(description="time from our Router Solicitation to the first RA")


class Dhcpv6Advert(Strict):
    """One DHCPv6 Advertise answering our Solicit (RFC 8415 §16.3)."""

    server_duid: str = Field(description="server identifier (DUID), colon-separated hex")
    source: str = Field(description="server (or relay) link-local address")
    mac: str = Field(description="Ethernet source address of the frame")
    preference: int | None = Field(default=None, description="Preference option, 0..255")
    addresses: list[str] = Field(default_factory=list, description="addresses offered in IA_NA")
    valid_lifetime_s: int | None = Field(default=None,
                                         description="valid lifetime of the first address")
    dns_servers: list[str] = Field(default_factory=list)
    domain_search: list[str] = Field(default_factory=list)
    status_code: int | None = Field(
        default=None,
        description="status code (0 Success, 2 NoAddrsAvail...), top level or in IA_NA")
    status_message: str | None = None
    first_seen_ms: float


class Ipv6Neighbour(Strict):
    """One IPv6 host seen on the link."""

    address: str
    mac: str | None = None
    state: str | None = Field(default=None, description="neighbour cache state (ip neigh)")
    rtt_ms: float | None = Field(default=None, description="echo reply delay")


class LinkIpv6Hosts(Strict):
    """IPv6 hosts on the link: all-nodes echo responders and the neighbour cache.

    Hosts that ignore multicast echo (e.g. some firewalled desktops) are missed by the echo
    count; the neighbour cache only holds hosts the scanner exchanged traffic with.
    """

    echo_count: int = 0
    echo_responders: list[Ipv6Neighbour] = Field(default_factory=list)
    neighbour_count: int | None = Field(default=None,
                                        description="reachable/stale entries; None if unread")
    neighbours: list[Ipv6Neighbour] = Field(default_factory=list)
    window_ms: float = 0.0
    error: str | None = None


class DnsAnswer(Strict):
    """A and AAAA for one name from one resolver (plain UDP)."""

    name: str
    a: list[str] = Field(default_factory=list)
    aaaa: list[str] = Field(default_factory=list)
    rcode_a: str | None = Field(default=None, description="NOERROR, NXDOMAIN, SERVFAIL...")
    rcode_aaaa: str | None = None
    server: str | None = Field(default=None, description="resolver that answered")
    duration_ms: float | None = None
    error: str | None = None


class SegmentIpv6(Strict):
    """IPv6 on one LAN segment, seen from the scanner's interface on it."""

    interface: str
    segment: str | None = Field(default=None, description="segment name from the inventory")
    segment_prefix: str | None = None
    mac: str | None = Field(default=None, description="scanner's MAC on the interface")
    link_local: str | None = Field(default=None, description="scanner's link-local address")
    started_at: str = Field(description="ISO 8601 UTC")
    duration_ms: float
    ra: list[RouterAdvert] = Field(default_factory=list)
    ra_multicast: int = Field(default=0,
                              description="multicast (mostly unsolicited) RAs in the window")
    dhcpv6: list[Dhcpv6Advert] = Field(default_factory=list)
    hosts: LinkIpv6Hosts = Field(default_factory=LinkIpv6Hosts)
    errors: list[str] = Field(default_factory=list, description="'<probe>: <error>' lines")


class HostAddress(Strict):
    interface: str
    address: str
    prefix_length: int
    scope: AddressScope
    flags: list[str] = Field(default_factory=list,
                             description="tentative, deprecated, temporary, permanent...")


class Ipv6Route(Strict):
    destination: str = Field(description="prefix/length; ::/0 for a default route")
    gateway: str | None = None
    interface: str
    metric: int


class RouteLookup(Strict):
    """Which route the scanning host would use for one destination (no packet is sent)."""

    destination: str
    reachable: bool = Field(description="a route exists (says nothing about the far end)")
    gateway: str | None = None
    interface: str | None = None
    source: str | None = Field(default=None, description="source address the kernel would use")
    error: str | None = None


class HostIpv6(Strict):
    """The scanning host's own IPv6 state."""

    addresses: list[HostAddress] = Field(default_factory=list)
    global_addresses: int = Field(default=0, description="global-scope addresses, all interfaces")
    default_routes: list[Ipv6Route] = Field(default_factory=list)
    route_lookups: list[RouteLookup] = Field(default_factory=list)
    errors: list[str] = Field(default_factory=list)
