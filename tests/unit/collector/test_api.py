"""The collector API on SQLite and on a real PostgreSQL (a private cluster on loopback, skipped
only where the PostgreSQL binaries are absent): auth, validation, idempotency, concurrency,
reads and aggregates."""

from __future__ import annotations

import datetime as dt
import json
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from infraaudit.collector import auth
from infraaudit.collector.api import create_app
from infraaudit.collector.db import metadata, submissions
from infraaudit.collector.migrations import DB_VERSION, open_db
from infraaudit.collector.pgcluster import PgCluster
from infraaudit.errors import CollectorDbError, PgClusterError
from infraaudit.findings import findings
from infraaudit.models import (
    SCHEMA_VERSION,
    Agency,
    AuditDocument,
    Coverage,
    Device,
    Duplex,
    Port,
    Role,
    ScanMeta,
    SecurityFinding,
    Site,
)
from infraaudit.models.readiness import Ipv6Report, PhaseCheck, SiteIpv6
from tests.paths import UNIT_DATA

DATA = UNIT_DATA


def make_audit(agency: str = "TTT", site: str = "hq", audit_id: str | None = None,
               started: str = "2026-01-10T02:00:00+00:00", complete: bool = True,
               phase: int = 1) -> AuditDocument:
    """A small but real site audit: a switch with a downgraded gigabit port and Telnet on, a
    device that did not answer, and the site's IPv6 phase."""
    switch = Device(
        host="10.0.0.2", name="sw-core", reachable=True, role=Role.SWITCH, vendor="Cisco",
        model="WS-C2960X-24TS-L",
        ports=[Port(if_index=i, name=f"Gi1/0/{i}", type="ethernetCsmacd", oper_status="up",
                    speed_mbps=1000.0 if i != 3 else 100.0, duplex=Duplex.FULL)
               for i in range(1, 5)]
        + [Port(if_index=100, name="Vlan1", type="l3ipvlan", oper_status="up")],
        security=[SecurityFinding(code="SEC-TELNET", severity="high", title="Telnet",
                                  explanation="Telnet bật", recommendation="Tắt Telnet",
                                  evidence=["line vty 0 4", "transport input telnet"],
                                  source="ssh:show running-config")],
    )
    silent = Device(host="10.0.0.9", name="sw-old", reachable=False, role=Role.SWITCH)
    doc = AuditDocument(
        audit_id=audit_id or str(uuid.uuid4()),
        agency=Agency(code=agency, name=f"Cơ quan {agency}"),
        site=Site(id=site, name=f"Trụ sở {site}"),
        scan=ScanMeta(tool_version="0.1.0", started_at=started,
                      finished_at=started.replace("02:00:00", "02:05:00"),
                      scanning_host="audit-pc", inventory_digest="0" * 64, snmp_backend="gufo",
                      complete=complete),
        coverage=Coverage(targets=0, reachable=0, fully_probed=0),
        devices=[switch, silent],
        ipv6=Ipv6Report(site=SiteIpv6(phase=phase, programme="IPv6 for Gov 2021-2025",
                                      phases=[PhaseCheck(phase=1, name="portal", met=True)])),
    )
    doc.recount()
    return doc


def body(doc: AuditDocument) -> bytes:
    return doc.model_dump_json(indent=2).encode()


# ---------------------------------------------------------------- engines

@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        url = str(tmp_path / "collector.sqlite")
    else:
        cluster: PgCluster | None = request.getfixturevalue("pg")
        if cluster is None:
            pytest.skip("PostgreSQL binaries not installed (scripts/bootstrap.sh installs them)")
        url = cluster.create_db(f"t_{uuid.uuid4().hex[:12]}")
    eng = open_db(url)
    try:
        yield eng
    finally:
        eng.dispose()


class Collector:
    """A TestClient with an admin token and tokens for agencies TTT and SXD."""

    def __init__(self, engine: Engine, max_body: int = 20 * 1024 * 1024) -> None:
        self.engine = engine
        self.client = TestClient(create_app(engine, max_body_bytes=max_body))
        self.admin = auth.add_admin(engine)
        self.ttt, _ = auth.add_agency(engine, "TTT", "Thanh tra tỉnh")
        self.sxd, _ = auth.add_agency(engine, "SXD", "Sở Xây dựng")

    def post(self, data: bytes, token: str | None) -> tuple[int, Any]:
        headers = {"Content-Type": "application/json"}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        res = self.client.post("/api/v1/audits", content=data, headers=headers)
        return res.status_code, res.json()

    def get(self, path: str, token: str | None = None) -> tuple[int, Any]:
        res = self.client.get(path, headers={"Authorization": f"Bearer {token or self.admin}"})
        return res.status_code, res.json()

    def rows(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(submissions))
                       .scalar_one())


@pytest.fixture
def col(engine: Engine) -> Collector:
    return Collector(engine)


# ---------------------------------------------------------------- tests

def test_migrated_schema_matches_the_tables_and_migrating_again_is_a_no_op(
        engine: Engine) -> None:
    url = engine.url.render_as_string(hide_password=False)
    again = open_db(url)  # a second start applies nothing and fails nothing
    again.dispose()
    inspector = sa.inspect(engine)
    for table in metadata.sorted_tables:
        assert {c["name"] for c in inspector.get_columns(table.name)} == set(table.c.keys())
    with engine.begin() as conn:
        assert conn.execute(sa.text("SELECT max(version) FROM schema_version")).scalar_one() \
            == DB_VERSION
        conn.execute(sa.text("INSERT INTO schema_version VALUES (:v, :t)"),
                     {"v": DB_VERSION + 1, "t": dt.datetime(2030, 1, 1)})
    with pytest.raises(CollectorDbError, match="newer than this infraaudit"):
        open_db(url)


def test_openapi_and_health(col: Collector) -> None:
    spec = col.client.get("/openapi.json").json()
    assert {"/api/v1/audits", "/api/v1/agencies", "/api/v1/agencies/{code}/audits",
            "/api/v1/audits/{audit_id}", "/api/v1/aggregates"} <= set(spec["paths"])
    schemas = spec["components"]["schemas"]
    assert "AuditDocument" in schemas and "Device" in schemas
    post = spec["paths"]["/api/v1/audits"]["post"]
    assert post["requestBody"]["content"]["application/json"]["schema"]["$ref"] \
        == "#/components/schemas/AuditDocument"
    assert {"201", "200", "401", "403", "409", "413", "422"} <= set(post["responses"])
    res = col.client.get("/healthz")
    assert res.status_code == 200 and res.json() == {"status": "ok", "db_version": DB_VERSION}


def test_submit_then_read_back_latest_per_site_and_aggregates(col: Collector) -> None:
    old = make_audit(site="hq", started="2026-01-10T02:00:00+00:00", phase=0)
    new = make_audit(site="hq", started="2026-02-10T02:00:00+00:00", phase=1)
    branch = make_audit(site="branch", started="2026-01-20T02:00:00+00:00", complete=False)
    for doc in (new, old, branch):  # the older scan arrives last: it is not the latest
        status, answer = col.post(body(doc), col.ttt)
        assert status == 201 and answer["status"] == "stored"

    status, agencies = col.get("/api/v1/agencies")
    assert status == 200
    by_code = {a["code"]: a for a in agencies}
    assert by_code["SXD"] == {"code": "SXD", "name": "Sở Xây dựng", "last_submission": None,
                              "sites": 0, "status": "none"}
    assert by_code["TTT"]["sites"] == 2 and by_code["TTT"]["status"] == "incomplete"
    assert by_code["TTT"]["last_submission"].startswith(str(dt.datetime.now(dt.UTC).year))

    status, latest = col.get("/api/v1/agencies/TTT/audits")
    assert status == 200
    assert [(a["site_id"], a["audit_id"]) for a in latest] == [
        ("branch", branch.audit_id), ("hq", new.audit_id)]
    assert all("document" not in a or a["document"] is None for a in latest)
    status, full = col.get("/api/v1/agencies/TTT/audits?full=true")
    assert AuditDocument.model_validate(full[1]["document"]) == new
    assert col.get("/api/v1/agencies/NOPE/audits")[0] == 404

    status, one = col.get(f"/api/v1/audits/{old.audit_id}")
    assert status == 200 and AuditDocument.model_validate(one["document"]) == old
    assert one["schema_version"] == SCHEMA_VERSION and one["site_name"] == "Trụ sở hq"
    status, missing = col.get("/api/v1/audits/nope")
    assert status == 404 and missing == {"error": "not-found", "detail": "no audit 'nope'"}

    status, aggregates = col.get("/api/v1/aggregates")
    assert status == 200
    ttt = next(a for a in aggregates if a["code"] == "TTT")
    severity = Counter(f.severity for d in (new, branch) for f in findings(d))
    assert severity["high"] >= 2  # Telnet on both sites
    assert ttt["sites"] == 2 and ttt["devices"] == 4 and ttt["devices_answered"] == 2
    assert ttt["ports"] == 8  # Ethernet ports only, not the VLAN interface
    assert ttt["findings"] == {s: severity.get(s, 0) for s in ("high", "medium", "low", "info")}
    assert ttt["ipv6_phase"] == {"branch": 1, "hq": 1}
    sxd = next(a for a in aggregates if a["code"] == "SXD")
    assert sxd["sites"] == 0 and sxd["site_details"] == []


def test_an_older_schema_version_is_migrated_and_stored(col: Collector) -> None:
    text = (DATA / "audit-v1.json").read_bytes()
    status, answer = col.post(text, col.ttt)
    assert status == 201, answer
    status, one = col.get(f"/api/v1/audits/{answer['audit_id']}")
    assert one["schema_version"] == 1
    assert one["document"]["schema_version"] == SCHEMA_VERSION


def test_tokens_missing_bad_forged_revoked_and_misused(col: Collector) -> None:
    doc = body(make_audit())
    for token in (None, "", "not-a-token", col.ttt[:-1] + ("A" if col.ttt[-1] != "A" else "B"),
                  col.ttt + "x"):
        status, answer = col.post(doc, token)
        assert status == 401, (token, answer)
        assert answer["error"] == "unauthorized"
    res = col.client.post("/api/v1/audits", content=doc)
    assert res.status_code == 401 and res.headers["www-authenticate"] == "Bearer"
    res = col.client.post("/api/v1/audits", content=doc, headers={"Authorization": col.ttt})
    assert res.status_code == 401  # the scheme is required
    assert col.get("/api/v1/agencies", token="forged")[0] == 401

    # an agency token does not read, an admin token does not submit
    status, answer = col.get("/api/v1/agencies", token=col.ttt)
    assert status == 403 and answer == {"error": "forbidden", "detail": "this needs an admin token"}
    assert col.post(doc, col.admin)[0] == 403

    # cross-agency: SXD's token, TTT's audit
    status, answer = col.post(doc, col.sxd)
    assert status == 403 and answer["error"] == "wrong-agency"
    assert "'TTT'" in str(answer["detail"]) and "'SXD'" in str(answer["detail"])
    assert col.rows() == 0

    # revoked: all of an agency's tokens, or one by its prefix
    second, _ = auth.add_agency(col.engine, "TTT", "Thanh tra tỉnh")
    assert auth.revoke(col.engine, None, second[:8]) == 1
    assert col.post(doc, second)[0] == 401
    assert col.post(doc, col.ttt)[0] == 201
    assert auth.revoke(col.engine, "TTT", None) == 1
    assert col.post(body(make_audit()), col.ttt)[0] == 401
    assert col.post(body(make_audit(agency="SXD")), col.sxd)[0] == 201  # SXD untouched
    assert auth.revoke(col.engine, None, col.admin[:10]) == 1
    assert col.get("/api/v1/agencies")[0] == 401


def test_database_holds_token_hashes_only(col: Collector) -> None:
    with col.engine.connect() as conn:
        dumped = json.dumps([list(r) for r in conn.execute(sa.text("SELECT * FROM tokens"))],
                            default=str)
    for token in (col.admin, col.ttt, col.sxd):
        assert token not in dumped and auth.token_hash(token) in dumped


@pytest.mark.parametrize(("payload", "error", "reason"), [
    (b"{not json", "invalid-audit", "not JSON"),
    (b"[1, 2]", "invalid-audit", "no integer schema_version"),
    (b"\xff\xfe{}", "invalid-audit", "not UTF-8"),
    (json.dumps({"schema_version": SCHEMA_VERSION, "agency": {"code": "TTT"}}).encode(),
     "invalid-audit", "invalid audit"),
    (json.dumps({"schema_version": SCHEMA_VERSION + 1, "agency": {"code": "TTT"}}).encode(),
     "schema-too-new", f"schema_version {SCHEMA_VERSION + 1} is newer than this infraaudit "
     f"reads ({SCHEMA_VERSION}): upgrade the collector"),
])
def test_malformed_and_too_new_bodies_get_422_with_the_reason(
        col: Collector, payload: bytes, error: str, reason: str) -> None:
    status, answer = col.post(payload, col.ttt)
    assert status == 422 and answer["error"] == error and reason in str(answer["detail"])
    assert col.rows() == 0


def test_content_checks(col: Collector) -> None:
    future = (dt.datetime.now(dt.UTC) + dt.timedelta(days=2)).isoformat()
    skewed = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=20)).isoformat()
    cases: list[tuple[AuditDocument, str]] = []
    doc = make_audit()
    doc.scan.started_at, doc.scan.finished_at = future, None
    cases.append((doc, "in the future"))
    doc = make_audit()
    doc.scan.finished_at = "2026-01-10T01:00:00+00:00"
    cases.append((doc, "before scan.started_at"))
    doc = make_audit()
    doc.scan.started_at = "last tuesday"
    cases.append((doc, "not an ISO 8601 time"))
    for site in ("", " hq", "../etc", "x" * 65):
        cases.append((make_audit(site=site), "site.id"))
    cases.append((make_audit(audit_id="a b"), "audit_id"))
    for doc, reason in cases:
        status, answer = col.post(body(doc), col.ttt)
        assert status == 422 and reason in str(answer["detail"]), (reason, answer)
    assert col.rows() == 0
    doc = make_audit()  # a scanning host's clock a few hours ahead is tolerated
    doc.scan.started_at, doc.scan.finished_at = skewed, None
    assert col.post(body(doc), col.ttt)[0] == 201


def test_oversized_bodies_get_413_before_parsing(engine: Engine) -> None:
    col = Collector(engine, max_body=4096)
    small = make_audit()
    small.devices = []
    assert col.post(small.model_dump_json().encode(), col.ttt)[0] == 201
    big = body(make_audit())
    big = big[:-1] + b" " * 5000 + b"}"
    status, answer = col.post(big, col.ttt)
    assert status == 413 and answer["error"] == "too-large"
    # no Content-Length (chunked): cut off while streaming; not JSON either, never parsed
    res = col.client.post("/api/v1/audits", content=iter([b"x" * 3000] * 3),
                          headers={"Authorization": f"Bearer {col.ttt}"})
    assert res.status_code == 413 and res.json()["error"] == "too-large"
    assert col.rows() == 1


def test_resending_is_idempotent_and_a_changed_audit_is_a_conflict(col: Collector) -> None:
    doc = make_audit()
    status, first = col.post(body(doc), col.ttt)
    assert status == 201 and first["status"] == "stored"
    status, again = col.post(body(doc), col.ttt)
    assert status == 200 and again == {**first, "status": "already-stored"}
    # the same document written differently (no indentation, other key order) is the same
    reordered = json.dumps(dict(reversed(doc.model_dump(mode="json").items()))).encode()
    assert col.post(reordered, col.ttt) == (200, again)
    changed = doc.model_copy(deep=True)
    changed.devices[0].name = "sw-renamed"
    status, conflict = col.post(body(changed), col.ttt)
    assert status == 409 and conflict["error"] == "conflict"
    assert "new audit_id" in str(conflict["detail"])
    # another agency reusing the id is a conflict too, and reveals nothing of the audit
    other = doc.model_copy(deep=True, update={"agency": Agency(code="SXD", name="Sở Xây dựng")})
    assert col.post(body(other), col.sxd)[0] == 409
    assert col.rows() == 1
    stored = col.get(f"/api/v1/audits/{doc.audit_id}")[1]
    assert stored["document"]["devices"][0]["name"] == "sw-core"


def test_concurrent_submissions_store_exactly_the_right_rows(col: Collector) -> None:
    docs = [make_audit(site=f"s{i}", audit_id=f"audit-{i}") for i in range(10)]
    variants = {}
    for i in range(6, 10):  # same audit id, other content
        variant = docs[i].model_copy(deep=True)
        variant.devices[0].name = "other"
        variants[i] = variant
    plan = [(i, docs[i]) for i in range(10)] + [(i, docs[i]) for i in range(6)] \
        + list(variants.items())
    assert len(plan) == 20
    barrier = threading.Barrier(len(plan))
    results: list[tuple[int, int, bytes]] = []
    lock = threading.Lock()

    def send(i: int, doc: AuditDocument) -> None:
        data = body(doc)
        barrier.wait()
        status, _ = col.post(data, col.ttt)
        with lock:
            results.append((i, status, data))

    threads = [threading.Thread(target=send, args=item) for item in plan]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(results) == 20
    by_id: dict[int, list[tuple[int, bytes]]] = {}
    for i, status, data in results:
        by_id.setdefault(i, []).append((status, data))
    for i in range(10):
        statuses = sorted(s for s, _ in by_id[i])
        assert statuses == ([200, 201] if i < 6 else [201, 409]), (i, statuses)
    assert col.rows() == 10
    for i in range(6, 10):  # the stored one is the one that got 201
        winner = next(d for s, d in by_id[i] if s == 201)
        stored = col.get(f"/api/v1/audits/audit-{i}")[1]
        assert AuditDocument.model_validate(stored["document"]) \
            == AuditDocument.model_validate_json(winner)


def test_unknown_routes_and_bad_queries_answer_json_errors(col: Collector) -> None:
    res = col.client.get("/api/v1/nothing")
    assert res.status_code == 404 and res.json()["error"] == "not-found"
    status, answer = col.get("/api/v1/agencies/TTT/audits?full=maybe")
    assert status == 422 and answer["error"] == "invalid-request"


def test_the_cluster_helper_reports_a_missing_installation(monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    monkeypatch.setattr("infraaudit.collector.pgcluster.bindir", lambda: None)
    with pytest.raises(PgClusterError, match="bootstrap"), PgCluster():
        pass
