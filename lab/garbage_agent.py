"""A UDP "agent" that answers every datagram with junk: the lab's malformed-reply device.

Replies cycle through: random bytes, valid BER that is not SNMP (a SEQUENCE of an INTEGER and a
string), an SNMP-looking message with an impossible version, a truncated BER length, and a
valid-BER SEQUENCE holding only NULL. Run: ``python -m lab.garbage_agent HOST PORT``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal


def _tlv(tag: int, body: bytes) -> bytes:
    """BER TLV with a short or long definite length."""
    n = len(body)
    if n < 0x80:
        return bytes([tag, n]) + body
    size = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(size)]) + size + body


def junk(counter: int, request: bytes) -> bytes:
    """The ``counter``-th junk reply (deterministic kinds, random filler)."""
    kind = counter % 5
    if kind == 0:
        return os.urandom(7 + counter % 61)
    if kind == 1:  # valid BER, not an SNMP message
        return _tlv(0x30, _tlv(0x02, b"\x2a") + _tlv(0x04, b"infraaudit lab garbage"))
    if kind == 2:  # SNMP shape, version 7, community echoed back, no PDU
        return _tlv(0x30, _tlv(0x02, b"\x07") + _tlv(0x04, b"x") + _tlv(0xA2, b""))
    if kind == 3:  # BER header that claims far more bytes than follow
        return b"\x30\x84\x7f\xff\xff\xff" + request[:8]
    return _tlv(0x30, b"\x05\x00")  # SEQUENCE { NULL }


class _Junk(asyncio.DatagramProtocol):
    """Answer every datagram with the next junk reply."""

    def __init__(self) -> None:
        self.counter = 0
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        if self.transport is not None:
            self.transport.sendto(junk(self.counter, data), addr)
            self.counter += 1


async def serve(host: str, port: int) -> None:
    """Serve until SIGTERM/SIGINT."""
    loop = asyncio.get_running_loop()
    stop = loop.create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set_result, None)
    transport, _ = await loop.create_datagram_endpoint(_Junk, local_addr=(host, port))
    try:
        await stop
    finally:
        transport.close()


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("host")
    parser.add_argument("port", type=int)
    args = parser.parse_args()
    asyncio.run(serve(args.host, args.port))


if __name__ == "__main__":
    main()
