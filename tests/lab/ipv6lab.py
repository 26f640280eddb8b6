"""The IPv6 LAN lab of the test_ipv6_lan*.py tests: network namespaces, radvd and dnsmasq.

Topology for run id ``R`` (4 hex digits), all links inside namespaces (nothing in the root ns)::

    segment 1, fd6a:R:1::/64, bridge br0 in "ia6-R-r" (radvd on br0: RA with O flag, RDNSS,
    DNSSL, MTU 1480, preference high; fd6a:R:1::1)
        ├─veth── "ia6-R-s"  eth0 fd6a:R:1::53   dnsmasq: DNS + DHCPv6 range ::1000-::1fff
        ├─veth── "ia6-R-h1" eth0 fd6a:R:1::11   host with a static address
        ├─veth── "ia6-R-h2" eth0 (SLAAC only)   host
        └─veth── "ia6-R-p"  eth0                the scanner
    segment 2 (no router, no DHCPv6): "ia6-R-p" eth1 ──veth── "ia6-R-q" eth0 (link-local only)

The probes run inside ``ia6-R-p`` as ``ip netns exec ia6-R-p python -m infraaudit.probes.ipv6 ...``.
The fixtures ``lab6`` and ``segments`` (tests/lab/conftest.py) build it once per test module.
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
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from infraaudit.models.ipv6 import SegmentIpv6
from lab import procs
from lab.netns import existing_namespaces, ip, netns_supported
from tests.paths import REPO

RADVD = shutil.which("radvd") or "/usr/sbin/radvd"
DNSMASQ = shutil.which("dnsmasq") or "/usr/sbin/dnsmasq"
TIMEOUT_S = 4.5  # > MaxRtrAdvInterval 4: the window holds at least one periodic RA

MARKS = [  # every test module of this lab: pytestmark = ipv6lab.MARKS
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



def run_probe_code(lab: Lab6, role: str, code: str,
                   *args: str) -> subprocess.CompletedProcess[str]:
    res = subprocess.run(["ip", "netns", "exec", lab.ns(role), sys.executable, "-W", "error",
                          "-c", code, *args],
                         capture_output=True, text=True, check=False, timeout=60, cwd=REPO)
    assert res.returncode == 0, res.stderr
    return res


def build(lab: Lab6) -> None:
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


def start_daemons(lab: Lab6) -> None:
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


def wait_ready(lab: Lab6, timeout: float = 15.0) -> None:
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


def teardown(lab: Lab6) -> None:
    survivors = procs.stop(lab.pids)
    stale = [n for n in existing_namespaces() if n.startswith(f"ia6-{lab.run_id}-")]
    for name in dict.fromkeys([*lab.namespaces, *stale]):
        ip("netns", "del", name, check=False)
    left = [n for n in existing_namespaces() if n.startswith(f"ia6-{lab.run_id}-")]
    if survivors or left:
        raise RuntimeError(f"IPv6 lab teardown incomplete: pids {survivors}, namespaces {left}")


def new_run_id() -> str:
    """4 hex digits, no leading zero (the prefixes stay canonical), no namespace uses yet."""
    def draw() -> str:
        return f"{0x1000 + secrets.randbelow(0xF000):x}"

    run_id = draw()
    while any(n.startswith(f"ia6-{run_id}-") for n in existing_namespaces()):
        run_id = draw()
    return run_id


@contextmanager
def running(tmp: Path) -> Iterator[Lab6]:
    """The lab, built and ready; torn down on exit whatever happened."""
    lab = Lab6(new_run_id(), tmp)
    try:
        build(lab)
        start_daemons(lab)
        wait_ready(lab)
        yield lab
    finally:
        teardown(lab)


def probe_segments(lab6: Lab6) -> tuple[SegmentIpv6, SegmentIpv6]:
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
