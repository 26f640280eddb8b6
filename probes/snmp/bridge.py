"""BRIDGE-MIB / Q-BRIDGE-MIB forwarding database: how many MAC addresses each port has learned.

Bridge port numbers are mapped to ifIndex through dot1dBasePortIfIndex. Cisco IOS keeps one FDB
per VLAN behind community@vlan contexts; that is not read here (the counts cover VLAN 1 only).

The VLAN a MAC was learnt in: a Q-BRIDGE FDB row is indexed by a filtering database id, which is
not always the VLAN id (an HP ProCurve numbers its databases 1..n for VLANs 1, 50, 52…; a Juniper
uses internal ids like 131072). ``dot1qVlanFdbId`` maps a VLAN to its database; a database that
exactly one VLAN uses names that VLAN. Without that table the id is taken as the VLAN only when
every id in the FDB is a VLAN the switch has configured (``fid_is_vlan``); otherwise no VLAN.
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
    macs_by_bridge_port: dict[int, list[str]] = {}  # the FDB as read, before any mapping
    fdb_ids_by_mac: dict[str, list[int]] = {}  # Q-BRIDGE: the filtering databases a MAC is in
    vlan_by_fdb_id: dict[int, int] = {}  # from dot1qVlanFdbId: databases one VLAN uses


def _fdb_ids(ports: Column, statuses: Column) -> dict[str, list[int]]:
    """Q-BRIDGE FDB rows (index: database id, then the MAC) -> MAC -> its database ids."""
    ids: dict[str, set[int]] = defaultdict(set)
    for index, port in ports.items():
        status, port_no = integer(statuses.get(index)), integer(port)
        arcs = split_index(index)
        if port_no in (None, 0) or (status is not None and status != LEARNED) or len(arcs) != 7:
            continue
        ids[_mac(".".join(index.split(".")[-6:]))].add(arcs[0])
    return {mac: sorted(v) for mac, v in sorted(ids.items())}


def _vlan_by_fdb_id(column: Column) -> dict[int, int]:
    """dot1qVlanFdbId (index: time mark, VLAN id; value: database id) -> database -> its one
    VLAN; a database shared by several VLANs (shared learning) names none."""
    vlans: dict[int, set[int]] = defaultdict(set)
    for index, raw in column.items():
        arcs, fid = split_index(index), integer(raw)
        if len(arcs) == 2 and fid is not None and 1 <= arcs[1] <= 4094:
            vlans[fid].add(arcs[1])
    return {fid: next(iter(v)) for fid, v in sorted(vlans.items()) if len(v) == 1}


def fid_is_vlan(facts: BridgeFacts, configured: set[int]) -> dict[int, int]:
    """Database id -> VLAN: the dot1qVlanFdbId mapping when the agent has one; else the id
    itself, when every database id in the FDB is one of the ``configured`` VLANs."""
    if facts.vlan_by_fdb_id:
        return facts.vlan_by_fdb_id
    used = {fid for ids in facts.fdb_ids_by_mac.values() for fid in ids}
    if used and used <= configured:
        return {fid: fid for fid in used}
    return {}


def mac_vlans(facts: BridgeFacts, configured: set[int]) -> dict[str, int]:
    """MAC -> the VLAN it was learnt in, for MACs in exactly one VLAN."""
    by_fid = fid_is_vlan(facts, configured)
    out = {}
    for mac, ids in facts.fdb_ids_by_mac.items():
        vlans = {by_fid[i] for i in ids if i in by_fid}
        if len(vlans) == 1 and len(ids) == 1:
            out[mac] = vlans.pop()
    return out


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
    by_port = {k: sorted(_mac(m) for m in v) for k, v in sorted(macs.items())}
    by_if, unmapped = _apply(by_port, base)
    fdb_ids = _fdb_ids(q_ports, walked.get("dot1qTpFdbStatus", {})) if q_ports else {}
    return BridgeFacts(
        base_port_if_index=base,
        mac_count_by_if_index={k: len(v) for k, v in by_if.items()},
        macs_by_if_index=by_if, unmapped_macs=unmapped, source=source,
        macs_by_bridge_port=by_port, fdb_ids_by_mac=fdb_ids,
        vlan_by_fdb_id=_vlan_by_fdb_id(walked.get("dot1qVlanFdbId", {})) if fdb_ids else {})


def _apply(by_port: dict[int, list[str]], mapping: dict[int, int],
           ) -> tuple[dict[int, list[str]], int]:
    by_if: dict[int, set[str]] = defaultdict(set)
    unmapped = 0
    for bridge_port, addresses in by_port.items():
        target = mapping.get(bridge_port)
        if target is None:
            unmapped += len(addresses)
        else:
            by_if[target] |= set(addresses)
    return {k: sorted(v) for k, v in sorted(by_if.items())}, unmapped


def port_mapping(facts: BridgeFacts, if_indexes: set[int]) -> tuple[dict[int, int], str]:
    """Bridge port -> ifIndex, and which mapping it is. dot1dBasePortIfIndex when it covers the
    FDB's port numbers; when it does not (a TP-Link JetStream's FDB says 1-18 while its
    dot1dBasePortIfIndex keys run from 49153), the documented fallbacks: the port number is an
    ifIndex that exists ("ifIndex"), or the keys are a shifted 1..n ("offset": port p is the
    p-th key). The mapping that places the most MACs wins; ties keep the earlier one."""
    base = facts.base_port_if_index
    used = set(facts.macs_by_bridge_port)
    options: list[tuple[str, dict[int, int]]] = [("dot1dBasePortIfIndex", base)]
    if used - set(base):
        options.append(("ifIndex", {p: p for p in used if p in if_indexes}))
        keys = sorted(base)
        if keys and keys == list(range(keys[0], keys[0] + len(keys))) and keys[0] > 1:
            options.append(("offset", {p: base[keys[0] + p - 1] for p in used
                                       if 1 <= p <= len(keys)}))

    def placed(mapping: dict[int, int]) -> int:
        return sum(len(facts.macs_by_bridge_port[p]) for p in used if p in mapping)

    name, mapping = max(options, key=lambda o: placed(o[1]))  # max keeps the first of ties
    return mapping, name


def place(facts: BridgeFacts, if_indexes: set[int]) -> tuple[dict[int, list[str]], int, str]:
    """The FDB's MACs by ifIndex, the MACs left unmapped, and the mapping used."""
    mapping, name = port_mapping(facts, if_indexes)
    by_if, unmapped = _apply(facts.macs_by_bridge_port, mapping)
    return by_if, unmapped, name


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
        "dot1qVlanFdbId": "1.3.6.1.2.1.17.7.1.4.2.1.3",
    },
    # The same FDB once more in the older table: read only when Q-BRIDGE-MIB has none.
    fallback_columns={
        "dot1dTpFdbPort": "1.3.6.1.2.1.17.4.3.1.2",
        "dot1dTpFdbStatus": "1.3.6.1.2.1.17.4.3.1.3",
    },
    fallback_when_empty="dot1qTpFdbPort",
)
