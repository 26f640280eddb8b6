"""Per-audit summaries: the numbers the province compares, computed once when an audit is stored.

``site_summary`` reads one audit (devices, Ethernet ports, findings by severity, IPv6 phase);
``store.submit`` writes it to ``summaries`` in the submission's own transaction, so the
aggregates read small summaries instead of re-reading and re-judging every full document.

A summary carries the fingerprint (``rules()``) of what computed it: the summary format, the
infraaudit version, the finding rules and their data files. Another fingerprint means the rules
changed since: reads compute that audit's summary from its document again (still correct, only
slower), and ``refresh``, run by ``infraaudit serve`` at start, rewrites the stale ones. The
migration that added the table filled it for the audits already stored (``backfill``).

An audit a finding rule fails on is stored without a summary (it is valid; the rule's bug shows
in the aggregates, as it did before the summaries existed, until a fixed infraaudit refreshes it).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import Counter
from collections.abc import Iterable, Iterator
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from infraaudit import __version__
from infraaudit.collector.db import submissions, summaries, writer
from infraaudit.errors import AuditFormatError

if TYPE_CHECKING:  # the audit models and the rules load with the first audit summarised:
    # a collector command that only opens the database (add-admin) does not pay for them
    from infraaudit.models import AuditDocument

# Bump when site_summary's output changes shape or meaning.
SUMMARY_FORMAT = 1
BATCH = 200
log = logging.getLogger(__name__)


@cache
def rules() -> str:
    """The fingerprint of what computes a summary (16 hex digits): the format, the version,
    this module, the finding rules with their data, and the audit models with their
    migrations (a model change can change what a stored document reads as). The findings
    package is read whole (every Python file at any depth, every file of ``data/``), so a
    module split off or added there is never left out."""
    digest = hashlib.sha256(f"{SUMMARY_FORMAT}|{__version__}".encode())
    package = resources.files("infraaudit")
    sources = [package.joinpath("collector/summaries.py")]
    pending = [("", package.joinpath("findings"))]
    found: list[tuple[str, Traversable]] = []
    while pending:
        where, folder = pending.pop()
        for entry in folder.iterdir():
            name = f"{where}{entry.name}"
            if entry.is_dir() and entry.name != "__pycache__":
                pending.append((f"{name}/", entry))
            elif entry.is_file() and (name.endswith(".py") or name.startswith("data/")):
                found.append((name, entry))
    sources += [entry for _, entry in sorted(found, key=lambda pair: pair[0])]
    sources += sorted((p for p in package.joinpath("models").iterdir()
                       if p.name.endswith(".py")), key=lambda p: p.name)
    sources.append(resources.files("infraaudit.report_templates").joinpath("findings.yaml"))
    for source in sources:
        try:
            digest.update(source.read_bytes())
        except OSError:  # pragma: no cover - a packaging without the source: version only
            digest.update(source.name.encode())
    return digest.hexdigest()[:16]


def site_summary(doc: AuditDocument) -> dict[str, Any]:
    """The numbers the province compares, for one site's audit."""
    from infraaudit.findings import findings
    from infraaudit.models import is_switch_port
    from infraaudit.models.province import SEVERITIES

    severity: Counter[str] = Counter(f.severity for f in findings(doc))
    return {
        "site_id": doc.site.id, "site_name": doc.site.name, "audit_id": doc.audit_id,
        "scan_started_at": doc.scan.started_at, "complete": doc.scan.complete,
        "devices": len(doc.devices),
        "devices_answered": sum(d.reachable for d in doc.devices),
        "ports": sum(is_switch_port(p) for d in doc.devices for p in d.ports),
        "findings": {s: severity.get(s, 0) for s in SEVERITIES},
        "ipv6_phase": doc.ipv6.site.phase if doc.ipv6 and doc.ipv6.site else None,
    }


def _summary(doc: AuditDocument) -> dict[str, Any] | None:
    """site_summary, or None (logged) if a finding rule fails on this audit."""
    try:
        return site_summary(doc)
    except Exception:
        log.exception("audit %s: no summary stored (a finding rule failed)", doc.audit_id)
        return None


def summary_row(doc: AuditDocument) -> dict[str, Any] | None:
    """The ``summaries`` row of a stored audit (None: see ``_summary``)."""
    numbers = _summary(doc)
    return None if numbers is None else {"audit_id": doc.audit_id, "rules": rules(),
                                         "summary": numbers}


def stored_document(value: Any) -> AuditDocument:
    """A stored document (a dict, or JSON text on a driver that does not decode it) as the
    current schema: documents stored under an older schema are migrated on the way."""
    from infraaudit.models import SCHEMA_VERSION, AuditDocument
    from infraaudit.models.migrate import load_audit

    if isinstance(value, dict):
        if value.get("schema_version") == SCHEMA_VERSION:
            return AuditDocument.model_validate(value)
        return load_audit(json.dumps(value))
    return load_audit(value.decode("utf-8") if isinstance(value, bytes) else str(value))


def _chunks(items: list[str], size: int = BATCH) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def computed(conn: Connection, audit_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Summaries computed from the stored documents of ``audit_ids`` (an audit whose document
    no longer reads, or that a finding rule fails on, is left out: it has no summary)."""
    out: dict[str, dict[str, Any]] = {}
    for chunk in _chunks(sorted(set(audit_ids))):
        rows = conn.execute(sa.select(submissions.c.audit_id, submissions.c.document)
                            .where(submissions.c.audit_id.in_(chunk)))
        for audit_id, document in rows:
            try:
                doc = stored_document(document)
            except (AuditFormatError, ValueError):
                log.warning("audit %s: the stored document does not read", audit_id)
                continue
            numbers = _summary(doc)
            if numbers is not None:
                out[audit_id] = numbers
    return out


def _stale(conn: Connection) -> list[str]:
    """Audits with no summary, or one computed by other rules."""
    query = (sa.select(submissions.c.audit_id)
             .select_from(submissions.outerjoin(summaries,
                                                summaries.c.audit_id == submissions.c.audit_id))
             .where(sa.or_(summaries.c.audit_id.is_(None), summaries.c.rules != rules())))
    return [row[0] for row in conn.execute(query)]


def _write(conn: Connection, found: dict[str, dict[str, Any]]) -> None:
    if not found:
        return
    conn.execute(sa.delete(summaries).where(summaries.c.audit_id.in_(list(found))))
    conn.execute(sa.insert(summaries), [
        {"audit_id": audit_id, "rules": rules(), "summary": summary}
        for audit_id, summary in found.items()])


def backfill(conn: Connection) -> int:
    """Write the missing and stale summaries inside the caller's transaction (the migration's);
    return how many were written."""
    written = 0
    for chunk in _chunks(_stale(conn)):
        found = computed(conn, chunk)
        _write(conn, found)
        written += len(found)
    return written


def refresh(engine: Engine) -> int:
    """Rewrite the missing and stale summaries, one short transaction per batch, so the
    submissions arriving meanwhile are not held up; return how many were written."""
    with engine.connect() as conn:
        stale = _stale(conn)
    written = 0
    for chunk in _chunks(stale):
        with engine.connect() as conn:
            found = computed(conn, chunk)
        try:
            with writer(engine).begin() as conn:
                # a stored audit never changes: only one deleted meanwhile needs care
                present = {row[0] for row in conn.execute(
                    sa.select(submissions.c.audit_id)
                    .where(submissions.c.audit_id.in_(list(found))))}
                _write(conn, {k: v for k, v in found.items() if k in present})
        except sa.exc.IntegrityError:
            continue  # another collector refreshed the same audits at the same time
        written += len(present)
    return written
