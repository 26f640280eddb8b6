"""``infraaudit health`` (the nightly check) and ``infraaudit history`` (its trends).

health exit codes: 0 nothing needs attention, 1 something does (alerts other than "info"),
2 bad input, 3 the history database could not be written, 4 another run holds the lock,
130 interrupted (nothing is stored).
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.text import Text

from infraaudit.cli.console import fail, note, out, warning
from infraaudit.probes.snmp import Backend

if TYPE_CHECKING:  # the health check is imported when a command runs, not for --help
    from rich.table import Table

    from infraaudit.health import HistoryStore
    from infraaudit.inventory import AlertOptions, LoadedInventory
    from infraaudit.models.health import HealthReport

EXIT_OK, EXIT_ATTENTION, EXIT_BAD_INPUT, EXIT_STORE, EXIT_LOCKED = 0, 1, 2, 3, 4


def _load(inventory: Path, env_file: Path | None) -> LoadedInventory:
    from infraaudit.errors import InventoryError
    from infraaudit.inventory import load_inventory, read_env_file

    try:
        env = read_env_file(env_file) if env_file else None
        return load_inventory(inventory, env=env)
    except InventoryError as exc:
        raise fail(exc, EXIT_BAD_INPUT) from None


def health(
    inventory: Annotated[Path, typer.Argument(help="Site inventory YAML.")],
    env_file: Annotated[Path | None, typer.Option(
        help="KEY=VALUE file with the secrets the inventory references.")] = None,
    db: Annotated[Path | None, typer.Option(
        help="History database (default: inventory health.db, else "
             "$XDG_DATA_HOME/infraaudit/history.sqlite).")] = None,
    backend: Annotated[Backend, typer.Option(help="SNMP client backend.")] = Backend.GUFO,
    thresholds: Annotated[Path | None, typer.Option(
        help="YAML overriding infraaudit/findings/data/thresholds.yaml.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the alert document as JSON.")]
    = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")]
    = False,
) -> None:
    """Quick nightly check: device reachability and uptime, port status and counters, pings.

    The run is stored in the history database and compared with the previous one: devices down
    or back, reboots, ports down/up, flaps, speed or duplex changes, new or rising error rates,
    loss and latency above the thresholds. Exit 1 when something needs attention."""
    import asyncio

    from infraaudit.errors import InfraAuditError, LockHeld, StoreError
    from infraaudit.findings import load_thresholds
    from infraaudit.health import (
        HistoryStore,
        RunLock,
        check_sqlite,
        compare,
        default_db,
        run_health,
    )

    loaded = _load(inventory, env_file)
    options = loaded.inventory.health
    path = db or options.db or default_db()
    try:
        limits = load_thresholds(thresholds)
        check_sqlite(path)  # a text file given as --db is bad input, left as it is
    except InfraAuditError as exc:
        raise fail(exc, EXIT_BAD_INPUT) from None
    try:
        with RunLock(path), HistoryStore(path) as store:
            try:
                run = asyncio.run(run_health(loaded, options.link_options(), backend))
            except KeyboardInterrupt:
                warning("interrupted: nothing stored")
                raise typer.Exit(130) from None
            previous = store.previous(run.site.id)
            rates_before = store.port_rates(previous.run_id) if previous else {}
            report, rates = compare(previous, rates_before, run, limits)
            store.save(run, report.alerts, rates, options.keep_days)
    except LockHeld as exc:
        warning(exc)
        raise typer.Exit(EXIT_LOCKED) from None
    except StoreError as exc:
        raise fail(exc, EXIT_STORE) from None
    _print_report(report, path, as_json, quiet)
    _send_alerts(report, options.alerts, quiet)
    raise typer.Exit(EXIT_ATTENTION if report.needs_attention else EXIT_OK)


def alert_text(report: HealthReport) -> tuple[str, str]:
    """Subject and plain-text body (Vietnamese) of the alert mail."""
    run = report.run
    shown = [a for a in report.alerts if a.severity != "info"]
    subject = f"{run.site.name}: {len(shown)} cảnh báo ({run.started_at})"
    lines = [f"Kiểm tra sức khỏe mạng — {run.agency.name}, {run.site.name}",
             f"Thời điểm: {run.started_at}; so với lần trước: {report.previous_started_at or '—'}",
             f"Thiết bị trả lời: {sum(d.reachable for d in run.devices)}/{len(run.devices)}", ""]
    for a in report.alerts:
        lines += [f"[{a.severity}] {a.code} — {a.title}", f"    {a.explanation}",
                  f"    Đề xuất: {a.recommendation}", ""]
    return subject, "\n".join(lines)


def _send_alerts(report: HealthReport, options: AlertOptions, quiet: bool) -> None:
    from infraaudit.health import deliver

    if options.webhook is None and options.email is None:
        return
    subject, text = alert_text(report)
    payload = report.model_dump(mode="json")
    for delivery in deliver(options, payload, text, subject):
        if not quiet or not delivery.ok:
            note(f"alert {delivery.channel}: {delivery.detail}",
                 "green" if delivery.ok else "red")


def _print_report(report: HealthReport, db: Path, as_json: bool, quiet: bool) -> None:
    if as_json:
        sys.stdout.write(report.model_dump_json(indent=2) + "\n")
        return
    if quiet:
        return
    from infraaudit.cli.tables import findings_table

    run = report.run
    up = sum(d.reachable for d in run.devices)
    since_text = (f"compared with {report.previous_started_at}" if report.previous_run_id
                  else "first run: nothing to compare with yet")
    out.print(Text(f"{run.site.name}: {up}/{len(run.devices)} devices answered; {since_text}"))
    if report.alerts:
        out.print(findings_table(report.alerts))
    note(f"stored in {db} (run {run.run_id})")


def history(
    inventory: Annotated[Path | None, typer.Argument(
        help="Site inventory (for its site id and health.db); or use --site.")] = None,
    site: Annotated[str | None, typer.Option(help="Site id (default: every site).")] = None,
    db: Annotated[Path | None, typer.Option(help="History database.")] = None,
    window: Annotated[list[int] | None, typer.Option(
        help="Trend window in days (repeatable).")] = None,
    top: Annotated[int, typer.Option(help="Ports shown per window (worst first).")] = 15,
    csv_dir: Annotated[Path | None, typer.Option(
        "--csv", help="Also write runs/availability/links/ports CSV files into this folder.")]
    = None,
) -> None:
    """Trends from the health history: availability, link loss/latency, port errors and flaps."""
    from infraaudit.errors import InfraAuditError, InventoryError
    from infraaudit.health import HistoryStore, check_sqlite, default_db
    from infraaudit.util.yamlfile import read_yaml

    windows = window or [30, 90]
    path = db
    sites = [site] if site else []
    if inventory is not None:
        try:
            data = read_yaml(inventory, "inventory")[0] or {}
            sites = sites or [str(data["site"]["id"])]
            raw_db = (data.get("health") or {}).get("db")
            if path is None and raw_db:
                path = (inventory.parent / raw_db).resolve()
        except InventoryError as exc:
            raise fail(exc, EXIT_BAD_INPUT) from None
        except (KeyError, TypeError, AttributeError) as exc:
            raise fail(f"{inventory}: no site.id ({exc!r})", EXIT_BAD_INPUT) from None
    path = path or default_db()
    if not path.exists():
        raise fail(f"no history database at {path}: run `infraaudit health` first",
                   EXIT_BAD_INPUT)
    try:
        check_sqlite(path)
    except InfraAuditError as exc:
        raise fail(exc, EXIT_BAD_INPUT) from None
    try:
        with HistoryStore(path) as store:
            for site_id in sites or store.sites():
                _site_history(store, site_id, windows, top, csv_dir)
    except InfraAuditError as exc:
        raise fail(exc, EXIT_STORE) from None
    except OSError as exc:  # the CSV folder
        raise fail(f"cannot write the CSV files: {exc}", EXIT_STORE) from None


def _table(title: str, header: list[str], rows: list[list[Any]]) -> Table:
    from rich.table import Table

    table = Table(title=title)
    for column in header:
        table.add_column(column)
    for row in rows:
        table.add_row(*(Text("—" if v is None else str(v)) for v in row))
    return table


def _site_history(store: HistoryStore, site_id: str, windows: list[int], top: int,
                  csv_dir: Path | None) -> None:
    from infraaudit.health import as_rows, availability, links, ports, since

    longest = max(windows)
    runs = store.runs(site_id, since(longest))
    out.print(Text.assemble((site_id, "bold"), f": {len(runs)} runs in the last {longest} days"))
    out.print(_table("runs", ["started", "devices answered", "alerts"],
                     [[r["started_at"], f"{r['reachable']}/{r['devices']}", r["alerts"]]
                      for r in runs[-10:]]))
    tables: dict[str, tuple[list[str], list[list[Any]]]] = {
        "runs": (["run_id", "started_at", "complete", "alerts", "reachable", "devices"],
                 [list(r.values()) for r in runs])}
    for days in windows:
        start = since(days)
        avail = availability(store, site_id, start)
        out.print(_table(f"device availability, {days} days", ["device", "runs", "answered", "%"],
                         [[a.name or a.host, a.runs, a.reachable, a.availability_pct]
                          for a in avail]))
        link = links(store, site_id, start)
        out.print(_table(f"links, {days} days", ["target", "runs", "loss p50 %", "loss p95 %",
                                                   "RTT p50 ms", "RTT p95 ms", "jitter p95 ms"],
                         [[lt.name or lt.target, lt.runs, lt.loss_p50, lt.loss_p95,
                           lt.rtt_p50_ms, lt.rtt_p95_ms, lt.jitter_p95_ms] for lt in link]))
        port = sorted(ports(store, site_id, start),
                      key=lambda p: (-(p.flaps), -(p.error_ppm_max or 0)))
        worst = [p for p in port if p.flaps or p.error_ppm_max][:top]
        out.print(_table(f"ports with errors or flaps, {days} days",
                         ["port", "samples", "errors ppm mean", "max", "FCS ppm max", "flaps"],
                         [[f"{p.device or p.host}:{p.port or p.if_index}", p.samples,
                           p.error_ppm_mean, p.error_ppm_max, p.fcs_ppm_max, p.flaps]
                          for p in worst]))
        tables[f"availability-{days}d"] = as_rows(avail)
        tables[f"links-{days}d"] = as_rows(link)
        tables[f"ports-{days}d"] = as_rows(port)
    if csv_dir is not None:
        csv_dir.mkdir(parents=True, exist_ok=True)
        for name, (header, rows) in tables.items():
            target = csv_dir / f"{site_id}-{name}.csv"
            with target.open("w", newline="", encoding="utf-8") as f:
                writer = csv.writer(f)
                writer.writerow(header)
                writer.writerows(rows)
        note(f"CSV written to {csv_dir}")
