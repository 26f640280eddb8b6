"""Render a ``ProvinceReport``: Markdown, HTML and DOCX through the report blocks
(``report_templates/province.blocks.j2`` and the writers of ``infraaudit.report.render``), and an
XLSX workbook (openpyxl) with one sheet per view: agencies, sites, findings, tasks.

Numbers in the workbook are numbers (sums and filters work), amounts in VND carry a thousands
number format; every label comes from ``report_templates/province_words.yaml``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from copy import copy
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from infraaudit.models.finding import Evidence
from infraaudit.models.province import SEVERITIES, ProvinceReport, SiteRow
from infraaudit.report.render.blocks import (
    Block,
    environment,
    local_time,
    measured_value,
    nfc,
    parse_blocks,
    template_words,
    words,
)
from infraaudit.report.render.markdown import write_markdown

VND_FORMAT = "#,##0"


def province_words() -> dict[str, Any]:
    return template_words("province_words.yaml")


def _by_agency(report: ProvinceReport) -> dict[str, list[SiteRow]]:
    """Agency code -> its sites in report order (grouped once here: filtering all rows per
    agency in the template is quadratic)."""
    sites: dict[str, list[SiteRow]] = defaultdict(list)
    for s in report.sites:
        sites[s.agency_code].append(s)
    return dict(sites)


def build_blocks(report: ProvinceReport) -> list[Block]:
    """Render the province block template and validate it into blocks."""
    template = environment(autoescape=False).get_template("province.blocks.j2")
    text = template.render(report=report, pw=province_words(), sites_of=_by_agency(report))
    return parse_blocks(text, "province.blocks.j2")


def render_markdown(report: ProvinceReport) -> str:
    return write_markdown(build_blocks(report))


def render_html(report: ProvinceReport) -> str:
    template = environment(autoescape=True).get_template("report.html.j2")
    html = template.render(blocks=build_blocks(report), charts={})
    title = province_words()["document"]["html_title"]
    return nfc(html.replace(f"<title>{words()['document']['html_title']}</title>",
                            f"<title>{title}</title>", 1))


def render_docx(report: ProvinceReport, path: Path) -> None:
    from infraaudit.report.render.docx import write_docx

    write_docx(build_blocks(report), path)


# --- the workbook ------------------------------------------------------------------------------


def evidence_summary(evidence: Sequence[Evidence]) -> str:
    """One line per measured fact: source, device, port, time and the measured values."""
    labels = words()["measured"]
    lines = []
    for ev in evidence:
        where = [ev.source] + [x for x in (ev.device, ev.port) if x]
        if ev.at:
            t = local_time(ev.at)
            where.append(f"{t['time']} {t['date']}")
        values = "; ".join(f"{labels.get(k, k)} {measured_value(v)}"
                           for k, v in ev.measured.items())
        lines.append(", ".join(where) + (f": {values}" if values else ""))
    return nfc("\n".join(lines))


def _date(iso: str) -> dt.datetime:
    """An ISO UTC time as a naive Vietnam-time datetime (what a spreadsheet cell holds)."""
    t = local_time(iso)
    return dt.datetime.strptime(f"{t['date']} {t['time']}", "%d/%m/%Y %H:%M")


class _Sheet:
    """A sheet with a bold frozen header, filters, widths and number formats per column."""

    def __init__(self, ws: Worksheet, columns: list[tuple[str, str | None, int]]) -> None:
        self.ws = ws
        self.formats = [fmt for _, fmt, _ in columns]
        self._styles: dict[tuple[int, bool, bool], StyleArray] = {}
        ws.append([nfc(title) for title, _, _ in columns])
        self.rows = 1  # counted here: ws.max_row scans every cell (quadratic over a big sheet)
        for i, (_, _, width) in enumerate(columns, start=1):
            cell = ws.cell(row=1, column=i)
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            ws.column_dimensions[get_column_letter(i)].width = width
        ws.freeze_panes = "A2"

    def add(self, values: Sequence[object], bold: bool = False) -> None:
        self.ws.append([nfc(v) if isinstance(v, str) else v for v in values])
        self.rows += 1
        row = self.rows
        for i, fmt in enumerate(self.formats, start=1):
            cell = self.ws.cell(row=row, column=i)
            wrap = isinstance(cell.value, str) and ("\n" in cell.value or len(cell.value) > 60)
            if not (fmt or wrap or bold):
                continue
            # a cell's style is a few indexes into the workbook's lists of formats, alignments
            # and fonts: set through the style attributes once per kind of cell (each setting
            # hashes the style and looks it up), then copied
            key = (i, wrap, bold)
            style = self._styles.get(key)
            if style is not None:
                cell._style = copy(style)  # type: ignore[union-attr]
                continue
            if fmt:
                cell.number_format = fmt
            if wrap:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            if bold:
                cell.font = Font(bold=True)
            self._styles[key] = copy(cell._style)  # type: ignore[union-attr]

    def filter(self, rows: int) -> None:
        last = get_column_letter(len(self.formats))
        self.ws.auto_filter.ref = f"A1:{last}{rows + 1}"


def write_xlsx(report: ProvinceReport, path: Path) -> None:
    """The workbook: "Tổng hợp" (one row per agency and a total row), "Trụ sở", "Phát hiện",
    "Đề xuất"."""
    pw = province_words()
    c, sheets = pw["columns"], pw["sheets"]
    years = report.years
    money = [(c["proposal_year"].format(year=y), VND_FORMAT, 16) for y in years]
    money.append((c["proposal_total"], VND_FORMAT, 20))
    measures = [(c["devices"], "0", 10), (c["devices_answered"], "0", 10),
                (c["ports_total"], "0", 10), (c["ports_used"], "0", 10),
                (c["findings_total"], "0", 10),
                *[(c[f"findings_{s}"], "0", 10) for s in SEVERITIES],
                (c["ipv6_ready"], "0", 12), (c["ipv6_scored"], "0", 12)]
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheets["agencies"]

    agencies = _Sheet(ws, [(c["agency_code"], None, 12), (c["agency"], None, 36),
                           (c["sites"], "0", 8), (c["last_scan"], "dd/mm/yyyy hh:mm", 17),
                           (c["incomplete_sites"], "0", 12), *measures,
                           (c["ipv6_phase_min"], "0", 12), (c["past_lifetime"], "0", 12),
                           (c["tasks"], "0", 10), *money])

    def numbers(m: Any) -> list[object]:
        return [m.devices, m.devices_answered, m.ports_total, m.ports_used, m.findings.total,
                *[m.findings.count(s) for s in SEVERITIES], m.ipv6_ready, m.ipv6_scored]

    def amounts(m: Any) -> list[object]:
        return [*[m.proposal_by_year.get(y, 0) for y in years], m.proposal_vnd]

    for a in report.agencies:
        agencies.add([a.code, a.name, a.sites, _date(a.last_scan), a.incomplete_sites,
                      *numbers(a), a.ipv6_phase_min, a.past_lifetime, a.tasks, *amounts(a)])
    agencies.filter(len(report.agencies))
    t = report.totals
    agencies.add(["", c["total_row"], len(report.sites), None,
                  sum(a.incomplete_sites for a in report.agencies), *numbers(t), None,
                  t.past_lifetime, t.tasks, *amounts(t)], bold=True)

    sites = _Sheet(wb.create_sheet(sheets["sites"]), [
        (c["agency_code"], None, 12), (c["agency"], None, 30), (c["site_id"], None, 12),
        (c["site"], None, 30), (c["address"], None, 30),
        (c["scanned_at"], "dd/mm/yyyy hh:mm", 17), (c["complete"], None, 9), *measures,
        (c["ipv6_phase"], "0", 10), (c["past_lifetime"], "0", 12), (c["tasks"], "0", 10),
        *money, (c["audit_id"], None, 38)])
    yes, no = pw["values"]["yes"], pw["values"]["no"]
    for s in report.sites:
        sites.add([s.agency_code, s.agency_name, s.site_id, s.site_name, s.address or "",
                   _date(s.scanned_at), yes if s.complete else no, *numbers(s), s.ipv6_phase,
                   s.past_lifetime, s.tasks, *amounts(s), s.audit_id])
    sites.filter(len(report.sites))

    found = _Sheet(wb.create_sheet(sheets["findings"]), [
        (c["agency_code"], None, 12), (c["agency"], None, 28), (c["site"], None, 26),
        (c["severity"], None, 12), (c["code"], None, 22), (c["category"], None, 10),
        (c["subject"], None, 24), (c["title"], None, 40), (c["explanation"], None, 50),
        (c["recommendation"], None, 45), (c["evidence"], None, 60)])
    short = pw["severity_short"]
    for pf in report.findings:
        f = pf.finding
        found.add([pf.agency_code, pf.agency_name, pf.site_name, short[f.severity], f.code,
                   f.category, f.subject, f.title, f.explanation, f.recommendation,
                   evidence_summary(f.evidence)])
    found.filter(len(report.findings))

    tasks = _Sheet(wb.create_sheet(sheets["tasks"]), [
        (c["agency_code"], None, 12), (c["agency"], None, 28), (c["task_id"], None, 12),
        (c["year"], "0", 7), (c["priority"], "0", 8), (c["site"], None, 26),
        (c["task"], None, 40), (c["item"], None, 40), (c["unit"], None, 10),
        (c["quantity"], "#,##0", 9), (c["unit_price"], VND_FORMAT, 14),
        (c["cost"], VND_FORMAT, 16), (c["basis"], None, 50), (c["answers"], None, 40)])
    for pt in report.tasks:
        task = pt.task
        tasks.add([pt.agency_code, pt.agency_name, task.id, task.year, task.priority,
                   task.site, task.title, task.item_name, task.unit, task.quantity,
                   task.unit_price_vnd, task.cost_vnd, task.basis, "; ".join(task.answers)])
    tasks.filter(len(report.tasks))
    tasks.add(["", c["total_row"], "", None, None, "", "", "", "", None, None,
               sum(pt.task.cost_vnd for pt in report.tasks), "", ""], bold=True)
    wb.save(path)
