"""The loopback lab itself: every device behaves as its kind says, and nothing outlives it."""

from __future__ import annotations

import bz2
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from lab import procs
from lab.loopback import RECORDINGS, LoopbackLab
from lab.model import Device, read_env

pytestmark = pytest.mark.lab

SYS_DESCR = "1.3.6.1.2.1.1.1.0"
SYS_NAME = "1.3.6.1.2.1.1.5.0"


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LoopbackLab]:
    with LoopbackLab(run_dir=tmp_path_factory.mktemp("lablo"), block=77) as running:
        yield running


def snmpget(device: Device, auth: list[str], *oids: str) -> subprocess.CompletedProcess[str]:
    """net-snmp snmpget, values only, short timeout."""
    cmd = ["snmpget", "-Oqv", *procs.snmp_args(device.host, device.port, auth), *oids]
    return subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=10)


def by_kind(lab: LoopbackLab, kind: str) -> list[Device]:
    return [d for d in lab.devices if d.kind == kind]


def recorded(device: Device, oid: str) -> str:
    """Value of ``oid`` in the device's recording (text, hex decoded)."""
    for line in Path(str(device.recording)).read_text(encoding="utf-8").splitlines():
        if line.startswith(oid + "|"):
            _, tag, value = line.split("|", 2)
            return bytes.fromhex(value).decode() if tag.endswith("x") else value
    raise AssertionError(f"{oid} not in {device.recording}")


def test_outputs_written(lab: LoopbackLab) -> None:
    inventory = lab.inventory_path.read_text(encoding="utf-8")
    env = read_env(lab.env_file)
    assert "\nlimits:" in inventory and "\ndevices:" in inventory
    assert "127.77.0.0/24" in inventory
    assert all(value not in inventory for value in env.values())
    assert {d.kind for d in lab.devices} == {"snmpsim", "snmpd", "garbage", "dead",
                                             "wrong-community"}
    assert (lab.run_dir / "state.json").exists()


def test_each_snmpsim_endpoint_serves_its_own_recording(lab: LoopbackLab) -> None:
    devices = by_kind(lab, "snmpsim")
    assert len(devices) >= 8
    names = set()
    for device in devices:
        res = snmpget(device, lab.auth_args(device), SYS_NAME)
        assert res.returncode == 0, res.stderr
        assert res.stdout.strip().strip('"') == recorded(device, SYS_NAME)
        names.add(res.stdout)
    assert len(names) == len(devices)


def test_snmpd_answers_v1_v2c_and_every_v3_user(lab: LoopbackLab) -> None:
    devices = by_kind(lab, "snmpd")
    assert {d.v3.level for d in devices if d.v3} == {"authPriv", "authNoPriv"}
    for device in devices:
        res = snmpget(device, lab.auth_args(device), SYS_DESCR)
        assert res.returncode == 0 and res.stdout.strip(), (device.name, res.stderr)


def test_wrong_v3_password_fails(lab: LoopbackLab) -> None:
    device = next(d for d in by_kind(lab, "snmpd") if d.v3 and d.v3.priv_protocol)
    auth = lab.auth_args(device)
    auth[auth.index("-X") + 1] = "not-the-password"
    assert snmpget(device, auth, SYS_DESCR).returncode != 0


def test_wrong_community_and_dead_host_time_out(lab: LoopbackLab) -> None:
    for device in [*by_kind(lab, "wrong-community"), *by_kind(lab, "dead")]:
        res = snmpget(device, lab.auth_args(device), SYS_DESCR)
        assert res.returncode != 0
        assert "Timeout" in res.stderr


def test_wrong_community_device_answers_the_right_community(lab: LoopbackLab) -> None:
    (device,) = by_kind(lab, "wrong-community")
    right = ["-v2c", "-c", lab.secrets["INFRAAUDIT_LAB_COMMUNITY"]]
    assert snmpget(device, right, SYS_NAME).returncode == 0


def test_garbage_agent_replies_junk(lab: LoopbackLab) -> None:
    (device,) = by_kind(lab, "garbage")
    replies = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(2)
        for _ in range(5):
            sock.sendto(b"\x30\x03\x02\x01\x01", (device.host, device.port))
            replies.append(sock.recv(65535))
    assert all(replies) and len(set(replies)) > 1
    assert snmpget(device, lab.auth_args(device), SYS_DESCR).returncode != 0


def test_agency_switch_recording_carries_its_faults() -> None:
    text = bz2.decompress((RECORDINGS / "agency-access-switch.snmprec.bz2").read_bytes())
    lines = text.decode("utf-8").splitlines()
    half = [x for x in lines if x.startswith("1.3.6.1.2.1.10.7.2.1.19.") and x.endswith("|2")]
    assert len(half) == 3
    assert "1.3.6.1.2.1.1.5.0|4|sw-tang2-p201" in lines
    assert any(x.startswith("1.0.8802.1.1.2.1.4.1.1.9.0.25.1|") for x in lines)


def test_nothing_survives_exit(tmp_path: Path) -> None:
    with LoopbackLab(run_dir=tmp_path, block=76) as lab:
        pids = list(lab.state.pids)
        assert pids and all(procs.alive(p) for p in pids)
        device = lab.devices[0]
    assert not any(procs.alive(p) for p in pids)
    assert procs.udp_port_free(device.host, device.port)
