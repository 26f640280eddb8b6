"""The SSH allowlist is data; these tests keep it read-only and keep the transport honest."""

from __future__ import annotations

import asyncio
import re

import pytest

from infraaudit.errors import CommandRefused, CommandRejected
from infraaudit.probes.ssh.allowlist import (
    autodetect_commands,
    command_slug,
    platforms,
    resolve,
    table,
)
from infraaudit.probes.ssh.netmiko_backend import CliSession
from infraaudit.probes.ssh.transport import SshCredentials, SshTarget
from tests.unit.probes.ssh.fakes import FakeConnection

# Words that change a device. Junos' `set cli ...` only changes the session, and is allowed
# in `session:` only.
WRITES = re.compile(r"^\s*(conf|configure|write|wr\b|copy|delete|del\b|erase|reload|reboot|"
                    r"format|clear|debug|undebug|shutdown|no\b|set\b|system-view|save|commit|"
                    r"request|rm\b|sudo|/system reset|/system reboot|/file remove)", re.I)


@pytest.mark.parametrize("platform", platforms())
def test_collected_commands_are_read_only(platform: str) -> None:
    for command in table(platform).commands:
        assert not WRITES.match(command.command), f"{platform}: {command.command}"


@pytest.mark.parametrize("platform", platforms())
def test_session_commands_only_set_up_the_session(platform: str) -> None:
    allowed_session = re.compile(
        r"^(terminal (length|width) \d+|no page|screen-length 0 temporary|"
        r"set cli (screen-length|screen-width) \d+|set cli complete-on-space off|"
        r"enable|exit|quit|logout|y|n|N|cli|exit configuration-mode)$")
    for command in table(platform).session:
        assert allowed_session.match(command), f"{platform}: {command}"


def test_autodetect_list_covers_what_netmiko_sends() -> None:
    from netmiko.ssh_autodetect import SSH_MAPPER_DICT

    sent = {entry["cmd"] for entry in SSH_MAPPER_DICT.values()} - {""}
    assert sent <= autodetect_commands(), sent - autodetect_commands()
    for command in autodetect_commands():
        assert not WRITES.match(command), command


def test_aliases() -> None:
    assert resolve("cisco_xe") == "cisco_ios"
    assert table("aruba_osswitch") == table("hp_procurve")
    with pytest.raises(CommandRefused, match="no command table"):
        table("cisco_nxos_unknown")
    assert command_slug("show configuration | display set") == "show_configuration_display_set"


def _session(answers: dict[str, str]) -> tuple[CliSession, FakeConnection]:
    target = SshTarget("192.0.2.1", 22, SshCredentials("audit", password="x" * 10), "cisco_ios")
    fake = FakeConnection(answers)
    return CliSession(target, "cisco_ios", fake), fake


def test_session_refuses_anything_not_on_the_list() -> None:
    session, fake = _session({"show version": "Cisco IOS Software"})

    async def run() -> None:
        assert await session.run("show version") == "Cisco IOS Software"
        for bad in ("configure terminal", "show version\nreload", "write memory", "show ver"):
            with pytest.raises(CommandRefused):
                await session.run(bad)
        await session.close()

    asyncio.run(run())
    assert fake.sent == ["show version", "<disconnect>"]


def test_rejected_command_is_reported() -> None:
    session, _ = _session({"show lldp neighbors detail":
                           "                ^\n% Invalid input detected at '^' marker.\n"})
    with pytest.raises(CommandRejected, match="Invalid input"):
        asyncio.run(session.run("show lldp neighbors detail"))


def test_ssh_credentials_repr_hides_password() -> None:
    cred = SshCredentials("audit", password="s3cret-pass", enable_secret="en-s3cret")
    assert "s3cret" not in repr(cred)
    assert "s3cret" not in repr(SshTarget("h", 22, cred))


def test_one_unreadable_output_costs_only_that_command() -> None:
    from infraaudit.probes.ssh.parsers import build_facts

    errors: dict[str, str] = {}
    facts = build_facts("linux", {"hostname": "srv-portal\n", "ip -j link": "[{broken json"},
                        errors)
    assert facts.hostname == "srv-portal"
    assert list(errors) == ["ip -j link"]


def test_write_guard_lets_only_listed_lines_through() -> None:
    from infraaudit.probes.ssh.netmiko_backend import check_written

    allowed = frozenset({"show version", "terminal length 0", "exit"})
    creds = frozenset({"s3cret-enable"})
    for ok in ("show version\n", "\n", " ", "terminal length 0\r\n", "s3cret-enable\n"):
        check_written(ok, allowed, creds)
    for bad in ("Y\n", "configure terminal\n", "show version\nreload\n", "write memory"):
        with pytest.raises(CommandRefused):
            check_written(bad, allowed, creds)


def test_huawei_save_prompt_answer_is_refused() -> None:
    """netmiko's Huawei login answers 'Y' (save the configuration) to a banner: a write."""
    from infraaudit.probes.ssh.netmiko_backend import check_written

    tbl = table("huawei")
    allowed = frozenset({c.command for c in tbl.commands} | tbl.session)
    with pytest.raises(CommandRefused):
        check_written("Y\n", allowed, frozenset())
    check_written("N\n", allowed, frozenset())  # declining a password change is fine


def test_connection_timeouts_are_retried_but_refusals_are_not(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from infraaudit.errors import TransportError, TransportTimeout

    calls: list[str] = []

    def flaky_connect(target: SshTarget, platform: str) -> FakeConnection:
        calls.append(target.host)
        if target.host == "timeout" and len(calls) < 3:
            raise TransportTimeout("no answer")
        if target.host == "refused":
            raise TransportError("SSH authentication failed")
        return FakeConnection({})

    monkeypatch.setattr(CliSession, "_connect", staticmethod(flaky_connect))
    cred = SshCredentials("audit", password="x" * 10)
    session = asyncio.run(CliSession.open(SshTarget("timeout", 22, cred, "cisco_ios", retries=2)))
    assert session.platform == "cisco_ios" and len(calls) == 3
    calls.clear()
    with pytest.raises(TransportError, match="authentication"):
        asyncio.run(CliSession.open(SshTarget("refused", 22, cred, "cisco_ios", retries=2)))
    assert len(calls) == 1


def test_netmiko_wrapped_host_key_change_is_named() -> None:
    from netmiko.exceptions import NetmikoTimeoutException

    from infraaudit.probes.ssh.netmiko_backend import _translate

    target = SshTarget("10.0.0.9", 22, SshCredentials("audit", password="x" * 10), "cisco_ios")
    wrapped = NetmikoTimeoutException(
        "A paramiko SSHException occurred during connection creation:\n\n"
        "Host key for server '10.0.0.9' does not match: got 'AAAA', expected 'BBBB'")
    error = _translate(wrapped, target)
    assert "host key of 10.0.0.9:22 changed" in str(error)
    assert type(error).__name__ == "TransportError"  # not mistaken for a timeout


def test_session_output_loses_nul_padding() -> None:
    """Some terminals pad with NUL; the collector refuses NUL in audits, the SNMP parser cuts it:
    CLI output drops it before any parser sees it."""
    session, _ = _session({"show version": "Cisco IOS\x00\x00 Software"})
    assert asyncio.run(session.run("show version")) == "Cisco IOS Software"
