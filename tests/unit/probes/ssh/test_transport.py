"""The contract of ``transport.CliTransport``, held by the netmiko session and the replay double
alike: what one refuses or rejects, the other does, with the same exception."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from infraaudit.errors import CommandRefused, CommandRejected
from infraaudit.probes.ssh.netmiko_backend import CliSession
from infraaudit.probes.ssh.replay import ReplaySession
from infraaudit.probes.ssh.transport import CliTransport, SshCredentials, SshTarget
from tests.unit.probes.ssh.fakes import FakeConnection

Make = Callable[[dict[str, str]], tuple[CliTransport, list[str]]]


def netmiko(outputs: dict[str, str]) -> tuple[CliTransport, list[str]]:
    target = SshTarget("192.0.2.1", 22, SshCredentials("audit", password="x" * 10), "cisco_ios")
    fake = FakeConnection(outputs)
    return CliSession(target, "cisco_ios", fake), fake.sent


def replay(outputs: dict[str, str]) -> tuple[CliTransport, list[str]]:
    session = ReplaySession("cisco_ios", outputs)
    return session, session.sent


BOTH = pytest.mark.parametrize("make", [netmiko, replay], ids=["netmiko", "replay"])


@BOTH
def test_a_command_off_the_allowlist_is_refused_before_anything_is_sent(make: Make) -> None:
    session, sent = make({"configure terminal": "", "show version": "Cisco IOS Software"})
    for bad in ("configure terminal", "show version\nreload", "write memory", "show ver"):
        with pytest.raises(CommandRefused, match="not on the cisco_ios allowlist"):
            asyncio.run(session.run(bad))
    assert sent == []


@BOTH
def test_the_platform_rejection_marker_is_a_rejected_command(make: Make) -> None:
    session, _ = make({"show lldp neighbors detail":
                       "                ^\n% Invalid input detected at '^' marker.\n"})
    with pytest.raises(CommandRejected, match="Invalid input"):
        asyncio.run(session.run("show lldp neighbors detail"))


@BOTH
def test_nul_padding_never_reaches_a_parser(make: Make) -> None:
    session, _ = make({"show version": "Cisco IOS\x00\x00 Software"})
    assert asyncio.run(session.run("show version")) == "Cisco IOS Software"


def test_replay_rejects_an_allowlisted_command_it_has_no_capture_of() -> None:
    session = ReplaySession("cisco_ios", {})
    with pytest.raises(CommandRejected, match="'show version' \\(no capture of it\\)"):
        asyncio.run(session.run("show version"))
    assert session.sent == ["show version"]


def test_leaving_the_replay_session_closes_it() -> None:
    session = ReplaySession("linux", {"hostname": "srv\n"})

    async def use() -> str:
        async with await session.open(SshTarget("h", 22, SshCredentials("u"))) as opened:
            return await opened.run("hostname")

    assert asyncio.run(use()) == "srv\n" and session.closed
