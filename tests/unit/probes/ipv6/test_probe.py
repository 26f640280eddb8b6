"""The IPv6 probes' I/O loops with a replaying link, DNS against a loopback fake resolver, and the
scanning host's state from recorded /proc and ``ip -j`` text. No packet leaves loopback."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import threading
import time
from collections import deque
from collections.abc import Iterator
from pathlib import Path

import pytest

from infraaudit.models.ipv6 import SegmentIpv6
from infraaudit.probes.ipv6 import dns, hoststate, resolve, route_lookup
from infraaudit.probes.ipv6.hosts import parse_neighbours
from infraaudit.probes.ipv6.link import FrameLink, IfaceInfo, parse_if_inet6, pick_link_local
from infraaudit.probes.ipv6.segment import probe_segment
from tests.paths import UNIT_DATA

DATA = json.loads((UNIT_DATA / "ipv6" / "lab_frames.json").read_text())
LAB = DATA["lab"]
INFO = IfaceInfo("eth0", LAB["scanner_mac"], LAB["scanner_link_local"],
                 own_addresses=frozenset({LAB["scanner_link_local"]}))


class ReplayLink:
    """Answers RS, Solicit and echo request with the recorded frames (transaction id and echo
    id patched to the ones just sent); records what was sent."""

    def __init__(self, sent: list[bytes]) -> None:
        self.sent = sent
        self.queue: deque[bytes] = deque()

    def send(self, frame: bytes) -> None:
        self.sent.append(frame)
        if frame[20] == 58 and frame[54] == 133:  # RS
            self.queue.extend(bytes.fromhex(f) for f in DATA["ra"])
        elif frame[20] == 17 and frame[56:58] == b"\x02\x23":  # Solicit: patch trid
            for f in DATA["dhcpv6_advertise"]:
                raw = bytearray(bytes.fromhex(f))
                raw[63:66] = frame[63:66]
                self.queue.append(bytes(raw))
        elif frame[20] == 58 and frame[54] == 128:  # echo request: patch id and seq
            for f in DATA["echo_replies"]:
                raw = bytearray(bytes.fromhex(f))
                raw[58:62] = frame[58:62]
                self.queue.append(bytes(raw))

    def recv(self, timeout_s: float) -> bytes | None:
        if self.queue:
            return self.queue.popleft()
        time.sleep(min(timeout_s, 0.01))
        return None

    def close(self) -> None:
        pass


NEIGH = json.dumps([
    {"dst": "fe80::a6:7fff:feff:1", "lladdr": "02:a6:7f:ff:00:01", "router": True,
     "state": ["STALE"]},
    {"dst": "fe80::a6:7fff:feff:2", "lladdr": "02:A6:7F:FF:00:02", "state": ["REACHABLE"]},
    {"dst": "fe80::dead", "state": ["FAILED"]},
    {"dst": "fe80::a6:7fff:feff:9", "state": ["INCOMPLETE"]},
])


def test_probe_segment_with_replayed_frames() -> None:
    sent: list[bytes] = []

    def factory(iface: str) -> FrameLink:
        assert iface == "eth0"
        return ReplayLink(sent)

    seg = asyncio.run(probe_segment("eth0", 0.3, segment="lan1", link_factory=factory, info=INFO,
                                    neighbours=lambda iface: NEIGH))
    assert seg.errors == [] and seg.segment == "lan1" and seg.link_local == INFO.link_local
    assert len(seg.ra) == 1 and seg.ra[0].received == 2 and seg.ra_multicast == 1
    assert [a.addresses for a in seg.dhcpv6] == [["fd6a:7fff:1::117a"]]
    assert seg.hosts.echo_count == 4  # two echoes sent, replies de-duplicated
    assert seg.hosts.neighbour_count == 2
    assert [n.mac for n in seg.hosts.neighbours] == ["02:a6:7f:ff:00:01", "02:a6:7f:ff:00:02"]
    kinds = sorted((f[20], f[54]) for f in sent)
    assert kinds == [(17, 2), (58, 128), (58, 128), (58, 133)]  # 1 Solicit, 2 echo, 1 RS
    assert seg.duration_ms < 2000
    SegmentIpv6.model_validate_json(seg.model_dump_json())  # round-trips


def test_probe_segment_records_failures_instead_of_raising() -> None:
    def refuse(iface: str) -> FrameLink:
        raise PermissionError("Operation not permitted")

    seg = asyncio.run(probe_segment("eth0", 0.1, link_factory=refuse, info=INFO,
                                    neighbours=None))
    assert seg.errors == ["ra: Operation not permitted", "dhcpv6: Operation not permitted",
                          "hosts: Operation not permitted"]
    assert seg.ra == [] and seg.dhcpv6 == [] and seg.hosts.error == "Operation not permitted"

    seg = asyncio.run(probe_segment("ia6-no-such0", 0.1))  # fails before any socket opens
    assert seg.errors and seg.errors[0].startswith("interface: ")
    seg = asyncio.run(probe_segment("lo", 0.1))
    assert seg.errors == ["interface: lo is not an Ethernet interface (ARPHRD 772)"]


def test_probe_segment_without_link_local_still_solicits_routers() -> None:
    sent: list[bytes] = []
    info = IfaceInfo("eth0", LAB["scanner_mac"], None, "link-local address still tentative")
    seg = asyncio.run(probe_segment("eth0", 0.2, link_factory=lambda i: ReplayLink(sent),
                                    info=info, neighbours=lambda iface: "[]"))
    assert len(seg.ra) == 1  # RS from :: (RFC 4861 allows it)
    assert seg.errors == ["dhcpv6: link-local address still tentative",
                          "hosts: echo: link-local address still tentative"]
    assert [f[54] for f in sent] == [133]


def test_if_inet6_and_link_local_choice() -> None:
    text = ("fd6a7fff0001000000a67ffffeff0005 05 40 00 00     eth0\n"
            "fe8000000000000000a67ffffeff0005 05 40 20 80     eth0\n"
            "fe800000000000000000000000000099 06 40 20 c0     eth1\n"
            "00000000000000000000000000000001 01 80 10 80       lo\n"
            "garbage\n")
    lines = parse_if_inet6(text)
    assert [ln.address for ln in lines] == ["fd6a:7fff:1:0:a6:7fff:feff:5",
                                            "fe80::a6:7fff:feff:5", "fe80::99", "::1"]
    assert [(ln.ifindex, ln.prefix_length, ln.scope) for ln in lines][1] == (5, 64, 0x20)
    assert pick_link_local(lines, "eth0") == ("fe80::a6:7fff:feff:5", None)
    assert pick_link_local(lines, "eth1")[0] is None  # tentative
    assert "no IPv6 link-local" in str(pick_link_local(lines, "eth9")[1])


def test_neighbour_cache_parsing_excludes_failed_and_self() -> None:
    found = parse_neighbours(NEIGH, exclude={"fe80::a6:7fff:feff:2"})
    assert [(n.address, n.state) for n in found] == [("fe80::a6:7fff:feff:1", "STALE")]
    assert parse_neighbours("") == []


@pytest.fixture
def fake_resolver() -> Iterator[tuple[str, int]]:
    """A UDP resolver on 127.0.0.2 that replays dnsmasq's recorded answers (ID patched)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.2", 0))
    sock.settimeout(0.05)
    port = sock.getsockname()[1]
    recorded = {tuple(k.split()): bytes.fromhex(v) for k, v in DATA["dns"].items()}
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                query, peer = sock.recvfrom(512)
            except TimeoutError:
                continue
            name, qtype = query[12:].split(b"\x00", 1)
            labels, pos = [], 0
            while pos < len(name):
                labels.append(name[pos + 1:pos + 1 + name[pos]].decode())
                pos += 1 + name[pos]
            key = (".".join(labels), {1: "A", 28: "AAAA"}[int.from_bytes(qtype[:2])])
            if key in recorded:
                sock.sendto(query[:2] + recorded[key][2:], peer)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield "127.0.0.2", port
    finally:
        stop.set()
        thread.join(2)
        sock.close()


def test_resolve_moves_past_a_dead_resolver(fake_resolver: tuple[str, int]) -> None:
    host, port = fake_resolver
    # 127.0.0.3 has nothing on the port: ICMP port unreachable, then the next resolver answers
    answers = resolve(["dual.lab.test", "missing.lab.test", "dual.lab.test", "bad..name"],
                      ["127.0.0.3", host], timeout_s=1.0, port=port)
    by_name = {a.name: a for a in answers}
    assert list(by_name) == ["dual.lab.test", "missing.lab.test", "bad..name"]
    dual = by_name["dual.lab.test"]
    assert (dual.a, dual.aaaa, dual.server, dual.error) == (
        ["192.0.2.10"], ["fd6a:7fff:1::10"], host, None)
    assert dual.duration_ms is not None and dual.duration_ms < 1000
    missing = by_name["missing.lab.test"]
    assert missing.rcode_a == "NXDOMAIN" and missing.aaaa == []
    assert missing.rcode_aaaa is None and missing.error is not None
    assert "AAAA: no answer" in missing.error and "127.0.0.3" in missing.error
    assert by_name["bad..name"].error is not None
    assert by_name["bad..name"].error.startswith("invalid name")


def test_resolve_without_resolvers(tmp_path: Path) -> None:
    conf = tmp_path / "resolv.conf"
    conf.write_text("# nothing\nsearch lab.test\n")
    (answer,) = resolve(["x.test"], resolv_conf=conf)
    assert answer.error == "no resolver configured"
    (answer,) = resolve(["x.test"], resolv_conf=tmp_path / "absent")
    assert answer.error is not None and "absent" in answer.error


def test_resolv_conf_parsing() -> None:
    text = ("# generated\nnameserver 127.0.0.53\nnameserver fe80::1%eth0 # router\n"
            "nameserver not-an-ip\noptions edns0\n ; x\nnameserver 2001:db8::53\n")
    assert dns.parse_resolv_conf(text) == ["127.0.0.53", "fe80::1%eth0", "2001:db8::53"]


def test_host_state_from_proc_text(tmp_path: Path) -> None:
    (tmp_path / "if_inet6").write_text(
        "20010db8000000010000000000000005 02 40 00 80     eth0\n"
        "20010db8000000010000000000000006 02 40 00 21     eth0\n"
        "fe800000000000000000000000000005 02 40 20 80     eth0\n"
        "00000000000000000000000000000001 01 80 10 80       lo\n")
    (tmp_path / "ipv6_route").write_text(
        "00000000000000000000000000000000 00 00000000000000000000000000000000 00 "
        "fe800000000000000000000000000001 00000400 00000001 00000000 00450003     eth0\n"
        "00000000000000000000000000000000 00 00000000000000000000000000000000 00 "
        "fe800000000000000000000000000002 00000200 00000001 00000000 00450003     eth1\n"
        "00000000000000000000000000000000 00 00000000000000000000000000000000 00 "
        "00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo\n"
        "20010db8000000010000000000000000 40 00000000000000000000000000000000 00 "
        "00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0\n")

    def getter(dest: str) -> subprocess.CompletedProcess[str]:
        if dest == "2001:db8:1::53":
            out = '[{"dst":"2001:db8:1::53","dev":"eth0","prefsrc":"2001:db8:0:1::5"}]'
            return subprocess.CompletedProcess([], 0, out, "")
        if dest == "2001:db8:9::1":
            return subprocess.CompletedProcess([], 0, '[{"type":"unreachable","dst":"x"}]', "")
        return subprocess.CompletedProcess([], 2, "", "RTNETLINK answers: Network is unreachable")

    host = hoststate.host_state(["2001:db8:1::53", "2001:db8:9::1", "2001:db8:7::1", "nope"],
                                tmp_path / "if_inet6", tmp_path / "ipv6_route", getter)
    assert host.errors == [] and host.global_addresses == 2
    assert [(a.address, a.scope, a.flags) for a in host.addresses] == [
        ("2001:db8:0:1::5", "global", ["permanent"]),
        ("2001:db8:0:1::6", "global", ["temporary", "deprecated"]),
        ("fe80::5", "link-local", ["permanent"]),
        ("::1", "loopback", ["permanent"])]
    assert [(r.gateway, r.interface, r.metric) for r in host.default_routes] == [
        ("fe80::2", "eth1", 512), ("fe80::1", "eth0", 1024)]
    ok, typed, down, bad = host.route_lookups
    assert ok.reachable and (ok.interface, ok.source, ok.gateway) == (
        "eth0", "2001:db8:0:1::5", None)
    assert not typed.reachable and typed.error == "unreachable route"
    assert not down.reachable and down.error == "Network is unreachable"
    assert not bad.reachable and bad.error == "not an IPv6 address"

    missing = hoststate.host_state([], tmp_path / "none1", tmp_path / "none2")
    assert len(missing.errors) == 2 and missing.addresses == []


def test_route_lookup_survives_a_missing_ip_command() -> None:
    def broken(dest: str) -> subprocess.CompletedProcess[str]:
        raise FileNotFoundError("ip")

    (res,) = route_lookup(["2001:db8::1"], broken)
    assert not res.reachable and res.error == "ip"
