"""gufo-snmp backend: the default, with a Rust BER codec as fast as net-snmp.

One UDP socket (``SnmpSession``) per concurrent request slot, so replies never interleave; all of a
device's sessions share one rate policer.
"""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from typing import TypeVar

from gufo.snmp import (
    Aes128Key,
    Aes192Key,
    Aes256Key,
    DesKey,
    Md5Key,
    NoSuchInstance,
    Sha1Key,
    Sha224Key,
    Sha256Key,
    Sha384Key,
    Sha512Key,
    SnmpAuthError,
    SnmpDecodeError,
    SnmpError,
    SnmpVersion,
    User,
    ValueType,
)
from gufo.snmp._fast import GetIter
from gufo.snmp.aio.client import SnmpSession

from infraaudit.errors import DecodeError, TransportError, TransportTimeout
from infraaudit.probes.snmp.transport import Backend, BaseClient, SnmpTarget, Value, VarBind

_AUTH = {
    "MD5": Md5Key, "SHA": Sha1Key, "SHA-224": Sha224Key,
    "SHA-256": Sha256Key, "SHA-384": Sha384Key, "SHA-512": Sha512Key,
}
_PRIV = {"DES": DesKey, "AES-128": Aes128Key, "AES-192": Aes192Key, "AES-256": Aes256Key}
T = TypeVar("T")
_VERSION = {"v1": SnmpVersion.v1, "v2c": SnmpVersion.v2c, "v3": SnmpVersion.v3}


class GufoClient(BaseClient):
    backend = Backend.GUFO

    def __init__(self, target: SnmpTarget) -> None:
        super().__init__(target)
        self._idle: list[SnmpSession] = []
        self._sessions: list[SnmpSession] = []
        self._engine_id: bytes | None = None

    def _user(self) -> User | None:
        cred = self.target.credentials
        if cred.version != "v3":
            return None
        auth = priv = None
        if cred.auth_protocol:
            auth = _AUTH[cred.auth_protocol](cred.auth_password.encode())
        if cred.priv_protocol:
            priv = _PRIV[cred.priv_protocol](cred.priv_password.encode())
        return User(cred.user, auth_key=auth, priv_key=priv)

    async def _new_session(self) -> SnmpSession:
        cred = self.target.credentials
        session = SnmpSession(
            addr=self.target.host,
            port=self.target.port,
            community=cred.community,
            user=self._user(),
            engine_id=self._engine_id,
            version=_VERSION[cred.version],
            timeout=self.target.timeout_s,
            max_repetitions=self.target.max_repetitions,
        )
        # SNMPv3 engine discovery (a no-op on v1/v2c). On failure the session is dropped and the
        # caller's retry (BaseClient._request) opens a fresh one.
        await _translate(session.refresh())
        if cred.version == "v3" and self._engine_id is None:
            self._engine_id = session.get_engine_id()
        self._sessions.append(session)
        return session

    async def _acquire(self) -> SnmpSession:
        """An idle session, or a new one. BaseClient's slots bound how many exist at once."""
        return self._idle.pop() if self._idle else await self._new_session()

    async def _get_once(self, oids: Sequence[str]) -> list[VarBind]:
        session = await self._acquire()
        try:
            if len(oids) == 1:
                try:
                    value = await _translate(session.get(oids[0]))
                except NoSuchInstance:
                    return []
                got = {oids[0]: value}
            else:
                got = await _translate(session.get_many(list(oids)))
        finally:
            self._idle.append(session)
        return [(oid, v) for oid, raw in got.items() if (v := _value(raw)) is not None]

    def _cursor(self, root: str) -> object:
        v1 = self.target.credentials.version == "v1"
        return GetIter(root, None if v1 else self.target.max_repetitions)

    async def _batch(self, cursor: object) -> tuple[list[VarBind], bool]:
        assert isinstance(cursor, GetIter)
        session = await self._acquire()
        try:
            return await _translate(_one_batch(session, cursor, self.target.credentials.version))
        finally:
            self._idle.append(session)

    async def close(self) -> None:
        for session in self._sessions:
            session._sock = None  # type: ignore[assignment]  # drop the socket now, not at GC
        self._sessions.clear()
        self._idle.clear()


async def _one_batch(
    session: SnmpSession, ctx: GetIter, version: str
) -> tuple[list[VarBind], bool]:
    """One request on gufo's low-level socket. ``ctx`` keeps the walk position and its root."""
    sock = session._sock
    if version == "v1":
        await session._send(lambda: sock.send_get_next(ctx))
        try:
            oid, value = await session._recv(lambda: sock.recv_get_next(ctx))
        except StopAsyncIteration:
            return [], True
        normal = _value(value)
        return ([(oid, normal)] if normal is not None else []), False
    await session._send(lambda: sock.send_get_bulk(ctx))
    try:
        batch = await session._recv(lambda: sock.recv_get_bulk(ctx))
    except StopAsyncIteration:  # every varbind was endOfMibView
        return [], True
    done = not batch or batch[-1] is None
    rows = [(item[0], _value(item[1])) for item in batch if item is not None]
    return [(oid, v) for oid, v in rows if v is not None], done


def _value(raw: ValueType) -> Value | None:
    """gufo decodes Opaque floats to float: keep them as text, like other odd values."""
    if raw is None or isinstance(raw, int | bytes | str):
        return raw
    return str(raw)


async def _translate(awaitable: Awaitable[T]) -> T:
    """Map gufo's exceptions onto ours."""
    try:
        return await awaitable
    except NoSuchInstance:
        raise
    except TimeoutError as exc:
        raise TransportTimeout("no answer (timeout)") from exc
    except SnmpAuthError as exc:
        raise TransportError(f"SNMPv3 authentication failed: {exc}") from exc
    except SnmpDecodeError as exc:
        raise DecodeError(f"undecodable SNMP reply: {exc}") from exc
    except SnmpError as exc:
        raise TransportError(f"SNMP error: {exc or type(exc).__name__}") from exc
    except OSError as exc:
        raise TransportError(f"socket error: {exc.strerror or exc}") from exc
    except BaseException as exc:
        # gufo's Rust decoder panics on some malformed replies; pyo3 raises that as
        # PanicException, a BaseException. It is a bad reply, not a reason to stop the scan.
        if type(exc).__name__ == "PanicException":
            raise DecodeError(f"gufo could not decode the reply ({exc})") from exc
        raise
