"""ARP sweep of a subnet the scanning host is attached to (scapy, one PF_PACKET socket).

Who-has requests are broadcast on one interface at a fixed pace; replies are read from the same
socket, which only receives ARP frames (bound to ethertype 0x0806, not promiscuous, no BPF
compiler needed) and carries kernel receive timestamps. Works in any network namespace: the
socket belongs to the namespace of the process. Needs root or CAP_NET_RAW.
"""

from __future__ import annotations

import asyncio
import select
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from infraaudit.probes.discovery.scope import Scope

ETH_P_ARP = 0x0806
BROADCAST = "ff:ff:ff:ff:ff:ff"
WHO_HAS, IS_AT = 1, 2


@dataclass
class ArpReply:
    mac: str
    rtt_ms: float


@dataclass
class ArpResult:
    sent: int = 0
    replies: dict[str, ArpReply] = field(default_factory=dict)
    error: str | None = None


def _scapy() -> tuple[Any, Any, Any]:
    """scapy's Ether, ARP and conf, imported on first use (scapy reads the routes and
    interfaces of the namespace it is imported in)."""
    from scapy.config import conf
    from scapy.layers.l2 import ARP, Ether

    return Ether, ARP, conf


def open_socket(interface: str) -> Any:
    """An L2 socket on ``interface`` that receives ARP frames only."""
    _, _, conf = _scapy()
    return conf.L2socket(iface=interface, type=ETH_P_ARP, promisc=False, nofilter=True)


def parse_reply(packet: Any, sender_ip: str, wanted: set[str]) -> tuple[str, str] | None:
    """``(ip, mac)`` of an ARP reply (a scapy packet) to ``sender_ip`` from one of ``wanted``,
    else None."""
    _, arp_cls, _ = _scapy()
    arp = packet.getlayer(arp_cls)
    if arp is None or arp.op != IS_AT or arp.pdst != sender_ip or arp.psrc not in wanted:
        return None
    return str(arp.psrc), str(arp.hwsrc).lower()


class _Sweep:
    """One sweep's state: the socket, when each target was last asked, the replies."""

    def __init__(self, sock: Any, sender_mac: str, sender_ip: str, targets: Sequence[str],
                 scope: Scope) -> None:
        self.sock = sock
        self.sender_mac = sender_mac
        self.sender_ip = sender_ip
        self.scope = scope
        self.wanted = set(targets)
        self.sent_at: dict[str, float] = {}
        self.result = ArpResult()

    def drain(self, until: float) -> None:
        """Read replies until the monotonic time ``until``."""
        while True:
            left = until - time.monotonic()
            ready, _, _ = select.select([self.sock], [], [], max(0.0, left))
            if not ready:
                if left <= 0:
                    return
                continue
            packet = self.sock.recv()
            got = None if packet is None else parse_reply(packet, self.sender_ip, self.wanted)
            if got is None or got[0] in self.result.replies:
                continue
            received = float(getattr(packet, "time", 0.0)) or time.time()  # kernel timestamp
            rtt_ms = max(0.0, (received - self.sent_at.get(got[0], received)) * 1000)
            self.result.replies[got[0]] = ArpReply(got[1], round(rtt_ms, 3))

    def ask(self, target: str) -> None:
        """Broadcast one who-has for ``target`` (checked against the scope first)."""
        ether_cls, arp_cls, _ = _scapy()
        self.scope.require(target)
        frame = (ether_cls(dst=BROADCAST, src=self.sender_mac)
                 / arp_cls(op=WHO_HAS, hwsrc=self.sender_mac, psrc=self.sender_ip,
                           hwdst="00:00:00:00:00:00", pdst=target))
        self.sent_at[target] = time.time()
        self.sock.send(frame)
        self.result.sent += 1


def sweep_blocking(
    interface: str, sender_mac: str, sender_ip: str, targets: Sequence[str], scope: Scope, *,
    rate_pps: float = 200.0, attempts: int = 2, timeout_s: float = 1.0,
    stop: threading.Event | None = None, socket_factory: Callable[[str], Any] = open_socket,
) -> ArpResult:
    """Ask who has each target, ``rate_pps`` requests a second, in ``attempts`` rounds (answered
    targets are not asked again); wait ``timeout_s`` after each round's last request.

    Each address is checked against ``scope`` right before its request is sent.
    """
    try:
        sock = socket_factory(interface)
    except PermissionError:
        return ArpResult(error=f"cannot open a packet socket on {interface}: needs root or "
                               "CAP_NET_RAW")
    except OSError as exc:
        return ArpResult(error=f"cannot open a packet socket on {interface}: "
                               f"{exc.strerror or exc}")
    run = _Sweep(sock, sender_mac, sender_ip, targets, scope)
    gap = 1.0 / rate_pps
    try:
        for _ in range(attempts):
            todo = [t for t in targets if t not in run.result.replies]
            slot = time.monotonic()
            for target in todo:
                if stop is not None and stop.is_set():
                    return run.result
                run.drain(slot)
                if target not in run.result.replies:
                    run.ask(target)
                    slot += gap
            if not todo:
                break
            run.drain(time.monotonic() + timeout_s)
    except OSError as exc:
        run.result.error = f"ARP sweep on {interface} failed: {exc.strerror or exc}"
    finally:
        sock.close()
    return run.result


async def sweep(interface: str, sender_mac: str, sender_ip: str, targets: Sequence[str],
                scope: Scope, *, rate_pps: float = 200.0, attempts: int = 2,
                timeout_s: float = 1.0) -> ArpResult:
    """:func:`sweep_blocking` in a worker thread; cancelling stops it before its next request."""
    stop = threading.Event()
    try:
        return await asyncio.to_thread(
            sweep_blocking, interface, sender_mac, sender_ip, targets, scope,
            rate_pps=rate_pps, attempts=attempts, timeout_s=timeout_s, stop=stop)
    finally:
        stop.set()
