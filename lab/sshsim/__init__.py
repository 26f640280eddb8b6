"""SSH CLI simulator for the loopback lab: recorded real CLI output behind an asyncssh server.

``server.py`` is the process (one for all devices); ``platforms.yaml`` the per-platform CLI
behaviour; ``captures/<platform>/<command>.txt`` the outputs (origins in captures/SOURCES.md).
This module holds the lab's device table and the start/readiness helpers LoopbackLab uses.
"""

from __future__ import annotations

import json
import socket
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from lab import procs
from lab.model import Device

DEFAULT_SSH_PORT = 2222
PASSWORD_ENV = "INFRAAUDIT_LAB_SSH_PASSWORD"
ENABLE_ENV = "INFRAAUDIT_LAB_SSH_ENABLE"
WRONG_ENV = "INFRAAUDIT_LAB_SSH_WRONG"
USERNAME = "admin"


@dataclass(frozen=True)
class SshSpec:
    """One row of the lab's SSH device table."""

    suffix: int  # host 127.<block>.0.<suffix>
    name: str  # same as the SNMP device's name when it shares the address
    platform: str
    hostname: str  # as the platform's show-version capture names it
    profile: str = "lab-admin"  # credentials.ssh key in the inventory
    behaviour: str = "normal"
    autodetect: bool = False  # inventory leaves platform out


# .11-.16 share the address of an snmpsim device (SNMP + SSH on one device); .40+ are SSH only.
SSH_DEVICES: tuple[SshSpec, ...] = (
    SshSpec(11, "cisco-c3750", "cisco_ios", "router1"),
    SshSpec(12, "huawei-s5720", "huawei", "HUAWEI"),
    SshSpec(13, "hpe-procurve-6120xg", "hp_procurve", "HP-2900-48G"),
    SshSpec(14, "juniper-mx960", "juniper_junos", "lab"),
    SshSpec(16, "linux-host", "linux", "srv-files-01"),
    SshSpec(40, "sw-cisco-ssh-only", "cisco_ios", "router1"),
    SshSpec(41, "sw-autodetect", "cisco_ios", "router1", autodetect=True),
    SshSpec(42, "rt-mikrotik", "mikrotik_routeros", "MikroTik"),
    SshSpec(43, "sw-cisco-wrong-password", "cisco_ios", "router1", profile="lab-wrong"),
    SshSpec(44, "sw-cisco-no-prompt", "cisco_ios", "router1", behaviour="hang"),
    SshSpec(45, "sw-cisco-pager-stuck", "cisco_ios", "router1", behaviour="pager_stuck"),
)


def ssh_profiles() -> dict[str, dict[str, str]]:
    """Inventory ``credentials.ssh`` (secrets as ${ENV} references only)."""
    return {
        "lab-admin": {"username": USERNAME, "password": f"${{{PASSWORD_ENV}}}",
                      "enable_secret": f"${{{ENABLE_ENV}}}"},
        "lab-wrong": {"username": USERNAME, "password": f"${{{WRONG_ENV}}}"},
    }


def start(run_dir: Path, devices: list[Device], secrets: dict[str, str]) -> int:
    """Write ``<run_dir>/sshsim/config.json`` and start the server; return its PID.

    Every device is served with the right password (``lab-wrong`` devices too: the wrong
    password is the inventory's, not the device's); secrets reach it through the environment.
    """
    base = run_dir / "sshsim"
    base.mkdir(parents=True, exist_ok=True)
    config = {
        "byte_log_dir": str(run_dir / "ssh-bytes"),
        "devices": [{"name": d.name, "host": d.host, "port": d.port, "platform": d.platform,
                     "hostname": d.hostname, "username": USERNAME, "password_env": PASSWORD_ENV,
                     "enable_env": ENABLE_ENV, "behaviour": d.behaviour}
                    for d in devices],
    }
    conf = base / "config.json"
    conf.write_text(json.dumps(config, indent=2), encoding="utf-8")
    env = {k: secrets[k] for k in (PASSWORD_ENV, ENABLE_ENV)}
    return procs.start([sys.executable, "-m", "lab.sshsim.server", str(conf)],
                       base / "sshsim.log", env=env)


def tcp_port_free(host: str, port: int) -> bool:
    """True if ``host:port`` can be bound for TCP right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def ssh_banner(host: str, port: int, timeout: float = 0.5) -> str | None:
    """The server's SSH identification line, or None if nothing answers."""
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            data = sock.recv(256)
    except OSError:
        return None
    return data.decode("ascii", errors="replace").strip() if data.startswith(b"SSH-") else None


def wait_ready(devices: list[Device], pid: int, timeout: float = 20.0) -> None:
    """Wait until every device's listener sends an SSH banner; raise if the server dies."""
    pending = list(devices)
    deadline = time.monotonic() + timeout
    while pending:
        if not procs.alive(pid):
            raise RuntimeError(f"sshsim server exited during start-up (pid {pid})")
        pending = [d for d in pending if ssh_banner(d.host, d.port) is None]
        if not pending:
            return
        if time.monotonic() > deadline:
            names = ", ".join(f"{d.host}:{d.port}" for d in pending)
            raise TimeoutError(f"sshsim did not listen within {timeout:.0f}s: {names}")
        time.sleep(0.1)
