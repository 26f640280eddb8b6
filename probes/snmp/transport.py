"""The one small SNMP interface probes talk to, and the types it speaks in.

Probes only ever see ``BaseClient``: ``get`` a few scalars, ``walk`` one column. Two backends
implement it: gufo-snmp (``gufo_backend``, default, Rust core) and pysnmp 7 (``pysnmp_backend``,
pure Python reference); ``replay`` is the double that serves a recorded walk. They import this
module only; ``client.make_client`` picks a backend. All share the retry, rate-limit,
concurrency and walk-safety logic in ``BaseClient``; a backend only knows how to send one GET
and one GETBULK/GETNEXT.

Values are normalised the same way by both backends:
    INTEGER, Counter32/64, Gauge32, TimeTicks, Unsigned32 -> int
    OCTET STRING, Opaque, BITS                              -> bytes
    OBJECT IDENTIFIER                                       -> str, dotted, no leading dot
    IpAddress                                               -> str, dotted quad
    noSuchObject / noSuchInstance / endOfMibView            -> absent from results
Read-only by construction: no backend has a SET code path.
"""

from __future__ import annotations

import asyncio
import time
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import partial
from typing import Literal, TypeVar

from infraaudit.errors import DecodeError, TransportError, TransportTimeout

Value = int | bytes | str
T = TypeVar("T")
VarBind = tuple[str, Value]

MAX_WALK_ROWS = 200_000  # a walk that grows past this is an agent in a loop, not a real table


class Backend(StrEnum):
    GUFO = "gufo"
    PYSNMP = "pysnmp"


@dataclass(frozen=True, repr=False)
class SnmpCredentials:
    """Resolved credentials. ``repr`` never shows secret material."""

    version: Literal["v1", "v2c", "v3"]
    community: str = ""
    user: str = ""
    auth_protocol: str | None = None  # MD5, SHA, SHA-224, SHA-256, SHA-384, SHA-512
    auth_password: str = ""
    priv_protocol: str | None = None  # DES, AES-128, AES-192, AES-256
    priv_password: str = ""
    context: str = ""

    def __repr__(self) -> str:
        who = f"user={self.user!r}" if self.version == "v3" else "community=***"
        return f"SnmpCredentials({self.version}, {who})"


@dataclass(frozen=True)
class SnmpTarget:
    host: str
    port: int
    credentials: SnmpCredentials = field(repr=False)
    timeout_s: float = 2.0
    retries: int = 1
    requests_per_second: float = 50.0
    concurrency: int = 2
    max_repetitions: int = 25


class RateLimiter:
    """At most ``rate`` requests per second, however many coroutines share the limiter.

    Each caller reserves the next free send slot, then sleeps until it. (gufo's own policer is
    built for one caller and lets concurrent waiters through together.)
    """

    def __init__(self, rate: float, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.interval = 1.0 / rate
        self.clock = clock
        self.sleep = sleep
        self.next_slot = 0.0

    async def wait(self) -> None:
        now = self.clock()
        slot = max(now, self.next_slot)
        self.next_slot = slot + self.interval  # reserved before any await: no race in asyncio
        if slot > now:
            await self.sleep(slot - now)


def oid_in(oid: str, root: str) -> bool:
    return oid == root or oid.startswith(root + ".")


def oid_key(oid: str) -> tuple[int, ...]:
    return tuple(int(p) for p in oid.split("."))


class BaseClient(ABC):
    """Retries, per-device rate limit and concurrency, walk termination and loop detection."""

    backend: Backend

    @property
    def label(self) -> str:
        """How results name the client that read them."""
        return self.backend.value

    def __init__(self, target: SnmpTarget) -> None:
        self.target = target
        self.limiter = RateLimiter(target.requests_per_second)
        self.slots = asyncio.Semaphore(target.concurrency)

    # -- what a backend implements ------------------------------------------------------------

    @abstractmethod
    async def _get_once(self, oids: Sequence[str]) -> list[VarBind]:
        """One GET request; missing instances are left out."""

    @abstractmethod
    def _cursor(self, root: str) -> object:
        """Fresh state for walking the subtree under ``root``."""

    @abstractmethod
    async def _batch(self, cursor: object) -> tuple[list[VarBind], bool]:
        """One GETBULK (GETNEXT on v1) from ``cursor``: (varbinds, reached the end).

        Safe to call again with the same cursor after a timeout: the cursor only moves on a reply.
        """

    async def open(self) -> None:  # noqa: B027 - optional hook
        """Prepare sessions (e.g. SNMPv3 engine discovery)."""

    async def close(self) -> None:  # noqa: B027 - optional hook
        """Release sockets."""

    # -- what probes call ---------------------------------------------------------------------

    async def get(self, oids: Sequence[str]) -> dict[str, Value]:
        """GET scalars; an OID the agent does not have is absent from the result."""
        found = dict(await self._request(partial(self._get_once, oids)))
        if self.target.credentials.version == "v1" and len(found) < len(oids) and len(oids) > 1:
            # SNMPv1 fails the whole PDU when one OID is missing: ask for the others one by one.
            for oid in oids:
                if oid not in found:
                    found.update(await self._request(partial(self._get_once, [oid])))
        return found

    async def walk(self, root: str) -> list[VarBind]:
        """All varbinds under ``root`` in OID order. Stops on a loop or a runaway table."""
        cursor = self._cursor(root)
        rows: list[VarBind] = []
        last_key: tuple[int, ...] = ()
        while True:
            batch, done = await self._request(partial(self._batch, cursor))
            for oid, value in batch:
                if not oid_in(oid, root):
                    return rows
                key = oid_key(oid)
                if key <= last_key:
                    raise DecodeError(
                        f"agent returned OIDs out of order under {root} (got {oid} after "
                        f"{rows[-1][0]}): walk stopped to avoid a loop"
                    )
                rows.append((oid, value))
                last_key = key
            if done or not batch:
                return rows
            if len(rows) > MAX_WALK_ROWS:
                raise DecodeError(f"walk of {root} passed {MAX_WALK_ROWS} rows: stopped")

    async def _request(self, send: Callable[[], Awaitable[T]]) -> T:
        attempts = self.target.retries + 1
        async with self.slots:
            for attempt in range(attempts):
                await self.limiter.wait()
                try:
                    return await send()
                except TransportTimeout:
                    if attempt + 1 == attempts:
                        raise
        raise TransportError("unreachable")  # pragma: no cover - loop always returns or raises

    async def __aenter__(self) -> BaseClient:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

