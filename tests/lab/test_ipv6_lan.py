"""IPv6 on the LAN, end to end in network namespaces this module builds (root only).

Topology for run id ``R`` (4 hex digits), all links inside namespaces (nothing in the root ns)::

    segment 1, fd6a:R:1::/64, bridge br0 in "ia6-R-r" (radvd on br0: RA with O flag, RDNSS,
    DNSSL, MTU 1480, preference high; fd6a:R:1::1)
        ├─veth── "ia6-R-s"  eth0 fd6a:R:1::53   dnsmasq: DNS + DHCPv6 range ::1000-::1fff
        ├─veth── "ia6-R-h1" eth0 fd6a:R:1::11   host with a static address
        ├─veth── "ia6-R-h2" eth0 (SLAAC only)   host
        └─veth── "ia6-R-p"  eth0                the scanner
    segment 2 (no router, no DHCPv6): "ia6-R-p" eth1 ──veth── "ia6-R-q" eth0 (link-local only)

The probes run inside ``ia6-R-p`` as ``ip netns exec ia6-R-p python -m infraaudit.probes.ipv6 ...``.
Daemons are stopped by PID and every namespace is deleted when the module ends, pass or fail.
"""

from __future__ import annotations

import ipaddress
import json
import os
import secrets
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from pydantic import TypeAdapter

from infraaudit.models.ipv6 import DnsAnswer, HostIpv6, RaPrefix, SegmentIpv6
from lab import procs
from lab.netns import existing_namespaces, ip, netns_supported

RADVD = shutil.which("radvd") or "/usr/sbin/radvd"
DNSMASQ = shutil.which("dnsmasq") or "/usr/sbin/dnsmasq"
REPO = Path(__file__).resolve().parents[2]
TIMEOUT_S = 4.5  # > MaxRtrAdvInterval 4: the window holds at least one periodic RA

pytestmark = [
    pytest.mark.netns,
    pytest.mark.skipif(not netns_supported(), reason="needs root and `ip netns`"),
    pytest.mark.skipif(not (os.access(RADVD, os.X_OK) and os.access(DNSMASQ, os.X_OK)),
                       reason="needs radvd and dnsmasq"),
]


@dataclass
class Lab6:
    run_id: str
    tmp: Path
    namespaces: list[str] = field(default_factory=list)
    pids: list[int] = field(default_factory=list)

    def ns(self, role: str) -> str:
        return f"ia6-{self.run_id}-{role}"

    def mac(self, k: int) -> str:
        return f"02:a6:{self.run_id[:2]}:{self.run_id[2:]}:00:{k:02x}"

    @property
    def prefix(self) -> str:
        return f"fd6a:{self.run_id}:1::/64"

    def addr(self, suffix: str) -> str:
        return f"fd6a:{self.run_id}:1::{suffix}"

    def link_local(self, k: int) -> str:
        """EUI-64 link-local address of ``mac(k)`` (the kernel's default)."""
        raw = bytearray(bytes.fromhex(self.mac(k).replace(":", "")))
        raw[0] ^= 0x02
        eui = bytes(raw[:3]) + b"\xff\xfe" + bytes(raw[3:])
        return str(ipaddress.IPv6Address(b"\xfe\x80" + b"\x00" * 6 + eui))


ROUTER, SERVER, H1, H2, PROBE, PROBE2, Q = 1, 2, 3, 4, 5, 6, 7
SEGMENT1 = {"s": SERVER, "h1": H1, "h2": H2, "p": PROBE}  # namespace role -> MAC index


def sysctl(netns: str, *settings: str) -> None:
    subprocess.run(["ip", "netns", "exec", netns, "sysctl", "-qw", *settings], check=True,
                   capture_output=True, timeout=10)


def run_probe(lab: Lab6, role: str, args: Sequence[str],
              timeout: float = 30.0) -> subprocess.CompletedProcess[str]:
    res = subprocess.run(["ip", "netns", "exec", lab.ns(role), sys.executable, "-W", "error",
                          "-m", "infraaudit.probes.ipv6", *args],
                         capture_output=True, text=True, check=False, timeout=timeout, cwd=REPO)
    assert res.returncode == 0, res.stderr
    return res


def _build(lab: Lab6) -> None:
    for role in ("r", "s", "h1", "h2", "p", "q"):
        ip("netns", "add", lab.ns(role))
        lab.namespaces.append(lab.ns(role))
        # no DAD delay, and only the scanner's own Router Solicitations on the wire
        sysctl(lab.ns(role), "net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0",
               "net.ipv6.conf.default.router_solicitations=0")
        ip("link", "set", "lo", "up", netns=lab.ns(role))
    r = lab.ns("r")
    sysctl(r, "net.ipv6.conf.all.forwarding=1")
    ip("link", "add", "br0", "address", lab.mac(ROUTER), "type", "bridge", "stp_state", "0",
       "forward_delay", "0", "mcast_snooping", "0", netns=r)
    for role, k in SEGMENT1.items():
        ip("link", "add", f"p-{role}", "type", "veth", "peer", "name", "eth0", "netns",
           lab.ns(role), netns=r)
        sysctl(r, f"net.ipv6.conf.p-{role}.disable_ipv6=1")
        ip("link", "set", f"p-{role}", "master", "br0", "up", netns=r)
        ip("link", "set", "eth0", "address", lab.mac(k), "up", netns=lab.ns(role))
    ip("link", "set", "br0", "up", netns=r)
    ip("addr", "add", f"{lab.addr('1')}/64", "dev", "br0", netns=r)
    ip("addr", "add", f"{lab.addr('53')}/64", "dev", "eth0", netns=lab.ns("s"))
    ip("addr", "add", f"{lab.addr('11')}/64", "dev", "eth0", netns=lab.ns("h1"))
    ip("link", "add", "eth1", "type", "veth", "peer", "name", "eth0", "netns", lab.ns("q"),
       netns=lab.ns("p"))
    ip("link", "set", "eth1", "address", lab.mac(PROBE2), "up", netns=lab.ns("p"))
    ip("link", "set", "eth0", "address", lab.mac(Q), "up", netns=lab.ns("q"))


def _start(lab: Lab6) -> None:
    radvd_conf = lab.tmp / "radvd.conf"
    radvd_conf.write_text(f"""\
interface br0 {{
    AdvSendAdvert on;
    MinRtrAdvInterval 3;
    MaxRtrAdvInterval 4;
    AdvManagedFlag off;
    AdvOtherConfigFlag on;
    AdvDefaultLifetime 1800;
    AdvDefaultPreference high;
    AdvLinkMTU 1480;
    prefix {lab.prefix} {{
        AdvOnLink on;
        AdvAutonomous on;
        AdvValidLifetime 86400;
        AdvPreferredLifetime 14400;
    }};
    RDNSS {lab.addr('53')} {{
        AdvRDNSSLifetime 600;
    }};
    DNSSL lab.test {{
    }};
}};
""")
    lab.pids.append(procs.start(
        [RADVD, "-n", "-C", str(radvd_conf), "-p", str(lab.tmp / "radvd.pid"), "-m", "stderr"],
        lab.tmp / "radvd.log", netns=lab.ns("r")))
    dnsmasq_conf = lab.tmp / "dnsmasq.conf"
    dnsmasq_conf.write_text(f"""\
interface=eth0
bind-interfaces
no-resolv
no-hosts
local=/lab.test/
host-record=dual.lab.test,192.0.2.10,{lab.addr('10')}
host-record=v4only.lab.test,192.0.2.11
dhcp-range={lab.addr('1000')},{lab.addr('1fff')},64,1h
dhcp-option=option6:dns-server,[{lab.addr('53')}]
dhcp-leasefile={lab.tmp / 'dnsmasq.leases'}
log-queries
log-dhcp
""")
    lab.pids.append(procs.start(
        [DNSMASQ, "--keep-in-foreground", f"--conf-file={dnsmasq_conf}",
         f"--pid-file={lab.tmp / 'dnsmasq.pid'}", "--log-facility=-"],
        lab.tmp / "dnsmasq.log", netns=lab.ns("s")))


def _wait_ready(lab: Lab6, timeout: float = 15.0) -> None:
    """dnsmasq listens on 53 and 547; radvd's RAs reached h2 (SLAAC address in the prefix)."""
    deadline = time.monotonic() + timeout
    net = ipaddress.IPv6Network(lab.prefix)
    while True:
        dead = [p for p in lab.pids if not procs.alive(p)]
        if dead:
            logs = {n: (lab.tmp / n).read_text() for n in ("radvd.log", "dnsmasq.log")}
            raise RuntimeError(f"lab daemon(s) exited: {dead}: {logs}")
        ports = subprocess.run(["ip", "netns", "exec", lab.ns("s"), "ss", "-Hlun"],
                               capture_output=True, text=True, check=False).stdout
        addrs = json.loads(ip("-6", "-j", "addr", "show", "dev", "eth0", netns=lab.ns("h2")))
        slaac = any(ipaddress.IPv6Address(a["local"]) in net
                    for i in addrs for a in i.get("addr_info", []))
        if ":53 " in ports and ":547 " in ports and slaac:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"IPv6 lab not ready: ports={ports!r} slaac={slaac}")
        time.sleep(0.2)


def _teardown(lab: Lab6) -> None:
    survivors = procs.stop(lab.pids)
    stale = [n for n in existing_namespaces() if n.startswith(f"ia6-{lab.run_id}-")]
    for name in dict.fromkeys([*lab.namespaces, *stale]):
        ip("netns", "del", name, check=False)
    left = [n for n in existing_namespaces() if n.startswith(f"ia6-{lab.run_id}-")]
    if survivors or left:
        raise RuntimeError(f"IPv6 lab teardown incomplete: pids {survivors}, namespaces {left}")


@pytest.fixture(scope="module")
def lab6(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab6]:
    def new_id() -> str:  # 4 hex digits, no leading zero: the prefixes below stay canonical
        return f"{0x1000 + secrets.randbelow(0xF000):x}"

    run_id = new_id()
    while any(n.startswith(f"ia6-{run_id}-") for n in existing_namespaces()):
        run_id = new_id()
    lab = Lab6(run_id, tmp_path_factory.mktemp("ipv6lab"))
    try:
        _build(lab)
        _start(lab)
        _wait_ready(lab)
        yield lab
    finally:
        _teardown(lab)


@pytest.fixture(scope="module")
def segments(lab6: Lab6) -> tuple[SegmentIpv6, SegmentIpv6]:
    """Both segments probed at once (two processes in the scanner namespace)."""
    cmd = ["ip", "netns", "exec", lab6.ns("p"), sys.executable, "-W", "error", "-m",
           "infraaudit.probes.ipv6", "segment"]
    one = subprocess.Popen([*cmd, "eth0", "--timeout", str(TIMEOUT_S), "--segment", "lan1",
                            "--prefix", lab6.prefix], cwd=REPO, text=True,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    two = subprocess.Popen([*cmd, "eth1", "--timeout", "2"], cwd=REPO, text=True,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out1, err1 = one.communicate(timeout=60)
    out2, err2 = two.communicate(timeout=60)
    assert one.returncode == 0 and two.returncode == 0, err1 + err2
    return SegmentIpv6.model_validate_json(out1), SegmentIpv6.model_validate_json(out2)


def test_router_advert_on_segment_one(lab6: Lab6,
                                      segments: tuple[SegmentIpv6, SegmentIpv6]) -> None:
    seg = segments[0]
    assert seg.errors == [] and seg.segment == "lan1" and seg.segment_prefix == lab6.prefix
    assert seg.mac == lab6.mac(PROBE) and seg.link_local == lab6.link_local(PROBE)
    assert len(seg.ra) == 1, seg.ra
    ra = seg.ra[0]
    assert ra.source == lab6.link_local(ROUTER)
    assert ra.mac == ra.frame_mac == lab6.mac(ROUTER)
    assert (ra.managed, ra.other_config, ra.preference) == (False, True, "high")
    assert ra.router_lifetime_s == 1800 and ra.mtu == 1480
    assert ra.prefixes == [RaPrefix(prefix=lab6.prefix, on_link=True, autonomous=True,
                                    valid_lifetime_s=86400, preferred_lifetime_s=14400)]
    assert ra.rdnss == [lab6.addr("53")] and ra.rdnss_lifetime_s == 600
    assert ra.dnssl == ["lab.test"]
    # radvd answers our RS by unicast (AdvRASolicitedUnicast, default on) and multicasts every
    # 3-4 s, so a 4.5 s window holds both kinds
    assert ra.received - ra.multicast >= 1 and ra.multicast >= 1
    assert seg.ra_multicast == ra.multicast
    assert ra.first_seen_ms < 1000
    assert seg.duration_ms < TIMEOUT_S * 2 * 1000


def test_dhcpv6_advertise_on_segment_one(lab6: Lab6,
                                         segments: tuple[SegmentIpv6, SegmentIpv6]) -> None:
    seg = segments[0]
    assert len(seg.dhcpv6) == 1, seg.dhcpv6
    adv = seg.dhcpv6[0]
    assert adv.source == lab6.link_local(SERVER) and adv.mac == lab6.mac(SERVER)
    assert len(adv.addresses) == 1
    offered = ipaddress.IPv6Address(adv.addresses[0])
    assert ipaddress.IPv6Address(lab6.addr("1000")) <= offered <= ipaddress.IPv6Address(
        lab6.addr("1fff"))
    assert adv.dns_servers == [lab6.addr("53")]
    assert adv.status_code in (None, 0)
    assert adv.server_duid  # dnsmasq's DUID-LLT
    # read-only: the offer was never requested, so dnsmasq leased nothing
    leases = lab6.tmp / "dnsmasq.leases"
    assert not leases.exists() or offered.compressed not in leases.read_text()


def test_hosts_on_segment_one(lab6: Lab6, segments: tuple[SegmentIpv6, SegmentIpv6]) -> None:
    hosts = segments[0].hosts
    expected = {lab6.link_local(k): lab6.mac(k) for k in (ROUTER, SERVER, H1, H2)}
    assert hosts.error is None
    assert hosts.echo_count == len(expected) == 4
    assert {n.address: n.mac for n in hosts.echo_responders} == expected
    assert all(n.rtt_ms is not None and n.rtt_ms < 1000 for n in hosts.echo_responders)
    assert hosts.neighbour_count is not None
    assert {n.address for n in hosts.neighbours} <= set(expected)  # never the scanner itself


def test_segment_two_has_no_router(lab6: Lab6, segments: tuple[SegmentIpv6, SegmentIpv6]) -> None:
    seg = segments[1]
    assert seg.errors == [] and seg.interface == "eth1"
    assert seg.ra == [] and seg.ra_multicast == 0 and seg.dhcpv6 == []
    assert seg.hosts.echo_count == 1
    assert seg.hosts.echo_responders[0].mac == lab6.mac(Q)
    assert seg.hosts.echo_responders[0].address == lab6.link_local(Q)


def test_dns_a_and_aaaa(lab6: Lab6) -> None:
    # first server is a host without DNS (port unreachable): the probe moves on to dnsmasq
    res = run_probe(lab6, "p", ["resolve", "dual.lab.test", "v4only.lab.test", "missing.lab.test",
                                "--server", lab6.addr("11"), "--server", lab6.addr("53"),
                                "--timeout", "2"])
    answers = {a.name: a for a in TypeAdapter(list[DnsAnswer]).validate_json(res.stdout)}
    dual, v4, missing = (answers["dual.lab.test"], answers["v4only.lab.test"],
                         answers["missing.lab.test"])
    assert dual.error is None and dual.server == lab6.addr("53")
    assert dual.a == ["192.0.2.10"] and dual.aaaa == [lab6.addr("10")]
    assert (dual.rcode_a, dual.rcode_aaaa) == ("NOERROR", "NOERROR")
    assert v4.error is None and v4.a == ["192.0.2.11"] and v4.aaaa == []
    assert v4.rcode_aaaa == "NOERROR"
    assert missing.a == missing.aaaa == [] and missing.rcode_a == "NXDOMAIN"
    log = (lab6.tmp / "dnsmasq.log").read_text()
    assert "query[AAAA] dual.lab.test" in log and "query[PTR]" not in log


def test_dns_no_answer_is_recorded(lab6: Lab6) -> None:
    res = run_probe(lab6, "q", ["resolve", "dual.lab.test", "--server", "fe80::1%eth0",
                                "--timeout", "0.5"])
    (answer,) = TypeAdapter(list[DnsAnswer]).validate_json(res.stdout)
    assert answer.a == answer.aaaa == [] and answer.server is None
    assert answer.error is not None and "no answer" in answer.error


def test_scanning_host_state(lab6: Lab6, segments: tuple[SegmentIpv6, SegmentIpv6]) -> None:
    # the scanner's kernel took the prefix and default route from radvd's RAs
    deadline = time.monotonic() + 10
    while True:
        res = run_probe(lab6, "p", ["host", "--route", lab6.addr("53"), "--route",
                                    "2001:db8::1"])
        host = HostIpv6.model_validate_json(res.stdout)
        if host.default_routes or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    net = ipaddress.IPv6Network(lab6.prefix)
    globals_ = [a for a in host.addresses if a.scope == "global"]
    assert host.errors == [] and host.global_addresses == len(globals_) >= 1
    assert all(a.interface == "eth0" and ipaddress.IPv6Address(a.address) in net
               for a in globals_)
    assert {(r.gateway, r.interface) for r in host.default_routes} == {
        (lab6.link_local(ROUTER), "eth0")}
    on_link, remote = host.route_lookups
    assert on_link.reachable and on_link.gateway is None and on_link.interface == "eth0"
    assert remote.reachable and remote.gateway == lab6.link_local(ROUTER)
    assert remote.source in {a.address for a in globals_}
    res = run_probe(lab6, "q", ["host", "--route", "2001:db8::1"])
    lonely = HostIpv6.model_validate_json(res.stdout)
    assert lonely.global_addresses == 0 and lonely.default_routes == []
    assert not lonely.route_lookups[0].reachable and lonely.route_lookups[0].error


CAPTURE_ENV = "INFRAAUDIT_IPV6_CAPTURE"
_CAPTURE = r"""
import json, socket, sys
from infraaudit.probes.ipv6 import dhcpv6, dns, hosts, ra
from infraaudit.probes.ipv6.link import PacketLink, exchange, interface_info

info = interface_info("eth0")
sol = dhcpv6.build_solicit(info.mac, info.link_local, trid=0x1a2b3c, iaid=0x0a0b0c0d)
echo = hosts.build_echo(info.mac, info.link_local, 0x4242, 1)
with PacketLink("eth0") as link:
    got = exchange(link, [(0.0, ra.build_rs(info.mac, info.link_local)), (0.1, sol.frame),
                          (0.2, echo)], 4.5, lambda f: True)
out = {
    "ra": [f.hex() for _, f in got if ra.looks_like_ra(f)],
    "dhcpv6_advertise": [f.hex() for _, f in got if dhcpv6.looks_like_advertise(f)],
    "echo_replies": [f.hex() for _, f in got if hosts.looks_like_echo_reply(f)],
    "dhcpv6_solicit": {"trid": sol.trid, "client_duid": sol.client_duid.hex()},
    "echo_ident": 0x4242,
    "dns": {},
}
with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as sock:
    sock.settimeout(2)
    sock.connect((sys.argv[1], 53))
    for k, (name, qtype) in enumerate([("dual.lab.test", "A"), ("dual.lab.test", "AAAA"),
                                       ("v4only.lab.test", "AAAA"), ("missing.lab.test", "A")]):
        sock.send(dns.build_query(name, qtype, 0x100 + k))
        out["dns"][f"{name} {qtype}"] = sock.recv(4096).hex()
print(json.dumps(out))
"""


@pytest.mark.skipif(not os.environ.get(CAPTURE_ENV), reason=f"set {CAPTURE_ENV}=FILE to record")
def test_capture_frames_for_unit_tests(lab6: Lab6) -> None:
    """Record the raw frames the unit tests parse (tests/unit/data/ipv6/lab_frames.json)."""
    res = run_probe_code(lab6, "p", _CAPTURE, lab6.addr("53"))
    frames = json.loads(res.stdout)
    frames["lab"] = {"prefix": lab6.prefix, "router_mac": lab6.mac(ROUTER),
                     "router_link_local": lab6.link_local(ROUTER),
                     "server_mac": lab6.mac(SERVER), "server_link_local": lab6.link_local(SERVER),
                     "scanner_mac": lab6.mac(PROBE),
                     "scanner_link_local": lab6.link_local(PROBE)}
    frames["SOURCE"] = (
        "Captured by tests/lab/test_ipv6_lan.py::test_capture_frames_for_unit_tests "
        f"({CAPTURE_ENV}=FILE), Debian 12, radvd 2.19 (MinRtrAdvInterval 3, MaxRtrAdvInterval 4, "
        "O flag, preference high, MTU 1480, RDNSS lifetime 600, DNSSL lab.test, prefix valid "
        "86400 / preferred 14400) on a Linux bridge, dnsmasq 2.90 (DHCPv6 range ::1000-::1fff, "
        "host-records dual.lab.test A+AAAA and v4only.lab.test A only, local=/lab.test/); "
        "frames read with an AF_PACKET socket (infraaudit.probes.ipv6.link.PacketLink) in the "
        "scanner namespace after one RS, one Solicit and one all-nodes echo; DNS replies over UDP.")
    Path(os.environ[CAPTURE_ENV]).write_text(json.dumps(frames, indent=1) + "\n")


def run_probe_code(lab: Lab6, role: str, code: str,
                   *args: str) -> subprocess.CompletedProcess[str]:
    res = subprocess.run(["ip", "netns", "exec", lab.ns(role), sys.executable, "-W", "error",
                          "-c", code, *args],
                         capture_output=True, text=True, check=False, timeout=60, cwd=REPO)
    assert res.returncode == 0, res.stderr
    return res
