"""What the site lab writes for others: the scanner's inventory (secrets only as ``${ENV}``),
the env file, the state file ``python -m lab down`` reads, and the truth file tests check."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import yaml

from lab.model import write_env
from lab.netns import PREFIX
from lab.site.core import (
    COMMUNITY_ENV,
    OLD_COMMUNITY_ENV,
    OLD_PROFILE,
    PROFILE,
    REPO,
    SiteCore,
)
from lab.site.topology import (
    ADDRESSES,
    BRIDGES,
    DOMAIN,
    LINKS,
    LLDP_NEIGHBOURS,
    MANAGED,
    NODES,
    OLD_DEFECTS,
    OLD_MAC,
    SEGMENTS,
    WIFI_HOSTS,
    WIRED_HOSTS,
    node_ifaces,
    port_link,
)

IPV6_CATALOG = REPO / "inventories" / "ipv6_catalog.yaml"


def flow(value: Any) -> str:
    """One YAML flow mapping or sequence on a line."""
    return yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=1000,
                          sort_keys=False).strip()



def _kind(node: str) -> str:
    if node in WIFI_HOSTS:
        return "wifi-client"
    return {"sws": "unmanaged-switch", "srv": "server", "old": "switch",
            "scan": "scanner"}.get(node, "wired-host")


class Outputs(SiteCore):
    """The truth file is rewritten after every scenario change; the rest once, at start."""

    def _write_outputs(self) -> None:
        write_env(self.env_file, self.secrets)
        self._write_inventory()
        self._write_truth()
        self.state.devices = self.devices
        self.state.inventory = str(self.inventory_path)
        self.state.env_file = str(self.env_file)
        self.state.save(self.state_path)

    def _write_inventory(self) -> None:
        """inventory-site.yaml (secrets only as ``${ENV}`` references)."""
        x = self.octet
        rows = []
        order = ("rtr", "core", "acc1", "acc2", "ap", "old", "acc3")
        for d in sorted(self.devices, key=lambda d: order.index(d.name)):
            row: dict[str, Any] = {"name": d.name, "host": d.host, "snmp": d.profile}
            if d.name == "ap":
                row["role"] = "ap"
            if d.name == "core":  # from the asset register: its 8-year life ends in 2 years
                # (relative to today, so DEVICE-LIFETIME-ENDS holds in any year; the scenario
                # test moves the plan horizon past it once 2030 is near)
                row["installed_year"] = dt.date.today().year - 6
            rows.append(row)
        subnets = [{"prefix": f"10.{x}.1.0/24", "name": "lan-a"},
                   {"prefix": self.prefix6(), "name": "lan-a"},
                   {"prefix": f"10.{x}.2.0/24", "name": "lan-b"},
                   {"prefix": f"10.{x}.3.0/24", "name": "servers"}]
        lines = [
            "# Written by the infraaudit site lab (lab/site/); regenerated on every start.",
            f"# The lab's network: 10.{x}.0.0/16 in the namespaces {PREFIX}{self.run_id}-*.",
            "agency: " + flow({"code": "LAB", "name": "Cơ quan lab"}),
            # a street address as an agency's inventory has one (the report prints it)
            "site: " + flow({"id": f"lab-site-{self.run_id}", "name": "Văn phòng lab",
                             "address": "01 Trần Phú, phường Nha Trang"}),
            "credentials:", "  snmp:",
            f"    {PROFILE}: " + flow({"version": "v2c", "community": f"${{{COMMUNITY_ENV}}}"}),
            f"    {OLD_PROFILE}: " + flow({"version": "v2c",
                                           "community": f"${{{OLD_COMMUNITY_ENV}}}"}),
            "limits: " + flow({"timeout_s": 1.0, "retries": 2}),
            "devices:", *(f"  - {flow(r)}" for r in rows),
            "subnets:", *(f"  - {flow(s)}" for s in subnets),
            "link: " + flow({"ping_count": 400, "ping_interval_ms": 10, "poll_interval_s": 5}),
            "ipv6: " + flow({"dns_names": [f"portal.{DOMAIN}", f"mail.{DOMAIN}"],
                             "catalog": str(IPV6_CATALOG)}),
        ]
        self.inventory_path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    def _links_json(self, node: str) -> list[dict[str, Any]]:
        res = self.run_node(node, ["ip", "-j", "link", "show"])
        return list(json.loads(res.stdout or "[]"))

    def _write_truth(self) -> None:
        """site-truth.json: what the lab is, for tests (never read by the scanner)."""
        if not self.truth:
            self.truth = self._static_truth()
        self.truth["scenario"] = self.scenario.name if self.scenario else None
        self.truth["faults"] = self.applied
        self.truth["defective_ports"] = self._defective_ports()
        self.truth["radvd"] = "radvd" in self.roles
        self.truth["pids"] = dict(self.roles)
        tmp = self.truth_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.truth, indent=2, ensure_ascii=False), encoding="utf-8")
        tmp.replace(self.truth_path)

    def _defective_ports(self) -> list[dict[str, Any]]:
        """The old switch's recorded defects plus the ports the current faults touch."""
        ports: list[dict[str, Any]] = [{"device": "old", **d} for d in OLD_DEFECTS]
        for fault in self.applied:
            if fault["kind"] == "flap":
                port = self.truth["ports"][fault["node"]][fault["port"]]
                ports.append({"device": fault["node"], "port": fault["port"],
                              "ifIndex": port["ifindex"], "defect": "flapping"})
            if fault["kind"] == "delay":
                link = next(lk for lk in LINKS if lk.name == fault["link"])
                for node, port in ((link.a, link.a_if), (link.b, link.b_if)):
                    if node in BRIDGES:
                        ports.append({"device": node, "port": port, "defect": "delay",
                                      "ifIndex": self.truth["ports"][node][port]["ifindex"]})
        return ports

    def _static_truth(self) -> dict[str, Any]:
        nodes: dict[str, Any] = {}
        ports: dict[str, Any] = {}
        for node in NODES:
            links = {lk["ifname"]: lk for lk in self._links_json(node)}
            nodes[node] = {
                "ns": self.ns(node),
                "kind": MANAGED[node][0] if node in MANAGED else _kind(node),
                "ipv4": [f"10.{self.octet}.{SEGMENTS[s]}.{h}" for _, s, h, _ in
                         ADDRESSES.get(node, [])],
                "ipv6_static": [a for a in [self.node_v6(node)] if a],
                "segments": sorted({s for _, s, _, _ in ADDRESSES.get(node, [])}),
                "interfaces": {name: {"mac": lk.get("address"), "ifindex": lk.get("ifindex")}
                               for name, lk in links.items() if name != "lo"},
            }
            if node in BRIDGES:
                ports[node] = {p: self._port_truth(node, p, links[p]) for p in node_ifaces(node)}
        return {
            "run_id": self.run_id, "octet": self.octet, "scanner_ns": self.scanner_ns,
            "namespaces": self.namespaces, "relay_links": list(self.relay_links),
            "segments": {
                seg: {"ipv4": f"10.{self.octet}.{n}.0/24", "gateway": self.gateway(seg),
                      "ipv6": self.prefix6(seg) if seg == "lan-a" else None,
                      "router_advertisements": seg == "lan-a"}
                for seg, n in SEGMENTS.items()},
            "hosts": {"wired": list(WIRED_HOSTS), "wifi": list(WIFI_HOSTS)},
            "nodes": nodes, "ports": ports,
            "lldp_neighbours": {n: sorted(v) for n, v in LLDP_NEIGHBOURS.items()},
            "dns": {f"portal.{DOMAIN}": {"A": f"10.{self.octet}.3.10", "AAAA": self.v6("80")},
                    f"mail.{DOMAIN}": {"A": f"10.{self.octet}.3.11", "AAAA": None},
                    "server": [self.v4("srv"), self.v6("53")]},
            "old_switch": {"host": self.v4("old"), "mac": OLD_MAC, "port": "core p5",
                           "defects": list(OLD_DEFECTS)},
            "inventory": str(self.inventory_path), "env_file": str(self.env_file),
        }

    def _port_truth(self, node: str, port: str, link: dict[str, Any]) -> dict[str, Any]:
        lk = port_link(node, port)
        assert lk is not None
        peer, peer_if = (lk.b, lk.b_if) if lk.a == node else (lk.a, lk.a_if)
        return {"ifindex": link.get("ifindex"), "peer": peer, "peer_if": peer_if,
                "uplink": port == "p1", "relay": lk.name in self.relay_links}
