"""The province collector and the agencies' client of it: ``submit`` sends an audit (with an
outbox), the service stores, checks and compares them. May import: report, proposal, findings,
models, util, errors.

``db`` holds the tables (SQLite by default, PostgreSQL by URL) and ``migrations`` their versions,
``auth`` the tokens (only their sha256 is stored), ``store`` the submission rules (validation,
idempotency by audit id, one transaction per submission) and the reads, ``summaries`` the
per-audit numbers stored with each submission for the aggregates, ``api`` the FastAPI service
under ``/api/v1`` and ``dashboard`` its pages.
"""

from typing import TYPE_CHECKING

from infraaudit.util.lazy import lazy_exports

if TYPE_CHECKING:  # imported on first use (util/lazy.py): the command line starts fast
    from infraaudit.collector.api import MB, create_app
    from infraaudit.collector.auth import add_admin, add_agency, revoke
    from infraaudit.collector.defaults import (
        DEFAULT_ATTEMPTS,
        DEFAULT_BACKOFF_S,
        DEFAULT_TIMEOUT_S,
    )
    from infraaudit.collector.migrations import open_db
    from infraaudit.collector.submit import (
        Outcome,
        Result,
        Submitter,
        default_outbox,
        read_audit,
    )
    from infraaudit.collector.summaries import refresh as refresh_summaries

__all__ = [
    "DEFAULT_ATTEMPTS",
    "DEFAULT_BACKOFF_S",
    "DEFAULT_TIMEOUT_S",
    "MB",
    "Outcome",
    "Result",
    "Submitter",
    "add_admin",
    "add_agency",
    "create_app",
    "default_outbox",
    "open_db",
    "read_audit",
    "refresh_summaries",
    "revoke",
]

__getattr__ = lazy_exports(__name__)
