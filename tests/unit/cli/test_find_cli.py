"""``infraaudit find`` as a subprocess over an audit JSON: by MAC in any common form, by IP, by
name; not found says so and exits 1; an unreadable audit exits 2 (README's exit codes)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from infraaudit.models import Agency, AuditDocument, Coverage, ScanMeta, Site
from infraaudit.probes.link import place_endpoints
from tests.paths import REPO
from tests.unit.probes.link.test_placement import DESK, PC1, PHONE, office


def _audit(tmp_path: Path, placed: bool = True) -> Path:
    devices = office()
    doc = AuditDocument(
        agency=Agency(code="T", name="Thanh tra"), site=Site(id="s1", name="Trụ sở chính"),
        scan=ScanMeta(tool_version="t", started_at="2026-12-03T00:00:00+00:00",
                      scanning_host="h", inventory_digest="0", snmp_backend="gufo",
                      complete=True),
        coverage=Coverage(targets=0, reachable=0, fully_probed=0), devices=devices,
        endpoints=place_endpoints(devices) if placed else None)
    path = tmp_path / ("audit.json" if placed else "audit-v4.json")
    data = json.loads(doc.model_dump_json())
    if not placed:  # as a schema 4 audit was written: no neighbours, no endpoints
        data["schema_version"] = 4
        del data["endpoints"]
        for device in data["devices"]:
            del device["neighbours"]
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def _find(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "infraaudit.cli", "find", *args],
                          capture_output=True, text=True, env=env, timeout=60, check=False)


@pytest.mark.parametrize("spelling", ["00:1b:21:00:00:01", "00-1B-21-00-00-01",
                                      "001b.2100.0001", "001B21000001"])
def test_found_by_mac_in_any_form(tmp_path: Path, spelling: str) -> None:
    res = _find(spelling, str(_audit(tmp_path)))
    assert res.returncode == 0, res.stderr
    (line,) = res.stdout.strip().splitlines()
    assert line.startswith(f"{PC1} (Intel Corporate) 10.0.0.21: acc1 port gi2, VLAN 10 (wired")
    assert "Trụ sở chính" in line


def test_found_by_ip_and_by_name_with_json(tmp_path: Path) -> None:
    audit = str(_audit(tmp_path))
    res = _find("10.0.0.31", audit, "--json")
    assert res.returncode == 0, res.stderr
    (row,) = json.loads(res.stdout)
    assert (row["mac"], row["device"], row["port"], row["wifi"]) == (DESK[1], "acc1", "gi4",
                                                                     False)
    res = _find("PRINTER-KT", audit, "--json")
    (row,) = json.loads(res.stdout)
    assert (row["name"], row["device"], row["port"]) == ("printer-kt", "core", "gi3")
    res = _find("ap", audit, "--json")  # a scanned AP: where LLDP sees it
    assert ("core", "gi2") in {(r["device"], r["port"]) for r in json.loads(res.stdout)}


def test_wifi_and_an_older_audit_placed_on_the_fly(tmp_path: Path) -> None:
    res = _find(PHONE.upper(), str(_audit(tmp_path, placed=False)))
    assert res.returncode == 0, res.stderr
    assert ": ap port p2 (Wi-Fi: radio side of the access point)" in res.stdout


def test_not_found_says_so_and_exits_1(tmp_path: Path) -> None:
    res = _find("aa:bb:cc:00:00:01", str(_audit(tmp_path)))
    assert res.returncode == 1 and res.stdout == ""
    assert "not found: no endpoint with MAC aa:bb:cc:00:00:01 in 1 audit(s)" in res.stderr


def test_an_unreadable_audit_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    res = _find("10.0.0.21", str(bad))
    assert res.returncode == 2 and "bad.json" in res.stderr
