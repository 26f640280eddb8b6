"""The site lab's daemons: starting each one by role, stopping it by its recorded PID.

rtr, core, acc1, acc2, acc3 and ap run net-snmp snmpd (v2c, community in ``lab-site.env``) on
their management addresses (rtr on all its addresses; rtr, core and ap also over IPv6; acc1-3 are
IPv4-only), lldpd as AgentX subagent on their ports (hostname = node name; ap advertises
bridge+wlan, rtr router) and, on the bridges, BRIDGE-MIB from lab/bridge_mib.py. ``srv`` runs
dnsmasq: ``portal.lab.gov.vn`` (A 10.X.3.10, AAAA fd49:6161:X:1::80), ``mail.lab.gov.vn`` (A
10.X.3.11 only) and stateless/stateful DHCPv6 on lan-a. rtr runs radvd on lan-a. ``old`` is
snmpsim serving ``recordings/site-old-switch.snmprec.bz2`` (a Cisco 3750, community of its own)
with these defects (ground truth; also in ``site-truth.json``):

| ifIndex | name     | defect                                                             |
|---------|----------|--------------------------------------------------------------------|
| 10107   | Gi1/0/7  | gigabit port up at 100 Mb/s (ifSpeed 100000000, ifHighSpeed 100)   |
| 10109   | Gi1/0/9  | up at 1000 Mb/s, dot3StatsDuplexStatus halfDuplex(2)               |
| 10112   | Gi1/0/12 | ifInErrors and dot3StatsFCSErrors +50/s, ifInUcastPkts +10000/s    |

A link wired for delay runs through lab/relay.py in its own namespace (lab/site/faults.py sets
its delay). lab/site/readiness.py waits until all of them answer.
"""

from __future__ import annotations

import bz2
import ipaddress
import sys
from collections.abc import Sequence
from pathlib import Path

from lab import procs, snmpd
from lab.model import Device
from lab.site.core import (
    COMMUNITY_ENV,
    LAB,
    OLD_COMMUNITY_ENV,
    OLD_PROFILE,
    PROFILE,
    REPO,
    SNMP_PORT,
    SiteCore,
)
from lab.site.topology import ADDRESSES, BRIDGES, DOMAIN, MANAGED, SEGMENTS

RECORDINGS = LAB / "recordings"
OLD_RECORDING = "site-old-switch.snmprec.bz2"


class Services(SiteCore):
    """Each daemon is recorded under a role (``snmpd:core``, ``radvd``, ``relay:core-acc2``, ...)
    with its PID, in ``roles`` and in the state file, so it can be stopped alone or by teardown."""

    def _start(self, role: str, argv: Sequence[str], log: Path, netns: str,
               env: dict[str, str] | None = None) -> int:
        """Start one recorded process in ``netns`` under ``role``."""
        pid = self._spawn(argv, log, env=env, netns=netns)
        self.roles[role] = pid
        self.state.save(self.state_path)
        return pid

    def _stop_role(self, role: str) -> None:
        """Stop the process recorded under ``role`` (if any) by its PID."""
        pid = self.roles.pop(role, None)
        if pid is None:
            return
        left = procs.stop([pid])
        self.state.pids = [p for p in self.state.pids if p != pid or p in left]
        self.state.save(self.state_path)
        if left:
            raise RuntimeError(f"{role} (PID {pid}) survived SIGKILL")

    def _start_daemons(self) -> None:
        self.sock_dir.mkdir(exist_ok=True)
        self.sock_dir.chmod(0o755)  # lldpd's lldpcli runs unprivileged: it must read its conf
        self._write_resolv()
        for node in MANAGED:
            self._start_snmpd(node)
        for link in self.relay_links:
            self._start_relay(link, 0.0, 0.0, None)
        if not (self.start_scenario and self.start_scenario.of_kind("no_ra")):
            self._start_radvd()
        self._start_dnsmasq()
        self._start_old()

    def _write_resolv(self) -> None:
        """/etc/netns/<ns>/resolv.conf (`ip netns exec` shows it as /etc/resolv.conf): the
        scanner and the devices use the site's DNS, so no lookup goes to the root namespace's
        resolver (unreachable from here: lldpd's start-up name lookup would time out)."""
        for etc in self.etc_dirs:
            etc.mkdir(parents=True, exist_ok=True)
            (etc / "resolv.conf").write_text(
                f"# infraaudit site lab {self.run_id}\nnameserver {self.v4('srv')}\n"
                f"search {DOMAIN}\n")

    def _node_dir(self, node: str) -> Path:
        path = self.base / node
        path.mkdir(parents=True, exist_ok=True)
        return path

    def _start_snmpd(self, node: str) -> None:
        """net-snmp on the device's addresses; AgentX master for lldpd; BRIDGE-MIB on bridges."""
        _, services, location, descr = MANAGED[node]
        base = self._node_dir(node)
        (base / "persist").mkdir(exist_ok=True)
        conf = snmpd.render_conf(
            self.secrets[COMMUNITY_ENV], [f"10.{self.octet}.0.0/16",
                                          f"fd49:6161:{self.octet:x}::/48"],
            [], self.secrets, location, agentx=self.sock_dir / f"{node}.agentx")
        conf += f"sysName {node}\nsysDescr infraaudit site lab {node}: {descr}\n"
        conf += f"sysServices {services}\n"
        if node in BRIDGES:
            conf += (f"pass_persist .1.3.6.1.2.1.17 {sys.executable} "
                     f"{LAB / 'bridge_mib.py'} br0\n")
        (base / "snmpd.conf").write_text(conf, encoding="utf-8")
        endpoints = [f"udp:10.{self.octet}.{SEGMENTS[seg]}.{host}:{SNMP_PORT}"
                     for _, seg, host, _ in ADDRESSES[node]]
        v6 = self.node_v6(node)
        if v6:
            endpoints.append(f"udp6:[{v6}]:{SNMP_PORT}")
        argv = snmpd.command(base / "snmpd.conf", base / "snmpd.pid", base / "snmpd.log",
                             endpoints)
        self._start(f"snmpd:{node}", argv, base / "stdout.log", self.ns(node),
                    env={"SNMP_PERSISTENT_DIR": str(base / "persist")})
        self.devices.append(Device(node, self.v4(node), SNMP_PORT, "snmpd", PROFILE,
                                   netns=self.ns(node), community_env=COMMUNITY_ENV))

    def _start_lldpd(self, node: str) -> None:
        """lldpd on the device's ports, AgentX subagent, hostname = node (own UTS namespace)."""
        mgmt = ",".join(a for a in (self.v4(node), self.node_v6(node)) if a)
        lines = [f"configure system hostname {node}",  # no name lookup (no DNS in the ns)
                 "configure system interface pattern " + ("eth*" if node == "rtr" else "p*"),
                 f"configure system ip management pattern {mgmt}",
                 "configure lldp portidsubtype ifname",
                 "configure lldp tx-interval 10",
                 f'configure system description "infraaudit site lab {node}: '
                 f'{MANAGED[node][3]}"']
        if node == "ap":
            lines.append("configure system capabilities enabled bridge,wlan")
        conf = self.sock_dir / f"{node}.lldpd.conf"
        conf.write_text("\n".join(lines) + "\n")
        conf.chmod(0o644)
        lldpd = ["lldpd", "-d", "-u", str(self.sock_dir / f"{node}.ctl"), "-x", "-X",
                 str(self.sock_dir / f"{node}.agentx"), "-O", str(conf)]
        script = f"hostname {node} && exec {' '.join(lldpd)}"
        self._start(f"lldpd:{node}", ["unshare", "--uts", "sh", "-c", script],
                    self._node_dir(node) / "lldpd.log", self.ns(node))

    def _start_relay(self, link: str, delay_ms: float, jitter_ms: float,
                     seed: int | None) -> None:
        argv = [sys.executable, "-m", "lab.relay", "--tap-a", "tap-a", "--tap-b", "tap-b",
                "--delay-ms", str(delay_ms), "--jitter-ms", str(jitter_ms)]
        if seed is not None:
            argv += ["--seed", str(seed)]
        self._start(f"relay:{link}", argv, self.base / f"relay-{link}.log",
                    self.relay_ns(link), env={"PYTHONPATH": str(REPO)})

    def _start_radvd(self) -> None:
        """radvd on rtr eth0 (lan-a only), foreground so the recorded PID is radvd's."""
        base = self._node_dir("radvd")
        conf = base / "radvd.conf"
        conf.write_text("\n".join([
            "interface eth0 {", "    AdvSendAdvert on;", "    MinRtrAdvInterval 3;",
            "    MaxRtrAdvInterval 10;", "    AdvManagedFlag off;", "    AdvOtherConfigFlag on;",
            f"    prefix {self.prefix6()} {{", "        AdvOnLink on;",
            "        AdvAutonomous on;", "        DeprecatePrefix on;", "    };",
            f"    RDNSS {self.v6('53')} {{ }};", f"    DNSSL {DOMAIN} {{ }};", "};", ""]))
        conf.chmod(0o644)
        argv = ["radvd", "-n", "-C", str(conf), "-p", str(base / "radvd.pid"), "-m", "stderr"]
        self._start("radvd", argv, base / "radvd.log", self.ns("rtr"))

    def _start_dnsmasq(self) -> None:
        """dnsmasq on srv: the lab's DNS names and DHCPv6 on lan-a; no system file is read."""
        base = self._node_dir("dnsmasq")
        x = self.octet
        conf = base / "dnsmasq.conf"
        conf.write_text("\n".join([
            "no-resolv", "no-hosts", "no-poll", "bind-interfaces", "interface=eth0",
            "user=root", "group=root", f"pid-file={base / 'dnsmasq.pid'}",
            f"dhcp-leasefile={base / 'dnsmasq.leases'}", f"log-facility={base / 'dnsmasq.log'}",
            f"local=/{DOMAIN}/", f"domain={DOMAIN}",
            f"host-record=portal.{DOMAIN},10.{x}.3.10,{self.v6('80')}",
            f"host-record=mail.{DOMAIN},10.{x}.3.11",
            *(f"host-record={n}.{DOMAIN},{self.v4(n)}" for n in (*MANAGED, "srv", "old")),
            f"dhcp-range={self.v6('1000')},{self.v6('1fff')},64,1h",
            f"dhcp-option=option6:dns-server,[{self.v6('53')}]",
            f"dhcp-option=option6:domain-search,{DOMAIN}", ""]))
        argv = ["dnsmasq", "--keep-in-foreground", f"--conf-file={conf}"]
        self._start("dnsmasq", argv, base / "stdout.log", self.ns("srv"))

    def _start_old(self) -> None:
        """snmpsim serving the old switch's recording on 10.X.1.6 (plus its ipAddrTable row)."""
        base = self._node_dir("old")
        community = self.secrets[OLD_COMMUNITY_ENV]
        data = base / "data"
        (data / community).mkdir(parents=True)
        (data / f"{community}.snmprec").write_text("1.3.6.1.2.1.1.1.0|4|infraaudit site lab\n")
        target = data / community / "1.3.6.1.6.1.1.0.snmprec"
        target.write_text(self._old_recording(), encoding="utf-8")
        argv = [sys.executable, "-m", "lab.snmpsim_runner", f"--data-dir={data}",
                f"--cache-dir={base / 'cache'}", "--log-level", "error",
                f"--agent-udpv4-endpoint={self.v4('old')}:{SNMP_PORT}"]
        self._start("snmpsim:old", argv, base / "snmpsim.log", self.ns("old"),
                    env={"SNMPSIM_ALLOW_ROOT": "true", "PYTHONPATH": str(REPO)})
        self.devices.append(Device("old", self.v4("old"), SNMP_PORT, "snmpsim", OLD_PROFILE,
                                   recording=str(target), netns=self.ns("old"),
                                   community_env=OLD_COMMUNITY_ENV))

    def _old_recording(self) -> str:
        """The derived recording plus ipAddrTable for 10.X.1.6/24 on Vlan1, sorted by OID."""
        text = bz2.decompress((RECORDINGS / OLD_RECORDING).read_bytes()).decode("utf-8")
        lines = [line for line in text.splitlines() if line]
        addr = self.v4("old")
        hex_addr = ipaddress.IPv4Address(addr).packed.hex()
        column = "1.3.6.1.2.1.4.20.1"
        lines += [f"{column}.1.{addr}|64x|{hex_addr}", f"{column}.2.{addr}|2|1",
                  f"{column}.3.{addr}|64x|ffffff00", f"{column}.4.{addr}|2|1",
                  f"{column}.5.{addr}|2|18024"]
        lines.sort(key=lambda line: tuple(int(x) for x in line.split("|", 1)[0].split(".")))
        return "\n".join(lines) + "\n"
