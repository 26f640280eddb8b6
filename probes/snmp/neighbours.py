"""ARP and ND tables: which MAC answers each IP address the device has resolved.

IP-MIB ipNetToPhysicalTable (RFC 4293: IPv4 and IPv6 in one table, index ``ifIndex.type.len.
address``), RFC 1213 ipNetToMediaTable (IPv4, index ``ifIndex.a.b.c.d``) and IPV6-MIB
ipv6NetToMediaTable (RFC 2465, index ``ifIndex`` + 16 arcs), all three read and joined: many
agents fill the newer table only in part (a Ruijie S5750 lists 4 IPv4 rows there and 409 in
ipNetToMediaTable; ZTE, H3C and Huawei recordings do the same), others only the newer one.
Where two tables hold the same address on the same interface the newer table's row stays.
Rows marked invalid, without a 6-byte MAC, or multicast are left out; one odd row costs that
row, never the table.
"""

from __future__ import annotations

import ipaddress

from pydantic import BaseModel, ConfigDict

from infraaudit.models import AddressFamily, Neighbour
from infraaudit.models.device import NeighbourState
from infraaudit.probes.snmp.base import SnmpProbe
from infraaudit.probes.snmp.transport import Value
from infraaudit.probes.snmp.values import Walked, index_ip, integer, mac, split_index

_PHYSICAL = "1.3.6.1.2.1.4.35.1"
_MEDIA = "1.3.6.1.2.1.4.22.1"
_IPV6_MEDIA = "1.3.6.1.2.1.55.1.12.1"
PHYSICAL_SOURCE = "IP-MIB ipNetToPhysicalTable"
MEDIA_SOURCE = "RFC1213-MIB ipNetToMediaTable"
IPV6_MEDIA_SOURCE = "IPV6-MIB ipv6NetToMediaTable"

# ipNetToPhysicalType / ipNetToMediaType: other(1) invalid(2) dynamic(3) static(4) local(5)
_IP_MIB_TYPE: dict[int, NeighbourState | None] = {
    1: "other", 2: None, 3: "dynamic", 4: "static", 5: "local"}
# ipv6NetToMediaType: other(1) dynamic(2) static(3) local(4)
_IPV6_MIB_TYPE: dict[int, NeighbourState | None] = {
    1: "other", 2: "dynamic", 3: "static", 4: "local"}


class NeighbourFacts(BaseModel):
    model_config = ConfigDict(extra="forbid")

    neighbours: list[Neighbour]


def _row(address: str, raw_mac: Value | None, if_index: int | None,
         state: NeighbourState | None, source: str) -> Neighbour | None:
    found = mac(raw_mac)
    if found is None or state is None or int(found[:2], 16) & 1:  # no MAC, invalid, multicast
        return None
    ip = ipaddress.ip_address(address)
    if ip.is_multicast or ip.is_unspecified:
        return None
    family = AddressFamily.IPV6 if ip.version == 6 else AddressFamily.IPV4
    return Neighbour(ip=str(ip), mac=found, family=family, if_index=if_index, state=state,
                     source=source)


def _state(table: dict[int, NeighbourState | None], value: Value | None
           ) -> NeighbourState | None:
    code = integer(value)
    return "dynamic" if code is None else table.get(code, "other")


def _from_physical(walked: Walked) -> list[Neighbour]:
    found = []
    types = walked.get("ipNetToPhysicalType", {})
    for index, raw in walked.get("ipNetToPhysicalPhysAddress", {}).items():
        arcs = split_index(index)
        if len(arcs) < 3:
            continue
        decoded = index_ip(arcs[2:], arcs[1])
        if decoded is None or decoded[1]:
            continue
        row = _row(decoded[0], raw, arcs[0], _state(_IP_MIB_TYPE, types.get(index)),
                   PHYSICAL_SOURCE)
        if row is not None:
            found.append(row)
    return found


def _from_media(walked: Walked) -> list[Neighbour]:
    found = []
    types = walked.get("ipNetToMediaType", {})
    for index, raw in walked.get("ipNetToMediaPhysAddress", {}).items():
        arcs = split_index(index)
        if len(arcs) != 5 or any(a > 255 for a in arcs[1:]):
            continue
        row = _row(".".join(map(str, arcs[1:])), raw, arcs[0],
                   _state(_IP_MIB_TYPE, types.get(index)), MEDIA_SOURCE)
        if row is not None:
            found.append(row)
    return found


def _from_ipv6_media(walked: Walked) -> list[Neighbour]:
    found = []
    types = walked.get("ipv6NetToMediaType", {})
    valid = walked.get("ipv6NetToMediaValid", {})
    for index, raw in walked.get("ipv6NetToMediaPhysAddress", {}).items():
        arcs = split_index(index)
        decoded = index_ip(arcs[1:], 2) if len(arcs) == 17 else None
        if decoded is None or integer(valid.get(index)) == 2:  # ipv6NetToMediaValid false(2)
            continue
        row = _row(decoded[0], raw, arcs[0], _state(_IPV6_MIB_TYPE, types.get(index)),
                   IPV6_MEDIA_SOURCE)
        if row is not None:
            found.append(row)
    return found


def parse(walked: Walked) -> NeighbourFacts:
    unique: dict[tuple[str, int | None], Neighbour] = {}
    for row in [*_from_physical(walked), *_from_media(walked), *_from_ipv6_media(walked)]:
        unique.setdefault((row.ip, row.if_index), row)
    ordered = sorted(unique.values(), key=lambda r: (r.family, ipaddress.ip_address(r.ip),
                                                     r.if_index or 0))
    return NeighbourFacts(neighbours=ordered)


PROBE = SnmpProbe(
    name="neighbours",
    parse=parse,
    columns={
        "ipNetToPhysicalPhysAddress": f"{_PHYSICAL}.4",
        "ipNetToPhysicalType": f"{_PHYSICAL}.6",
        "ipNetToMediaPhysAddress": f"{_MEDIA}.2",
        "ipNetToMediaType": f"{_MEDIA}.4",
        "ipv6NetToMediaPhysAddress": f"{_IPV6_MEDIA}.2",
        "ipv6NetToMediaType": f"{_IPV6_MEDIA}.3",
        "ipv6NetToMediaValid": f"{_IPV6_MEDIA}.6",
    },
)
