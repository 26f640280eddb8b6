"""Waiting for the site lab: every agent answers, LLDP neighbours are known, the bridges learned
every host, DNS answers and the scanner has its SLAAC address. Each wait fails fast when a
recorded daemon has exited, and after the lab's ``timeout`` otherwise."""

from __future__ import annotations

import ipaddress
import json
import subprocess
import sys
import time
from collections.abc import Sequence

from lab import procs
from lab.model import Device
from lab.site.core import COMMUNITY_ENV, SNMP_PORT
from lab.site.services import Services
from lab.site.topology import ADDRESSES, DOMAIN, LLDP_NEIGHBOURS, MANAGED

LLDP_REM_SYS_NAME = "1.0.8802.1.1.2.1.4.1.1.9"
LLDP_LOC_SYS_NAME = "1.0.8802.1.1.2.1.3.3.0"
SYS_UPTIME = "1.3.6.1.2.1.1.3.0"


class Readiness(Services):
    """The waits of start-up (and of a restarted agent); lldpd starts here, once DNS answers."""

    def _wait_ready(self) -> None:
        """All agents answer, LLDP neighbours are known, bridges learned the hosts, SLAAC done."""
        self._wait_snmp([(d.host, self._community(d)) for d in self.devices], SYS_UPTIME)
        self._wait_dns()  # before lldpd: it looks its own name up at start
        for node in MANAGED:
            self._start_lldpd(node)
        self._wait_snmp([(self.v4(n), self.secrets[COMMUNITY_ENV]) for n in MANAGED],
                        LLDP_LOC_SYS_NAME)
        self._wait_lldp()
        self._chatter()
        if "radvd" in self.roles:
            self._wait_slaac()

    def _community(self, device: Device) -> str:
        return self.secrets[device.community_env or COMMUNITY_ENV]

    def _snmpget_argv(self, host: str, community: str, oid: str) -> list[str]:
        return ["ip", "netns", "exec", self.scanner_ns, "snmpget", "-Oqv",
                *procs.snmp_args(host, SNMP_PORT, ["-v2c", "-c", community]), oid]

    def _alive_or_raise(self) -> None:
        dead = [role for role, pid in self.roles.items() if not procs.alive(pid)]
        if dead:
            raise RuntimeError(f"lab process(es) exited during start-up: {', '.join(dead)}")

    def _wait_snmp(self, targets: Sequence[tuple[str, str]], oid: str) -> None:
        """Poll from the scanner namespace until every (host, community) answers ``oid``."""
        pending = list(targets)
        deadline = time.monotonic() + self.timeout
        while pending:
            self._alive_or_raise()
            running = [(t, subprocess.Popen(self._snmpget_argv(*t, oid), text=True,
                                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL))
                       for t in pending]
            pending = []
            for target, proc in running:
                out, _ = proc.communicate()
                if proc.returncode != 0 or not out.strip() or out.startswith("No Such"):
                    pending.append(target)
            if pending and time.monotonic() > deadline:
                raise TimeoutError(f"no SNMP answer ({oid}) from {[h for h, _ in pending]}")
            if pending:
                time.sleep(0.2)

    def lldp_neighbours(self, node: str) -> set[str]:
        """sysNames in ``node``'s lldpRemTable (walked over SNMP from the scanner)."""
        res = self.run_scanner(["snmpbulkwalk", "-Oqv", *procs.snmp_args(
            self.v4(node), SNMP_PORT, ["-v2c", "-c", self.secrets[COMMUNITY_ENV]]),
            LLDP_REM_SYS_NAME], timeout=10)
        return {v.strip().strip('"') for v in res.stdout.splitlines()
                if v.strip() and not v.startswith("No ")}

    def _wait_lldp(self) -> None:
        """Wait until every managed device lists its expected neighbours (poking lldpd)."""
        deadline = time.monotonic() + self.timeout
        pending = dict(LLDP_NEIGHBOURS)
        while pending:
            for node in pending:
                subprocess.run(["lldpcli", "-u", str(self.sock_dir / f"{node}.ctl"), "update"],
                               capture_output=True, check=False)
            time.sleep(0.5)
            pending = {n: want for n, want in pending.items()
                       if not want <= self.lldp_neighbours(n)}
            self._alive_or_raise()
            if pending and time.monotonic() > deadline:
                raise TimeoutError(f"LLDP neighbours missing on {sorted(pending)}")

    def _chatter(self) -> None:
        """Every addressed node pings its gateway, so the bridges learn every MAC."""
        running = []
        for node, addrs in ADDRESSES.items():
            if node == "rtr":
                continue
            for _, seg, _, _ in addrs:
                running.append(subprocess.Popen(
                    ["ip", "netns", "exec", self.ns(node), "ping", "-c", "2", "-i", "0.2", "-W",
                     "1", "-q", self.gateway(seg)],
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        for proc in running:
            proc.wait()

    def scanner_ipv6(self) -> tuple[list[str], list[str]]:
        """(global addresses on scan0, IPv6 default routes) in the scanner namespace."""
        addrs = json.loads(self.run_scanner(["ip", "-j", "-6", "addr", "show", "dev", "scan0",
                                             "scope", "global"]).stdout or "[]")
        routes = json.loads(self.run_scanner(["ip", "-j", "-6", "route", "show",
                                              "default"]).stdout or "[]")
        return ([a["local"] for i in addrs for a in i.get("addr_info", []) if "local" in a],
                [f"{r.get('gateway')} dev {r.get('dev')}" for r in routes])

    def _wait_slaac(self) -> None:
        """Wait until the scanner has a SLAAC address and an IPv6 default route on scan0."""
        deadline = time.monotonic() + self.timeout
        prefix = ipaddress.ip_network(self.prefix6())
        while True:
            addrs, routes = self.scanner_ipv6()
            if any(ipaddress.ip_address(a) in prefix for a in addrs) and routes:
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"no SLAAC on scan0 (addresses {addrs}, routes {routes})")
            self._alive_or_raise()
            time.sleep(0.2)

    def _wait_dns(self) -> None:
        """Wait until dnsmasq answers the scanner (getaddrinfo inside its namespace)."""
        code = f"import socket; socket.getaddrinfo('portal.{DOMAIN}', None)"
        deadline = time.monotonic() + self.timeout
        while self.run_scanner([sys.executable, "-c", code], timeout=10).returncode != 0:
            self._alive_or_raise()
            if time.monotonic() > deadline:
                raise TimeoutError("dnsmasq on srv does not answer")
            time.sleep(0.2)
