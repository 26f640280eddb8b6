"""Trends from the history store, for the terminal, CSV and the yearly report: device
availability, per-link loss and latency percentiles, per-port error rates and flaps."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime, timedelta
from typing import Any

from infraaudit.health.store import HistoryStore


def since(days: int, now: datetime | None = None) -> str:
    return ((now or datetime.now(UTC)) - timedelta(days=days)).isoformat(timespec="seconds")


def percentile(values: list[float], pct: float) -> float | None:
    """Nearest-rank percentile (no interpolation: a value that was really measured)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass
class Availability:
    host: str
    name: str | None
    runs: int
    reachable: int
    availability_pct: float


@dataclass
class LinkTrend:
    target: str
    name: str | None
    runs: int
    loss_p50: float | None
    loss_p95: float | None
    rtt_p50_ms: float | None
    rtt_p95_ms: float | None
    jitter_p95_ms: float | None


@dataclass
class PortTrend:
    host: str
    device: str | None
    if_index: int
    port: str | None
    samples: int
    error_ppm_mean: float | None
    error_ppm_max: float | None
    fcs_ppm_max: float | None
    flaps: int
    runs_with_errors: int = 0  # runs whose error rate reached ``error_ppm``


# Runs from ``start`` on; up to ``end`` when given (ISO UTC strings, compared as text: the
# store writes them all in the same format).
_UNTIL = "9999"


def availability(store: HistoryStore, site: str, start: str,
                 end: str = _UNTIL) -> list[Availability]:
    rows = store.query(
        "SELECT d.host, max(d.name), count(*), sum(d.reachable) FROM device_samples d "
        "JOIN runs r ON r.id = d.run WHERE r.site_id = ? AND r.started_at >= ? "
        "AND r.started_at <= ? GROUP BY d.host ORDER BY d.host", (site, start, end))
    return [Availability(h, n, c, int(ok), round(100 * ok / c, 1)) for h, n, c, ok in rows]


def links(store: HistoryStore, site: str, start: str, end: str = _UNTIL) -> list[LinkTrend]:
    rows = store.query(
        "SELECT p.target, p.name, p.loss_pct, p.rtt_avg_ms, p.jitter_ms FROM ping_samples p "
        "JOIN runs r ON r.id = p.run WHERE r.site_id = ? AND r.started_at >= ? "
        "AND r.started_at <= ? ORDER BY p.target, r.started_at", (site, start, end))
    by: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    for row in rows:
        by[row[0]].append(row)
    out = []
    for target, series in by.items():
        loss = [r[2] for r in series if r[2] is not None]
        rtt = [r[3] for r in series if r[3] is not None]
        jitter = [r[4] for r in series if r[4] is not None]
        out.append(LinkTrend(target, series[-1][1], len(series), percentile(loss, 50),
                             percentile(loss, 95), percentile(rtt, 50), percentile(rtt, 95),
                             percentile(jitter, 95)))
    return out


def ports(store: HistoryStore, site: str, start: str, error_ppm: float = 100.0,
          end: str = _UNTIL) -> list[PortTrend]:
    """Per port: samples, error rates (mean, max), FCS max, runs in which it flapped and runs in
    which its error or FCS rate reached ``error_ppm``."""
    rows = store.query(
        "SELECT p.host, max(d.name), p.if_index, max(p.name), count(*), avg(p.error_ppm), "
        "max(p.error_ppm), max(p.fcs_ppm), sum(p.flapped), "
        "sum(max(coalesce(p.error_ppm, 0), coalesce(p.fcs_ppm, 0)) >= ?) FROM port_samples p "
        "JOIN runs r ON r.id = p.run "
        "LEFT JOIN device_samples d ON d.run = p.run AND d.host = p.host "
        "WHERE r.site_id = ? AND r.started_at >= ? AND r.started_at <= ? "
        "GROUP BY p.host, p.if_index ORDER BY p.host, p.if_index", (error_ppm, site, start, end))
    return [PortTrend(h, dn, i, n, c, None if m is None else round(m, 1), x, f, int(fl or 0),
                      int(bad or 0))
            for h, dn, i, n, c, m, x, f, fl, bad in rows]


def as_rows(items: list[Any]) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of a list of trend dataclasses (for CSV)."""
    if not items:
        return [], []
    header = [f.name for f in fields(items[0])]
    return header, [list(asdict(i).values()) for i in items]
