"""The site lab's network as data: nodes, links, addresses, and which node is what.

Run id ``R`` (4 hex digits), free octet ``X`` (as lab/netns.py picks it); IPv6 prefixes are
``fd49:6161:<X in hex>:<segment>::/64``. Every node is a namespace ``ialab-R-<node>``; switches
are Linux bridges ``br0`` *inside* their namespace, links are veth pairs; nothing is created in
the root namespace (the scanner runs in ``ialab-R-scan``, see :meth:`SiteLab.run_scanner`)::

    segment "lan-a"  10.X.1.0/24 + fd49:6161:X:1::/64 (radvd on rtr: SLAAC, O flag, RDNSS ::53)
      rtr eth0 .1 ::1 ── core p1            core (br0 .2 ::2)
      core p2 ── acc1 p1 (uplink)            acc1 (br0 .3): p2 h1 .21, p3 h2 .22
      core p3 ── acc2 p1 (uplink)            acc2 (br0 .4): p2 ap p1 (uplink)
      core p4 ── srv eth0 .53 ::53           ap (br0 .5 ::5): p2 w1 .31, p3 w2 .32, p4 w3 .33
      core p5 ── old eth0 .6 (snmpsim)       (w1-w3 are the Wi-Fi clients, interface wlan0)
      core p6 ── scan scan0 .100 (SLAAC)
    segment "lan-b"  10.X.2.0/24, IPv4 only, no RA
      rtr eth1 .1 ── acc3 p1 (uplink)        acc3 (br0 .2): p2 b1 .21, p3 b2 .22, p4 scan scan1 .100
    segment "servers" 10.X.3.0/24, behind rtr (the scanner has no leg there)
      rtr eth2 .1 ── sws p1 (uplink)         sws (unmanaged, no address): p2 c1 .10, p3 c2 .11

Switch ports (``pN`` inside the switch namespace; p1 is always the uplink):

| switch | p1 (uplink) | p2   | p3   | p4   | p5  | p6    |
|--------|-------------|------|------|------|-----|-------|
| core   | rtr eth0    | acc1 | acc2 | srv  | old | scan0 |
| acc1   | core p2     | h1   | h2   |      |     |       |
| acc2   | core p3     | ap   |      |      |     |       |
| ap     | acc2 p2     | w1   | w2   | w3   |     |       |
| acc3   | rtr eth1    | b1   | b2   | scan1|     |       |
| sws    | rtr eth2    | c1   | c2   |      |     |       |

lab/site/network.py turns this into namespaces, veths, bridges and addresses.
"""

from __future__ import annotations

from dataclasses import dataclass

DOMAIN = "lab.gov.vn"
OLD_MAC = "f4:7f:35:93:af:c0"  # the recording's Vlan1 ifPhysAddress

SEGMENTS = {"lan-a": 1, "lan-b": 2, "servers": 3}


@dataclass(frozen=True)
class Link:
    """A veth pair: ``a`` is the upstream side (router or switch port)."""

    a: str
    a_if: str
    b: str
    b_if: str

    @property
    def name(self) -> str:
        """``<a>-<b>``, e.g. ``core-acc2`` (what scenarios name)."""
        return f"{self.a}-{self.b}"


LINKS = (
    Link("rtr", "eth0", "core", "p1"), Link("core", "p2", "acc1", "p1"),
    Link("core", "p3", "acc2", "p1"), Link("core", "p4", "srv", "eth0"),
    Link("core", "p5", "old", "eth0"), Link("core", "p6", "scan", "scan0"),
    Link("acc1", "p2", "h1", "eth0"), Link("acc1", "p3", "h2", "eth0"),
    Link("acc2", "p2", "ap", "p1"), Link("ap", "p2", "w1", "wlan0"),
    Link("ap", "p3", "w2", "wlan0"), Link("ap", "p4", "w3", "wlan0"),
    Link("rtr", "eth1", "acc3", "p1"), Link("acc3", "p2", "b1", "eth0"),
    Link("acc3", "p3", "b2", "eth0"), Link("acc3", "p4", "scan", "scan1"),
    Link("rtr", "eth2", "sws", "p1"), Link("sws", "p2", "c1", "eth0"),
    Link("sws", "p3", "c2", "eth0"),
)

# node: [(interface, segment, IPv4 host part, static IPv6 host part or None)]
ADDRESSES: dict[str, list[tuple[str, str, int, str | None]]] = {
    "rtr": [("eth0", "lan-a", 1, "1"), ("eth1", "lan-b", 1, None), ("eth2", "servers", 1, None)],
    "core": [("br0", "lan-a", 2, "2")], "acc1": [("br0", "lan-a", 3, None)],
    "acc2": [("br0", "lan-a", 4, None)], "ap": [("br0", "lan-a", 5, "5")],
    "old": [("eth0", "lan-a", 6, None)], "srv": [("eth0", "lan-a", 53, "53")],
    "h1": [("eth0", "lan-a", 21, None)], "h2": [("eth0", "lan-a", 22, None)],
    "w1": [("wlan0", "lan-a", 31, None)], "w2": [("wlan0", "lan-a", 32, None)],
    "w3": [("wlan0", "lan-a", 33, None)],
    "scan": [("scan0", "lan-a", 100, None), ("scan1", "lan-b", 100, None)],
    "acc3": [("br0", "lan-b", 2, None)], "b1": [("eth0", "lan-b", 21, None)],
    "b2": [("eth0", "lan-b", 22, None)], "c1": [("eth0", "servers", 10, None)],
    "c2": [("eth0", "servers", 11, None)],
}
NODES = ("rtr", "core", "acc1", "acc2", "ap", "acc3", "sws", "srv", "old", "h1", "h2", "w1",
         "w2", "w3", "b1", "b2", "c1", "c2", "scan")
BRIDGES = ("core", "acc1", "acc2", "ap", "acc3", "sws")
WIRED_HOSTS = ("h1", "h2", "b1", "b2", "c1", "c2", "srv")
WIFI_HOSTS = ("w1", "w2", "w3")
IPV4_ONLY = ("acc1", "acc2", "acc3", "old", "sws")  # IPv6 disabled in the whole namespace
IPV6_IFACE = {"rtr": "eth0", "core": "br0", "ap": "br0"}  # IPv6 only on this interface

# Managed devices: (role, sysServices, sysLocation, description)
MANAGED: dict[str, tuple[str, int, str, str]] = {
    "rtr": ("router", 78, "Phòng máy chủ tầng 1", "router (Linux, net-snmp)"),
    "core": ("switch", 2, "Phòng máy chủ tầng 1", "core switch (Linux bridge, net-snmp)"),
    "acc1": ("switch", 2, "Tầng 2, phòng 201", "access switch (Linux bridge, net-snmp)"),
    "acc2": ("switch", 2, "Tầng 2, hành lang", "access switch (Linux bridge, net-snmp)"),
    "ap": ("ap", 2, "Tầng 2, phòng họp", "Wi-Fi access point (Linux bridge, net-snmp)"),
    "acc3": ("switch", 2, "Tầng 3, phòng 301", "access switch (Linux bridge, net-snmp)"),
}
LLDP_NEIGHBOURS = {  # what each managed device must see in lldpRemTable (sysName)
    "rtr": {"core", "acc3"}, "core": {"rtr", "acc1", "acc2"}, "acc1": {"core"},
    "acc2": {"core", "ap"}, "ap": {"acc2"}, "acc3": {"rtr"},
}
OLD_DEFECTS = (
    {"ifIndex": 10107, "name": "Gi1/0/7", "defect": "speed_100_on_gigabit"},
    {"ifIndex": 10109, "name": "Gi1/0/9", "defect": "half_duplex"},
    {"ifIndex": 10112, "name": "Gi1/0/12", "defect": "fcs_errors_growing",
     "fcs_per_s": 50, "ucast_pkts_per_s": 10000},
)


def port_link(node: str, port: str) -> Link | None:
    """The link on switch ``node``'s port ``port``."""
    for link in LINKS:
        if (link.a, link.a_if) == (node, port) or (link.b, link.b_if) == (node, port):
            return link
    return None


def node_ifaces(node: str) -> list[str]:
    """Interfaces of ``node`` made by the lab's links (bridge ports for switches), p1 first."""
    names = [lk.a_if for lk in LINKS if lk.a == node] + [lk.b_if for lk in LINKS if lk.b == node]
    return sorted(names, key=_natural)


def _natural(name: str) -> tuple[str, int]:
    """Sort key: ``p2`` before ``p10``."""
    stem = name.rstrip("0123456789")
    return stem, int(name[len(stem):] or 0)

