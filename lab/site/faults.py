"""Faults on a running site lab: applying a scenario and clearing it.

Faults come from ``lab/scenarios/<name>.yaml`` (see lab/scenarios/README.md): ``loss`` (iptables
random DROP on a node's INPUT), ``delay`` (the link runs through lab/relay.py in a namespace
``ialab-R-relay-<link>``), ``flap`` (a recorded process takes the port's far end down and up, so
the port loses carrier while staying admin up), ``wifi_clients`` (more stations behind the AP) and
``no_ra`` (radvd stopped). Choose one at start (``SiteLab(run_dir, scenario="loss")``) or switch on
a running lab (:meth:`Faults.apply`, :meth:`Faults.clear`). A delay link must be wired at start:
name it in the start scenario or in ``relay_links``; later scenarios can then change its delay and
jitter. Tests also pull a cable (:meth:`Faults.unplug`) and restart an agent.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

from lab.site.core import COMMUNITY_ENV, REPO
from lab.site.outputs import Outputs
from lab.site.readiness import SYS_UPTIME, Readiness
from lab.site.scenario import Scenario, load_scenario
from lab.site.topology import ADDRESSES, BRIDGES, IPV4_ONLY, IPV6_IFACE, port_link

WIFI_CLIENT_FIRST = 200  # extra Wi-Fi clients get lan-a addresses .200, .201, ...


class Faults(Readiness, Outputs):
    """Every change is undone by the next :meth:`apply`; the truth file follows each one."""

    def apply(self, scenario: str | Scenario) -> Scenario:
        """Switch the running lab to ``scenario`` (a name in lab/scenarios or a Scenario):
        faults of the previous scenario are removed first."""
        sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
        delays = {f["link"]: f for f in sc.of_kind("delay")}
        unwired = sorted(set(delays) - set(self.relay_links))
        if unwired:
            raise ValueError(f"delay on {unwired} needs start-time wiring: "
                             f"SiteLab(..., relay_links={unwired}) or that scenario at start")
        self._remove_loss()
        self._remove_wifi_clients()
        for role in [r for r in self.roles if r.startswith("flap:")]:
            self._stop_flap(role)
        self._set_relays(delays)
        self._set_ra(not sc.of_kind("no_ra"))
        for fault in sc.of_kind("loss"):
            self._add_loss(fault)
        for fault in sc.of_kind("flap"):
            self._start_flap(fault)
        for fault in sc.of_kind("wifi_clients"):
            self._add_wifi_clients(fault)
        self.scenario = sc
        self.applied = [dict(f) for f in sc.faults]
        self._write_truth()
        return sc

    def clear(self) -> None:
        """Remove every fault (the baseline network)."""
        self.apply(Scenario("baseline", "no faults", ()))

    def _iptables(self, node: str) -> list[str]:
        return ["iptables", "ip6tables"] if node not in IPV4_ONLY else ["iptables"]

    def _add_loss(self, fault: dict[str, Any]) -> None:
        node = str(fault["node"])
        probability = f"{float(fault['percent']) / 100:.6f}"
        for tool in self._iptables(node):
            res = self.run_node(node, [tool, "-w", "-A", "INPUT", "-m", "statistic", "--mode",
                                       "random", "--probability", probability, "-j", "DROP"])
            if res.returncode != 0:
                raise RuntimeError(f"{tool} in {node}: {res.stderr.strip()}")

    def _remove_loss(self) -> None:
        for fault in (f for f in self.applied if f["kind"] == "loss"):
            for tool in self._iptables(str(fault["node"])):
                self.run_node(str(fault["node"]), [tool, "-w", "-F", "INPUT"])

    def _wifi_client_macs(self, count: int) -> list[str]:
        return [f"02:77:{self.octet:02x}:00:00:{i:02x}" for i in range(count)]

    def _add_wifi_clients(self, fault: dict[str, Any]) -> None:
        """``count`` more Wi-Fi stations behind the AP: macvlan interfaces on the Wi-Fi host's
        wlan0, each with its own MAC and lan-a address (IPv4 only), each pinging the gateway
        once so every bridge on the way learns its MAC."""
        node, count = str(fault["node"]), int(fault["count"])
        gateway = self.gateway("lan-a")
        self.run_node(node, ["sysctl", "-q", "-w", "net.ipv6.conf.default.disable_ipv6=1"])
        for i, mac in enumerate(self._wifi_client_macs(count)):
            for argv in (["link", "add", f"wc{i}", "link", "wlan0", "address", mac, "type",
                          "macvlan", "mode", "bridge"],
                         ["addr", "add", f"10.{self.octet}.1.{WIFI_CLIENT_FIRST + i}/24", "dev",
                          f"wc{i}"],
                         ["link", "set", f"wc{i}", "up"]):
                res = self.run_node(node, ["ip", *argv])
                if res.returncode != 0:  # undo the stations made so far, then fail
                    for made in range(i + 1):
                        self.run_node(node, ["ip", "link", "del", f"wc{made}"])
                    raise RuntimeError(f"wifi clients in {node}: ip {' '.join(argv)}: "
                                       f"{res.stderr.strip()}")
        for i in range(count):
            self.run_node(node, ["ping", "-c", "1", "-W", "1", "-q", "-I", f"wc{i}", gateway])

    def _remove_wifi_clients(self) -> None:
        """Delete the extra stations and their MACs from every bridge's FDB (which would keep
        them for a day: the lab's ageing time)."""
        for fault in (f for f in self.applied if f["kind"] == "wifi_clients"):
            node, count = str(fault["node"]), int(fault["count"])
            for i in range(count):
                self.run_node(node, ["ip", "link", "del", f"wc{i}"])
            self.run_node(node, ["sysctl", "-q", "-w", "net.ipv6.conf.default.disable_ipv6=0"])
            macs = set(self._wifi_client_macs(count))
            for bridge in BRIDGES:
                shown = self.run_node(bridge, ["bridge", "-j", "fdb", "show", "br", "br0"])
                for entry in json.loads(shown.stdout or "[]"):
                    if entry.get("mac") in macs and entry.get("ifname"):
                        self.run_node(bridge, ["bridge", "fdb", "del", entry["mac"], "dev",
                                               entry["ifname"], "master"])

    def _set_relays(self, delays: dict[str, dict[str, Any]]) -> None:
        """(Re)start each relay whose delay/jitter changes (the TAPs stay)."""
        current = {f["link"]: f for f in self.applied if f["kind"] == "delay"}
        for link in self.relay_links:
            new, old = delays.get(link), current.get(link)
            if new == old and f"relay:{link}" in self.roles:
                continue
            self._stop_role(f"relay:{link}")
            if new is None:
                self._start_relay(link, 0.0, 0.0, None)
            else:
                seed = new.get("seed", self.seed)
                self._start_relay(link, float(new["delay_ms"]), float(new.get("jitter_ms", 0)),
                                  None if seed is None else int(seed))
            time.sleep(0.3)  # let the relay attach to its TAPs

    def _flap_target(self, fault: dict[str, Any]) -> tuple[str, str]:
        """(node, interface) at the far end of the flapping port."""
        link = port_link(str(fault["node"]), str(fault["port"]))
        assert link is not None  # checked when the scenario was loaded
        return (link.b, link.b_if) if link.a == fault["node"] else (link.a, link.a_if)

    def _start_flap(self, fault: dict[str, Any]) -> None:
        """A recorded process takes the far end down/up: the port loses carrier, admin up."""
        node, ifname = self._flap_target(fault)
        argv = [sys.executable, "-m", "lab.site", "flap", ifname, str(fault["down_s"]),
                str(fault["up_s"])]
        if node in ADDRESSES and node != "rtr":
            argv += ["--gateway", self.gateway(ADDRESSES[node][0][1])]
        self._start(f"flap:{fault['node']}:{fault['port']}", argv,
                    self.base / f"flap-{fault['node']}-{fault['port']}.log", self.ns(node),
                    env={"PYTHONPATH": str(REPO)})

    def _stop_flap(self, role: str) -> None:
        """Stop the flapper, bring the port back, restore the far end's route and FDB entry."""
        _, switch, port = role.split(":")
        self._stop_role(role)
        self._stop_flap_far_end(switch, port)

    def _stop_flap_far_end(self, switch: str, port: str) -> None:
        node, ifname = self._flap_target({"node": switch, "port": port})
        self.run_node(node, ["ip", "link", "set", ifname, "up"])
        if node in ADDRESSES and node != "rtr":
            gateway = self.gateway(ADDRESSES[node][0][1])
            self.run_node(node, ["ip", "route", "replace", "default", "via", gateway])
            self.run_node(node, ["ping", "-c", "1", "-W", "1", "-q", gateway])

    def unplug(self, node: str, port: str) -> None:
        """Pull the cable of a switch port: its far end goes down, the port loses carrier
        (ifOperStatus down, ifAdminStatus stays up)."""
        far, ifname = self._flap_target({"node": node, "port": port})
        self.run_node(far, ["ip", "link", "set", ifname, "down"])

    def plug(self, node: str, port: str) -> None:
        """Put the cable back (undoes :meth:`unplug`, restoring the far end's route)."""
        self._stop_flap_far_end(node, port)

    def restart_agent(self, node: str) -> None:
        """Restart a device's snmpd (its sysUpTime starts again from 0) and wait for it."""
        self._stop_role(f"snmpd:{node}")
        self.devices = [d for d in self.devices if d.name != node]
        self._start_snmpd(node)
        self._wait_snmp([(self.v4(node), self.secrets[COMMUNITY_ENV])], SYS_UPTIME)

    def _set_ra(self, wanted: bool) -> None:
        """Start radvd (and wait for the scanner's SLAAC) or stop it and forget what lan-a
        learned from it, as if no RA had ever been sent."""
        if wanted and "radvd" not in self.roles:
            self._start_radvd()
            self._wait_slaac()
        elif not wanted and "radvd" in self.roles:
            self._stop_role("radvd")
            for node, addrs in ADDRESSES.items():
                for ifname, seg, _, _ in addrs:
                    if seg == "lan-a" and node not in IPV6_IFACE and node not in IPV4_ONLY:
                        self.run_node(node, ["ip", "-6", "addr", "flush", "dev", ifname,
                                             "scope", "global", "dynamic"])
                        self.run_node(node, ["ip", "-6", "route", "flush", "dev", ifname,
                                             "proto", "ra"])
