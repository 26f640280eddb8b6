"""End to end over SSH: `infraaudit scan` of the loopback lab's SSH inventory against our SSH
device simulator (recorded real CLI output). Ground truth comes from the capture files, read
here with plain regular expressions, not through infraaudit's parsers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from infraaudit.cli import app
from infraaudit.inventory import read_env_file
from infraaudit.models import AuditDocument, Device, ProbeStatus
from infraaudit.probes.ssh.allowlist import autodetect_commands, table
from lab.loopback import LoopbackLab
from lab.sshsim import ENABLE_ENV
from lab.sshsim.platform import captures_for

pytestmark = pytest.mark.lab

Scan = tuple[AuditDocument, str, str]  # audit, terminal output, JSON text


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LoopbackLab]:
    with LoopbackLab(run_dir=tmp_path_factory.mktemp("ssh-lab"), block=82) as running:
        yield running


@pytest.fixture(scope="module")
def scan(lab: LoopbackLab, tmp_path_factory: pytest.TempPathFactory) -> Scan:
    folder = tmp_path_factory.mktemp("scan")
    out = folder / "audit.json"
    catalog = folder / "firmware.yaml"  # a test entry, not a vendor date
    catalog.write_text("entries:\n  - {vendor: Cisco, model: 'WS-C4948', firmware: '^12\\.2',"
                       " end_of_support: 2020-01-01, source: 'test entry for the lab scan'}\n",
                       encoding="utf-8")
    result = CliRunner().invoke(app, ["--verbose", "scan", str(lab.ssh_inventory_path),
                                      "--env-file", str(lab.env_file), "--output", str(out),
                                      "--firmware-catalog", str(catalog)])
    assert result.exit_code == 1, result.output  # broken devices are part of the lab
    text = out.read_text(encoding="utf-8")
    return AuditDocument.model_validate_json(text), result.output, text


def device(doc: AuditDocument, name: str) -> Device:
    (found,) = [d for d in doc.devices if d.name == name]
    return found


def capture(platform: str, file: str) -> str:
    return captures_for(platform)[file].read_text(encoding="utf-8")


def test_ssh_only_device_is_filled_from_the_cli(scan: Scan) -> None:
    doc = scan[0]
    sw = device(doc, "sw-cisco-ssh-only")
    version = capture("cisco_ios", "show_version.txt")
    interfaces = capture("cisco_ios", "show_interfaces.txt")
    assert sw.reachable and sw.fully_probed
    assert sw.platform == "cisco_ios"
    assert sw.sys_name == re.search(r"^(\S+) uptime is", version, re.M).group(1)  # type: ignore[union-attr]
    assert sw.serial == re.search(r"Processor board ID (\S+)", version).group(1)  # type: ignore[union-attr]
    names = re.findall(r"^(\S+) is [^,]+, line protocol", interfaces, re.M)
    assert [p.name for p in sw.ports] == names
    assert sw.sources["ports"] == ["cli"] and sw.sources["sys_name"] == ["cli"]


def test_autodetected_platform(scan: Scan) -> None:
    assert device(scan[0], "sw-autodetect").platform == "cisco_ios"


def test_snmp_and_cli_merge_into_one_record_keeping_conflicts(scan: Scan) -> None:
    merged = device(scan[0], "cisco-c3750")
    assert merged.snmp_profile and merged.ssh_profile and merged.platform == "cisco_ios"
    assert merged.sources["vendor"] == ["snmp"]
    # The lab serves the CLI of another Cisco at this address: the disagreement is evidence.
    conflict = next(c for c in merged.conflicts if c.field == "sys_name")
    assert set(conflict.values) == {"snmp", "cli"}
    assert conflict.values["cli"] == "router1" and merged.sys_name == conflict.values["snmp"]
    linux = device(scan[0], "linux-host")
    assert linux.platform == "linux"
    assert all(p.status is ProbeStatus.OK for p in linux.probes if p.probe.startswith("ssh"))


def test_weak_device_security_findings(scan: Scan) -> None:
    sw = device(scan[0], "sw-cisco-ssh-only")
    codes = {f.code for f in sw.security}
    assert {"SEC-TELNET", "SEC-HTTP", "SEC-PLAINTEXT-PASSWORD", "SEC-SNMP-V1V2C",
            "SEC-SNMP-WEAK", "SEC-NO-NTP", "SEC-NO-SYSLOG", "SEC-FIRMWARE-EOS"} <= codes
    config = capture("cisco_ios", "show_running-config.txt")
    secrets = re.findall(r"(?:password|secret|community) (?:\d )?(\S+)", config)
    assert secrets
    for finding in sw.security:
        assert finding.title and finding.explanation and finding.evidence
        for line in finding.evidence:
            for secret in secrets:
                assert f" {secret}" not in line, (finding.code, line)


def test_failures_are_records_and_the_scan_goes_on(scan: Scan) -> None:
    doc = scan[0]
    expected = {"sw-cisco-wrong-password": "authentication failed",
                "sw-cisco-no-prompt": "no prompt",
                "sw-cisco-pager-stuck": "no prompt"}
    for name, words in expected.items():
        failed = [p for p in device(doc, name).probes if p.status is ProbeStatus.FAILED]
        assert failed and words in (failed[0].error or ""), (name, failed)
    assert doc.scan.complete


def test_only_allowlisted_commands_were_sent(scan: Scan, lab: LoopbackLab) -> None:
    """The read-only proof: every line any SSH session typed is on the allowlist."""
    secrets = set(read_env_file(lab.env_file).values())
    checked = 0
    for spec in lab.ssh_devices:
        assert spec.platform and spec.byte_log
        allowed = {c.command for c in table(spec.platform).commands}
        allowed |= table(spec.platform).session | autodetect_commands() | {""}
        typed = re.split(r"[\r\n]+", Path(spec.byte_log).read_bytes().decode("utf-8"))
        for line in typed:
            if line in secrets:  # the enable secret answers a Password: prompt
                continue
            assert line in allowed, f"{spec.name} was sent {line!r}"
            assert not line.lower().startswith(("conf", "write", "copy", "reload", "sudo"))
        checked += 1
    assert checked >= 8


def test_no_secret_in_audit_or_output(scan: Scan, lab: LoopbackLab) -> None:
    _, output, text = scan
    env = read_env_file(lab.env_file)
    assert ENABLE_ENV in env
    for value in env.values():
        if len(value) >= 4:
            assert value not in text and value not in output


def test_independent_emulator_fake_switches(scan: Scan, lab: LoopbackLab) -> None:
    """fake-switches (another project's Cisco IOS emulator): enable with an empty secret, a
    partial CLI. Whatever it cannot answer is a record; identity and config still come through."""
    if lab.fake_switch is None:
        pytest.skip("fake-switches is not installed")
    fake = device(scan[0], "sw-fake-switches")
    assert fake.reachable and fake.platform == "cisco_ios"
    assert fake.vendor == "Cisco" and fake.firmware and fake.firmware.startswith("12.2")
    statuses = {p.probe: p.status for p in fake.probes}
    assert statuses["ssh:show version"] is ProbeStatus.OK
    assert statuses["ssh:show running-config"] is ProbeStatus.OK
    assert "SEC-NO-NTP" in {f.code for f in fake.security}  # its config has no ntp server
