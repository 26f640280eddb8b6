"""schemathesis against the collector's published OpenAPI (issue 8, part 6).

The schema is loaded from the ASGI app in-process (fresh SQLite database, an agency token, an
admin token). Every operation gets generated requests with the token it needs (agency for
POST /api/v1/audits, admin for the reads) and the stateless checks: no 5xx, status codes,
content types and response bodies as the spec declares them. Bounded and derandomized, so CI
runs the same examples every time.

Documents generated from the schema alone are all refused by the content checks (agency, ids,
times), so POST /api/v1/audits also draws real audits for the token's agency, built from the
audit models by ``valid_audits``: each is stored (201, or 200 when the same example was stored
by an earlier one), stored again is "already-stored" (200), and reads back as sent.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from infraaudit.collector import auth
from infraaudit.collector.api import create_app
from infraaudit.collector.migrations import open_db
from infraaudit.models import (
    Agency,
    AuditDocument,
    Device,
    Duplex,
    Port,
    Role,
    ScanMeta,
    SecurityFinding,
    Site,
)
from infraaudit.models.readiness import Ipv6Report, PhaseCheck, SiteIpv6
from infraaudit.proposal.plan import load_catalog
from tests.paths import INVENTORIES
from tests.unit.collector.test_api import make_audit

CATALOG = INVENTORIES / "catalog.yaml"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


class Tokens:
    agency = ""
    admin = ""
    stored: set[str] = set()  # noqa: RUF012 - the ids the valid audits were stored under


# ---------------------------------------------------------------- valid audits

# Control characters included (the report writers show them as U+FFFD), but NUL: the collector
# refuses it (PostgreSQL's JSONB cannot hold it; see test_collector_db.py).
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"], exclude_characters="\x00"),
               max_size=30)
NAME = TEXT.filter(lambda s: bool(s.strip()))
# few sites, so the latest-per-site reads and the report stay small (and some scans replace
# others); the edges of the site id rule among them
SITE_ID = st.sampled_from(["hq", "branch", "kho.2", "CN_Q1-b", "9", "x" * 64])
ZONES = [dt.UTC, dt.timezone(dt.timedelta(hours=7)), dt.timezone(dt.timedelta(hours=-5))]


@st.composite
def ports(draw: st.DrawFn) -> list[Port]:
    indexes = draw(st.lists(st.integers(1, 10_000), unique=True, max_size=6))
    return [Port(
        if_index=i, name=draw(st.none() | TEXT),
        type=draw(st.sampled_from([None, "ethernetCsmacd", "gigabitEthernet", "fastEther",
                                   "l3ipvlan", "softwareLoopback", "ieee80211"])),
        oper_status=draw(st.sampled_from([None, "up", "down", "dormant"])),
        speed_mbps=draw(st.sampled_from([None, 0.0, 10.0, 100.0, 1000.0, 10_000.0])),
        duplex=draw(st.none() | st.sampled_from(Duplex)),
    ) for i in indexes]


FINDING = st.builds(
    SecurityFinding, code=st.sampled_from(["SEC-TELNET", "SEC-SNMP-PUBLIC", "SEC-HTTP"]),
    severity=st.sampled_from(["high", "medium", "low"]), title=NAME, explanation=TEXT,
    recommendation=TEXT, evidence=st.lists(TEXT, max_size=2), source=st.just("ssh"))
DEVICE = st.builds(
    Device, host=st.ip_addresses(v=4).map(str), name=st.none() | NAME, reachable=st.booleans(),
    role=st.sampled_from(Role), vendor=st.sampled_from([None, "Cisco", "Huawei", "HPE"]),
    model=st.sampled_from([None, "WS-C2960X-24TS-L", "S5720-28P-LI-AC", "JL253A"]),
    ports=ports(), security=st.lists(FINDING, max_size=2))
IPV6 = st.none() | st.builds(
    Ipv6Report, site=st.builds(
        SiteIpv6, phase=st.integers(0, 4), programme=st.just("IPv6 for Gov 2021-2025"),
        phases=st.lists(st.builds(PhaseCheck, phase=st.integers(1, 4), name=NAME,
                                  met=st.booleans()), max_size=2)))


@st.composite
def valid_audits(draw: st.DrawFn) -> AuditDocument:
    """A real audit for agency TTT that passes every content check; its id is a hash of the
    rest, so that a repeated example is the same audit, never a conflict."""
    started = draw(st.datetimes(dt.datetime(2020, 1, 1), dt.datetime(2026, 1, 1),
                                timezones=st.sampled_from(ZONES))).replace(microsecond=0)
    length = draw(st.none() | st.integers(0, 4 * 3600))
    doc = AuditDocument(
        audit_id="pending",
        agency=Agency(code="TTT", name=draw(NAME)),
        site=Site(id=draw(SITE_ID), name=draw(NAME), address=draw(st.none() | TEXT)),
        scan=ScanMeta(tool_version="0.1.0", started_at=started.isoformat(),
                      finished_at=None if length is None
                      else (started + dt.timedelta(seconds=length)).isoformat(),
                      scanning_host=draw(NAME), inventory_digest="0" * 64,
                      snmp_backend=draw(st.sampled_from(["gufo", "pysnmp"])),
                      complete=draw(st.booleans())),
        coverage={"targets": 0, "reachable": 0, "fully_probed": 0},
        devices=draw(st.lists(DEVICE, max_size=4)),
        ipv6=draw(IPV6),
    )
    doc.recount()
    digest = hashlib.sha256(doc.model_dump_json().encode()).hexdigest()
    doc.audit_id = f"gen-{digest[:32]}"
    return doc


def valid_cases(operation: Any) -> st.SearchStrategy[tuple[str, Any]]:
    return valid_audits().map(lambda doc: ("valid", operation.Case(
        body=doc.model_dump(mode="json"), media_type="application/json")))


def check_valid(case: schemathesis.Case[Any], headers: dict[str, str]) -> None:
    """Stored, then already stored, and read back as it was sent."""
    doc = AuditDocument.model_validate(case.body)
    first = case.call_and_validate(headers=headers, checks=CHECKS)
    expected = 200 if doc.audit_id in Tokens.stored else 201
    assert first.status_code == expected, first.text
    Tokens.stored.add(doc.audit_id)
    again = case.call_and_validate(headers=headers, checks=CHECKS)
    assert again.status_code == 200, again.text
    assert again.json() == {**first.json(), "status": "already-stored"}
    read = case.operation.schema["/api/v1/audits/{audit_id}"]["GET"].Case(
        path_parameters={"audit_id": doc.audit_id}).call(
        headers={"Authorization": f"Bearer {Tokens.admin}"})
    assert read.status_code == 200, read.text
    assert AuditDocument.model_validate(read.json()["document"]) == doc
    assert json.loads(read.text)["sha256"] == first.json()["sha256"]


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    engine = open_db(str(tmp_path_factory.mktemp("schemathesis") / "collector.sqlite"))
    try:
        Tokens.admin = auth.add_admin(engine)
        Tokens.agency, _ = auth.add_agency(engine, "TTT", "Thanh tra tỉnh")
        app = create_app(engine, catalog=load_catalog(CATALOG))
        # one stored audit, so the reads have something to return besides empty lists
        from fastapi.testclient import TestClient
        with TestClient(app) as client:
            res = client.post("/api/v1/audits", content=make_audit().model_dump_json().encode(),
                              headers={"Authorization": f"Bearer {Tokens.agency}",
                                       "Content-Type": "application/json"})
            assert res.status_code == 201, res.text
        yield schemathesis.openapi.from_asgi("/openapi.json", app)
    finally:
        engine.dispose()


OPERATIONS = [("GET", "/healthz"), ("POST", "/api/v1/audits"), ("GET", "/api/v1/agencies"),
              ("GET", "/api/v1/agencies/{code}/audits"), ("GET", "/api/v1/audits/{audit_id}"),
              ("GET", "/api/v1/aggregates"), ("GET", "/api/v1/report")]


def _token(method: str, path: str) -> str:
    return Tokens.agency if (method, path) == ("POST", "/api/v1/audits") else Tokens.admin


# schemathesis's own pytest plumbing (schema.parametrize / from_fixture) sets Node._nodeid,
# which pytest 9 no longer has; so each operation is a plain parametrized test driving the
# operation's hypothesis strategy itself.
# negative cases need something to break: /healthz has no parameters
CASES = [(method, path, mode) for method, path in OPERATIONS
         for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
         if not (path == "/healthz" and mode is GenerationMode.NEGATIVE)]


@pytest.mark.parametrize(("method", "path", "mode"), CASES,
                         ids=[f"{m} {p} {mode.value}" for m, p, mode in CASES])
def test_operation(api_schema: Any, method: str, path: str, mode: GenerationMode) -> None:
    operation = api_schema[path][method]
    headers = {"Authorization": f"Bearer {_token(method, path)}"}

    strategy = operation.as_strategy(generation_mode=mode).map(lambda case: ("schema", case))
    submit = (method, path) == ("POST", "/api/v1/audits") and mode is GenerationMode.POSITIVE
    if submit:  # part of the submissions are real audits, the rest drawn from the schema
        strategy = valid_cases(operation) | strategy

    @given(drawn=strategy)
    @settings(max_examples=50 if submit else 25, deadline=None, derandomize=True,
              database=None, suppress_health_check=[
                  HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large])
    def run(drawn: tuple[str, schemathesis.Case[Any]]) -> None:
        kind, case = drawn
        if kind == "valid":
            check_valid(case, headers)
            return
        agency = case.body.get("agency") if isinstance(case.body, dict) else None
        if mode is GenerationMode.POSITIVE and isinstance(agency, dict):
            # the token's own agency, so valid documents get past the wrong-agency refusal
            agency["code"] = "TTT"
        case.call_and_validate(headers=headers, checks=CHECKS)

    run()


def test_valid_audits_are_stored_idempotently(api_schema: Any) -> None:
    """The success path on its own (the mixed strategy above may draw few valid audits when
    hypothesis shrinks its budget): distinct real audits, each stored, stored again, read back."""
    operation = api_schema["/api/v1/audits"]["POST"]
    headers = {"Authorization": f"Bearer {Tokens.agency}"}

    @given(drawn=valid_cases(operation))
    @settings(max_examples=20, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    def run(drawn: tuple[str, schemathesis.Case[Any]]) -> None:
        check_valid(drawn[1], headers)

    stored = len(Tokens.stored)
    run()
    assert len(Tokens.stored) - stored >= 10, len(Tokens.stored) - stored


def test_schema_has_every_operation(api_schema: Any) -> None:
    """The generated tests above cover the collector's whole API surface."""
    ops = {(op.ok().method.upper(), op.ok().path) for op in api_schema.get_all_operations()}
    assert ops == set(OPERATIONS)
