"""End to end: a real net-snmp agent scanned with a wrong community, a wrong SNMPv3 user, a
wrong auth key and a wrong privacy key, plus an address where nothing listens; with both
backends, ``infraaudit scan`` records why, ``infraaudit findings`` gives DEVICE-NOT-AUDITED with
the cause, and the console names the cause and the profile, never a secret.

Own small lab (one snmpd on ``127.91.0.1-.6``, started and stopped by PID): fast, and it does
not share addresses with the loopback lab's blocks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from lab import procs, snmpd
from lab.model import V3User, new_secret, write_env

pytestmark = pytest.mark.lab

BLOCK, PORT = 91, 16191
REPO = Path(__file__).resolve().parents[2]
USER = V3User("lab-sha-aes128", "SHA", "AES-128", snmpd.AUTH_ENV, snmpd.PRIV_ENV)
# name -> (host suffix, profile, the cause expected; None: audited)
DEVICES = {
    "good": (1, "right", None),
    "wrong-community": (2, "wrong-community", "community"),
    "wrong-user": (3, "wrong-user", "v3-credentials"),
    "wrong-auth-key": (4, "wrong-auth", "v3-credentials"),
    "wrong-priv-key": (5, "wrong-priv", "v3-credentials"),
    "closed-port": (9, "right", "port"),  # nothing listens: ICMP port unreachable
}


def host(suffix: int) -> str:
    return f"127.{BLOCK}.0.{suffix}"


@pytest.fixture(scope="module")
def agent(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path, dict[str, str]]]:
    base = tmp_path_factory.mktemp("not-audited")
    secrets = {"C_RIGHT": new_secret("c-"), "C_WRONG": new_secret("w-"),
               snmpd.AUTH_ENV: new_secret("auth-"), snmpd.PRIV_ENV: new_secret("priv-"),
               "A_WRONG": new_secret("aw-"), "P_WRONG": new_secret("pw-")}
    (base / "persist").mkdir()
    conf = base / "snmpd.conf"
    conf.write_text(snmpd.render_conf(secrets["C_RIGHT"], ["127.0.0.0/8"], [USER], secrets))
    agents = [host(s) for s, _, _ in DEVICES.values() if s != 9]
    busy = [h for h in [*agents, host(9)] if not procs.udp_port_free(h, PORT)]
    if busy:
        pytest.fail(f"UDP {PORT} busy on {busy}: another run of this test?")
    pid = procs.start(snmpd.command(conf, base / "snmpd.pid", base / "snmpd.log",
                                    [f"udp:{h}:{PORT}" for h in agents]),
                      base / "stdout.log", env={"SNMP_PERSISTENT_DIR": str(base / "persist")})
    try:
        procs.wait_all_answer([(host(1), PORT, ["-v2c", "-c", secrets["C_RIGHT"]])], [pid], 15)
        inventory = base / "inventory.yaml"
        v3 = (f"version: v3, user: {USER.user}, auth_protocol: SHA, priv_protocol: AES-128")
        profiles = {
            "right": 'version: v2c, community: "${C_RIGHT}"',
            "wrong-community": 'version: v2c, community: "${C_WRONG}"',
            "wrong-user": v3.replace(USER.user, "lab-nobody")
            + f', auth_password: "${{{snmpd.AUTH_ENV}}}", priv_password: "${{{snmpd.PRIV_ENV}}}"',
            "wrong-auth": v3 + f', auth_password: "${{A_WRONG}}", '
            f'priv_password: "${{{snmpd.PRIV_ENV}}}"',
            "wrong-priv": v3 + f', auth_password: "${{{snmpd.AUTH_ENV}}}", '
            'priv_password: "${P_WRONG}"',
        }
        lines = ['agency: {code: LAB, name: "Phòng thí nghiệm"}',
                 'site: {id: lab-not-audited, name: "Phòng lab", address: "127.0.0.0/8"}',
                 "credentials:", "  snmp:",
                 *(f"    {name}: {{{p}}}" for name, p in profiles.items()),
                 "limits: {timeout_s: 2, retries: 0, requests_per_second: 500}",
                 "devices:",
                 *(f"  - {{host: {host(s)}, port: {PORT}, snmp: {prof}, name: {name}}}"
                   for name, (s, prof, _) in DEVICES.items()),
                 f'subnets: ["127.{BLOCK}.0.0/24"]', "discovery: {icmp: false}",
                 "link: {ping_count: 3, ping_interval_ms: 20, poll_interval_s: 1}",
                 "ipv6: {enabled: false}"]
        inventory.write_text("\n".join(lines) + "\n", encoding="utf-8")
        env = base / "lab.env"
        write_env(env, secrets)
        yield inventory, env, secrets
    finally:
        assert procs.stop([pid]) == []


Run = Callable[[str], tuple[dict[str, object], list[dict[str, object]], str]]


@pytest.fixture(scope="module")
def scan(agent: tuple[Path, Path, dict[str, str]], tmp_path_factory: pytest.TempPathFactory
         ) -> Run:
    inventory, env_file, _ = agent
    out = tmp_path_factory.mktemp("scans")
    python_env = {**os.environ, "PYTHONPATH": str(REPO)}

    def run(backend: str) -> tuple[dict[str, object], list[dict[str, object]], str]:
        audit = out / f"audit-{backend}.json"
        done = subprocess.run(
            [sys.executable, "-m", "infraaudit.cli", "scan", str(inventory), "--env-file",
             str(env_file), "-o", str(audit), "--backend", backend, "--quiet"],
            capture_output=True, text=True, env=python_env, timeout=60, check=False)
        assert done.returncode == 1, done.stderr  # devices failed, audit written
        found = subprocess.run(
            [sys.executable, "-m", "infraaudit.cli", "findings", str(audit), "--json"],
            capture_output=True, text=True, env=python_env, timeout=60, check=False)
        return (json.loads(audit.read_text("utf-8")), json.loads(found.stdout),
                done.stdout + done.stderr)

    return run


@pytest.mark.parametrize("backend", ["gufo", "pysnmp"])
def test_each_unreadable_device_gets_its_cause(scan: Run, backend: str,
                                               agent: tuple[Path, Path, dict[str, str]]) -> None:
    doc, found, console = scan(backend)
    devices = {d["name"]: d for d in doc["devices"]}  # type: ignore[attr-defined]
    assert devices["good"]["reachable"]
    by_subject = {f["subject"]: f for f in found if str(f["code"]).startswith("DEVICE-")}
    for name, (suffix, profile, expected) in DEVICES.items():
        cause = expected
        if cause is None:
            assert name not in by_subject
            continue
        if name == "closed-port" and backend == "pysnmp":
            # pysnmp's socket is not connected: the kernel's port unreachable never reaches
            # it, so the silent v2c agent reads as the likely wrong community
            cause = "community"
        finding = by_subject[name]
        assert finding["code"] == "DEVICE-NOT-AUDITED", (name, devices[name]["probes"])
        assert finding["severity"] in ("medium", "low")
        assert finding["evidence"][0]["measured"]["cause"] == cause, (
            name, devices[name]["probes"][0])
        line = next(li for li in console.splitlines() if li.startswith(f"{host(suffix)}:{PORT}"))
        assert "not audited" in line and f"(profile {profile})" in line, line
    wrong_auth = next(li for li in console.splitlines() if "(wrong-auth-key)" in li)
    assert "SNMPv3 authentication failed (usmStatsWrongDigests)" in wrong_auth
    wrong_user = next(li for li in console.splitlines() if "(wrong-user)" in li)
    assert "usmStatsUnknownUserNames" in wrong_user
    community = next(li for li in console.splitlines() if "(wrong-community)" in li)
    assert "likely a wrong community" in community
    for secret in agent[2].values():
        assert secret not in console
        assert secret not in json.dumps(doc) + json.dumps(found)
