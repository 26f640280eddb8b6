"""Walk the columns a probe needs, and nothing else."""

from __future__ import annotations

import asyncio

from infraaudit.probes.snmp.transport import BaseClient
from infraaudit.probes.snmp.values import Walked


async def walk_columns(client: BaseClient, columns: dict[str, str]) -> Walked:
    """Walk each column (name -> OID); rows are keyed by the index suffix after the column OID.

    Columns are walked concurrently (the client's per-device slots bound the load); the first
    failure cancels the other walks, so nothing keeps querying a device that is failing.
    """
    try:
        async with asyncio.TaskGroup() as group:
            tasks = {name: group.create_task(client.walk(oid)) for name, oid in columns.items()}
    except BaseExceptionGroup as group_error:
        # The first failure cancelled the sibling walks; report it as a plain exception.
        raise group_error.exceptions[0] from None
    walked: Walked = {}
    for name, task in tasks.items():
        cut = len(columns[name]) + 1
        walked[name] = {oid[cut:]: value for oid, value in task.result()}
    return walked


def count_values(walked: Walked) -> int:
    return sum(len(rows) for rows in walked.values())
