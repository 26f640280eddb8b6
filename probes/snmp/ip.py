"""IP addresses: IP-MIB ipAddressTable (RFC 4293), falling back to RFC 1213 ipAddrTable (IPv4)
and IPV6-MIB ipv6AddrTable (RFC 2465) for agents that predate RFC 4293."""

from __future__ import annotations

import ipaddress

from pydantic import BaseModel, ConfigDict

from infraaudit.models import AddressFamily, IpAddress
from infraaudit.probes.snmp.base import SnmpProbe
from infraaudit.probes.snmp.values import Walked, index_ip, integer, split_index

_IP_ADDRESS = "1.3.6.1.2.1.4.34.1"
_IP_ADDR = "1.3.6.1.2.1.4.20.1"
_IPV6_ADDR = "1.3.6.1.2.1.55.1.8.1"
BROADCAST = 3  # ipAddressType


class IpFacts(BaseModel):
    model_config = ConfigDict(extra="forbid")

    addresses: list[IpAddress]


def _scope(address: str) -> str:
    ip = ipaddress.ip_address(address)
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    return "global"


def _make(address: str, prefix: int | None, if_index: int | None, source: str) -> IpAddress:
    family = AddressFamily.IPV6 if ":" in address else AddressFamily.IPV4
    return IpAddress(address=address, family=family, prefix_length=prefix, if_index=if_index,
                     scope=_scope(address), source=source)


def _from_ip_address_table(walked: Walked) -> list[IpAddress]:
    found = []
    types = walked.get("ipAddressType", {})
    prefixes = walked.get("ipAddressPrefix", {})
    for index, if_index in walked.get("ipAddressIfIndex", {}).items():
        arcs = split_index(index)
        if not arcs or integer(types.get(index)) == BROADCAST:
            continue
        decoded = index_ip(arcs[1:], arcs[0])
        if decoded is None:
            continue
        prefix_oid = prefixes.get(index)
        prefix = None
        if isinstance(prefix_oid, str) and prefix_oid not in ("0.0", ""):
            prefix = int(prefix_oid.rsplit(".", 1)[1])  # ipAddressPrefixTable row: last arc
        found.append(_make(decoded[0], prefix, integer(if_index), "IP-MIB ipAddressTable"))
    return found


def _from_ip_addr_table(walked: Walked) -> list[IpAddress]:
    found = []
    masks = walked.get("ipAdEntNetMask", {})
    for index, if_index in walked.get("ipAdEntIfIndex", {}).items():
        mask = masks.get(index)
        prefix = None
        if isinstance(mask, str) and not mask.startswith("0."):  # "0.0.0.255" is a hostmask
            try:
                prefix = ipaddress.IPv4Network(f"0.0.0.0/{mask}").prefixlen
            except ValueError:  # a non-contiguous mask: keep the address, leave the prefix out
                prefix = None
        found.append(_make(index, prefix, integer(if_index), "RFC1213-MIB ipAddrTable"))
    return found


def _from_ipv6_addr_table(walked: Walked) -> list[IpAddress]:
    found = []
    for index, prefix in walked.get("ipv6AddrPfxLength", {}).items():
        arcs = split_index(index)
        if len(arcs) < 17:
            continue
        decoded = index_ip(arcs[1:], 2)
        if decoded is None:
            continue
        found.append(_make(decoded[0], integer(prefix), arcs[0], "IPV6-MIB ipv6AddrTable"))
    return found


def parse(walked: Walked) -> IpFacts:
    modern = _from_ip_address_table(walked)
    legacy_prefixes = {a.address: a.prefix_length for a in _from_ip_addr_table(walked)}
    for address in modern:  # some agents leave ipAddressPrefix at 0.0 but fill ipAdEntNetMask
        if address.prefix_length is None:
            address.prefix_length = legacy_prefixes.get(address.address)
    addresses = list(modern)
    if not any(a.family is AddressFamily.IPV4 for a in modern):
        addresses += _from_ip_addr_table(walked)
    if not any(a.family is AddressFamily.IPV6 for a in modern):
        addresses += _from_ipv6_addr_table(walked)
    unique = {(a.address, a.if_index): a for a in addresses}
    ordered = sorted(unique.values(), key=lambda a: (a.family, a.if_index or 0,
                                                     ipaddress.ip_address(a.address)))
    return IpFacts(addresses=ordered)


PROBE = SnmpProbe(
    name="ip",
    parse=parse,
    columns={
        "ipAddressIfIndex": f"{_IP_ADDRESS}.3",
        "ipAddressType": f"{_IP_ADDRESS}.4",
        "ipAddressPrefix": f"{_IP_ADDRESS}.5",
        "ipAdEntIfIndex": f"{_IP_ADDR}.2",
        "ipAdEntNetMask": f"{_IP_ADDR}.3",
        "ipv6AddrPfxLength": f"{_IPV6_ADDR}.2",
    },
)
