"""Issue 8 end to end: two agencies scan (loopback lab), submit with `infraaudit submit`, a forged
and a cross-agency submission are refused, the collector is killed and restarted without losing
anything, and the province report served by the collector compares the two agencies."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import openpyxl
import pytest

from infraaudit.collector.pgcluster import free_port
from lab.loopback import LoopbackLab
from tests.lab.test_collector_serve import call, token

REPO = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-m", "infraaudit.cli"]
BLOCK = 71
AGENCIES = {"hung-vuong": ("TTT-KH", "Thanh tra tỉnh Khánh Hòa"),
            "tran-hung-dao": ("SXD-KH", "Sở Xây dựng Khánh Hòa")}


@pytest.fixture(scope="module")
def audits(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Two sample sites scanned, each given to its own agency: {agency code: audit file}."""
    base = tmp_path_factory.mktemp("e2e")
    shutil.copytree(REPO / "inventories", base / "inventories")
    out: dict[str, Path] = {}
    with LoopbackLab(run_dir=base / "lab", block=BLOCK) as lab:
        for site, (code, name) in AGENCIES.items():
            path = base / "inventories" / "sample-agency" / f"{site}.yaml"
            text = path.read_text(encoding="utf-8").replace("127.78.", f"127.{BLOCK}.")
            text = text.replace('agency: {code: TTT-KH, name: "Thanh tra tỉnh Khánh Hòa"}',
                                f'agency: {{code: {code}, name: "{name}"}}')
            path.write_text(text, encoding="utf-8")
            out[code] = base / f"{site}.json"
            res = subprocess.run([*CLI, "scan", str(path), "--env-file", str(lab.env_file),
                                  "--output", str(out[code]), "--quiet"], capture_output=True,
                                 text=True, timeout=120, cwd=REPO, check=False)
            assert res.returncode in (0, 1), res.stderr[-2000:]
    return out


def _serve(db: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as sink:
        proc = subprocess.Popen([*CLI, "serve", "--db", str(db), "--port", str(port),
                                 "--catalog", str(REPO / "inventories" / "catalog.yaml")],
                                stdout=sink, stderr=subprocess.STDOUT, cwd=REPO)
    deadline = time.monotonic() + 30
    while True:
        assert proc.poll() is None, log.read_text()[-2000:]
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return proc
        except OSError:
            assert time.monotonic() < deadline, log.read_text()[-2000:]
            time.sleep(0.1)


def _submit(audit: Path, url: str, secret: str, outbox: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "INFRAAUDIT_SUBMIT_TOKEN": secret}
    return subprocess.run([*CLI, "submit", str(audit), "--to", url, "--outbox", str(outbox),
                           "--attempts", "1"], capture_output=True, text=True, timeout=60,
                          cwd=REPO, env=env, check=False)


def test_two_agencies_submit_and_the_province_compares_them(audits: dict[str, Path],
                                                            tmp_path: Path) -> None:
    db, log, outbox = tmp_path / "collector.sqlite", tmp_path / "serve.log", tmp_path / "out"
    tokens = {code: token(db, "add-agency", code, name) for code, name in AGENCIES.values()}
    admin = token(db, "add-admin")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = _serve(db, port, log)
    try:
        for code, audit in audits.items():
            res = _submit(audit, url, tokens[code], outbox)
            assert res.returncode == 0, res.stdout + res.stderr
        forged = _submit(audits["TTT-KH"], url, "forged-" + tokens["TTT-KH"][7:], outbox)
        assert forged.returncode == 2
        cross = _submit(audits["TTT-KH"], url, tokens["SXD-KH"], outbox)
        assert cross.returncode == 2 and "wrong-agency" in cross.stdout + cross.stderr
        proc.kill()  # no goodbye: everything acknowledged must survive
        proc.wait(timeout=30)
        proc = _serve(db, port, log)
        status, agencies = call(f"{url}/api/v1/agencies", admin)
        assert status == 200
        assert {a["code"]: a["sites"] for a in agencies} == {"TTT-KH": 1, "SXD-KH": 1}
        again = _submit(audits["SXD-KH"], url, tokens["SXD-KH"], outbox)
        assert again.returncode == 0  # idempotent: already stored
        request = urllib.request.Request(f"{url}/api/v1/report?format=md&year=2025",
                                         headers={"Authorization": f"Bearer {admin}"})
        with urllib.request.urlopen(request, timeout=60) as res:
            markdown = res.read().decode("utf-8")
        for _, name in AGENCIES.values():
            assert name in markdown
        request = urllib.request.Request(f"{url}/api/v1/report?format=xlsx&year=2025",
                                         headers={"Authorization": f"Bearer {admin}"})
        with urllib.request.urlopen(request, timeout=60) as res:
            book = openpyxl.load_workbook(io.BytesIO(res.read()))
        names = {str(row[0].value) for row in book.worksheets[0].iter_rows(min_row=2)}
        assert {"TTT-KH", "SXD-KH"} & names or any(
            n in " ".join(names) for _, n in AGENCIES.values())
        assert not any(outbox.glob("*.json"))  # nothing left waiting
        assert all(t not in log.read_text() for t in tokens.values())
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=30)
