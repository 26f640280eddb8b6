"""The collector database's versioned migrations, and opening a database at the newest one.

The schema carries its version in the ``schema_version`` table; ``migrate`` applies the missing
steps in order, each in its own transaction, under a lock (``BEGIN IMMEDIATE`` on SQLite, an
advisory lock on PostgreSQL), so two collectors starting at once on a new database cannot both
apply a step.

Rule for later versions: a step never changes what an earlier step created (it adds tables);
the tables of ``infraaudit.collector.db`` describe the newest version, and
``tests/unit/collector/test_db.py`` checks that the migrated database matches them and that a
database of each earlier version, holding audits, migrates.

Versions: 1 agencies, tokens, submissions; 2 ``summaries`` (the per-audit numbers the
aggregates read), backfilled for the audits already stored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from infraaudit.collector.db import (
    PG_LOCK_KEY,
    agencies,
    make_engine,
    metadata,
    schema_version,
    submissions,
    summaries,
    tokens,
    writer,
)
from infraaudit.collector.summaries import backfill
from infraaudit.errors import CollectorDbError


def _v1(conn: Connection) -> None:
    """Agencies, their tokens and the submitted audits."""
    metadata.create_all(conn, tables=[agencies, tokens, submissions])


def _v2(conn: Connection) -> None:
    """Per-audit summaries, computed for the audits already stored."""
    metadata.create_all(conn, tables=[summaries])
    backfill(conn)


# Ordered steps: STEPS[n - 1] brings the database from version n - 1 to n.
STEPS: list[Callable[[Connection], None]] = [_v1, _v2]
DB_VERSION = len(STEPS)


def _current(conn: Connection) -> int:
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": PG_LOCK_KEY})
    schema_version.create(conn, checkfirst=True)
    return int(conn.execute(sa.select(sa.func.coalesce(sa.func.max(schema_version.c.version), 0)))
               .scalar_one())


def version(engine: Engine) -> int:
    """The database's schema version (0: empty)."""
    with engine.connect() as conn:
        if not sa.inspect(conn).has_table("schema_version"):
            return 0
        return int(conn.execute(
            sa.select(sa.func.coalesce(sa.func.max(schema_version.c.version), 0))).scalar_one())


def migrate(engine: Engine, upto: int = DB_VERSION) -> int:
    """Bring the database to DB_VERSION (``upto``: an earlier one, for the migration tests), one
    transaction per step; return the version."""
    for target, step in enumerate(STEPS[:upto], start=1):
        with writer(engine).begin() as conn:
            current = _current(conn)
            if current > DB_VERSION:
                raise CollectorDbError(
                    f"the database is at schema version {current}, newer than this infraaudit "
                    f"knows ({DB_VERSION}): upgrade infraaudit")
            if current >= target:
                continue
            step(conn)
            conn.execute(sa.insert(schema_version).values(
                version=target, applied_at=dt.datetime.now(dt.UTC)))
    return version(engine)


def open_db(db: str | Path | None) -> Engine:
    """Open (creating or migrating as needed) the collector database."""
    engine = make_engine(db)
    try:
        migrate(engine)
    except BaseException as exc:
        engine.dispose()
        if not isinstance(exc, sa.exc.SQLAlchemyError):
            raise
        raise CollectorDbError(f"cannot open the collector database: {exc.__class__.__name__}: "
                               f"{exc.orig if isinstance(exc, sa.exc.DBAPIError) else exc!s}"
                               ) from exc
    return engine
