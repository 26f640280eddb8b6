"""Health: comparing two runs (pure) and the history store (SQLite file on disk)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from infraaudit.errors import LockHeld, StoreError
from infraaudit.findings import default_thresholds
from infraaudit.health.run import compare
from infraaudit.health.store import MIGRATIONS, HistoryStore, PortRates, RunLock
from infraaudit.health.trends import availability, percentile, ports, since
from infraaudit.models import Agency, Duplex, PortCounters, Site
from infraaudit.models.health import DeviceHealth, HealthRun, PortHealth

T = default_thresholds()


def _port(index: int = 1, oper: str = "up", speed: float = 1000.0,
          duplex: Duplex = Duplex.FULL, last: float = 10.0, pkts: int = 0, errs: int = 0,
          fcs: int = 0) -> PortHealth:
    return PortHealth(if_index=index, name=f"p{index}", admin_status="up", oper_status=oper,
                      speed_mbps=speed, duplex=duplex, last_change_s=last,
                      counters=PortCounters(in_ucast_pkts=pkts, out_ucast_pkts=0,
                                            in_errors=errs, out_errors=0, fcs_errors=fcs))


def _run(at: str, *devices: DeviceHealth, run_id: str | None = None) -> HealthRun:
    return HealthRun(run_id=run_id or at, agency=Agency(code="T", name="Thanh tra"),
                     site=Site(id="s1", name="Trụ sở"), tool_version="t", inventory_digest="0",
                     started_at=at, finished_at=at, complete=True, devices=list(devices))


def _dev(up: bool = True, uptime: float = 100_000.0, *ports: PortHealth) -> DeviceHealth:
    return DeviceHealth(host="10.0.0.2", name="sw", reachable=up,
                        uptime_s=uptime if up else None, ports=list(ports),
                        error=None if up else "timeout")


DAY1, DAY2 = "2026-11-20T02:30:00+00:00", "2026-11-21T02:30:00+00:00"


def _codes(prev: HealthRun | None, cur: HealthRun,
           rates: dict[tuple[str, int], PortRates] | None = None) -> set[tuple[str, str]]:
    report, _ = compare(prev, rates or {}, cur, T)
    return {(a.code, a.subject) for a in report.alerts}


def test_first_run_has_nothing_to_compare() -> None:
    assert _codes(None, _run(DAY1, _dev(True, 5.0, _port()))) == set()


def test_device_down_back_and_reboot() -> None:
    before = _run(DAY1, _dev(True, 100_000.0, _port()))
    assert _codes(before, _run(DAY2, _dev(False))) == {("DEVICE-DOWN", "sw")}
    assert _codes(_run(DAY1, _dev(False)), _run(DAY2, _dev(True, 50.0, _port()))) == {
        ("DEVICE-BACK", "sw")}
    # uptime 1 h after a day: restarted (counters not compared: no error alert despite a reset)
    rebooted = _run(DAY2, _dev(True, 3600.0, _port(pkts=0, errs=0, last=0.0)))
    assert _codes(before, rebooted) == {("DEVICE-REBOOT", "sw")}
    # uptime grew by the elapsed day: no reboot
    assert _codes(before, _run(DAY2, _dev(True, 100_000.0 + 86_400, _port()))) == set()


def test_port_changes_down_up_speed_duplex_and_flap() -> None:
    up = 100_000.0
    before = _run(DAY1, _dev(True, up, _port(1), _port(2, oper="down"), _port(3), _port(4),
                             _port(5, last=10.0)))
    after = _run(DAY2, _dev(True, up + 86_400, _port(1, oper="down", last=90_000.0),
                            _port(2, last=90_000.0), _port(3, speed=100.0),
                            _port(4, duplex=Duplex.HALF), _port(5, last=95_000.0)))
    assert _codes(before, after) == {
        ("PORT-DOWN", "sw:p1"), ("PORT-UP", "sw:p2"), ("PORT-SPEED-CHANGE", "sw:p3"),
        ("PORT-DUPLEX-CHANGE", "sw:p4"), ("PORT-FLAPPED", "sw:p5")}
    report, _ = compare(before, {}, after, T)
    assert report.needs_attention
    up_only, _ = compare(_run(DAY1, _dev(True, up, _port(2, oper="down"))), {},
                         _run(DAY2, _dev(True, up + 86_400, _port(2, last=90_000.0))), T)
    assert not up_only.needs_attention  # a port coming up is information only


def test_error_rates_new_then_steady_then_rising() -> None:
    up = 100_000.0
    r1 = _run(DAY1, _dev(True, up, _port(pkts=1_000_000, errs=0, fcs=0)))
    r2 = _run(DAY2, _dev(True, up + 86_400, _port(pkts=2_000_000, errs=500, fcs=400)))
    report, rates = compare(r1, {}, r2, T)
    assert {(a.code, a.subject) for a in report.alerts} == {("PORT-ERRORS-NEW", "sw:p1")}
    assert rates[("10.0.0.2", 1)] == PortRates(error_ppm=500.0, fcs_ppm=400.0, flapped=False)
    alert = report.alerts[0]
    assert "500 gói lỗi (trong đó 400 lỗi FCS)" in alert.explanation
    day3 = "2026-11-22T02:30:00+00:00"
    steady = _run(day3, _dev(True, up + 2 * 86_400, _port(pkts=3_000_000, errs=1000, fcs=800)))
    assert _codes(r2, steady, rates) == set()  # same rate as before: not new, not rising
    rising = _run(day3, _dev(True, up + 2 * 86_400, _port(pkts=3_000_000, errs=3500, fcs=800)))
    assert _codes(r2, rising, rates) == {("PORT-ERRORS-RISING", "sw:p1")}


def test_store_keeps_runs_rates_and_alerts(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    r1 = _run(since(2), _dev(True, 100.0, _port()), run_id="a")
    r2 = _run(since(1), _dev(False), run_id="b")
    with HistoryStore(db) as store:
        assert store.version() == len(MIGRATIONS)
        assert store.previous("s1") is None
        store.save(r1, [], {("10.0.0.2", 1): PortRates(12.5, 3.0, True)})
        report, rates = compare(r1, store.port_rates("a"), r2, T)
        store.save(r2, report.alerts, rates)
        assert store.previous("s1") == r2
        assert store.port_rates("a")[("10.0.0.2", 1)] == PortRates(12.5, 3.0, True)
        assert [a.code for a in store.alerts_of("b")] == ["DEVICE-DOWN"]
        (avail,) = availability(store, "s1", since(30))
        assert (avail.runs, avail.reachable, avail.availability_pct) == (2, 1, 50.0)
        (port,) = ports(store, "s1", since(30))
        assert (port.flaps, port.error_ppm_max) == (1, 12.5)
        assert store.integrity() == "ok"
    # reopening does not migrate again; journal mode is WAL
    with HistoryStore(db) as store:
        assert store.query("PRAGMA journal_mode") == [("wal",)]
        assert len(store.runs("s1", since(30))) == 2


def test_retention_deletes_old_runs_with_their_samples(tmp_path: Path) -> None:
    with HistoryStore(tmp_path / "h.sqlite") as store:
        store.save(_run(since(500), _dev(True, 1.0, _port()), run_id="old"), [], {})
        store.save(_run(since(0), _dev(True, 1.0, _port()), run_id="new"), [], {},
                   keep_days=400)
        assert [r["run_id"] for r in store.runs("s1", since(1000))] == ["new"]
        assert store.query("SELECT count(*) FROM port_samples") == [(1,)]


def test_a_newer_schema_is_refused_and_the_lock_is_exclusive(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    with sqlite3.connect(db) as raw:
        raw.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    with pytest.raises(StoreError, match="newer"):
        HistoryStore(db)
    with RunLock(db), pytest.raises(LockHeld), RunLock(db):
        pass
    with RunLock(db):  # released by the first context
        pass


def test_percentile_is_nearest_rank() -> None:
    assert percentile([], 95) is None
    assert percentile([5.0, 1.0, 3.0, 2.0, 4.0], 50) == 3.0
    assert percentile([float(i) for i in range(1, 101)], 95) == 95.0
