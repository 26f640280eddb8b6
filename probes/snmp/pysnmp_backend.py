"""pysnmp 7 (asyncio HLAPI) backend: the pure-Python reference implementation.

Slower than gufo (~15-20x the CPU per varbind), but a different codec: the runner falls back to it
for a device whose replies gufo cannot decode. MIB lookup is off; OIDs stay numeric.

One engine (and so one UDP socket and one request-id space) per device: pysnmp matches a reply
to its request by request-id only, never by source address, so with a shared engine a device
answering with a neighbouring request-id would fill another device's request. The socket also
drops every datagram that does not come from the device's address and port, and a datagram
pysnmp fails on costs one debug line, not a traceback. pysnmp counts its request-ids up from a
random start; a device that answers first with the ids next to the one asked (the hostile lab's
``neighbour``) would so fill the device's next request, which is often in flight (two slots, and
a multi-column GETBULK names other columns): each request here gets a random id instead.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pyasn1.error import PyAsn1Error
from pysnmp.carrier.asyncio.dgram.udp import UdpAsyncioTransport
from pysnmp.carrier.asyncio.dgram.udp6 import Udp6AsyncioTransport
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
from pysnmp.proto.api import v1 as pysnmp_v1
from pysnmp.proto.api import v2c as pysnmp_v2c

from infraaudit.errors import DecodeError, TransportError, TransportTimeout
from infraaudit.probes.snmp.ber import USM_STATS
from infraaudit.probes.snmp.transport import (
    NO_SUCH_NAME,
    Backend,
    BadValue,
    BaseClient,
    SnmpTarget,
    Value,
    VarBind,
    error_status,
    oid_in,
)

log = logging.getLogger(__name__)


def _random_request_id() -> int:
    return random.randrange(1, 2**31)


# pysnmp's SNMPv1/v2c PDUs take their request-id from these module globals (set_defaults)
pysnmp_v1.getNextRequestID = _random_request_id
pysnmp_v2c.getNextRequestID = _random_request_id

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
_RANGES = {  # SMI ranges (RFC 2578): a value outside is a decode error, never data
    "Integer": (-(2**31), 2**31 - 1), "Integer32": (-(2**31), 2**31 - 1),
    "Counter32": (0, 2**32 - 1), "Gauge32": (0, 2**32 - 1), "TimeTicks": (0, 2**32 - 1),
    "Unsigned32": (0, 2**32 - 1), "Counter64": (0, 2**64 - 1),
}
# pysnmp's error indications for an SNMPv3 report (RFC 3414's counter each stands for)
_REPORTS = {
    "UnsupportedSecurityLevel": "usmStatsUnsupportedSecLevels",
    "NotInTimeWindow": "usmStatsNotInTimeWindows", "UnknownUserName": "usmStatsUnknownUserNames",
    "UnknownEngineID": "usmStatsUnknownEngineIDs", "WrongDigest": "usmStatsWrongDigests",
    "DecryptionError": "usmStatsDecryptionErrors",
}
_BYTES_TYPES = {"OctetString", "Opaque", "Bits"}
_EMPTY_TYPES = {"NoSuchObject", "NoSuchInstance", "EndOfMibView", "Null"}

_open: set[SnmpEngine] = set()


def close_engine() -> None:
    """Close engines a cancelled scan left open (each client closes its own)."""
    while _open:
        _open.pop().close_dispatcher()


def _same_peer(got: Any, want: tuple[str, int]) -> bool:
    try:
        return (ipaddress.ip_address(got[0]) == ipaddress.ip_address(want[0])
                and int(got[1]) == int(want[1]))
    except (ValueError, TypeError, IndexError):
        return False


class _Filtered:
    """Mixed into pysnmp's datagram transports: only the device's datagrams reach pysnmp."""

    peer: tuple[str, int] = ("", 0)
    loop: asyncio.AbstractEventLoop
    _callback_function: Callable[..., Any] | None

    def datagram_received(self, datagram: bytes, address: Any) -> None:
        if not _same_peer(address, self.peer):
            log.debug("dropped a datagram from %s: requests went to %s", address[:2], self.peer)
            return
        if self._callback_function is not None:
            self.loop.call_soon(self._guarded, self._callback_function, address, datagram)

    def _guarded(self, callback: Callable[..., Any], address: Any, datagram: bytes) -> None:
        try:
            callback(self, address, datagram)
        except Exception as exc:  # pysnmp failing on one malformed datagram: a timeout follows
            log.info("pysnmp could not handle a datagram from %s: %s", self.peer,
                      f"{type(exc).__name__}: {exc}".splitlines()[0][:200])


class _Udp(_Filtered, UdpAsyncioTransport):  # type: ignore[misc]
    pass


class _Udp6(_Filtered, Udp6AsyncioTransport):  # type: ignore[misc]
    pass


class _PeerTarget:
    """A transport target whose transport knows the one peer it may hear from."""

    transport_address: Any

    def open_client_mode(self) -> Any:
        transport = super().open_client_mode()  # type: ignore[misc]
        transport.peer = tuple(self.transport_address[:2])
        return transport


class _Target(_PeerTarget, UdpTransportTarget):  # type: ignore[misc]
    PROTO_TRANSPORT = _Udp


class _Target6(_PeerTarget, Udp6TransportTarget):  # type: ignore[misc]
    PROTO_TRANSPORT = _Udp6


def normalise(value: Any) -> Value | None:
    """pysnmp value object -> the Value types of client.py (None when there is no value); a
    value outside its SMI range is a ``BadValue``, so the rest of the reply is kept."""
    kind = type(value).__name__
    if kind in _EMPTY_TYPES:
        return None
    if kind in _RANGES:
        number, (low, high) = int(value), _RANGES[kind]
        if not low <= number <= high:
            return BadValue(f"{kind} value {str(number)[:24]} is outside its SMI range")
        return number
    if kind in _BYTES_TYPES:
        return bytes(value.asOctets())
    if kind == "ObjectIdentifier":
        return ".".join(str(arc) for arc in value)
    if kind == "IpAddress":
        raw = bytes(value.asOctets())
        if len(raw) != 4:
            return BadValue(f"IpAddress of {len(raw)} bytes")
        return str(ipaddress.IPv4Address(raw))
    return BadValue(f"unexpected SNMP value type {kind}")


@dataclass
class _Cursor:
    root: str
    last: str


class PysnmpClient(BaseClient):
    backend = Backend.PYSNMP
    resizable = True
    multi_column = True

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
        self._transport: _Target | _Target6 | None = None
        self._engine: SnmpEngine | None = None

    async def open(self) -> None:
        kind = _Target6 if ":" in self.target.host else _Target
        # Our BaseClient does the retries (so a walk resumes where it stopped).
        self._transport = await kind.create(
            (self.target.host, self.target.port), timeout=self.target.timeout_s, retries=0
        )
        self._engine = SnmpEngine()
        _open.add(self._engine)
        if self.target.credentials.version == "v3":
            self._engine.observer.register_observer(
                self._on_report, "rfc3412.prepareDataElements:internal")

    def _on_report(self, engine: Any, point: str, variables: dict[str, Any], ctx: Any) -> None:
        """Every SNMPv3 Report PDU the agent sent (engine discovery's among them)."""
        self.discovered = True
        try:
            name = str(variables["pdu"][3][0][0])  # the first varbind's name
        except (KeyError, IndexError, TypeError, PyAsn1Error):
            return
        self.report = USM_STATS.get(name, name)

    async def close(self) -> None:
        if self._engine is not None:
            _open.discard(self._engine)
            self._engine.close_dispatcher()
            self._engine = None

    async def _call(self, command: Any, *args: Any) -> list[VarBind]:
        return [(oid, v) for oid, v in await self._call_all(command, *args) if v is not None]

    async def _bulk(self, oids: Sequence[str], repetitions: int) -> list[tuple[str, Value | None]]:
        return await self._call_all(bulk_cmd, 0, repetitions,
                                    *(ObjectType(ObjectIdentity(oid)) for oid in oids))

    async def _call_all(self, command: Any, *args: Any) -> list[tuple[str, Value | None]]:
        """The reply's varbinds in order; ``None`` for an exception value."""
        if self._transport is None or self._engine is None:
            await self.open()
        try:
            error_indication, status, error_index, var_binds = await command(
                self._engine, self._auth, self._transport, self._context, *args,
                lookupMib=False,
            )
        except (PyAsn1Error, PySnmpError) as exc:
            raise DecodeError(f"pysnmp could not handle the reply: {exc}") from exc
        if error_indication:
            text = str(error_indication)
            if "timeout" in text.lower() or "no snmp response" in text.lower():
                raise TransportTimeout(f"no answer ({text})")
            report = _REPORTS.get(type(error_indication).__name__)
            if report is not None:
                self.report = report
                raise TransportError(f"SNMPv3 authentication failed: {text}")
            raise TransportError(f"SNMP error: {text}")
        rows: list[tuple[str, Value | None]] = []
        if status:
            if int(status) == NO_SUCH_NAME and self.target.credentials.version == "v1":
                return rows  # SNMPv1 noSuchName: end of MIB view or missing instance
            raise error_status(int(status), int(error_index or 0))
        for name, value in var_binds:
            rows.append((str(name), normalise(value)))
        return rows

    async def _get_once(self, oids: Sequence[str]) -> list[VarBind]:
        return await self._call(get_cmd, *(ObjectType(ObjectIdentity(oid)) for oid in oids))

    def _cursor(self, root: str) -> object:
        return _Cursor(root=root, last=root)

    async def _batch(self, cursor: object, repetitions: int) -> tuple[list[VarBind], bool]:
        assert isinstance(cursor, _Cursor)
        start = ObjectType(ObjectIdentity(cursor.last))
        if self.target.credentials.version == "v1":
            rows = await self._call(next_cmd, start)
        else:
            rows = await self._call(bulk_cmd, 0, repetitions, start)
        inside = [(oid, v) for oid, v in rows if oid_in(oid, cursor.root)]
        if inside:
            cursor.last = inside[-1][0]
        return inside, len(inside) < len(rows) or not rows
