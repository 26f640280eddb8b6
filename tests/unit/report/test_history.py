"""The report's use of the nightly health history: trends read from a real SQLite history
database, the history rules, and the window the report date sets."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from infraaudit.errors import StoreError
from infraaudit.findings import default_thresholds, history_findings, medium_of
from infraaudit.health.store import HistoryStore, PortRates
from infraaudit.models.link import PingSeries
from infraaudit.report.agency import history_db, site_history
from infraaudit.util.clock import VN_TZ
from tests.unit.health.test_run import _dev, _port, _run

T = default_thresholds()
NOW = dt.datetime.now(dt.UTC)
TODAY = NOW.astimezone(VN_TZ).date()  # the report's days are Vietnam calendar days


def _at(days_ago: float) -> str:
    return (NOW - dt.timedelta(days=days_ago)).isoformat(timespec="seconds")


def _ping(loss: float) -> PingSeries:
    return PingSeries(target="10.0.0.1", name="gateway", kind="gateway", count=20,
                      interval_ms=200, started_at=_at(0), sent=20,
                      received=round(20 * (1 - loss / 100)), loss_pct=loss, rtt_avg_ms=0.8,
                      jitter_ms=0.1)


def _store(db: Path, nights: list[tuple[bool, float, float, bool, float]]) -> None:
    """One run per night: (device answered, port error ppm, FCS ppm, port flapped, ping loss)."""
    with HistoryStore(db) as store:
        for n, (up, errors, fcs, flapped, loss) in enumerate(nights):
            run = _run(_at(len(nights) - n), _dev(up, 1000.0 + n * 86_400, _port()),
                       run_id=f"r{n}")
            run.pings = [_ping(loss)]
            store.save(run, [], {("10.0.0.2", 1): PortRates(errors, fcs, flapped)})


def test_history_read_back_and_judged(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    _store(db, [(True, 0.0, 0.0, False, 0.0), (False, 0.0, 0.0, False, 5.0),
                (True, 450.0, 300.0, True, 5.0), (True, 120.0, 0.0, True, 0.0)])
    history = site_history(db, "s1", TODAY, 90)
    assert history is not None and (history.runs, history.complete_runs) == (4, 4)
    (device,) = history.devices
    assert (device.device, device.runs, device.answered, device.availability_pct) == (
        "sw", 4, 3, 75.0)
    (port,) = history.ports
    assert (port.port, port.samples, port.runs_with_errors, port.flaps) == ("p1", 4, 2, 2)
    assert (port.error_ppm_max, port.fcs_ppm_max) == (450.0, 300.0)
    (link,) = history.links
    assert (link.runs, link.loss_p50, link.loss_p95) == (4, 0.0, 5.0)  # nearest rank
    got = {(f.code, f.subject): f for f in history_findings(history, T)}
    assert set(got) == {("HISTORY-AVAILABILITY", "sw"), ("HISTORY-PORT-ERRORS", "sw:p1"),
                        ("HISTORY-PORT-FLAPS", "sw:p1")}  # median loss 0: no link finding
    assert "3 lần" in got[("HISTORY-AVAILABILITY", "sw")].explanation
    assert got[("HISTORY-PORT-ERRORS", "sw:p1")].evidence[0].measured["runs_with_errors"] == 2
    assert medium_of(got[("HISTORY-PORT-ERRORS", "sw:p1")]) is None  # no medium given
    # the port's medium, by the subject the audit's ports are named with, goes into the evidence
    fibre = {f.subject: f for f in history_findings(history, T, {"sw:p1": "fibre"})}
    assert medium_of(fibre["sw:p1"]) == "fibre"


def test_persistent_loss_and_too_few_runs(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    _store(db, [(True, 0.0, 0.0, False, 5.0)] * 3)
    history = site_history(db, "s1", TODAY, 90)
    assert history is not None
    assert {f.code for f in history_findings(history, T)} == {"HISTORY-LINK-LOSS"}
    two = tmp_path / "two.sqlite"
    _store(two, [(False, 900.0, 0.0, True, 50.0)] * 2)
    history = site_history(two, "s1", TODAY, 90)
    assert history is not None and history_findings(history, T) == []  # min_runs 3


def test_window_and_missing_database(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    _store(db, [(True, 0.0, 0.0, False, 0.0)] * 3)  # 3, 2 and 1 days ago
    assert site_history(db, "s1", TODAY - dt.timedelta(days=30), 90) is None  # all later
    assert site_history(db, "other-site", TODAY, 90) is None
    window = site_history(db, "s1", TODAY, 3)  # the 3 days before the end of today
    assert window is not None and window.runs == 2  # the run of 3 days ago is outside
    assert site_history(tmp_path / "absent.sqlite", "s1", TODAY, 90) is None
    assert not (tmp_path / "absent.sqlite").exists()  # reading never creates a database


def test_history_db_from_the_inventory(tmp_path: Path) -> None:
    inv = tmp_path / "site.yaml"
    inv.write_text("site: {id: s1, name: S}\nhealth: {db: data/h.sqlite}\n", encoding="utf-8")
    assert history_db(inv) == tmp_path / "data" / "h.sqlite"
    inv.write_text("site: {id: s1, name: S}\n", encoding="utf-8")
    assert history_db(inv).name == "history.sqlite"


def test_window_has_an_end_for_every_number(tmp_path: Path) -> None:
    """Runs after the report's day are left out of the devices, ports and links too."""
    db = tmp_path / "h.sqlite"
    _store(db, [(False, 900.0, 0.0, True, 9.0)] * 3 + [(True, 0.0, 0.0, False, 0.0)] * 3)
    # six nightly runs, 6..1 days ago; report dated 4 days ago (Vietnam day): the 3 failing ones
    history = site_history(db, "s1", (NOW - dt.timedelta(days=4)).astimezone(VN_TZ).date(), 90)
    assert history is not None and history.runs == 3
    (device,) = history.devices
    assert (device.runs, device.answered) == (3, 0)
    (port,) = history.ports
    assert (port.samples, port.flaps, port.runs_with_errors) == (3, 3, 3)
    (link,) = history.links
    assert (link.runs, link.loss_p50) == (3, 9.0)


def test_unchecked_devices_are_not_unavailable(tmp_path: Path) -> None:
    """A device without an SNMP profile is not tried: no availability sample, no finding."""
    db = tmp_path / "h.sqlite"
    with HistoryStore(db) as store:
        for n in range(3):
            unchecked = _dev(False)
            unchecked.host, unchecked.name, unchecked.checked = "10.0.0.9", "printer", False
            store.save(_run(_at(3 - n), _dev(True, 1000.0 + n * 86_400, _port()), unchecked,
                            run_id=f"r{n}"), [], {})
    history = site_history(db, "s1", TODAY, 90)
    assert history is not None and [d.device for d in history.devices] == ["sw"]
    assert history_findings(history, T) == []


def test_the_report_reads_without_writing_and_notes_an_unreadable_history(
        tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    _store(db, [(True, 0.0, 0.0, False, 0.0)] * 3)
    before = db.read_bytes()
    assert site_history(db, "s1", TODAY, 90) is not None
    assert db.read_bytes() == before  # opened read-only: the nightly run owns the file
    broken = tmp_path / "broken.sqlite"
    broken.write_bytes(b"not a database" * 100)
    with pytest.raises(StoreError):
        site_history(broken, "s1", TODAY, 90)
