from __future__ import annotations

import json

import pytest

from infraaudit.errors import AuditFormatError
from infraaudit.models import SCHEMA_VERSION
from infraaudit.models.migrate import load_audit
from tests.paths import UNIT_DATA

V1 = UNIT_DATA / "audit-v1.json"


def test_v1_audit_reads_as_current() -> None:
    old = json.loads(V1.read_text(encoding="utf-8"))
    assert old["schema_version"] == 1
    doc = load_audit(V1.read_text(encoding="utf-8"))
    assert doc.schema_version == SCHEMA_VERSION
    assert doc.devices[0].sys_name == old["devices"][0]["sys_name"]
    assert doc.devices[0].sources == {} and doc.devices[0].platform is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "not JSON"),
        ('{"devices": []}', "no integer schema_version"),
        ('{"schema_version": 99}', "newer than this infraaudit reads"),
        ('{"schema_version": 3, "agency": {}}', "invalid audit"),
    ],
)
def test_bad_documents_are_refused_clearly(text: str, message: str) -> None:
    with pytest.raises(AuditFormatError, match=message):
        load_audit(text)


def test_v4_audit_reads_with_empty_l2_facts() -> None:
    old = json.loads((UNIT_DATA / "sample-agency-v4" / "hoan-kiem.json").read_text("utf-8"))
    assert old["schema_version"] == 4
    doc = load_audit(json.dumps(old))
    assert doc.schema_version == SCHEMA_VERSION == 7
    assert all(d.vlans == [] and d.stp is None and d.poe is None for d in doc.devices)
    assert all(d.pvids == {} for d in doc.devices)


def test_a_version_4_audit_reads_without_neighbours_or_endpoints() -> None:
    data = json.loads((UNIT_DATA / "sample-agency-v4" / "hung-vuong.json").read_text("utf-8"))
    assert data["schema_version"] == 4 and "endpoints" not in data
    doc = load_audit(json.dumps(data))
    assert doc.schema_version == SCHEMA_VERSION == 7
    assert doc.endpoints is None and all(d.neighbours == [] for d in doc.devices)
    assert len(doc.devices) == len(data["devices"])


def test_a_version_5_audit_reads_without_health_or_learnt_vlans() -> None:
    data = json.loads(load_audit((UNIT_DATA / "sample-agency" / "hung-vuong.json").read_text(
        "utf-8")).model_dump_json())
    data["schema_version"] = 5
    for device in data["devices"]:
        del device["health"]
        for port in device["ports"]:
            del port["mac_vlans"]
    doc = load_audit(json.dumps(data))
    assert doc.schema_version == SCHEMA_VERSION and len(doc.devices) == len(data["devices"])
    assert all(d.health is None and all(p.mac_vlans == {} for p in d.ports)
               for d in doc.devices)


def test_a_version_6_audit_reads_with_the_ports_medium_unknown() -> None:
    data = json.loads((UNIT_DATA / "sample-agency" / "bao-an.json").read_text("utf-8"))
    assert any(p["media"] == "fibre" for d in data["devices"] for p in d["ports"])
    data["schema_version"] = 6
    for device in data["devices"]:
        for port in device["ports"]:
            del port["media"]
    doc = load_audit(json.dumps(data))
    assert doc.schema_version == SCHEMA_VERSION == 7
    assert doc.devices and all(p.media is None for d in doc.devices for p in d.ports)
