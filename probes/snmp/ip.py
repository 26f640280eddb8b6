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
            continue  # an index that is no InetAddress: that row is skipped, not the table
        found.append(_make(decoded[0], _prefix(prefixes.get(index)), integer(if_index),
                           "IP-MIB ipAddressTable"))
    return found


def _prefix(prefix_oid: object) -> int | None:
    """ipAddressPrefix points at an ipAddressPrefixTable row whose last arc is the length."""
    if not isinstance(prefix_oid, str) or prefix_oid in ("0.0", ""):
        return None
    last = prefix_oid.rsplit(".", 1)[-1]
    return int(last) if last.isdigit() and int(last) <= 128 else None


def _extra_arc(indexes: list[list[int]]) -> int:
    """Where the extra element of 5-arc ipAddrTable indexes is (some agents, e.g. FortiOS and
    an H3C, add one before or after the address): 0 = first, 4 = last. The element that is the
    same on every such row is the extra one; when both ends are, the first."""
    five = [a for a in indexes if len(a) == 5]
    if five and len({a[0] for a in five}) > 1 and len({a[4] for a in five}) == 1:
        return 4
    return 0


def _v4(arcs: list[int]) -> str | None:
    if len(arcs) != 4 or any(a > 255 for a in arcs):
        return None
    return ".".join(map(str, arcs))


def _from_ip_addr_table(walked: Walked) -> list[IpAddress]:
    """RFC 1213 ipAddrTable. The address is ipAdEntAddr's value when the agent gives it, else the
    index (4 arcs; 5 with a vendor's extra element). A row with neither is skipped, alone."""
    found = []
    masks = walked.get("ipAdEntNetMask", {})
    values = walked.get("ipAdEntAddr", {})
    rows = walked.get("ipAdEntIfIndex", {})
    extra = _extra_arc([split_index(i) for i in rows if i.replace(".", "").isdigit()])
    for index, if_index in rows.items():
        value = values.get(index)
        address = value if isinstance(value, str) and _v4(split_index(value)) else None
        if address is None and index.replace(".", "").isdigit():
            arcs = split_index(index)
            address = _v4(arcs) or (_v4(arcs[1:] if extra == 0 else arcs[:4])
                                    if len(arcs) == 5 else None)
        if address is None or address == "0.0.0.0":
            continue
        found.append(_make(address, _mask_prefix(masks.get(index)), integer(if_index),
                           "RFC1213-MIB ipAddrTable"))
    return found


def _mask_prefix(mask: object) -> int | None:
    if not isinstance(mask, str) or mask.startswith("0."):  # "0.0.0.255" is a hostmask
        return None
    try:
        return ipaddress.IPv4Network(f"0.0.0.0/{mask}").prefixlen
    except ValueError:  # a non-contiguous mask: keep the address, leave the prefix out
        return None


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
        "ipAdEntAddr": f"{_IP_ADDR}.1",
        "ipAdEntIfIndex": f"{_IP_ADDR}.2",
        "ipAdEntNetMask": f"{_IP_ADDR}.3",
        "ipv6AddrPfxLength": f"{_IPV6_ADDR}.2",
    },
)
