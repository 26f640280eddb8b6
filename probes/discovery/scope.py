"""Where discovery may send: the declared subnets, and which of them are on the scanning host's
own links (swept by ARP) or routed (swept by ICMP). Pure, but for :func:`local_addresses`."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from infraaudit.errors import OutOfScope, TooLarge

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

IPV6_NOT_SWEPT = "not swept: IPv6 prefixes are too large; hosts are counted by the IPv6 LAN probe"


class SubnetLike(Protocol):
    """A declared subnet (``infraaudit.inventory.model.Subnet``)."""

    @property
    def prefix(self) -> Network: ...

    @property
    def name(self) -> str | None: ...


class Scope:
    """The declared subnets. Every sender asks :meth:`require` right before it sends."""

    def __init__(self, prefixes: Iterable[Network]) -> None:
        self.prefixes = tuple(prefixes)

    def contains(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address.split("%", 1)[0])
        except ValueError:
            return False
        return any(ip.version == p.version and ip in p for p in self.prefixes)

    def require(self, address: str) -> None:
        if not self.contains(address):
            raise OutOfScope(f"{address} is outside the inventory's subnets: not contacted")

    def subnet_of(self, address: str) -> Network | None:
        """The smallest declared subnet holding ``address``."""
        try:
            ip = ipaddress.ip_address(address.split("%", 1)[0])
        except ValueError:
            return None
        holding = [p for p in self.prefixes if ip.version == p.version and ip in p]
        return max(holding, key=lambda p: p.prefixlen, default=None)


@dataclass(frozen=True)
class LocalAddress:
    """An IPv4 address of the scanning host, on one interface."""

    interface: str
    address: ipaddress.IPv4Interface
    mac: str | None = None
    up: bool = True


@dataclass(frozen=True)
class SweepPlan:
    prefix: Network
    name: str | None
    method: Literal["arp", "icmp", "none"]
    source: LocalAddress | None = None  # the ARP sweep's interface and sender address
    reason: str | None = None  # why not swept (method "none")


def classify(subnets: Sequence[SubnetLike], local: Sequence[LocalAddress], *, arp: bool = True,
             icmp: bool = True) -> list[SweepPlan]:
    """How each declared subnet is swept: ARP where the host has an address inside it (on an
    interface that is up), ICMP where it has none, nothing for IPv6."""
    plans = []
    for subnet in subnets:
        prefix = subnet.prefix
        if prefix.version == 6:
            plans.append(SweepPlan(prefix, subnet.name, "none", reason=IPV6_NOT_SWEPT))
            continue
        inside = [a for a in local if a.address.ip in prefix and not a.address.ip.is_loopback]
        source = next((a for a in inside if a.up), inside[0] if inside else None)
        if source is not None and arp:
            plans.append(SweepPlan(prefix, subnet.name, "arp", source=source))
        elif icmp:
            plans.append(SweepPlan(prefix, subnet.name, "icmp", source=source))
        else:
            what = "ARP and ICMP sweeps" if source is None else "ARP sweep"
            plans.append(SweepPlan(prefix, subnet.name, "none",
                                   reason=f"not swept: {what} disabled (inventory discovery)"))
    return plans


def host_addresses(prefix: Network, max_hosts: int, exclude: Iterable[str] = ()) -> list[str]:
    """Every host address of an IPv4 subnet (never its network or broadcast address; both
    addresses of a /31), minus ``exclude``. Raises :class:`TooLarge` past ``max_hosts``."""
    if prefix.version != 4:
        raise TooLarge(IPV6_NOT_SWEPT)
    count = prefix.num_addresses - (2 if prefix.prefixlen < 31 else 0)
    if count > max_hosts:
        raise TooLarge(
            f"not swept: {prefix} has {count} host addresses, more than discovery.max_hosts "
            f"({max_hosts}); declare smaller subnets or raise max_hosts in the inventory"
        )
    skip = set(exclude)
    return [str(a) for a in prefix.hosts() if str(a) not in skip]


def local_addresses() -> list[LocalAddress]:
    """The scanning host's IPv4 addresses, per interface (of the current network namespace)."""
    import socket

    import psutil

    stats = psutil.net_if_stats()
    found = []
    for iface, addrs in psutil.net_if_addrs().items():
        mac = next((a.address.lower() for a in addrs if a.family == psutil.AF_LINK), None)
        up = iface in stats and stats[iface].isup
        for addr in addrs:
            if addr.family != socket.AF_INET or not addr.netmask:
                continue
            found.append(LocalAddress(
                iface, ipaddress.IPv4Interface(f"{addr.address}/{addr.netmask}"), mac, up))
    return found
