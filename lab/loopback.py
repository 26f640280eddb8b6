"""The loopback lab: every agent on its own ``127.<block>.0.N`` address, no root needed.

Layout of ``127.<block>.0.0/24`` (port 16100 unless told otherwise):

- ``.11``-``.19`` snmpsim, one recording per address (``.19`` is the wrong-community device)
- ``.20``-``.27`` one net-snmp snmpd bound to all of them (v1/v2c community and v3 users)
- ``.30`` the garbage agent, ``.31`` a dead address (nothing listens)
- ``127.<block>.S.N`` (S = 1..4) the sample agency's four sites (inventories/sample-agency),
  snmpsim recordings made by recordings/derive_sample.py; not in the lab's own inventory.yaml
- TCP 2222 (``ssh_port``): the SSH CLI simulator (lab/sshsim) on ``.11``-``.16`` (the same
  address as the snmpsim device) and ``.40``-``.45`` (SSH only, some deliberately broken)
"""

from __future__ import annotations

import bz2
import shutil
import sys
from pathlib import Path

from lab import procs, snmpd, sshsim
from lab.lifecycle import Lifecycle
from lab.model import (
    Device,
    LabState,
    new_secret,
    v3_profile,
    write_env,
    write_inventory,
    write_ssh_inventory,
)
from lab.recordings.derive_sample import SITES, Spec

RECORDINGS = Path(__file__).resolve().parent / "recordings"
SERVED = tuple(s for s in SITES if s.served)  # the sample agency's devices that answer
DEFAULT_PORT = 16100

# (host suffix, device name, recording file in lab/recordings); agency-* are made by
# recordings/derive_agency.py.
SNMPSIM_DEVICES: tuple[tuple[int, str, str], ...] = (
    (11, "cisco-c3750", "cisco-c3750.snmprec.bz2"),
    (12, "huawei-s5720", "huawei-s5720.snmprec.bz2"),
    (13, "hpe-procurve-6120xg", "hpe-procurve-516733-b21.snmprec.bz2"),
    (14, "juniper-mx960", "juniper-mx960-13-3r9-13.snmprec.bz2"),
    (15, "dlink-des3200", "dlink-des3200.snmprec.bz2"),
    (16, "linux-host", "linux-unknown-006.snmprec.bz2"),
    (17, "sw-tang2-p201", "agency-access-switch.snmprec.bz2"),
    (18, "rt-chinhanh-01", "agency-branch-router.snmprec.bz2"),
)
WRONG_COMMUNITY = (19, "cisco-c3560-wrong-community", "cisco-c3560.snmprec.bz2")
SNMPD_V1, SNMPD_V2C, SNMPD_V3_FIRST = 20, 21, 22
GARBAGE, DEAD = 30, 31
FAKE_SWITCH = 46  # fake-switches' Cisco emulator (SSH)
FAKE_ENV = "INFRAAUDIT_LAB_FAKE_PASSWORD"

COMMUNITY_ENV = "INFRAAUDIT_LAB_COMMUNITY"
SNMPD_COMMUNITY_ENV = "INFRAAUDIT_LAB_SNMPD_COMMUNITY"
WRONG_ENV = "INFRAAUDIT_LAB_WRONG_COMMUNITY"


class LoopbackLab(Lifecycle):
    """Start the loopback lab in ``run_dir`` on ``127.<block>.0.0/24``; stop it on exit.

    ``community`` is what snmpsim answers; random by default so leak tests are meaningful.
    """

    def __init__(self, run_dir: Path | str, block: int = 78, port: int = DEFAULT_PORT,
                 community: str | None = None, timeout: float = 20.0,
                 ssh_port: int = sshsim.DEFAULT_SSH_PORT) -> None:
        if not 1 <= block <= 254:
            raise ValueError("block must be 1..254 (127.<block>.0.0/24)")
        self.run_dir = Path(run_dir).resolve()
        self.block = block
        self.port = port
        self.timeout = timeout
        self.state_path = self.run_dir / "state.json"
        self.inventory_path = self.run_dir / "inventory.yaml"
        self.env_file = self.run_dir / "lab.env"
        # SNMP + SSH inventory (the core does not parse ssh/ssh_port/platform yet).
        self.ssh_inventory_path = self.run_dir / "inventory-ssh.yaml"
        self.ssh_port = ssh_port
        self.byte_log_dir = self.run_dir / "ssh-bytes"
        self.secrets: dict[str, str] = {
            COMMUNITY_ENV: community or new_secret("sim-"),
            SNMPD_COMMUNITY_ENV: new_secret("snmpd-"),
            WRONG_ENV: new_secret("wrong-"),
            snmpd.AUTH_ENV: new_secret("auth-"),
            snmpd.PRIV_ENV: new_secret("priv-"),
            sshsim.PASSWORD_ENV: new_secret("ssh-"),
            sshsim.ENABLE_ENV: new_secret("enable-"),
            sshsim.WRONG_ENV: new_secret("sshwrong-"),
            FAKE_ENV: new_secret("fake-"),
        }
        self.devices: list[Device] = []
        self.sample_devices: list[Device] = []  # the sample agency's sites (127.<block>.S.N)
        # SSH devices (kind "sshsim"): kept apart from ``devices``, which lists the targets of
        # the SNMP-only inventory.yaml.
        self.ssh_devices: list[Device] = []  # served by lab/sshsim (with byte logs)
        self.fake_switch: Device | None = None  # fake-switches, when installed
        self._sshsim_pid = 0
        self.state = LabState(kind="loopback", run_id=f"lo{block}")

    def host(self, suffix: int) -> str:
        """Address ``127.<block>.0.<suffix>``."""
        return f"127.{self.block}.0.{suffix}"

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> None:
        """Write configs, start every agent, wait until each answers; stop all on failure."""
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self._check_ports()
        self._start_or_stop(self._bring_up, "loopback lab", logs=self.run_dir)

    def _bring_up(self) -> None:
        self._start_snmpsim()
        self._start_snmpd()
        self._start_garbage()
        self._start_sshsim()
        self._start_fake_switches()
        self.devices.append(Device("dead-host", self.host(DEAD), self.port, "dead", "lab-v2c",
                                   community_env=COMMUNITY_ENV))
        self._write_outputs()
        procs.wait_all_answer(self._probe_targets(), self.state.pids, self.timeout)
        sshsim.wait_ready(self.ssh_devices, self._sshsim_pid, self.timeout)
        if self.fake_switch is not None:
            procs.wait_tcp(self.fake_switch.host, self.fake_switch.port, self.state.pids,
                           self.timeout)

    def stop(self) -> None:
        """Stop every process this lab started, by PID."""
        self.state.pids = procs.stop(self.state.pids)
        if self.state_path.exists():
            self.state.save(self.state_path)
        self._raise_if_survivors()

    # -- agents ------------------------------------------------------------------------------

    def _check_ports(self) -> None:
        suffixes = [s for s, _, _ in (*SNMPSIM_DEVICES, WRONG_COMMUNITY)]
        suffixes += [SNMPD_V1, SNMPD_V2C, *self._v3_suffixes(), GARBAGE, DEAD]
        hosts = [self.host(s) for s in suffixes] + [self.sample_host(s) for s in SERVED]
        busy = [h for h in hosts if not procs.udp_port_free(h, self.port)]
        if busy:
            raise RuntimeError(f"UDP port {self.port} already in use on {', '.join(busy)}; "
                               "is another lab running on this block? (python -m lab down)")
        busy = [self.host(d.suffix) for d in sshsim.SSH_DEVICES
                if not sshsim.tcp_port_free(self.host(d.suffix), self.ssh_port)]
        if busy:
            raise RuntimeError(f"TCP port {self.ssh_port} already in use on {', '.join(busy)}; "
                               "is another lab running on this block? (python -m lab down)")

    def sample_host(self, spec: Spec) -> str:
        """Address ``127.<block>.<site>.<n>`` of a sample agency device."""
        return f"127.{self.block}.{spec.site}.{spec.n}"

    @staticmethod
    def _v3_suffixes() -> list[int]:
        return [SNMPD_V3_FIRST + i for i in range(len(snmpd.V3_USERS))]

    def _start_snmpsim(self) -> None:
        """One snmpsim process; recording per endpoint via lab.snmpsim_runner."""
        community = self.secrets[COMMUNITY_ENV]
        data = self.run_dir / "snmpsim-data"
        shutil.rmtree(data, ignore_errors=True)
        (data / community).mkdir(parents=True)
        # The community must exist as a file of its own; it is served only to unknown endpoints.
        (data / f"{community}.snmprec").write_text(
            "1.3.6.1.2.1.1.1.0|4|infraaudit lab: no recording for this endpoint\n")
        args = [f"--data-dir={data}", f"--cache-dir={self.run_dir / 'snmpsim-cache'}",
                "--log-level", "error"]
        for index, (suffix, name, file) in enumerate((*SNMPSIM_DEVICES, WRONG_COMMUNITY)):
            target = data / community / f"1.3.6.1.6.1.1.{index}.snmprec"
            target.write_bytes(bz2.decompress((RECORDINGS / file).read_bytes()))
            args.append(f"--agent-udpv4-endpoint={self.host(suffix)}:{self.port}")
            wrong = (suffix, name, file) == WRONG_COMMUNITY
            self.devices.append(Device(
                name, self.host(suffix), self.port, "wrong-community" if wrong else "snmpsim",
                "wrong" if wrong else "lab-v2c", recording=str(target),
                community_env=WRONG_ENV if wrong else COMMUNITY_ENV))
        first = len(SNMPSIM_DEVICES) + 1
        for index, spec in enumerate(SERVED, start=first):
            target = data / community / f"1.3.6.1.6.1.1.{index}.snmprec"
            target.write_bytes(bz2.decompress((RECORDINGS / spec.file).read_bytes()))
            host = self.sample_host(spec)
            args.append(f"--agent-udpv4-endpoint={host}:{self.port}")
            self.sample_devices.append(Device(spec.name, host, self.port, "snmpsim", "lab-v2c",
                                              recording=str(target),
                                              community_env=COMMUNITY_ENV))
        self._spawn([sys.executable, "-m", "lab.snmpsim_runner", *args],
                    self.run_dir / "snmpsim.log", env={"SNMPSIM_ALLOW_ROOT": "true"})

    def _start_snmpd(self) -> None:
        """One snmpd bound to every snmpd address: v1, v2c and one address per v3 user."""
        base = self.run_dir / "snmpd"
        shutil.rmtree(base, ignore_errors=True)
        (base / "persist").mkdir(parents=True)
        conf = base / "snmpd.conf"
        conf.write_text(snmpd.render_conf(self.secrets[SNMPD_COMMUNITY_ENV], ["127.0.0.0/8"],
                                          snmpd.V3_USERS, self.secrets, "Phòng lab loopback"))
        self.devices.append(Device("netsnmp-v1", self.host(SNMPD_V1), self.port, "snmpd",
                                   "lab-v1", community_env=SNMPD_COMMUNITY_ENV))
        self.devices.append(Device("netsnmp-v2c", self.host(SNMPD_V2C), self.port, "snmpd",
                                   "lab-snmpd-v2c", community_env=SNMPD_COMMUNITY_ENV))
        for suffix, user in zip(self._v3_suffixes(), snmpd.V3_USERS, strict=True):
            self.devices.append(Device(f"netsnmp-{user.user.removeprefix('lab-')}",
                                       self.host(suffix), self.port, "snmpd",
                                       f"lab-v3-{user.user.removeprefix('lab-')}", v3=user))
        hosts = [SNMPD_V1, SNMPD_V2C, *self._v3_suffixes()]
        endpoints = [f"udp:{self.host(s)}:{self.port}" for s in hosts]
        argv = snmpd.command(conf, base / "snmpd.pid", base / "snmpd.log", endpoints)
        env = {"SNMP_PERSISTENT_DIR": str(base / "persist")}
        self._spawn(argv, base / "stdout.log", env=env)

    def _start_garbage(self) -> None:
        host = self.host(GARBAGE)
        self._spawn([sys.executable, "-m", "lab.garbage_agent", host, str(self.port)],
                    self.run_dir / "garbage.log")
        self.devices.append(Device("garbage-agent", host, self.port, "garbage", "lab-v2c",
                                   community_env=COMMUNITY_ENV))

    def _start_sshsim(self) -> None:
        """One asyncssh process serving every SSH device (lab/sshsim)."""
        snmp = {d.host: d for d in self.devices}
        self.byte_log_dir.mkdir(parents=True, exist_ok=True)
        for spec in sshsim.SSH_DEVICES:
            host = self.host(spec.suffix)
            shared = snmp.get(host)
            self.ssh_devices.append(Device(
                spec.name, host, self.ssh_port, "sshsim", spec.profile,
                platform=spec.platform, hostname=spec.hostname, behaviour=spec.behaviour,
                byte_log=str(self.byte_log_dir / f"{spec.name}.log"),
                snmp_port=shared.port if shared else None,
                snmp_profile=shared.profile if shared else None))
        self._sshsim_pid = sshsim.start(self.run_dir, self.ssh_devices, self.secrets)
        self.state.pids.append(self._sshsim_pid)

    def ssh_device(self, name: str) -> Device:
        """The SSH device called ``name``."""
        for device in self.ssh_devices:
            if device.name == name:
                return device
        raise KeyError(name)

    def ssh_args(self, device: Device, secret: bool = True) -> dict[str, str | int]:
        """netmiko ``ConnectHandler`` keywords for ``device`` with its inventory credentials
        (``lab-wrong``: the wrong password); no ``device_type``."""
        wrong = device.profile == "lab-wrong"
        args: dict[str, str | int] = {
            "host": device.host, "port": device.port, "username": sshsim.USERNAME,
            "password": self.secrets[sshsim.WRONG_ENV if wrong else sshsim.PASSWORD_ENV]}
        if secret and not wrong:
            args["secret"] = self.secrets[sshsim.ENABLE_ENV]
        return args

    # -- outputs -----------------------------------------------------------------------------

    def profiles(self) -> dict[str, dict[str, str]]:
        """Inventory credential profiles (secrets as ${ENV} references only)."""
        profs = {
            "lab-v2c": {"version": "v2c", "community": f"${{{COMMUNITY_ENV}}}"},
            "lab-v1": {"version": "v1", "community": f"${{{SNMPD_COMMUNITY_ENV}}}"},
            "lab-snmpd-v2c": {"version": "v2c", "community": f"${{{SNMPD_COMMUNITY_ENV}}}"},
        }
        for user in snmpd.V3_USERS:
            profs[f"lab-v3-{user.user.removeprefix('lab-')}"] = v3_profile(user)
        profs["wrong"] = {"version": "v2c", "community": f"${{{WRONG_ENV}}}"}
        return profs

    def _start_fake_switches(self) -> None:
        """fake-switches (an independent Cisco IOS emulator, installed by bootstrap) on its own
        address, when it is installed. Its shows need `enable` with an empty secret."""
        exe = Path(sys.executable).parent / "fake-switches"
        if not exe.exists():
            return
        host = self.host(FAKE_SWITCH)
        argv = [str(exe), "--model", "cisco_2960_24TT_L", "--hostname", "sw-fake",
                "--username", "audit", "--password", self.secrets[FAKE_ENV],
                "--listen-host", host, "--listen-port", str(self.ssh_port)]
        self._spawn(argv, self.run_dir / "fake-switches.log")
        self.fake_switch = Device("sw-fake-switches", host, self.ssh_port, "fake-switches",
                                  "lab-fake", platform="cisco_ios", hostname="sw-fake")

    def _write_outputs(self) -> None:
        write_env(self.env_file, self.secrets)
        site = {"id": f"lab-loopback-{self.block}", "name": "Phòng lab loopback",
                "address": "127.0.0.0/8"}
        # every 127/8 address answers ICMP: an ICMP sweep of the lab's /24 would "find" 254 hosts
        no_sweep: dict[str, object] = {"icmp": False}
        write_inventory(self.inventory_path, site, self.profiles(), self.devices,
                        [f"127.{self.block}.0.0/24"], discovery=no_sweep)
        ssh_profiles: dict[str, dict[str, object]] = {
            name: dict(profile) for name, profile in sshsim.ssh_profiles().items()}
        ssh_devices = list(self.ssh_devices)
        if self.fake_switch is not None:
            ssh_profiles["lab-fake"] = {"username": "audit", "password": f"${{{FAKE_ENV}}}",
                                        "enable": True}
            ssh_devices.append(self.fake_switch)
        write_ssh_inventory(self.ssh_inventory_path, site, self.profiles(), ssh_profiles,
                            self.devices, ssh_devices, [f"127.{self.block}.0.0/24"],
                            autodetect=tuple(s.name for s in sshsim.SSH_DEVICES if s.autodetect),
                            discovery=no_sweep)
        self.state.devices = self.devices + self.ssh_devices
        self.state.inventory = str(self.inventory_path)
        self.state.env_file = str(self.env_file)
        self.state.save(self.state_path)

    def auth_args(self, device: Device) -> list[str]:
        """net-snmp options that authenticate to ``device`` (its configured profile)."""
        if device.v3 is not None:
            return snmpd.net_snmp_auth(device.v3, self.secrets)
        version = "-v1" if device.profile == "lab-v1" else "-v2c"
        return [version, "-c", self.secrets[device.community_env or COMMUNITY_ENV]]

    def _probe_targets(self) -> list[tuple[str, int, list[str]]]:
        """Every good device, with credentials that must work (wrong-community: the right ones)."""
        targets = []
        for d in self.devices + self.sample_devices:
            if d.kind in ("snmpsim", "snmpd"):
                targets.append((d.host, d.port, self.auth_args(d)))
            elif d.kind == "wrong-community":
                targets.append((d.host, d.port, ["-v2c", "-c", self.secrets[COMMUNITY_ENV]]))
        return targets

