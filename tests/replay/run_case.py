"""Run one probe (or the whole device scan) over a replay client and render the result as JSON."""

from __future__ import annotations

import json
from pathlib import Path

from infraaudit.models import Device
from infraaudit.probes.snmp.device import PROBES, assemble, collect
from infraaudit.probes.snmp.replay import ReplayClient

CASES = Path(__file__).parent


async def run_case(probe: str, client: ReplayClient) -> str:
    if probe == "device":
        device = assemble(Device(host="replay"), await collect(client))
        data = device.model_dump(mode="json", exclude={"probes"})
    else:
        (spec,) = [p for p in PROBES if p.name == probe]
        data = spec.parse(await spec.collect(client)).model_dump(mode="json")
    return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True)
