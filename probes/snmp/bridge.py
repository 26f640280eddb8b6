"""BRIDGE-MIB / Q-BRIDGE-MIB forwarding database: how many MAC addresses each port has learned.

Bridge port numbers are mapped to ifIndex through dot1dBasePortIfIndex. Cisco IOS keeps one FDB
per VLAN behind community@vlan contexts; that is not read here (the counts cover VLAN 1 only).
"""

from __future__ import annotations

from collections import defaultdict

from pydantic import BaseModel, ConfigDict

from infraaudit.probes.snmp.base import SnmpProbe
from infraaudit.probes.snmp.values import Column, Walked, integer, split_index

LEARNED, SELF = 3, 4  # dot1dTpFdbStatus


class BridgeFacts(BaseModel):
    model_config = ConfigDict(extra="forbid")

    base_port_if_index: dict[int, int] = {}
    mac_count_by_if_index: dict[int, int] = {}
    macs_by_if_index: dict[int, list[str]] = {}
    unmapped_macs: int = 0
    source: str | None = None


def _count(ports: Column, statuses: Column) -> dict[int, set[str]]:
    """FDB rows -> bridge port -> distinct MACs (the last six index arcs are the MAC)."""
    macs: dict[int, set[str]] = defaultdict(set)
    for index, port in ports.items():
        status, port_no = integer(statuses.get(index)), integer(port)
        if port_no is None or port_no == 0 or (status is not None and status != LEARNED):
            continue
        macs[port_no].add(".".join(index.split(".")[-6:]))
    return macs


def parse(walked: Walked) -> BridgeFacts:
    base: dict[int, int] = {}
    for index, raw in walked.get("dot1dBasePortIfIndex", {}).items():
        value = integer(raw)
        if value is not None and split_index(index):
            base[int(index)] = value
    q_ports = walked.get("dot1qTpFdbPort", {})
    source: str | None
    if q_ports:
        macs, source = _count(q_ports, walked.get("dot1qTpFdbStatus", {})), "Q-BRIDGE-MIB"
    else:
        macs = _count(walked.get("dot1dTpFdbPort", {}), walked.get("dot1dTpFdbStatus", {}))
        source = "BRIDGE-MIB" if macs else None
    by_if: dict[int, set[str]] = defaultdict(set)
    unmapped = 0
    for bridge_port, addresses in macs.items():
        mapped = base.get(bridge_port)
        if mapped is None:
            unmapped += len(addresses)
        else:
            by_if[mapped] |= addresses
    return BridgeFacts(
        base_port_if_index=base,
        mac_count_by_if_index={k: len(v) for k, v in sorted(by_if.items())},
        macs_by_if_index={k: sorted(_mac(m) for m in v) for k, v in sorted(by_if.items())},
        unmapped_macs=unmapped, source=source)


def _mac(dotted: str) -> str:
    """``0.17.34.51.68.85`` (index arcs) -> ``00:11:22:33:44:55``."""
    return ":".join(f"{int(octet):02x}" for octet in dotted.split("."))


PROBE = SnmpProbe(
    name="bridge",
    parse=parse,
    columns={
        "dot1dBasePortIfIndex": "1.3.6.1.2.1.17.1.4.1.2",
        "dot1qTpFdbPort": "1.3.6.1.2.1.17.7.1.2.2.1.2",
        "dot1qTpFdbStatus": "1.3.6.1.2.1.17.7.1.2.2.1.3",
    },
    # The same FDB once more in the older table: read only when Q-BRIDGE-MIB has none.
    fallback_columns={
        "dot1dTpFdbPort": "1.3.6.1.2.1.17.4.3.1.2",
        "dot1dTpFdbStatus": "1.3.6.1.2.1.17.4.3.1.3",
    },
    fallback_when_empty="dot1qTpFdbPort",
)
