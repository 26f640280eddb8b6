"""The collector database's migrations and the per-audit summaries, on SQLite and on a private
PostgreSQL cluster (skipped only where the PostgreSQL binaries are absent).

A database of schema version 1 (made by the real step 1, holding audits stored the way the
version-1 collector stored them, one still in an older audit schema) migrates to the current
version with a summary backfilled for every audit; the aggregates then read the summaries and
give what recomputing from the documents gives. A summary computed by other rules is
recomputed on read and rewritten by ``refresh``; a submission and its summary are stored
together or not at all.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from infraaudit.collector import auth, store, summaries
from infraaudit.collector.db import make_engine, submissions
from infraaudit.collector.db import summaries as summary_table
from infraaudit.collector.migrations import DB_VERSION, migrate, open_db, version
from infraaudit.collector.pgcluster import PgCluster
from infraaudit.errors import Rejected
from infraaudit.models import AuditDocument
from tests.paths import UNIT_DATA
from tests.unit.collector.test_api import body, make_audit

DATA = UNIT_DATA


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "collector.sqlite")
    cluster: PgCluster | None = request.getfixturevalue("pg")
    if cluster is None:
        pytest.skip("PostgreSQL binaries not installed (scripts/bootstrap.sh installs them)")
    return cluster.create_db(f"t_{uuid.uuid4().hex[:12]}")


def v1_submit(engine: Engine, doc: AuditDocument, document: dict[str, Any] | None = None,
              submitted_version: int = 3) -> None:
    """Store ``doc`` as the version-1 collector did: a submissions row, nothing else.
    ``document``: the stored JSON, when it is to differ from ``doc``'s (an older schema)."""
    data = store.canonical(doc)
    with engine.begin() as conn:
        conn.execute(sa.insert(submissions).values(
            audit_id=doc.audit_id, agency_code=doc.agency.code, site_id=doc.site.id,
            site_name=doc.site.name, schema_version=submitted_version,
            scan_started_at=dt.datetime.fromisoformat(doc.scan.started_at),
            complete=doc.scan.complete, received_at=dt.datetime.now(dt.UTC),
            sha256=hashlib.sha256(data).hexdigest(), size=len(data),
            document=document if document is not None else json.loads(data)))


def stored_summaries(engine: Engine) -> dict[str, tuple[str, dict[str, Any]]]:
    with engine.connect() as conn:
        return {row.audit_id: (row.rules, row.summary)
                for row in conn.execute(sa.select(summary_table))}


def recomputed(engine: Engine) -> list[dict[str, Any]]:
    """The aggregates with every summary computed from its document (as before version 2)."""
    with engine.connect() as conn:
        ids = [row[0] for row in conn.execute(sa.select(submissions.c.audit_id))]
        found = summaries.computed(conn, ids)
    assert len(found) == len(ids)
    return [{**a, "site_details": [found[s["audit_id"]] for s in a["site_details"]]}
            for a in store.aggregates(engine)]


def test_a_version_1_database_holding_audits_migrates_with_its_summaries(url: str) -> None:
    engine = make_engine(url)
    try:
        assert migrate(engine, upto=1) == 1
        auth.add_agency(engine, "TTT", "Thanh tra tỉnh")
        auth.add_agency(engine, "SXD", "Sở Xây dựng")
        docs = [make_audit("TTT", "hq", started="2026-01-10T02:00:00+00:00", phase=0),
                make_audit("TTT", "hq", started="2026-02-10T02:00:00+00:00", phase=2),
                make_audit("TTT", "branch", complete=False),
                make_audit("SXD", "hq", started="2026-01-11T09:00:00+07:00")]
        for doc in docs:
            v1_submit(engine, doc)
        # stored by a collector of an older audit schema: migrated on the way to its summary
        older = make_audit("SXD", "annex", phase=3)
        document = json.loads(store.canonical(older))
        document["schema_version"] = 3
        v1_submit(engine, older, document)
        assert not sa.inspect(engine).has_table("summaries")
    finally:
        engine.dispose()

    engine = open_db(url)  # what `infraaudit serve` does at start
    try:
        assert version(engine) == DB_VERSION
        stored = stored_summaries(engine)
        assert set(stored) == {d.audit_id for d in [*docs, older]}
        for doc in [*docs, older]:
            rules, numbers = stored[doc.audit_id]
            assert rules == summaries.rules()
            assert numbers == summaries.site_summary(doc)
        assert stored[older.audit_id][1]["ipv6_phase"] == 3
        assert stored[docs[3].audit_id][1]["scan_started_at"] == "2026-01-11T09:00:00+07:00"

        aggregates = store.aggregates(engine)
        assert aggregates == recomputed(engine)
        by_code = {a["code"]: a for a in aggregates}
        assert [s["audit_id"] for s in by_code["TTT"]["site_details"]] == [
            docs[2].audit_id, docs[1].audit_id]  # the latest per site, sites in order
        assert by_code["TTT"]["ipv6_phase"] == {"branch": 1, "hq": 2}
        assert by_code["SXD"]["sites"] == 2 and by_code["SXD"]["devices"] == 4
        assert migrate(engine) == DB_VERSION  # again: nothing to do
        assert len(stored_summaries(engine)) == 5
        # the migrated database takes new submissions, each with its summary
        new = make_audit("SXD", "hq", started="2026-03-01T02:00:00+00:00")
        assert store.submit(engine, body(new), "SXD").created
        assert stored_summaries(engine)[new.audit_id] == (summaries.rules(),
                                                          summaries.site_summary(new))
        assert store.aggregates(engine) == recomputed(engine)
    finally:
        engine.dispose()


def test_summaries_of_other_rules_are_recomputed_on_read_and_rewritten_by_refresh(
        url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = open_db(url)
    try:
        auth.add_agency(engine, "TTT", "Thanh tra tỉnh")
        docs = [make_audit("TTT", f"s{i}", phase=i % 4) for i in range(5)]
        for doc in docs:
            store.submit(engine, body(doc), "TTT")
        expected = store.aggregates(engine)
        assert summaries.refresh(engine) == 0  # all current

        # a summary that lies, marked as computed by other rules: never read as it is
        with engine.begin() as conn:
            conn.execute(sa.update(summary_table).values(
                rules="0" * 16, summary={**summaries.site_summary(docs[0]), "devices": 999}))
            conn.execute(sa.delete(summary_table)
                         .where(summary_table.c.audit_id == docs[1].audit_id))
        assert store.aggregates(engine) == expected
        assert summaries.refresh(engine) == 5
        assert {rules for rules, _ in stored_summaries(engine).values()} == {summaries.rules()}
        assert store.aggregates(engine) == expected

        # the rules change (an upgrade): the stored summaries are stale until refreshed
        monkeypatch.setattr(summaries, "rules", lambda: "f" * 16)
        assert store.aggregates(engine) == expected
        assert summaries.refresh(engine) == 5
        assert {rules for rules, _ in stored_summaries(engine).values()} == {"f" * 16}
    finally:
        engine.dispose()


def test_a_submission_and_its_summary_are_stored_together_or_not_at_all(
        url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = open_db(url)
    try:
        auth.add_agency(engine, "TTT", "Thanh tra tỉnh")
        doc = make_audit()
        real = summaries.summary_row
        # the summary insert fails (a foreign key to no submission) after the submission's
        monkeypatch.setattr(summaries, "summary_row",
                            lambda d: {**real(d), "audit_id": "no-such-audit"})
        with pytest.raises(Rejected):
            store.submit(engine, body(doc), "TTT")
        with engine.connect() as conn:
            for table in (submissions, summary_table):
                assert conn.execute(sa.select(sa.func.count()).select_from(table)
                                    ).scalar_one() == 0
        monkeypatch.undo()
        assert store.submit(engine, body(doc), "TTT").created
        assert set(stored_summaries(engine)) == {doc.audit_id}
    finally:
        engine.dispose()


def test_the_older_audit_file_in_the_test_data_gets_a_summary(url: str) -> None:
    engine = open_db(url)
    try:
        auth.add_agency(engine, "TTT", "Thanh tra tỉnh")
        stored = store.submit(engine, (DATA / "audit-v1.json").read_bytes(), "TTT")
        rules, numbers = stored_summaries(engine)[stored.audit_id]
        assert rules == summaries.rules() and numbers["audit_id"] == stored.audit_id
        assert store.aggregates(engine) == recomputed(engine)
    finally:
        engine.dispose()


def test_an_audit_a_finding_rule_fails_on_is_stored_and_summarized_later(
        url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = open_db(url)
    try:
        auth.add_agency(engine, "TTT", "Thanh tra tỉnh")
        doc = make_audit()

        def broken(doc: AuditDocument) -> dict[str, Any]:
            raise KeyError("a rule bug")

        monkeypatch.setattr(summaries, "site_summary", broken)
        assert store.submit(engine, body(doc), "TTT").created  # valid: stored all the same
        assert stored_summaries(engine) == {}
        (ttt,) = store.aggregates(engine)  # the rule's bug costs that site, not the answer
        assert ttt["unsummarized"] == [doc.audit_id] and ttt["sites"] == 0
        monkeypatch.undo()  # the rule fixed (an upgrade)
        assert store.aggregates(engine) == recomputed(engine)
        assert summaries.refresh(engine) == 1
        assert stored_summaries(engine)[doc.audit_id][1] == summaries.site_summary(doc)
    finally:
        engine.dispose()


def test_a_nul_character_is_refused_with_where_it_is_on_every_engine(url: str) -> None:
    # PostgreSQL's JSONB cannot hold U+0000 (it was a 500 there); SQLite refuses it alike
    engine = open_db(url)
    try:
        auth.add_agency(engine, "TTT", "Thanh tra tỉnh")
        doc = make_audit()
        doc.devices[0].sys_descr = "Cisco IOS\x00\x00"
        with pytest.raises(Rejected, match=r"devices\[0\]\.sys_descr holds a NUL") as exc:
            store.submit(engine, body(doc), "TTT")
        assert exc.value.status == 422 and exc.value.error == "invalid-audit"
        doc = make_audit()
        doc.devices[1].sources = {"sys\x00name": ["snmp"]}
        with pytest.raises(Rejected, match=r"devices\[1\]\.sources\.sys\x00name"):
            store.submit(engine, body(doc), "TTT")
        doc = make_audit()
        doc.devices[0].sys_descr = "C:\\u0000 is not a NUL"  # the escape's text is no NUL
        assert store.submit(engine, body(doc), "TTT").created
    finally:
        engine.dispose()


def test_an_audit_stored_under_the_previous_schema_resent_after_the_upgrade(url: str) -> None:
    """The outbox keeps the JSON as the scanner wrote it (schema 3); the collector stored it
    then, was upgraded (schema 4: new optional fields), and the agency sends it again: the same
    audit (200), not a 409 conflict. Changed content under that id is still a conflict."""
    engine = open_db(url)
    try:
        auth.add_agency(engine, "TTT", "Thanh tra tỉnh")
        doc = make_audit()
        old = json.loads(store.canonical(doc))
        old["schema_version"] = 3
        for device in old["devices"]:
            del device["in_service"]
        data = json.dumps(old, sort_keys=True, separators=(",", ":"),
                          ensure_ascii=False).encode()
        with engine.begin() as conn:
            conn.execute(sa.insert(submissions).values(
                audit_id=doc.audit_id, agency_code="TTT", site_id=doc.site.id,
                site_name=doc.site.name, schema_version=3,
                scan_started_at=dt.datetime.fromisoformat(doc.scan.started_at),
                complete=True, received_at=dt.datetime.now(dt.UTC),
                sha256=hashlib.sha256(data).hexdigest(), size=len(data), document=old))
        again = store.submit(engine, data, "TTT")
        assert not again.created
        old["site"]["name"] = "Trụ sở khác"
        with pytest.raises(Rejected, match="different content"):
            store.submit(engine, json.dumps(old).encode(), "TTT")
    finally:
        engine.dispose()
