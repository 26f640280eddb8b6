"""The namespace lab (root only): agents in network namespaces behind one Linux bridge.

Topology for run id ``R`` (4 hex digits) and subnet ``10.X.0.0/24`` + ``fd49:6161:X::/64``::

    root ns: iaRr (10.X.0.1, ::1) ──veth── hub ns "ialab-R-hub": bridge br0
                                              ├─veth── "ialab-R-1": eth0 10.X.0.11, ::b
                                              ├─veth── "ialab-R-2": eth0 10.X.0.12, ::c
                                              └─ ...
    "ialab-R-1" eth1 10.X.1.1/30 ──veth── "ialab-R-2" eth1 10.X.1.2/30  (second data link)

Scans run in the root namespace through ``iaRr``; each agent runs net-snmp snmpd on port 161
(udp and udp6 on its own addresses) and, unless ``lldpd=False``, lldpd as its AgentX subagent
(own UTS namespace with hostname ``agent-k``, own control socket), so agents 1 and 2 see each other
in LLDP-MIB over their ``eth1`` link (a Linux bridge does not forward LLDP frames, so eth0 has no
neighbour). Use :func:`run_in` to run a command inside a namespace.
"""

from __future__ import annotations

import ipaddress
import json
import os
import secrets
import shutil
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

from lab import procs, snmpd
from lab.lifecycle import Lifecycle
from lab.model import (
    Device,
    LabState,
    V3User,
    new_secret,
    v3_profile,
    write_env,
    write_inventory,
    write_ssh_inventory,
)

PREFIX = "ialab-"
SNMP_PORT = 161
COMMUNITY_ENV = "INFRAAUDIT_LAB_NETNS_COMMUNITY"
LLDP_LOC_SYS_NAME = "1.0.8802.1.1.2.1.3.3.0"
LLDP_REM_SYS_NAME = "1.0.8802.1.1.2.1.4.1.1.9"
V3_USER = V3User("lab-sha256-aes256", "SHA-256", "AES-256", snmpd.AUTH_ENV, snmpd.PRIV_ENV)


def ip(*args: str, netns: str | None = None, check: bool = True) -> str:
    """Run ``ip [-n NS] args``; return stdout."""
    cmd = ["ip", *(["-n", netns] if netns else []), *args]
    res = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if check and res.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: {res.stderr.strip()}")
    return res.stdout


def ip_batch(lines: Sequence[str], netns: str | None = None) -> None:
    """Run many ``ip`` commands in one process (``ip [-n NS] -batch -``)."""
    cmd = ["ip", *(["-n", netns] if netns else []), "-batch", "-"]
    res = subprocess.run(cmd, input="\n".join(lines) + "\n", capture_output=True, text=True,
                         check=False)
    if res.returncode != 0:
        raise RuntimeError(f"ip -batch failed{' in ' + netns if netns else ''}: "
                           f"{res.stderr.strip()}")


def run_in(netns: str, argv: Sequence[str], timeout: float | None = 30.0,
           ) -> subprocess.CompletedProcess[str]:
    """Run ``argv`` inside namespace ``netns`` (``ip netns exec``), capturing text output.

    Example: ``run_in(lab.agent_ns(1), ["snmpget", "-v2c", "-c", c, "10.200.1.2", oid])``.
    """
    return subprocess.run(["ip", "netns", "exec", netns, *argv], capture_output=True, text=True,
                          check=False, timeout=timeout)


def netns_supported() -> bool:
    """True if we are root and ``ip netns`` works."""
    if os.geteuid() != 0 or shutil.which("ip") is None:
        return False
    return subprocess.run(["ip", "netns", "list"], capture_output=True, check=False).returncode == 0


def existing_namespaces() -> list[str]:
    """Names of all network namespaces (``ip -j netns list``)."""
    out = ip("-j", "netns", "list", check=False).strip()
    return [n["name"] for n in json.loads(out)] if out else []


def _free_octet() -> int:
    """A second octet X such that 10.X.0.0/16 overlaps no route or address of the root ns."""
    used = []
    for route in json.loads(ip("-j", "route") or "[]"):
        dst = route.get("dst", "")
        if dst and dst != "default":
            used.append(ipaddress.ip_network(dst if "/" in dst else dst + "/32", strict=False))
    for x in range(200, 250):
        net = ipaddress.ip_network(f"10.{x}.0.0/16")
        if not any(net.overlaps(u) for u in used):
            return x
    raise RuntimeError("no free 10.X.0.0/16 for the namespace lab")


def teardown(state: LabState, grace: float = 3.0) -> None:
    """Kill recorded PIDs, delete recorded namespaces (and stale ones of this run id), the root
    veth. Idempotent; leaves ``state.pids`` holding only PIDs that survived SIGKILL."""
    state.pids = procs.stop(state.pids, grace)
    stale = [n for n in existing_namespaces() if n.startswith(f"{PREFIX}{state.run_id}-")]
    for name in dict.fromkeys([*state.namespaces, *stale]):
        ip("netns", "del", name, check=False)
    deadline = time.monotonic() + 3.0
    for link in state.root_links:  # namespace cleanup is asynchronous: wait, then force
        while ip("link", "show", link, check=False) and time.monotonic() < deadline:
            time.sleep(0.05)
        ip("link", "del", link, check=False)
    for scratch in state.scratch_dirs:
        shutil.rmtree(scratch, ignore_errors=True)
    state.namespaces = [n for n in state.namespaces if n in existing_namespaces()]


class NetnsLab(Lifecycle):
    """``agents`` namespaces each running snmpd; a context manager that always tears down."""

    def __init__(self, run_dir: Path | str, agents: int = 6, timeout: float = 30.0,
                 lldpd: bool = True, sshd: bool = True, extra_ports: int = 0) -> None:
        """``extra_ports``: that many more interfaces in each agent (veth pairs with both ends in
        the agent's namespace, up, no address): a switch-sized ifTable for the benchmarks."""
        if not 1 <= agents <= 600:
            raise ValueError("agents must be 1..600")
        if not 0 <= extra_ports <= 200:
            raise ValueError("extra_ports must be 0..200")
        self.extra_ports = extra_ports
        self.run_dir = Path(run_dir).resolve()
        self.agents = agents
        self.timeout = timeout
        self.lldpd = lldpd and shutil.which("lldpd") is not None
        found = shutil.which("sshd") or ("/usr/sbin/sshd" if Path("/usr/sbin/sshd").exists()
                                         else None)
        self.sshd = found if sshd else None  # OpenSSH in agent 1, when installed
        self.ssh_key: Path | None = None
        self.legacy_ssh: tuple[str, int] | None = None  # old-algorithms-only sshd (agent 2)
        self.run_id = secrets.token_hex(2)
        self.state_path = self.run_dir / "netns-state.json"
        self.inventory_path = self.run_dir / "inventory-netns.yaml"
        self.env_file = self.run_dir / "lab-netns.env"
        self.secrets = {COMMUNITY_ENV: new_secret("ns-"), snmpd.AUTH_ENV: new_secret("auth-"),
                        snmpd.PRIV_ENV: new_secret("priv-")}
        self.devices: list[Device] = []
        self.state = LabState(kind="netns", run_id=self.run_id)
        self.octet = 0
        self.root_link = f"ia{self.run_id}r"
        # AgentX and lldpd control sockets: a short path (sun_path is limited to 108 bytes).
        self.sock_dir = Path(f"/run/ialab-{self.run_id}")

    # -- naming ------------------------------------------------------------------------------

    @property
    def hub(self) -> str:
        """Name of the hub namespace holding the bridge."""
        return f"{PREFIX}{self.run_id}-hub"

    def agent_ns(self, k: int) -> str:
        """Name of agent ``k``'s namespace (1-based)."""
        return f"{PREFIX}{self.run_id}-{k}"

    @property
    def v4_len(self) -> int:
        """Prefix length of the lab network: /24 up to 200 agents, /16 beyond (agents 201-400
        live in 10.X.2.0/24, 401-600 in 10.X.3.0/24)."""
        return 24 if self.agents <= 200 else 16

    def v4(self, k: int) -> str:
        """Agent ``k``'s IPv4 address (0 = the root namespace's)."""
        if k > 200:
            block, at = divmod(k - 201, 200)
            return f"10.{self.octet}.{2 + block}.{11 + at}"
        return f"10.{self.octet}.0.{1 if k == 0 else 10 + k}"

    def v6(self, k: int) -> str:
        """Agent ``k``'s IPv6 ULA address (0 = the root namespace's)."""
        return f"fd49:6161:{self.octet:x}::{1 if k == 0 else 10 + k:x}"

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> None:
        """Build the topology, start every snmpd in parallel, wait until all answer."""
        if not netns_supported():
            raise PermissionError("the namespace lab needs root and a working `ip netns`")
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.octet = _free_octet()
        self.state.root_links = [self.root_link]
        self.state.scratch_dirs = [str(self.sock_dir)]
        self.state.save(self.state_path)  # before creating anything: `down` can clean up
        self._start_or_stop(self._bring_up)

    def _bring_up(self) -> None:
        self._build()
        self._start_agents()
        self._write_outputs()
        targets = [(d.host, d.port, ["-v2c", "-c", self.secrets[COMMUNITY_ENV]])
                   for d in self.devices]
        procs.wait_all_answer(targets, self.state.pids, self.timeout)
        if self.lldpd:
            self._start_lldpd()
            procs.wait_all_answer(targets, self.state.pids, self.timeout, LLDP_LOC_SYS_NAME)
            self._wait_lldp_neighbours()
        if self.sshd:
            self._start_sshd()
            self._write_outputs()  # again, now with the SSH device lines

    def stop(self) -> None:
        """Tear everything down (PIDs, namespaces, root veth)."""
        teardown(self.state)
        self._keep_state_while_left()

    # -- topology ----------------------------------------------------------------------------

    def _build(self) -> None:
        """Namespaces, bridge, veths and addresses, in a handful of ``ip -batch`` runs."""
        names = [self.hub, *(self.agent_ns(k) for k in range(1, self.agents + 1))]
        for name in names:  # record each before creating it, so a crash is cleaned up
            self.state.namespaces.append(name)
        self.state.save(self.state_path)
        root = [f"netns add {n}" for n in names]
        root.append(f"link add name {self.root_link} type veth peer name up0 netns {self.hub}")
        for k in range(1, self.agents + 1):
            root.append(f"link add name eth0 netns {self.agent_ns(k)} type veth "
                        f"peer name a{k} netns {self.hub}")
        if self.agents >= 2:
            root.append(f"link add name eth1 netns {self.agent_ns(1)} type veth "
                        f"peer name eth1 netns {self.agent_ns(2)}")
        root += [f"addr add {self.v4(0)}/{self.v4_len} dev {self.root_link}",
                 f"addr add {self.v6(0)}/64 dev {self.root_link} nodad",
                 f"link set {self.root_link} up"]
        ip_batch(root)
        hub = ["link add br0 type bridge", "link set br0 up", "link set up0 master br0",
               "link set up0 up", "link set lo up"]
        for k in range(1, self.agents + 1):
            hub += [f"link set a{k} master br0", f"link set a{k} up"]
        ip_batch(hub, netns=self.hub)
        for k in range(1, self.agents + 1):
            lines = ["link set lo up", f"addr add {self.v4(k)}/{self.v4_len} dev eth0",
                     f"addr add {self.v6(k)}/64 dev eth0 nodad", "link set eth0 up"]
            if k in (1, 2) and self.agents >= 2:
                lines += [f"addr add 10.{self.octet}.1.{k}/30 dev eth1",
                          f"addr add fd49:6161:{self.octet:x}:1::{k}/64 dev eth1 nodad",
                          "link set eth1 up"]
            for n in range(1, self.extra_ports // 2 + 1):
                lines += [f"link add p{n}a type veth peer name p{n}b", f"link set p{n}a up",
                          f"link set p{n}b up"]
            ip_batch(lines, netns=self.agent_ns(k))

    def _start_agents(self) -> None:
        """One snmpd per agent namespace, all started before any is waited for."""
        self.sock_dir.mkdir(exist_ok=True)
        self.sock_dir.chmod(0o755)  # lldpd runs lldpcli unprivileged; it must reach the socket
        for k in range(1, self.agents + 1):
            ns = self.agent_ns(k)
            base = self.run_dir / "netns" / f"agent-{k}"
            shutil.rmtree(base, ignore_errors=True)
            (base / "persist").mkdir(parents=True)
            conf = base / "snmpd.conf"
            text = snmpd.render_conf(
                self.secrets[COMMUNITY_ENV],
                [f"10.{self.octet}.0.0/16", f"fd49:6161:{self.octet:x}::/48"],
                [V3_USER], self.secrets, f"infraaudit netns lab, agent {k}",
                agentx=self.sock_dir / f"{k}.agentx" if self.lldpd else None)
            conf.write_text(text + f"sysName agent-{k}\n")
            endpoints = [f"udp:{self.v4(k)}:{SNMP_PORT}", f"udp6:[{self.v6(k)}]:{SNMP_PORT}"]
            if k in (1, 2) and self.agents >= 2:
                endpoints.append(f"udp:10.{self.octet}.1.{k}:{SNMP_PORT}")
            argv = snmpd.command(conf, base / "snmpd.pid", base / "snmpd.log", endpoints)
            self._spawn(argv, base / "stdout.log",
                        env={"SNMP_PERSISTENT_DIR": str(base / "persist")}, netns=ns)
            self.devices.append(Device(f"agent-{k}", self.v4(k), SNMP_PORT, "snmpd",
                                       "lab-netns-v2c", netns=ns, community_env=COMMUNITY_ENV))
        self.devices.append(Device("agent-1-ipv6", self.v6(1), SNMP_PORT, "snmpd",
                                   "lab-netns-v2c", netns=self.agent_ns(1),
                                   community_env=COMMUNITY_ENV))
        self.state.save(self.state_path)

    def _start_lldpd(self) -> None:
        """lldpd per agent: AgentX subagent of its snmpd, hostname agent-k in its own UTS ns."""
        for k in range(1, self.agents + 1):
            lldpd = ["lldpd", "-d", "-u", str(self.sock_dir / f"{k}.ctl"), "-x", "-X",
                     str(self.sock_dir / f"{k}.agentx"), "-O", "/dev/null"]
            script = f"hostname agent-{k} && exec {' '.join(lldpd)}"
            log = self.run_dir / "netns" / f"agent-{k}" / "lldpd.log"
            self._spawn(["unshare", "--uts", "sh", "-c", script], log, netns=self.agent_ns(k))
        self.state.save(self.state_path)

    def _wait_lldp_neighbours(self) -> None:
        """Wait until agents 1 and 2 list each other in lldpRemTable (``lldpcli update`` pokes)."""
        if self.agents < 2:
            return
        community = ["-v2c", "-c", self.secrets[COMMUNITY_ENV]]
        deadline = time.monotonic() + self.timeout
        pending = [1, 2]
        while pending:
            for k in (1, 2):  # make both send an LLDPDU now (the next one is 30 s away)
                subprocess.run(["lldpcli", "-u", str(self.sock_dir / f"{k}.ctl"), "update"],
                               capture_output=True, check=False)
            time.sleep(0.3)
            pending = [k for k in pending if not self._has_neighbour(k, community)]
            if pending and time.monotonic() > deadline:
                raise TimeoutError(f"no LLDP neighbour on agents {pending}")

    def _has_neighbour(self, k: int, auth: list[str]) -> bool:
        cmd = ["snmpgetnext", "-On", *procs.snmp_args(self.v4(k), SNMP_PORT, auth),
               LLDP_REM_SYS_NAME]
        out = subprocess.run(cmd, capture_output=True, text=True, check=False).stdout
        return out.startswith(f".{LLDP_REM_SYS_NAME}.")

    def _start_sshd(self) -> None:
        """A real OpenSSH server in agent 1 (own UTS namespace, hostname agent-1): key login as
        root, on its IPv4 and IPv6 addresses. No system user is created."""
        base = self.run_dir / "netns" / "sshd"
        shutil.rmtree(base, ignore_errors=True)
        base.mkdir(parents=True)
        for key in ("host_key", "client_key"):
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "ialab",
                            "-f", str(base / key)], check=True)
        (base / "authorized_keys").write_text((base / "client_key.pub").read_text())
        conf = base / "sshd_config"
        conf.write_text("\n".join([
            "Port 22", f"ListenAddress {self.v4(1)}", f"ListenAddress {self.v6(1)}",
            f"HostKey {base / 'host_key'}", f"PidFile {base / 'sshd.pid'}",
            f"AuthorizedKeysFile {base / 'authorized_keys'}", "PermitRootLogin prohibit-password",
            "PasswordAuthentication no", "KbdInteractiveAuthentication no", "UsePAM no",
            "StrictModes no", "PrintMotd no", "", ""]))
        Path("/run/sshd").mkdir(exist_ok=True)  # OpenSSH's privilege-separation directory
        script = f"hostname agent-1 && exec {self.sshd} -D -e -f {conf}"
        self._spawn(["unshare", "--uts", "sh", "-c", script], base / "sshd.log",
                    netns=self.agent_ns(1))
        self.ssh_key = base / "client_key"
        if self.agents >= 2:
            self._start_legacy_sshd(base)
        self.state.save(self.state_path)
        procs.wait_tcp(self.v4(1), 22, self.state.pids, self.timeout)
        if self.legacy_ssh is not None:
            procs.wait_tcp(*self.legacy_ssh, self.state.pids, self.timeout)

    def _start_legacy_sshd(self, base: Path) -> None:
        """An 'old switch' SSH server in agent 2: SHA-1 key exchange, ssh-rsa host key and CBC
        ciphers only, on port 2222 (same client key as agent 1)."""
        subprocess.run(["ssh-keygen", "-q", "-t", "rsa", "-b", "2048", "-N", "", "-C", "ialab",
                        "-f", str(base / "legacy_host_key")], check=True)
        conf = base / "sshd_legacy_config"
        conf.write_text("\n".join([
            "Port 2222", f"ListenAddress {self.v4(2)}", f"HostKey {base / 'legacy_host_key'}",
            f"PidFile {base / 'sshd_legacy.pid'}",
            f"AuthorizedKeysFile {base / 'authorized_keys'}", "PermitRootLogin prohibit-password",
            "PasswordAuthentication no", "KbdInteractiveAuthentication no", "UsePAM no",
            "StrictModes no", "PrintMotd no",
            "KexAlgorithms diffie-hellman-group14-sha1,diffie-hellman-group1-sha1",
            "HostKeyAlgorithms ssh-rsa", "Ciphers aes128-cbc,3des-cbc", "", ""]))
        script = f"hostname agent-2 && exec {self.sshd} -D -e -f {conf}"
        self._spawn(["unshare", "--uts", "sh", "-c", script], base / "sshd_legacy.log",
                    netns=self.agent_ns(2))
        self.legacy_ssh = (self.v4(2), 2222)

    def _write_outputs(self) -> None:
        write_env(self.env_file, self.secrets)
        profiles = {"lab-netns-v2c": {"version": "v2c", "community": f"${{{COMMUNITY_ENV}}}"},
                    "lab-netns-v3": v3_profile(V3_USER)}
        site = {"id": f"lab-netns-{self.run_id}", "name": "Phòng lab namespace",
                "address": f"10.{self.octet}.0.0/{self.v4_len}"}
        subnets = [f"10.{self.octet}.0.0/{self.v4_len}"]
        if self.ssh_key is None:
            write_inventory(self.inventory_path, site, profiles, self.devices, subnets)
        else:
            ssh_devices = [Device(name, host, 22, "sshd", "lab-netns-key", platform="linux",
                                  hostname="agent-1", netns=self.agent_ns(1))
                           for name, host in (("agent-1", self.v4(1)),
                                              ("agent-1-ipv6", self.v6(1)))]
            write_ssh_inventory(self.inventory_path, site, profiles,
                                {"lab-netns-key": {"username": "root",
                                                   "key_file": str(self.ssh_key)}},
                                self.devices, ssh_devices, subnets)
        self.state.devices = self.devices
        self.state.inventory = str(self.inventory_path)
        self.state.env_file = str(self.env_file)
        self.state.save(self.state_path)
