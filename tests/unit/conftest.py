"""Fixtures shared by the unit tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from infraaudit.collector.pgcluster import PgCluster, bindir


@pytest.fixture(scope="module")
def pg() -> Iterator[PgCluster | None]:
    """A private PostgreSQL cluster for the module's tests (stopped by PID at the end); None
    when the PostgreSQL binaries are not installed."""
    if bindir() is None:
        yield None
        return
    with PgCluster() as cluster:
        yield cluster
