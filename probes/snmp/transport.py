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

from infraaudit.errors import DecodeError, ErrorStatus, TransportError, TransportTimeout
from infraaudit.util.batchsize import BatchSize


@dataclass(frozen=True)
class BadValue:
    """A varbind whose value breaks its SMI type's range (a 41-byte INTEGER, a Counter32 past
    2**32): the reply is kept, this cell is not data. ``device.run_probe`` drops it from the
    walk and records ``reason`` as a column decode error."""

    reason: str


Value = int | bytes | str | BadValue
T = TypeVar("T")
VarBind = tuple[str, Value]

MAX_WALK_ROWS = 100_000  # a walk that grows past this is an agent in a loop, not a real table
# Every walk of one device together: what bounds a device's memory (measured ~280 B a row with
# tests/bench/bench_hostile_walk.py: 250,000 rows, ~70 MB).
DEVICE_ROWS_PER_WALK_CAP = 2.5
# The default deadline of a device: the requests of a big access switch (48 ports, a full
# forwarding table: ~2,000 GETBULKs) at the device's request rate, plus room for this many
# requests that need every retry.
EXPECTED_REQUESTS = 2_000
TOLERATED_TIMEOUTS = 20
MIN_DEADLINE_S = 60.0
TOO_BIG, NO_SUCH_NAME = 1, 2
ERROR_STATUS = {1: "tooBig", 2: "noSuchName", 3: "badValue", 4: "readOnly", 5: "genErr",
                6: "noAccess", 7: "wrongType", 8: "wrongLength", 9: "wrongEncoding",
                10: "wrongValue", 11: "noCreation", 12: "inconsistentValue",
                13: "resourceUnavailable", 14: "commitFailed", 15: "undoFailed",
                16: "authorizationError", 17: "notWritable", 18: "inconsistentName"}


def error_status(status: int, index: int) -> ErrorStatus:
    name = ERROR_STATUS.get(status, f"error-status {status}")
    return ErrorStatus(status, index, f"agent answered {name} (index {index}): values not used")


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
    deadline_s: float | None = None  # the whole device; None: default_deadline()
    max_walk_rows: int = MAX_WALK_ROWS

    def default_deadline(self) -> float:
        """``EXPECTED_REQUESTS`` at the request rate, plus ``TOLERATED_TIMEOUTS`` requests that
        time out on every try; at least ``MIN_DEADLINE_S``. Defaults (2 s, 1 retry, 50/s): 120 s."""
        slow = self.timeout_s * (self.retries + 1) * TOLERATED_TIMEOUTS
        return max(MIN_DEADLINE_S, EXPECTED_REQUESTS / self.requests_per_second + slow)

    @property
    def deadline(self) -> float:
        return self.deadline_s if self.deadline_s is not None else self.default_deadline()


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
    return tuple(map(int, oid.split(".")))


def _out_of_order(root: str, oid: str, previous: str) -> DecodeError:
    return DecodeError(f"agent returned OIDs out of order under {root} (got {oid} after "
                       f"{previous}): walk stopped to avoid a loop")


class BaseClient(ABC):
    """Retries, per-device rate limit and concurrency, walk termination and loop detection."""

    backend: Backend
    resizable = False  # True: _batch honours a smaller max-repetitions (tooBig is retried)
    multi_column = False  # True: _bulk sends one GETBULK with several varbinds (walk_columns)

    @property
    def label(self) -> str:
        """How results name the client that read them."""
        return self.backend.value

    def __init__(self, target: SnmpTarget) -> None:
        self.target = target
        self.limiter = RateLimiter(target.requests_per_second)
        self.slots = asyncio.Semaphore(target.concurrency)
        self.ends_at = time.monotonic() + target.deadline
        self.rows_read = 0
        self.row_budget = int(target.max_walk_rows * DEVICE_ROWS_PER_WALK_CAP)
        # what the agent told, for a failure record: the last SNMPv3 Report PDU (a usmStats
        # name, see ber.USM_STATS) and whether an SNMPv3 agent answered engine discovery
        self.report: str | None = None
        self.discovered = False
        self.answered = False  # some request of this client got its reply
        self.size = BatchSize(target.max_repetitions)

    # -- what a backend implements ------------------------------------------------------------

    @abstractmethod
    async def _get_once(self, oids: Sequence[str]) -> list[VarBind]:
        """One GET request; missing instances are left out."""

    @abstractmethod
    def _cursor(self, root: str) -> object:
        """Fresh state for walking the subtree under ``root``."""

    @abstractmethod
    async def _batch(self, cursor: object, repetitions: int) -> tuple[list[VarBind], bool]:
        """One GETBULK (GETNEXT on v1) from ``cursor``: (varbinds, reached the end).

        Safe to call again with the same cursor after a timeout: the cursor only moves on a reply.
        ``repetitions`` is the max-repetitions to ask for (smaller after a tooBig) when the
        backend is ``resizable``.
        """

    async def _bulk(self, oids: Sequence[str], repetitions: int) -> list[tuple[str, Value | None]]:
        """One GETBULK, non-repeaters 0, one varbind per OID: the reply's varbinds in order,
        ``None`` for an exception value (endOfMibView...). Only when ``multi_column``."""
        raise NotImplementedError

    async def open(self) -> None:  # noqa: B027 - optional hook
        """Prepare sessions (e.g. SNMPv3 engine discovery)."""

    async def close(self) -> None:  # noqa: B027 - optional hook
        """Release sockets."""

    # -- what probes call ---------------------------------------------------------------------

    async def get(self, oids: Sequence[str]) -> dict[str, Value]:
        """GET scalars; an OID the agent does not have is absent from the result."""
        too_big = False
        try:
            found = dict(await self._request(partial(self._get_once, oids)))
        except ErrorStatus as exc:
            if exc.status != TOO_BIG or len(oids) < 2:
                raise
            found, too_big = {}, True  # the answer does not fit in one datagram: one by one
        if len(found) < len(oids) and len(oids) > 1 and (
                self.target.credentials.version == "v1" or too_big):
            # SNMPv1 fails the whole PDU when one OID is missing: ask for the others one by one.
            for oid in oids:
                if oid not in found:
                    found.update(await self._request(partial(self._get_once, [oid])))
        return found

    async def walk(self, root: str) -> list[VarBind]:
        """All varbinds under ``root`` in OID order. Stops on a loop or a runaway table (past
        ``max_walk_rows``, or the device's row budget: every walk together).

        tooBig: ask again with half the max-repetitions, and double it back after 4 good replies.
        A request that timed out after its retries is asked again with 1 (``BatchSize``) on a
        backend that can resize; the walk fails when even that times out. A backend that cannot
        resize raises ``DecodeError`` instead when the device had answered other requests (so
        the device is read again by one that can), and the timeout itself when it had not.
        """
        cursor = self._cursor(root)
        rows: list[VarBind] = []
        last_key: tuple[int, ...] = ()
        size = self.size
        reps = size.now

        async def send() -> tuple[list[VarBind], bool]:
            # the size is read as each try is sent, not when it was queued for a slot: a
            # timeout another walk of the device met meanwhile already counts
            nonlocal reps
            reps = size.now
            return await self._batch(cursor, reps)

        while True:
            try:
                batch, done = await self._request(send)
            except ErrorStatus as exc:
                if exc.status != TOO_BIG:
                    raise
                if not self.resizable:
                    raise DecodeError(f"{exc}; this backend cannot ask for fewer rows") from exc
                if not size.too_big(reps):
                    raise
                continue
            except TransportTimeout as exc:
                if self.resizable and size.timed_out(reps):
                    continue
                if (not self.resizable and reps > 1 and self.answered
                        and self.target.credentials.version != "v1"):
                    # the device answers, but not this size: a backend that can ask for fewer
                    # rows must read it (the runner re-reads the device with pysnmp)
                    raise DecodeError(f"{exc} at {reps} repetitions after the device had "
                                      "answered; this backend cannot ask for fewer rows") from exc
                raise
            size.good()
            self.rows_read += len(batch)
            for oid, value in batch:
                if not oid_in(oid, root):
                    return rows
                key = oid_key(oid)
                if key <= last_key:
                    raise _out_of_order(root, oid, rows[-1][0])
                rows.append((oid, value))
                last_key = key
            if done or not batch:
                return rows
            self._check_rows(root, len(rows))

    async def walk_columns(self, columns: Sequence[str]) -> dict[str, list[VarBind]]:
        """Walk several columns (of one table, usually) together: each GETBULK carries one
        varbind per column still open, non-repeaters 0. The result per column is what
        ``walk(column)`` returns.

        Size: at most ``max_repetitions`` varbinds a reply (``BatchSize``: halved on tooBig,
        dropped to 1 on a timeout): ``min(open columns, budget)`` columns a request, each with
        ``max(1, budget // columns)`` repetitions (floor: the reply is never larger than a
        one-column walk's). A column stops as it leaves its subtree or at endOfMibView; order is
        checked per column against that column's previous OID; row caps, the device's row
        budget and its deadline hold as in ``walk``. Backends without a multi-varbind GETBULK
        (and SNMPv1) walk the columns one by one, concurrently.
        """
        columns = list(dict.fromkeys(columns))
        if not self.multi_column or self.target.credentials.version == "v1":
            return await self._walk_each(columns)
        rows: dict[str, list[VarBind]] = {c: [] for c in columns}
        cursor = {c: c for c in columns}
        last_key: dict[str, tuple[int, ...]] = {c: () for c in columns}
        still = list(columns)
        size = self.size
        budget, asked = size.now, still

        async def send() -> list[tuple[str, Value | None]]:
            nonlocal budget, asked  # read as each try is sent (see walk)
            budget = size.now
            asked = still[:min(len(still), budget)]
            return await self._bulk([cursor[c] for c in asked], max(1, budget // len(asked)))

        while still:
            try:
                reply = await self._request(send)
            except ErrorStatus as exc:
                if exc.status != TOO_BIG or not size.too_big(budget):
                    raise
                continue
            except TransportTimeout:
                if not size.timed_out(budget):
                    raise
                continue
            size.good()
            self.rows_read += len(reply)
            width = len(asked)
            closed = set() if reply else set(asked)
            for position, (oid, value) in enumerate(reply):
                column = asked[position % width]
                if column in closed:
                    continue
                if value is None or not oid_in(oid, column):
                    closed.add(column)
                    continue
                key = oid_key(oid)
                if key <= last_key[column]:
                    raise _out_of_order(column, oid, rows[column][-1][0])
                rows[column].append((oid, value))
                last_key[column], cursor[column] = key, oid
            still = [c for c in still if c not in closed]
            for column in asked:
                if column in still:
                    self._check_rows(column, len(rows[column]))
        return rows

    def _check_rows(self, root: str, count: int) -> None:
        """A walk still open under ``root`` with ``count`` rows: past its cap, or past the
        device's row budget (every walk together), it stops."""
        if count > self.target.max_walk_rows:
            raise TransportError(f"walk of {root} passed {self.target.max_walk_rows} rows: "
                                 "stopped (limits.max_walk_rows)")
        if self.rows_read > self.row_budget:
            raise TransportError(f"the device's walks passed {self.row_budget} rows in all "
                                 f"({count} under {root}): stopped")

    async def _walk_each(self, columns: list[str]) -> dict[str, list[VarBind]]:
        """``walk`` each column concurrently; the first failure cancels the others."""
        try:
            async with asyncio.TaskGroup() as group:
                tasks = {c: group.create_task(self.walk(c)) for c in columns}
        except BaseExceptionGroup as group_error:
            raise group_error.exceptions[0] from None
        return {c: task.result() for c, task in tasks.items()}

    def _check_deadline(self) -> None:
        if time.monotonic() >= self.ends_at:
            raise TransportError(f"device deadline of {self.target.deadline:g} s reached after "
                                 f"{self.rows_read} rows: stopped (limits.device_deadline_s)")

    async def _request(self, send: Callable[[], Awaitable[T]]) -> T:
        """One request with its retries. Each try is bounded here, whatever the backend does
        with replies it drops (a stream of foreign datagrams must not keep a request open)."""
        attempts = self.target.retries + 1
        async with self.slots:
            for attempt in range(attempts):
                self._check_deadline()
                await self.limiter.wait()
                self._check_deadline()
                try:
                    # twice the timeout: an SNMPv3 session's first request also discovers
                    async with asyncio.timeout(2 * self.target.timeout_s + 0.5):
                        reply = await send()
                    self.answered = True
                    return reply
                except (TransportTimeout, TimeoutError) as exc:
                    if attempt + 1 == attempts:
                        if isinstance(exc, TransportTimeout):
                            raise
                        raise TransportTimeout("no answer (timeout)") from exc
        raise TransportError("unreachable")  # pragma: no cover - loop always returns or raises

    async def __aenter__(self) -> BaseClient:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

