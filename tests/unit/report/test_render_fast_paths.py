"""The renderers' shortcuts for large reports write what the straightforward code wrote.

``infraaudit.report.render.docx`` adds body paragraphs and tables before a remembered final
``w:sectPr`` and fills table rows by copying formatted empty rows (python-docx's own calls are
quadratic over a province report); ``infraaudit.report.render.province`` groups sites and findings
by agency once instead of filtering them per agency in the template. Same XML, same blocks.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.oxml.ns import qn
from docx.shared import Pt
from lxml import etree

from infraaudit.report.province import build_province
from infraaudit.report.render.blocks import Bullet, Table
from infraaudit.report.render.docx import (
    _ALIGN,
    TABLE_PT,
    _Body,
    _fractions,
    _repeat_header,
    _run,
    _widths,
    write_docx,
)
from infraaudit.report.render.province import build_blocks
from tests.unit.report.test_province import CATALOG, audits


def _xml(element: object) -> bytes:
    return etree.tostring(element)  # type: ignore[arg-type]


def _width(doc: DocumentObject) -> int:
    """The width between the margins of the last section (what write_docx lays tables on)."""
    section = doc.sections[-1]
    return int(section.page_width or 0) - int(section.left_margin or 0) - int(
        section.right_margin or 0)


def _reference_table(doc: DocumentObject, block: Table, width: int) -> None:
    """The table as python-docx's API builds it cell by cell (the code before the shortcut)."""
    table = doc.add_table(rows=1 + len(block.rows), cols=len(block.header))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    columns = list(zip(block.header, *block.rows, strict=True))
    _widths(table, _fractions(columns, width), width)
    _repeat_header(table.rows[0]._tr)
    for r, cells in enumerate([block.header, *block.rows]):
        bold = r == 0 or (block.total and r == len(block.rows))
        for c, text in enumerate(cells):
            p = table.rows[r].cells[c].paragraphs[0]
            p.alignment = _ALIGN["c" if r == 0 else block.alignment(c)]
            p.paragraph_format.space_after = Pt(0)
            run = p.add_run(text)  # python-docx's own text handling, not the writer's _text
            run.bold = bold or None
            run.font.size = Pt(TABLE_PT)


def test_docx_table_rows_match_python_docx(tmp_path: Path) -> None:
    block = Table(kind="table", header=["STT", "Cơ quan", "", "Kinh phí"],
                  align=["c", "l", "r"], total=True, caption="Bảng",
                  rows=[["1", "Sở Tư pháp", "", "5.400.000"],
                        ["2", " lề trái ", "a\tb", "dòng 1\ndòng 2"],
                        ["", "Tổng cộng", "x", "95.600.000"]])
    path = tmp_path / "t.docx"
    write_docx([block], path)
    written = Document(str(path))
    reference = Document()
    _reference_table(reference, block, _width(written))
    tables = [_xml(t) for t in written.element.body.iterchildren(qn("w:tbl"))]
    assert tables == [_xml(t) for t in reference.element.body.iterchildren(qn("w:tbl"))]


def test_docx_body_paragraphs_match_python_docx() -> None:
    doc, reference = Document(), Document()
    body = _Body(doc)
    for level in (1, 2, 3, 4):
        body.add_heading(f"Mục {level}", level)
        reference.add_heading(f"Mục {level}", level=level)
    body.add_heading("", 1)
    reference.add_heading("", level=1)
    _run(body.add_paragraph(), "Đoạn", bold=True)
    _run(reference.add_paragraph(), "Đoạn", bold=True)
    body.add_table(2, 3, _width(doc))
    reference.add_table(2, 3)
    assert _xml(doc.element.body) == _xml(reference.element.body)


def test_province_site_tables_follow_the_report_order() -> None:
    """Sites grouped once per agency keep the report's order."""
    report = build_province(audits(), CATALOG, 2025, dt.date(2025, 12, 15))
    shuffled = report.model_copy(update={"sites": list(reversed(report.sites)),
                                         "findings": list(reversed(report.findings))})
    blocks = build_blocks(shuffled)
    for agency in report.agencies:
        caption = f"Các trụ sở của {agency.name}"
        table = next(b for b in blocks if isinstance(b, Table) and b.caption == caption)
        expected = [s.site_name for s in shuffled.sites if s.agency_code == agency.code]
        assert [row[0] for row in table.rows] == expected
    high = [b.text for b in blocks if isinstance(b, Bullet)
            and "tại" in b.text and b.text[:2].isdigit()]
    assert high  # high findings merged by kind, each naming its agency and sites
