"""The SSH device simulator: one asyncssh process, one listener per simulated device.

``python -m lab.sshsim.server CONFIG.json`` where the JSON (written by the lab) is::

    {"byte_log_dir": "...", "devices": [{"name": "...", "host": "127.78.0.40", "port": 2222,
      "platform": "cisco_ios", "hostname": "...", "username": "admin",
      "password_env": "INFRAAUDIT_LAB_SSH_PASSWORD", "enable_env": "..." | null,
      "captures": ["dir", ...], "behaviour": "normal" | "hang" | "pager_stuck"}]}

Secrets come from the environment (the variables the lab also writes to lab.env), never from the
config file. Every byte a client sends on a session is appended, raw and flushed, to
``<byte_log_dir>/<device name>.log``; exec requests are logged as the command and ``\\n``.

Behaviours: ``hang`` accepts the login and then never prints anything (unknown prompt /
timeout); ``pager_stuck`` accepts the platform's paging-off command but keeps paging.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import signal
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import asyncssh

# one naming of capture files: the simulator serves what the replay double reads
from infraaudit.probes.ssh.replay import capture_file
from lab.sshsim.platform import CAPTURES, Platform, platforms

BEHAVIOURS = ("normal", "hang", "pager_stuck")
PIPE_FILTERS = ("include", "inc", "i", "match", "exclude", "except", "begin")


@dataclass
class SimDevice:
    """One simulated device as the server sees it (secrets resolved from the environment)."""

    name: str
    host: str
    port: int
    platform: str
    hostname: str
    username: str
    password: str
    enable_secret: str | None
    captures: list[Path] = field(default_factory=list)
    behaviour: str = "normal"

    @classmethod
    def from_config(cls, raw: dict[str, object], env: dict[str, str]) -> SimDevice:
        """Build from one config entry; ``*_env`` names are looked up in ``env``."""
        enable_env = raw.get("enable_env")
        captures = [Path(str(p)) for p in raw.get("captures") or []]  # type: ignore[attr-defined]
        device = cls(
            name=str(raw["name"]), host=str(raw["host"]), port=int(str(raw["port"])),
            platform=str(raw["platform"]), hostname=str(raw["hostname"]),
            username=str(raw["username"]), password=env[str(raw["password_env"])],
            enable_secret=env[str(enable_env)] if enable_env else None,
            captures=captures or [CAPTURES / str(raw["platform"])],
            behaviour=str(raw.get("behaviour") or "normal"),
        )
        if device.platform not in platforms():
            raise ValueError(f"{device.name}: unknown platform {device.platform!r}")
        if device.behaviour not in BEHAVIOURS:
            raise ValueError(f"{device.name}: unknown behaviour {device.behaviour!r}")
        return device

    def capture(self, command: str) -> str | None:
        """Recorded output of ``command`` (first capture folder that has it), or None."""
        name = capture_file(command)
        for folder in self.captures:
            path = folder / name
            if path.is_file():
                return path.read_text(encoding="utf-8")
        return None


def login_user(platform: str, username: str) -> str:
    """The account name: netmiko appends RouterOS terminal options (``admin+ct511w4098h``)."""
    if platform == "mikrotik_routeros" and "+" in username:
        return username.split("+", 1)[0]
    return username


class CliSession(asyncssh.SSHServerSession[bytes]):
    """One interactive (or exec) session on a simulated device."""

    def __init__(self, device: SimDevice, user: str, log: BinaryIO) -> None:
        self.device = device
        self.platform: Platform = platforms()[device.platform]
        self.user = user
        self.log = log
        self.chan: asyncssh.SSHServerChannel[bytes] | None = None
        self.mode = "line"  # line | anykey | pager | enable_pw | hang | closed
        self.buf = ""
        self.enabled = self.platform.enable_command is None
        self.paging = self.platform.screen_lines > 0
        self.pending: list[str] = []
        self.skip_lf = False
        self.exec_command: str | None = None

    # -- asyncssh callbacks -------------------------------------------------------------------

    def connection_made(self, chan: asyncssh.SSHServerChannel[bytes]) -> None:
        self.chan = chan

    def pty_requested(self, term_type: str, term_size: tuple[int, int, int, int],
                      term_modes: Mapping[int, int]) -> bool:
        return True

    def shell_requested(self) -> bool:
        return True

    def exec_requested(self, command: str) -> bool:
        self.exec_command = command
        self._log((command + "\n").encode())
        return True

    def session_started(self) -> None:
        if self.device.behaviour == "hang":
            self.mode = "hang"
            return
        if self.exec_command is not None:
            self._run_exec(self.exec_command)
            return
        banner = self.platform.banner.format(host=self.device.hostname, user=self.user)
        if banner:
            self._write_lines(banner.splitlines())
        if self.platform.press_any_key:
            self._write("Press any key to continue")
            self.mode = "anykey"
        else:
            self._write(self.prompt)

    def data_received(self, data: bytes, datatype: asyncssh.DataType) -> None:
        self._log(data)
        for ch in data.decode("utf-8", errors="replace"):
            if self.mode == "closed":
                return
            self._feed(ch)

    def eof_received(self) -> bool:
        return False

    # -- helpers ------------------------------------------------------------------------------

    @property
    def prompt(self) -> str:
        template = self.platform.enable_prompt if self.enabled else self.platform.prompt
        return template.format(host=self.device.hostname, user=self.user)

    def _log(self, data: bytes) -> None:
        self.log.write(data)
        self.log.flush()

    def _write(self, text: str) -> None:
        if self.chan is not None and self.mode != "closed":
            self.chan.write(text.encode("utf-8"))

    def _write_lines(self, lines: list[str]) -> None:
        self._write("".join(line + "\r\n" for line in lines))

    def _close(self) -> None:
        if self.chan is not None and self.mode != "closed":
            self.mode = "closed"
            self.chan.exit(0)

    # -- input --------------------------------------------------------------------------------

    def _feed(self, ch: str) -> None:
        if ch == "\n" and self.skip_lf:
            self.skip_lf = False
            return
        self.skip_lf = ch == "\r"
        if self.mode == "hang":
            return
        if self.mode == "anykey":
            self._write("\r\n" + self.prompt)
            self.mode = "line"
        elif self.mode == "pager":
            self._pager_key(ch)
        elif self.mode == "enable_pw":
            self._enable_key(ch)
        else:
            self._line_key(ch)

    def _line_key(self, ch: str) -> None:
        if ch in "\r\n":
            line, self.buf = self.buf, ""
            self._write("\r\n")
            self._run(line)
        elif ch in "\x7f\x08":
            if self.buf:
                self.buf = self.buf[:-1]
                self._write("\b \b")
        elif ch == "\x03":
            self.buf = ""
            self._write("\r\n" + self.prompt)
        elif ch.isprintable():
            self.buf += ch
            self._write(ch)

    def _enable_key(self, ch: str) -> None:
        if ch not in "\r\n":
            self.buf = self.buf[:-1] if ch in "\x7f\x08" else self.buf + ch
            return
        secret, self.buf = self.buf, ""
        self.mode = "line"
        self._write("\r\n")
        if secret == self.device.enable_secret:
            self.enabled = True
        else:
            self._write_lines([self.platform.enable_failed, ""])
        self._write(self.prompt)

    def _pager_key(self, ch: str) -> None:
        self._write("\r" + " " * len(self.platform.pager) + "\r")
        if ch == " ":
            self._show(self.pending)
        elif ch in "\r\n":
            self._show(self.pending, first=1)
        else:
            self.pending = []
            self.mode = "line"
            self._write(self.prompt)

    # -- commands -----------------------------------------------------------------------------

    def _run(self, line: str) -> None:
        cmd = " ".join(line.split())
        plat = self.platform
        if not cmd:
            self._write(self.prompt)
        elif cmd in plat.exit_commands:
            self._close()
        elif plat.enable_command and cmd == plat.enable_command:
            self._enable()
        elif plat.enable_command and cmd == "disable":
            self.enabled = False
            self._write(self.prompt)
        elif cmd in plat.paging_off:
            if self.device.behaviour != "pager_stuck":
                self.paging = False
            self._reply(plat.paging_off_reply)
        elif cmd in plat.replies:
            self._reply(plat.replies[cmd])
        else:
            output = self._output(cmd)
            if output is None:
                self._write_lines(plat.error_lines(self.prompt, line.rstrip()))
                self._write(self.prompt)
            else:
                self._show(output)

    def _reply(self, text: str) -> None:
        if text:
            self._write_lines(text.splitlines())
        self._write(self.prompt)

    def _enable(self) -> None:
        if self.enabled:
            self._write(self.prompt)
        elif self.device.enable_secret is None:
            self._write_lines([self.platform.enable_no_secret, ""])
            self._write(self.prompt)
        else:
            self.mode = "enable_pw"
            self._write(self.platform.enable_password_prompt)

    def _output(self, cmd: str) -> list[str] | None:
        """Lines of a command's output (capture, then ``| include`` style filters), or None."""
        base, *pipes = [part.strip() for part in cmd.split("|")]
        if base in self.platform.privileged and not self.enabled:
            return None
        text = self.device.capture(base)
        if text is None:
            return None
        lines = text.rstrip("\n").splitlines()
        for pipe in pipes:
            verb, _, arg = pipe.partition(" ")
            if verb not in PIPE_FILTERS or not arg:
                return None
            rx = re.compile(arg)
            if verb in ("exclude", "except"):
                lines = [ln for ln in lines if not rx.search(ln)]
            elif verb == "begin":
                start = next((i for i, ln in enumerate(lines) if rx.search(ln)), len(lines))
                lines = lines[start:]
            else:
                lines = [ln for ln in lines if rx.search(ln)]
        return lines

    def _show(self, lines: list[str], first: int | None = None) -> None:
        """Print ``lines``; with the pager on, one screen (or ``first`` lines) at a time."""
        screen = first if first is not None else self.platform.screen_lines
        if not self.paging or len(lines) <= screen:
            self._write_lines(lines)
            self.pending = []
            self.mode = "line"
            self._write(self.prompt)
            return
        self._write_lines(lines[:screen])
        self.pending = lines[screen:]
        self.mode = "pager"
        self._write(self.platform.pager)

    def _run_exec(self, command: str) -> None:
        cmd = " ".join(command.split())
        output = self._output(cmd)
        if output is None:
            text = "\n".join(self.platform.error_lines("", cmd)) + "\n"
            status = 1
        else:
            text = "".join(line + "\n" for line in output)
            status = 0
        if self.chan is not None:
            self.chan.write(text.encode("utf-8"))
            self.mode = "closed"
            self.chan.exit(status)


class DeviceServer(asyncssh.SSHServer):
    """Authentication for one simulated device; each session gets a :class:`CliSession`."""

    def __init__(self, device: SimDevice, log: BinaryIO) -> None:
        self.device = device
        self.log = log
        self.user = device.username

    def begin_auth(self, username: str) -> bool:
        self.user = login_user(self.device.platform, username)
        return True

    def password_auth_supported(self) -> bool:
        return True

    def validate_password(self, username: str, password: str) -> bool:
        user = login_user(self.device.platform, username)
        return user == self.device.username and password == self.device.password

    def session_requested(self) -> CliSession:
        return CliSession(self.device, self.user, self.log)


async def serve(config: dict[str, object], env: dict[str, str]) -> None:
    """Listen for every device in ``config`` until SIGTERM/SIGINT."""
    log_dir = Path(str(config["byte_log_dir"]))
    log_dir.mkdir(parents=True, exist_ok=True)
    devices = [SimDevice.from_config(d, env) for d in config["devices"]]  # type: ignore[attr-defined]
    key = asyncssh.generate_private_key("ssh-ed25519")
    logs: list[BinaryIO] = []
    servers = []
    for device in devices:
        log: BinaryIO = (log_dir / f"{device.name}.log").open("ab")
        logs.append(log)

        def factory(device: SimDevice = device, log: BinaryIO = log) -> DeviceServer:
            return DeviceServer(device, log)

        servers.append(await asyncssh.create_server(
            factory, device.host, device.port, server_host_keys=[key], encoding=None,
            line_editor=False, reuse_address=True, login_timeout=30,
            server_version="Cisco-1.25" if device.platform == "cisco_ios" else "OpenSSH_9.2",
        ))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print(f"sshsim: {len(devices)} devices listening", flush=True)
    await stop.wait()
    for server in servers:
        server.close()
    for server in servers:
        await server.wait_closed()
    for log in logs:
        log.close()


def main(argv: list[str] | None = None) -> int:
    """Entry point: ``python -m lab.sshsim.server CONFIG.json``."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m lab.sshsim.server CONFIG.json", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.WARNING)
    config = json.loads(Path(args[0]).read_text(encoding="utf-8"))
    asyncio.run(serve(config, dict(os.environ)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
