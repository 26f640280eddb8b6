"""``collect_cli`` through the replay double: every way a CLI session ends is one record."""

from __future__ import annotations

import asyncio
import json

from infraaudit.errors import TransportError, TransportTimeout
from infraaudit.models import ProbeStatus
from infraaudit.probes.ssh.device import CliCollected, collect_cli
from infraaudit.probes.ssh.replay import ReplaySession
from infraaudit.probes.ssh.transport import SshCredentials, SshTarget

TARGET = SshTarget("192.0.2.7", 22, SshCredentials("audit", password="x" * 10), "linux")
LINKS = [{"ifindex": 1, "ifname": "lo", "flags": ["LOOPBACK", "UP", "LOWER_UP"], "mtu": 65536,
          "link_type": "loopback", "address": "00:00:00:00:00:00"},
         {"ifindex": 2, "ifname": "eth0", "flags": ["BROADCAST", "UP", "LOWER_UP"], "mtu": 1500,
          "link_type": "ether", "address": "52:54:00:4a:10:02"}]
ADDRESSES = [{"ifindex": 2, "ifname": "eth0", "addr_info": [
    {"family": "inet", "local": "192.168.10.20", "prefixlen": 24, "scope": "global"}]}]
LINUX = {  # in the allowlist's order: hostname, uname -a, ip -j link, ip -j addr
    "hostname": "srv-portal\n",
    "uname -a": "Linux srv-portal 6.1.0-21-amd64 #1 SMP PREEMPT_DYNAMIC Debian x86_64 GNU/Linux\n",
    "ip -j link": json.dumps(LINKS),
    "ip -j addr": json.dumps(ADDRESSES),
}


def collect(session: ReplaySession) -> CliCollected:
    return asyncio.run(collect_cli(TARGET, session.open))


def statuses(out: CliCollected) -> dict[str, ProbeStatus]:
    return {r.probe: r.status for r in out.results}


def test_every_allowlisted_command_runs_and_fills_the_facts() -> None:
    session = ReplaySession("linux", LINUX, legacy_in_use=["keys ssh-rsa"])
    out = collect(session)
    assert session.sent == list(LINUX) and session.closed
    assert statuses(out) == {"ssh": ProbeStatus.OK} | {f"ssh:{c}": ProbeStatus.OK for c in LINUX}
    assert out.platform == "linux" and out.legacy_algorithms == ["keys ssh-rsa"]
    assert out.facts is not None and out.facts.hostname == "srv-portal"
    assert out.facts.os_version == "Linux 6.1.0-21-amd64"
    assert [p.name for p in out.facts.ports] == ["lo", "eth0"]
    assert [a.address for a in out.facts.addresses] == ["192.168.10.20"]


def test_a_command_the_device_rejects_is_unsupported_and_the_next_one_runs() -> None:
    outputs = LINUX | {"uname -a": "-bash: uname: command not found\n"}
    session = ReplaySession("linux", outputs)
    out = collect(session)
    assert session.sent == list(LINUX)  # the commands after the rejected one still ran
    assert statuses(out)["ssh:uname -a"] is ProbeStatus.UNSUPPORTED
    (rejected,) = [r for r in out.results if r.probe == "ssh:uname -a"]
    assert rejected.error == "replay rejected 'uname -a' (command not found)"
    assert out.facts is not None and out.facts.os_version is None
    assert out.facts.hostname == "srv-portal" and len(out.facts.ports) == 2


def test_a_transport_failure_ends_the_session_after_that_command() -> None:
    stuck = TransportTimeout("SSH: no answer or no prompt from 192.0.2.7:22: read timed out")
    session = ReplaySession("linux", LINUX, failures={"uname -a": stuck})
    out = collect(session)
    assert session.sent == ["hostname", "uname -a"]  # nothing more was sent to a stuck device
    assert session.closed
    assert statuses(out) == {"ssh": ProbeStatus.OK, "ssh:hostname": ProbeStatus.OK,
                             "ssh:uname -a": ProbeStatus.FAILED}
    assert out.results[-1].error == str(stuck)
    assert out.facts is not None and out.facts.hostname == "srv-portal"  # what came before stays
    assert out.facts.ports == []


def test_an_output_the_parser_cannot_read_fails_only_that_command() -> None:
    session = ReplaySession("linux", LINUX | {"ip -j link": "[{broken json"})
    out = collect(session)
    assert session.sent == list(LINUX)
    failed = {r.probe: r.error for r in out.results if r.status is ProbeStatus.FAILED}
    assert list(failed) == ["ssh:ip -j link"]
    assert (failed["ssh:ip -j link"] or "").startswith("cannot parse the output:")
    assert out.facts is not None and out.facts.hostname == "srv-portal"
    assert [a.address for a in out.facts.addresses] == ["192.168.10.20"]


def test_a_failed_login_is_one_failed_ssh_result_and_no_facts() -> None:
    refused = TransportError("SSH authentication failed on 192.0.2.7:22: check the ssh profile")
    session = ReplaySession("linux", LINUX, open_error=refused)
    out = collect(session)
    assert session.sent == []
    assert [(r.probe, r.status, r.error) for r in out.results] == [
        ("ssh", ProbeStatus.FAILED, str(refused))]
    assert out.platform is None and out.facts is None
