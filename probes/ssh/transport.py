"""Read-only SSH sessions over netmiko.

``CliSession`` is the only way probes reach a device's CLI. It holds the netmiko connection
privately and exposes one operation, ``run(command)``, which refuses anything that is not on the
platform's allowlist (``commands.yaml``). It has no configuration-mode code path at all.
netmiko is blocking: every call runs in a worker thread.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from infraaudit.errors import TransportError, TransportTimeout
from probes.ssh.allowlist import CommandRefused, PlatformTable, table


@dataclass(frozen=True, repr=False)
class SshCredentials:
    username: str
    password: str = ""
    key_file: Path | None = None
    enable_secret: str = ""

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


class CommandRejected(TransportError):
    """The device answered that it does not know the command."""


def _connection_params(target: SshTarget, device_type: str) -> dict[str, Any]:
    cred = target.credentials
    params: dict[str, Any] = {
        "device_type": device_type,
        "host": target.host,
        "port": target.port,
        "username": cred.username,
        "password": cred.password,
        "secret": cred.enable_secret,
        "use_keys": cred.key_file is not None,
        "key_file": str(cred.key_file) if cred.key_file else None,
        "allow_agent": False,
        "conn_timeout": target.timeout_s,
        "auth_timeout": target.timeout_s,
        "banner_timeout": target.timeout_s,
        "timeout": target.timeout_s,
        "fast_cli": False,  # old switches are slow: no shortcuts
        "ssh_strict": target.strict_host_keys,
        "system_host_keys": False,
    }
    if target.known_hosts is not None:
        target.known_hosts.parent.mkdir(parents=True, exist_ok=True)
        target.known_hosts.touch(exist_ok=True)
        params |= {"alt_host_keys": True, "alt_key_file": str(target.known_hosts)}
    return params


def _translate(exc: Exception, target: SshTarget) -> TransportError:
    """netmiko/paramiko exceptions -> ours, with what to do next."""
    from netmiko.exceptions import (
        NetmikoAuthenticationException,
        NetmikoTimeoutException,
        ReadTimeout,
    )
    from paramiko.ssh_exception import BadHostKeyException, SSHException

    where = f"{target.host}:{target.port}"
    if isinstance(exc, NetmikoAuthenticationException):
        return TransportError(f"SSH authentication failed on {where}: check the ssh profile")
    if isinstance(exc, BadHostKeyException):
        return TransportError(
            f"SSH host key of {where} changed: if the device was replaced, remove its line from "
            f"{target.known_hosts}; otherwise treat it as an incident"
        )
    if isinstance(exc, NetmikoTimeoutException | ReadTimeout | TimeoutError):
        return TransportTimeout(f"SSH: no answer or no prompt from {where} ({exc})".strip())
    if isinstance(exc, SSHException):
        return TransportError(f"SSH error on {where}: {exc}")
    if isinstance(exc, ValueError):  # e.g. netmiko's "Unsupported 'device_type'"
        return TransportError(f"SSH: {exc}")
    return TransportError(f"SSH failure on {where}: {exc!r}")


def detect_platform(target: SshTarget) -> str | None:
    """netmiko's SSHDetect; it sends only the read-only commands listed under ``autodetect``."""
    from netmiko import SSHDetect

    try:
        guesser = SSHDetect(**_connection_params(target, "autodetect"))
        try:
            return guesser.autodetect()
        finally:
            guesser.connection.disconnect()
    except Exception as exc:
        raise _translate(exc, target) from exc


class CliSession:
    """One read-only CLI session: ``async with await CliSession.open(target) as session:``."""

    def __init__(self, target: SshTarget, platform: str, connection: Any) -> None:
        self.target = target
        self.platform = platform
        self.table: PlatformTable = table(platform)
        self._connection = connection
        self._lock = asyncio.Lock()  # one command at a time per device

    @classmethod
    async def open(cls, target: SshTarget) -> CliSession:
        platform = target.platform or await asyncio.to_thread(detect_platform, target)
        if platform is None:
            raise TransportError(f"SSH: could not recognise the platform of {target.host}; "
                                 "set `platform:` for this device in the inventory")
        table(platform)  # refuse an unknown platform before connecting
        connection = await asyncio.to_thread(cls._connect, target, platform)
        return cls(target, platform, connection)

    @staticmethod
    def _connect(target: SshTarget, platform: str) -> Any:
        from netmiko import ConnectHandler

        try:
            connection = ConnectHandler(**_connection_params(target, platform))
            if target.credentials.enable_secret and not connection.check_enable_mode():
                connection.enable()
            if target.known_hosts is not None and not target.strict_host_keys:
                # accept-new: remember the key seen now; a later change fails the connection
                client = connection.remote_conn_pre
                if client is not None:
                    client.get_host_keys().save(str(target.known_hosts))
        except Exception as exc:
            raise _translate(exc, target) from exc
        return connection

    async def run(self, command: str) -> str:
        """Send one allowlisted command and return its output."""
        if not self.table.allows(command):
            raise CommandRefused(f"{command!r} is not on the {self.platform} allowlist")
        async with self._lock:
            output = await asyncio.to_thread(self._send, command)
        for marker in self.table.rejected:
            if marker in output[:400]:
                raise CommandRejected(f"{self.target.host} rejected {command!r}: "
                                      f"{output.strip().splitlines()[-1][:120]}")
        return output

    def _send(self, command: str) -> str:
        try:
            return str(self._connection.send_command(command, read_timeout=self.target.timeout_s))
        except Exception as exc:
            raise _translate(exc, self.target) from exc

    async def close(self) -> None:
        with contextlib.suppress(Exception):  # the device may already have dropped us
            await asyncio.to_thread(self._connection.disconnect)

    async def __aenter__(self) -> CliSession:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
