"""``infraaudit serve`` as a real process on loopback: agencies submit over HTTP, the collector is
killed (SIGKILL) and restarted, and nothing it had acknowledged is lost; tokens never reach its
log. Also while agencies submit concurrently, on SQLite and on a private PostgreSQL cluster
(skipped only where the PostgreSQL binaries are absent): every acknowledged audit is there after
the restart, and none is half stored."""

from __future__ import annotations

import datetime as dt
import hashlib
import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from infraaudit.collector import auth, store
from infraaudit.collector.db import make_engine, submissions
from infraaudit.collector.db import summaries as summary_table
from infraaudit.collector.migrations import open_db
from infraaudit.collector.pgcluster import PgCluster, bindir, free_port
from infraaudit.models import AuditDocument
from tests.bench.bench_collector import make_devices, make_doc
from tests.unit.collector.test_api import body, make_audit

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
def serving(db: str | Path, port: int, log: Path,
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


# ---------------------------------------------------------------- killed mid-stream

AGENCIES = 8  # concurrent clients, one agency each
ACKED_BEFORE_KILL = 40


@pytest.fixture(scope="module")
def pg() -> Iterator[PgCluster]:
    if bindir() is None:
        pytest.skip("PostgreSQL server binaries not installed (scripts/bootstrap.sh installs "
                    "them): the PostgreSQL run is skipped, the SQLite one still runs")
    with PgCluster() as cluster:  # stopped by its pid when the module ends
        yield cluster


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "collector.sqlite")
    cluster: PgCluster = request.getfixturevalue("pg")
    return cluster.create_db("restart")


@dataclass
class Sent:
    """What the clients sent, and what the collector acknowledged (201 or 200)."""

    bodies: dict[str, bytes] = field(default_factory=dict)  # audit id -> body
    acked: dict[str, str] = field(default_factory=dict)  # audit id -> sha256 answered
    statuses: list[int] = field(default_factory=list)
    unanswered: list[str] = field(default_factory=list)  # in flight when the collector died
    lock: threading.Lock = field(default_factory=threading.Lock)


def submitter(port: int, tok: str, agency: str, sent: Sent, stop: threading.Event) -> None:
    """Post distinct audits (every fourth request resends the previous one) on one keep-alive
    connection, until ``stop`` or the collector is gone."""
    devices = make_devices(20, 26, int(agency[1:]))
    headers = {"Authorization": f"Bearer {tok}", "Content-Type": "application/json"}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    start = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(days=1)
    previous: tuple[str, bytes] | None = None
    try:
        for i in range(10_000):
            if stop.is_set():
                return
            if previous is not None and i % 4 == 3:
                audit_id, data = previous
            else:
                doc = make_doc(agency, f"s{i % 3}", devices, start + dt.timedelta(minutes=i),
                               i % 4 + 1)
                audit_id, data = doc.audit_id, doc.model_dump_json().encode()
            with sent.lock:
                sent.bodies[audit_id] = data
            try:
                conn.request("POST", "/api/v1/audits", body=data, headers=headers)
                res = conn.getresponse()
                answer = json.loads(res.read())
            except (OSError, http.client.HTTPException):
                with sent.lock:
                    sent.unanswered.append(audit_id)
                return
            with sent.lock:
                sent.statuses.append(res.status)
                if res.status in (200, 201):
                    sent.acked[audit_id] = answer["sha256"]
            assert res.status == (200 if previous and audit_id == previous[0] else 201), answer
            previous = (audit_id, data)
    finally:
        conn.close()


def send_and_kill(database: str, port: int, log: Path, tokens: dict[str, str]) -> Sent:
    """The agencies submit concurrently; the collector is SIGKILLed while they still send."""
    sent, stop = Sent(), threading.Event()
    with serving(database, port, log) as proc:
        clients = [threading.Thread(target=submitter, args=(port, tok, code, sent, stop))
                   for code, tok in tokens.items()]
        for client in clients:
            client.start()
        deadline = time.monotonic() + 120
        while len(sent.acked) < ACKED_BEFORE_KILL:
            assert time.monotonic() < deadline and proc.poll() is None, log.read_text()[-2000:]
            time.sleep(0.01)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        stop.set()
        for client in clients:
            client.join(timeout=90)
        assert not any(c.is_alive() for c in clients)
    assert 200 in sent.statuses and 201 in sent.statuses
    assert sent.unanswered, "no request was in flight when the collector was killed"
    return sent


def check_stored(database: str) -> dict[str, str]:
    """Every stored audit whole (its document hashes to its sha256 and size) and summarized;
    audit id -> sha256."""
    engine = make_engine(database)
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.select(submissions.c.audit_id, submissions.c.sha256,
                                          submissions.c.size, submissions.c.document)).all()
            summarized = dict(conn.execute(sa.select(summary_table.c.audit_id,
                                                     summary_table.c.rules)).all())
    finally:
        engine.dispose()
    for row in rows:
        data = store.canonical(AuditDocument.model_validate(row.document))
        assert (hashlib.sha256(data).hexdigest(), len(data)) == (row.sha256, row.size)
    # one summary each, all by the same rules (the serving process's: not necessarily this
    # process's, in a tree whose finding rules are being edited)
    assert set(summarized) == {row.audit_id for row in rows}
    assert len(set(summarized.values())) == 1
    return {row.audit_id: row.sha256 for row in rows}


def test_concurrent_submissions_survive_a_kill_mid_stream(database: str, tmp_path: Path) -> None:
    log, port = tmp_path / "serve.log", free_port()
    base = f"http://127.0.0.1:{port}"
    engine = open_db(database)  # the tokens in-process (the test above uses the CLI)
    try:
        tokens = {f"A{t}": auth.add_agency(engine, f"A{t}", f"Cơ quan A{t}")[0]
                  for t in range(AGENCIES)}
        admin = auth.add_admin(engine)
    finally:
        engine.dispose()

    sent = send_and_kill(database, port, log, tokens)

    with serving(database, port, log):
        for audit_id, sha in sent.acked.items():  # every acknowledged audit, as it was sent
            status, one = call(f"{base}/api/v1/audits/{audit_id}", admin)
            assert status == 200, (audit_id, one)
            assert one["sha256"] == sha
            assert AuditDocument.model_validate(one["document"]) \
                == AuditDocument.model_validate_json(sent.bodies[audit_id])
        resent = {}
        for audit_id in sent.unanswered:  # stored whole (the answer was lost) or not at all
            code = json.loads(sent.bodies[audit_id])["agency"]["code"]
            status, answer = call(f"{base}/api/v1/audits", tokens[code], sent.bodies[audit_id])
            assert status in (200, 201), answer
            resent[audit_id] = answer["sha256"]
        status, aggregates = call(f"{base}/api/v1/aggregates", admin)
    assert status == 200
    sites: dict[str, set[str]] = {}
    for audit_id in {*sent.acked, *resent}:
        doc = json.loads(sent.bodies[audit_id])
        sites.setdefault(doc["agency"]["code"], set()).add(doc["site"]["id"])
    assert {a["code"]: a["sites"] for a in aggregates} == {
        code: len(sites.get(code, ())) for code in tokens}

    # in the database: exactly the audits acknowledged or resent, each whole and summarized
    assert check_stored(database) == {**sent.acked, **resent}
