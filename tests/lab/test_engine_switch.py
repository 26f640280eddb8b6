"""SNMPv3: an agent whose engine changes under the scanner after engine discovery.

Two real net-snmp agents (engine-ids ``lab-engine-a`` / ``-b``, sysName ``agent-a`` / ``-b``)
hold the same user and keys; ``lab/engine_switch.py`` sends the scanner's first datagrams to A
and every later one to B, from one address. B's replies carry another authoritative engine than
the one discovered: with both backends, nothing B says is stored as the device's data, the
device is a record of what A said and of the requests that failed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from lab import procs, snmpd
from lab.model import V3User, new_secret, write_env

pytestmark = pytest.mark.lab

BLOCK, PORT = 93, 16193
REPO = Path(__file__).resolve().parents[2]
USER = V3User("lab-sha-aes128", "SHA", "AES-128", snmpd.AUTH_ENV, snmpd.PRIV_ENV)
RELAY, AGENT_A, AGENT_B = (f"127.{BLOCK}.0.{s}" for s in (10, 11, 12))


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """Agents A and B and the relay, started and stopped by PID; an inventory of the relay and
    of agent B read directly (the control: B is readable with these credentials)."""
    base = tmp_path_factory.mktemp("engine-switch")
    secrets = {"C": new_secret("c-"), snmpd.AUTH_ENV: new_secret("auth-"),
               snmpd.PRIV_ENV: new_secret("priv-")}
    busy = [h for h in (RELAY, AGENT_A, AGENT_B) if not procs.udp_port_free(h, PORT)]
    if busy:
        pytest.fail(f"UDP {PORT} busy on {busy}: another run of this test?")
    pids: list[int] = []
    try:
        for name, host in (("a", AGENT_A), ("b", AGENT_B)):
            (base / f"persist-{name}").mkdir()
            conf = base / f"snmpd-{name}.conf"
            conf.write_text(snmpd.render_conf(secrets["C"], ["127.0.0.0/8"], [USER], secrets)
                            + f"engineID lab-engine-{name}\nsysName agent-{name}\n")
            pids.append(procs.start(
                snmpd.command(conf, base / f"{name}.pid", base / f"{name}.log",
                              [f"udp:{host}:{PORT}"]),
                base / f"stdout-{name}.log",
                env={"SNMP_PERSISTENT_DIR": str(base / f"persist-{name}")}))
        pids.append(procs.start(
            [sys.executable, "-m", "lab.engine_switch", f"{RELAY}:{PORT}", f"{AGENT_A}:{PORT}",
             f"{AGENT_B}:{PORT}", "--after", "3"],
            base / "relay.log", env={"PYTHONPATH": str(REPO)}))
        procs.wait_all_answer([(h, PORT, ["-v2c", "-c", secrets["C"]])
                               for h in (AGENT_A, AGENT_B, RELAY)], pids, 15)
        v3 = (f"{{version: v3, user: {USER.user}, auth_protocol: SHA, priv_protocol: AES-128, "
              f'auth_password: "${{{snmpd.AUTH_ENV}}}", priv_password: "${{{snmpd.PRIV_ENV}}}"}}')
        inventory = base / "inventory.yaml"
        inventory.write_text("\n".join([
            'agency: {code: LAB, name: "Phòng thí nghiệm"}',
            'site: {id: lab-engine, name: "Phòng lab", address: "127.0.0.0/8"}',
            f"credentials: {{snmp: {{v3: {v3}}}}}",
            "limits: {timeout_s: 0.5, retries: 0, requests_per_second: 500}",
            "devices:",
            f"  - {{host: {RELAY}, port: {PORT}, snmp: v3, name: switched}}",
            f"  - {{host: {AGENT_B}, port: {PORT}, snmp: v3, name: direct-b}}",
            f'subnets: ["127.{BLOCK}.0.0/24"]', "discovery: {icmp: false}",
            "link: {ping_count: 2, ping_interval_ms: 20, poll_interval_s: 1}",
            "ipv6: {enabled: false}"]) + "\n", encoding="utf-8")
        env = base / "lab.env"
        write_env(env, secrets)
        yield inventory, env
    finally:
        assert procs.stop(pids) == []


@pytest.mark.parametrize("backend", ["gufo", "pysnmp"])
def test_no_value_of_another_engine_is_stored(lab: tuple[Path, Path], backend: str,
                                              tmp_path: Path) -> None:
    inventory, env_file = lab
    audit = tmp_path / "audit.json"
    done = subprocess.run(
        [sys.executable, "-m", "infraaudit.cli", "scan", str(inventory), "--env-file",
         str(env_file), "-o", str(audit), "--backend", backend, "--quiet"],
        capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=120, check=False)
    assert done.returncode == 1, done.stderr  # a device failed; the audit is written
    devices = {d["name"]: d for d in json.loads(audit.read_text("utf-8"))["devices"]}
    direct = devices["direct-b"]
    assert direct["sys_name"] == "agent-b" and direct["ports"]  # B is readable directly
    switched = devices["switched"]
    assert "agent-b" not in json.dumps(switched)
    assert switched["sys_name"] in ("agent-a", None)
    failed = [p for p in switched["probes"] if p["status"] == "failed"]
    assert failed and switched["ports"] == []
    assert "Traceback" not in done.stdout + done.stderr
