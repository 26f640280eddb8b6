"""The runner isolates devices: one device's failure is its own record, the scan goes on."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from infraaudit.inventory import load_inventory
from infraaudit.models import ProbeStatus
from infraaudit.probes.snmp.base import SnmpProbe
from infraaudit.probes.snmp.device import PROBES, Collected, collect
from infraaudit.probes.snmp.replay import ReplayClient
from infraaudit.probes.snmp.transport import Backend, SnmpTarget
from infraaudit.scan import runner
from tests.paths import REPLAY

WALK = REPLAY / "device" / "dlink-des3200" / "walk.snmprec"
INVENTORY = """\
agency: {code: T, name: "Thanh tra"}
site: {id: s, name: "Trụ sở"}
credentials: {snmp: {office: {version: v2c, community: "${C}"}}}
devices:
  - {host: 10.0.0.1, snmp: office}
  - {host: 10.0.0.2, snmp: office}
  - {host: 10.0.0.3}
"""


def test_one_broken_device_does_not_stop_the_scan(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    async def fake_collect(target: SnmpTarget, backend: Backend,
                           probes: tuple[SnmpProbe[Any], ...] = PROBES) -> Collected:
        if target.host == "10.0.0.1":
            raise RuntimeError("parser bug")
        return await collect(ReplayClient.from_file(WALK), probes)

    monkeypatch.setattr(runner, "_collect_with", fake_collect)
    path = tmp_path / "site.yaml"
    path.write_text(INVENTORY, encoding="utf-8")
    scanner = runner.Scanner(load_inventory(path, env={"C": "community1"}))
    asyncio.run(scanner.run())
    doc = scanner.document(complete=True)
    broken, good, no_profile = doc.devices
    assert not broken.reachable
    assert all(p.status is ProbeStatus.FAILED and "parser bug" in (p.error or "")
               for p in broken.probes)
    assert good.reachable and good.sys_name == "des3200-18-kotel.ryl" and len(good.ports) == 23
    assert {p.status for p in no_profile.probes} == {ProbeStatus.SKIPPED}
    assert doc.scan.complete
    assert (doc.coverage.targets, doc.coverage.reachable, doc.coverage.fully_probed) == (3, 1, 1)


def test_devices_at_once_fit_in_half_the_free_memory() -> None:
    """Each device may hold up to its row budget (2.5 × max_walk_rows rows of ~280 B): the scan
    takes fewer devices at once when that many full budgets would pass half the free memory."""
    limits = runner.Limits()
    per_device = 100_000 * 2.5 * 280  # the defaults: ~70 MB
    assert runner.device_slots(limits, 24 * 2**30) == 16
    assert runner.device_slots(limits, int(per_device * 6)) == 3
    assert runner.device_slots(limits, 10 * 2**20) == 1  # never none
    small = runner.Limits(max_walk_rows=1_000, concurrency=64)
    assert runner.device_slots(small, int(per_device * 6)) == 64
