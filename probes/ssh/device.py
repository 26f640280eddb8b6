"""Run a platform's allowlisted commands on one device and turn the outputs into CliFacts.

The session comes from the caller's opener (``transport.CliOpener``): netmiko on a scan, a
replay of captured outputs in tests. This module never imports a backend."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

from infraaudit.errors import CommandRejected, TransportError
from infraaudit.models import ProbeResult, ProbeStatus
from infraaudit.probes.ssh.parsers import CliFacts, build_facts
from infraaudit.probes.ssh.transport import CliOpener, SshTarget

BACKEND = "netmiko"


@dataclass
class CliCollected:
    platform: str | None = None
    facts: CliFacts | None = None
    results: list[ProbeResult] = field(default_factory=list)
    kept: dict[str, str] = field(default_factory=dict)  # raw text for the security checks
    legacy_algorithms: list[str] = field(default_factory=list)  # negotiated SHA-1/CBC, if any


def _result(probe: str, started: str, t0: float, status: ProbeStatus,
            error: str | None = None) -> ProbeResult:
    return ProbeResult(probe=probe, status=status, error=error, started_at=started,
                       duration_ms=round((time.perf_counter() - t0) * 1000, 2), backend=BACKEND)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


async def collect_cli(target: SshTarget, open_session: CliOpener) -> CliCollected:
    """Open a session on ``target`` with ``open_session`` (``CliSession.open`` on a scan), run
    every command of the platform's table, parse. Failures become results: a rejected command
    is UNSUPPORTED and the next one runs; a transport failure ends the session."""
    out = CliCollected()
    started, t0 = _now(), time.perf_counter()
    try:
        session = await open_session(target)
    except TransportError as exc:
        out.results.append(_result("ssh", started, t0, ProbeStatus.FAILED, str(exc)))
        return out
    out.platform = session.platform
    out.legacy_algorithms = session.legacy_in_use
    out.results.append(_result("ssh", started, t0, ProbeStatus.OK))
    outputs: dict[str, str] = {}
    async with session:
        for spec in session.table.commands:
            started, t0 = _now(), time.perf_counter()
            name = f"ssh:{spec.command}"
            try:
                outputs[spec.command] = await session.run(spec.command)
            except CommandRejected as exc:
                out.results.append(_result(name, started, t0, ProbeStatus.UNSUPPORTED, str(exc)))
            except TransportError as exc:
                out.results.append(_result(name, started, t0, ProbeStatus.FAILED, str(exc)))
                break  # the session is gone or stuck: do not hammer the device
            else:
                out.results.append(_result(name, started, t0, ProbeStatus.OK))
                if spec.parser == "keep":
                    out.kept[spec.command] = outputs[spec.command]
    errors: dict[str, str] = {}
    out.facts = build_facts(session.platform, outputs, errors)
    for result in out.results:  # the command ran, but what it printed could not be read
        command = result.probe.removeprefix("ssh:")
        if command in errors:
            result.status, result.error = ProbeStatus.FAILED, errors[command]
    return out
