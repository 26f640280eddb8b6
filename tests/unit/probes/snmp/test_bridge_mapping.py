"""Bridge ports mapped to ifIndex robustly, and the mapping used recorded."""

from __future__ import annotations

from infraaudit.probes.snmp.bridge import BridgeFacts, place

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
