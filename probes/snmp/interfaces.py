"""IF-MIB ifTable + ifXTable and EtherLike-MIB dot3StatsTable: every port, state and counters."""

from __future__ import annotations

from functools import cache
from importlib import resources

from pydantic import BaseModel, ConfigDict

from infraaudit.models import Duplex, Port, PortCounters, port_kind
from infraaudit.probes.snmp.base import SnmpProbe
from infraaudit.probes.snmp.transport import Value
from infraaudit.probes.snmp.values import Walked, integer, mac, non_negative, text
from infraaudit.util.yamlfile import data_yaml

_IF = "1.3.6.1.2.1.2.2.1"
_IFX = "1.3.6.1.2.1.31.1.1.1"
_DOT3 = "1.3.6.1.2.1.10.7.2.1"

IF_STATUS = {1: "up", 2: "down", 3: "testing", 4: "unknown", 5: "dormant", 6: "notPresent",
             7: "lowerLayerDown"}
DUPLEX = {1: Duplex.UNKNOWN, 2: Duplex.HALF, 3: Duplex.FULL}
SPEED_SATURATED = 4_294_967_295  # ifSpeed tops out here; ifHighSpeed holds the real value


class InterfaceFacts(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ports: list[Port]


def parse(walked: Walked) -> InterfaceFacts:
    indexes: set[str] = set()
    for column in ("ifDescr", "ifType", "ifOperStatus", "ifName"):
        indexes.update(walked.get(column, {}))
    ports = []
    for index in sorted(indexes, key=int):
        def get(name: str, index: str = index) -> Value | None:
            return walked.get(name, {}).get(index)

        hc = get("ifHCInOctets") is not None
        name, descr = text(get("ifName")) or text(get("ifDescr")), text(get("ifDescr"))
        if_type = _if_type(integer(get("ifType")))
        ports.append(Port(
            if_index=int(index),
            name=name,
            descr=descr,
            alias=text(get("ifAlias")),
            type=if_type,
            kind=port_kind(if_type, name, descr),
            admin_status=IF_STATUS.get(integer(get("ifAdminStatus")) or 0),
            oper_status=IF_STATUS.get(integer(get("ifOperStatus")) or 0),
            speed_mbps=_speed(integer(get("ifSpeed")), integer(get("ifHighSpeed"))),
            duplex=DUPLEX.get(integer(get("dot3StatsDuplexStatus")) or 0),
            mtu=non_negative(get("ifMtu"), f"ifMtu.{index}"),
            mac=mac(get("ifPhysAddress")),
            last_change_s=_ticks(integer(get("ifLastChange"))),
            counters=PortCounters(
                in_octets=integer(get("ifHCInOctets" if hc else "ifInOctets")),
                out_octets=integer(get("ifHCOutOctets" if hc else "ifOutOctets")),
                in_ucast_pkts=integer(get("ifHCInUcastPkts" if hc else "ifInUcastPkts")),
                out_ucast_pkts=integer(get("ifHCOutUcastPkts" if hc else "ifOutUcastPkts")),
                in_errors=integer(get("ifInErrors")),
                out_errors=integer(get("ifOutErrors")),
                in_discards=integer(get("ifInDiscards")),
                out_discards=integer(get("ifOutDiscards")),
                fcs_errors=integer(get("dot3StatsFCSErrors")),
                alignment_errors=integer(get("dot3StatsAlignmentErrors")),
                hc=hc,
            ),
        ))
    return InterfaceFacts(ports=ports)


@cache
def if_types() -> dict[int, str]:
    """The IANAifType registry (``data/iftypes.yaml``): number -> name."""
    source = resources.files("infraaudit.probes.snmp").joinpath("data/iftypes.yaml")
    return {int(k): str(v) for k, v in data_yaml(source.read_text("utf-8")).items()}


def _if_type(code: int | None) -> str | None:
    if code is None:
        return None
    return if_types().get(code, f"iftype-{code}")


def _speed(if_speed: int | None, high_speed: int | None) -> float | None:
    """ifSpeed (b/s) is exact below 4.29 Gb/s; ifHighSpeed (Mb/s, rounded) is right above it."""
    if if_speed is not None and if_speed != SPEED_SATURATED and (if_speed or not high_speed):
        return if_speed / 1_000_000
    if high_speed:
        return float(high_speed)
    return None


def _ticks(value: int | None) -> float | None:
    return value / 100 if value is not None else None


PROBE = SnmpProbe(
    name="interfaces",
    parse=parse,
    columns={
        "ifDescr": f"{_IF}.2", "ifType": f"{_IF}.3", "ifMtu": f"{_IF}.4", "ifSpeed": f"{_IF}.5",
        "ifPhysAddress": f"{_IF}.6", "ifAdminStatus": f"{_IF}.7", "ifOperStatus": f"{_IF}.8",
        "ifLastChange": f"{_IF}.9", "ifInOctets": f"{_IF}.10", "ifInUcastPkts": f"{_IF}.11",
        "ifInDiscards": f"{_IF}.13", "ifInErrors": f"{_IF}.14", "ifOutOctets": f"{_IF}.16",
        "ifOutUcastPkts": f"{_IF}.17", "ifOutDiscards": f"{_IF}.19", "ifOutErrors": f"{_IF}.20",
        "ifName": f"{_IFX}.1", "ifHCInOctets": f"{_IFX}.6", "ifHCInUcastPkts": f"{_IFX}.7",
        "ifHCOutOctets": f"{_IFX}.10", "ifHCOutUcastPkts": f"{_IFX}.11",
        "ifHighSpeed": f"{_IFX}.15", "ifAlias": f"{_IFX}.18",
        "dot3StatsAlignmentErrors": f"{_DOT3}.2", "dot3StatsFCSErrors": f"{_DOT3}.3",
        "dot3StatsDuplexStatus": f"{_DOT3}.19",
    },
)
