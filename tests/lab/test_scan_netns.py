"""End to end against the namespace lab (root only): net-snmp agents in their own namespaces,
reached over IPv4 and IPv6, compared with what the kernel of each namespace says (`ip -j`)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from infraaudit.cli import app
from infraaudit.models import AuditDocument, Device
from lab.netns import NetnsLab, netns_supported
from tests.lab.groundtruth import kernel_addresses, kernel_links

pytestmark = [
    pytest.mark.netns,
    pytest.mark.skipif(os.geteuid() != 0 or not netns_supported(),
                       reason="the namespace lab needs root and `ip netns`"),
]


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NetnsLab]:
    with NetnsLab(run_dir=tmp_path_factory.mktemp("netns-lab"), agents=3) as running:
        yield running


@pytest.fixture(scope="module", params=["gufo", "pysnmp"])
def audit(request: pytest.FixtureRequest, lab: NetnsLab, tmp_path_factory: pytest.TempPathFactory
          ) -> AuditDocument:
    out: Path = tmp_path_factory.mktemp("scan") / "audit.json"
    result = CliRunner().invoke(app, ["scan", str(lab.inventory_path), "--env-file",
                                      str(lab.env_file), "--output", str(out), "--quiet",
                                      "--backend", request.param])
    assert result.exit_code == 0, result.output
    return AuditDocument.model_validate_json(out.read_text(encoding="utf-8"))


def _device(doc: AuditDocument, host: str) -> Device:
    (device,) = [d for d in doc.devices if d.host == host]
    return device


def test_every_agent_matches_its_namespace(audit: AuditDocument, lab: NetnsLab) -> None:
    assert audit.coverage.fully_probed == audit.coverage.targets == len(lab.devices)
    for spec in lab.devices:
        assert spec.netns
        device = _device(audit, spec.host)
        assert device.sys_name == spec.name.removesuffix("-ipv6")
        assert {p.if_index: p.name for p in device.ports} == kernel_links(spec.netns)
        assert {a.address for a in device.addresses} == kernel_addresses(spec.netns)
        up = {p.name for p in device.ports if p.oper_status == "up"}
        assert {"lo", "eth0"} <= up


def test_management_over_ipv6(audit: AuditDocument, lab: NetnsLab) -> None:
    v6 = [spec for spec in lab.devices if ":" in spec.host]
    assert v6
    for spec in v6:
        device = _device(audit, spec.host)
        assert device.reachable
        assert any(a.address == spec.host for a in device.addresses)


def test_lldp_neighbours_over_the_point_to_point_link(audit: AuditDocument, lab: NetnsLab) -> None:
    if not lab.lldpd:
        pytest.skip("lldpd is not installed")
    agent1 = next(spec for spec in lab.devices if spec.name == "agent-1")
    eth1 = next(p for p in _device(audit, agent1.host).ports if p.name == "eth1")
    assert [n.sys_name for n in eth1.lldp_neighbours] == ["agent-2"]
    assert eth1.lldp_neighbours[0].port_id is not None


def test_real_openssh_over_ipv4_and_ipv6_merges_with_snmp(audit: AuditDocument,
                                                          lab: NetnsLab) -> None:
    if lab.sshd is None:
        pytest.skip("OpenSSH server is not installed")
    ns = lab.agent_ns(1)
    for host in (lab.v4(1), lab.v6(1)):
        device = _device(audit, host)
        ssh = [p for p in device.probes if p.probe.startswith("ssh")]
        assert ssh and all(p.status.value == "ok" for p in ssh), ssh
        assert device.platform == "linux"
        assert device.sources["sys_name"] == ["snmp", "cli"]  # hostname and sysName agree
        assert device.sources["ports"] == ["snmp", "cli"]
        assert device.conflicts == []
        assert {p.name for p in device.ports} == set(kernel_links(ns).values())


def test_old_ssh_algorithms_only_when_the_inventory_allows_them(
        lab: NetnsLab, tmp_path: Path) -> None:
    """agent 2 also runs an 'old switch' sshd: SHA-1 key exchange, ssh-rsa, CBC only."""
    if lab.legacy_ssh is None or lab.ssh_key is None:
        pytest.skip("OpenSSH server is not installed")
    host, port = lab.legacy_ssh
    head = lab.inventory_path.read_text(encoding="utf-8").split("\nssh_options:")[0]
    results = {}
    for legacy in (False, True):
        inventory = tmp_path / f"legacy-{legacy}.yaml"
        inventory.write_text(
            head + f"\nssh_options: {{known_hosts: {tmp_path}/kh-{legacy}, "
            f"legacy_algorithms: {str(legacy).lower()}}}\ndevices:\n"
            f"  - {{host: {host}, ssh: lab-netns-key, ssh_port: {port}, platform: linux}}\n",
            encoding="utf-8")
        out = tmp_path / f"audit-{legacy}.json"
        result = CliRunner().invoke(app, ["scan", str(inventory), "--env-file",
                                          str(lab.env_file), "-o", str(out), "--quiet"])
        results[legacy] = (result.exit_code,
                           AuditDocument.model_validate_json(out.read_text(encoding="utf-8")))
    code, doc = results[False]
    first = doc.devices[0].probes[0]
    assert code == 1 and first.probe == "ssh" and "legacy_algorithms" in (first.error or "")
    code, doc = results[True]
    assert code == 0 and doc.devices[0].sys_name == "agent-2"
    finding = next(f for f in doc.devices[0].security if f.code == "SEC-SSH-LEGACY")
    assert "ssh-rsa" in finding.evidence[0] and "-cbc" in finding.evidence[0]
    assert finding.severity == "medium" and finding.title.startswith("SSH")
