"""Replay cases, napalm style.

One folder per case: tests/replay/<probe>/<case>/{walk.snmprec, expected.json, SOURCE.txt}.

Each case runs the probe (or the whole device scan for ``device/``) over a ReplayClient serving the
recorded walk, and compares the models with the reviewed expected JSON.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from infraaudit.probes.snmp.replay import ReplayClient
from infraaudit.probes.snmp.transport import VarBind
from tests.replay.run_case import CASES, run_case

ALL = sorted(p.parent for p in CASES.glob("*/*/walk.snmprec"))


def test_every_probe_has_replay_cases() -> None:
    from infraaudit.probes.snmp.device import PROBES

    covered = {case.parent.name for case in ALL}
    assert {p.name for p in PROBES} | {"device"} <= covered


@pytest.mark.parametrize("case", ALL, ids=[f"{c.parent.name}/{c.name}" for c in ALL])
def test_replay(case: Path) -> None:
    assert (case / "SOURCE.txt").read_text(encoding="utf-8").strip(), "every case names its source"
    client = ReplayClient.from_file(case / "walk.snmprec")
    got = json.loads(asyncio.run(run_case(case.parent.name, client)))
    expected = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    assert got == expected


@pytest.mark.parametrize("max_repetitions", [1, 7, 200])
def test_batch_size_does_not_change_the_result(max_repetitions: int) -> None:
    case = CASES / "device" / "dlink-des3200"
    from infraaudit.probes.snmp.replay import read_snmprec

    client = ReplayClient(read_snmprec(case / "walk.snmprec"), max_repetitions=max_repetitions)
    got = json.loads(asyncio.run(run_case("device", client)))
    assert got == json.loads((case / "expected.json").read_text(encoding="utf-8"))


class RecordingReplay(ReplayClient):
    """Remembers which subtrees were walked."""

    walked: list[str]

    async def walk_columns(self, columns: Sequence[str]) -> dict[str, list[VarBind]]:
        self.walked = [*getattr(self, "walked", []), *columns]
        return await super().walk_columns(columns)


@pytest.mark.parametrize(("case", "reads_old_fdb"),
                         [("hpe-procurve", False), ("huawei-s5720", True)])
def test_old_fdb_table_read_only_without_q_bridge(case: str, reads_old_fdb: bool) -> None:
    from infraaudit.probes.snmp import bridge

    client = RecordingReplay.from_file(CASES / "bridge" / case / "walk.snmprec")
    asyncio.run(bridge.PROBE.collect(client))
    old = [root for root in client.walked if root.startswith("1.3.6.1.2.1.17.4.3.")]
    assert bool(old) is reads_old_fdb


def test_the_sfp_ports_of_a_catalyst_3750_are_read_as_fibre() -> None:
    """Its port entities name their optics ("1000BaseLX SFP", "1000BaseSX SFP") and are named
    like the interfaces; the copper ports and the one whose SFP the switch calls "unsupported"
    stay unknown, the VLANs and the stack port too."""
    case = CASES / "device" / "cisco-c3750"
    got = json.loads(asyncio.run(run_case("device", ReplayClient.from_file(case / "walk.snmprec"))))
    fibre = sorted(p["descr"] for p in got["ports"] if p["media"] == "fibre")
    assert fibre == [f"GigabitEthernet1/0/{n}" for n in (11, 12, 6, 7, 8, 9)]
    assert {p["media"] for p in got["ports"]} == {"fibre", None}
