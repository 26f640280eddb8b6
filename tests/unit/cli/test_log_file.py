"""Library noise goes to the debug log, not the terminal: a device answering every request with
30 datagrams of seeded random bytes (a loopback socket of this test) makes pysnmp fail in its
callback (14 times per run with these seeds: ConstructedAsn1Type.clone()); a normal
run shows the device's one summary line, ``--log-file`` keeps what pysnmp left behind, ``-v``
shows it as one line. A log file that is not a regular file is refused (exit 2)."""

from __future__ import annotations

import os
import random
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.paths import REPO

NOISE = ("Traceback", "Exception in callback", "panicked", "Task was destroyed")


@pytest.fixture
def junk_port() -> Iterator[int]:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))

        def answer() -> None:
            for counter in range(1_000_000):
                try:
                    _, peer = sock.recvfrom(65535)
                    for size in range(30):
                        sock.sendto(random.Random(counter * 100 + size).randbytes(7 + size),
                                    peer)
                except OSError:  # closed at the end of the test
                    return

        threading.Thread(target=answer, daemon=True).start()
        yield sock.getsockname()[1]


def cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "infraaudit.cli", *args], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120, check=False,
                          env={**os.environ, "PYTHONPATH": str(REPO), "COMM": "c0mm",
                               "COLUMNS": "300"})


def test_pysnmp_noise_is_in_the_log_file_not_on_the_terminal(tmp_path: Path,
                                                             junk_port: int) -> None:
    (tmp_path / "site.yaml").write_text(
        'agency: {code: TTT, name: "Thanh tra"}\nsite: {id: s1, name: "Trụ sở"}\n'
        'credentials: {snmp: {office: {version: v2c, community: "${COMM}"}}}\n'
        "limits: {timeout_s: 0.5, retries: 1}\n"
        "link: {enabled: false}\nipv6: {enabled: false}\ndiscovery: {enabled: false}\n"
        f"devices:\n  - {{host: 127.0.0.1, port: {junk_port}, snmp: office}}\n", "utf-8")
    scan = ["scan", "site.yaml", "-o", "a.json", "--backend", "pysnmp"]
    quiet = cli(tmp_path, "--log-file", "debug.log", *scan)
    assert quiet.returncode == 1, quiet.stderr
    assert not [n for n in NOISE if n in quiet.stdout + quiet.stderr]
    assert "could not handle a datagram" not in quiet.stderr
    assert [line for line in quiet.stderr.splitlines() if f":{junk_port}" in line] == [
        f"127.0.0.1:{junk_port}  — no answer",  # the device's line, then what to check
        f"127.0.0.1:{junk_port} — no answer at all (ping not measured): check that the device "
        "is on, cabled and at this address"]
    logged = (tmp_path / "debug.log").read_text(encoding="utf-8").splitlines()
    assert any("pysnmp could not handle a datagram from" in line for line in logged)
    verbose = cli(tmp_path, "-v", *scan)
    assert "pysnmp could not handle a datagram" in verbose.stderr
    assert not [n for n in NOISE if n in verbose.stdout + verbose.stderr]


def test_a_log_file_that_is_not_a_regular_file_is_refused(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "fifo")
    res = cli(tmp_path, "--log-file", "fifo", "schema")
    assert res.returncode == 2 and res.stdout == ""
    assert res.stderr.strip() == ("error: log file: cannot write fifo: not a regular file; "
                                  "give the path of a file")
