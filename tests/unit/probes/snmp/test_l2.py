"""The l2 probe over real recordings: what it asks (the STP port column only where STP runs),
how many requests that costs, and the PoE table (no public recording has one: built from the
rows RFC 3621 defines, as an agent serves them)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

import pytest

from infraaudit.models import Device
from infraaudit.probes.snmp import l2
from infraaudit.probes.snmp.device import assemble, collect
from infraaudit.probes.snmp.replay import ReplayClient, read_snmprec
from infraaudit.probes.snmp.transport import Value, VarBind
from tests.replay.run_case import CASES
from tests.unit.probes.snmp.test_walk_columns import Counting as CountingRequests

STP_PORTS = "1.3.6.1.2.1.17.2.15.1.3"
POE_PORTS = "1.3.6.1.2.1.105.1.1.1.6"


class Counting(CountingRequests):
    """Also counts the GETs, and records the roots walked."""

    def __init__(self, varbinds: Sequence[VarBind]) -> None:
        super().__init__(list(varbinds))
        self.roots: list[str] = []

    async def _get_once(self, oids: Sequence[str]) -> list[VarBind]:
        self.requests += 1
        return await super()._get_once(oids)

    async def walk_columns(self, columns: Sequence[str]) -> dict[str, list[VarBind]]:
        self.roots.extend(columns)
        return await super().walk_columns(columns)


def counting(case: Path) -> Counting:
    return Counting(list(read_snmprec(case / "walk.snmprec")))


def test_stp_port_states_are_walked_only_where_stp_answers() -> None:
    cisco = counting(CASES / "l2" / "cisco-c3750")
    asyncio.run(l2.PROBE.collect(cisco))
    assert STP_PORTS not in cisco.roots and POE_PORTS not in cisco.roots
    assert cisco.requests == 2  # one GET of the scalars, one GETBULK of three empty columns
    juniper = counting(CASES / "l2" / "juniper-mx960")
    facts = l2.PROBE.parse(asyncio.run(l2.PROBE.collect(juniper)))
    assert STP_PORTS in juniper.roots and POE_PORTS not in juniper.roots
    assert list(facts.stp_state_by_base_port.values()).count("blocking") == 12


def test_device_scan_maps_stp_ports_and_pvids_to_if_index() -> None:
    client = ReplayClient.from_file(CASES / "device" / "dlink-des3200" / "walk.snmprec")
    device = assemble(Device(host="replay"), asyncio.run(collect(client)))
    names = {p.if_index: p.name for p in device.ports}
    assert device.stp is not None and device.stp.is_root and device.stp.top_changes == 91
    assert set(device.stp.port_states) <= set(names) and len(device.stp.port_states) == 18
    assert device.pvids[1] == 1113 and {v.id for v in device.vlans} == {1, 40, 41, 1113}


def _octets(hex_text: str) -> Value:
    return bytes.fromhex(hex_text)


@pytest.mark.parametrize("threshold", [80, 0])
def test_poe_power_sources_and_powered_ports(threshold: int) -> None:
    walked = {
        "pethMainPseEntry": {"2.1": 370, "3.1": 1, "4.1": 312, "5.1": threshold,
                             "2.2": 740, "3.2": 3, "4.2": 0, "5.2": 80},
        "pethPsePortDetectionStatus": {"1.1": 3, "1.2": 3, "1.3": 2, "2.1": 1},
    }
    poe = l2.parse(walked).poe
    assert poe is not None and poe.budget_w == 1110 and poe.used_w == 312
    assert [g.status for g in poe.groups] == ["on", "faulty"]
    assert poe.groups[0].usage_threshold_pct == (threshold or None)
    assert (poe.ports, poe.ports_powered) == (4, 2)


def test_odd_rows_are_skipped_not_fatal() -> None:
    walked = {
        "dot1qVlanStaticName": {"1": b"default", "7": 5, "0": b"x", "1.2": b"y"},
        "dot1qPvid": {"3": 0, "4": 20, "5": b"x"},
        "dot1dStpTopChanges": {"0": 3},
        "dot1dStpDesignatedRoot": {"0": _octets("8000")},  # not 8 octets
        "dot1dStpPortState": {"1": 9, "2": 2},
    }
    facts = l2.parse(walked)
    assert [(v.id, v.name) for v in facts.vlans] == [(1, "default"), (7, None)]
    assert facts.pvid_by_base_port == {4: 20}
    assert facts.stp is not None and facts.stp.designated_root is None
    assert facts.stp_state_by_base_port == {2: "blocking"}
