"""pysnmp 7 (asyncio HLAPI) backend: the pure-Python reference implementation.

Slower than gufo (~15-20x the CPU per varbind), but a different codec: the runner falls back to it
for a device whose replies gufo cannot decode. MIB lookup is off; OIDs stay numeric.
"""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pyasn1.error import PyAsn1Error
from pysnmp.error import PySnmpError
from pysnmp.hlapi.v3arch.asyncio import (
    CommunityData,
    ContextData,
    ObjectIdentity,
    ObjectType,
    SnmpEngine,
    Udp6TransportTarget,
    UdpTransportTarget,
    UsmUserData,
    bulk_cmd,
    get_cmd,
    next_cmd,
    usmAesBlumenthalCfb192Protocol,
    usmAesBlumenthalCfb256Protocol,
    usmAesCfb128Protocol,
    usmDESPrivProtocol,
    usmHMAC128SHA224AuthProtocol,
    usmHMAC192SHA256AuthProtocol,
    usmHMAC256SHA384AuthProtocol,
    usmHMAC384SHA512AuthProtocol,
    usmHMACMD5AuthProtocol,
    usmHMACSHAAuthProtocol,
)

from infraaudit.errors import DecodeError, TransportError, TransportTimeout
from infraaudit.probes.snmp.transport import Backend, BaseClient, SnmpTarget, Value, VarBind, oid_in

_AUTH = {
    "MD5": usmHMACMD5AuthProtocol, "SHA": usmHMACSHAAuthProtocol,
    "SHA-224": usmHMAC128SHA224AuthProtocol, "SHA-256": usmHMAC192SHA256AuthProtocol,
    "SHA-384": usmHMAC256SHA384AuthProtocol, "SHA-512": usmHMAC384SHA512AuthProtocol,
}
# AES-192/256 with Blumenthal key extension, as net-snmp and gufo do by default.
_PRIV = {
    "DES": usmDESPrivProtocol, "AES-128": usmAesCfb128Protocol,
    "AES-192": usmAesBlumenthalCfb192Protocol, "AES-256": usmAesBlumenthalCfb256Protocol,
}
_INT_TYPES = {"Integer", "Integer32", "Counter32", "Counter64", "Gauge32", "TimeTicks",
              "Unsigned32"}
_BYTES_TYPES = {"OctetString", "Opaque", "Bits"}
_EMPTY_TYPES = {"NoSuchObject", "NoSuchInstance", "EndOfMibView", "Null"}

_engines: dict[asyncio.AbstractEventLoop, SnmpEngine] = {}


def _shared_engine() -> SnmpEngine:
    """One engine per event loop, as pysnmp intends (it owns the dispatcher and the USM cache).

    An engine is bound to the loop it first ran on: a second ``asyncio.run`` needs a new one.
    """
    loop = asyncio.get_running_loop()
    for old in [old for old in _engines if old.is_closed()]:
        del _engines[old]
    if loop not in _engines:
        _engines[loop] = SnmpEngine()
    return _engines[loop]


def close_engine() -> None:
    """Close the running loop's engine and its UDP sockets; call when the loop's scan is over."""
    engine = _engines.pop(asyncio.get_running_loop(), None)
    if engine is not None:
        engine.close_dispatcher()


def normalise(value: Any) -> Value | None:
    """pysnmp value object -> the Value types of client.py (None when there is no value)."""
    kind = type(value).__name__
    if kind in _EMPTY_TYPES:
        return None
    if kind in _INT_TYPES:
        return int(value)
    if kind in _BYTES_TYPES:
        return bytes(value.asOctets())
    if kind == "ObjectIdentifier":
        return ".".join(str(arc) for arc in value)
    if kind == "IpAddress":
        return str(ipaddress.IPv4Address(bytes(value.asOctets())))
    raise DecodeError(f"unexpected SNMP value type {kind}")


@dataclass
class _Cursor:
    root: str
    last: str


class PysnmpClient(BaseClient):
    backend = Backend.PYSNMP

    def __init__(self, target: SnmpTarget) -> None:
        super().__init__(target)
        cred = target.credentials
        self._auth: CommunityData | UsmUserData
        if cred.version == "v3":
            self._auth = UsmUserData(
                cred.user,
                authKey=cred.auth_password or None,
                privKey=cred.priv_password or None,
                authProtocol=_AUTH[cred.auth_protocol] if cred.auth_protocol else None,
                privProtocol=_PRIV[cred.priv_protocol] if cred.priv_protocol else None,
            )
        else:
            self._auth = CommunityData(cred.community, mpModel=0 if cred.version == "v1" else 1)
        self._context = ContextData(contextName=cred.context)
        self._transport: UdpTransportTarget | Udp6TransportTarget | None = None

    async def open(self) -> None:
        kind = Udp6TransportTarget if ":" in self.target.host else UdpTransportTarget
        # Our BaseClient does the retries (so a walk resumes where it stopped).
        self._transport = await kind.create(
            (self.target.host, self.target.port), timeout=self.target.timeout_s, retries=0
        )

    async def _call(self, command: Any, *args: Any) -> list[VarBind]:
        if self._transport is None:
            await self.open()
        try:
            error_indication, error_status, error_index, var_binds = await command(
                _shared_engine(), self._auth, self._transport, self._context, *args,
                lookupMib=False,
            )
        except (PyAsn1Error, PySnmpError) as exc:
            raise DecodeError(f"pysnmp could not handle the reply: {exc}") from exc
        if error_indication:
            text = str(error_indication)
            if "timeout" in text.lower() or "no snmp response" in text.lower():
                raise TransportTimeout(f"no answer ({text})")
            raise TransportError(f"SNMP error: {text}")
        if error_status and str(error_status) != "noSuchName":
            raise TransportError(f"agent returned {error_status.prettyPrint()} at {error_index}")
        rows: list[VarBind] = []
        if error_status:  # SNMPv1 noSuchName: end of MIB view or missing instance
            return rows
        for name, value in var_binds:
            normal = normalise(value)
            if normal is not None:
                rows.append((str(name), normal))
        return rows

    async def _get_once(self, oids: Sequence[str]) -> list[VarBind]:
        return await self._call(get_cmd, *(ObjectType(ObjectIdentity(oid)) for oid in oids))

    def _cursor(self, root: str) -> object:
        return _Cursor(root=root, last=root)

    async def _batch(self, cursor: object) -> tuple[list[VarBind], bool]:
        assert isinstance(cursor, _Cursor)
        start = ObjectType(ObjectIdentity(cursor.last))
        if self.target.credentials.version == "v1":
            rows = await self._call(next_cmd, start)
        else:
            rows = await self._call(bulk_cmd, 0, self.target.max_repetitions, start)
        inside = [(oid, v) for oid, v in rows if oid_in(oid, cursor.root)]
        if inside:
            cursor.last = inside[-1][0]
        return inside, len(inside) < len(rows) or not rows
