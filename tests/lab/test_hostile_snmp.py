"""Hostile SNMP agents (lab/hostile_agent.py) scanned by `infraaudit scan` with both backends:
every device is either its own exact data or a failure record, never another device's data, and
the terminal of a normal run shows no library traceback or Rust panic."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from infraaudit.errors import TransportError
from infraaudit.models import AuditDocument, Device, ProbeStatus
from infraaudit.probes.snmp import Backend, SnmpCredentials, SnmpTarget, make_client
from lab import procs
from lab.hostile_agent import ERROR_VALUE, FORGED

pytestmark = pytest.mark.lab

BLOCK, PORT = 94, 16161
REPO = Path(__file__).resolve().parents[2]
# (suffix, mode, name): the name is what the device says as sysName
DEVICES = [
    (1, "honest", "h-one"), (2, "neighbour", "n-two"), (3, "wrongid", "w-three"),
    (4, "foreign", "f-four"), (5, "endless", "e-five"), (6, "generr", "g-six"),
    (7, "toobig", "t-seven"), (8, "badint", "b-eight"), (9, "badmtu", "m-nine"),
    (10, "oidname", "o-ten"), (11, "honest", "h-eleven"), (12, "neighbour", "n-twelve"),
    (13, "duplicate", "d-thirteen"), (14, "slow", "s-fourteen"), (15, "v1", "v-fifteen"),
    (16, "bigdrop", "bd-sixteen"), (20, "mutate", "mz"),
]
MUTATE = 20  # its replies have one byte changed: a changed value byte goes unnoticed (SNMPv1/v2c
# have no integrity check), so the scan only has to survive it
EXACT = {"honest", "neighbour", "toobig", "duplicate", "v1", "bigdrop"}
FAILED = {"wrongid", "foreign", "generr", "badint"}


def host(suffix: int) -> str:
    return f"127.{BLOCK}.0.{suffix}"


@pytest.fixture(scope="module")
def agent(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The hostile agent (one process, started and stopped by PID) and an inventory of it."""
    run = tmp_path_factory.mktemp("hostile")
    specs = [f"{mode}:{name}@{host(s)}" + (f">{host(s + 100)}" if mode == "foreign" else "")
             for s, mode, name in DEVICES]
    log = (run / "agent.log").open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "lab.hostile_agent", str(PORT), *specs],
                            stdout=log, stderr=subprocess.STDOUT)
    try:
        procs.wait_all_answer([(host(1), PORT, ["-v2c", "-c", "hostile-lab"])], [proc.pid], 20)
        inventory = {
            "agency": {"code": "LAB-HOSTILE", "name": "Phòng lab"},
            "site": {"id": "lab-hostile", "name": "Phòng lab", "address": "127.0.0.0/8"},
            "credentials": {"snmp": {
                "lab": {"version": "v2c", "community": "${HOSTILE_COMMUNITY}"},
                "lab-v1": {"version": "v1", "community": "${HOSTILE_COMMUNITY}"}}},
            "limits": {"timeout_s": 0.5, "retries": 1, "device_deadline_s": 30,
                       "max_walk_rows": 2000},
            "devices": [{"host": host(s), "port": PORT, "name": name,
                         "snmp": "lab-v1" if mode == "v1" else "lab"}
                        for s, mode, name in DEVICES],
            "subnets": [f"127.{BLOCK}.0.0/24"],
            "discovery": {"enabled": False},
        }
        (run / "inventory.yaml").write_text(yaml.safe_dump(inventory, allow_unicode=True),
                                            encoding="utf-8")
        (run / "lab.env").write_text("HOSTILE_COMMUNITY=hostile-lab\n", encoding="utf-8")
        yield run
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(10)
        log.close()


# The bounds this lab's scan keeps (stated in the README): each device stops at its deadline
# (limits.device_deadline_s 30 s) and its row budget (2.5 × max_walk_rows 2,000 rows), so the
# whole scan ends within one deadline plus the site's second poll, and its memory stays that of
# the program plus a few MB of rows.
SCAN_BOUND_S = 30 + 30
RSS_BOUND_MB = 300


@dataclass
class Scanned:
    doc: AuditDocument
    text: str
    output: str
    audit: str
    wall_s: float
    max_rss_mb: float
    backend: str


@pytest.fixture(scope="module", params=["gufo", "pysnmp"])
def scanned(request: pytest.FixtureRequest, agent: Path) -> Scanned:
    """``infraaudit scan`` as its own process, its peak memory read while it runs."""
    out = agent / f"audit-{request.param}.json"
    started = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "infraaudit.cli", "scan", str(agent / "inventory.yaml"),
         "--env-file", str(agent / "lab.env"), "--output", str(out), "--backend", request.param],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        env={**os.environ, "COLUMNS": "200", "PYTHONPATH": str(REPO)})
    peak = [0]
    watcher = threading.Thread(target=_watch_peak, args=(proc.pid, peak), daemon=True)
    watcher.start()
    assert proc.stdout is not None
    with proc.stdout:
        output = proc.stdout.read().decode("utf-8", "replace")
    proc.wait()
    watcher.join(5)
    wall = time.monotonic() - started
    assert proc.returncode == 1, output  # devices failed, the audit is written
    text = out.read_text(encoding="utf-8")
    return Scanned(AuditDocument.model_validate_json(text), text, output, str(out), wall,
                   peak[0] / 1024, request.param)


def _watch_peak(pid: int, peak: list[int]) -> None:
    """The process's own peak RSS (VmHWM, kB) until it exits. Not its rusage: ru_maxrss of a
    forked child counts the parent's memory at the fork (pytest's, hundreds of MB in a suite)."""
    status = Path(f"/proc/{pid}/status")
    while True:
        try:
            text = status.read_text()
        except OSError:
            return
        if "VmHWM" not in text:  # a zombie: exited
            return
        peak[0] = max(peak[0], int(text.split("VmHWM:")[1].split()[0]))
        time.sleep(0.05)


def test_the_scan_keeps_its_time_and_memory_bounds(scanned: Scanned) -> None:
    print(f"hostile lab scan: {scanned.wall_s:.1f} s, peak RSS {scanned.max_rss_mb:.0f} MB")
    assert scanned.wall_s < SCAN_BOUND_S and scanned.max_rss_mb < RSS_BOUND_MB


def by_name(doc: AuditDocument) -> dict[str, Device]:
    return {d.name or "": d for d in doc.devices}


def test_no_value_crosses_devices(scanned: Scanned) -> None:
    doc, text = scanned.doc, scanned.text
    assert FORGED not in text and ERROR_VALUE.decode() not in text
    for device in doc.devices:
        if device.sys_name is not None and device.name != "mz":
            assert device.sys_name == device.name
            assert device.sys_descr == f"hostile lab agent {device.name}"


def test_each_device_is_exact_or_a_failure_record(
        scanned: Scanned) -> None:
    devices = by_name(scanned.doc)
    for _, mode, name in DEVICES:
        device = devices[name]
        if mode in EXACT:
            assert device.reachable and device.sys_name == name, mode
            assert [p.descr for p in device.ports] == ["port1", "port2"], mode
            assert {p.mtu for p in device.ports} == {1500}
        elif mode in FAILED:
            assert not device.reachable and device.sys_name is None, mode
            assert device.probes[0].status is ProbeStatus.FAILED


def test_an_snmpv1_agent_is_read_whole(scanned: Scanned) -> None:
    """noSuchName (RFC 1157) for a missing scalar or the end of the MIB is "not there", never
    a failed probe; the scalars it has are read one by one after the GET that failed."""
    device = by_name(scanned.doc)["v-fifteen"]
    assert device.sys_descr == "hostile lab agent v-fifteen" and device.uptime_s == 123.45
    assert [p.descr for p in device.ports] == ["port1", "port2"]
    assert [p.status for p in device.probes if p.status is ProbeStatus.FAILED] == []


def test_a_device_whose_replies_are_mutated_is_one_record(
        scanned: Scanned) -> None:
    doc, output = scanned.doc, scanned.output
    mutated = by_name(doc)["mz"]
    assert mutated.probes and {p.probe for p in mutated.probes} >= {"system"}
    assert sum(d.name == "mz" for d in doc.devices) == 1
    for noise in ("Traceback", "panicked", "Exception in callback"):
        assert noise not in output


def test_late_replies_give_exact_data_or_failed_probes(
        scanned: Scanned) -> None:
    """Every other reply of the slow device comes after the timeout, while the retry waits:
    which probes then fail depends on timing, but what is stored is the device's own data."""
    device = by_name(scanned.doc)["s-fourteen"]
    assert device.sys_name in ("s-fourteen", None)
    interfaces = next(p for p in device.probes if p.probe == "interfaces")
    if interfaces.status is ProbeStatus.OK:
        assert [(p.descr, p.mtu) for p in device.ports] == [("port1", 1500), ("port2", 1500)]
    else:
        assert interfaces.status is ProbeStatus.FAILED and device.ports == []


def test_a_device_that_drops_big_replies_is_read_whole_in_smaller_ones(
        scanned: Scanned) -> None:
    """GETBULKs of more than 4 repetitions are never answered (the scan asks for 25): the
    walks ask again with fewer, on both backends (gufo's multi-column GETBULK is sized by the
    walk; where gufo walks one column at a time, at its fixed size, it hands the device to pysnmp
    instead: tests/unit/probes/snmp/test_walk_columns.py)."""
    device = by_name(scanned.doc)["bd-sixteen"]
    assert [(p.descr, p.mtu) for p in device.ports] == [("port1", 1500), ("port2", 1500)]
    statuses = {p.probe: p.status for p in device.probes}
    assert statuses["system"] is statuses["interfaces"] is ProbeStatus.OK, device.probes
    # the agent has no other table: each probe learns that (no probe fails on the timeouts)
    assert set(statuses.values()) == {ProbeStatus.OK, ProbeStatus.UNSUPPORTED}, device.probes
    assert {p.backend for p in device.probes} == {scanned.backend}


def test_out_of_range_mtu_is_no_mtu_and_a_recorded_column_error(
        scanned: Scanned) -> None:
    """ifMtu.1 = -2147483648: port 1 has no MTU, the interfaces probe names the cell, the rest
    of the table is kept; the audit's findings still build."""
    device = by_name(scanned.doc)["m-nine"]
    assert device.sys_name == "m-nine"
    assert [(p.descr, p.mtu) for p in device.ports] == [("port1", None), ("port2", 1500)]
    probe = next(p for p in device.probes if p.probe == "interfaces")
    assert probe.status is ProbeStatus.OK and "ifMtu.1" in (probe.error or "")
    audit = Path(scanned.audit)
    run = subprocess.run([sys.executable, "-m", "infraaudit.cli", "findings", str(audit)],
                         capture_output=True, text=True, check=False,
                         env={**os.environ, "PYTHONPATH": str(REPO)})
    assert run.returncode in (0, 1), run.stdout + run.stderr
    assert "ifMtu" not in run.stdout  # a column error is not a finding


def test_an_oid_where_sysname_is_expected_is_no_name_and_a_recorded_column_error(
        scanned: Scanned) -> None:
    device = by_name(scanned.doc)["o-ten"]
    assert device.reachable and device.sys_name is None
    assert device.sys_descr == "hostile lab agent o-ten"
    system = next(p for p in device.probes if p.probe == "system")
    assert system.status is ProbeStatus.OK and "sysName.0" in (system.error or "")


def test_endless_walks_stop_at_the_row_caps_and_the_scan_goes_on(
        scanned: Scanned) -> None:
    doc = scanned.doc
    device = by_name(doc)["e-five"]
    assert device.sys_name == "e-five"  # what was read before the walks ran away is kept
    walked = [p for p in device.probes if p.probe != "system"]
    assert walked and all(p.status is ProbeStatus.FAILED for p in walked)
    assert all("rows" in (p.error or "") or "deadline" in (p.error or "") for p in walked)
    assert doc.scan.complete and len(doc.devices) == len(DEVICES)


def test_mutated_replies_never_reach_gufo_as_a_panic(
        agent: Path, capfd: pytest.CaptureFixture[str]) -> None:
    """200 GETs, each answered with one byte changed: gufo's decoder never sees the malformed
    ones (raw gufo panics on ~6 % of them, each panic ~45 lines on fd 2)."""
    target = SnmpTarget(host(MUTATE), PORT, SnmpCredentials("v2c", community="hostile-lab"),
                        timeout_s=0.3, retries=0, requests_per_second=1e6)
    oids = ["1.3.6.1.2.1.1.1.0", "1.3.6.1.2.1.1.5.0", "1.3.6.1.2.1.1.7.0"]

    async def run() -> dict[str, int]:
        kinds: dict[str, int] = {}
        client = make_client(target, Backend.GUFO)
        try:
            for _ in range(200):
                try:
                    await client.get(oids)
                    kind = "answer"
                except TransportError as exc:
                    kind = type(exc).__name__
                kinds[kind] = kinds.get(kind, 0) + 1
        finally:
            await client.close()
        return kinds

    kinds = asyncio.run(run())
    assert kinds.get("DecodeError", 0) > 50 and kinds.get("answer", 0) > 50, kinds
    assert "panicked" not in capfd.readouterr().err


def test_a_normal_run_prints_no_library_noise(scanned: Scanned) -> None:
    output = scanned.output
    for noise in ("Traceback", "panicked", "Exception in callback", "Task was destroyed"):
        assert noise not in output
    assert json.loads(scanned.text)["devices"]
