"""The site lab itself (root only), checked with independent tools (iputils ping, net-snmp,
``ip``) from inside its scanner namespace. One lab serves the whole module; the faults are
switched on it with ``lab.apply``; the last test tears it down and checks nothing is left."""

from __future__ import annotations

import itertools
import json
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lab import procs
from lab.netns import existing_namespaces, netns_supported
from lab.site import LINKS, SiteLab, load_scenario, scenario_names

pytestmark = [
    pytest.mark.netns,
    pytest.mark.skipif(not netns_supported(), reason="needs root and `ip netns`"),
]

IF_SPEED, IF_HIGH_SPEED = "1.3.6.1.2.1.2.2.1.5", "1.3.6.1.2.1.31.1.1.1.15"
IF_ADMIN, IF_OPER, IF_NAME = "1.3.6.1.2.1.2.2.1.7", "1.3.6.1.2.1.2.2.1.8", "1.3.6.1.2.1.31.1.1.1.1"
IF_IN_ERRORS, IF_IN_UCAST = "1.3.6.1.2.1.2.2.1.14", "1.3.6.1.2.1.2.2.1.11"
DOT3_FCS, DOT3_DUPLEX = "1.3.6.1.2.1.10.7.2.1.3", "1.3.6.1.2.1.10.7.2.1.19"
LLDP_REM = "1.0.8802.1.1.2.1.4.1.1"
FDB_PORT, BASE_PORT_IFINDEX = "1.3.6.1.2.1.17.4.3.1.2", "1.3.6.1.2.1.17.1.4.1.2"
WLAN, ROUTER, BRIDGE = 0x10, 0x08, 0x20  # lldpRemSysCapEnabled, first octet (BITS, MSB first)

TIMES: dict[str, float] = {}

# Run inside the scanner namespace: send a Router Solicitation on argv[1], print the first
# Router Advertisement as JSON (flags, prefixes, RDNSS) or null after argv[2] seconds.
RA_PROBE = """
import json, select, socket, struct, sys, time
ifname, wait = sys.argv[1], float(sys.argv[2])
s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 255)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, ifname.encode())
s.sendto(bytes([133, 0, 0, 0, 0, 0, 0, 0]), ("ff02::2", 0, 0, socket.if_nametoindex(ifname)))
deadline, ra = time.monotonic() + wait, None
while ra is None and select.select([s], [], [], max(0, deadline - time.monotonic()))[0]:
    data = s.recv(4096)
    if data[0] != 134:
        continue
    ra = {"M": bool(data[5] & 0x80), "O": bool(data[5] & 0x40),
          "lifetime": struct.unpack("!H", data[6:8])[0], "prefixes": [], "rdnss": []}
    i = 16
    while i + 8 <= len(data) and data[i + 1]:
        kind, size = data[i], data[i + 1] * 8
        opt = data[i:i + size]
        if kind == 3:
            ra["prefixes"].append(socket.inet_ntop(socket.AF_INET6, opt[16:32]) + f"/{opt[2]}")
        if kind == 25:
            ra["rdnss"] += [socket.inet_ntop(socket.AF_INET6, opt[j:j + 16])
                            for j in range(8, size, 16)]
        i += size
print(json.dumps(ra))
"""

# Run inside the scanner namespace: a DHCPv6 Information-request on scan0, print the DNS
# servers (option 23) of the Reply as JSON.
DHCPV6_PROBE = """
import json, socket, struct
def opt(code, data):
    return struct.pack("!HH", code, len(data)) + data
idx = socket.if_nametoindex("scan0")
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, b"scan0")
s.bind(("::", 546))
s.settimeout(3.0)
duid = struct.pack("!HH", 3, 1) + bytes.fromhex("020000000001")
msg = (bytes([11, 0x12, 0x34, 0x56]) + opt(1, duid) + opt(6, struct.pack("!H", 23))
       + opt(8, bytes(2)))
s.sendto(msg, ("ff02::1:2", 547, 0, idx))
data = s.recv(4096)
servers, i = [], 4
while i + 4 <= len(data):
    code, size = struct.unpack("!HH", data[i:i + 4])
    if code == 23:
        servers += [socket.inet_ntop(socket.AF_INET6, data[i + 4 + j:i + 20 + j])
                    for j in range(0, size, 16)]
    i += 4 + size
print(json.dumps({"type": data[0], "dns": servers}))
"""


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SiteLab]:
    site = SiteLab(tmp_path_factory.mktemp("site"), relay_links=["core-acc2"], seed=7)
    t0 = time.monotonic()
    site.start()
    TIMES["up"] = time.monotonic() - t0
    try:
        yield site
    finally:
        site.stop()


def community(lab: SiteLab, name: str = "INFRAAUDIT_LAB_SITE_COMMUNITY") -> list[str]:
    return ["-v2c", "-c", lab.secrets[name]]


def snmpget(lab: SiteLab, host: str, oid: str, auth: list[str] | None = None) -> str:
    res = lab.run_scanner(["snmpget", "-Oqv", *procs.snmp_args(
        host, 161, auth or community(lab), timeout_s=2, retries=2), oid], 20)
    assert res.returncode == 0, res.stderr
    return res.stdout.strip().strip('"')


def walk(lab: SiteLab, host: str, oid: str, hexa: bool = False) -> dict[str, str]:
    """{index after ``oid``: value} of an snmpbulkwalk from the scanner namespace."""
    opts = "-OnqUx" if hexa else "-OnqU"
    # the BRIDGE-MIB is a pass_persist script: its first answer can take a while on a busy host
    res = lab.run_scanner(["snmpbulkwalk", opts, *procs.snmp_args(
        host, 161, community(lab), timeout_s=2, retries=2), oid], 30)
    assert res.returncode == 0, res.stderr
    rows = {}
    for line in res.stdout.splitlines():
        key, _, value = line.partition(" ")
        if key.startswith(f".{oid}."):
            rows[key[len(oid) + 2:]] = value.strip().strip('"')
    return rows


def ping(lab: SiteLab, host: str, count: int = 400) -> tuple[float, list[float]]:
    """iputils ping from the scanner: (loss percent, RTTs in ms by sequence number)."""
    res = lab.run_scanner(["ping", "-c", str(count), "-i", "0.01", "-W", "1", host],
                          timeout=count * 0.05 + 20)
    loss = re.search(r"([\d.]+)% packet loss", res.stdout)
    assert loss, res.stdout + res.stderr
    rtts = {int(m.group(1)): float(m.group(2))
            for m in re.finditer(r"icmp_seq=(\d+) .*time=([\d.]+) ms", res.stdout)}
    return float(loss.group(1)), [rtts[k] for k in sorted(rtts)]


def test_failed_start_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(_: SiteLab) -> None:
        raise RuntimeError("injected failure")

    monkeypatch.setattr(SiteLab, "_wait_ready", broken)
    site = SiteLab(tmp_path)
    with pytest.raises(RuntimeError, match="injected failure"):
        site.start()
    assert site.state.pids == [] and site.state.namespaces == []
    assert not [n for n in existing_namespaces() if n.startswith(f"ialab-{site.run_id}-")]
    assert not any(Path(p).exists() for p in site.state.scratch_dirs)


def test_scenarios_are_valid() -> None:
    assert {"baseline", "loss", "jitter", "flap", "no-ra"} <= set(scenario_names())
    for name in scenario_names():
        scenario = load_scenario(name)
        assert scenario.description and "measured" in scenario.expect
    assert SiteLab("/nonexistent", scenario="jitter").relay_links == ("core-acc2",)
    with pytest.raises(ValueError, match="unknown link"):
        SiteLab("/nonexistent", relay_links=["core-h1"])
    assert "core-acc2" in {link.name for link in LINKS}


def test_every_agent_answers(lab: SiteLab) -> None:
    for device in lab.devices:
        auth = community(lab, device.community_env or "")
        assert snmpget(lab, device.host, "1.3.6.1.2.1.1.5.0", auth) == device.name
    for node in ("rtr", "core", "ap"):  # management over IPv6 too
        assert snmpget(lab, str(lab.node_v6(node)), "1.3.6.1.2.1.1.5.0") == node
    for node in ("acc1", "acc2", "acc3", "old"):  # IPv4-only devices
        assert lab.run_node(node, ["ip", "-6", "addr"]).stdout.strip() == ""
    assert snmpget(lab, lab.v4("rtr", "lan-b"), "1.3.6.1.2.1.1.5.0") == "rtr"
    assert snmpget(lab, lab.v4("rtr"), "1.3.6.1.2.1.1.7.0") == "78"  # sysServices: a router
    inventory = lab.inventory_path.read_text(encoding="utf-8")
    assert "${INFRAAUDIT_LAB_SITE_COMMUNITY}" in inventory
    assert lab.secrets["INFRAAUDIT_LAB_SITE_COMMUNITY"] not in inventory
    assert "role: ap" in inventory


def test_routing_between_segments(lab: SiteLab) -> None:
    targets = [lab.v4(n) for n in ("h1", "w1", "srv", "b1", "c1", "c2")]
    targets += [lab.v4("rtr", "servers"), lab.v6("53"), str(lab.node_v6("ap"))]
    for host in targets:  # c1/c2 are routed through rtr; b1 is on scan1's segment
        res = lab.run_scanner(["ping", "-c", "1", "-W", "2", "-q", host], 10)
        assert res.returncode == 0, f"{host}: {res.stdout}{res.stderr}"
    route = lab.run_scanner(["ip", "-j", "route", "get", lab.v4("c1")]).stdout
    assert json.loads(route)[0]["gateway"] == lab.gateway("lan-a")


def lldp_rows(lab: SiteLab, node: str) -> dict[str, tuple[str, int]]:
    """{remote sysName: (remote port id, first octet of its enabled capabilities)}."""
    names = walk(lab, lab.v4(node), f"{LLDP_REM}.9")
    ports = walk(lab, lab.v4(node), f"{LLDP_REM}.7")
    caps = walk(lab, lab.v4(node), f"{LLDP_REM}.12", hexa=True)
    return {name: (ports[idx], int(caps[idx].split()[0], 16)) for idx, name in names.items()}


def test_lldp_neighbours(lab: SiteLab) -> None:
    core = lldp_rows(lab, "core")
    assert {"rtr", "acc1", "acc2"} <= set(core), core
    assert core["rtr"][1] & ROUTER and core["acc1"][1] & BRIDGE
    assert core["acc2"][0] == "p1"  # seen through the relay on core-acc2
    acc2 = lldp_rows(lab, "acc2")
    assert {"core", "ap"} <= set(acc2), acc2
    assert acc2["ap"][1] & WLAN and acc2["ap"][0] == "p1"
    assert {"acc2"} <= set(lldp_rows(lab, "ap"))
    assert {"rtr"} <= set(lldp_rows(lab, "acc3"))


def test_fdb_of_acc1_lists_its_hosts_on_their_ports(lab: SiteLab) -> None:
    truth = json.loads(lab.truth_path.read_text(encoding="utf-8"))
    fdb = walk(lab, lab.v4("acc1"), FDB_PORT)
    by_mac = {":".join(f"{int(x):02x}" for x in idx.split(".")): int(port)
              for idx, port in fdb.items()}
    assert by_mac[truth["nodes"]["h1"]["interfaces"]["eth0"]["mac"]] == 2
    assert by_mac[truth["nodes"]["h2"]["interfaces"]["eth0"]["mac"]] == 3
    ifindex = walk(lab, lab.v4("acc1"), BASE_PORT_IFINDEX)
    for port in ("p1", "p2", "p3"):
        assert int(ifindex[port[1:]]) == truth["ports"]["acc1"][port]["ifindex"]
        assert snmpget(lab, lab.v4("acc1"), f"{IF_NAME}.{ifindex[port[1:]]}") == port
    assert truth["hosts"]["wifi"] == ["w1", "w2", "w3"]


def test_scanner_gets_slaac_on_lan_a_only(lab: SiteLab) -> None:
    addrs, routes = lab.scanner_ipv6()
    assert any(a.startswith(lab.prefix6().split("::")[0] + ":") for a in addrs), addrs
    assert routes and all(r.endswith("dev scan0") for r in routes), routes
    scan1 = lab.run_scanner(["ip", "-6", "addr", "show", "dev", "scan1", "scope", "global"])
    assert scan1.stdout.strip() == ""


def router_advertisement(lab: SiteLab, ifname: str, wait: float = 2.0) -> dict[str, Any] | None:
    res = lab.run_scanner([sys.executable, "-c", RA_PROBE, ifname, str(wait)], wait + 10)
    assert res.returncode == 0, res.stderr
    ra: dict[str, Any] | None = json.loads(res.stdout)
    return ra


def test_router_advertisements_on_lan_a_only(lab: SiteLab) -> None:
    ra = router_advertisement(lab, "scan0")
    assert ra is not None
    assert not ra["M"] and ra["O"] and ra["lifetime"] > 0
    assert ra["prefixes"] == [lab.prefix6()] and ra["rdnss"] == [lab.v6("53")]
    assert router_advertisement(lab, "scan1", 1.5) is None


def test_dhcpv6_gives_the_dns_server(lab: SiteLab) -> None:
    res = lab.run_scanner([sys.executable, "-c", DHCPV6_PROBE], 15)
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout) == {"type": 7, "dns": [lab.v6("53")]}  # Reply


def test_dns_from_the_scanner(lab: SiteLab) -> None:
    code = ("import socket, json\n"
            "def q(n, f):\n"
            "    try: return sorted({a[4][0] for a in socket.getaddrinfo(n, None, f)})\n"
            "    except socket.gaierror: return []\n"
            "print(json.dumps([q('portal.lab.gov.vn', socket.AF_INET6),"
            " q('portal.lab.gov.vn', socket.AF_INET), q('mail.lab.gov.vn', socket.AF_INET6),"
            " q('mail.lab.gov.vn', socket.AF_INET)]))")
    res = lab.run_scanner([sys.executable, "-c", code], 20)
    assert res.returncode == 0, res.stderr
    portal6, portal4, mail6, mail4 = json.loads(res.stdout)
    assert portal6 == [lab.v6("80")] and portal4 == [f"10.{lab.octet}.3.10"]
    assert mail6 == [] and mail4 == [f"10.{lab.octet}.3.11"]


def test_old_switch_defects_and_growing_fcs(lab: SiteLab) -> None:
    old = lab.v4("old")
    auth = community(lab, "INFRAAUDIT_LAB_SITE_OLD_COMMUNITY")

    def get(oid: str) -> int:
        return int(snmpget(lab, old, oid, auth).split()[0])

    assert (get(f"{IF_SPEED}.10107"), get(f"{IF_HIGH_SPEED}.10107")) == (100_000_000, 100)
    assert get(f"{IF_HIGH_SPEED}.10109") == 1000 and get(f"{DOT3_DUPLEX}.10109") == 2
    assert get(f"{DOT3_DUPLEX}.10101") == 3 and get(f"{IF_HIGH_SPEED}.10101") == 1000
    first = [get(f"{o}.10112") for o in (DOT3_FCS, IF_IN_ERRORS, IF_IN_UCAST)]
    healthy = get(f"{DOT3_FCS}.10101")
    t0 = time.monotonic()
    time.sleep(2.0)
    second = [get(f"{o}.10112") for o in (DOT3_FCS, IF_IN_ERRORS, IF_IN_UCAST)]
    elapsed = time.monotonic() - t0
    fcs, errors, ucast = (b - a for a, b in zip(first, second, strict=True))
    assert 35 <= fcs / elapsed <= 65 and 35 <= errors / elapsed <= 65
    assert 3500 <= 1e6 * fcs / ucast <= 6500  # ~5000 FCS errors per million packets
    assert get(f"{DOT3_FCS}.10101") == healthy == 0


def test_loss_on_acc1(lab: SiteLab) -> None:
    lab.apply("loss")
    loss, _ = ping(lab, lab.v4("acc1"))
    TIMES["loss_percent"] = loss
    if not 2.5 <= loss <= 7.5:  # random drops: judge 800 pings before failing (p ~ 0.2%)
        again, _ = ping(lab, lab.v4("acc1"))
        loss = (loss + again) / 2
        TIMES["loss_percent_800"] = loss
    assert 2.5 <= loss <= 7.5
    other, _ = ping(lab, lab.v4("acc2"), 100)
    assert other == 0.0


def test_jitter_on_the_ap_uplink(lab: SiteLab) -> None:
    lab.apply("baseline")
    _, base = ping(lab, lab.v4("acc2"), 100)
    lab.apply("jitter")
    loss, rtts = ping(lab, lab.v4("acc2"))
    jitter = statistics.fmean(abs(b - a) for a, b in itertools.pairwise(rtts))
    rise = statistics.fmean(rtts) - statistics.fmean(base)
    TIMES.update(rtt_base_ms=statistics.fmean(base), rtt_rise_ms=rise, jitter_ms=jitter)
    assert loss == 0.0
    assert 17.0 <= rise <= 23.0
    assert 2.0 <= jitter <= 6.0
    _, acc1 = ping(lab, lab.v4("acc1"), 100)  # the other branch is not delayed
    assert statistics.fmean(acc1) < 5.0


def test_flap_seen_in_if_oper_status(lab: SiteLab) -> None:
    truth = json.loads(lab.truth_path.read_text(encoding="utf-8"))
    ifindex = truth["ports"]["acc1"]["p3"]["ifindex"]
    lab.apply("flap")
    truth = json.loads(lab.truth_path.read_text(encoding="utf-8"))
    assert {"device": "acc1", "port": "p3", "ifIndex": ifindex, "defect": "flapping"} in truth[
        "defective_ports"]
    seen: set[str] = set()
    admin: set[str] = set()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and not {"up", "down"} <= seen:
        oper = snmpget(lab, lab.v4("acc1"), f"{IF_OPER}.{ifindex}")
        seen.add("up" if oper == "1" else "down")  # down(2) or lowerLayerDown(7)
        admin.add(snmpget(lab, lab.v4("acc1"), f"{IF_ADMIN}.{ifindex}"))
        time.sleep(0.2)
    assert seen == {"up", "down"}
    assert admin == {"1"}  # carrier lost, the port itself stays enabled
    lab.clear()
    show = lab.run_node("acc1", ["ip", "-j", "link", "show", "p3"]).stdout
    assert "LOWER_UP" in show


def test_no_ra_then_back(lab: SiteLab) -> None:
    lab.apply("no-ra")
    assert "radvd" not in lab.roles
    addrs, routes = lab.scanner_ipv6()
    assert not [a for a in addrs if a.startswith("fd49:")] and routes == []
    time.sleep(1.0)  # nothing re-appears: no router is advertising
    assert lab.scanner_ipv6() == ([], [])
    assert router_advertisement(lab, "scan0", 1.5) is None
    lab.clear()
    addrs, routes = lab.scanner_ipv6()
    assert addrs and routes


def test_teardown_is_total(lab: SiteLab) -> None:
    pids = list(lab.state.pids)
    namespaces = list(lab.state.namespaces)
    scratch = [Path(p) for p in lab.state.scratch_dirs]
    assert len(namespaces) == 20 and any(p.parts[1] == "etc" for p in scratch)
    t0 = time.monotonic()
    lab.stop()
    TIMES["down"] = time.monotonic() - t0
    assert not any(procs.alive(p) for p in pids)
    assert not [n for n in existing_namespaces() if n.startswith(f"ialab-{lab.run_id}-")]
    assert not any(p.exists() for p in scratch)
    assert not list(Path("/etc/netns").glob(f"ialab-{lab.run_id}-*"))
    assert not lab.state_path.exists()
    print(f"\nsite lab timings and measurements: {json.dumps(TIMES)}")
    leftovers = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True,
                               check=False).stdout
    assert f"ialab-{lab.run_id}-" not in leftovers
