"""ICMP echo (ping) for IPv4 and IPv6: series to measure loss, RTT and jitter, and sweeps.

One :class:`Pinger` owns one socket per address family and serves any number of concurrent
series. It prefers the unprivileged ICMP datagram socket (``net.ipv4.ping_group_range``) and
falls back to a raw socket (root / CAP_NET_RAW). Receive times come from the kernel
(``SO_TIMESTAMPNS``), send times are taken right before ``sendto``, so the event loop's own
latency does not count as network jitter.

Jitter is the RFC 3550 mean deviation: the mean of ``|RTT(i) - RTT(i-1)|`` over consecutive
answered probes (RFC 3550's interarrival jitter is the smoothed estimate of the same quantity;
the plain mean is reported because a 1/16 moving average of a short series is noisy).

Only the addresses a caller names are ever sent to; this module never picks targets.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import random
import socket
import struct
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from infraaudit.errors import PingUnavailable

ECHO_REQUEST: dict[int, int] = {socket.AF_INET: 8, socket.AF_INET6: 128}
ECHO_REPLY: dict[int, int] = {socket.AF_INET: 0, socket.AF_INET6: 129}
PROTO: dict[int, int] = {socket.AF_INET: socket.IPPROTO_ICMP,
                         socket.AF_INET6: socket.IPPROTO_ICMPV6}
SockAddr = tuple[str, int] | tuple[str, int, int, int]
PAYLOAD = b"infraaudit-ping!" * 2  # 32 bytes, like Windows' default
_TIMESPEC = struct.Struct("@qq")
SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)


@dataclass
class PingStats:
    """What a series of echo requests to one target measured."""

    target: str
    sent: int = 0
    rtts_ms: list[float | None] = field(default_factory=list)  # per probe, None = no answer

    @property
    def received(self) -> int:
        return sum(1 for r in self.rtts_ms if r is not None)

    @property
    def loss_pct(self) -> float | None:
        return None if not self.sent else 100.0 * (self.sent - self.received) / self.sent

    def _answered(self) -> list[float]:
        return [r for r in self.rtts_ms if r is not None]

    @property
    def rtt_min_ms(self) -> float | None:
        got = self._answered()
        return min(got) if got else None

    @property
    def rtt_avg_ms(self) -> float | None:
        got = self._answered()
        return sum(got) / len(got) if got else None

    @property
    def rtt_max_ms(self) -> float | None:
        got = self._answered()
        return max(got) if got else None

    @property
    def jitter_ms(self) -> float | None:
        """RFC 3550 mean deviation of consecutive answered probes."""
        return mean_deviation(self.rtts_ms)


def mean_deviation(rtts: Sequence[float | None]) -> float | None:
    """Mean ``|RTT(i) - RTT(i-1)|`` over pairs of consecutive probes that were both answered."""
    diffs = [abs(b - a) for a, b in itertools.pairwise(rtts)
             if a is not None and b is not None]
    return sum(diffs) / len(diffs) if diffs else None


def rfc3550_jitter(rtts: Sequence[float | None]) -> float | None:
    """RFC 3550 section 6.4.1 running estimate ``J += (|D| - J) / 16`` (for reference)."""
    jitter: float | None = None
    for a, b in itertools.pairwise(rtts):
        if a is None or b is None:
            continue
        d = abs(b - a)
        jitter = d if jitter is None else jitter + (d - jitter) / 16
    return jitter


def checksum(data: bytes) -> int:
    """The Internet checksum (RFC 1071)."""
    if len(data) % 2:
        data += b"\0"
    total: int = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def echo_request(family: int, ident: int, seq: int, payload: bytes = PAYLOAD) -> bytes:
    """An ICMP/ICMPv6 echo request. ICMPv6 checksums are filled in by the kernel."""
    header = struct.pack("!BBHHH", ECHO_REQUEST[family], 0, 0, ident, seq)
    if family == socket.AF_INET6:
        return header + payload
    csum = checksum(header + payload)
    return struct.pack("!BBHHH", ECHO_REQUEST[family], 0, csum, ident, seq) + payload


def parse_echo_reply(family: int, data: bytes, raw: bool) -> tuple[int, int] | None:
    """``(ident, seq)`` of an echo reply, or None for any other packet.

    A raw IPv4 socket hands over the IP header too; IPv6 raw and datagram sockets do not.
    """
    if raw and family == socket.AF_INET:
        if len(data) < 20:
            return None
        data = data[(data[0] & 0x0F) * 4:]
    if len(data) < 8 or data[0] != ECHO_REPLY[family] or data[1] != 0:
        return None
    ident, seq = struct.unpack("!HH", data[4:8])
    return int(ident), int(seq)


def sockaddr(address: str) -> tuple[int, SockAddr]:
    """Family and socket address of a numeric IP (``fe80::1%eth0`` keeps its scope)."""
    info = socket.getaddrinfo(address, None, proto=socket.IPPROTO_UDP,
                              flags=socket.AI_NUMERICHOST)[0]
    addr = info[4]
    if info[0] == socket.AF_INET6:
        return int(info[0]), (str(addr[0]), int(addr[1]), int(addr[2]), int(addr[3]))  # type: ignore[misc]
    return int(info[0]), (str(addr[0]), int(addr[1]))


class _Channel:
    """One ICMP socket of one family, with the pending probes it waits answers for."""

    def __init__(self, family: int) -> None:
        self.family = family
        self.raw = False
        self.sock = self._open()
        self.ident = random.randrange(1, 0x10000) if self.raw else 0
        if not self.raw:  # the kernel chose the identifier: the socket's "port"
            self.ident = self.sock.getsockname()[1]
        self.pending: dict[tuple[str, int], tuple[int, asyncio.Future[float | None]]] = {}

    def _open(self) -> socket.socket:
        errors = []
        for kind in (socket.SOCK_DGRAM, socket.SOCK_RAW):
            try:
                sock = socket.socket(self.family, kind, PROTO[self.family])
            except OSError as exc:
                errors.append(f"{'datagram' if kind == socket.SOCK_DGRAM else 'raw'}: "
                              f"{exc.strerror or exc}")
                continue
            self.raw = kind == socket.SOCK_RAW
            sock.setblocking(False)
            sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
            if not self.raw:
                sock.bind(("::", 0) if self.family == socket.AF_INET6 else ("0.0.0.0", 0))
            return sock
        name = "ICMPv6" if self.family == socket.AF_INET6 else "ICMP"
        raise PingUnavailable(f"cannot open an {name} socket ({'; '.join(errors)}): run as root "
                              "or allow this group in net.ipv4.ping_group_range")

    def on_readable(self) -> None:
        """Drain the socket; resolve the futures of the probes that got their answer."""
        while True:
            try:
                data, ancdata, _flags, addr = self.sock.recvmsg(2048, 64)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return
            received_ns = _kernel_time_ns(ancdata) or time.time_ns()
            parsed = parse_echo_reply(self.family, data, self.raw)
            if parsed is None or parsed[0] != self.ident:
                continue
            host = addr[0].split("%", 1)[0]
            probe = self.pending.pop((host, parsed[1]), None)
            if probe is not None and not probe[1].done():
                probe[1].set_result((received_ns - probe[0]) / 1e6)

    def close(self) -> None:
        for _, fut in self.pending.values():
            if not fut.done():
                fut.set_result(None)
        self.sock.close()


def _kernel_time_ns(ancdata: list[tuple[int, int, bytes]]) -> int | None:
    for level, kind, data in ancdata:
        if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS and len(data) >= 16:
            sec, nsec = _TIMESPEC.unpack(data[:16])
            return int(sec * 1_000_000_000 + nsec)
    return None


class Pinger:
    """Async ICMP echo for many targets at once; use ``async with Pinger() as p``."""

    def __init__(self) -> None:
        self._channels: dict[int, _Channel] = {}
        self._seq = 0

    async def __aenter__(self) -> Pinger:
        return self

    async def __aexit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        loop = asyncio.get_running_loop()
        for channel in self._channels.values():
            with contextlib.suppress(Exception):
                loop.remove_reader(channel.sock.fileno())
            channel.close()
        self._channels.clear()

    def _channel(self, family: int) -> _Channel:
        channel = self._channels.get(family)
        if channel is None:
            channel = _Channel(family)
            asyncio.get_running_loop().add_reader(channel.sock.fileno(), channel.on_readable)
            self._channels[family] = channel
        return channel

    def _next_seq(self) -> int:
        self._seq = (self._seq + 1) & 0xFFFF
        return self._seq

    def probe(self, address: str) -> asyncio.Future[float | None]:
        """Send one echo request now; the future gets the RTT in ms (or None from the caller's
        timeout). Raises PingUnavailable or OSError (e.g. no route) at once."""
        family, addr = sockaddr(address)
        channel = self._channel(family)
        seq = self._next_seq()
        host = addr[0].split("%", 1)[0]  # replies come without the scope
        fut: asyncio.Future[float | None] = asyncio.get_running_loop().create_future()
        channel.pending[(host, seq)] = (time.time_ns(), fut)
        try:
            channel.sock.sendto(echo_request(family, channel.ident, seq), addr)
        except OSError:
            channel.pending.pop((host, seq), None)
            raise
        fut.add_done_callback(lambda _: channel.pending.pop((host, seq), None))
        return fut

    async def series(self, address: str, count: int, interval_s: float,
                     timeout_s: float = 1.0) -> PingStats:
        """``count`` echo requests ``interval_s`` apart (a fixed schedule, no drift)."""
        stats = PingStats(target=address)
        waits: list[tuple[float, asyncio.Future[float | None]]] = []
        start = time.monotonic()
        for i in range(count):
            delay = start + i * interval_s - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            sent_at = time.monotonic()
            try:
                waits.append((sent_at, self.probe(address)))
            except OSError:
                done: asyncio.Future[float | None] = asyncio.get_running_loop().create_future()
                done.set_result(None)  # "network unreachable" is a lost probe, not a crash
                waits.append((sent_at, done))
            stats.sent += 1
        stats.rtts_ms = [await _within(w, sent_at + timeout_s, timeout_s)
                         for sent_at, w in waits]
        return stats

    async def sweep(self, addresses: Iterable[str], attempts: int = 2, timeout_s: float = 1.0,
                    rate_pps: float = 200.0) -> dict[str, float]:
        """Which of ``addresses`` answer an echo request: ``{address: best RTT ms}``.

        Requests are paced at ``rate_pps`` overall; a target that answered is not asked again.
        """
        answered: dict[str, float] = {}
        todo = list(dict.fromkeys(addresses))
        gap = 1.0 / rate_pps
        for _ in range(attempts):
            waits: list[tuple[str, float, asyncio.Future[float | None]]] = []
            for address in todo:
                with contextlib.suppress(OSError):
                    waits.append((address, time.monotonic(), self.probe(address)))
                await asyncio.sleep(gap)
            for address, sent_at, fut in waits:
                rtt = await _within(fut, sent_at + timeout_s, timeout_s)
                if rtt is not None:
                    answered[address] = min(rtt, answered.get(address, rtt))
            todo = [a for a in todo if a not in answered]
            if not todo:
                break
        return answered


async def _within(fut: asyncio.Future[float | None], deadline: float,
                  timeout_s: float) -> float | None:
    """The probe's RTT if the answer came within ``timeout_s`` (by its kernel timestamp), else
    None (and later answers are ignored).

    ``deadline`` (monotonic) is when to stop waiting. When this process was busy (a long
    decode, a paused VM) answers the kernel received in time may still sit unread in the
    socket: the loop gets to read them before a probe is counted lost, so a busy scanner never
    reads as packet loss."""
    try:
        rtt = await asyncio.wait_for(asyncio.shield(fut), max(0.0, deadline - time.monotonic()))
    except TimeoutError:
        for _ in range(2):  # one turn of the loop runs the socket's reader, which drains it
            await asyncio.sleep(0)
        if not fut.done():
            fut.set_result(None)
        rtt = fut.result()
    return rtt if rtt is not None and rtt <= timeout_s * 1000 else None


async def ping_many(targets: Sequence[str], count: int, interval_s: float,
                    timeout_s: float = 1.0) -> dict[str, PingStats]:
    """Ping series to every target concurrently (one socket per family for all)."""
    async with Pinger() as pinger:
        results = await asyncio.gather(
            *(pinger.series(t, count, interval_s, timeout_s) for t in targets))
    return {r.target: r for r in results}
