"""Benchmark: GET /api/v1/aggregates from the stored summaries vs recomputed from the documents.
Printed, not asserted.

    .venv/bin/python -m tests.bench.bench_aggregates [--audits 500] [--devices 20 --ports 26]

N generated site audits (agencies of 4 sites, ``devices`` switches of ``ports`` ports each, as in
bench_collector) are stored through ``store.submit`` on SQLite and on PostgreSQL (a throwaway
PgCluster; skipped when the binaries are absent). The same request is then timed side by side:
"summaries" as stored at submit time, and "documents" with the summaries table emptied, where
every audit falls back to reading and judging its full document (what the collector did before
the summaries existed). Also printed: the summary's share of a submission, and the time
``summaries.refresh`` takes to rebuild them all.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa
from fastapi.testclient import TestClient

from infraaudit.collector import auth, store, summaries
from infraaudit.collector.api import create_app
from infraaudit.collector.db import summaries as summary_table
from infraaudit.collector.migrations import open_db
from infraaudit.collector.pgcluster import PgCluster, bindir
from tests.bench.bench_collector import generate

SITES = 4


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def bench(label: str, url: str, audits: int, devices: int, ports: int, repeat: int) -> None:
    agencies = max(1, audits // SITES)
    docs = generate(agencies, SITES, devices, ports)[:audits]
    engine = open_db(url)
    try:
        for a in range(agencies):
            auth.add_agency(engine, f"A{a:04d}", f"Cơ quan {a}")
        admin = auth.add_admin(engine)
        bodies = [(d.model_dump_json().encode(), d.agency.code) for d in docs]
        start = time.perf_counter()
        for data, code in bodies:
            store.submit(engine, data, code)
        submit_ms = (time.perf_counter() - start) / len(bodies) * 1000
        sample = docs[:50]
        summary_ms = timed(lambda: [summaries.site_summary(d) for d in sample], 1)[0] \
            / len(sample) * 1000
        client = TestClient(create_app(engine))

        def request() -> None:
            res = client.get("/api/v1/aggregates", headers={"Authorization": f"Bearer {admin}"})
            assert res.status_code == 200, res.text

        request()  # warm up
        fast = timed(request, repeat)
        with engine.begin() as conn:
            conn.execute(sa.delete(summary_table))
        slow = timed(request, max(1, repeat // 2))
        start = time.perf_counter()
        rebuilt = summaries.refresh(engine)
        refresh_s = time.perf_counter() - start
    finally:
        engine.dispose()
    f, s = statistics.median(fast), statistics.median(slow)
    print(f"{label:<10} {len(docs):>6} {s * 1000:>12.0f} {f * 1000:>12.1f} {s / f:>8.0f}x "
          f"{submit_ms:>10.1f} {summary_ms:>10.1f} {refresh_s:>9.1f} ({rebuilt})")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--audits", type=int, default=500)
    parser.add_argument("--devices", type=int, default=20)
    parser.add_argument("--ports", type=int, default=26)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    print("GET /api/v1/aggregates, median ms (documents: recomputed from every audit document, "
          "as before the summaries; summaries: as stored)")
    print(f"{'engine':<10} {'audits':>6} {'documents':>12} {'summaries':>12} {'ratio':>9} "
          f"{'submit ms':>10} {'summary ms':>10} {'refresh s':>9}")
    run = (args.audits, args.devices, args.ports, args.repeat)
    with tempfile.TemporaryDirectory() as tmp:
        bench("sqlite", str(Path(tmp) / "collector.sqlite"), *run)
    if bindir() is None:
        print("postgresql: skipped (PostgreSQL binaries not installed)")
        return
    with PgCluster() as pg:
        bench("postgresql", pg.create_db("bench_aggregates"), *run)


if __name__ == "__main__":
    main()
