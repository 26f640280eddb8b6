"""End to end: `infraaudit scan` against the loopback lab, with both SNMP backends, compared with
ground truth read straight from the recordings and from the kernel."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from infraaudit.cli import app
from infraaudit.inventory import read_env_file
from infraaudit.models import AuditDocument, Device, ProbeStatus
from infraaudit.probes.snmp.system import vendor_from_oid
from lab.loopback import LoopbackLab
from tests.lab.groundtruth import (
    kernel_links,
    recorded_if_indexes,
    recorded_integers,
    recorded_sys_name,
)

pytestmark = pytest.mark.lab


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LoopbackLab]:
    with LoopbackLab(run_dir=tmp_path_factory.mktemp("loopback-lab"), block=79) as running:
        yield running


Scan = tuple[AuditDocument, int, str, str]  # audit, exit code, terminal output, JSON text


@pytest.fixture(scope="module")
def scans(lab: LoopbackLab, tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Scan]:
    """One CLI scan of the lab per backend, run on first use and shared by the tests."""
    done: dict[str, Scan] = {}

    def scan(backend: str) -> Scan:
        if backend not in done:
            out = tmp_path_factory.mktemp("scan") / f"audit-{backend}.json"
            result = CliRunner().invoke(app, [
                "--verbose", "scan", str(lab.inventory_path), "--env-file", str(lab.env_file),
                "--output", str(out), "--backend", backend,
            ])
            text = out.read_text(encoding="utf-8")
            done[backend] = (AuditDocument.model_validate_json(text), result.exit_code,
                             result.output, text)
        return done[backend]

    return scan


@pytest.fixture(params=["gufo", "pysnmp"])
def scanned(request: pytest.FixtureRequest, scans: Callable[[str], Scan]) -> Scan:
    return scans(request.param)


def _static_facts(device: Device) -> dict[str, object]:
    """What a recording fixes: everything but timings, live counters and uptime."""
    return device.model_dump(mode="json", exclude={
        "probes": True, "uptime_s": True,
        "ports": {"__all__": {"counters", "last_change_s"}},
    })


def test_both_backends_read_the_same_facts(scans: Callable[[str], Scan],
                                           lab: LoopbackLab) -> None:
    gufo, pysnmp = scans("gufo")[0], scans("pysnmp")[0]
    recorded = [d for d in lab.devices if d.kind == "snmpsim"]
    for spec in recorded:
        a, b = _by_host(gufo, spec.host, spec.port), _by_host(pysnmp, spec.host, spec.port)
        assert _static_facts(a) == _static_facts(b), spec.name
        assert {p.backend for p in a.probes} == {"gufo"}
        assert {p.backend for p in b.probes} == {"pysnmp"}


def stable(links: dict[int, str | None]) -> dict[int, str | None]:
    return {i: n for i, n in links.items() if not (n or "").startswith("ia")}


def _by_host(doc: AuditDocument, host: str, port: int) -> Device:
    (device,) = [d for d in doc.devices if d.host == host and d.port == port]
    return device


def test_scan_completes_with_failures_recorded(scanned: Scan,
                                                lab: LoopbackLab) -> None:
    doc, code, _, _ = scanned
    assert code == 1  # the lab holds deliberately broken devices
    assert doc.scan.complete
    assert doc.coverage.targets == len(lab.devices)
    good = [d for d in lab.devices if d.kind in ("snmpsim", "snmpd")]
    assert doc.coverage.reachable == len(good)
    assert doc.coverage.fully_probed == len(good)


def test_recorded_devices_match_their_recordings(scanned: Scan,
                                                  lab: LoopbackLab) -> None:
    doc = scanned[0]
    checked = 0
    for spec in lab.devices:
        if spec.kind != "snmpsim":
            continue
        recording = Path(str(spec.recording))
        device = _by_host(doc, spec.host, spec.port)
        assert device.reachable, device.probes
        assert {p.if_index for p in device.ports} == recorded_if_indexes(recording), recording
        assert device.sys_name == recorded_sys_name(recording)
        # the vendor named by the recorded sysObjectID; agent software (net-snmp) names none
        assert device.sys_object_id
        assert device.vendor == vendor_from_oid(device.sys_object_id)
        checked += 1
    assert checked >= 6


CPU_5MIN_CISCO = "1.3.6.1.4.1.9.9.109.1.1.1.1.8"  # cpmCPUTotal5minRev


def test_cpu_and_memory_are_read_in_both_polls(scanned: Scan, lab: LoopbackLab) -> None:
    """The health probe's figures come back from the scan's read and again from the second
    poll (two samples: the rule for a sustained load needs both), equal to the recording's."""
    doc = scanned[0]
    read = [d for d in doc.devices if d.health and (d.health.cpu or d.health.memory)]
    assert len(read) >= 6
    for device in read:
        assert device.health is not None
        for samples in (device.health.cpu, device.health.memory):
            if samples:
                assert sorted(s.poll for s in samples) == [1, 2], device.name
    spec = next(s for s in lab.devices if s.name == "cisco-c3750")
    cisco = _by_host(doc, spec.host, spec.port)
    assert cisco.health is not None
    recorded = recorded_integers(Path(str(spec.recording)), CPU_5MIN_CISCO)
    assert [s.percent for s in cisco.health.cpu] == [max(recorded.values())] * 2
    assert all(s.window == "5min" for s in cisco.health.cpu)


def test_net_snmp_agent_matches_the_kernel(scanned: Scan,
                                            lab: LoopbackLab) -> None:
    doc = scanned[0]
    links = kernel_links()
    agents = [d for d in lab.devices if d.kind == "snmpd"]
    assert agents, "the lab runs net-snmp snmpd (v1 and v3 users)"
    for spec in agents:
        device = _by_host(doc, spec.host, spec.port)
        assert device.reachable, device.probes
        # Other labs' veths ("ia…") come and go in the root namespace while tests run.
        assert stable({p.if_index: p.name for p in device.ports}) == stable(links)
        assert any(a.address == "127.0.0.1" for a in device.addresses)


def _meminfo() -> dict[str, int]:
    """/proc/meminfo in bytes."""
    out = {}
    for line in Path("/proc/meminfo").read_text(encoding="ascii").splitlines():
        name, _, rest = line.partition(":")
        out[name] = int(rest.split()[0]) * 1024
    return out


def test_net_snmp_memory_is_what_the_kernel_calls_used(scanned: Scan,
                                                       lab: LoopbackLab) -> None:
    """net-snmp counts buffers and page cache as used "Physical memory"; the audit's figure is
    the kernel's MemTotal less MemAvailable (within 5% of RAM: memory moves while tests run)."""
    doc = scanned[0]
    kernel = _meminfo()
    for spec in (d for d in lab.devices if d.kind == "snmpd"):
        device = _by_host(doc, spec.host, spec.port)
        assert device.health is not None and device.health.memory, device.probes
        for sample in device.health.memory:
            assert sample.total_bytes == kernel["MemTotal"]
            assert sample.used_bytes is not None
            in_use = kernel["MemTotal"] - kernel["MemAvailable"]
            assert abs(sample.used_bytes - in_use) < 0.05 * kernel["MemTotal"], (
                sample, in_use)


def test_bad_devices_are_error_records(scanned: Scan,
                                       lab: LoopbackLab) -> None:
    doc = scanned[0]
    bad = [d for d in lab.devices if d.kind in ("garbage", "dead", "wrong-community")]
    assert {d.kind for d in bad} == {"garbage", "dead", "wrong-community"}
    for spec in bad:
        device = _by_host(doc, spec.host, spec.port)
        assert not device.reachable
        first, *rest = device.probes
        assert first.probe == "system" and first.status is ProbeStatus.FAILED and first.error
        assert all(p.status is ProbeStatus.SKIPPED for p in rest)
    if doc.scan.snmp_backend == "gufo":
        # gufo cannot decode the garbage agent's replies: that device is rescanned with pysnmp
        garbage = next(d for d in bad if d.kind == "garbage")
        device = _by_host(doc, garbage.host, garbage.port)
        assert device.probes[0].backend == "pysnmp"


def test_no_secret_in_audit_or_output(scanned: Scan,
                                      lab: LoopbackLab) -> None:
    _, _, output, text = scanned
    secrets = [v for v in read_env_file(lab.env_file).values() if len(v) >= 4]
    assert secrets
    for secret in secrets:
        assert secret not in text
        assert secret not in output


def test_ctrl_c_writes_a_valid_partial_audit(lab: LoopbackLab, tmp_path: Path) -> None:
    """A silent device keeps the scan busy; SIGINT then must leave a valid, incomplete audit."""
    specs = lab.devices
    good = next(d for d in specs if d.kind == "snmpsim")
    # snmpsim drops requests with an unknown community: a device that never answers
    silent = next(d for d in specs if d.kind == "wrong-community")
    inventory = Path(lab.inventory_path).read_text(encoding="utf-8")
    head = inventory.split("\nlimits:")[0]
    slow = (head + "\nlimits: {timeout_s: 5, retries: 3}\ndevices:\n"
            f"  - {{host: {good.host}, port: {good.port}, snmp: lab-v2c}}\n"
            f"  - {{host: {silent.host}, port: {silent.port}, snmp: {silent.profile}}}\n")
    inv = tmp_path / "slow.yaml"
    inv.write_text(slow, encoding="utf-8")
    out = tmp_path / "partial.json"
    proc = subprocess.Popen(
        [sys.executable, "-m", "infraaudit.cli", "scan", str(inv), "--env-file",
         str(lab.env_file), "--output", str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    try:  # interrupt once the good device is done (not after a fixed time: machines differ)
        assert proc.stderr is not None
        seen = []
        for line in proc.stderr:
            seen.append(line)
            if line.startswith(f"{good.host}:{good.port} "):
                break
        assert seen and seen[-1].rstrip().endswith("— ok"), seen
        proc.send_signal(signal.SIGINT)
        _, rest = proc.communicate(timeout=30)
        stderr = "".join(seen) + rest
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130, stderr
    doc = AuditDocument.model_validate(json.loads(out.read_text(encoding="utf-8")))
    assert doc.scan.complete is False
    assert doc.coverage.targets == 2
    assert doc.devices[0].reachable and doc.devices[0].fully_probed
    assert doc.devices[1].probes[0].status is ProbeStatus.SKIPPED
