"""A small SNMP v1/v2c agent that misbehaves on purpose, one behaviour per address.

Each endpoint ``MODE:NAME@HOST`` (all on one UDP port) serves a tiny MIB naming itself NAME
(sysName NAME, sysDescr "hostile lab agent NAME", two ports), and answers according to MODE:

- ``honest``: correctly.
- ``neighbour``: correctly, after forged replies carrying sysName/sysDescr "FORGED-<NAME>" with
  the neighbouring request-ids (id-1, id+1..id+3) sent to the requester's port and the ports
  next to it (where the scanner's other devices are waiting for their answers).
- ``wrongid``: only forged replies with id+1: never an answer to the request itself.
- ``foreign``: the right reply, but sent from another address (``MODE:NAME@HOST>FROM``).
- ``endless``: GETs correctly; every walk gets ever-increasing OIDs under what was asked.
- ``generr`` / ``toobig``: genErr to everything / tooBig to a GETBULK of more than 4
  repetitions or a GET of more than 3 OIDs, with values (``FROM-ERROR-REPLY``) in the varbinds.
- ``bigdrop``: a GETBULK of more than 4 repetitions is dropped unanswered (a Huawei AC6605's
  VLAN bitmaps at 25 repetitions never come back), smaller ones are answered correctly.
- ``badint``: sysServices is a 41-byte INTEGER; ``badmtu``: ifMtu.1 is -2147483648;
  ``oidname``: sysName is an OBJECT IDENTIFIER.
- ``mutate``: the right reply with one byte changed (seeded by a counter: deterministic).
- ``duplicate``: the right reply three times; ``slow``: every other reply 0.7 s late (after the
  scanner's 0.5 s timeout, while its retry waits: the late reply carries the old request-id).
- ``v1``: an SNMPv1-only agent (RFC 1157): v2c messages and GETBULK are dropped unanswered, a
  missing OID in a GET and the end of the MIB in a GETNEXT are answered noSuchName with the
  error-index of the first such varbind and the request's varbinds echoed back.

Run: ``python -m lab.hostile_agent PORT MODE:NAME@HOST ...`` (stop with SIGTERM).
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import random
import signal
from collections.abc import Callable
from dataclasses import dataclass, field

from lab.garbage_agent import _tlv

INT, OCTETS, NULL, OID, TICKS = 0x02, 0x04, 0x05, 0x06, 0x43
GET, NEXT, BULK, RESPONSE = 0xA0, 0xA1, 0xA5, 0xA2
END_OF_MIB = 0x82
FORGED = "FORGED-"
ERROR_VALUE = b"FROM-ERROR-REPLY"
ENDLESS_ARCS = 14  # every walk root the probes use has fewer arcs
SLOW_S = 0.7  # how late a ``slow`` reply is


def enc_int(value: int) -> bytes:
    size = max(1, (value + (value < 0)).bit_length() // 8 + 1)
    return value.to_bytes(size, "big", signed=True)


def enc_oid(arcs: tuple[int, ...]) -> bytes:
    out = bytearray([arcs[0] * 40 + arcs[1]])
    for arc in arcs[2:]:
        chunk, rest = [arc & 0x7F], arc >> 7
        while rest:
            chunk.append(0x80 | (rest & 0x7F))
            rest >>= 7
        out += bytes(reversed(chunk))
    return bytes(out)


def dec_oid(body: bytes) -> tuple[int, ...]:
    arcs, value = [], 0
    for byte in body:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            arcs.append(value)
            value = 0
    first = arcs.pop(0)
    return (min(first // 40, 2), first - 40 * min(first // 40, 2), *arcs)


def parse_tlvs(data: bytes) -> list[tuple[int, bytes]]:
    out, at = [], 0
    while at < len(data):
        tag, size, at = data[at], data[at + 1], at + 2
        if size & 0x80:
            count = size & 0x7F
            size, at = int.from_bytes(data[at:at + count], "big"), at + count
        out.append((tag, data[at:at + size]))
        at += size
    return out


def oid(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in text.split("."))


def mib(name: str, mode: str) -> dict[tuple[int, ...], tuple[int, bytes]]:
    rows: dict[tuple[int, ...], tuple[int, bytes]] = {
        oid("1.3.6.1.2.1.1.1.0"): (OCTETS, f"hostile lab agent {name}".encode()),
        oid("1.3.6.1.2.1.1.2.0"): (OID, enc_oid(oid("1.3.6.1.4.1.8072.3.2.10"))),
        oid("1.3.6.1.2.1.1.3.0"): (TICKS, enc_int(12345)),
        oid("1.3.6.1.2.1.1.5.0"): (OCTETS, name.encode()),
        oid("1.3.6.1.2.1.1.7.0"): (INT, enc_int(6)),
    }
    for index in (1, 2):
        rows[oid(f"1.3.6.1.2.1.2.2.1.2.{index}")] = (OCTETS, f"port{index}".encode())
        rows[oid(f"1.3.6.1.2.1.2.2.1.3.{index}")] = (INT, enc_int(6))
        rows[oid(f"1.3.6.1.2.1.2.2.1.4.{index}")] = (INT, enc_int(1500))
        rows[oid(f"1.3.6.1.2.1.2.2.1.8.{index}")] = (INT, enc_int(1))
    if mode == "badint":
        rows[oid("1.3.6.1.2.1.1.7.0")] = (INT, b"\x7f" + b"\xff" * 40)
    if mode == "badmtu":
        rows[oid("1.3.6.1.2.1.2.2.1.4.1")] = (INT, enc_int(-(2**31)))
    if mode == "oidname":
        rows[oid("1.3.6.1.2.1.1.5.0")] = (OID, enc_oid(oid("1.3.6.1.4.1.9.1.1")))
    return rows


@dataclass
class Endpoint:
    mode: str
    name: str
    host: str
    reply_from: str | None = None
    rows: dict[tuple[int, ...], tuple[int, bytes]] = field(default_factory=dict)
    keys: list[tuple[int, ...]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.rows = mib(self.name, self.mode)
        self.keys = sorted(self.rows)

    def next_of(self, name: tuple[int, ...]) -> tuple[tuple[int, ...], tuple[int, bytes]]:
        if self.mode == "endless":
            if len(name) < ENDLESS_ARCS:
                after = name + (1,) * (ENDLESS_ARCS - len(name))
            else:
                after = (*name[:-1], name[-1] + 1)
            return after, (OCTETS, b"x" * 40)
        at = bisect.bisect_right(self.keys, name)
        if at == len(self.keys):
            return name, (END_OF_MIB, b"")
        return self.keys[at], self.rows[self.keys[at]]


def message(version: int, community: bytes, request_id: int, status: int, index: int,
            binds: list[tuple[tuple[int, ...], tuple[int, bytes]]]) -> bytes:
    body = b"".join(_tlv(0x30, _tlv(OID, enc_oid(n)) + _tlv(t, v)) for n, (t, v) in binds)
    pdu = _tlv(RESPONSE, _tlv(INT, enc_int(request_id)) + _tlv(INT, enc_int(status))
               + _tlv(INT, enc_int(index)) + _tlv(0x30, body))
    return _tlv(0x30, _tlv(INT, enc_int(version)) + _tlv(OCTETS, community) + pdu)


def answer(ep: Endpoint, kind: int, a: int, b: int,
           names: list[tuple[int, ...]]) -> tuple[int, list[tuple[tuple[int, ...],
                                                               tuple[int, bytes]]]]:
    """(error-status, varbinds) for one request; a negative status is noSuchName at the
    varbind of that (1-based) number."""
    if ep.mode == "generr":
        return 5, [(n, (OCTETS, ERROR_VALUE)) for n in names]
    if ep.mode == "toobig" and ((kind == BULK and b > 4) or (kind == GET and len(names) > 3)):
        return 1, [(n, (OCTETS, ERROR_VALUE)) for n in names]
    if kind in (GET, NEXT):
        binds = ([(n, ep.rows.get(n, (0x81, b""))) for n in names] if kind == GET
                 else [ep.next_of(n) for n in names])
        missing = [at for at, (_, (tag, _)) in enumerate(binds, 1) if tag in (0x81, END_OF_MIB)]
        if ep.mode == "v1" and missing:
            # RFC 1157 4.1.2/4.1.3: noSuchName, the request's varbinds echoed back
            return -missing[0], [(n, (NULL, b"")) for n in names]
        return 0, binds
    # GETBULK (RFC 3416 4.2.3), non-repeaters 0: row by row, each row one varbind per name;
    # a name past the end of the MIB stays endOfMibView; the reply ends when every name has
    binds = []
    current = list(names)
    ended = [False] * len(names)
    for _ in range(max(1, min(b, 60))):
        for at, name in enumerate(current):
            if ended[at]:
                binds.append((name, (END_OF_MIB, b"")))
                continue
            current[at], value = ep.next_of(name)
            binds.append((current[at], value))
            ended[at] = value[0] == END_OF_MIB
        if all(ended):
            break
    return 0, binds


class Agent(asyncio.DatagramProtocol):
    def __init__(self, ep: Endpoint, sender: asyncio.DatagramTransport | None) -> None:
        self.ep = ep
        self.sender = sender  # the foreign address's socket, for ``foreign``
        self.transport: asyncio.DatagramTransport | None = None
        self.counter = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        try:
            (_, body), = parse_tlvs(data)
            (_, version), (_, community), (kind, pdu) = parse_tlvs(body)
            (_, rid), (_, a), (_, b), (_, binds) = parse_tlvs(pdu)
        except (ValueError, IndexError):
            return
        request_id = int.from_bytes(rid, "big", signed=True)
        names = [dec_oid(parse_tlvs(vb)[0][1]) for _, vb in parse_tlvs(binds)]
        ver = int.from_bytes(version, "big")
        if self.ep.mode == "v1" and (ver != 0 or kind == BULK):
            return  # an SNMPv1 agent knows neither v2c messages nor GETBULK
        if self.ep.mode == "bigdrop" and kind == BULK and int.from_bytes(b, "big") > 4:
            return  # a reply this large never leaves the agent
        status, out = answer(self.ep, kind, int.from_bytes(a, "big"), int.from_bytes(b, "big"),
                             names)
        index = 1 if status else 0
        if status < 0:  # noSuchName at the varbind -status
            status, index = 2, -status
        if self.ep.mode in ("neighbour", "wrongid"):
            self.forge(ver, community, request_id, names, addr)
            if self.ep.mode == "wrongid":
                return
        reply = message(ver, community, request_id, status, index, out)
        if self.ep.mode == "mutate":
            reply = mutate(reply, self.counter)
            self.counter += 1
        target = self.sender if self.ep.mode == "foreign" else self.transport
        if target is None:
            return
        if self.ep.mode == "slow":
            self.counter += 1
            if self.counter % 2:
                asyncio.get_running_loop().call_later(SLOW_S, target.sendto, reply, addr)
                return
        for _ in range(3 if self.ep.mode == "duplicate" else 1):
            target.sendto(reply, addr)

    def forge(self, version: int, community: bytes, request_id: int,
              names: list[tuple[int, ...]], addr: tuple[str, int]) -> None:
        fake = (FORGED + self.ep.name).encode()
        binds = [(n, (OCTETS, fake)) for n in names]
        binds += [(oid("1.3.6.1.2.1.1.1.0"), (OCTETS, fake)),
                  (oid("1.3.6.1.2.1.1.5.0"), (OCTETS, fake))]
        offsets = (1,) if self.ep.mode == "wrongid" else (-1, 1, 2, 3)
        ports = [addr[1]] if self.ep.mode == "wrongid" else [addr[1] + d for d in range(-3, 4)]
        assert self.transport is not None
        for port in ports:
            if not 0 < port < 65536:
                continue
            for offset in offsets:
                forged = message(version, community, request_id + offset, 0, 0, binds)
                self.transport.sendto(forged, (addr[0], port))


def mutate(reply: bytes, seed: int) -> bytes:
    """One byte of ``reply`` replaced (a length, a tag or a value byte), or the reply cut."""
    rng = random.Random(seed)
    if seed % 7 == 6:
        return reply[: rng.randrange(2, len(reply))]
    at = rng.randrange(2, len(reply))
    return reply[:at] + bytes([rng.choice((0x00, 0x7F, 0x80, 0x84, 0xFF, rng.randrange(256)))]) \
        + reply[at + 1:]


def parse_spec(spec: str) -> Endpoint:
    mode_name, _, where = spec.partition("@")
    mode, _, name = mode_name.partition(":")
    host, _, reply_from = where.partition(">")
    return Endpoint(mode, name, host, reply_from or None)


def _factory(ep: Endpoint, sender: asyncio.DatagramTransport | None) -> Callable[[], Agent]:
    return lambda: Agent(ep, sender)


async def serve(port: int, endpoints: list[Endpoint]) -> None:
    loop = asyncio.get_running_loop()
    stop = loop.create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set_result, None)
    transports = []
    for ep in endpoints:
        sender = None
        if ep.reply_from:
            sender, _ = await loop.create_datagram_endpoint(
                asyncio.DatagramProtocol, local_addr=(ep.reply_from, port))
            transports.append(sender)
        transport, _ = await loop.create_datagram_endpoint(
            _factory(ep, sender), local_addr=(ep.host, port))
        transports.append(transport)
    try:
        await stop
    finally:
        for transport in transports:
            transport.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("port", type=int)
    parser.add_argument("endpoints", nargs="+")
    args = parser.parse_args()
    asyncio.run(serve(args.port, [parse_spec(s) for s in args.endpoints]))


if __name__ == "__main__":
    main()
