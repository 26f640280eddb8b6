"""SIGTERM while ``scan`` waits for devices (requests in flight, on both backends): exit 130
with the partial audit, and nothing on the terminal a user reads as a crash (no "Task was
destroyed but it is pending!", no traceback). The signal is sent once the process owns a UDP
socket (its SNMP engine is talking to the silent devices), not after a fixed time."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from infraaudit.models import AuditDocument
from tests.paths import REPO
from tests.unit.cli.test_sigterm_start import _inventory, silent_port

__all__ = ["silent_port"]  # the fixture, shared with test_sigterm_start


def _owns_a_socket(pid: int) -> bool:
    fds = Path(f"/proc/{pid}/fd")
    try:
        return any(os.readlink(fd).startswith("socket:") for fd in fds.iterdir())
    except OSError:  # a descriptor closed while we looked: look again
        return False


@pytest.mark.parametrize("backend", ["gufo", "pysnmp"])
def test_sigterm_while_requests_are_in_flight_leaves_no_pending_task_noise(
        tmp_path: Path, silent_port: int, backend: str) -> None:
    inventory = _inventory(tmp_path, silent_port)
    proc = subprocess.Popen(
        [sys.executable, "-m", "infraaudit.cli", "scan", str(inventory), "-o", "audit.json",
         "--backend", backend], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, env={**os.environ, "PYTHONPATH": str(REPO), "COMM": "c0mm"})
    try:
        while not _owns_a_socket(proc.pid):
            assert proc.poll() is None, proc.communicate()
            time.sleep(0.001)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130, err
    for noise in ("Task was destroyed", "Traceback", "Exception in callback", "panicked"):
        assert noise not in out + err
    doc = AuditDocument.model_validate(json.loads((tmp_path / "audit.json").read_text("utf-8")))
    assert doc.scan.complete is False and [d.host for d in doc.devices] == ["127.0.0.1",
                                                                           "127.0.0.2"]
