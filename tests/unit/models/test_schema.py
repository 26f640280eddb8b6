"""The committed JSON Schema is the published contract: it must match the models."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from infraaudit.cli import app
from infraaudit.cli.scan import audit_json_schema
from infraaudit.models import SCHEMA_VERSION
from tests.paths import REPO

COMMITTED = REPO / "infraaudit" / "schema" / "audit.schema.json"


def test_committed_schema_matches_models() -> None:
    committed = json.loads(COMMITTED.read_text(encoding="utf-8"))
    assert committed == audit_json_schema(), (
        "models changed: run `infraaudit schema > infraaudit/schema/audit.schema.json` and bump "
        "SCHEMA_VERSION if the change is not backwards compatible"
    )


def test_schema_command_prints_it() -> None:
    result = CliRunner().invoke(app, ["schema"])
    assert result.exit_code == 0
    printed = json.loads(result.stdout)
    assert printed["properties"]["schema_version"]["const"] == SCHEMA_VERSION == 7
    assert printed["additionalProperties"] is False
    assert "Port" in printed["$defs"] and "ProbeResult" in printed["$defs"]
