"""What the command line imports before a command runs (issue 17): its commands' signatures
and help, not their implementation. Checked in a fresh interpreter by the modules it holds,
not by timing (tests/bench/bench_startup.py measures the time)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.paths import REPO

HEAVY = ["scapy", "fastapi", "sqlalchemy", "uvicorn", "openpyxl", "matplotlib", "docx",
         "netmiko", "paramiko", "pysnmp", "jinja2", "infraaudit.scan", "infraaudit.report",
         "infraaudit.collector.api", "infraaudit.health.run", "infraaudit.health.store",
         "infraaudit.findings.rules", "infraaudit.probes.ipv6"]


def _loaded(code: str) -> list[str]:
    """The HEAVY modules (or their submodules) in sys.modules after ``code`` ran."""
    probe = (f"{code}\nimport json, sys\nheavy = {HEAVY!r}\n"
             "print(json.dumps(sorted({h for h in heavy for m in sys.modules "
             "if m == h or m.startswith(h + '.')})))")
    out = subprocess.run([sys.executable, "-c", probe], check=True, cwd=REPO, timeout=120,
                         capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(REPO)}).stdout
    return list(json.loads(out.splitlines()[-1]))


def test_importing_the_command_line_loads_no_command_implementation() -> None:
    assert _loaded("import infraaudit.cli.app") == []


def test_every_help_is_built_without_the_implementations() -> None:
    code = ("from typer.testing import CliRunner\nfrom infraaudit.cli import app\n"
            "for argv in ([], ['scan'], ['findings'], ['schema'], ['find'], ['health'],\n"
            "             ['history'], ['report'], ['submit'], ['province-report'],\n"
            "             ['schedule', 'install'], ['schedule', 'status'], ['serve'],\n"
            "             ['collector', 'revoke']):\n"
            "    result = CliRunner().invoke(app, [*argv, '--help'])\n"
            "    assert result.exit_code == 0 and 'Usage' in result.output, argv\n")
    assert _loaded(code) == []


def test_an_snmp_scan_imports_no_packet_library() -> None:
    """The scan stage itself (what ``infraaudit scan`` runs) does not import scapy: only a
    function that sends or parses a frame does."""
    assert "scapy" not in _loaded("import infraaudit.scan, infraaudit.probes.ipv6")
