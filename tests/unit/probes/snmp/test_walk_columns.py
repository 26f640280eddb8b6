"""The multi-column walk (BaseClient.walk_columns) against recorded devices: exactly the rows the
per-column walks return, in fewer requests; loop detection per column; a request that times out
is asked again with fewer repetitions."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

import pytest

from infraaudit.errors import DecodeError, TransportTimeout
from infraaudit.probes.snmp import entity, interfaces, ip, lldp
from infraaudit.probes.snmp.replay import ReplayClient, read_snmprec
from infraaudit.probes.snmp.transport import SnmpCredentials, SnmpTarget, Value, VarBind

CASES = Path(__file__).resolve().parents[3] / "replay"
RECORDINGS = sorted(CASES.glob("*/*/walk.snmprec"))
TABLES = {probe.name: list(probe.columns.values())
          for probe in (interfaces.PROBE, ip.PROBE, lldp.PROBE, entity.PROBE)}


class Counting(ReplayClient):
    def __init__(self, rows: list[VarBind], max_repetitions: int = 25) -> None:
        super().__init__(rows, max_repetitions=max_repetitions)
        self.requests = 0

    async def _batch(self, cursor: object, repetitions: int) -> tuple[list[VarBind], bool]:
        self.requests += 1
        return await super()._batch(cursor, repetitions)

    async def _bulk(self, oids: Sequence[str], repetitions: int) -> list[tuple[str, Value | None]]:
        self.requests += 1
        return await super()._bulk(oids, repetitions)


@pytest.mark.parametrize("recording", RECORDINGS, ids=lambda p: f"{p.parent.parent.name}/"
                         f"{p.parent.name}")
@pytest.mark.parametrize("max_repetitions", [1, 7, 25])
def test_same_rows_as_per_column_walks(recording: Path, max_repetitions: int) -> None:
    rows = read_snmprec(recording)
    for columns in TABLES.values():
        single = Counting(rows, max_repetitions)
        each = {c: asyncio.run(single.walk(c)) for c in columns}
        multi = Counting(rows, max_repetitions)
        assert asyncio.run(multi.walk_columns(columns)) == each


def test_fewer_requests_on_a_real_interface_table() -> None:
    rows = read_snmprec(CASES / "device" / "dlink-des3200" / "walk.snmprec")
    columns = TABLES[interfaces.PROBE.name]
    single, multi = Counting(rows), Counting(rows)
    for c in columns:
        asyncio.run(single.walk(c))
    asyncio.run(multi.walk_columns(columns))
    assert multi.requests < single.requests


class Looping(ReplayClient):
    """Answers the second column of each GETBULK with the same OID again and again."""

    async def _bulk(self, oids: Sequence[str], repetitions: int) -> list[tuple[str, Value | None]]:
        reply = await super()._bulk(oids, repetitions)
        return [(oids[1], b"x") if i % len(oids) == 1 else vb for i, vb in enumerate(reply)]


def test_a_column_that_loops_stops_the_walk() -> None:
    rows = [(f"1.3.6.1.2.1.2.2.1.{col}.{i}", i) for col in (2, 3) for i in range(1, 6)]
    with pytest.raises(DecodeError, match=r"out of order under 1\.3\.6\.1\.2\.1\.2\.2\.1\.3"):
        asyncio.run(Looping(rows).walk_columns(["1.3.6.1.2.1.2.2.1.2", "1.3.6.1.2.1.2.2.1.3"]))


class DropsBig(Counting):
    """Never answers a request for more than ``limit`` varbinds (a reply too big for the path
    back: the Huawei AC6605's VLAN bitmaps)."""

    def __init__(self, rows: list[VarBind], limit: int) -> None:
        super().__init__(rows)
        object.__setattr__(self, "target", SnmpTarget(
            "drops", 0, SnmpCredentials("v2c"), retries=1, requests_per_second=1e9,
            timeout_s=0.01, max_repetitions=25))
        self.limit = limit
        self.sizes: list[int] = []

    async def _batch(self, cursor: object, repetitions: int) -> tuple[list[VarBind], bool]:
        self.sizes.append(repetitions)
        if repetitions > self.limit:
            raise TransportTimeout("no answer (timeout)")
        return await super()._batch(cursor, repetitions)

    async def _bulk(self, oids: Sequence[str], repetitions: int) -> list[tuple[str, Value | None]]:
        self.sizes.append(len(oids) * repetitions)
        if len(oids) * repetitions > self.limit:
            raise TransportTimeout("no answer (timeout)")
        return await super()._bulk(oids, repetitions)


ROWS = [(f"1.3.6.1.2.1.17.7.1.4.3.1.{col}.{i}", bytes(64)) for col in (2, 3, 4)
        for i in range(1, 41)]


def test_a_walk_that_times_out_is_asked_again_with_fewer_repetitions() -> None:
    client = DropsBig(ROWS, limit=3)
    got = asyncio.run(client.walk("1.3.6.1.2.1.17.7.1.4.3.1.2"))
    assert got == ROWS[:40]
    assert client.sizes[:3] == [25, 25, 1]  # two tries at 25, then 1
    assert sum(size > 3 for size in client.sizes) <= 6  # growing back finds the ceiling


def test_a_multi_column_walk_that_times_out_is_asked_again_smaller() -> None:
    columns = [f"1.3.6.1.2.1.17.7.1.4.3.1.{col}" for col in (2, 3, 4)]
    client = DropsBig(ROWS, limit=3)
    got = asyncio.run(client.walk_columns(columns))
    assert got == {c: [vb for vb in ROWS if vb[0].startswith(c + ".")] for c in columns}
    assert client.sizes[:3] == [24, 24, 1]  # 3 columns x 8, twice, then 1 x 1
    assert sum(size > 3 for size in client.sizes) <= 6


def test_a_walk_fails_when_even_one_repetition_times_out() -> None:
    with pytest.raises(TransportTimeout):
        asyncio.run(DropsBig(ROWS, limit=0).walk_columns(["1.3.6.1.2.1.17.7.1.4.3.1.2"]))


class FixedDropsBig(DropsBig):
    """As DropsBig, on a backend that always asks for its full size (gufo: the size lives in
    its Rust iterator)."""

    resizable = False
    multi_column = False


def test_a_fixed_size_backend_hands_a_device_that_answers_to_one_that_can_resize() -> None:
    client = FixedDropsBig(ROWS, limit=3)

    async def read() -> None:
        assert await client.get(["1.3.6.1.2.1.17.7.1.4.3.1.2.1"])  # the device answers
        await client.walk("1.3.6.1.2.1.17.7.1.4.3.1.2")

    with pytest.raises(DecodeError, match=r"at 25 repetitions.*cannot ask for fewer rows"):
        asyncio.run(read())
    assert client.sizes == [25, 25]  # its retries, never a smaller size


def test_a_fixed_size_backend_reports_a_silent_device_as_a_timeout() -> None:
    with pytest.raises(TransportTimeout):
        asyncio.run(FixedDropsBig(ROWS, limit=3).walk("1.3.6.1.2.1.17.7.1.4.3.1.2"))


def test_the_size_a_device_cannot_send_is_learned_once_for_all_its_walks() -> None:
    """The second walk of the device starts at what the first one learned: no timeout again."""
    client = DropsBig(ROWS, limit=3)

    async def read() -> None:
        await client.walk("1.3.6.1.2.1.17.7.1.4.3.1.2")
        client.sizes.clear()
        await client.walk("1.3.6.1.2.1.17.7.1.4.3.1.3")

    asyncio.run(read())
    assert client.sizes and max(client.sizes) <= 3
