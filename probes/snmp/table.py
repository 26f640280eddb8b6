"""Walk the columns a probe needs, and nothing else."""

from __future__ import annotations

import asyncio

from probes.snmp.client import BaseClient
from probes.snmp.values import Walked


async def walk_columns(client: BaseClient, columns: dict[str, str]) -> Walked:
    """Walk each column (name -> OID); rows are keyed by the index suffix after the column OID.

    Columns are walked concurrently; the client's per-device slots keep the device load bounded.
    """
    names = list(columns)
    walks = await asyncio.gather(*(client.walk(columns[n]) for n in names))
    walked: Walked = {}
    for name, rows in zip(names, walks, strict=True):
        cut = len(columns[name]) + 1
        walked[name] = {oid[cut:]: value for oid, value in rows}
    return walked


def count_values(walked: Walked) -> int:
    return sum(len(rows) for rows in walked.values())
