"""A userspace Ethernet relay between two TAP devices that delays one direction (stdlib only).

The site lab puts it on a link (e.g. ``core-acc2``) as a "media converter" with a slow, jittery
path: in the relay namespace ``ialab-R-relay-<link>`` each TAP is bridged to a veth towards one
side, and this process copies every frame (ARP, IP, LLDP, ...) from one TAP to the other::

    core p3 ──veth── veth-a ─[br-a]─ tap-a ⇄ relay ⇄ tap-b ─[br-b]─ veth-b ──veth── acc2 p1

Semantics (what a ping across the link measures):

- ``delay_ms`` is the extra round-trip time;
- ``jitter_ms`` is the expected mean absolute difference between consecutive RTTs (RFC 3550
  style).

Frames from ``--tap-a`` to ``--tap-b`` wait ``delay_ms - 1.5*jitter_ms + U(0, 3*jitter_ms)`` (a
uniform of width w has E|X-Y| = w/3, so consecutive RTTs differ by ``jitter_ms`` on average);
frames the other way are not delayed. Each frame is delayed independently, so frames may be
reordered, as with netem. With both at 0 the relay simply forwards.

    python -m lab.relay --tap-a tap-a --tap-b tap-b --delay-ms 20 --jitter-ms 4 --seed 1
"""

from __future__ import annotations

import argparse
import errno
import fcntl
import heapq
import os
import random
import select
import signal
import struct
import sys
import time
from collections.abc import Callable
from types import FrameType

TUNSETIFF = 0x400454CA
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000
MAX_FRAME = 65536


def open_tap(name: str) -> int:
    """Attach to the existing TAP device ``name`` (IFF_TAP | IFF_NO_PI); non-blocking fd."""
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
    try:
        fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TAP | IFF_NO_PI))
    except OSError:
        os.close(fd)
        raise
    return fd


def delay_sampler(delay_ms: float, jitter_ms: float, rng: random.Random) -> Callable[[], float]:
    """One-way delay in seconds for the delayed direction (see the module docstring)."""
    if delay_ms < 0 or jitter_ms < 0:
        raise ValueError("delay and jitter must be >= 0")
    low = delay_ms - 1.5 * jitter_ms
    if low < 0:
        raise ValueError(f"jitter {jitter_ms} ms is too large for delay {delay_ms} ms "
                         "(need delay >= 1.5 * jitter)")
    width = 3.0 * jitter_ms

    def sample() -> float:
        return (low + rng.uniform(0.0, width)) / 1000.0

    return sample


def write_frame(fd: int, frame: bytes) -> None:
    """Write one frame; a full queue or a link without carrier drops it (as a wire would)."""
    try:
        os.write(fd, frame)
    except OSError as exc:
        if exc.errno not in (errno.EAGAIN, errno.EIO, errno.ENOBUFS, errno.EINVAL):
            raise


def read_frames(fd: int) -> list[bytes]:
    """Every frame waiting on ``fd`` right now."""
    frames = []
    while True:
        try:
            frames.append(os.read(fd, MAX_FRAME))
        except BlockingIOError:
            return frames
        except OSError as exc:  # EIO while the TAP has no carrier
            if exc.errno == errno.EIO:
                return frames
            raise


def relay(fd_a: int, fd_b: int, sample: Callable[[], float] | None) -> None:
    """Copy frames a->b (delayed by ``sample()`` seconds when given) and b->a, forever."""
    queue: list[tuple[float, int, bytes]] = []  # (due time, sequence, frame) for a->b
    seq = 0
    while True:
        now = time.monotonic()
        while queue and queue[0][0] <= now:
            write_frame(fd_b, heapq.heappop(queue)[2])
        timeout = max(0.0, queue[0][0] - now) if queue else None
        ready, _, _ = select.select([fd_a, fd_b], [], [], timeout)
        if fd_b in ready:
            for frame in read_frames(fd_b):
                write_frame(fd_a, frame)
        if fd_a in ready:
            for frame in read_frames(fd_a):
                if sample is None:
                    write_frame(fd_b, frame)
                else:
                    seq += 1
                    heapq.heappush(queue, (time.monotonic() + sample(), seq, frame))


def _exit(signum: int, _frame: FrameType | None) -> None:
    sys.exit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point (run inside the relay namespace)."""
    parser = argparse.ArgumentParser(prog="python -m lab.relay", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tap-a", required=True, help="TAP whose frames are delayed")
    parser.add_argument("--tap-b", required=True, help="TAP whose frames pass at once")
    parser.add_argument("--delay-ms", type=float, default=0.0, help="extra RTT")
    parser.add_argument("--jitter-ms", type=float, default=0.0, help="mean |RTT(n) - RTT(n-1)|")
    parser.add_argument("--seed", type=int, default=None, help="RNG seed (reproducible delays)")
    args = parser.parse_args(argv)
    sample = None
    if args.delay_ms > 0 or args.jitter_ms > 0:
        sample = delay_sampler(args.delay_ms, args.jitter_ms, random.Random(args.seed))
    signal.signal(signal.SIGTERM, _exit)
    fd_a, fd_b = open_tap(args.tap_a), open_tap(args.tap_b)
    try:
        relay(fd_a, fd_b, sample)
    finally:
        os.close(fd_a)
        os.close(fd_b)
    return 0


if __name__ == "__main__":
    sys.exit(main())
