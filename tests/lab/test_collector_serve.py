"""``infraaudit serve`` as a real process on loopback: agencies submit over HTTP, the collector is
killed (SIGKILL) and restarted, and nothing it had acknowledged is lost; tokens never reach its
log."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from infraaudit.collector.pgcluster import free_port
from tests.unit.test_collector_api import body, make_audit

REPO = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-m", "infraaudit.cli"]


def call(url: str, token: str, data: bytes | None = None) -> tuple[int, Any]:
    request = urllib.request.Request(url, data=data, method="POST" if data else "GET", headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as res:
            return res.status, json.loads(res.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


@contextmanager
def serving(db: Path, port: int, log: Path,
            *extra: str) -> Iterator[subprocess.Popen[bytes]]:
    """The collector on 127.0.0.1:port (``extra`` serve options), stopped by its pid when the
    block ends."""
    with log.open("ab") as out:
        proc = subprocess.Popen([*CLI, "serve", "--db", str(db), "--port", str(port), *extra],
                                stdout=out, stderr=subprocess.STDOUT, cwd=REPO)
    try:
        deadline = time.monotonic() + 30
        while True:
            assert proc.poll() is None, log.read_text()[-2000:]
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                    break
            except OSError:
                assert time.monotonic() < deadline, log.read_text()[-2000:]
                time.sleep(0.1)
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=30)


def token(db: Path, *args: str) -> str:
    res = subprocess.run([*CLI, "collector", *args, "--db", str(db)], capture_output=True,
                         text=True, timeout=60, cwd=REPO, check=True)
    return res.stdout.strip()


def test_collector_survives_a_kill_and_keeps_every_acknowledged_audit(tmp_path: Path) -> None:
    db, log = tmp_path / "collector.sqlite", tmp_path / "serve.log"
    ttt = token(db, "add-agency", "TTT", "Thanh tra tỉnh")
    sxd = token(db, "add-agency", "SXD", "Sở Xây dựng")
    admin = token(db, "add-admin")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    stored = [make_audit("TTT", "hq"), make_audit("TTT", "branch"), make_audit("SXD", "hq")]

    with serving(db, port, log) as proc:
        for doc, tok in zip(stored, (ttt, ttt, sxd), strict=True):
            assert call(f"{base}/api/v1/audits", tok, body(doc))[0] == 201
        status, answer = call(f"{base}/api/v1/audits", sxd, body(make_audit("TTT", "x")))
        assert status == 403 and answer["error"] == "wrong-agency"
        assert call(f"{base}/api/v1/audits", "forged-token", body(make_audit("TTT")))[0] == 401
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)

    with serving(db, port, log) as proc:
        for doc in stored:
            status, one = call(f"{base}/api/v1/audits/{doc.audit_id}", admin)
            assert status == 200 and one["document"]["audit_id"] == doc.audit_id
        status, answer = call(f"{base}/api/v1/audits", ttt, body(stored[0]))
        assert status == 200 and answer["status"] == "already-stored"
        status, agencies = call(f"{base}/api/v1/agencies", admin)
        assert [(a["code"], a["sites"], a["status"]) for a in agencies] == [
            ("SXD", 1, "ok"), ("TTT", 2, "ok")]
        status, spec = call(f"{base}/openapi.json", admin)
        assert status == 200 and "/api/v1/audits" in spec["paths"]
        proc.send_signal(signal.SIGTERM)  # a clean stop too (uvicorn re-raises the signal)
        assert proc.wait(timeout=30) in (0, -signal.SIGTERM)

    text = log.read_text()
    assert "Finished server process" in text
    assert "POST /api/v1/audits" in text  # the access log is there ...
    for secret in (ttt, sxd, admin):
        assert secret not in text  # ... without the tokens
