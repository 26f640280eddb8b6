"""schemathesis against the collector's published OpenAPI (issue 8, part 6).

The schema is loaded from the ASGI app in-process (fresh SQLite database, an agency token, an
admin token). Every operation gets generated requests with the token it needs (agency for
POST /api/v1/audits, admin for the reads) and the stateless checks: no 5xx, status codes,
content types and response bodies as the spec declares them. Bounded and derandomized, so CI
runs the same examples every time.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from infraaudit.collector import auth
from infraaudit.collector.api import create_app
from infraaudit.collector.db import open_db
from infraaudit.proposal import load_catalog
from tests.unit.test_collector_api import make_audit

CATALOG = Path(__file__).resolve().parents[2] / "inventories" / "catalog.yaml"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


class Tokens:
    agency = ""
    admin = ""


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

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=25, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                     HealthCheck.data_too_large])
    def run(case: schemathesis.Case[Any]) -> None:
        agency = case.body.get("agency") if isinstance(case.body, dict) else None
        if mode is GenerationMode.POSITIVE and isinstance(agency, dict):
            # the token's own agency, so valid documents get past the wrong-agency refusal
            agency["code"] = "TTT"
        case.call_and_validate(headers=headers, checks=CHECKS)

    run()


def test_schema_has_every_operation(api_schema: Any) -> None:
    """The generated tests above cover the collector's whole API surface."""
    ops = {(op.ok().method.upper(), op.ok().path) for op in api_schema.get_all_operations()}
    assert ops == set(OPERATIONS)
