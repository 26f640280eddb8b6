"""The netmiko backend of ``transport.CliTransport``: read-only SSH sessions to real devices.

``CliSession`` holds the netmiko connection privately; its ``run`` is ``CliTransport.run`` (the
allowlist check). On top, every line netmiko itself types is checked against the platform's
table (``guarded_driver``). It has no configuration-mode code path at all.
netmiko is blocking: every call runs in a worker thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from typing import Any

from infraaudit.errors import CommandRefused, TransportError, TransportTimeout
from infraaudit.probes.ssh.allowlist import autodetect_commands, table
from infraaudit.probes.ssh.transport import CliTransport, SshCredentials, SshTarget

# What old devices need and modern ones never do: refused unless legacy_algorithms is set.
LEGACY_ALGORITHMS = {
    "kex": ["diffie-hellman-group1-sha1", "diffie-hellman-group14-sha1",
            "diffie-hellman-group-exchange-sha1"],
    "keys": ["ssh-rsa", "ssh-dss"],
    "ciphers": ["3des-cbc", "aes128-cbc", "aes192-cbc", "aes256-cbc"],
}


def _connection_params(target: SshTarget, device_type: str) -> dict[str, Any]:
    cred = target.credentials
    params: dict[str, Any] = {
        "device_type": device_type,
        "host": target.host,
        "port": target.port,
        "username": cred.username,
        "password": cred.password,
        "secret": cred.enable_secret,
        "use_keys": False,  # never try the operator's own ~/.ssh keys
        "key_file": str(cred.key_file) if cred.key_file else None,
        "allow_agent": False,
        "conn_timeout": target.timeout_s,
        "auth_timeout": target.timeout_s,
        "banner_timeout": target.timeout_s,
        "timeout": target.timeout_s,
        "fast_cli": False,  # old switches are slow: no shortcuts
        "ssh_strict": target.strict_host_keys,
        "system_host_keys": False,
        "disabled_algorithms": {} if target.legacy_algorithms else LEGACY_ALGORITHMS,
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
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    if lines and lines[0].startswith("A paramiko SSHException occurred"):
        lines = lines[1:]  # netmiko's heading; the cause is on the next line
    detail = lines[0][:200] if lines else type(exc).__name__  # netmiko adds a page of advice
    if isinstance(exc, ConnectionRefusedError) or isinstance(
            exc.__cause__ or exc.__context__, ConnectionRefusedError):
        return TransportError(f"SSH on {where}: connection refused (the host answered, nothing "
                              "listens on that TCP port)")
    if "not found in known_hosts" in str(exc):
        return TransportError(
            f"SSH host key of {where} is unknown and the host key policy is strict: add the "
            f"device's key to {target.known_hosts}, or use host_key_policy: accept-new"
        )
    incompatible = [line for line in lines if "Incompatible ssh" in line or "no acceptable" in line]
    if incompatible:
        return TransportError(
            f"SSH on {where}: {incompatible[0]}; an old device may need "
            "ssh_options.legacy_algorithms: true in the inventory"
        )
    if isinstance(exc, NetmikoAuthenticationException):
        return TransportError(f"SSH authentication failed on {where}: check the ssh profile")
    # netmiko re-raises paramiko's BadHostKeyException as text inside its own exception
    changed = "Host key for server" in str(exc) and "does not match" in str(exc)
    if isinstance(exc, BadHostKeyException) or changed:
        return TransportError(
            f"SSH host key of {where} changed: if the device was replaced, remove its line from "
            f"{target.known_hosts}; otherwise treat it as an incident"
        )
    if isinstance(exc, NetmikoTimeoutException | ReadTimeout | TimeoutError):
        return TransportTimeout(f"SSH: no answer or no prompt from {where}: {detail}")
    if isinstance(exc, SSHException):
        return TransportError(f"SSH error on {where}: {detail}")
    if isinstance(exc, ValueError):  # e.g. netmiko's "Unsupported 'device_type'"
        return TransportError(f"SSH: {detail}")
    return TransportError(f"SSH failure on {where}: {type(exc).__name__}: {detail}")


# (command, signature in its output, platform): tried in order, each command sent at most once.
# Every command here is on the `autodetect` allowlist. netmiko's SSHDetect is not used: it sends
# ~16 commands and waits ~7 s after each (minutes per device).
SIGNATURES: tuple[tuple[str, str, str], ...] = (
    ("show version", r"Cisco IOS[ -]XE", "cisco_xe"),
    ("show version", r"Cisco IOS Software|IOS \(tm\)|Cisco Internetwork Operating", "cisco_ios"),
    ("show version", r"JUNOS|Junos:", "juniper_junos"),
    ("show version", r"MikroTik|RouterOS", "mikrotik_routeros"),
    ("display version", r"Huawei Versatile Routing Platform|VRP \(R\) software", "huawei"),
    ("show system", r"ProCurve|Aruba|Hewlett-Packard|HPE", "hp_procurve"),
    ("uname -a", r"^Linux ", "linux"),
)


def detect_platform(target: SshTarget) -> str | None:
    """Guess the platform from at most three read-only commands sent over a generic session."""
    allowed = autodetect_commands()
    try:
        driver = guarded_driver("generic", allowed | {"exit", "quit", "logout"},
                                target.credentials)
        connection = driver(**_connection_params(target, "generic"))
    except Exception as exc:
        raise _translate(exc, target) from exc
    answers: dict[str, str] = {}
    try:
        for command, signature, platform in SIGNATURES:
            assert command in allowed, command  # the table above must stay on the allowlist
            if command not in answers:
                answers[command] = str(connection.send_command_timing(
                    command, read_timeout=target.timeout_s, last_read=1.0))
            if re.search(signature, answers[command], re.MULTILINE):
                return platform
        return None
    except Exception as exc:
        raise _translate(exc, target) from exc
    finally:
        with contextlib.suppress(Exception):
            connection.disconnect()


def _disconnect(connection: Any) -> None:
    if connection is not None:
        with contextlib.suppress(Exception):
            connection.disconnect()


def check_written(text: str, allowed: frozenset[str], credentials: frozenset[str]) -> None:
    """Every line netmiko types must be an allowlisted command, a session command of the
    platform, a credential answering a prompt, or empty (RETURN, space for a pager)."""
    for line in re.split(r"[\r\n]+", text):
        if line.strip() == "" or line in allowed or line in credentials:
            continue
        raise CommandRefused(f"{line!r} is not on the allowlist")


def guarded_driver(device_type: str, allowed: frozenset[str],
                   credentials: SshCredentials) -> Any:
    """netmiko's driver class for ``platform`` with every write checked by ``check_written``.

    netmiko types text of its own (paging, width, enable, login answers, cleanup); the guard
    keeps all of it inside the platform's table, whatever a driver version decides to send.
    """
    from netmiko.ssh_dispatcher import CLASS_MAPPER

    base = CLASS_MAPPER[device_type]
    secrets = frozenset(s for s in (credentials.password, credentials.enable_secret,
                                    credentials.username) if s)

    class Guarded(base):  # type: ignore[valid-type, misc]
        def write_channel(self, out_data: str) -> None:
            check_written(out_data, allowed, secrets)
            super().write_channel(out_data)

    Guarded.__name__ = f"Guarded{base.__name__}"
    return Guarded


class CliSession(CliTransport):
    """One read-only CLI session: ``async with await CliSession.open(target) as session:``."""

    def __init__(self, target: SshTarget, platform: str, connection: Any) -> None:
        super().__init__(target.host, platform)
        self.target = target
        self._connection = connection
        self._lock = asyncio.Lock()  # one command at a time per device

    @property
    def legacy_in_use(self) -> list[str]:
        """The SHA-1/CBC algorithms this session actually negotiated (evidence for a finding)."""
        client = getattr(self._connection, "remote_conn_pre", None)
        transport = client.get_transport() if client is not None else None
        if transport is None:
            return []
        # paramiko forgets the key exchange once it is done; host key type and cipher remain.
        agreed = {"keys": transport.host_key_type, "ciphers": transport.local_cipher}
        return [f"{kind} {value}" for kind, value in agreed.items()
                if value in LEGACY_ALGORITHMS[kind]]

    @classmethod
    async def open(cls, target: SshTarget) -> CliSession:
        platform = target.platform or await asyncio.to_thread(detect_platform, target)
        if platform is None:
            raise TransportError(f"SSH: could not recognise the platform of {target.host}; "
                                 "set `platform:` for this device in the inventory")
        table(platform)  # refuse an unknown platform before connecting
        for attempt in range(target.retries + 1):
            try:
                connection = await asyncio.to_thread(cls._connect, target, platform)
                break
            except TransportTimeout:
                if attempt == target.retries:
                    raise
        return cls(target, platform, connection)

    @staticmethod
    def _connect(target: SshTarget, platform: str) -> Any:
        connection = None
        try:
            tbl = table(platform)
            allowed = frozenset({c.command for c in tbl.commands} | tbl.session)
            driver = guarded_driver(platform, allowed, target.credentials)
            connection = driver(**_connection_params(target, platform))
            # Privileged mode only where the platform's table lists `enable` (never Linux sudo).
            wants_enable = bool(target.credentials.enable_secret) or target.credentials.enable
            if (wants_enable and "enable" in table(platform).session
                    and not connection.check_enable_mode()):
                connection.enable()
            # accept-new: paramiko's AutoAddPolicy has already added and saved a new host key.
        except CommandRefused as exc:
            _disconnect(connection)
            raise TransportError(f"SSH login on {target.host}:{target.port} refused: {exc}") \
                from exc
        except Exception as exc:
            _disconnect(connection)
            raise _translate(exc, target) from exc
        return connection

    async def _send(self, command: str) -> str:
        async with self._lock:
            return await asyncio.to_thread(self._send_blocking, command)

    def _send_blocking(self, command: str) -> str:
        try:
            output = self._connection.send_command(command, read_timeout=self.target.timeout_s)
            return str(output)
        except Exception as exc:
            raise _translate(exc, self.target) from exc

    async def close(self) -> None:
        with contextlib.suppress(Exception):  # the device may already have dropped us
            await asyncio.to_thread(self._connection.disconnect)
