"""SNMP for discovery: who is this responder (one GET of sysObjectID, sysName, sysDescr with each
of the inventory's profiles), and whom does this device see (LLDP-MIB and CISCO-CDP-MIB).

GET and GETBULK/GETNEXT only, through the repo's client (``make_client``). Every address is
checked against the scope right before a client is made for it.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass

from infraaudit.errors import DecodeError, InfraAuditError, TransportError
from infraaudit.inventory import Inventory, snmp_credentials
from infraaudit.probes.discovery.crawl import Neighbour, Neighbours
from infraaudit.probes.discovery.scope import Scope
from infraaudit.probes.snmp import (
    LLDP_PROBE,
    Backend,
    BaseClient,
    LldpFacts,
    SnmpTarget,
    Walked,
    make_client,
    parse_lldp,
    split_index,
    text,
    vendor_from_oid,
    walk_columns,
)
from infraaudit.probes.snmp import Value as SnmpValue

SYS_OBJECT_ID = "1.3.6.1.2.1.1.2.0"
SYS_NAME = "1.3.6.1.2.1.1.5.0"
SYS_DESCR = "1.3.6.1.2.1.1.1.0"
IF_NAME = "1.3.6.1.2.1.31.1.1.1.1"
IDENTIFY_TIMEOUT_S = 1.0  # at most; a responder that is no SNMP agent costs one short wait

_CDP_CACHE = "1.3.6.1.4.1.9.9.23.1.2.1.1"
CDP_COLUMNS = {
    "cdpCacheAddressType": f"{_CDP_CACHE}.3",
    "cdpCacheAddress": f"{_CDP_CACHE}.4",
    "cdpCacheDeviceId": f"{_CDP_CACHE}.6",
    "cdpCacheDevicePort": f"{_CDP_CACHE}.7",
}
_MAC = re.compile(r"[0-9a-f]{2}(:[0-9a-f]{2}){5}", re.IGNORECASE)
_CDP_ADDRESS_SIZE = {1: 4, 20: 16}  # CiscoNetworkProtocol ip(1), ipv6(20)

ClientFactory = Callable[[SnmpTarget, Backend], BaseClient]


class _NoSnmpAnswer(InfraAuditError):
    """No profile of the inventory got an answer from the address."""


@dataclass(frozen=True)
class Identity:
    profile: str  # the name of the credentials.snmp profile, never its secret
    sys_name: str | None = None
    sys_object_id: str | None = None
    sys_descr: str | None = None
    vendor: str | None = None


def parse_cdp(walked: Walked, if_names: dict[int, str] | None = None) -> list[Neighbour]:
    """cdpCacheTable rows (index ifIndex.deviceIndex) -> neighbours. Pure."""
    names = if_names or {}
    rows = []
    indexes: set[str] = set()
    for column in ("cdpCacheDeviceId", "cdpCacheAddress"):
        indexes.update(walked.get(column, {}))
    for index in sorted(indexes, key=split_index):
        arcs = split_index(index)
        if len(arcs) != 2:
            continue
        kind = walked.get("cdpCacheAddressType", {}).get(index)
        raw = walked.get("cdpCacheAddress", {}).get(index)
        address = None
        if isinstance(raw, bytes) and len(raw) == _CDP_ADDRESS_SIZE.get(
                kind if isinstance(kind, int) else 1):
            address = str(ipaddress.ip_address(raw))
        rows.append(Neighbour(
            protocol="cdp", local_port=names.get(arcs[0], f"ifIndex {arcs[0]}"),
            name=text(walked.get("cdpCacheDeviceId", {}).get(index)),
            port=text(walked.get("cdpCacheDevicePort", {}).get(index)), address=address))
    return rows


def port_label(port_id: str | None, descr: str | None) -> str | None:
    """The port's id, or its description when the id is only a MAC address (lldpd, many
    switches): people know ports by name."""
    if descr and (port_id is None or _MAC.fullmatch(port_id)):
        return descr
    return port_id


def lldp_rows(facts: LldpFacts) -> list[Neighbour]:
    return [Neighbour(protocol="lldp",
                      local_port=port_label(port.local_port_id, port.local_port_descr)
                      or str(port.local_port_num),
                      name=n.sys_name, port=port_label(n.port_id, n.port_descr),
                      address=n.mgmt_address)
            for port in facts.ports for n in port.neighbours]


class DiscoverySnmp:
    """Identification and neighbour reading, with the inventory's profiles and limits."""

    def __init__(self, inventory: Inventory, scope: Scope, backend: Backend = Backend.GUFO,
                 factory: ClientFactory = make_client) -> None:
        self.inventory = inventory
        self.scope = scope
        self.backend = backend
        self.factory = factory
        self.devices = {d.host: d for d in inventory.devices}
        self.profiles = list(dict.fromkeys(d.snmp for d in inventory.devices if d.snmp))
        self.slots = asyncio.Semaphore(inventory.limits.concurrency)
        self._identities: dict[str, asyncio.Task[Identity | None]] = {}

    def target(self, host: str, port: int, profile: str, *, quick: bool) -> SnmpTarget:
        limits = self.inventory.limits
        return SnmpTarget(
            host=host, port=port,
            credentials=snmp_credentials(self.inventory.credentials.snmp[profile]),
            timeout_s=min(limits.timeout_s, IDENTIFY_TIMEOUT_S) if quick else limits.timeout_s,
            retries=min(limits.retries, 1) if quick else limits.retries,
            requests_per_second=limits.requests_per_second,
            concurrency=1 if quick else limits.per_device_concurrency,
            max_repetitions=limits.max_repetitions,
        )

    def _backend_for(self, target: SnmpTarget) -> Backend:
        if target.credentials.context and self.backend is Backend.GUFO:
            return Backend.PYSNMP  # gufo-snmp has no SNMPv3 context parameter
        return self.backend

    def identify(self, address: str) -> asyncio.Task[Identity | None]:
        """The identity of ``address`` (one task per address, shared by every caller)."""
        task = self._identities.get(address)
        if task is None:
            task = asyncio.ensure_future(self._identify(address))
            self._identities[address] = task
        return task

    def cancel_pending(self) -> None:
        """Cancel identifications still running (discovery was interrupted)."""
        for task in self._identities.values():
            task.cancel()

    async def _identify(self, address: str) -> Identity | None:
        async with self.slots:
            for profile in self.profiles:
                target = self.target(address, 161, profile, quick=True)
                backend = self._backend_for(target)
                try:
                    got = await self._get(target, backend)
                except DecodeError:
                    if backend is not Backend.GUFO:
                        continue
                    try:  # as the runner does: pysnmp decodes what gufo cannot
                        got = await self._get(target, Backend.PYSNMP)
                    except TransportError:
                        continue
                except TransportError:
                    continue
                oid = got.get(SYS_OBJECT_ID)
                sys_object_id = oid if isinstance(oid, str) else None
                return Identity(profile=profile, sys_name=text(got.get(SYS_NAME)),
                                sys_object_id=sys_object_id, sys_descr=text(got.get(SYS_DESCR)),
                                vendor=vendor_from_oid(sys_object_id))
        return None

    async def _get(self, target: SnmpTarget, backend: Backend) -> dict[str, SnmpValue]:
        self.scope.require(target.host)  # right before a client (and a socket) exists for it
        client = self.factory(target, backend)
        try:
            await client.open()
            return await client.get([SYS_OBJECT_ID, SYS_NAME, SYS_DESCR])
        finally:
            await client.close()

    async def neighbours(self, address: str) -> Neighbours:
        """LLDP and CDP neighbours of ``address`` (a NeighbourReader for the crawl)."""
        entry = self.devices.get(address)
        if entry is not None and entry.snmp is not None:
            port, profile, name = entry.port, entry.snmp, entry.name
        else:
            identity = await self.identify(address)
            if identity is None:
                tried = ", ".join(self.profiles) or "none"
                raise _NoSnmpAnswer(f"no SNMP answer with the inventory's profiles ({tried})")
            port, profile, name = 161, identity.profile, identity.sys_name
        target = self.target(address, port, profile, quick=False)
        async with self.slots:
            try:
                return Neighbours(name=name, rows=await self._read(target))
            except DecodeError:
                if self._backend_for(target) is not Backend.GUFO:
                    raise
                return Neighbours(name=name, rows=await self._read(target, Backend.PYSNMP))

    async def _read(self, target: SnmpTarget, backend: Backend | None = None) -> list[Neighbour]:
        self.scope.require(target.host)
        client = self.factory(target, backend or self._backend_for(target))
        try:
            await client.open()
            walked = await LLDP_PROBE.collect(client)
            rows = lldp_rows(parse_lldp(walked)) if any(walked.values()) else []
            cdp = await walk_columns(client, CDP_COLUMNS)
            if any(cdp.values()):
                if_indexes = sorted({split_index(i)[0] for i in cdp.get("cdpCacheDeviceId", {})})
                got = await client.get([f"{IF_NAME}.{i}" for i in if_indexes]) if if_indexes \
                    else {}
                names = {i: n for i in if_indexes if (n := text(got.get(f"{IF_NAME}.{i}")))}
                rows += parse_cdp(cdp, names)
            return rows
        finally:
            await client.close()
