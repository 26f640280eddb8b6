"""Walk the columns a probe needs, and nothing else."""

from __future__ import annotations

from infraaudit.probes.snmp.transport import BaseClient
from infraaudit.probes.snmp.values import Walked


async def walk_columns(client: BaseClient, columns: dict[str, str]) -> Walked:
    """Walk each column (name -> OID); rows are keyed by the index suffix after the column OID.

    The columns go together, several to a GETBULK where the backend can send that
    (``BaseClient.walk_columns``), else concurrently one walk each (the client's per-device
    slots bound the load); the first failure stops the rest, so nothing keeps querying a
    device that is failing.
    """
    rows = await client.walk_columns(list(columns.values()))
    walked: Walked = {}
    for name, oid in columns.items():
        cut = len(oid) + 1
        walked[name] = {row_oid[cut:]: value for row_oid, value in rows[oid]}
    return walked


def count_values(walked: Walked) -> int:
    return sum(len(rows) for rows in walked.values())
