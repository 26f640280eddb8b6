"""The collector's database: its tables (the newest schema version) and its engines.

SQLite (a file, the default) or PostgreSQL (``postgresql+psycopg://...``). The versioned
migrations that create these tables are in ``infraaudit.collector.migrations``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection, Dialect, Engine

from infraaudit.errors import CollectorDbError
from infraaudit.util.output import not_sqlite

# Written (not read) as execution option: transactions on an engine carrying it take SQLite's
# write lock at BEGIN, so that a read followed by a write never fails with SQLITE_BUSY.
WRITE = {"infraaudit_write": True}
PG_LOCK_KEY = 0x1AF0_A0D1  # pg_advisory_xact_lock key for migrations


class UtcDateTime(sa.TypeDecorator[dt.datetime]):
    """An aware UTC datetime on both engines (SQLite keeps no offset: it stores UTC)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: the collector stores UTC times only")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None,
                             dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


Document = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

metadata = sa.MetaData()

schema_version = sa.Table(
    "schema_version", metadata,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("applied_at", UtcDateTime, nullable=False),
)

agencies = sa.Table(
    "agencies", metadata,
    sa.Column("code", sa.String(64), primary_key=True),
    sa.Column("name", sa.String(300), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
)

tokens = sa.Table(
    "tokens", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("agency_code", sa.String(64), sa.ForeignKey("agencies.code"), nullable=True,
              comment="NULL for an admin token"),
    sa.Column("prefix", sa.String(16), nullable=False,
              comment="the token's first characters, to name it (e.g. to revoke it)"),
    sa.Column("sha256", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("revoked_at", UtcDateTime, nullable=True),
)

submissions = sa.Table(
    "submissions", metadata,
    sa.Column("audit_id", sa.String(100), primary_key=True),
    sa.Column("agency_code", sa.String(64), sa.ForeignKey("agencies.code"), nullable=False),
    sa.Column("site_id", sa.String(64), nullable=False),
    sa.Column("site_name", sa.String(300), nullable=False),
    sa.Column("schema_version", sa.Integer, nullable=False,
              comment="as submitted; the stored document is migrated to the current version"),
    sa.Column("scan_started_at", UtcDateTime, nullable=False),
    sa.Column("complete", sa.Boolean, nullable=False),
    sa.Column("received_at", UtcDateTime, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False, comment="of the canonical JSON"),
    sa.Column("size", sa.Integer, nullable=False, comment="bytes of the canonical JSON"),
    sa.Column("document", Document, nullable=False),
    sa.Index("ix_submissions_site", "agency_code", "site_id", "scan_started_at"),
)


summaries = sa.Table(
    "summaries", metadata,
    sa.Column("audit_id", sa.String(100),
              sa.ForeignKey("submissions.audit_id", ondelete="CASCADE"), primary_key=True),
    sa.Column("rules", sa.String(16), nullable=False,
              comment="fingerprint of the rules that computed it (another one: recomputed)"),
    sa.Column("summary", Document, nullable=False,
              comment="devices, Ethernet ports, findings by severity, IPv6 phase"),
)


def default_db() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "infraaudit" / "collector.sqlite"


def db_url(db: str | Path | None) -> str:
    """An SQLAlchemy URL from ``--db``: a URL as given, a plain path as an SQLite file."""
    if db is None:
        db = default_db()
    text = str(db)
    if "://" in text:
        return text
    path = Path(text).expanduser().resolve()
    return f"sqlite:///{path}"


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def make_engine(db: str | Path | None) -> Engine:
    """An engine for ``db`` (see ``db_url``); an SQLite file's folder is created."""
    url = sa.make_url(db_url(db))
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:":
            raise CollectorDbError("the collector needs an SQLite file, not an in-memory database")
        problem = not_sqlite(Path(url.database))
        if problem:
            raise CollectorDbError(f"collector database {url.database}: {problem}")
        try:
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CollectorDbError(f"collector database {url.database}: cannot make its "
                                   f"folder: {exc.strerror}") from None
        engine = sa.create_engine(url, json_serializer=_json,
                                  connect_args={"check_same_thread": False, "timeout": 30})
        _sqlite_events(engine)
        return engine
    if url.get_backend_name() == "postgresql":
        return sa.create_engine(url, json_serializer=_json, pool_pre_ping=True)
    raise CollectorDbError(f"unsupported database {url.get_backend_name()!r}: "
                           "use an SQLite path or a postgresql+psycopg:// URL")


def _sqlite_events(engine: Engine) -> None:
    # pysqlite's own transaction handling defers BEGIN and breaks transactional DDL; take it
    # over (the SQLAlchemy recipe), and begin write transactions IMMEDIATE.
    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        write = conn.get_execution_options().get("infraaudit_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def writer(engine: Engine) -> Engine:
    """The same engine, whose transactions take the write lock at once on SQLite."""
    return engine.execution_options(**WRITE)
