"""Layer 2 design and stability: VLANs and port PVIDs (Q-BRIDGE-MIB), spanning tree (BRIDGE-MIB
dot1dStp scalars and port states), PoE power sources and powered ports (POWER-ETHERNET-MIB).

Read gently: one GET of the STP scalars, three column walks (VLAN names, PVIDs, the four-column
pethMainPseTable); the STP port states only when the device answered an STP scalar, the PoE port
column only when it has a power source. Port numbers of the PVID and STP tables are bridge
ports, mapped to ifIndex with the bridge probe's dot1dBasePortIfIndex (``apply``).

Cisco IOS runs one spanning tree per VLAN and answers BRIDGE-MIB only per VLAN context
(community@vlan), which is not read here: its standard STP objects are absent or cover VLAN 1.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict

from infraaudit.models import (
    PoeGroup,
    Port,
    PowerOverEthernet,
    SpanningTree,
    StpState,
    Vlan,
)
from infraaudit.probes.snmp.base import SnmpProbe
from infraaudit.probes.snmp.table import walk_columns
from infraaudit.probes.snmp.transport import BaseClient, Value
from infraaudit.probes.snmp.values import Walked, integer, split_index, text

STP_STATES: dict[int, StpState] = {1: "disabled", 2: "blocking", 3: "listening", 4: "learning",
                                   5: "forwarding", 6: "broken"}
PSE_STATUS = {1: "on", 2: "off", 3: "faulty"}  # pethMainPseOperStatus
DELIVERING_POWER = 3  # pethPsePortDetectionStatus
_PSE = "1.3.6.1.2.1.105.1.3.1.1"  # pethMainPseEntry: .2 power (W), .3 status, .4 used (W), .5 %
PSE_COLUMNS = {2: "budget_w", 3: "status", 4: "used_w", 5: "usage_threshold_pct"}


class L2Facts(BaseModel):
    model_config = ConfigDict(extra="forbid")

    vlans: list[Vlan] = []
    pvid_by_base_port: dict[int, int] = {}
    stp: SpanningTree | None = None
    stp_state_by_base_port: dict[int, StpState] = {}
    poe: PowerOverEthernet | None = None


def _name(value: Value | None) -> str | None:
    """A VLAN name: text when it is an OCTET STRING (a number there is ignored, not fatal)."""
    return text(value) if isinstance(value, bytes) else None


def _bridge_id(value: Value | None) -> str | None:
    """BridgeId (2 octets priority, 6 octets MAC) -> ``32768/00:11:22:33:44:55``."""
    if not isinstance(value, bytes) or len(value) != 8:
        return None
    return f"{int.from_bytes(value[:2], 'big')}/" + ":".join(f"{b:02x}" for b in value[2:])


def _mac(value: Value | None) -> str | None:
    if not isinstance(value, bytes) or len(value) != 6:
        return None
    return ":".join(f"{b:02x}" for b in value)


def _scalar(walked: Walked, name: str) -> Value | None:
    return walked.get(name, {}).get("0")


def _by_port(column: dict[str, Value]) -> dict[int, int]:
    out = {}
    for index, raw in column.items():
        value, arcs = integer(raw), split_index(index)
        if value is not None and len(arcs) == 1:
            out[arcs[0]] = value
    return out


def _stp(walked: Walked) -> SpanningTree | None:
    changes = integer(_scalar(walked, "dot1dStpTopChanges"))
    ticks = integer(_scalar(walked, "dot1dStpTimeSinceTopologyChange"))
    root = _bridge_id(_scalar(walked, "dot1dStpDesignatedRoot"))
    if changes is None and ticks is None and root is None:
        return None
    own = _mac(_scalar(walked, "dot1dBaseBridgeAddress"))
    return SpanningTree(
        top_changes=changes, since_change_s=ticks / 100 if ticks is not None else None,
        designated_root=root, bridge_address=own,
        is_root=root.split("/")[1] == own if root and own and any(
            int(x, 16) for x in own.split(":")) else None)


def _poe(walked: Walked) -> PowerOverEthernet | None:
    groups: dict[int, dict[str, object]] = {}
    for index, raw in walked.get("pethMainPseEntry", {}).items():
        arcs, value = split_index(index), integer(raw)
        if len(arcs) != 2 or arcs[0] not in PSE_COLUMNS or value is None:
            continue
        field = PSE_COLUMNS[arcs[0]]
        row = groups.setdefault(arcs[1], {"group": arcs[1]})
        if field == "status":
            row[field] = PSE_STATUS.get(value)
        elif field == "usage_threshold_pct":
            row[field] = value if 1 <= value <= 99 else None
        else:
            row[field] = float(value) if value >= 0 else None
    detection = walked.get("pethPsePortDetectionStatus", {})
    if not groups and not detection:
        return None
    return PowerOverEthernet(
        groups=[PoeGroup.model_validate(groups[g]) for g in sorted(groups)],
        ports=len(detection),
        ports_powered=sum(integer(v) == DELIVERING_POWER for v in detection.values()))


def parse(walked: Walked) -> L2Facts:
    vlans = []
    for index, raw in walked.get("dot1qVlanStaticName", {}).items():
        arcs = split_index(index)
        if len(arcs) == 1 and 1 <= arcs[0] <= 4094:
            vlans.append(Vlan(id=arcs[0], name=_name(raw)))
    states = {port: STP_STATES[state] for port, state in
              _by_port(walked.get("dot1dStpPortState", {})).items() if state in STP_STATES}
    return L2Facts(
        vlans=sorted(vlans, key=lambda v: v.id),
        pvid_by_base_port={p: v for p, v in _by_port(walked.get("dot1qPvid", {})).items()
                           if 1 <= v <= 4094},
        stp=_stp(walked), stp_state_by_base_port=states, poe=_poe(walked))


def apply(facts: L2Facts, ports: list[Port], base_ports: dict[int, int]
          ) -> tuple[dict[int, int], SpanningTree | None]:
    """The PVIDs by ifIndex, and the spanning tree with its port states by ifIndex (bridge port
    -> ifIndex through ``base_ports``; a row mapping to no port of ``ports`` is counted)."""
    indexes = {p.if_index for p in ports}

    def if_index(bridge_port: int) -> int | None:
        mapped = base_ports.get(bridge_port)
        return mapped if mapped in indexes else None

    pvids = {i: v for b, v in sorted(facts.pvid_by_base_port.items())
             if (i := if_index(b)) is not None}
    if facts.stp is None:
        return pvids, None
    states = {i: s for b, s in sorted(facts.stp_state_by_base_port.items())
              if (i := if_index(b)) is not None}
    return pvids, facts.stp.model_copy(update={
        "port_states": states,
        "unmapped_ports": len(facts.stp_state_by_base_port) - len(states)})


@dataclass(frozen=True)
class L2Probe(SnmpProbe[L2Facts]):
    """``when_stp``: columns walked only when an STP scalar answered; ``when_pse``: only
    when the device has a PoE power source."""

    when_stp: dict[str, str] | None = None
    when_pse: dict[str, str] | None = None

    async def collect(self, client: BaseClient) -> Walked:
        walked = await super().collect(client)
        extra: dict[str, str] = {}
        if self.when_stp and any(walked.get(n) for n in ("dot1dStpTopChanges",
                                                          "dot1dStpDesignatedRoot")):
            extra.update(self.when_stp)
        if self.when_pse and walked.get("pethMainPseEntry"):
            extra.update(self.when_pse)
        if extra:
            walked.update(await walk_columns(client, extra))
        return walked

    @property
    def oids(self) -> list[str]:
        return super().oids + list((self.when_stp or {}).values()) + list(
            (self.when_pse or {}).values())


PROBE = L2Probe(
    name="l2",
    parse=parse,
    scalars={
        "dot1dStpTimeSinceTopologyChange": "1.3.6.1.2.1.17.2.3",
        "dot1dStpTopChanges": "1.3.6.1.2.1.17.2.4",
        "dot1dStpDesignatedRoot": "1.3.6.1.2.1.17.2.5",
        "dot1dBaseBridgeAddress": "1.3.6.1.2.1.17.1.1",
    },
    columns={
        "dot1qVlanStaticName": "1.3.6.1.2.1.17.7.1.4.3.1.1",
        "dot1qPvid": "1.3.6.1.2.1.17.7.1.4.5.1.1",
        "pethMainPseEntry": _PSE,
    },
    when_stp={"dot1dStpPortState": "1.3.6.1.2.1.17.2.15.1.3"},
    when_pse={"pethPsePortDetectionStatus": "1.3.6.1.2.1.105.1.1.1.6"},
)
