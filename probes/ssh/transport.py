"""The one small SSH interface ``collect_cli`` talks to, and the types it speaks in.

``collect_cli`` only ever sees a ``CliTransport`` that a ``CliOpener`` gave it. One backend
implements it: ``netmiko_backend.CliSession`` (what a scan passes in); ``replay.ReplaySession``
is the double that serves captured outputs. Both import this module only.

Read-only by construction: ``CliTransport.run`` is the same code for every implementation and
refuses any command that is not on the platform's allowlist (``commands.yaml``) before an
implementation sees it; no implementation has a configuration-mode code path.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self

from infraaudit.errors import CommandRefused, CommandRejected
from infraaudit.probes.ssh.allowlist import PlatformTable, table

REJECTION_WINDOW = 400  # characters: a rejection is the output's first lines, never its body


@dataclass(frozen=True, repr=False)
class SshCredentials:
    username: str
    password: str = ""
    key_file: Path | None = None
    enable_secret: str = ""
    enable: bool = False  # privileged mode even with an empty enable secret

    def __repr__(self) -> str:
        return f"SshCredentials(username={self.username!r}, password=***)"


@dataclass(frozen=True)
class SshTarget:
    host: str
    port: int
    credentials: SshCredentials = field(repr=False)
    platform: str | None = None  # None: autodetect
    timeout_s: float = 15.0
    known_hosts: Path | None = None  # None: host keys are not checked (lab use only)
    strict_host_keys: bool = False  # True: refuse hosts not already in known_hosts
    legacy_algorithms: bool = False  # offer the SHA-1/CBC algorithms old devices need
    retries: int = 1  # new attempts after a connection timeout (never after a refusal)


class CliTransport(ABC):
    """One read-only CLI session on one device: ``async with await opener(target) as s:``.

    ``run`` checks the allowlist, drops NUL padding and reads the platform's "unknown command"
    markers the same way for every implementation; an implementation only sends and closes.
    """

    def __init__(self, host: str, platform: str) -> None:
        self.host = host  # how messages name the device
        self.platform = platform
        self.table: PlatformTable = table(platform)

    @property
    def legacy_in_use(self) -> list[str]:
        """The SHA-1/CBC algorithms the session negotiated (evidence for a finding)."""
        return []

    # -- what an implementation provides ------------------------------------------------------

    @abstractmethod
    async def _send(self, command: str) -> str:
        """Send one command (already on the allowlist) and return what the device printed.

        Raises ``TransportError`` (``TransportTimeout``) when the session is gone or stuck.
        """

    @abstractmethod
    async def close(self) -> None:
        """Release the session; never raises (the device may already have dropped us)."""

    # -- what collect_cli calls ---------------------------------------------------------------

    async def run(self, command: str) -> str:
        """Send one allowlisted command and return its output.

        ``CommandRefused`` (nothing is sent) for a command off the allowlist; ``CommandRejected``
        when the device says it does not know the command. NUL characters (some terminals pad
        with them) are removed, as the SNMP text parser cuts them: no audit string carries one.
        """
        if not self.table.allows(command):
            raise CommandRefused(f"{command!r} is not on the {self.platform} allowlist")
        output = (await self._send(command)).replace("\x00", "")
        for marker in self.table.rejected:
            if marker in output[:REJECTION_WINDOW]:
                raise CommandRejected(f"{self.host} rejected {command!r} ({marker})")
        return output

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


CliOpener = Callable[[SshTarget], Awaitable[CliTransport]]
"""How ``collect_cli`` gets its session: ``CliSession.open`` on a scan, ``ReplaySession.open`` in
tests. Raises ``TransportError`` when no session could be opened (refused, timed out, platform
not recognised)."""
