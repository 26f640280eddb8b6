"""The history store: every health run of every site, in one SQLite file (WAL).

Safety:
- a run is written in one transaction (``BEGIN IMMEDIATE`` ... ``COMMIT``) with
  ``synchronous=FULL``: a process killed at any moment leaves either the whole run or none of it,
  and every committed run survives;
- the schema is versioned (``PRAGMA user_version``) and upgraded by the migrations below, each in
  its own transaction;
- :class:`RunLock` (``flock`` on ``<db>.lock``) keeps two runs from overlapping;
- nothing secret is stored: the models written here hold no credential (profile names only).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from infraaudit.errors import LockHeld, StoreError
from infraaudit.models.finding import Finding
from infraaudit.models.health import HealthRun
from infraaudit.util.output import not_sqlite

MIGRATIONS: list[list[str]] = [
    [  # 1: runs with their full document, normalized samples for trends, the alerts raised
        """CREATE TABLE runs (
            id INTEGER PRIMARY KEY,
            run_id TEXT NOT NULL UNIQUE,
            site_id TEXT NOT NULL,
            started_at TEXT NOT NULL,
            finished_at TEXT NOT NULL,
            complete INTEGER NOT NULL,
            document TEXT NOT NULL
        )""",
        "CREATE INDEX runs_site_time ON runs (site_id, started_at)",
        """CREATE TABLE device_samples (
            run INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
            host TEXT NOT NULL,
            name TEXT,
            reachable INTEGER NOT NULL,
            uptime_s REAL,
            PRIMARY KEY (run, host)
        )""",
        """CREATE TABLE port_samples (
            run INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
            host TEXT NOT NULL,
            if_index INTEGER NOT NULL,
            name TEXT,
            oper_status TEXT,
            speed_mbps REAL,
            duplex TEXT,
            error_ppm REAL,
            fcs_ppm REAL,
            flapped INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (run, host, if_index)
        )""",
        """CREATE TABLE ping_samples (
            run INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
            target TEXT NOT NULL,
            name TEXT,
            sent INTEGER NOT NULL,
            received INTEGER NOT NULL,
            loss_pct REAL,
            rtt_avg_ms REAL,
            jitter_ms REAL,
            PRIMARY KEY (run, target)
        )""",
        """CREATE TABLE alerts (
            run INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
            code TEXT NOT NULL,
            severity TEXT NOT NULL,
            subject TEXT NOT NULL,
            document TEXT NOT NULL
        )""",
        "CREATE INDEX alerts_run ON alerts (run)",
    ],
]
SCHEMA_VERSION = len(MIGRATIONS)


def check_sqlite(path: Path) -> None:
    """StoreError unless ``path`` is absent, empty, or an SQLite database: a text file given as
    ``--db`` is refused, never turned into a database."""
    problem = not_sqlite(path)
    if problem:
        raise StoreError(f"history database {path}: {problem}")


def default_db() -> Path:
    """``$XDG_DATA_HOME/infraaudit/history.sqlite`` (``~/.local/share`` by default)."""
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "infraaudit" / "history.sqlite"


class RunLock:
    """An exclusive, non-blocking ``flock`` next to the database, released when the process
    ends however it ends (the kernel drops it with the file descriptor)."""

    def __init__(self, db: Path) -> None:
        self.path = db.with_name(db.name + ".lock")
        self._fd: int | None = None

    def __enter__(self) -> RunLock:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
        except OSError as exc:  # a read-only folder, a full disk
            raise StoreError(f"history database {self.path.with_suffix('')}: cannot make its "
                             f"lock {self.path}: {exc.strerror}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise LockHeld(f"another health run is using {self.path.parent} "
                           f"(lock {self.path})") from None
        self._fd = fd
        return self

    def __exit__(self, *_: object) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


@dataclass(frozen=True)
class PortRates:
    """What a run measured on one port against the previous run (stored for trends)."""

    error_ppm: float | None = None
    fcs_ppm: float | None = None
    flapped: bool = False


class HistoryStore:
    """Open (creating and upgrading) a history database; use as a context manager."""

    @classmethod
    def read_only(cls, path: Path) -> HistoryStore:
        """Open an existing database for reading only: no directory, no WAL switch, no
        migration (the nightly run owns the file); StoreError when it is of another schema."""
        check_sqlite(path)
        store = cls.__new__(cls)
        store.path = path
        try:
            store.db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True,
                                       timeout=30.0, isolation_level=None)
            if store.version() != SCHEMA_VERSION:
                version = store.version()
                store.db.close()
                raise StoreError(f"history database {path} has schema {version}, this "
                                 f"infraaudit reads {SCHEMA_VERSION}")
        except sqlite3.Error as exc:
            raise StoreError(f"history database {path}: {exc}") from None
        return store

    def __init__(self, path: Path) -> None:
        self.path = path
        check_sqlite(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(path, timeout=30.0, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=FULL")
            self.db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"history database {path}: {exc}") from None

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        current = self.version()
        if current > SCHEMA_VERSION:
            raise StoreError(f"{self.path} has schema {current}, newer than this infraaudit "
                             f"reads ({SCHEMA_VERSION}): upgrade infraaudit")
        for version in range(current, SCHEMA_VERSION):
            with self._transaction() as db:
                for statement in MIGRATIONS[version]:
                    db.execute(statement)
                db.execute(f"PRAGMA user_version = {version + 1}")

    # -- writing -----------------------------------------------------------------------------

    def save(self, run: HealthRun, alerts: list[Finding],
             rates: dict[tuple[str, int], PortRates], keep_days: int | None = None) -> None:
        """Store one run, its samples and alerts in one transaction; then apply retention."""
        try:
            with self._transaction() as db:
                row = db.execute(
                    "INSERT INTO runs (run_id, site_id, started_at, finished_at, complete, "
                    "document) VALUES (?, ?, ?, ?, ?, ?)",
                    (run.run_id, run.site.id, run.started_at, run.finished_at,
                     int(run.complete), run.model_dump_json()))
                rid = row.lastrowid
                db.executemany(
                    "INSERT INTO device_samples VALUES (?, ?, ?, ?, ?)",
                    [(rid, d.host, d.name, int(d.reachable), d.uptime_s) for d in run.devices
                     if d.checked])
                db.executemany(
                    "INSERT OR REPLACE INTO port_samples VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [(rid, d.host, p.if_index, p.name, p.oper_status, p.speed_mbps,
                      p.duplex.value if p.duplex else None,
                      rates.get((d.host, p.if_index), PortRates()).error_ppm,
                      rates.get((d.host, p.if_index), PortRates()).fcs_ppm,
                      int(rates.get((d.host, p.if_index), PortRates()).flapped))
                     for d in run.devices for p in d.ports])
                db.executemany(
                    "INSERT OR REPLACE INTO ping_samples VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [(rid, p.target, p.name, p.sent, p.received, p.loss_pct, p.rtt_avg_ms,
                      p.jitter_ms) for p in run.pings])
                db.executemany(
                    "INSERT INTO alerts VALUES (?, ?, ?, ?, ?)",
                    [(rid, a.code, a.severity, a.subject, a.model_dump_json()) for a in alerts])
                if keep_days is not None:
                    cutoff = (datetime.now(UTC) - timedelta(days=keep_days)).isoformat()
                    db.execute("DELETE FROM runs WHERE started_at < ?", (cutoff,))
        except sqlite3.Error as exc:
            raise StoreError(f"history database {self.path}: run not stored: {exc}") from None

    # -- reading -----------------------------------------------------------------------------

    def previous(self, site_id: str) -> HealthRun | None:
        """The latest complete run of a site."""
        row = self.db.execute(
            "SELECT document FROM runs WHERE site_id = ? AND complete = 1 "
            "ORDER BY started_at DESC, id DESC LIMIT 1", (site_id,)).fetchone()
        return HealthRun.model_validate_json(row[0]) if row else None

    def port_rates(self, run_id: str) -> dict[tuple[str, int], PortRates]:
        """The rates stored with a run (what the next run compares against)."""
        rows = self.db.execute(
            "SELECT p.host, p.if_index, p.error_ppm, p.fcs_ppm, p.flapped FROM port_samples p "
            "JOIN runs r ON r.id = p.run WHERE r.run_id = ?", (run_id,)).fetchall()
        return {(h, i): PortRates(e, f, bool(fl)) for h, i, e, f, fl in rows}

    def sites(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT DISTINCT site_id FROM runs ORDER BY 1")]

    def query(self, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Read-only helper for the trend queries."""
        return list(self.db.execute(sql, args).fetchall())

    def runs(self, site_id: str, since: str) -> list[dict[str, Any]]:
        rows = self.db.execute(
            "SELECT r.run_id, r.started_at, r.complete, "
            "(SELECT count(*) FROM alerts a WHERE a.run = r.id AND a.severity != 'info'), "
            "(SELECT count(*) FROM device_samples d WHERE d.run = r.id AND d.reachable = 1), "
            "(SELECT count(*) FROM device_samples d WHERE d.run = r.id) "
            "FROM runs r WHERE r.site_id = ? AND r.started_at >= ? ORDER BY r.started_at",
            (site_id, since)).fetchall()
        return [{"run_id": a, "started_at": b, "complete": bool(c), "alerts": d,
                 "reachable": e, "devices": f} for a, b, c, d, e, f in rows]

    def alerts_of(self, run_id: str) -> list[Finding]:
        rows = self.db.execute(
            "SELECT a.document FROM alerts a JOIN runs r ON r.id = a.run WHERE r.run_id = ?",
            (run_id,)).fetchall()
        return [Finding.model_validate(json.loads(r[0])) for r in rows]

    def integrity(self) -> str:
        return str(self.db.execute("PRAGMA integrity_check").fetchone()[0])
