"""Submissions: check an audit, store it with its summary in one transaction, read the latest
per site.

Rejections carry a precise reason (``Rejected``). The stored document is the audit migrated to
the current schema and written canonically (sorted keys, no spaces, UTF-8); its sha256 decides
idempotency: the same audit id with the same canonical document is "already stored", with a
different one a conflict.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from infraaudit.collector import summaries as summary
from infraaudit.collector.db import agencies, submissions, summaries, writer
from infraaudit.errors import AuditFormatError, Rejected
from infraaudit.models import SCHEMA_VERSION, AuditDocument
from infraaudit.models.migrate import load_audit
from infraaudit.models.province import SEVERITIES

SITE_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
AUDIT_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$")
MAX_SKEW = dt.timedelta(days=1)
EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)  # no audit was made before: a wrong clock


@dataclass(frozen=True)
class Stored:
    audit_id: str
    sha256: str
    created: bool  # False: the identical audit was already stored


def _time(value: str, field: str) -> dt.datetime:
    """``value`` as a UTC time; Rejected when it is not ISO 8601 or before ``EARLIEST``."""
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise Rejected(422, "invalid-audit", f"{field} is not an ISO 8601 time: {value[:40]!r}"
                       ) from None
    try:
        parsed = (parsed.replace(tzinfo=dt.UTC) if parsed.tzinfo is None
                  else parsed.astimezone(dt.UTC))
    except OverflowError:  # 0001-01-01T00:00+07:00 is before year 1 in UTC, 9999-12-31-05:00
        parsed = (dt.datetime.min if parsed.year < EARLIEST.year else dt.datetime.max
                  ).replace(tzinfo=dt.UTC)
    if parsed < EARLIEST:
        raise Rejected(422, "invalid-audit",
                       f"{field} {value[:40]} is before {EARLIEST.year}: check the scanning "
                       "host's clock")
    return parsed


def _submitted_version(body: bytes) -> int | None:
    try:
        data = json.loads(body)
    except ValueError:
        return None
    version = data.get("schema_version") if isinstance(data, dict) else None
    return version if isinstance(version, int) else None


def parse(body: bytes) -> tuple[AuditDocument, int]:
    """The audit in ``body`` as the current schema, and the schema version it was sent in."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Rejected(422, "invalid-audit", f"not UTF-8: byte {exc.start}") from None
    try:
        doc = load_audit(text)
    except AuditFormatError as exc:
        too_new = "newer than this infraaudit reads" in str(exc)
        raise Rejected(422, "schema-too-new" if too_new else "invalid-audit",
                       str(exc).replace("upgrade infraaudit",
                                        "upgrade the collector's infraaudit")
                       if too_new else str(exc)) from None
    return doc, _submitted_version(body) or SCHEMA_VERSION


def check(doc: AuditDocument, agency_code: str, now: dt.datetime) -> None:
    """Content checks beyond the schema; raise Rejected with the reason."""
    if doc.agency.code.lower() == agency_code.lower() and doc.agency.code != agency_code:
        raise Rejected(422, "invalid-audit",
                       f"agency.code {doc.agency.code!r} is written {agency_code!r} at the "
                       "province (codes that differ only in case name one agency): write it "
                       "so in the site inventory")
    if doc.agency.code != agency_code:
        raise Rejected(403, "wrong-agency",
                       f"the audit is for agency {doc.agency.code!r}; this token submits for "
                       f"{agency_code!r} only")
    if not AUDIT_ID_RE.match(doc.audit_id):
        raise Rejected(422, "invalid-audit",
                       f"audit_id {doc.audit_id!r}: letters, digits and . _ : - only, "
                       "at most 100 characters")
    if not SITE_ID_RE.match(doc.site.id):
        raise Rejected(422, "invalid-audit",
                       f"site.id {doc.site.id!r}: letters, digits and . _ - only, starting with "
                       "a letter or digit, at most 64 characters")
    if not doc.site.name.strip():
        raise Rejected(422, "invalid-audit", "site.name is empty")
    started = _time(doc.scan.started_at, "scan.started_at")
    if started > now + MAX_SKEW:
        raise Rejected(422, "invalid-audit",
                       f"scan.started_at {doc.scan.started_at} is in the future (collector time "
                       f"{now.isoformat(timespec='seconds')}): check the scanning host's clock")
    if doc.scan.finished_at is not None:
        finished = _time(doc.scan.finished_at, "scan.finished_at")
        if finished > now + MAX_SKEW:
            raise Rejected(422, "invalid-audit",
                           f"scan.finished_at {doc.scan.finished_at} is in the future (collector "
                           f"time {now.isoformat(timespec='seconds')}): check the scanning "
                           "host's clock")
        if finished < started:
            raise Rejected(422, "invalid-audit",
                           f"scan.finished_at {doc.scan.finished_at} is before scan.started_at "
                           f"{doc.scan.started_at}")


def _nul(value: Any, path: str = "") -> str | None:
    """The path of the first key or string holding U+0000, or None."""
    if isinstance(value, str):
        return (path or ".") if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if "\x00" in str(key):
                return where
            found = _nul(item, where)
            if found:
                return found
    if isinstance(value, list):
        for i, item in enumerate(value):
            found = _nul(item, f"{path}[{i}]")
            if found:
                return found
    return None


def canonical(doc: AuditDocument) -> bytes:
    return json.dumps(doc.model_dump(mode="json"), sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")


def submit(engine: Engine, body: bytes, agency_code: str,
           now: dt.datetime | None = None) -> Stored:
    """Check and store one submitted audit and its summary (one transaction) for the token's
    agency."""
    now = now or dt.datetime.now(dt.UTC)
    doc, version = parse(body)
    check(doc, agency_code, now)
    data = canonical(doc)
    where = _nul(json.loads(data)) if b"\\u0000" in data else None
    if where is not None:  # PostgreSQL's JSONB cannot hold it: refused on every engine alike
        raise Rejected(422, "invalid-audit",
                       f"{where} holds a NUL character (U+0000), which the collector does not "
                       "store: remove it from the audit")
    numbers = summary.summary_row(doc)  # before the transaction: it holds the write lock
    digest = hashlib.sha256(data).hexdigest()
    row = {
        "audit_id": doc.audit_id, "agency_code": agency_code, "site_id": doc.site.id,
        "site_name": doc.site.name, "schema_version": version,
        "scan_started_at": _time(doc.scan.started_at, "scan.started_at"),
        "complete": doc.scan.complete, "received_at": now, "sha256": digest,
        "size": len(data), "document": json.loads(data),
    }
    try:
        with writer(engine).begin() as conn:
            if _existing(conn, doc.audit_id) is None:
                conn.execute(sa.insert(submissions).values(**row))
                if numbers is not None:
                    conn.execute(sa.insert(summaries).values(**numbers))
                return Stored(doc.audit_id, digest, created=True)
    except sa.exc.IntegrityError:
        pass  # the same audit id was stored concurrently: compare with it below
    with engine.connect() as conn:
        existing = _existing(conn, doc.audit_id)
    if existing is None:  # pragma: no cover - an integrity error with no row: the agency vanished
        raise Rejected(409, "conflict", "the audit could not be stored; send it again")
    if existing.agency_code != agency_code or (existing.sha256 != digest
                                               and not _same_when_migrated(engine, doc, data)):
        raise Rejected(409, "conflict",
                       f"audit {doc.audit_id} is already stored with different content "
                       f"(sha256 {existing.sha256[:12]}…, received "
                       f"{existing.received_at.isoformat(timespec='seconds')}): a new scan needs "
                       "a new audit_id")
    return Stored(doc.audit_id, digest, created=False)


def _same_when_migrated(engine: Engine, doc: AuditDocument, data: bytes) -> bool:
    """Whether the stored document, read as the current schema, is ``data``: an audit stored
    by a collector of an older audit schema and resent (from an outbox) after the upgrade is
    the same audit, although its canonical form, and so its digest, changed."""
    with engine.connect() as conn:
        stored = conn.execute(sa.select(submissions.c.document)
                              .where(submissions.c.audit_id == doc.audit_id)).scalar_one()
    try:
        return canonical(summary.stored_document(stored)) == data
    except AuditFormatError:
        return False


def _existing(conn: sa.Connection, audit_id: str) -> Any:
    return conn.execute(
        sa.select(submissions.c.agency_code, submissions.c.sha256, submissions.c.received_at)
        .where(submissions.c.audit_id == audit_id)).first()


# ---------------------------------------------------------------- reads

META = (submissions.c.audit_id, submissions.c.agency_code, submissions.c.site_id,
        submissions.c.site_name, submissions.c.schema_version, submissions.c.scan_started_at,
        submissions.c.complete, submissions.c.received_at, submissions.c.sha256,
        submissions.c.size)


def _latest(agency_code: str | None, full: bool, summarized: bool = False) -> sa.Select[Any]:
    """The newest audit (by scan start, then reception) of each site; with ``summarized``, its
    summary and the rules that computed it (NULL if it has none)."""
    rank = sa.func.row_number().over(
        partition_by=(submissions.c.agency_code, submissions.c.site_id),
        order_by=(submissions.c.scan_started_at.desc(), submissions.c.received_at.desc()),
    ).label("rank")
    cols: list[sa.Column[Any]] = [*META, submissions.c.document] if full else list(META)
    if summarized:
        cols += [summaries.c.rules, summaries.c.summary]
    inner = sa.select(*cols, rank)
    if summarized:
        inner = inner.select_from(submissions.outerjoin(
            summaries, summaries.c.audit_id == submissions.c.audit_id))
    if agency_code is not None:
        inner = inner.where(submissions.c.agency_code == agency_code)
    sub = inner.subquery()
    return (sa.select(*[sub.c[c.name] for c in cols]).where(sub.c.rank == 1)
            .order_by(sub.c.agency_code, sub.c.site_id))


def meta(row: Any) -> dict[str, Any]:
    out = {c.name: getattr(row, c.name) for c in META}
    for key in ("scan_started_at", "received_at"):
        out[key] = out[key].isoformat()
    return out


def agency_exists(engine: Engine, code: str) -> bool:
    with engine.connect() as conn:
        return conn.execute(sa.select(agencies.c.code).where(agencies.c.code == code)
                            ).first() is not None


def latest_audits(engine: Engine, code: str, full: bool = False) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(_latest(code, full)).all()
    out = []
    for row in rows:
        item = meta(row)
        if full:
            item["document"] = row.document
        out.append(item)
    return out


def latest_documents(engine: Engine) -> list[AuditDocument]:
    """The newest audit of every site of every agency (for the province report)."""
    with engine.connect() as conn:
        rows = conn.execute(_latest(None, True)).all()
    return [summary.stored_document(row.document) for row in rows]


def audit(engine: Engine, audit_id: str) -> dict[str, Any] | None:
    with engine.connect() as conn:
        row = conn.execute(sa.select(*META, submissions.c.document)
                           .where(submissions.c.audit_id == audit_id)).first()
    if row is None:
        return None
    return {**meta(row), "document": row.document}


def status(latest: list[dict[str, Any]], last: dt.datetime | None, now: dt.datetime,
           stale_days: int) -> str:
    """none: nothing submitted; stale: nothing received for ``stale_days``; incomplete: the
    latest audit of some site was interrupted; ok otherwise."""
    if last is None:
        return "none"
    if now - last > dt.timedelta(days=stale_days):
        return "stale"
    if not all(item["complete"] for item in latest):
        return "incomplete"
    return "ok"


def list_agencies(engine: Engine, now: dt.datetime | None = None,
                  stale_days: int = 400) -> list[dict[str, Any]]:
    now = now or dt.datetime.now(dt.UTC)
    with engine.connect() as conn:
        names = conn.execute(sa.select(agencies.c.code, agencies.c.name)
                             .order_by(agencies.c.code)).all()
        last: dict[str, dt.datetime] = {
            row[0]: row[1] for row in conn.execute(
                sa.select(submissions.c.agency_code, sa.func.max(submissions.c.received_at))
                .group_by(submissions.c.agency_code))}
        latest = conn.execute(_latest(None, full=False)).all()
    per_agency: dict[str, list[dict[str, Any]]] = {}
    for row in latest:
        per_agency.setdefault(row.agency_code, []).append(meta(row))
    out = []
    for code, name in names:
        seen = last.get(code)
        sites = per_agency.get(code, [])
        out.append({
            "code": code, "name": name,
            "last_submission": seen.isoformat() if seen else None,
            "sites": len(sites),
            "status": status(sites, seen, now, stale_days),
        })
    return out


def aggregates(engine: Engine) -> list[dict[str, Any]]:
    """Per agency: its sites' latest audits summed, with the per-site numbers.

    From the stored summaries; one missing or computed by other rules (infraaudit was upgraded,
    ``infraaudit serve`` has not refreshed it yet) is computed from its document. An audit no
    summary can be computed for (a finding rule fails on it; the log says why) is listed under
    its agency's ``unsummarized`` instead of failing the whole answer."""
    rules = summary.rules()
    with engine.connect() as conn:
        names = conn.execute(sa.select(agencies.c.code, agencies.c.name)
                             .order_by(agencies.c.code)).all()
        latest = conn.execute(_latest(None, full=False, summarized=True)).all()
        stale = [row.audit_id for row in latest if row.rules != rules]
        fresh = summary.computed(conn, stale) if stale else {}
    per_agency: dict[str, list[dict[str, Any]]] = {}
    missing: dict[str, list[str]] = {}
    for row in latest:
        numbers = row.summary if row.rules == rules else fresh.get(row.audit_id, row.summary)
        if numbers is None:
            missing.setdefault(row.agency_code, []).append(row.audit_id)
            continue
        per_agency.setdefault(row.agency_code, []).append(numbers)
    out = []
    for code, name in names:
        sites = per_agency.get(code, [])
        out.append({
            "code": code, "name": name, "sites": len(sites),
            "devices": sum(s["devices"] for s in sites),
            "devices_answered": sum(s["devices_answered"] for s in sites),
            "ports": sum(s["ports"] for s in sites),
            "findings": {sev: sum(s["findings"][sev] for s in sites) for sev in SEVERITIES},
            "ipv6_phase": {s["site_id"]: s["ipv6_phase"] for s in sites},
            "site_details": sites,
            "unsummarized": missing.get(code, []),
        })
    return out
