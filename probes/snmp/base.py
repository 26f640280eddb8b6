"""What every SNMP probe is: a name, the OIDs it reads, and a pure parser of what came back."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from pydantic import BaseModel

from infraaudit.probes.snmp.table import walk_columns
from infraaudit.probes.snmp.transport import BaseClient
from infraaudit.probes.snmp.values import Walked

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class SnmpProbe(Generic[M]):
    """``scalars`` are fetched with one GET (``.0`` appended) into ``walked[name]["0"]``;
    ``columns`` are walked; ``fallback_columns`` are walked only when the column named by
    ``fallback_when_empty`` came back empty (old MIBs are read only from devices that lack the
    new ones). ``parse`` must be pure: replay tests feed it recorded data."""

    name: str
    parse: Callable[[Walked], M]
    scalars: dict[str, str] = field(default_factory=dict)
    columns: dict[str, str] = field(default_factory=dict)
    fallback_columns: dict[str, str] = field(default_factory=dict)
    fallback_when_empty: str | None = None

    async def collect(self, client: BaseClient) -> Walked:
        walked: Walked = {}
        if self.scalars:
            got = await client.get([oid + ".0" for oid in self.scalars.values()])
            for name, oid in self.scalars.items():
                value = got.get(oid + ".0")
                walked[name] = {"0": value} if value is not None else {}
        if self.columns:
            walked.update(await walk_columns(client, self.columns))
        if self.fallback_columns and not walked.get(self.fallback_when_empty or ""):
            walked.update(await walk_columns(client, self.fallback_columns))
        return walked

    @property
    def oids(self) -> list[str]:
        """Every OID the probe touches: what the benchmark walks with net-snmp too."""
        return ([o + ".0" for o in self.scalars.values()] + list(self.columns.values())
                + list(self.fallback_columns.values()))
