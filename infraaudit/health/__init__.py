"""Nightly health checks: the run, its history store and trends, alerts, the installed
schedule. May import: scan, inventory, findings, probes, models, util, errors."""

from typing import TYPE_CHECKING

from infraaudit.util.lazy import lazy_exports

if TYPE_CHECKING:  # imported on first use (util/lazy.py): the command line starts fast
    from infraaudit.health.alerts import deliver
    from infraaudit.health.run import compare, run_health
    from infraaudit.health.schedule import (
        PREFIX,
        Cron,
        Outcome,
        Scheduler,
        ScheduleStatus,
        Systemd,
        backend,
        check_name,
        make_job,
    )
    from infraaudit.health.store import HistoryStore, RunLock, check_sqlite, default_db
    from infraaudit.health.trends import as_rows, availability, links, ports, since

__all__ = [
    "PREFIX",
    "Cron",
    "HistoryStore",
    "Outcome",
    "RunLock",
    "ScheduleStatus",
    "Scheduler",
    "Systemd",
    "as_rows",
    "availability",
    "backend",
    "check_name",
    "check_sqlite",
    "compare",
    "default_db",
    "deliver",
    "links",
    "make_job",
    "ports",
    "run_health",
    "since",
]

__getattr__ = lazy_exports(__name__)
