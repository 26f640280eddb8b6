"""The ARP sweep's logic against a fake packet socket: attempts, pacing, reply matching, the
scope guard before every request. (The lab test sends real frames in a namespace.)"""

from __future__ import annotations

import ipaddress
import os
import time
from typing import Any

import pytest
from scapy.layers.l2 import ARP, Ether

from infraaudit.errors import OutOfScope
from infraaudit.probes.discovery.arp import ArpResult, parse_reply, sweep_blocking
from infraaudit.probes.discovery.scope import Scope

ME_MAC, ME_IP = "02:00:00:00:00:aa", "10.1.0.5"
LIVE = {"10.1.0.1": "02:00:00:00:00:01", "10.1.0.7": "02:00:00:00:00:07"}
SCOPE = Scope([ipaddress.ip_network("10.1.0.0/24")])


def reply(ip: str, mac: str, to_ip: str = ME_IP, op: int = 2) -> Any:
    return Ether(src=mac, dst=ME_MAC) / ARP(op=op, hwsrc=mac, psrc=ip, hwdst=ME_MAC, pdst=to_ip)


class FakeL2Socket:
    """Answers who-has for LIVE addresses; select() sees it through a pipe."""

    def __init__(self, live: dict[str, str]) -> None:
        self.live = live
        self.read_fd, self.write_fd = os.pipe()
        self.queue: list[Any] = []
        self.sent: list[tuple[float, Any]] = []
        self.closed = False

    def fileno(self) -> int:
        return self.read_fd

    def send(self, frame: Any) -> int:
        self.sent.append((time.monotonic(), frame))
        arp = frame[ARP]
        assert frame[Ether].dst == "ff:ff:ff:ff:ff:ff" and arp.op == 1
        assert (arp.hwsrc, arp.psrc) == (ME_MAC, ME_IP)
        if arp.pdst in self.live:
            self.queue.append(reply(arp.pdst, self.live[arp.pdst]))
            self.queue.append(reply(arp.pdst, "02:00:00:00:00:99", to_ip="10.1.0.66"))  # not ours
            os.write(self.write_fd, b"xx")
        return len(bytes(frame))

    def recv(self) -> Any:
        os.read(self.read_fd, 1)
        return self.queue.pop(0)

    def close(self) -> None:
        self.closed = True
        os.close(self.read_fd)
        os.close(self.write_fd)


def sweep(targets: list[str], live: dict[str, str], **kwargs: Any) -> tuple[ArpResult,
                                                                           FakeL2Socket]:
    sock = FakeL2Socket(live)
    result = sweep_blocking("eth0", ME_MAC, ME_IP, targets, SCOPE, timeout_s=0.05,
                            socket_factory=lambda iface: sock, **kwargs)
    assert sock.closed
    return result, sock


def test_replies_are_matched_and_silent_hosts_asked_twice() -> None:
    targets = [f"10.1.0.{i}" for i in range(1, 11)]
    result, sock = sweep(targets, LIVE, rate_pps=2000)
    assert {ip: r.mac for ip, r in result.replies.items()} == LIVE
    assert result.sent == 10 + 8 == len(sock.sent)
    asked = [frame[ARP].pdst for _, frame in sock.sent]
    assert asked.count("10.1.0.1") == 1 and asked.count("10.1.0.2") == 2
    assert all(r.rtt_ms >= 0 for r in result.replies.values())
    assert result.error is None


def test_requests_are_paced() -> None:
    targets = [f"10.1.0.{i}" for i in range(1, 21)]
    _, sock = sweep(targets, {}, rate_pps=200, attempts=1)
    times = [t for t, _ in sock.sent]
    assert times[-1] - times[0] >= 19 / 200 * 0.95  # 20 requests at 200 per second


def test_an_address_outside_the_scope_is_never_sent() -> None:
    sock = FakeL2Socket({})
    with pytest.raises(OutOfScope):
        sweep_blocking("eth0", ME_MAC, ME_IP, ["10.1.0.1", "192.0.2.1", "10.1.0.2"], SCOPE,
                       timeout_s=0.01, rate_pps=5000, socket_factory=lambda iface: sock)
    assert [frame[ARP].pdst for _, frame in sock.sent] == ["10.1.0.1"]
    assert sock.closed


def test_no_packet_socket_is_an_error_not_a_crash() -> None:
    def refuse(iface: str) -> Any:
        raise PermissionError(1, "Operation not permitted")

    result = sweep_blocking("eth0", ME_MAC, ME_IP, ["10.1.0.1"], SCOPE, socket_factory=refuse)
    assert result.sent == 0 and result.error is not None and "CAP_NET_RAW" in result.error


def test_parse_reply_takes_only_replies_to_us_from_targets() -> None:
    wanted = {"10.1.0.1"}
    assert parse_reply(reply("10.1.0.1", "02:00:00:00:00:01"), ME_IP, wanted) == (
        "10.1.0.1", "02:00:00:00:00:01")
    assert parse_reply(reply("10.1.0.1", "02:00:00:00:00:01", op=1), ME_IP, wanted) is None
    assert parse_reply(reply("10.1.0.2", "02:00:00:00:00:02"), ME_IP, wanted) is None
    assert parse_reply(reply("10.1.0.1", "02:00:00:00:00:01", to_ip="10.1.0.9"), ME_IP,
                       wanted) is None
    assert parse_reply(Ether(src=ME_MAC), ME_IP, wanted) is None
