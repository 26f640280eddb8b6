"""SIGTERM in the first seconds of the program (while Python imports the commands): ``scan``
still writes the partial audit the README promises (exit 130, ``complete: false``), every other
command dies of it as before. The signal is sent as soon as the process has a SIGTERM handler
(``SigCgt`` in /proc) and the test checks it was still importing then (pydantic's compiled core,
which the commands need, not yet mapped), so it does not depend on how fast the machine is."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from infraaudit.models import AuditDocument, ProbeStatus
from tests.paths import REPO


def _catches_sigterm(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    except OSError:
        return False
    mask = next(line.split()[1] for line in status.splitlines() if line.startswith("SigCgt:"))
    return bool(int(mask, 16) >> (signal.SIGTERM - 1) & 1)


def _still_importing(pid: int) -> bool:
    return "_pydantic_core" not in Path(f"/proc/{pid}/maps").read_text(encoding="utf-8",
                                                                         errors="replace")


def _start_and_term(argv: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Start the CLI, SIGTERM it the moment it holds a SIGTERM handler, while it still imports
    the commands, and wait for it."""
    proc = subprocess.Popen([sys.executable, "-m", "infraaudit.cli", *argv], cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(REPO), "COMM": "c0mm"})
    try:
        while not _catches_sigterm(proc.pid):
            assert proc.poll() is None, proc.communicate()
            time.sleep(0.001)
        early = _still_importing(proc.pid)
        proc.send_signal(signal.SIGTERM)
        assert early, "the SIGTERM came after the commands were imported"
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A UDP port on loopback that takes requests and never answers."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


def _inventory(tmp_path: Path, port: int) -> Path:
    path = tmp_path / "site.yaml"
    path.write_text(
        'agency: {code: TTT, name: "Thanh tra"}\nsite: {id: s1, name: "Trụ sở"}\n'
        'credentials: {snmp: {office: {version: v2c, community: "${COMM}"}}}\n'
        "limits: {timeout_s: 5, retries: 3}\n"
        "link: {enabled: false}\nipv6: {enabled: false}\ndiscovery: {enabled: false}\n"
        f"devices:\n  - {{host: 127.0.0.1, port: {port}, snmp: office}}\n"
        f"  - {{host: 127.0.0.2, port: {port}, snmp: office}}\n", encoding="utf-8")
    return path


def test_sigterm_while_scan_starts_writes_a_partial_audit(tmp_path: Path,
                                                          silent_port: int) -> None:
    inventory = _inventory(tmp_path, silent_port)
    res = _start_and_term(["scan", str(inventory), "-o", "audit.json", "--quiet"], tmp_path)
    assert res.returncode == 130, res.stderr
    assert "interrupted: writing a partial audit (complete: false)" in res.stderr
    assert "Traceback" not in res.stderr
    doc = AuditDocument.model_validate(json.loads((tmp_path / "audit.json").read_text("utf-8")))
    assert doc.scan.complete is False and doc.coverage.targets == 2
    assert [d.host for d in doc.devices] == ["127.0.0.1", "127.0.0.2"]
    assert all(not d.fully_probed for d in doc.devices)
    assert {p.status for d in doc.devices for p in d.probes} <= {ProbeStatus.SKIPPED,
                                                                  ProbeStatus.FAILED}


def test_sigterm_while_another_command_starts_still_ends_it(tmp_path: Path,
                                                            silent_port: int) -> None:
    inventory = _inventory(tmp_path, silent_port)
    res = _start_and_term(["health", str(inventory), "--db", "h.sqlite"], tmp_path)
    assert res.returncode == -signal.SIGTERM, res.stderr
    assert not (tmp_path / "h.sqlite").exists()
