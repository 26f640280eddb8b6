"""Bridge ports mapped to ifIndex robustly, and the mapping used recorded."""

from __future__ import annotations

from pathlib import Path

from infraaudit.probes.snmp.bridge import PROBE, BridgeFacts, mac_vlans, parse, place
from infraaudit.probes.snmp.replay import decode_line
from infraaudit.probes.snmp.values import Walked

FDB = {1: ["00:00:00:00:00:01"], 2: ["00:00:00:00:00:02", "00:00:00:00:00:03"]}


def test_base_port_table_when_it_covers_the_fdb() -> None:
    facts = BridgeFacts(base_port_if_index={1: 101, 2: 102}, macs_by_bridge_port=FDB)
    by_if, unmapped, used = place(facts, {101, 102, 1, 2})
    assert used == "dot1dBasePortIfIndex" and unmapped == 0 and set(by_if) == {101, 102}


def test_port_number_as_if_index_when_the_base_table_misses_it() -> None:
    facts = BridgeFacts(base_port_if_index={7: 107}, macs_by_bridge_port=FDB)
    by_if, unmapped, used = place(facts, {1, 2, 107})
    assert used == "ifIndex" and unmapped == 0 and by_if == {1: FDB[1], 2: FDB[2]}


def test_shifted_keys_map_by_offset() -> None:
    """TP-Link JetStream: FDB ports 1..n, dot1dBasePortIfIndex keys 49153..49152+n."""
    base = {49152 + n: 49152 + n for n in range(1, 19)}
    facts = BridgeFacts(base_port_if_index=base, macs_by_bridge_port=FDB)
    by_if, unmapped, used = place(facts, set(base.values()))
    assert used == "offset" and unmapped == 0 and by_if == {49153: FDB[1], 49154: FDB[2]}


def test_nothing_fits_keeps_the_base_table_and_counts_the_rest() -> None:
    facts = BridgeFacts(base_port_if_index={5: 105, 9: 109}, macs_by_bridge_port=FDB)
    _, unmapped, used = place(facts, {105, 109})
    assert used == "dot1dBasePortIfIndex" and unmapped == 3


# --- the VLAN a MAC was learnt in -----------------------------------------------------------

PROCURVE = Path(__file__).parents[3] / "replay" / "bridge" / "hpe-procurve" / "walk.snmprec"
FDB_PORT = "1.3.6.1.2.1.17.7.1.2.2.1.2."
VLAN_FDB_ID = "1.3.6.1.2.1.17.7.1.4.2.1.3."


def _walked(lines: list[str]) -> Walked:
    """The bridge probe's columns from snmprec lines, as a walk returns them."""
    columns = {oid: name for name, oid in PROBE.columns.items()}
    walked: Walked = {}
    for line in lines:
        vb = decode_line(line)
        if vb is None:
            continue
        for oid, name in columns.items():
            if vb[0].startswith(oid + "."):
                walked.setdefault(name, {})[vb[0][len(oid) + 1:]] = vb[1]
    return walked


def test_procurve_database_ids_map_to_vlans_through_dot1qvlanfdbid() -> None:
    """A real ProCurve numbers its filtering databases 1..8 for VLANs 1, 50, 52…: a MAC in
    database 2 is in VLAN 50, not VLAN 2; a MAC in several databases gets no VLAN."""
    lines = PROCURVE.read_text(encoding="utf-8").splitlines()
    facts = parse(_walked(lines))
    assert facts.vlan_by_fdb_id == {1: 1, 2: 50, 3: 52, 4: 53, 5: 70, 6: 71, 7: 77, 8: 78}
    learnt = mac_vlans(facts, configured=set())
    fids: dict[str, set[str]] = {}  # ground truth from the recording's text
    for line in lines:
        if line.startswith(FDB_PORT) and not line.endswith("|0"):
            fid, *octets = line.split("|")[0][len(FDB_PORT):].split(".")
            fids.setdefault(":".join(f"{int(o):02x}" for o in octets), set()).add(fid)
    only_2 = [mac for mac, ids in fids.items() if ids == {"2"}]
    assert len(only_2) > 100 and all(learnt[mac] == 50 for mac in only_2)
    several = [m for m, ids in facts.fdb_ids_by_mac.items() if len(ids) > 1]
    assert several and not any(m in learnt for m in several)
    assert set(learnt.values()) <= set(facts.vlan_by_fdb_id.values())
    # without dot1qVlanFdbId the ids 1..8 are not this switch's VLANs: no VLAN is guessed
    without = parse(_walked([x for x in lines if not x.startswith(VLAN_FDB_ID)]))
    assert without.vlan_by_fdb_id == {}
    assert mac_vlans(without, configured={1, 50, 52, 53, 70, 71, 77, 78}) == {}


def test_database_id_is_the_vlan_when_every_id_is_a_configured_vlan() -> None:
    """D-Link DES-3200 / H3C E528 number databases by VLAN id and send no dot1qVlanFdbId."""
    facts = BridgeFacts(fdb_ids_by_mac={"00:00:00:00:00:01": [40], "00:00:00:00:00:02": [1]})
    assert mac_vlans(facts, configured={1, 40, 41}) == {"00:00:00:00:00:01": 40,
                                                        "00:00:00:00:00:02": 1}
    assert mac_vlans(facts, configured={1, 41}) == {}


def test_a_database_shared_by_several_vlans_names_none() -> None:
    walked: Walked = {"dot1qTpFdbPort": {"1.0.0.0.0.0.1": 3},
                      "dot1qVlanFdbId": {"0.10": 1, "0.20": 1}}
    facts = parse(walked)
    assert facts.vlan_by_fdb_id == {} and mac_vlans(facts, configured={10, 20}) == {}
