"""Discovery against the namespace lab (root only), run from a scanner namespace of its own.

Topology (X = the lab's octet)::

    scanner ns "ialab-R-scan": eth0 10.X.0.200/24 ──veth── hub br0 ── agents 1..4 (10.X.0.11-14)
        route 10.X.2.0/29 via agent-4 (which holds 10.X.2.1 and 10.X.2.5 on lo: the live hosts
              of a routed subnet; the other four addresses are dropped there, unforwarded)
        route 10.X.1.0/30 via agent-2 (10.X.1.2 is agent-2's end of the agent-1/agent-2 link)

The lab's root-namespace veth is taken off the bridge (its hub end is set down, inside the hub
namespace), so discovery runs entirely inside namespaces this module created and the ARP sweep
can only meet the four agents. ``python -m infraaudit.probes.discovery`` runs in the
scanner namespace through ``ip netns exec``. A packet counter in agent-2 (nft, daddr 10.X.1.2)
proves that an address learned over LLDP but outside the declared subnets is never contacted,
although the scanner has a route to it.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from infraaudit.models.discovery import Discovery
from lab import procs
from lab.netns import PREFIX, NetnsLab, ip, ip_batch, netns_supported, run_in

pytestmark = [
    pytest.mark.netns,
    pytest.mark.skipif(not netns_supported(), reason="needs root and `ip netns`"),
]

REPO = Path(__file__).resolve().parents[2]
PROFILE = "lab-netns-v2c"
LLDP_REM_MAN_ADDR = "1.0.8802.1.1.2.1.4.2.1.3"


@dataclass
class Scanner:
    ns: str
    address: str
    lab: NetnsLab
    tmp: Path

    @property
    def octet(self) -> int:
        return self.lab.octet

    def net(self, third: int, mask: int) -> str:
        return f"10.{self.octet}.{third}.0/{mask}"

    def inventory(self, name: str, subnets: list[Any]) -> Path:
        """The lab's inventory with agent-1 as the only device (the crawl's seed)."""
        data = yaml.safe_load(self.lab.inventory_path.read_text(encoding="utf-8"))
        data["devices"] = [{"host": self.lab.v4(1), "snmp": PROFILE, "name": "agent-1"}]
        data["subnets"] = subnets
        data.pop("ssh_options", None)
        path = self.tmp / f"{name}.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                        encoding="utf-8")
        return path

    def discover(self, inventory: Path) -> tuple[Discovery, float]:
        t0 = time.monotonic()
        res = subprocess.run(
            ["ip", "netns", "exec", self.ns, sys.executable, "-m", "infraaudit.probes.discovery",
             str(inventory), "--env-file", str(self.lab.env_file), "--json"],
            capture_output=True, text=True, check=False, timeout=120, cwd=REPO)
        wall = time.monotonic() - t0
        assert res.returncode == 0, res.stderr
        assert "Warning" not in res.stderr, res.stderr
        return Discovery.model_validate_json(res.stdout), wall


def _mac(ns: str, link: str) -> str:
    return str(json.loads(ip("-j", "link", "show", link, netns=ns))[0]["address"]).lower()


def _counted(ns: str) -> int:
    """Packets agent-2 received for 10.X.1.2 (its /30 address) since the counter was made."""
    out = run_in(ns, ["nft", "list", "chain", "ip", "iadisc", "input"]).stdout
    match = re.search(r"counter packets (\d+)", out)
    assert match, out
    return int(match.group(1))


def _advertise(lab: NetnsLab, address: str) -> None:
    """Make agent-2's lldpd advertise ``address`` as its management address; wait until agent-1
    lists it (asked from inside agent-1's namespace)."""
    ctl = str(lab.sock_dir / "2.ctl")
    subprocess.run(["lldpcli", "-u", ctl, "configure", "system", "ip", "management", "pattern",
                    address], capture_output=True, check=True)
    community = lab.secrets["INFRAAUDIT_LAB_NETNS_COMMUNITY"]
    suffix = "1.4." + address
    deadline = time.monotonic() + 20
    while True:
        subprocess.run(["lldpcli", "-u", ctl, "update"], capture_output=True, check=False)
        walk = run_in(lab.agent_ns(1), ["snmpbulkwalk", "-On", *procs.snmp_args(
            lab.v4(1), 161, ["-v2c", "-c", community]), LLDP_REM_MAN_ADDR])
        if any(line.split(" ")[0].endswith(suffix) for line in walk.stdout.splitlines()):
            return
        assert time.monotonic() < deadline, f"agent-1 never saw {address}: {walk.stdout}"
        time.sleep(0.3)


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NetnsLab]:
    with NetnsLab(run_dir=tmp_path_factory.mktemp("netns-discovery"), agents=4,
                  sshd=False) as running:
        yield running


@pytest.fixture(scope="module")
def scanner(lab: NetnsLab, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scanner]:
    ns = f"{PREFIX}{lab.run_id}-scan"  # the lab's teardown also removes its own prefix
    lab.state.namespaces.append(ns)
    lab.state.save(lab.state_path)
    x = lab.octet
    try:
        ip_batch([f"netns add {ns}",
                  f"link add name eth0 netns {ns} type veth peer name scan0 netns {lab.hub}"])
        ip_batch(["link set scan0 master br0", "link set scan0 up",
                  "link set up0 down"], netns=lab.hub)  # the root namespace leaves the bridge
        ip_batch(["link set lo up", f"addr add 10.{x}.0.200/24 dev eth0", "link set eth0 up",
                  f"route add 10.{x}.2.0/29 via {lab.v4(4)}",
                  f"route add 10.{x}.1.0/30 via {lab.v4(2)}"], netns=ns)
        ip_batch([f"addr add 10.{x}.2.1/32 dev lo", f"addr add 10.{x}.2.5/32 dev lo"],
                 netns=lab.agent_ns(4))
        rules = ("table ip iadisc {\n chain input {\n"
                 "  type filter hook input priority 0; policy accept;\n"
                 f"  ip daddr 10.{x}.1.2 counter\n }}\n}}\n")
        nft = subprocess.run(["ip", "netns", "exec", lab.agent_ns(2), "nft", "-f", "-"],
                             input=rules, capture_output=True, text=True, check=False)
        assert nft.returncode == 0, nft.stderr
        yield Scanner(ns, f"10.{x}.0.200", lab, tmp_path_factory.mktemp("discovery"))
    finally:
        ip("netns", "del", ns, check=False)
    assert ns not in ip("netns", "list", check=False).split()


def test_arp_sweep_snmp_identification_and_crawl(scanner: Scanner) -> None:
    lab = scanner.lab
    if not lab.lldpd:
        pytest.skip("lldpd is not installed")
    _advertise(lab, lab.v4(2))
    inventory = scanner.inventory("lan", [
        {"prefix": scanner.net(0, 24), "name": "LAN lab"},
        {"prefix": scanner.net(2, 29), "name": "mạng định tuyến"},
        f"fd49:6161:{lab.octet:x}::/64",
    ])
    result, wall = scanner.discover(inventory)
    sweeps = {s.subnet: s for s in result.sweeps}

    lan = sweeps[scanner.net(0, 24)]
    agents = {lab.v4(k): _mac(lab.agent_ns(k), "eth0") for k in range(1, 5)}
    arp = {h.address: h.mac for h in result.hosts if "arp" in h.how}
    assert arp == agents  # exactly the agents, with their real MACs
    assert (lan.method, lan.interface, lan.targets, lan.answered) == ("arp", "eth0", 253, 4)
    assert lan.sent == 253 + 249 and lan.error is None  # silent addresses asked twice

    routed = sweeps[scanner.net(2, 29)]
    icmp = sorted(h.address for h in result.hosts if "icmp" in h.how)
    assert icmp == [f"10.{lab.octet}.2.1", f"10.{lab.octet}.2.5"]  # only the live hosts
    assert (routed.method, routed.targets, routed.answered, routed.sent) == ("icmp", 6, 2, 10)
    v6 = sweeps[f"fd49:6161:{lab.octet:x}::/64"]
    assert v6.method == "none" and (v6.error or "").startswith("not swept: IPv6")

    hosts = {h.address: h for h in result.hosts}
    assert hosts[lab.v4(1)].in_inventory and hosts[lab.v4(1)].snmp_profile is None
    for k in (2, 3, 4):
        host = hosts[lab.v4(k)]
        assert (host.sys_name, host.snmp_profile, host.in_inventory) == (
            f"agent-{k}", PROFILE, False)
        assert host.sys_object_id and host.interface == "eth0" and host.rtt_ms is not None
    assert hosts[lab.v4(2)].how == ["arp", "lldp"]

    (edge,) = [e for e in result.edges if e.device == lab.v4(1)]
    assert (edge.device_name, edge.neighbour_name, edge.neighbour_address, edge.followed) == (
        "agent-1", "agent-2", lab.v4(2), True)
    assert edge.local_port == "eth1" and edge.reason is None
    (back,) = [e for e in result.edges if e.device == lab.v4(2)]
    assert (back.neighbour_name, back.followed, back.reason) == ("agent-1", True,
                                                                 "already crawled")
    assert [(c.address, c.depth, c.error) for c in result.crawled] == [
        (lab.v4(1), 0, None), (lab.v4(2), 1, None)]
    assert result.errors == []
    print(f"\nLAN ARP: {lan.answered}/{lan.targets} answered, {lan.sent} sent, "
          f"{lan.duration_ms:.0f} ms; routed ICMP: {routed.answered}/{routed.targets}, "
          f"{routed.sent} sent, {routed.duration_ms:.0f} ms; hosts {len(result.hosts)}, "
          f"edges {len(result.edges)}; discovery {result.duration_ms:.0f} ms, "
          f"process {wall:.1f} s")


def test_an_outside_neighbour_is_recorded_and_never_contacted(scanner: Scanner) -> None:
    lab = scanner.lab
    if not lab.lldpd:
        pytest.skip("lldpd is not installed")
    link_address = f"10.{lab.octet}.1.2"
    _advertise(lab, link_address)
    before = _counted(lab.agent_ns(2))
    inventory = scanner.inventory("outside", [{"prefix": scanner.net(0, 24), "name": "LAN"}])
    result, wall = scanner.discover(inventory)
    (edge,) = [e for e in result.edges if e.device == lab.v4(1)]
    assert (edge.neighbour_name, edge.neighbour_address, edge.followed, edge.reason) == (
        "agent-2", link_address, False, "seen, not followed (outside subnets)")
    assert [c.address for c in result.crawled] == [lab.v4(1)]
    assert link_address not in {h.address for h in result.hosts}
    assert {h.address: h.how for h in result.hosts}[lab.v4(2)] == ["arp"]
    assert _counted(lab.agent_ns(2)) == before == 0  # not one packet to the /30 address
    # ... although the scanner could reach it: one snmpget from the scanner namespace counts.
    community = lab.secrets["INFRAAUDIT_LAB_NETNS_COMMUNITY"]
    probe = run_in(scanner.ns, ["snmpget", "-Oqv", *procs.snmp_args(
        link_address, 161, ["-v2c", "-c", community]), "1.3.6.1.2.1.1.5.0"])
    assert probe.stdout.strip().strip('"') == "agent-2"
    assert _counted(lab.agent_ns(2)) >= 1
    print(f"\noutside: edge {edge.neighbour_address} not followed; discovery "
          f"{result.duration_ms:.0f} ms, process {wall:.1f} s")


def test_declaring_the_link_subnet_lets_the_crawl_follow_it(scanner: Scanner) -> None:
    lab = scanner.lab
    if not lab.lldpd:
        pytest.skip("lldpd is not installed")
    link_address = f"10.{lab.octet}.1.2"
    _advertise(lab, link_address)
    inventory = scanner.inventory("link", [
        {"prefix": scanner.net(0, 24), "name": "LAN"},
        {"prefix": scanner.net(1, 30), "name": "liên kết agent-1/agent-2"},
    ])
    result, _ = scanner.discover(inventory)
    link = next(s for s in result.sweeps if s.subnet == scanner.net(1, 30))
    # 10.X.1.1 is agent-1's end: reached only through agent-2, which does not forward.
    assert (link.method, link.targets, link.answered) == ("icmp", 2, 1)
    (edge,) = [e for e in result.edges if e.device == lab.v4(1)]
    assert (edge.neighbour_address, edge.followed, edge.reason) == (link_address, True, None)
    host = {h.address: h for h in result.hosts}[link_address]
    assert (host.how, host.sys_name, host.subnet) == (["icmp", "lldp"], "agent-2",
                                                      "liên kết agent-1/agent-2")
    assert [(c.address, c.depth) for c in result.crawled] == [(lab.v4(1), 0),
                                                              (link_address, 1)]
