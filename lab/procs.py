"""Process helpers: start, wait for SNMP, stop by PID. Nothing here kills by name."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

SYS_UPTIME = "1.3.6.1.2.1.1.3.0"

# Popen objects of the daemons this process started: kept so they can be reaped (and so
# Popen.__del__ does not warn about a child still running).
_CHILDREN: dict[int, subprocess.Popen[bytes]] = {}


def start(
    argv: Sequence[str],
    log: Path,
    env: dict[str, str] | None = None,
    netns: str | None = None,
) -> int:
    """Start ``argv`` detached (own session), stdout/stderr to ``log``; return its PID.

    With ``netns`` the command runs inside that namespace via ``ip netns exec`` (which execs,
    so the PID is the daemon's own).
    """
    cmd = ["ip", "netns", "exec", netns, *argv] if netns else list(argv)
    with log.open("ab") as out:
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
            start_new_session=True,
        )
    _CHILDREN[proc.pid] = proc
    return proc.pid


def alive(pid: int) -> bool:
    """True if ``pid`` exists and is not a zombie."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    with contextlib.suppress(OSError):
        stat = Path(f"/proc/{pid}/stat").read_text()
        if stat.rsplit(")", 1)[1].split()[0] == "Z":
            _reap(pid)
            return False
    return True


def _reap(pid: int) -> None:
    """Collect ``pid`` if it is our child (no-op otherwise)."""
    proc = _CHILDREN.get(pid)
    if proc is not None:
        if proc.poll() is not None:
            del _CHILDREN[pid]
        return
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)


def stop(pids: Iterable[int], grace: float = 3.0) -> list[int]:
    """SIGTERM every PID, SIGKILL what is left after ``grace`` seconds; return PIDs still alive."""
    pending = [p for p in pids if p > 0]
    for pid in pending:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        for pid in pending:
            _reap(pid)
        pending = [p for p in pending if alive(p)]
        if not pending:
            return []
        time.sleep(0.05)
    for pid in pending:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    time.sleep(0.1)
    for pid in pending:
        _reap(pid)
    return [p for p in pending if alive(p)]


def udp_port_free(host: str, port: int) -> bool:
    """True if ``host:port`` can be bound for UDP right now."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def snmp_args(host: str, port: int, auth: Sequence[str], timeout_s: float = 0.3,
              retries: int = 0) -> list[str]:
    """net-snmp command-line target: ``udp:h:p`` or ``udp6:[h]:p``; short timeouts by default
    (readiness polling), longer ones for a read whose answer a test needs."""
    target = f"udp6:[{host}]:{port}" if ":" in host else f"udp:{host}:{port}"
    return ["-m", "", "-t", f"{timeout_s:g}", "-r", str(retries), *auth, target]


def snmp_answers(host: str, port: int, auth: Sequence[str], netns: str | None = None) -> bool:
    """One net-snmp ``snmpget`` of sysUpTime; True if the agent answered with a value."""
    cmd = ["snmpget", "-Oqv", *snmp_args(host, port, auth), SYS_UPTIME]
    if netns:
        cmd = ["ip", "netns", "exec", netns, *cmd]
    res = subprocess.run(cmd, capture_output=True, text=True, check=False)
    return res.returncode == 0 and bool(res.stdout.strip())


def wait_all_answer(
    targets: Sequence[tuple[str, int, Sequence[str]]],
    pids: Sequence[int],
    timeout: float = 20.0,
    oid: str = SYS_UPTIME,
) -> None:
    """Poll every ``(host, port, auth)`` until ``oid`` has a value; raise if one never does or a
    PID dies."""
    pending = list(targets)
    deadline = time.monotonic() + timeout
    while pending:
        dead = [p for p in pids if not alive(p)]
        if dead:
            raise RuntimeError(f"lab process(es) exited during start-up: {dead}")
        procs = [
            (t, subprocess.Popen(
                ["snmpget", "-Oqv", *snmp_args(t[0], t[1], t[2]), oid],
                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
            ))
            for t in pending
        ]
        pending = []
        for target, proc in procs:
            out, _ = proc.communicate()
            if proc.returncode != 0 or not out.strip() or out.startswith("No Such"):
                pending.append(target)
        if not pending:
            return
        if time.monotonic() > deadline:
            names = ", ".join(f"{h}:{p}" for h, p, _ in pending)
            raise TimeoutError(f"lab agents did not answer within {timeout:.0f}s: {names}")
        time.sleep(0.2)


def wait_tcp(host: str, port: int, pids: Sequence[int], timeout: float) -> None:
    """Wait until ``host:port`` accepts a TCP connection (the lab's own server only)."""
    deadline = time.monotonic() + timeout
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    while True:
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.settimeout(0.5)
            if sock.connect_ex((host, port)) == 0:
                return
        if not all(alive(pid) for pid in pids):
            raise RuntimeError(f"a lab process died before {host}:{port} answered")
        if time.monotonic() > deadline:
            raise TimeoutError(f"{host}:{port} did not accept connections in {timeout} s")
        time.sleep(0.1)
