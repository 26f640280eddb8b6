"""Building the site lab's network (lab/site/topology.py): namespaces, sysctls, veths and
relay TAPs, bridges, addresses and routes, in a handful of ``ip -batch`` runs."""

from __future__ import annotations

import subprocess

from lab.netns import ip_batch
from lab.site.core import SiteCore
from lab.site.topology import (
    ADDRESSES,
    BRIDGES,
    IPV4_ONLY,
    IPV6_IFACE,
    LINKS,
    NODES,
    OLD_MAC,
    SEGMENTS,
    Link,
    node_ifaces,
)

_V6_OFF = ["net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1"]
_NO_DAD = ["net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0"]
_RELAY_LINES = [
    "link set lo up", "tuntap add dev tap-a mode tap", "tuntap add dev tap-b mode tap",
    # group_fwd_mask 0x4000: these two bridges pass LLDP (01:80:c2:00:00:0e) like a media
    # converter would, so the devices on both ends still see each other.
    "link add br-a type bridge stp_state 0 mcast_snooping 0 group_fwd_mask 0x4000",
    "link add br-b type bridge stp_state 0 mcast_snooping 0 group_fwd_mask 0x4000",
    "link set dev veth-a master br-a", "link set dev tap-a master br-a",
    "link set dev veth-b master br-b", "link set dev tap-b master br-b",
    *(f"link set dev {i} up" for i in ("veth-a", "veth-b", "tap-a", "tap-b", "br-a", "br-b")),
]


def _pre_sysctls(node: str) -> list[str]:
    """Set before the node's interfaces exist (new interfaces inherit ``default``)."""
    if node in IPV4_ONLY:
        return _V6_OFF
    if node in IPV6_IFACE:
        return [*_NO_DAD, "net.ipv6.conf.default.disable_ipv6=1"]
    return _NO_DAD


def _post_sysctls(node: str) -> list[str]:
    """Set once the interfaces exist: IPv6 on the one routed/managed interface, forwarding."""
    if node not in IPV6_IFACE:
        return []
    iface = IPV6_IFACE[node]
    keys = [] if node == "rtr" else [f"net.ipv6.conf.{iface}.accept_ra=0"]
    keys.append(f"net.ipv6.conf.{iface}.disable_ipv6=0")
    if node == "rtr":
        keys += ["net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1"]
    return keys


class Network(SiteCore):
    """Makes the topology real (once, at start; faults change it later)."""

    def _build(self) -> None:
        """Namespaces, sysctls, veths (and relay TAPs), bridges, addresses, routes."""
        ip_batch([f"netns add {n}" for n in self.namespaces])
        self._sysctls({self.ns(n): _pre_sysctls(n) for n in NODES} |
                      {self.relay_ns(lk): _V6_OFF for lk in self.relay_links})
        ip_batch([self._veth_line(lk) for lk in LINKS if lk.name not in self.relay_links] +
                 [line for lk in LINKS if lk.name in self.relay_links
                  for line in self._relay_veth_lines(lk)])
        for link in self.relay_links:
            ip_batch(_RELAY_LINES, netns=self.relay_ns(link))
        for node in NODES:
            ip_batch(self._l2_lines(node), netns=self.ns(node))
        self._sysctls({self.ns(n): _post_sysctls(n) for n in NODES if _post_sysctls(n)})
        for node in NODES:
            lines = self._l3_lines(node)
            if lines:
                ip_batch(lines, netns=self.ns(node))

    @staticmethod
    def _sysctls(per_ns: dict[str, list[str]]) -> None:
        """``sysctl -w`` in many namespaces at once."""
        running = [(ns, subprocess.Popen(["ip", "netns", "exec", ns, "sysctl", "-q", "-w",
                                          *keys], stdout=subprocess.DEVNULL,
                                         stderr=subprocess.PIPE, text=True))
                   for ns, keys in per_ns.items() if keys]
        for ns, proc in running:
            _, err = proc.communicate()
            if proc.returncode != 0:
                raise RuntimeError(f"sysctl in {ns}: {err.strip()}")

    def _veth_line(self, link: Link) -> str:
        mac = f" address {OLD_MAC}" if link.b == "old" else ""
        return (f"link add name {link.b_if} netns {self.ns(link.b)}{mac} type veth "
                f"peer name {link.a_if} netns {self.ns(link.a)}")

    def _relay_veth_lines(self, link: Link) -> list[str]:
        relay = self.relay_ns(link.name)
        return [f"link add name veth-a netns {relay} type veth peer name {link.a_if} "
                f"netns {self.ns(link.a)}",
                f"link add name veth-b netns {relay} type veth peer name {link.b_if} "
                f"netns {self.ns(link.b)}"]

    def _l2_lines(self, node: str) -> list[str]:
        lines = ["link set lo up"]
        if node in BRIDGES:
            lines.append("link add br0 type bridge stp_state 0 mcast_snooping 0 "
                         "ageing_time 8640000")  # 1 day: learned MACs stay for the audit
            lines += [f"link set dev {p} master br0" for p in node_ifaces(node)]
            lines.append("link set br0 up")
        return lines + [f"link set dev {i} up" for i in node_ifaces(node)]

    def _l3_lines(self, node: str) -> list[str]:
        lines = []
        for ifname, seg, host, host6 in ADDRESSES.get(node, []):
            lines.append(f"addr add 10.{self.octet}.{SEGMENTS[seg]}.{host}/24 dev {ifname}")
            if host6 is not None:
                lines.append(f"addr add {self.v6(host6, seg)}/64 dev {ifname} nodad")
        if node in ADDRESSES and node != "rtr":
            lines.append(f"route add default via {self.gateway(ADDRESSES[node][0][1])}")
        if node in ("core", "ap"):  # static IPv6 management, no SLAAC on switches
            lines.append(f"route add default via {self.v6('1')}")
        return lines
