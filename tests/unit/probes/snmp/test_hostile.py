"""What a hostile agent can send, checked without a network: the strict reply reader, SMI
ranges, error-status and tooBig, the device deadline and row caps, foreign datagrams."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import pytest

from infraaudit.errors import DecodeError, ErrorStatus, TransportError
from infraaudit.models import ProbeStatus
from infraaudit.probes.snmp.ber import check_reply
from infraaudit.probes.snmp.device import run_probe
from infraaudit.probes.snmp.interfaces import PROBE as INTERFACES_PROBE
from infraaudit.probes.snmp.pysnmp_backend import _Udp, normalise
from infraaudit.probes.snmp.replay import ReplayClient, decode_line
from infraaudit.probes.snmp.transport import (
    TOO_BIG,
    BadValue,
    SnmpCredentials,
    SnmpTarget,
    VarBind,
)
from infraaudit.probes.snmp.values import non_negative, text
from infraaudit.scan.runner import library_noise
from lab.garbage_agent import _tlv
from lab.hostile_agent import OCTETS, enc_int, message, oid

SYS_NAME = oid("1.3.6.1.2.1.1.5.0")


def reply(tag: int, body: bytes, status: int = 0) -> bytes:
    return message(1, b"public", 77, status, 1 if status else 0, [(SYS_NAME, (tag, body))])


def test_a_good_reply_is_read_with_its_request_id() -> None:
    got = check_reply(reply(OCTETS, b"sw1"))
    assert (got.version, got.request_id, got.error_status) == (1, 77, 0)


def test_error_status_is_read_so_the_values_are_not_used() -> None:
    assert check_reply(reply(OCTETS, b"x", status=5)).error_status == 5


@pytest.mark.parametrize(("tag", "body", "why"), [
    (0x02, b"\x7f" + b"\xff" * 40, "INTEGER of 41 bytes"),
    (0x41, b"\x01" + b"\x00" * 4, "outside the unsigned 32-bit"),
    (0x46, b"\x01" + b"\x00" * 8, "outside the unsigned 64-bit"),
    (0x43, b"\xff", "outside the unsigned 32-bit"),  # TimeTicks -1
    (0x40, b"\x01\x02\x03\x04\x05", "IpAddress of 5 bytes"),
    (0x06, b"\x2b\x86", "unterminated"),
    (0x05, b"\x00", "NULL or exception value with content"),
])
def test_out_of_range_or_malformed_values_are_refused(tag: int, body: bytes, why: str) -> None:
    with pytest.raises(DecodeError, match=why):
        check_reply(reply(tag, body))


def test_the_largest_values_of_each_type_are_accepted() -> None:
    for tag, value in ((0x02, 2**31 - 1), (0x02, -(2**31)), (0x41, 2**32 - 1),
                       (0x46, 2**64 - 1)):
        assert check_reply(reply(tag, enc_int(value))).error_status == 0


@pytest.mark.parametrize("cut", [1, 5, 12, -1])
def test_truncated_or_padded_datagrams_are_refused(cut: int) -> None:
    good = reply(OCTETS, b"sw1")
    with pytest.raises(DecodeError):
        check_reply(good[:cut] if cut > 0 else good + b"\x00")


class _Smi:
    def __init__(self, value: int) -> None:
        self.value = value

    def __int__(self) -> int:
        return self.value


def test_pysnmp_values_outside_their_smi_range_are_bad_value_cells() -> None:
    integer = type("Integer", (_Smi,), {})
    counter = type("Counter64", (_Smi,), {})
    assert normalise(integer(-(2**31))) == -(2**31)
    bad = normalise(integer(2**32 - 1))
    assert isinstance(bad, BadValue) and "outside its SMI range" in bad.reason
    assert isinstance(normalise(counter(-1)), BadValue)
    assert isinstance(normalise(type("Unknown", (), {})()), BadValue)


def test_outside_a_probe_an_oid_where_a_string_is_expected_is_a_decode_error() -> None:
    assert text(b"sw1") == "sw1"
    with pytest.raises(DecodeError, match="OCTET STRING is expected"):
        text("1.3.6.1.4.1.9.1.1")
    with pytest.raises(DecodeError, match="negative"):
        non_negative(-(2**31), "ifMtu.1")


IF = "1.3.6.1.2.1.2.2.1"


@pytest.mark.parametrize(("line", "why"), [
    (f"{IF}.4.1|2|-2147483648", "ifMtu.1: -2147483648: negative, out of range"),
    (f"{IF}.4.1|2|2147483648", "ifMtu.1: tag 2 value 2147483648 is outside its SMI range"),
    (f"{IF}.4.1|2x|7f" + "ff" * 40, "ifMtu.1: tag 2 value"),
    (f"{IF}.10.1|65|4294967296", "ifInOctets.1: tag 65 value 4294967296"),
    (f"{IF}.2.1|6|1.3.6.1.4.1.9.1.1", "ifDescr.1: str value '1.3.6.1.4.1.9.1.1' where an "
     "OCTET STRING is expected"),
])
def test_a_bad_cell_is_none_and_named_the_rest_of_the_table_is_kept(line: str, why: str) -> None:
    """Through the interfaces probe on the replay backend: the bad cell of port 1 is left out
    and named in the probe's error, the probe is OK, port 2 and port 1's other cells are kept."""
    good = [f"{IF}.2.1|4|port1", f"{IF}.2.2|4|port2", f"{IF}.4.1|2|1500", f"{IF}.4.2|2|1500",
            f"{IF}.10.1|65|10", f"{IF}.10.2|65|20", f"{IF}.8.1|2|1", f"{IF}.8.2|2|1"]
    oid_of = line.split("|", maxsplit=1)[0]
    rows = [vb for text_line in [*(g for g in good if g.split("|")[0] != oid_of), line]
            if (vb := decode_line(text_line)) is not None]
    facts, result, decode = asyncio.run(run_probe(INTERFACES_PROBE, ReplayClient(rows)))
    assert result.status is ProbeStatus.OK and not decode
    assert why in (result.error or ""), result.error
    ports = {p.if_index: p for p in facts.ports}
    assert set(ports) == {1, 2} and ports[2].mtu == 1500 and ports[2].descr == "port2"
    cells = {"ifMtu": ports[1].mtu, "ifInOctets": ports[1].counters.in_octets,
             "ifDescr": ports[1].descr}
    bad_column = why.split(".", maxsplit=1)[0]
    assert cells.pop(bad_column) is None
    assert all(v is not None for v in cells.values()), cells  # the rest of port 1 is kept


ROWS = [(f"1.3.6.1.2.1.2.2.1.2.{i}", f"eth{i}".encode()) for i in range(1, 41)]


class TooBigAbove(ReplayClient):
    """Answers tooBig to a GETBULK of more than ``limit`` repetitions."""

    def __init__(self, limit: int) -> None:
        super().__init__(ROWS, max_repetitions=16)
        self.limit = limit
        self.sizes: list[int] = []

    async def _batch(self, cursor: object, repetitions: int) -> tuple[list[VarBind], bool]:
        self.sizes.append(repetitions)
        if repetitions > self.limit:
            raise ErrorStatus(TOO_BIG, 0, "tooBig")
        return await super()._batch(cursor, repetitions)


def test_too_big_asks_again_smaller_and_grows_back() -> None:
    client = TooBigAbove(limit=4)
    assert asyncio.run(client.walk("1.3.6.1.2.1.2.2.1.2")) == ROWS
    assert client.sizes[:3] == [16, 8, 4]
    assert 8 in client.sizes[3:]  # grown back after good replies, then halved again


class Endless(ReplayClient):
    """Every batch: more rows, ever-increasing OIDs, never the end."""

    def __init__(self, **limits: Any) -> None:
        super().__init__([])
        object.__setattr__(self, "target", SnmpTarget(
            "endless", 0, SnmpCredentials("v2c"), requests_per_second=1e9, **limits))
        self.ends_at = time.monotonic() + self.target.deadline
        self.row_budget = 10 * self.target.max_walk_rows
        self.next = 1

    async def _batch(self, cursor: object, repetitions: int) -> tuple[list[VarBind], bool]:
        await asyncio.sleep(0)
        rows = [(f"1.3.6.1.2.1.2.2.1.2.{self.next + i}", b"x" * 40) for i in range(25)]
        self.next += 25
        return rows, False


def test_an_endless_walk_stops_at_the_row_cap() -> None:
    client = Endless(max_walk_rows=1000)
    with pytest.raises(TransportError, match="passed 1000 rows"):
        asyncio.run(client.walk("1.3.6.1.2.1.2.2.1.2"))
    assert client.rows_read <= 1025


def test_an_endless_walk_stops_at_the_device_deadline() -> None:
    client = Endless(deadline_s=0.2, max_walk_rows=10**9)
    with pytest.raises(TransportError, match=r"device deadline of 0\.2 s"):
        asyncio.run(client.walk("1.3.6.1.2.1.2.2.1.2"))


def test_the_default_deadline_follows_the_limits() -> None:
    target = SnmpTarget("h", 161, SnmpCredentials("v2c"))
    assert target.deadline == 120  # 2,000 requests at 50/s + 20 x 2 s x 2 tries
    slow = SnmpTarget("h", 161, SnmpCredentials("v2c"), timeout_s=5, retries=2,
                      requests_per_second=10)
    assert slow.deadline == 200 + 300


def test_pysnmp_socket_drops_datagrams_from_another_address() -> None:
    got: list[Any] = []

    async def run() -> None:
        transport = _Udp()
        transport.peer = ("127.0.0.5", 161)
        transport._callback_function = lambda _t, addr, data: got.append((addr, data))
        transport.datagram_received(b"forged", ("127.0.0.6", 161))
        transport.datagram_received(b"forged", ("127.0.0.5", 162))
        transport.datagram_received(b"mine", ("127.0.0.5", 161))
        await asyncio.sleep(0)

    asyncio.run(run())
    assert got == [(("127.0.0.5", 161), b"mine")]


def test_library_noise_is_one_log_line(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="infraaudit.scan.runner")
    try:
        raise RuntimeError("ConstructedAsn1Type.clone()\n  a second line")
    except RuntimeError as exc:
        loop = asyncio.new_event_loop()
        try:
            library_noise(loop, {"message": "Exception in callback", "exception": exc})
        finally:
            loop.close()
    (record,) = caplog.records
    assert record.levelno == logging.INFO and "\n" not in record.getMessage()
    assert record.exc_info is None


def v3_reply(engine: bytes, user: bytes) -> bytes:
    header = _tlv(0x30, _tlv(0x02, b"\x05") + _tlv(0x02, b"\x05\xdc") + _tlv(0x04, b"\x00")
                  + _tlv(0x02, b"\x03"))
    usm = _tlv(0x30, _tlv(0x04, engine) + _tlv(0x02, b"\x01") + _tlv(0x02, b"\x02")
               + _tlv(0x04, user) + _tlv(0x04, b"") + _tlv(0x04, b""))
    v2c = message(1, b"", 9, 0, 0, [(SYS_NAME, (OCTETS, b"sw1"))])
    pdu = v2c[v2c.index(b"\xa2"):]  # the response PDU after version and empty community
    scoped = _tlv(0x30, _tlv(0x04, engine) + _tlv(0x04, b"") + pdu)
    return _tlv(0x30, _tlv(0x02, b"\x03") + header + _tlv(0x04, usm) + scoped)


def test_v3_replies_name_their_engine_and_user() -> None:
    got = check_reply(v3_reply(b"\x80\x00\x1f\x88\x04lab", b"lab-sha"))
    assert (got.version, got.request_id, got.engine_id, got.user) == (
        3, 9, b"\x80\x00\x1f\x88\x04lab", b"lab-sha")
