"""Benchmark: the province collector (issue 8, part 7). Printed, not asserted.

    .venv/bin/python -m tests.bench.bench_collector [--agencies 500 --sites 4] [--quick]

(a) Submissions per second through the real HTTP server (``infraaudit serve`` = uvicorn in a
subprocess on 127.0.0.1, a free port) on SQLite and on PostgreSQL (a throwaway PgCluster;
skipped when the PostgreSQL binaries are absent): N client threads, each with its own
keep-alive connection and agency token, post generated site audits (20 devices x 26 ports by
default). Prints rate, p50/p95 latency and bytes sent.

(b) The province report over agencies x sites generated audits: time of build_province and of
each renderer (md, html, docx, xlsx), side by side with the output sizes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from infraaudit.collector import auth
from infraaudit.collector.migrations import open_db
from infraaudit.collector.pgcluster import PgCluster, bindir, free_port
from infraaudit.models import (
    Agency,
    AuditDocument,
    Coverage,
    Device,
    Duplex,
    Port,
    Role,
    ScanMeta,
    SecurityFinding,
    Site,
)
from infraaudit.models.readiness import Ipv6Report, PhaseCheck, SiteIpv6
from infraaudit.proposal.plan import load_catalog
from infraaudit.report.render import province as render_province

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CATALOG = ROOT / "inventories" / "catalog.yaml"
MODELS = ["WS-C2960X-24TS-L", "WS-C2960-24TT-L", "S5720-28P-LI-AC", "JL253A"]
VENDORS = ["Cisco", "Cisco", "Huawei", "HPE"]


def make_devices(devices: int, ports: int, variant: int) -> list[Device]:
    """A site's switches: ``ports`` Ethernet ports each (some down, some downgraded), an SVI,
    Telnet on every third; a few that did not answer."""
    out: list[Device] = []
    for d in range(devices):
        host = f"10.{variant % 250}.{d // 250}.{d % 250 + 2}"
        if d % 10 == 9:
            out.append(Device(host=host, name=f"sw-{d}", reachable=False, role=Role.SWITCH))
            continue
        security = [SecurityFinding(
            code="SEC-TELNET", severity="high", title="Telnet", explanation="Telnet bật",
            recommendation="Tắt Telnet", evidence=["line vty 0 4", "transport input telnet"],
            source="ssh:show running-config")] if d % 3 == 0 else []
        out.append(Device(
            host=host, name=f"sw-{variant}-{d}", reachable=True, role=Role.SWITCH,
            vendor=VENDORS[(d + variant) % 4], model=MODELS[(d + variant) % 4],
            ports=[Port(if_index=i, name=f"Gi1/0/{i}", type="ethernetCsmacd",
                        oper_status="up" if (i + d) % 4 else "down",
                        speed_mbps=100.0 if (i + d + variant) % 7 == 0 else 1000.0,
                        duplex=Duplex.FULL) for i in range(1, ports + 1)]
            + [Port(if_index=1000, name="Vlan1", type="l3ipvlan", oper_status="up")],
            security=security))
    return out


def make_doc(agency: str, site: str, devices: list[Device], started: dt.datetime,
             phase: int) -> AuditDocument:
    start = started.isoformat()
    doc = AuditDocument(
        audit_id=str(uuid.uuid4()), agency=Agency(code=agency, name=f"Cơ quan {agency}"),
        site=Site(id=site, name=f"Trụ sở {site}"),
        scan=ScanMeta(tool_version="0.1.0", started_at=start,
                      finished_at=(started + dt.timedelta(minutes=5)).isoformat(),
                      scanning_host="audit-pc", inventory_digest="0" * 64, snmp_backend="gufo",
                      complete=True),
        coverage=Coverage(targets=0, reachable=0, fully_probed=0),
        devices=devices,
        ipv6=Ipv6Report(site=SiteIpv6(phase=phase, programme="IPv6 for Gov 2021-2025",
                                      phases=[PhaseCheck(phase=1, name="portal", met=True)])),
    )
    doc.recount()
    return doc


def generate(agencies: int, sites: int, devices: int, ports: int) -> list[AuditDocument]:
    """agencies x sites audits; device lists are shared between a few variants (the report's
    work is per document, the memory would not be)."""
    variants = [make_devices(devices, ports, v) for v in range(8)]
    now = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(days=1)
    return [make_doc(f"A{a:04d}", f"s{s}", variants[(a * sites + s) % 8],
                     now - dt.timedelta(hours=a % 48), (a + s) % 4 + 1)
            for a in range(agencies) for s in range(sites)]


# ---------------------------------------------------------------- (a) submissions

def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def wait_ready(port: int, proc: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the collector exited with {proc.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                conn.close()
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise SystemExit("the collector did not answer /healthz in time")


def submission_bodies(submissions: int, threads: int, devices: int,
                      ports: int) -> list[list[bytes]]:
    """Per client thread, the JSON of its agency's audits (serialized before timing)."""
    variants = [make_devices(devices, ports, v) for v in range(4)]
    now = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(hours=1)
    bodies: list[list[bytes]] = [[] for _ in range(threads)]
    for i in range(submissions):
        t = i % threads
        doc = make_doc(f"B{t:03d}", f"s{i // threads % 8}", variants[i % 4],
                       now - dt.timedelta(minutes=i), 1 + i % 4)
        bodies[t].append(doc.model_dump_json().encode())
    return bodies


def bench_submit(label: str, url: str, submissions: int, threads: int, devices: int,
                 ports: int) -> dict[str, Any]:
    engine = open_db(url)
    try:
        tokens = [auth.add_agency(engine, f"B{t:03d}", f"Bench {t}")[0] for t in range(threads)]
    finally:
        engine.dispose()
    bodies = submission_bodies(submissions, threads, devices, ports)
    port = free_port()
    proc = subprocess.Popen(
        [str(BIN / "infraaudit"), "serve", "--db", url, "--host", "127.0.0.1", "--port",
         str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def client(t: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        headers = {"Authorization": f"Bearer {tokens[t]}", "Content-Type": "application/json"}
        mine: list[float] = []
        try:
            for data in bodies[t]:
                start = time.perf_counter()
                conn.request("POST", "/api/v1/audits", body=data, headers=headers)
                res = conn.getresponse()
                res.read()
                mine.append(time.perf_counter() - start)
                if res.status != 201:
                    with lock:
                        errors.append(f"{res.status}")
        finally:
            conn.close()
            with lock:
                latencies.extend(mine)

    try:
        wait_ready(port, proc)
        workers = [threading.Thread(target=client, args=(t,)) for t in range(threads)]
        start = time.perf_counter()
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        wall = time.perf_counter() - start
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    sent = sum(len(b) for group in bodies for b in group)
    return {"label": label, "n": len(latencies), "errors": len(errors), "wall": wall,
            "rate": len(latencies) / wall, "p50": pct(latencies, 50) * 1000,
            "p95": pct(latencies, 95) * 1000, "mean_kb": sent / max(1, submissions) / 1024,
            "mb": sent / 1024 / 1024}


# ---------------------------------------------------------------- (b) province report

def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def bench_report(agencies: int, sites: int, devices: int, ports: int,
                 xlsx_agencies: int) -> list[tuple[str, float, int]]:
    from infraaudit.report.province import build_province

    catalog = load_catalog(CATALOG)
    gen_s, docs = timed(lambda: generate(agencies, sites, devices, ports))
    rows: list[tuple[str, float, int]] = [("generate (models)", gen_s, len(docs))]
    today = dt.date.today()
    build_s, report = timed(lambda: build_province(docs, catalog, today.year, today))
    rows.append(("build_province", build_s, len(docs)))
    md_s, md = timed(lambda: render_province.render_markdown(report))
    rows.append(("render md", md_s, len(md.encode())))
    html_s, html = timed(lambda: render_province.render_html(report))
    rows.append(("render html", html_s, len(html.encode())))
    with tempfile.TemporaryDirectory(prefix="ia-bench-prov-") as tmp:
        docx = Path(tmp) / "r.docx"
        docx_s, _ = timed(lambda: render_province.render_docx(report, docx))
        rows.append(("render docx", docx_s, docx.stat().st_size))
        xlsx = Path(tmp) / "r.xlsx"
        # optionally timed on the report of the first xlsx_agencies agencies only
        label, part = "render xlsx", report
        if xlsx_agencies < agencies:
            codes = {d.agency.code for d in docs[:xlsx_agencies * sites]}
            part = build_province([d for d in docs if d.agency.code in codes], catalog,
                                  today.year, today)
            label = f"render xlsx ({xlsx_agencies} ag.)"
        xlsx_s, _ = timed(lambda: render_province.write_xlsx(part, xlsx))
        rows.append((label, xlsx_s, xlsx.stat().st_size))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--agencies", type=int, default=500)
    parser.add_argument("--sites", type=int, default=4)
    parser.add_argument("--devices", type=int, default=20, help="devices per site")
    parser.add_argument("--ports", type=int, default=26, help="Ethernet ports per device")
    parser.add_argument("--submissions", type=int, default=400, help="per backend")
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--quick", action="store_true",
                        help="100 submissions per backend, 50 agencies x 4 sites")
    parser.add_argument("--xlsx-agencies", type=int, default=0,
                        help="time the xlsx renderer on the report of this many agencies "
                             "only; 0 (default): on all")
    parser.add_argument("--skip-submit", action="store_true")
    parser.add_argument("--skip-report", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.submissions, args.agencies = 100, 50
    print(f"cores: {os.cpu_count()}  python {sys.version.split()[0]}")
    if not args.skip_submit:
        print(f"\n(a) submissions: {args.submissions} per backend, {args.threads} client threads, "
              f"{args.devices} devices x {args.ports} ports per audit")
        results = []
        with tempfile.TemporaryDirectory(prefix="ia-bench-col-") as tmp:
            results.append(bench_submit("sqlite", str(Path(tmp) / "collector.sqlite"),
                                        args.submissions, args.threads, args.devices,
                                        args.ports))
        if bindir() is None:
            print("  postgresql: skipped (PostgreSQL binaries not installed)")
        else:
            with PgCluster() as pg:
                results.append(bench_submit("postgresql", pg.create_db("bench"),
                                            args.submissions, args.threads, args.devices,
                                            args.ports))
        print(f"  {'backend':<11}{'ok':>6}{'err':>5}{'wall s':>9}{'subm/s':>9}{'p50 ms':>9}"
              f"{'p95 ms':>9}{'KiB/audit':>11}{'MiB sent':>10}")
        for r in results:
            print(f"  {r['label']:<11}{r['n'] - r['errors']:>6}{r['errors']:>5}{r['wall']:>9.2f}"
                  f"{r['rate']:>9.1f}{r['p50']:>9.1f}{r['p95']:>9.1f}{r['mean_kb']:>11.1f}"
                  f"{r['mb']:>10.1f}")
    if not args.skip_report:
        print(f"\n(b) province report: {args.agencies} agencies x {args.sites} sites, "
              f"{args.devices} devices x {args.ports} ports per site")
        rows = bench_report(args.agencies, args.sites, args.devices, args.ports,
                            args.xlsx_agencies or args.agencies)
        print(f"  {'step':<26}{'seconds':>9}  size")
        for name, secs, size in rows:
            unit = "audits" if name in ("generate (models)", "build_province") else "bytes"
            print(f"  {name:<26}{secs:>9.2f}  {size} {unit}")


if __name__ == "__main__":
    main()
