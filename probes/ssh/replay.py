"""A replay transport: a CLI session made of captured outputs, one text file per command.

Replay tests feed ``collect_cli`` through this session exactly as through netmiko: ``run`` is
``CliTransport.run``, so a command off the allowlist is refused (``CommandRefused``) and an
output carrying the platform's "unknown command" marker is rejected (``CommandRejected``).
An allowlisted command without a capture is rejected too, as a device without it does.
A capture folder holds ``<command>.txt`` files named by ``capture_file``, the SSH simulator's
naming too (``lab/sshsim/server.py`` calls it), so both read the same folders.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from infraaudit.errors import CommandRejected, TransportError
from infraaudit.probes.ssh.allowlist import table
from infraaudit.probes.ssh.transport import CliTransport, SshTarget


def capture_file(command: str) -> str:
    """``show ip int brief`` -> ``show_ip_int_brief.txt``; characters other than letters, digits,
    ``_``, ``.`` and ``-`` become ``-``; MikroTik's leading ``/`` is dropped."""
    name = "_".join(command.strip().lstrip("/").split())
    return re.sub(r"[^A-Za-z0-9_.-]", "-", name) + ".txt"


def read_captures(platform: str, folder: Path) -> dict[str, str]:
    """The outputs in ``folder`` of the commands on ``platform``'s allowlist, by command."""
    files = {spec.command: folder / capture_file(spec.command)
             for spec in table(platform).commands}
    return {command: path.read_text(encoding="utf-8")
            for command, path in files.items() if path.is_file()}


class ReplaySession(CliTransport):
    """Serves ``outputs`` (command -> text). ``failures`` (command -> error) are raised instead,
    as a session that dies or hangs on that command; ``open_error`` makes the login fail.
    ``sent`` lists what reached the "device", in order."""

    def __init__(self, platform: str, outputs: Mapping[str, str], *,
                 failures: Mapping[str, TransportError] | None = None,
                 open_error: TransportError | None = None,
                 legacy_in_use: Iterable[str] = (), host: str = "replay") -> None:
        super().__init__(host, platform)
        self.outputs = dict(outputs)
        self.failures = dict(failures or {})
        self.open_error = open_error
        self._legacy = list(legacy_in_use)
        self.sent: list[str] = []
        self.closed = False

    @classmethod
    def from_folder(cls, platform: str, folder: Path, *,
                    failures: Mapping[str, TransportError] | None = None) -> ReplaySession:
        if not folder.is_dir():
            raise FileNotFoundError(f"no capture folder {folder}")
        return cls(platform, read_captures(platform, folder), failures=failures)

    @property
    def legacy_in_use(self) -> list[str]:
        return list(self._legacy)

    async def open(self, target: SshTarget) -> ReplaySession:
        """A ``CliOpener``: the target is not read, the captures decide what the device says."""
        if self.open_error is not None:
            raise self.open_error
        return self

    async def _send(self, command: str) -> str:
        self.sent.append(command)
        if command in self.failures:
            raise self.failures[command]
        if command not in self.outputs:
            raise CommandRejected(f"{self.host} rejected {command!r} (no capture of it)")
        return self.outputs[command]

    async def close(self) -> None:
        self.closed = True
