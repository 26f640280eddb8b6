"""Lab data: device specs, the inventory and env file the lab writes, and state.json."""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

# Kinds of lab device; "snmpsim" and "snmpd" are good devices, the rest are deliberately broken.
KINDS = ("snmpsim", "snmpd", "garbage", "dead", "wrong-community", "sshsim")


@dataclass
class V3User:
    """One SNMPv3 USM user served by a lab snmpd. Passwords live in lab.env, not here."""

    user: str
    auth_protocol: str | None  # MD5, SHA, SHA-224, SHA-256, SHA-384, SHA-512
    priv_protocol: str | None  # DES, AES-128, AES-192, AES-256
    auth_env: str | None = None  # env var holding the auth password
    priv_env: str | None = None

    @property
    def level(self) -> str:
        """net-snmp security level."""
        if self.auth_protocol is None:
            return "noAuthNoPriv"
        return "authPriv" if self.priv_protocol else "authNoPriv"


@dataclass
class Device:
    """One target in the lab inventory, with what the lab knows about it (its ground truth)."""

    name: str
    host: str
    port: int
    kind: str
    profile: str  # credentials.snmp key in the inventory
    recording: str | None = None  # decompressed .snmprec served for this host (snmpsim)
    netns: str | None = None  # namespace the agent runs in (netns lab)
    community_env: str | None = None  # env var of the community (v1/v2c profiles)
    v3: V3User | None = None
    # SSH (kind "sshsim", lab.ssh_devices): ``port`` is the SSH port, ``profile`` the
    # credentials.ssh key; ``snmp_port`` is set when the same address also answers SNMP.
    platform: str | None = None  # netmiko device_type the simulator plays
    hostname: str | None = None  # what its prompt and captures show
    behaviour: str | None = None  # normal | hang | pager_stuck
    byte_log: str | None = None  # every byte clients sent, raw
    snmp_port: int | None = None
    snmp_profile: str | None = None

    def __getitem__(self, key: str) -> Any:
        """Dict-style access, so tests can treat specs as dicts or objects."""
        return getattr(self, key)


@dataclass
class LabState:
    """Everything ``python -m lab down`` needs, written to ``<run_dir>/state.json``."""

    kind: str  # "loopback" | "netns"
    run_id: str
    pids: list[int] = field(default_factory=list)
    namespaces: list[str] = field(default_factory=list)
    root_links: list[str] = field(default_factory=list)  # veths made in the root namespace
    scratch_dirs: list[str] = field(default_factory=list)  # removed on teardown (sockets)
    devices: list[Device] = field(default_factory=list)
    inventory: str = ""
    env_file: str = ""

    def save(self, path: Path) -> None:
        """Write atomically (tmp file + rename)."""
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(self), indent=2, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path) -> LabState:
        """Read a state.json written by :meth:`save`."""
        raw = json.loads(path.read_text(encoding="utf-8"))
        devices = []
        for d in raw.pop("devices", []):
            v3 = d.pop("v3", None)
            devices.append(Device(**d, v3=V3User(**v3) if v3 else None))
        return cls(**raw, devices=devices)


def new_secret(prefix: str = "") -> str:
    """A random, shell- and YAML-safe secret (>= 8 chars, as USM requires)."""
    return prefix + secrets.token_hex(8)


def write_env(path: Path, values: dict[str, str]) -> None:
    """KEY=VALUE lines, mode 0600."""
    text = "".join(f"{k}={v}\n" for k, v in sorted(values.items()))
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)


def read_env(path: Path) -> dict[str, str]:
    """Parse a file written by :func:`write_env`."""
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.lstrip().startswith("#"):
            key, value = line.split("=", 1)
            values[key.strip()] = value.strip()
    return values


def _flow(mapping: Any) -> str:
    """One YAML flow mapping on a line, e.g. ``{host: 1.2.3.4, port: 161}``."""
    return yaml.safe_dump(mapping, default_flow_style=True, allow_unicode=True, width=1000,
                          sort_keys=False).strip()


def write_inventory(
    path: Path,
    site: dict[str, str],
    profiles: dict[str, dict[str, str]],
    devices: list[Device],
    subnets: list[str],
    discovery: dict[str, object] | None = None,
) -> None:
    """The SNMP-only inventory in the core's format (secrets only as ``${ENV}`` references)."""
    write_ssh_inventory(path, site, profiles, {}, devices, [], subnets, discovery=discovery)


def write_ssh_inventory(
    path: Path,
    site: dict[str, str],
    snmp_profiles: dict[str, dict[str, str]],
    ssh_profiles: dict[str, dict[str, object]],
    snmp_devices: list[Device],
    ssh_devices: list[Device],
    subnets: list[str],
    autodetect: tuple[str, ...] = (),
    discovery: dict[str, object] | None = None,
) -> None:
    """The inventory with SSH: ``credentials.ssh`` and per device ``ssh``, ``ssh_port``,
    ``platform`` (left out for names in ``autodetect``). An SSH device on the address of an SNMP
    device is written on that device's line. ``discovery`` becomes the inventory's section."""
    ssh_by_host = {d.host: d for d in ssh_devices}
    rows = []
    for d in snmp_devices:
        row: dict[str, Any] = {"host": d.host, "port": d.port, "snmp": d.profile}
        ssh = ssh_by_host.pop(d.host, None)
        if ssh is not None:
            row |= {"ssh": ssh.profile, "ssh_port": ssh.port}
            if ssh.name not in autodetect:
                row["platform"] = ssh.platform
        rows.append(row | {"name": d.name})
    for d in ssh_by_host.values():
        row = {"host": d.host, "ssh": d.profile, "ssh_port": d.port}
        if d.name not in autodetect:
            row["platform"] = d.platform
        rows.append(row | {"name": d.name})
    lines = [
        "# Written by the infraaudit lab; regenerated on every `python -m lab up`.",
        "agency: " + _flow({"code": "LAB", "name": "Phòng thí nghiệm infraaudit"}),
        "site: " + _flow(site),
        "credentials:",
        "  snmp:",
        *(f"    {name}: {_flow(p)}" for name, p in snmp_profiles.items()),
    ]
    if ssh_profiles:
        lines += ["  ssh:", *(f"    {name}: {_flow(p)}" for name, p in ssh_profiles.items())]
    limits: dict[str, object] = {"concurrency": 16, "per_device_concurrency": 2,
                                 "timeout_s": 1.0, "retries": 1, "requests_per_second": 500}
    if ssh_profiles:
        limits["ssh_timeout_s"] = 8
    lines.append("limits: " + _flow(limits))
    if ssh_profiles:  # the lab makes new host keys at every `up`: keep them with this run only
        lines.append("ssh_options: " + _flow({"host_key_policy": "accept-new",
                                              "known_hosts": str(path.parent / "known_hosts")}))
    lines += [
        "devices:",
        *(f"  - {_flow(row)}" for row in rows),
        "subnets: " + _flow(subnets),
        # a short link check: the labs' scans are run many times by the tests
        "link: " + _flow({"ping_count": 20, "ping_interval_ms": 20, "poll_interval_s": 2}),
    ]
    if discovery is not None:
        lines.append("discovery: " + _flow(discovery))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def v3_profile(user: V3User) -> dict[str, str]:
    """Inventory credential profile for a v3 user."""
    prof = {"version": "v3", "user": user.user}
    if user.auth_protocol:
        prof |= {"auth_protocol": user.auth_protocol, "auth_password": f"${{{user.auth_env}}}"}
    if user.priv_protocol:
        prof |= {"priv_protocol": user.priv_protocol, "priv_password": f"${{{user.priv_env}}}"}
    return prof
