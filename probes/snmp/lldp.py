"""LLDP-MIB (IEEE 802.1AB-2005): neighbours seen on each local port, with their management address.

lldpRemTable rows are indexed by timeMark.localPortNum.remIndex. localPortNum is not always an
ifIndex, so the local port's own id and description (lldpLocPortTable) are kept for the mapping
done when the device is assembled (see ``infraaudit.probes.snmp.device.map_lldp_ports``).
"""

from __future__ import annotations

import ipaddress

from pydantic import BaseModel, ConfigDict

from infraaudit.models import LldpNeighbour
from infraaudit.probes.snmp.base import SnmpProbe
from infraaudit.probes.snmp.system import LLDP_CAPABILITIES
from infraaudit.probes.snmp.transport import Value
from infraaudit.probes.snmp.values import Walked, bits, is_printable, mac, split_index, text

_REM = "1.0.8802.1.1.2.1.4.1.1"
_LOC_PORT = "1.0.8802.1.1.2.1.3.7.1"
_MAN_ADDR = "1.0.8802.1.1.2.1.4.2.1"
SUBTYPE_MAC, SUBTYPE_NETWORK = 4, 5  # chassis id subtypes
PORT_SUBTYPE_MAC, PORT_SUBTYPE_NETWORK = 3, 4


class LocalPortNeighbours(BaseModel):
    model_config = ConfigDict(extra="forbid")

    local_port_num: int
    local_port_id: str | None = None
    local_port_descr: str | None = None
    neighbours: list[LldpNeighbour]


class LldpFacts(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ports: list[LocalPortNeighbours]


def _id(value: Value | None, subtype: int | None, mac_subtype: int, net_subtype: int) -> str | None:
    if not isinstance(value, bytes):
        return text(value)
    if subtype == mac_subtype and len(value) == 6:
        return mac(value)
    if subtype == net_subtype and len(value) in (5, 17) and value[0] in (1, 2):
        return str(ipaddress.ip_address(value[1:]))
    if is_printable(value):
        return text(value)
    return value.hex(":")


def _mgmt_addresses(walked: Walked) -> dict[tuple[int, int], str]:
    """(localPortNum, remIndex) -> first management address (IPv4 preferred)."""
    found: dict[tuple[int, int], str] = {}
    for index in walked.get("lldpRemManAddrIfSubtype", {}):
        arcs = split_index(index)
        if len(arcs) < 5:
            continue
        key, subtype, rest = (arcs[1], arcs[2]), arcs[3], arcs[4:]
        size = {1: 4, 2: 16}.get(subtype)
        if size is None:
            continue
        body = rest[1:] if len(rest) == size + 1 and rest[0] == size else rest
        if len(body) != size or any(a > 255 for a in body):
            continue
        address = str(ipaddress.ip_address(bytes(body)))
        if key not in found or (subtype == 1 and ":" in found[key]):
            found[key] = address
    return found


def parse(walked: Walked) -> LldpFacts:
    def rem(column: str, index: str) -> Value | None:
        return walked.get(column, {}).get(index)

    mgmt = _mgmt_addresses(walked)
    by_port: dict[int, list[LldpNeighbour]] = {}
    indexes: set[str] = set()
    for column in ("lldpRemChassisId", "lldpRemSysName", "lldpRemPortId"):
        indexes.update(walked.get(column, {}))
    for index in sorted(indexes, key=split_index):
        arcs = split_index(index)
        if len(arcs) != 3:
            continue
        _, local_port, rem_index = arcs
        chassis_subtype = rem("lldpRemChassisIdSubtype", index)
        port_subtype = rem("lldpRemPortIdSubtype", index)
        neighbour = LldpNeighbour(
            sys_name=text(rem("lldpRemSysName", index)),
            sys_descr=text(rem("lldpRemSysDesc", index)),
            chassis_id=_id(rem("lldpRemChassisId", index),
                           chassis_subtype if isinstance(chassis_subtype, int) else None,
                           SUBTYPE_MAC, SUBTYPE_NETWORK),
            port_id=_id(rem("lldpRemPortId", index),
                        port_subtype if isinstance(port_subtype, int) else None,
                        PORT_SUBTYPE_MAC, PORT_SUBTYPE_NETWORK),
            port_descr=text(rem("lldpRemPortDesc", index)),
            capabilities=bits(rem("lldpRemSysCapEnabled", index), LLDP_CAPABILITIES),
            mgmt_address=mgmt.get((local_port, rem_index)),
        )
        by_port.setdefault(local_port, []).append(neighbour)
    ports = []
    for local_port, neighbours in sorted(by_port.items()):
        key = str(local_port)
        loc_subtype = walked.get("lldpLocPortIdSubtype", {}).get(key)
        ports.append(LocalPortNeighbours(
            local_port_num=local_port,
            local_port_id=_id(walked.get("lldpLocPortId", {}).get(key),
                              loc_subtype if isinstance(loc_subtype, int) else None,
                              PORT_SUBTYPE_MAC, PORT_SUBTYPE_NETWORK),
            local_port_descr=text(walked.get("lldpLocPortDesc", {}).get(key)),
            neighbours=neighbours,
        ))
    return LldpFacts(ports=ports)


PROBE = SnmpProbe(
    name="lldp",
    parse=parse,
    columns={
        "lldpLocPortIdSubtype": f"{_LOC_PORT}.2",
        "lldpLocPortId": f"{_LOC_PORT}.3",
        "lldpLocPortDesc": f"{_LOC_PORT}.4",
        "lldpRemChassisIdSubtype": f"{_REM}.4",
        "lldpRemChassisId": f"{_REM}.5",
        "lldpRemPortIdSubtype": f"{_REM}.6",
        "lldpRemPortId": f"{_REM}.7",
        "lldpRemPortDesc": f"{_REM}.8",
        "lldpRemSysName": f"{_REM}.9",
        "lldpRemSysDesc": f"{_REM}.10",
        "lldpRemSysCapEnabled": f"{_REM}.12",
        "lldpRemManAddrIfSubtype": f"{_MAN_ADDR}.3",
    },
)
