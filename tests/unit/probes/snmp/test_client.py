"""The shared client logic: retries that resume a walk, loop detection, v1 GET splitting."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from infraaudit.errors import DecodeError, TransportTimeout
from infraaudit.probes.snmp.replay import ReplayClient
from infraaudit.probes.snmp.transport import SnmpCredentials, SnmpTarget, VarBind

ROWS = [(f"1.3.6.1.2.1.2.2.1.2.{i}", f"eth{i}".encode()) for i in range(1, 11)]
ROWS += [("1.3.6.1.2.1.2.2.1.3.1", 6), ("1.3.6.1.2.1.1.5.0", b"sw1")]


class Flaky(ReplayClient):
    """Drops every third request, as a congested old switch does."""

    def __init__(self, rows: list[VarBind], retries: int) -> None:
        super().__init__(rows, max_repetitions=3)
        object.__setattr__(self, "target", SnmpTarget(
            "flaky", 0, SnmpCredentials("v2c"), retries=retries, requests_per_second=1e9,
            max_repetitions=3))
        self.calls = 0

    async def _batch(self, cursor: object, repetitions: int) -> tuple[list[VarBind], bool]:
        self.calls += 1
        if self.calls % 3 == 0:
            raise TransportTimeout("dropped")
        return await super()._batch(cursor, repetitions)


def test_walk_resumes_after_timeouts_without_losing_or_repeating_rows() -> None:
    client = Flaky(ROWS, retries=1)
    rows = asyncio.run(client.walk("1.3.6.1.2.1.2.2.1.2"))
    assert rows == ROWS[:10]
    assert client.calls > 4  # several timeouts happened and were retried


def test_walk_gives_up_after_the_retries() -> None:
    client = Flaky(ROWS, retries=0)
    with pytest.raises(TransportTimeout):
        asyncio.run(client.walk("1.3.6.1.2.1.2.2.1.2"))


class Looping(ReplayClient):
    """An agent bug seen in the field: GETBULK answers go backwards."""

    async def _batch(self, cursor: object, repetitions: int) -> tuple[list[VarBind], bool]:
        return [("1.3.6.1.2.1.2.2.1.2.5", b"x"), ("1.3.6.1.2.1.2.2.1.2.4", b"y")], False


def test_walk_stops_on_oids_out_of_order() -> None:
    with pytest.raises(DecodeError, match="out of order"):
        asyncio.run(Looping(ROWS).walk("1.3.6.1.2.1.2.2.1.2"))


class V1Agent(ReplayClient):
    """SNMPv1: one missing OID fails the whole GET (noSuchName), modelled as an empty answer."""

    def __init__(self, rows: list[VarBind]) -> None:
        super().__init__(rows)
        object.__setattr__(self, "target", SnmpTarget("v1", 0, SnmpCredentials("v1"),
                                                      requests_per_second=1e9))

    async def _get_once(self, oids: Sequence[str]) -> list[VarBind]:
        found = await super()._get_once(oids)
        return found if len(found) == len(oids) else []


def test_v1_get_asks_again_one_by_one() -> None:
    client = V1Agent(ROWS)
    got = asyncio.run(client.get(["1.3.6.1.2.1.1.5.0", "1.3.6.1.2.1.1.99.0"]))
    assert got == {"1.3.6.1.2.1.1.5.0": b"sw1"}


def test_credentials_repr_hides_secrets() -> None:
    cred = SnmpCredentials("v3", user="u", auth_protocol="SHA", auth_password="topsecret1",
                           priv_protocol="AES-128", priv_password="topsecret2")
    target = SnmpTarget("h", 161, cred)
    assert "topsecret" not in repr(cred) and "topsecret" not in repr(target)
    assert "topsecret" not in repr(SnmpCredentials("v2c", community="topsecret3"))


def test_no_set_request_anywhere_in_the_snmp_code() -> None:
    """Read-only by construction: no backend imports or sends SET."""
    from pathlib import Path

    import infraaudit.probes.snmp

    for path in Path(infraaudit.probes.snmp.__file__).parent.glob("*.py"):
        source = path.read_text(encoding="utf-8")
        for word in ("set_cmd", "send_set", "SetRequest", ".set("):
            assert word not in source, f"{path.name} mentions {word}"


def test_rate_limiter_spaces_concurrent_callers() -> None:
    """16 coroutines share a 10 req/s limiter: every request gets its own 100 ms slot."""
    from infraaudit.probes.snmp.transport import RateLimiter

    delays: list[float] = []

    async def fake_sleep(seconds: float) -> None:  # the clock stands still: slots are the delays
        delays.append(round(seconds, 6))
        await asyncio.sleep(0)

    limiter = RateLimiter(10.0, clock=lambda: 100.0, sleep=fake_sleep)

    async def worker() -> None:
        for _ in range(3):
            await limiter.wait()

    async def run() -> None:
        await asyncio.gather(*(worker() for _ in range(16)))

    asyncio.run(run())
    # the first request goes at once; the 47 others wait 0.1, 0.2, ... 4.7 s: no slot shared
    assert sorted(delays) == [round(0.1 * i, 6) for i in range(1, 48)]
