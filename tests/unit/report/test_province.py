"""The province report: built from audits made with the models (two agencies, three sites, an
older audit that must not count), totals recomputed independently, and the four formats read
back (Markdown text, HTML, DOCX with python-docx, XLSX cell by cell with openpyxl)."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook
from typer.testing import CliRunner

from infraaudit.cli import app
from infraaudit.findings import findings
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
    ServiceAge,
    Site,
)
from infraaudit.models.province import ProvinceReport
from infraaudit.models.readiness import DeviceIpv6, Ipv6Report, SiteIpv6
from infraaudit.proposal.plan import load_catalog
from infraaudit.report.province import build_province
from infraaudit.report.render.province import (
    build_blocks,
    render_docx,
    render_html,
    render_markdown,
    write_xlsx,
)
from tests.paths import REPO

ROOT = REPO
CATALOG = load_catalog(ROOT / "inventories" / "catalog.yaml")
STP = Agency(code="STP", name="Sở Tư pháp")
VP = Agency(code="VPUB", name="Văn phòng UBND tỉnh")
HQ, BR, TP = "Trụ sở 15 Lý Thường Kiệt", "Chi nhánh Cam Ranh", "Trụ sở 01 Trần Phú"
M = 1_000_000


def _switch(name: str, ports: int, up: int, half: int = 0, role: Role = Role.SWITCH,
            security: list[SecurityFinding] | None = None, since: int | None = None) -> Device:
    return Device(
        in_service=ServiceAge(year=since, source="inventory", detail=str(since))
        if since else None,
        host=f"10.0.0.{len(name)}", name=name, reachable=True, role=role,
        ports=[Port(if_index=i, name=f"Fa0/{i}", type="ethernetCsmacd",
                    oper_status="up" if i <= up else "down", speed_mbps=100,
                    duplex=Duplex.HALF if i <= half else Duplex.FULL)
               for i in range(1, ports + 1)],
        security=security or [])


def _sec(code: str, severity: str) -> SecurityFinding:
    return SecurityFinding(code=code, severity=severity,  # type: ignore[arg-type]
                           title=f"{code} tiêu đề", explanation="giải thích",
                           recommendation="khắc phục", evidence=["line vty 0 4"],
                           source="ssh:show running-config")


def _ipv6(phase: int, **scores: int) -> Ipv6Report:
    return Ipv6Report(
        devices=[DeviceIpv6(device=d.replace("_", "-"), host="10.0.0.1",
                            device_class="router" if d.startswith("rt") else "switch", score=s)
                 for d, s in scores.items()],
        site=SiteIpv6(phase=phase, programme="IPv6 for Gov"))


def _audit(agency: Agency, site_id: str, site: str, at: str, devices: list[Device],
           ipv6: Ipv6Report | None = None) -> AuditDocument:
    doc = AuditDocument(
        audit_id=f"{agency.code}-{site_id}-{at[:10]}", agency=agency,
        site=Site(id=site_id, name=site, address=f"{site}, tỉnh Khánh Hòa"),
        scan=ScanMeta(tool_version="0.1.0", started_at=at, scanning_host="laptop",
                      inventory_digest="0" * 64, snmp_backend="gufo", complete=True),
        coverage=Coverage(targets=0, reachable=0, fully_probed=0), devices=devices, ipv6=ipv6)
    doc.recount()
    return doc


def audits() -> list[AuditDocument]:
    hq = _audit(STP, "hq", HQ, "2025-11-03T02:00:00Z", [
        # 24 ports, 23 up: out of free ports; two half-duplex ports; telnet (high), EOS (medium);
        # in service since 2015: past its 8 years too (one device past lifetime, not two)
        _switch("sw-a", 24, 23, half=2, since=2015,
                security=[_sec("SEC-TELNET", "high"), _sec("SEC-FIRMWARE-EOS", "medium")]),
        _switch("rt-a", 4, 2, role=Role.ROUTER),
        Device(host="10.0.0.99", name="sw-dead", reachable=False, role=Role.SWITCH),
    ], _ipv6(0, rt_a=4, sw_a=1))
    br_old = _audit(STP, "br", BR, "2024-10-01T02:00:00Z", [_switch("sw-b", 8, 8, half=8)])
    br = _audit(STP, "br", BR, "2025-11-04T02:00:00Z", [_switch("sw-b", 8, 3)],
                _ipv6(2, sw_b=5))
    tp = _audit(VP, "tp", TP, "2025-11-05T02:00:00Z", [
        _switch("rt-v", 4, 1, role=Role.ROUTER,
                security=[_sec("SEC-FIRMWARE-EOS", "medium"), _sec("SEC-NO-NTP", "low")]),
        _switch("sw-v", 10, 5, half=1, since=2016),  # 9 years in 2025: past its life
    ])
    return [tp, br_old, hq, br]


@pytest.fixture(scope="module")
def report() -> ProvinceReport:
    return build_province(audits(), CATALOG, 2025, dt.date(2025, 12, 15))


def test_sites_and_agencies_measured_by_hand(report: ProvinceReport) -> None:
    assert [(a.code, a.sites) for a in report.agencies] == [("STP", 2), ("VPUB", 1)]
    assert report.superseded == 1
    sites = {s.site_id: s for s in report.sites}
    hq = sites["hq"]
    assert (hq.devices, hq.devices_answered, hq.ports_total, hq.ports_used) == (3, 2, 28, 25)
    assert (hq.findings.high, hq.findings.medium, hq.findings.low) == (2, 6, 1)
    assert (hq.ipv6_phase, hq.ipv6_ready, hq.ipv6_scored, hq.past_lifetime) == (0, 1, 2, 1)
    # recable 2 x 1.2 M, Telnet fixed 1.5 M, sw-dead checked 1.5 M (2026); IPv6 30 M and sw-a
    # replaced once (2027): 23 ports in use + 25% = 29 ports, a 48-port switch (22 M); its
    # shortage of free ports is a reason of that replacement, not a switch added in 2028
    assert hq.proposal_by_year == {2026: 5_400_000, 2027: 52 * M}
    assert hq.proposal_vnd == 57_400_000
    br = sites["br"]  # the 2025 audit, not the 2024 one with eight half-duplex ports
    assert br.audit_id == "STP-br-2025-11-04" and br.findings.total == 0
    assert (br.ports_total, br.ports_used, br.ipv6_phase, br.proposal_vnd) == (8, 3, 2, 0)
    tp = sites["tp"]
    assert (tp.findings.high, tp.findings.medium, tp.findings.low) == (0, 3, 1)
    assert tp.past_lifetime == 2 and tp.ipv6_phase is None and tp.ipv6_scored == 0
    # recable 1; router 35 M (firmware) and sw-v 12 M (service life) replaced
    assert tp.proposal_by_year == {2026: 1_200_000, 2027: 47 * M}
    stp = report.agencies[0]
    assert (stp.ipv6_phase_min, stp.devices, stp.ports_total) == (0, 4, 36)
    t = report.totals
    assert (t.findings.high, t.findings.medium, t.findings.low, t.findings.info) == (2, 9, 2, 0)
    assert t.proposal_vnd == 105_600_000 and t.past_lifetime == 3
    assert t.proposal_by_year == {2026: 6_600_000, 2027: 99 * M}
    assert report.years == [2026, 2027, 2028, 2029, 2030]  # every year of the plan


def test_totals_recomputed_independently(report: ProvinceReport) -> None:
    latest = [d for d in audits() if d.audit_id != "STP-br-2024-10-01"]
    found = [f for d in latest for f in findings(d)]
    severities = Counter(f.severity for f in found)
    t = report.totals
    assert t.findings.model_dump() == {s: severities.get(s, 0)
                                       for s in ("high", "medium", "low", "info")}
    assert t.devices == sum(len(d.devices) for d in latest)
    assert t.devices_answered == sum(d.coverage.reachable for d in latest)
    assert t.past_lifetime == len({(d.site.id, f.subject) for d in latest for f in findings(d)
                                   if f.code in ("SEC-FIRMWARE-EOS", "DEVICE-PAST-LIFETIME")})
    scores = [x.score for d in latest if d.ipv6 for x in d.ipv6.devices]
    assert (t.ipv6_scored, t.ipv6_ready) == (len(scores), sum(s >= 4 for s in scores))
    assert len(report.findings) == len(found)
    by_year: dict[int, int] = defaultdict(int)
    for pt in report.tasks:
        by_year[pt.task.year] += pt.task.cost_vnd
        assert pt.task.cost_vnd == pt.task.quantity * pt.task.unit_price_vnd
    assert t.proposal_by_year == dict(by_year)
    for field in ("devices", "ports_total", "ports_used", "proposal_vnd", "tasks"):
        assert getattr(t, field) == sum(getattr(a, field) for a in report.agencies)
        for a in report.agencies:
            rows = [s for s in report.sites if s.agency_code == a.code]
            assert getattr(a, field) == sum(getattr(s, field) for s in rows)


def test_markdown_compares_the_agencies(report: ProvinceReport) -> None:
    md = render_markdown(report)
    assert unicodedata.is_normalized("NFC", md)
    assert "Tổng hợp hiện trạng hạ tầng số của các cơ quan, đơn vị năm 2025" in md
    assert "ngày 15 tháng 12 năm 2025" in md
    lines = md.splitlines()
    compare = next(i for i, line in enumerate(lines) if line.startswith("| STT | Cơ quan"))
    rows = lines[compare + 2: compare + 5]
    assert rows[0].startswith(
        "| 1 | Sở Tư pháp | 2 | 3/4 | 28/36 | 2 / 6 / 1 | 2/3 | Chưa đạt giai đoạn 1 | 1 |")
    assert rows[0].endswith("| 57,4 |")  # triệu đồng
    assert rows[1].startswith("| 2 | Văn phòng UBND tỉnh | 1 | 2/2 | 6/14 | - / 3 / 1 | - |")
    assert "**Tổng cộng**" in rows[2]
    assert "**105,6**" in rows[2]
    years = next(line for line in lines if line.startswith("| STT | Cơ quan, đơn vị | 2026"))
    assert years == "| STT | Cơ quan, đơn vị | 2026 | 2027 | 2028 | 2029 | 2030 | Tổng cộng |"
    assert "| 1 | Sở Tư pháp | 5,4 | 52 | - | - | - | 57,4 |" in md
    assert "01 thiết bị còn quản trị qua Telnet (không mã hóa) tại Sở Tư pháp" in md
    assert "SEC-TELNET" not in md  # never a rule code
    assert "04 cơ quan" not in md and "02 cơ quan, đơn vị" in md
    assert "01 kết quả đo kiểm cũ hơn của cùng trụ sở không được tính" in md


def test_html_is_self_contained(report: ProvinceReport) -> None:
    html = render_html(report)
    assert "<title>Báo cáo tổng hợp hạ tầng số</title>" in html
    assert "Văn phòng UBND tỉnh" in html and "105,6" in html
    assert "http://" not in html and "https://" not in html and "<script" not in html


def test_docx_tables(report: ProvinceReport, tmp_path: Path) -> None:
    path = tmp_path / "p.docx"
    render_docx(report, path)
    doc = Document(str(path))
    texts = [p.text for p in doc.paragraphs]
    assert "BÁO CÁO" in texts
    compare = next(t for t in doc.tables if t.rows[0].cells[1].text == "Cơ quan, đơn vị"
                   and t.rows[0].cells[2].text == "Số trụ sở")
    assert [c.text for c in compare.rows[1].cells][:4] == ["1", "Sở Tư pháp", "2", "3/4"]
    assert compare.rows[-1].cells[-1].text == "105,6"
    assert len(compare.rows) == 1 + len(report.agencies) + 1


def test_xlsx_cell_by_cell(report: ProvinceReport, tmp_path: Path) -> None:
    path = tmp_path / "p.xlsx"
    write_xlsx(report, path)
    wb = load_workbook(path)
    assert wb.sheetnames == ["Tổng hợp", "Trụ sở", "Phát hiện", "Đề xuất"]
    ws = wb["Tổng hợp"]
    header = [c.value for c in ws[1]]
    assert header[:3] == ["Mã cơ quan", "Cơ quan, đơn vị", "Số trụ sở"]
    col = {name: i + 1 for i, name in enumerate(header)}
    assert ws.max_row == 1 + 2 + 1  # header, one row per agency, total
    assert ws.cell(2, col["Mã cơ quan"]).value == "STP"
    assert ws.cell(2, col["Thiết bị mạng"]).value == 4
    assert ws.cell(2, col["Tồn tại mức cao"]).value == 2
    assert ws.cell(3, col["Tồn tại mức trung bình"]).value == 3
    amount = ws.cell(2, col["Tổng kinh phí 2026–2030 (đồng)"])
    assert amount.value == 57_400_000 and isinstance(amount.value, int)
    assert amount.number_format == "#,##0"
    assert ws.cell(2, col["Kinh phí 2027 (đồng)"]).value == 52 * M
    assert ws.cell(4, col["Cơ quan, đơn vị"]).value == "Tổng cộng"
    assert ws.cell(4, col["Tổng kinh phí 2026–2030 (đồng)"]).value == 105_600_000
    assert ws.cell(2, col["Lần đo gần nhất"]).value == dt.datetime(2025, 11, 4, 9, 0)

    sites = wb["Trụ sở"]
    assert sites.max_row == 1 + 3
    scol = {c.value: i + 1 for i, c in enumerate(sites[1])}
    rows = {sites.cell(r, scol["Mã trụ sở"]).value: r for r in range(2, sites.max_row + 1)}
    assert sites.cell(rows["hq"], scol["Cổng Ethernet"]).value == 28
    assert sites.cell(rows["hq"], scol["Cổng đang dùng"]).value == 25
    assert sites.cell(rows["br"], scol["Giai đoạn IPv6"]).value == 2
    assert sites.cell(rows["tp"], scol["Giai đoạn IPv6"]).value is None

    found = wb["Phát hiện"]
    assert found.max_row == 1 + len(report.findings)
    fcol = {c.value: i + 1 for i, c in enumerate(found[1])}
    telnet = next(r for r in range(2, found.max_row + 1)
                  if found.cell(r, fcol["Mã"]).value == "SEC-TELNET")
    assert found.cell(telnet, fcol["Mức"]).value == "Cao"
    assert found.cell(telnet, fcol["Trụ sở"]).value == HQ
    assert "line vty 0 4" in found.cell(telnet, fcol["Căn cứ đo"]).value

    tasks = wb["Đề xuất"]
    assert tasks.max_row == 1 + len(report.tasks) + 1
    tcol = {c.value: i + 1 for i, c in enumerate(tasks[1])}
    costs = [tasks.cell(r, tcol["Thành tiền (đồng)"]).value for r in range(2, tasks.max_row)]
    assert sum(costs) == 105_600_000
    assert tasks.cell(tasks.max_row, tcol["Thành tiền (đồng)"]).value == 105_600_000
    assert tasks.cell(2, tcol["Đơn giá (đồng)"]).number_format == "#,##0"


def test_no_audit_means_an_empty_but_valid_report() -> None:
    empty = build_province([], CATALOG, 2025, dt.date(2025, 12, 15))
    assert empty.agencies == [] and empty.totals.proposal_vnd == 0
    assert any("Chưa có kết quả đo kiểm" in getattr(b, "text", "") for b in build_blocks(empty))


def test_cli_writes_the_four_formats(tmp_path: Path) -> None:
    folder = tmp_path / "audits"
    folder.mkdir()
    for doc in audits():
        (folder / f"{doc.audit_id}.json").write_text(doc.model_dump_json(), encoding="utf-8")
    (folder / "broken.json").write_text("{", encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, [
        "province-report", str(folder), "--year", "2025", "--date", "2025-12-15",
        "--output-dir", str(out), "--catalog", str(ROOT / "inventories" / "catalog.yaml")])
    assert result.exit_code == 0, result.output
    assert "skipped" in result.output and "broken.json" in result.output
    assert sorted(p.name for p in out.iterdir()) == [
        f"tong-hop-ha-tang-so-2025.{ext}" for ext in ("docx", "html", "md", "xlsx")]
    result = CliRunner().invoke(app, [
        "province-report", str(folder), "--strict", "--output-dir", str(tmp_path / "o2"),
        "--catalog", str(ROOT / "inventories" / "catalog.yaml")])
    assert result.exit_code == 2 and not (tmp_path / "o2").exists()


def test_official_frame_in_markdown_and_docx(tmp_path: Path) -> None:
    """With the province's frame (inventories/province.yaml): masthead, number, place and date,
    title, Kính gửi, closing, Nơi nhận and signer; without it the summary title stays."""
    folder = tmp_path / "audits"
    folder.mkdir()
    for doc in audits():
        (folder / f"{doc.audit_id}.json").write_text(doc.model_dump_json(), encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, [
        "province-report", str(folder), "--year", "2025", "--date", "2025-12-15",
        "--output-dir", str(out), "--catalog", str(ROOT / "inventories" / "catalog.yaml"),
        "--frame", str(ROOT / "inventories" / "province.yaml"), "--format", "md",
        "--format", "docx"])
    assert result.exit_code == 0, result.output
    md = (out / "tong-hop-ha-tang-so-2025.md").read_text(encoding="utf-8")
    for text in ("ỦY BAN NHÂN DÂN TỈNH KHÁNH HÒA", "SỞ KHOA HỌC VÀ CÔNG NGHỆ", "/BC-SKHCN",
                 "Khánh Hòa, ngày 15 tháng 12 năm 2025", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                 "Kính gửi: Ủy ban nhân dân tỉnh Khánh Hòa",
                 "hạ tầng số của các cơ quan, đơn vị năm 2025 và nhu cầu đầu tư",
                 "UBND tỉnh (để báo cáo);", "PHÓ GIÁM ĐỐC", "Văn phòng UBND tỉnh"):
        assert text in md, text
    assert "(Số liệu tổng hợp ngày" not in md  # the plain summary's subtitle is replaced
    document = Document(str(out / "tong-hop-ha-tang-so-2025.docx"))
    texts = "\n".join([p.text for p in document.paragraphs]
                      + [c.text for t in document.tables for r in t.rows for c in r.cells])
    for text in ("SỞ KHOA HỌC VÀ CÔNG NGHỆ", "Kính gửi: Ủy ban nhân dân tỉnh Khánh Hòa",
                 "Nơi nhận", "KT. GIÁM ĐỐC", "Khánh Hòa, ngày 15 tháng 12 năm 2025"):
        assert text in texts, text
    bad = tmp_path / "frame.yaml"
    bad.write_text("parent_org: X\n", encoding="utf-8")
    result = CliRunner().invoke(app, [
        "province-report", str(folder), "--output-dir", str(tmp_path / "o3"), "--catalog",
        str(ROOT / "inventories" / "catalog.yaml"), "--frame", str(bad)])
    assert result.exit_code == 2 and "agency_name" in result.output
