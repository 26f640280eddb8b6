"""gufo-snmp backend: the default, with a Rust BER codec as fast as net-snmp.

One UDP socket (``SnmpSession``) per concurrent request slot, so replies never interleave; all of a
device's sessions share one rate policer. gufo connects each socket to the device (the kernel drops
datagrams from any other address or port) and drops replies with another request-id or community.
Before gufo decodes a datagram, ``ber.check_reply`` reads it from a peek: a malformed reply or one
with a value outside its SMI range is refused (gufo would panic on some, or misread them), and an
error-status (which gufo ignores) fails the request. Not covered: SNMPv3 with privacy, whose PDU
only gufo can decrypt (the header is still checked).
"""

from __future__ import annotations

import asyncio
import os
import random
import socket
from collections.abc import Awaitable, Callable, Sequence
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

from infraaudit.errors import DecodeError, ErrorStatus, TransportError, TransportTimeout
from infraaudit.probes.snmp.ber import Reply, check_reply, getbulk_request
from infraaudit.probes.snmp.transport import (
    NO_SUCH_NAME,
    Backend,
    BaseClient,
    SnmpTarget,
    Value,
    VarBind,
    error_status,
)

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
        self._peeks: dict[int, socket.socket] = {}  # by the session's socket
        # gufo's walk sends one varbind a GETBULK: walk_columns' multi-varbind request is
        # encoded and decoded in ber.py (SNMPv2c; v3 would need gufo's USM)
        self.multi_column = target.credentials.version == "v2c"

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
        family = socket.AF_INET6 if ":" in self.target.host else socket.AF_INET
        peek = socket.socket(family, socket.SOCK_DGRAM, fileno=os.dup(session._fd))
        self._peeks[session._fd] = peek
        session._recv = _checked_recv(  # type: ignore[method-assign,assignment]
            session._fd, peek, self.target.timeout_s, self._expected, self._seen)
        # SNMPv3 engine discovery (a no-op on v1/v2c). On failure the session is dropped and the
        # caller's retry (BaseClient._request) opens a fresh one.
        await _translate(session.refresh())
        if cred.version == "v3" and self._engine_id is None:
            self._engine_id = session.get_engine_id()
            self.discovered = True
        self._sessions.append(session)
        return session

    def _seen(self, reply: Reply) -> None:
        if reply.report is not None:
            self.report = reply.report
            self.discovered = True  # a Report PDU comes from the SNMPv3 agent itself

    def _expected(self) -> tuple[bytes, bytes]:
        """SNMPv3: the engine ID found by discovery (empty before) and the user name."""
        return self._engine_id or b"", self.target.credentials.user.encode()

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
        except ErrorStatus as exc:
            if exc.status == NO_SUCH_NAME and self.target.credentials.version == "v1":
                return []  # SNMPv1: one of the OIDs is missing
            raise
        finally:
            self._idle.append(session)
        return [(oid, v) for oid, raw in got.items() if (v := _value(raw)) is not None]

    def _cursor(self, root: str) -> object:
        v1 = self.target.credentials.version == "v1"
        return GetIter(root, None if v1 else self.target.max_repetitions)

    async def _batch(self, cursor: object, repetitions: int) -> tuple[list[VarBind], bool]:
        """``repetitions`` is ignored: a GetIter keeps its size (a tooBig makes the runner read
        the device again with pysnmp, which can ask for fewer)."""
        assert isinstance(cursor, GetIter)
        version = self.target.credentials.version
        session = await self._acquire()
        try:
            return await _translate(_one_batch(session, cursor, version))
        except ErrorStatus as exc:
            if exc.status == NO_SUCH_NAME and version == "v1":
                return [], True  # SNMPv1's end of the MIB view
            raise
        finally:
            self._idle.append(session)

    async def _bulk(self, oids: Sequence[str], repetitions: int) -> list[tuple[str, Value | None]]:
        """One GETBULK with a varbind per OID on a session's socket. The reply is checked and
        read in one pass (``check_reply``); one to another request or community is not ours."""
        session = await self._acquire()
        peek = self._peeks[session._fd]
        community = self.target.credentials.community.encode()
        # random, never counted up: a device answering with the ids next to the one asked
        # must not fill another request in flight (the hostile lab's ``neighbour``)
        request_id = random.randrange(1, 2**31)
        message = getbulk_request(community, request_id, list(oids), repetitions)

        def send() -> None:
            peek.send(message, socket.MSG_DONTWAIT)

        async def exchange() -> list[tuple[str, Value | None]]:
            await session._send(send)
            async with asyncio.timeout(self.target.timeout_s):
                while True:
                    await _readable(session._fd)
                    try:
                        data = peek.recv(65535, socket.MSG_DONTWAIT)
                    except BlockingIOError:
                        continue
                    binds: list[tuple[str, Value | None]] = []
                    reply = check_reply(data, binds)  # type: ignore[arg-type]
                    if reply.request_id != request_id or reply.community != community:
                        continue  # another request's late reply: wait on
                    if reply.error_status:
                        raise error_status(reply.error_status, reply.error_index)
                    return binds

        try:
            return await _translate(exchange())
        finally:
            self._idle.append(session)

    async def close(self) -> None:
        for session in self._sessions:
            session._sock = None  # type: ignore[assignment]  # drop the socket now, not at GC
        for peek in self._peeks.values():
            peek.close()
        self._peeks.clear()
        self._sessions.clear()
        self._idle.clear()


def _checked_recv(fd: int, peek: socket.socket, timeout: float,
                  expected: Callable[[], tuple[bytes, bytes]],
                  seen: Callable[[Reply], None],
                  ) -> Callable[[Callable[[], T]], Awaitable[T]]:
    """A replacement for ``SnmpSession._recv``: wait for a datagram, check it, then let gufo
    read it. The whole wait is bounded by ``timeout`` (gufo restarts its timer per datagram).
    An SNMPv3 reply naming another engine or user is dropped, as gufo drops another request-id.
    ``seen`` gets every reply that is the device's. A socket error (ICMP port unreachable: the
    host said no one listens) is raised: the peek consumed it, gufo would wait in vain.
    """

    async def recv(receiver: Callable[[], T]) -> T:
        async with asyncio.timeout(timeout):
            while True:
                await _readable(fd)
                try:
                    data = peek.recv(65535, socket.MSG_PEEK | socket.MSG_DONTWAIT)
                except BlockingIOError:
                    continue
                if data and not _acceptable(data, peek, expected(), seen):
                    continue
                try:
                    return receiver()
                except BlockingIOError:
                    continue  # gufo dropped it: another request-id or community

    return recv


async def _readable(fd: int) -> None:
    """Until ``fd`` has a datagram (or an error) to read."""
    loop = asyncio.get_running_loop()
    ready: asyncio.Future[None] = loop.create_future()
    loop.add_reader(fd, _wake, ready)
    try:
        await ready
    finally:
        loop.remove_reader(fd)


def _wake(ready: asyncio.Future[None]) -> None:
    if not ready.done():
        ready.set_result(None)


def _acceptable(data: bytes, peek: socket.socket, expected: tuple[bytes, bytes],
                seen: Callable[[Reply], None] = lambda reply: None) -> bool:
    """False (consumed) for a datagram from another SNMPv3 engine or user; raise (consumed) on
    one gufo must not decode or whose values must not be used; True: gufo may read it."""
    try:
        reply = check_reply(data)
    except DecodeError:
        peek.recv(65535, socket.MSG_DONTWAIT)
        raise
    engine, user = expected
    if reply.version == 3 and ((engine and reply.engine_id != engine)
                               or (reply.user and reply.user != user)):
        peek.recv(65535, socket.MSG_DONTWAIT)
        return False
    seen(reply)
    if reply.error_status:
        peek.recv(65535, socket.MSG_DONTWAIT)
        raise error_status(reply.error_status, reply.error_index)
    return True


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
    except (NoSuchInstance, ErrorStatus, DecodeError):
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
