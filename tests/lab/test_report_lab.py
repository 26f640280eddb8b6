"""The sample agency end to end: scan its four sites (the loopback lab's derived sample devices,
lab/recordings/derive_sample.py), run three health checks of one site, write the report in the
three formats, and check the seed report's problems appear exactly where the recordings have them
(worn ports/cabling, a saturated uplink, worn-out devices, a device down, Wi-Fi dependence at one
site only, IPv4 only)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest

from infraaudit.report.agency import build_report, load_agency
from lab.loopback import LoopbackLab

REPO = Path(__file__).resolve().parents[2]
SITES = ("hung-vuong", "tran-hung-dao", "hoan-kiem", "bao-an")
BLOCK = 72


@pytest.fixture(scope="module")
def agency(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """The sample agency copied beside its own lab (address block 127.72), all four sites
    scanned: (agency file, folder of audits)."""
    base = tmp_path_factory.mktemp("agency")
    shutil.copytree(REPO / "inventories", base / "inventories")
    folder = base / "inventories" / "sample-agency"
    audits = base / "audits"
    (folder / "agency.yaml").write_text(
        (folder / "agency.yaml").read_text(encoding="utf-8").replace(
            "audits: ../../lab/run/audits", f"audits: {audits}"), encoding="utf-8")
    with LoopbackLab(run_dir=base / "lab", block=BLOCK) as lab:
        for site in SITES:
            path = folder / f"{site}.yaml"
            path.write_text(path.read_text(encoding="utf-8").replace("127.78.", f"127.{BLOCK}."),
                            encoding="utf-8")
            res = subprocess.run(
                [sys.executable, "-m", "infraaudit.cli", "scan", str(path), "--env-file",
                 str(lab.env_file), "--output", str(audits / f"{site}.json"), "--quiet"],
                capture_output=True, text=True, timeout=120, cwd=REPO, check=False)
            assert res.returncode in (0, 1), res.stderr[-2000:]
        for _ in range(3):  # three "nights" of one site, into the inventory's health.db
            res = subprocess.run(
                [sys.executable, "-m", "infraaudit.cli", "health", str(folder / "hoan-kiem.yaml"),
                 "--env-file", str(lab.env_file), "--quiet"],
                capture_output=True, text=True, timeout=120, cwd=REPO, check=False)
            assert res.returncode in (0, 1), res.stderr[-2000:]
        yield folder / "agency.yaml", audits


def test_report_in_three_formats(agency: tuple[Path, Path], tmp_path: Path) -> None:
    agency_file, _ = agency
    res = subprocess.run(
        [sys.executable, "-m", "infraaudit.cli", "report", str(agency_file), "--year", "2025",
         "--date", "2025-12-15", "--output-dir", str(tmp_path)],
        capture_output=True, text=True, timeout=120, cwd=REPO, check=False)
    assert res.returncode == 0, res.stderr[-2000:]
    md = (tmp_path / "ttt-kh-ha-tang-so-2025.md").read_text(encoding="utf-8")
    html = (tmp_path / "ttt-kh-ha-tang-so-2025.html").read_text(encoding="utf-8")
    document = docx.Document(str(tmp_path / "ttt-kh-ha-tang-so-2025.docx"))
    text = "\n".join(p.text for p in document.paragraphs)
    for name in ("26 Hùng Vương", "20 Trần Hưng Đạo", "02 Hoàn Kiếm", "374 đường 21 tháng 8"):
        assert name in md and name in html and name in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in "\n".join(
        c.text for t in document.tables for row in t.rows for c in row.cells) + text


def test_the_seed_problems_are_measured_findings(agency: tuple[Path, Path]) -> None:
    import datetime as dt

    agency_file, audits = agency
    report = build_report(load_agency(agency_file), 2025, dt.date(2025, 12, 15))
    codes = {f.finding.code for f in report.findings}
    # worn switches with broken ports, old cables, a full uplink (SOURCES.md, ground truth)
    assert {"PORT-SPEED-DOWNGRADE", "PORT-HALF-DUPLEX", "PORT-FCS", "PORT-SATURATED"} <= codes
    subjects = {(f.finding.code, f.finding.subject) for f in report.findings}
    fcs = {s for c, s in subjects if c == "PORT-FCS"}
    assert fcs == {"sw-tang1-hungvuong:3", "sw-tang1-hungvuong:7", "sw-trhd:4",
                   "sw-baoan:Gi1/0/12"}
    assert {s for c, s in subjects if c == "PORT-SATURATED"} == {"sw-core-hungvuong:Gi1/0/1"}
    # Bảo An's switch is a Catalyst 3750G-12S: its faulty ports are SFP ports whose entities
    # name their optics, so they get modules and patch cords, not Cat6 runs
    tasks = report.proposal.tasks
    optics = {a for t in tasks if t.kind == "repair-optics" for a in t.answers}
    assert "PORT-FCS sw-baoan:Gi1/0/12" in optics
    assert not any("sw-baoan" in a for t in tasks if t.kind == "recable" for a in t.answers)
    # the AP is not served: it answers ping (a loopback address) but not SNMP, so it could not
    # be audited (likely a wrong community), not "broken"
    assert {s for c, s in subjects if c == "DEVICE-NOT-AUDITED"} == {"ap-hoankiem"}
    assert "DEVICE-NO-ANSWER" not in codes
    assert "IPV6-PHASE" in codes  # IPv4 only (one dual-stack router does not make a phase)
    # Wi-Fi: 21 of 27 endpoints at Trần Hưng Đạo; 11 of 43 at Hùng Vương, 4 of 14 at Hoàn Kiếm
    # are under the 30% threshold
    wifi = [f for f in report.findings if f.finding.code == "WIFI-DEPENDENCE"]
    assert [f.site for f in wifi] == ["Trụ sở 20 Trần Hưng Đạo"]
    assert report.missing_sites == [] and len(report.sites) == 4
    assert all(f.finding.evidence for f in report.findings)
    answered = {f"{f.finding.code} {f.finding.subject}" for f in report.findings}
    for task in report.proposal.tasks:
        assert set(task.answers) <= answered, task.id
    assert sorted(p.name for p in audits.glob("*.json")) == sorted(f"{s}.json" for s in SITES)


def test_worn_devices_and_history_in_the_report(agency: tuple[Path, Path],
                                                tmp_path: Path) -> None:
    """Ages from the inventory and from Cisco serial numbers; the three health checks of
    Hoàn Kiếm as history: a device that never answered is a HISTORY-AVAILABILITY finding."""
    import datetime as dt

    agency_file, _ = agency
    from infraaudit.util.clock import VN_TZ
    today = dt.datetime.now(VN_TZ).date()  # the report's window ends with a Vietnam day
    report = build_report(load_agency(agency_file), 2025, today)
    by_name = {s.name: s for s in report.sites}
    hoan_kiem = next(s for s in report.sites if s.site_id == "ttt-kh-hoan-kiem")
    ages = {a.device: a for s in report.sites for a in s.ages}
    assert (ages["sw-tang1-hungvuong"].since, ages["sw-tang1-hungvuong"].source) == (
        2015, "inventory")
    assert ages["sw-trhd"].since == 2016 and ages["rt-hungvuong"].since == 2021
    # the Catalyst 3750's own serial number FDO1622Y10H: made in week 22 of 2012
    assert (ages["sw-core-hungvuong"].since, ages["sw-core-hungvuong"].source) == (2012, "serial")
    past = {f.finding.subject for f in report.findings if f.finding.code == "DEVICE-PAST-LIFETIME"}
    assert past >= {"sw-tang1-hungvuong", "sw-trhd", "sw-core-hungvuong", "sw-baoan"}
    assert past == {name for name, a in ages.items() if a.age >= a.life}
    history = hoan_kiem.history
    assert history is not None and history.runs == 3 and history.complete_runs == 3
    never = [d for d in history.devices if d.answered == 0]
    assert [d.device for d in never] == ["ap-hoankiem"], "the AP that is not served"
    codes = {(f.finding.code, f.finding.subject) for f in report.findings}
    for d in never:
        assert ("HISTORY-AVAILABILITY", d.device) in codes
    assert all(s.history is None for n, s in by_name.items() if s is not hoan_kiem)
    tasks = [t for t in report.proposal.tasks if t.priority == 2]
    replaced = {t.answers[0].split()[1]: t for t in tasks}
    assert set(replaced) >= past | {"rt-hungvuong", "rt-trhd"}  # ends 2029, 2027
    assert replaced["rt-hungvuong"].item == "router-ipv6"
    if today.year < 2029:  # planned in the year its 8-year life ends, not earlier
        assert replaced["rt-hungvuong"].year == 2029
    res = subprocess.run(
        [sys.executable, "-m", "infraaudit.cli", "report", str(agency_file), "--year", "2025",
         "--format", "md", "--output-dir", str(tmp_path)],
        capture_output=True, text=True, timeout=120, cwd=REPO, check=False)
    assert res.returncode == 0, res.stderr[-2000:]
    (md_file,) = tmp_path.glob("*.md")
    md = md_file.read_text(encoding="utf-8")
    assert "Kính gửi: Sở Khoa học và Công nghệ." in md
    assert "Thời gian sử dụng" in md and "(03 lần kiểm tra" in md  # ages and nightly checks
