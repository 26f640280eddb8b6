"""The site lab (root only): a small office network in namespaces, with faults declared as data.

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

rtr, core, acc1, acc2, acc3 and ap run net-snmp snmpd (v2c, community in ``lab-site.env``) on
their management addresses (rtr on all its addresses; rtr, core and ap also over IPv6; acc1-3 are
IPv4-only), lldpd as AgentX subagent on their ports (hostname = node name; ap advertises
bridge+wlan, rtr router) and, on the bridges, BRIDGE-MIB from lab/bridge_mib.py. ``srv`` runs
dnsmasq: ``portal.lab.gov.vn`` (A 10.X.3.10, AAAA fd49:6161:X:1::80), ``mail.lab.gov.vn`` (A
10.X.3.11 only) and stateless/stateful DHCPv6 on lan-a. ``old`` is snmpsim serving
``recordings/site-old-switch.snmprec.bz2`` (a Cisco 3750, community of its own) with these
defects (ground truth; also in ``site-truth.json``):

| ifIndex | name     | defect                                                             |
|---------|----------|--------------------------------------------------------------------|
| 10107   | Gi1/0/7  | gigabit port up at 100 Mb/s (ifSpeed 100000000, ifHighSpeed 100)   |
| 10109   | Gi1/0/9  | up at 1000 Mb/s, dot3StatsDuplexStatus halfDuplex(2)               |
| 10112   | Gi1/0/12 | ifInErrors and dot3StatsFCSErrors +50/s, ifInUcastPkts +10000/s    |

Faults come from ``lab/scenarios/<name>.yaml`` (see lab/scenarios/README.md): ``loss`` (iptables
random DROP on a node's INPUT), ``delay`` (the link runs through lab/relay.py in a namespace
``ialab-R-relay-<link>``), ``flap`` (a recorded process takes the port's far end down and up, so
the port loses carrier while staying admin up) and ``no_ra`` (radvd stopped). Choose one at start
(``SiteLab(run_dir, scenario="loss")``) or switch on a running lab (:meth:`SiteLab.apply`,
:meth:`SiteLab.clear`). A delay link must be wired at start: name it in the start scenario or in
``relay_links``; later scenarios can then change its delay and jitter.
"""

from __future__ import annotations

import bz2
import datetime as dt
import ipaddress
import json
import secrets
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

import yaml

from lab import procs, snmpd
from lab.model import Device, LabState, new_secret, write_env
from lab.netns import (
    PREFIX,
    _free_octet,
    existing_namespaces,
    ip_batch,
    netns_supported,
    run_in,
    teardown,
)
from lab.site.scenario import Scenario, load_scenario
from lab.site.topology import (
    ADDRESSES,
    BRIDGES,
    DOMAIN,
    IPV4_ONLY,
    IPV6_IFACE,
    LINKS,
    LLDP_NEIGHBOURS,
    MANAGED,
    NODES,
    OLD_DEFECTS,
    OLD_MAC,
    SEGMENTS,
    WIFI_HOSTS,
    WIRED_HOSTS,
    Link,
    node_ifaces,
    port_link,
)

HERE = Path(__file__).resolve().parent.parent  # lab/ (this file is lab/site/services.py)
REPO = HERE.parent
RECORDINGS = HERE / "recordings"
OLD_RECORDING = "site-old-switch.snmprec.bz2"

SNMP_PORT = 161
COMMUNITY_ENV = "INFRAAUDIT_LAB_SITE_COMMUNITY"
OLD_COMMUNITY_ENV = "INFRAAUDIT_LAB_SITE_OLD_COMMUNITY"
PROFILE, OLD_PROFILE = "lab-site-v2c", "lab-site-old-v2c"
LLDP_REM_SYS_NAME = "1.0.8802.1.1.2.1.4.1.1.9"
LLDP_LOC_SYS_NAME = "1.0.8802.1.1.2.1.3.3.0"
SYS_UPTIME = "1.3.6.1.2.1.1.3.0"

WIFI_CLIENT_FIRST = 200  # extra Wi-Fi clients get lan-a addresses .200, .201, ...



def flow(value: Any) -> str:
    """One YAML flow mapping or sequence on a line."""
    return yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=1000,
                          sort_keys=False).strip()


# -- the lab ---------------------------------------------------------------------------------


class SiteLab:
    """The office network; a context manager that always tears down (see the module doc).

    Usage::

        with SiteLab(run_dir, scenario="loss", relay_links=["core-acc2"], seed=1) as lab:
            lab.run_scanner(["ping", "-c", "400", "-i", "0.01", "-q", lab.v4("acc1")])
            lab.apply("jitter")            # switch scenario (faults of the last one removed)
            lab.clear()                    # back to no faults

    Outputs in ``run_dir``: ``inventory-site.yaml`` (what the scanner reads; secrets as
    ``${ENV}``), ``lab-site.env`` (the secrets), ``site-state.json`` (LabState kind "site":
    ``python -m lab down`` tears it down) and ``site-truth.json`` (ground truth for tests:
    addresses, MACs and ifindexes, switch ports, wired/Wi-Fi hosts, applied faults, defective
    ports). Helpers: :attr:`scanner_ns`, :meth:`run_scanner`, :meth:`run_node`, :meth:`ns`,
    :meth:`v4`, :meth:`v6`, :meth:`node_v6`, :meth:`prefix6`, :meth:`gateway`,
    :meth:`lldp_neighbours`, :meth:`scanner_ipv6`; :attr:`devices` lists the inventory's devices.
    """

    def __init__(self, run_dir: Path | str, scenario: str | None = None,
                 relay_links: Sequence[str] = (), timeout: float = 60.0,
                 seed: int | None = None) -> None:
        self.run_dir = Path(run_dir).resolve()
        self.base = self.run_dir / "site"
        self.timeout = timeout
        self.seed = seed
        self.start_scenario = load_scenario(scenario) if scenario else None
        links = {lk.name for lk in LINKS}
        wanted = list(relay_links)
        if self.start_scenario:
            wanted += [f["link"] for f in self.start_scenario.of_kind("delay")]
        unknown = sorted(set(wanted) - links)
        if unknown:
            raise ValueError(f"unknown link(s) {unknown}; links: {', '.join(sorted(links))}")
        self.relay_links = tuple(dict.fromkeys(wanted))
        self.run_id = self._new_run_id()
        self.octet = 0
        self.state_path = self.run_dir / "site-state.json"
        self.inventory_path = self.run_dir / "inventory-site.yaml"
        self.env_file = self.run_dir / "lab-site.env"
        self.truth_path = self.run_dir / "site-truth.json"
        self.secrets = {COMMUNITY_ENV: new_secret("site-"), OLD_COMMUNITY_ENV: new_secret("old-")}
        self.state = LabState(kind="site", run_id=self.run_id)
        self.devices: list[Device] = []
        self.sock_dir = Path(f"/run/ialab-{self.run_id}")
        # /etc/netns/<ns>/resolv.conf (the site's DNS on srv) for the scanner and the devices
        self.etc_dirs = [Path(f"/etc/netns/{self.ns(n)}") for n in (*MANAGED, "scan")]
        self.roles: dict[str, int] = {}  # "snmpd:core", "radvd", "relay:core-acc2", ... -> PID
        self.scenario: Scenario | None = None
        self.applied: list[dict[str, Any]] = []
        self.truth: dict[str, Any] = {}

    @staticmethod
    def _new_run_id() -> str:
        """4 hex digits no namespace uses yet."""
        taken = {n.split("-")[1] for n in existing_namespaces() if n.startswith(PREFIX)}
        while True:
            run_id = secrets.token_hex(2)
            if run_id not in taken:
                return run_id

    # -- naming ------------------------------------------------------------------------------

    def ns(self, node: str) -> str:
        """Namespace of ``node`` (``ialab-R-<node>``)."""
        return f"{PREFIX}{self.run_id}-{node}"

    def relay_ns(self, link: str) -> str:
        """Namespace of the relay on ``link``."""
        return self.ns(f"relay-{link}")

    @property
    def scanner_ns(self) -> str:
        """The scanner's namespace (scan0 on lan-a, scan1 on lan-b)."""
        return self.ns("scan")

    @property
    def namespaces(self) -> list[str]:
        """Every namespace of this lab."""
        return [*(self.ns(n) for n in NODES), *(self.relay_ns(lk) for lk in self.relay_links)]

    def v4(self, node: str, segment: str | None = None) -> str:
        """``node``'s IPv4 address (on ``segment``, default its first)."""
        for _, seg, host, _ in ADDRESSES[node]:
            if segment in (None, seg):
                return f"10.{self.octet}.{SEGMENTS[seg]}.{host}"
        raise KeyError(f"{node} has no address on {segment}")

    def prefix6(self, segment: str = "lan-a") -> str:
        """The /64 of ``segment``."""
        return f"fd49:6161:{self.octet:x}:{SEGMENTS[segment]}::/64"

    def v6(self, host: str, segment: str = "lan-a") -> str:
        """Address ``<prefix>::<host>`` (host part in hex, e.g. ``'53'``)."""
        return f"fd49:6161:{self.octet:x}:{SEGMENTS[segment]}::{host}"

    def node_v6(self, node: str) -> str | None:
        """``node``'s static IPv6 address, if it has one."""
        for _, seg, _, host6 in ADDRESSES.get(node, []):
            if host6 is not None:
                return self.v6(host6, seg)
        return None

    def gateway(self, segment: str) -> str:
        """rtr's address on ``segment``."""
        return f"10.{self.octet}.{SEGMENTS[segment]}.1"

    # -- lifecycle ---------------------------------------------------------------------------

    def __enter__(self) -> SiteLab:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def start(self) -> None:
        """Build the network, start every daemon, wait until all answer, apply the scenario."""
        if not netns_supported():
            raise PermissionError("the site lab needs root and a working `ip netns`")
        self.run_dir.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(self.base, ignore_errors=True)
        self.base.mkdir(parents=True)
        self.octet = _free_octet()
        self.state.scratch_dirs = [str(self.sock_dir), *(str(d) for d in self.etc_dirs)]
        self.state.namespaces = self.namespaces  # recorded before they exist: `down` cleans up
        self.state.save(self.state_path)
        try:
            self._build()
            self._start_daemons()
            self._wait_ready()
            self._write_outputs()
            self.apply(self.start_scenario or Scenario("baseline", "", ()))
        except Exception as exc:
            tail = self._log_tail()
            self.stop()
            raise RuntimeError(f"site lab failed to start: {exc}\n{tail}") from exc
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Tear everything down: PIDs, namespaces, /run and /etc/netns scratch directories."""
        teardown(self.state)
        self.roles.clear()
        if self.state_path.exists():
            if self.state.pids or self.state.namespaces:
                self.state.save(self.state_path)
            else:
                self.state_path.unlink()
        if self.state.pids:
            raise RuntimeError(f"lab processes survived SIGKILL: {self.state.pids}")

    def run_scanner(self, argv: Sequence[str], timeout: float | None = 60.0,
                    ) -> subprocess.CompletedProcess[str]:
        """Run ``argv`` inside the scanner namespace; text output captured."""
        return run_in(self.scanner_ns, argv, timeout)

    def run_node(self, node: str, argv: Sequence[str], timeout: float | None = 30.0,
                 ) -> subprocess.CompletedProcess[str]:
        """Run ``argv`` inside ``node``'s namespace."""
        return run_in(self.ns(node), argv, timeout)

    # -- topology ----------------------------------------------------------------------------

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

    # -- daemons -----------------------------------------------------------------------------

    def _start(self, role: str, argv: Sequence[str], log: Path, netns: str,
               env: dict[str, str] | None = None) -> int:
        """Start one recorded process in ``netns`` under ``role``."""
        pid = procs.start(argv, log, env=env, netns=netns)
        self.roles[role] = pid
        self.state.pids.append(pid)
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
                     f"{HERE / 'bridge_mib.py'} br0\n")
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

    # -- readiness ---------------------------------------------------------------------------

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

    # -- faults ------------------------------------------------------------------------------

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

    # -- outputs -----------------------------------------------------------------------------

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
            "# Written by the infraaudit site lab (lab/site.py); regenerated on every start.",
            "agency: " + flow({"code": "LAB", "name": "Cơ quan lab"}),
            "site: " + flow({"id": f"lab-site-{self.run_id}", "name": "Văn phòng lab (namespace)",
                             "address": f"Trụ sở lab, mạng 10.{x}.0.0/16 "
                                        f"(namespace {PREFIX}{self.run_id}-*)"}),
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

    def _log_tail(self, lines: int = 5) -> str:
        """Last lines of every daemon log, for start-up errors."""
        out = []
        for log in sorted(self.base.glob("**/*.log")):
            tail = log.read_text(errors="replace").splitlines()[-lines:]
            if tail:
                out.append(f"--- {log}\n" + "\n".join(tail))
        return "\n".join(out)


IPV6_CATALOG = REPO / "inventories" / "ipv6_catalog.yaml"
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


def _kind(node: str) -> str:
    if node in WIFI_HOSTS:
        return "wifi-client"
    return {"sws": "unmanaged-switch", "srv": "server", "old": "switch",
            "scan": "scanner"}.get(node, "wired-host")
