"""Abusive submissions to the real collector app (SQLite and PostgreSQL): each is refused with
its status and reason (413, 415, 422), never a 500, and nothing is stored; agency codes that
differ only in case are one agency."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from infraaudit.cli import app
from infraaudit.collector import auth
from infraaudit.errors import AuthAdminError
from tests.unit.collector.test_api import Collector, body, engine, make_audit

__all__ = ["engine"]  # the fixture, shared with test_api


@pytest.fixture
def col(engine: Engine) -> Collector:
    return Collector(engine)


def _with(field: str, value: object) -> bytes:
    """A valid audit whose JSON holds ``value`` at the top-level key ``field``."""
    data = json.loads(body(make_audit()))
    data[field] = value
    return json.dumps(data).encode()


@pytest.mark.parametrize(("payload", "reason"), [
    (b"[" * 100_000 + b"]" * 100_000, "JSON nested deeper than 64 levels"),
    (body(make_audit())[:-1] + b', "x": ' + b'{"a": ' * 70 + b"1" + b"}" * 70 + b"}",
     "JSON nested deeper than 64 levels"),
    (body(make_audit()).replace(b'"schema_version": 5', b'"schema_version": ' + b"9" * 5000),
     "an integer of 5000 digits (at most 40)"),
    (body(make_audit())[:-1] + b', "x": ' + b"1" * 4301 + b"}",
     "an integer of 4301 digits (at most 40)"),
    (body(make_audit())[:-1] + b', "x": NaN}', "NaN is not a JSON number"),
    (body(make_audit())[:-1] + b', "x": -1e400}', "is too large"),
])
def test_hostile_json_gets_422_with_the_reason(col: Collector, payload: bytes,
                                               reason: str) -> None:
    status, answer = col.post(payload, col.ttt)
    assert (status, answer["error"]) == (422, "invalid-audit")
    assert reason in answer["detail"]
    assert col.rows() == 0


def test_a_compressed_body_gets_415(col: Collector) -> None:
    packed = gzip.compress(body(make_audit()))
    res = col.client.post("/api/v1/audits", content=packed, headers={
        "Authorization": f"Bearer {col.ttt}", "Content-Type": "application/json",
        "Content-Encoding": "gzip"})
    assert res.status_code == 415
    assert res.json() == {"error": "unsupported-encoding", "detail":
                          "Content-Encoding 'gzip' is not accepted: send the audit as "
                          "uncompressed UTF-8 JSON"}
    status, answer = col.post(packed, col.ttt)  # gzip bytes without the header
    assert (status, answer["error"]) == (415, "unsupported-encoding")
    assert "gzip-compressed" in answer["detail"]
    assert col.rows() == 0
    spec = col.client.get("/openapi.json").json()
    assert "415" in spec["paths"]["/api/v1/audits"]["post"]["responses"]


@pytest.mark.parametrize(("started", "finished", "reason"), [
    ("0001-01-01T00:00:00+00:00", None, "scan.started_at 0001-01-01T00:00:00+00:00 is before 2000"),
    ("0001-01-01T00:00:00+07:00", None, "is before 2000"),  # before year 1 in UTC
    ("1999-12-31T23:59:59+00:00", None, "is before 2000"),
    ("2026-01-10T02:00:00+00:00", "9999-12-31T23:59:59-05:00",
     "scan.finished_at 9999-12-31T23:59:59-05:00 is in the future"),
    ("2026-01-10T02:00:00+00:00", "3000-01-01T00:00:00+00:00", "is in the future"),
])
def test_implausible_times_get_422(col: Collector, started: str, finished: str | None,
                                   reason: str) -> None:
    doc = make_audit(started=started)
    doc.scan.finished_at = finished
    status, answer = col.post(body(doc), col.ttt)
    assert (status, answer["error"]) == (422, "invalid-audit"), answer
    assert reason in answer["detail"]
    assert col.rows() == 0


def test_agency_codes_differing_only_in_case_are_one_agency(col: Collector,
                                                            tmp_path: Path) -> None:
    with pytest.raises(AuthAdminError, match="agency 'TTT' is registered already: codes that "
                                             "differ only in case name one agency"):
        auth.add_agency(col.engine, "ttt", "Thanh tra tỉnh (chữ thường)")
    status, agencies = col.get("/api/v1/agencies")
    assert sorted(a["code"] for a in agencies) == ["SXD", "TTT"]
    status, answer = col.post(body(make_audit(agency="ttt")), col.ttt)
    assert (status, answer["error"]) == (422, "invalid-audit")
    assert answer["detail"].startswith("agency.code 'ttt' is written 'TTT' at the province")
    assert col.post(body(make_audit(agency="TTT")), col.ttt)[0] == 201
    assert col.post(body(make_audit(agency="SXD")), col.ttt)[0] == 403  # another agency


def test_add_agency_in_another_case_exits_2_with_one_line(tmp_path: Path) -> None:
    db = tmp_path / "c.sqlite"
    runner = CliRunner()
    assert runner.invoke(app, ["collector", "add-agency", "AGA", "A", "--db", str(db)]
                         ).exit_code == 0
    result = runner.invoke(app, ["collector", "add-agency", "aga", "A", "--db", str(db)])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "error: agency 'AGA' is registered already: codes that differ only in case name one "
        "agency; write 'AGA'")


def test_a_collector_db_that_is_not_sqlite_is_refused_and_left_alone(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("not a database\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["collector", "add-admin", "--db", str(notes)])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"error: collector database {notes}: the file exists and is not an SQLite database: "
        "give another --db (nothing was written to it)")
    assert notes.read_text(encoding="utf-8") == "not a database\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
