"""The SSH CLI simulator (lab/sshsim): netmiko drives every platform, errors are real errors."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import asyncssh
import netmiko
import pytest
import yaml

from infraaudit.probes.ssh.replay import capture_file
from lab import procs
from lab.loopback import LoopbackLab
from lab.model import Device, read_env
from lab.sshsim import ssh_banner
from lab.sshsim.platform import CAPTURES, captures_for, platforms

pytestmark = pytest.mark.lab

SHOW_VERSION = {
    "cisco_ios": "show version",
    "huawei": "display version",
    "hp_procurve": "show interfaces brief",
    "juniper_junos": "show version",
    "mikrotik_routeros": "/interface print",
    "linux": "uname -a",
}

LINUX_COMMANDS = ["uname -a", "ip -j addr", "hostname", "cat /etc/os-release"]


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LoopbackLab]:
    with LoopbackLab(run_dir=tmp_path_factory.mktemp("labssh"), block=75) as running:
        yield running


def capture(platform: str, command: str) -> str:
    return (CAPTURES / platform / capture_file(command)).read_text(encoding="utf-8")


def same(out: str, recorded: str) -> bool:
    """netmiko drops JunOS's ``{master:0}`` context line (it belongs to the prompt)."""
    def norm(text: str) -> str:
        return "\n".join(ln for ln in text.splitlines() if not ln.startswith("{master")).strip()
    return norm(out) == norm(recorded)


def connect(lab: LoopbackLab, device: Device, secret: bool = True,
            device_type: str | None = None, **extra: object) -> netmiko.BaseConnection:
    return netmiko.ConnectHandler(device_type=device_type or device.platform,
                                  **lab.ssh_args(device, secret=secret), **extra)


def normal_devices(lab: LoopbackLab) -> list[Device]:
    return [d for d in lab.ssh_devices if d.behaviour == "normal" and d.profile == "lab-admin"]


def test_inventory_and_state(lab: LoopbackLab) -> None:
    inv = yaml.safe_load(lab.ssh_inventory_path.read_text(encoding="utf-8"))
    env = read_env(lab.env_file)
    fake = {"lab-fake"} if lab.fake_switch is not None else set()
    assert set(inv["credentials"]["ssh"]) == {"lab-admin", "lab-wrong"} | fake
    assert all(v not in lab.ssh_inventory_path.read_text() for v in env.values())
    rows = {row["name"]: row for row in inv["devices"]}
    assert rows["cisco-c3750"]["snmp"] == "lab-v2c" and rows["cisco-c3750"]["ssh_port"] == 2222
    assert "platform" not in rows["sw-autodetect"]
    assert "ssh" not in lab.inventory_path.read_text(encoding="utf-8")
    assert {d.kind for d in lab.ssh_devices} == {"sshsim"}
    assert {d.platform for d in lab.ssh_devices} == set(platforms())


@pytest.mark.parametrize("platform", sorted(SHOW_VERSION))
def test_netmiko_drives_every_platform(lab: LoopbackLab, platform: str) -> None:
    device = next(d for d in normal_devices(lab) if d.platform == platform)
    files = captures_for(platform)
    assert files, platform
    with connect(lab, device) as conn:
        prompt = conn.find_prompt()
        assert device.hostname is not None and device.hostname in prompt
        version = conn.send_command(SHOW_VERSION[platform])
        assert same(version, capture(platform, SHOW_VERSION[platform]))
        commands = LINUX_COMMANDS if platform == "linux" else [
            ("/" if platform == "mikrotik_routeros" else "") + name[:-4].replace("_", " ")
            for name in files if not name.startswith("show_running")]  # privileged: below
        for command in commands:
            out = conn.send_command(command)
            assert same(out, capture(platform, command)), (platform, command)
        rejected = conn.send_command("show no-such-thing")
        assert platforms()[platform].error[-1].split("{")[0].strip() in rejected


def test_hostname_matches_show_version_capture(lab: LoopbackLab) -> None:
    for device in normal_devices(lab):
        assert device.hostname is not None
        if device.platform in ("cisco_ios", "linux"):
            assert device.hostname in capture(str(device.platform), SHOW_VERSION[device.platform])


def test_enable_with_secret_and_without(lab: LoopbackLab) -> None:
    device = lab.ssh_device("sw-cisco-ssh-only")
    with connect(lab, device) as conn:
        assert "Invalid input" in conn.send_command("show running-config")
        conn.enable()
        assert conn.find_prompt() == "router1#"
        assert conn.send_command("show running-config") == capture(
            "cisco_ios", "show running-config").rstrip("\n")
    with connect(lab, device, secret=False) as conn, pytest.raises(ValueError, match="enable"):
        conn.enable()


def test_wrong_password_fails(lab: LoopbackLab) -> None:
    device = lab.ssh_device("sw-cisco-wrong-password")
    with pytest.raises(netmiko.NetmikoAuthenticationException):
        connect(lab, device, conn_timeout=5)


def test_no_prompt_times_out(lab: LoopbackLab) -> None:
    device = lab.ssh_device("sw-cisco-no-prompt")
    with pytest.raises((netmiko.ReadTimeout, netmiko.NetmikoTimeoutException, ValueError)):
        connect(lab, device, conn_timeout=5, read_timeout_override=1.5)


async def _raw_session(device: Device, password: str, keys: list[str]) -> str:
    """Log in with asyncssh, send ``keys`` one by one, return everything printed."""
    async with asyncssh.connect(device.host, port=device.port, username="admin",
                                password=password, known_hosts=None) as conn:
        proc = await conn.create_process(term_type="vt100", encoding="utf-8")
        out = ""
        for key in keys:
            proc.stdin.write(key)
            await asyncio.sleep(0.1)
        try:
            while chunk := await asyncio.wait_for(proc.stdout.read(65536), 0.5):
                out += chunk
        except TimeoutError:
            pass
        proc.close()
        return out


def test_pager_without_terminal_length(lab: LoopbackLab) -> None:
    device = lab.ssh_device("sw-cisco-ssh-only")
    password = lab.secrets["INFRAAUDIT_LAB_SSH_PASSWORD"]
    out = asyncio.run(_raw_session(device, password, ["show interfaces\n", " ", "q"]))
    lines = capture("cisco_ios", "show interfaces").splitlines()
    assert out.count(" --More-- ") == 2
    assert out.count("\r\n") == 1 + 23 + 23  # echo, two screens
    assert lines[0] in out and lines[45] in out and "GigabitEthernet0/2 is up" not in out
    assert out.rstrip().endswith("router1>")
    # the stuck pager ignores terminal length 0
    stuck = lab.ssh_device("sw-cisco-pager-stuck")
    out = asyncio.run(_raw_session(stuck, password, ["terminal length 0\n", "show interfaces\n",
                                                     "q"]))
    assert " --More-- " in out and lines[23] not in out


def test_pager_with_netmiko_timing(lab: LoopbackLab) -> None:
    device = lab.ssh_device("sw-cisco-pager-stuck")
    with connect(lab, device) as conn:
        out = conn.send_command_timing("show ipv6 interface brief", last_read=0.3)
        assert "--More--" in out
        conn.write_channel(" " * 10)
        out += conn.read_channel_timing(last_read=0.3)
        assert "Vlan2300" in out


class QuickSSHDetect(netmiko.SSHDetect):  # type: ignore[misc]
    """netmiko's SSHDetect waits 1 s + 6 s of silence after each of its ~16 probe commands
    (~2 minutes a device); the same matching with short waits."""

    def _send_command(self, cmd: str = "") -> str:
        self.connection.write_channel(cmd + "\n")
        output = self.connection.read_channel_timing(last_read=0.1, read_timeout=5)
        return str(self.connection.strip_backspaces(output))


def test_sshdetect_finds_cisco(lab: LoopbackLab) -> None:
    device = lab.ssh_device("sw-autodetect")
    guesser = QuickSSHDetect(device_type="autodetect", **lab.ssh_args(device))
    try:
        assert guesser.autodetect() == "cisco_ios"
    finally:
        guesser.connection.disconnect()
    sent = Path(str(device.byte_log)).read_text(encoding="utf-8", errors="replace")
    assert "show version" in sent and "display version" in sent  # autodetect is not gentle


def test_byte_log_holds_exactly_what_was_sent(lab: LoopbackLab) -> None:
    device = lab.ssh_device("sw-cisco-ssh-only")
    log = Path(str(device.byte_log))
    before = log.read_bytes() if log.exists() else b""
    password = lab.secrets["INFRAAUDIT_LAB_SSH_PASSWORD"]
    keys = ["terminal length 0\r", "show version\r\n", "show mac address-table\n", "exit\n"]
    asyncio.run(_raw_session(device, password, keys))
    assert log.read_bytes()[len(before):] == "".join(keys).encode()


def test_no_pid_survives_stop(lab: LoopbackLab) -> None:
    """Last test of the module: stop the shared lab (the fixture's stop is then a no-op)."""
    pids = list(lab.state.pids)
    expected = 5 if lab.fake_switch is not None else 4  # snmpsim snmpd garbage sshsim (fake)
    assert len(pids) == expected and all(procs.alive(p) for p in pids)
    lab.stop()
    assert not any(procs.alive(p) for p in pids)
    assert sshsim_banner_gone(lab)


def sshsim_banner_gone(lab: LoopbackLab) -> bool:
    return all(ssh_banner(d.host, d.port) is None for d in lab.ssh_devices)
