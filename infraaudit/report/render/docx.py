"""Blocks to DOCX in the format of Nghị định 30/2020/NĐ-CP (Phụ lục I): A4, margins top and
bottom 20 mm, left 30 mm, right 15 mm, Times New Roman 14 pt (12–13 pt in the masthead and
tables), Quốc hiệu and Tiêu ngữ in a borderless two-column header, "Nơi nhận" and signer at
the end. The pictures of Phụ lục I (PNG, drawn by ``render/pictures.py``) are inline images at
their drawn size (at most the text width), each with its caption under it."""

import io
import math
from collections.abc import Mapping
from copy import deepcopy
from pathlib import Path
from typing import cast

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.table import CT_Tbl
from docx.oxml.text.paragraph import CT_P
from docx.oxml.text.run import CT_R
from docx.section import Section
from docx.shared import Emu, Mm, Pt, Twips
from docx.styles.style import ParagraphStyle
from docx.table import Table as DocxTable
from docx.table import _Cell
from docx.text.paragraph import Paragraph

from infraaudit.report.render.blocks import (
    Block,
    Bullet,
    Chart,
    Heading,
    Masthead,
    PageBreak,
    Para,
    Signature,
    Table,
    Title,
)
from infraaudit.report.render.docx_parts import page_numbers as _page_numbers
from infraaudit.report.render.docx_parts import rule as _rule
from infraaudit.report.render.docx_parts import save_deterministic
from infraaudit.report.render.layout import column_fractions, masthead_layout
from infraaudit.report.render.layout import content_fractions as _fractions

FONT = "Times New Roman"
BODY_PT = 14
SMALL_PT = 13
MASTHEAD_PT = 12
TABLE_PT = 12
WIDE_TABLE_PT = 11  # tables of WIDE_COLUMNS columns or more: a smaller size keeps words whole
WIDE_COLUMNS = 9
A4 = (Mm(210), Mm(297))


def _mm(mm: float) -> Twips:
    """A length in whole twips (what Word stores), rounded up so 15 mm stays >= 15 mm."""
    return Twips(math.ceil(mm * 1440 / 25.4))


MARGINS = {"top": _mm(20), "bottom": _mm(20), "left": _mm(30), "right": _mm(15)}
_ALIGN = {"l": WD_ALIGN_PARAGRAPH.LEFT, "r": WD_ALIGN_PARAGRAPH.RIGHT,
          "c": WD_ALIGN_PARAGRAPH.CENTER}
_BULLET = {1: "-", 2: "+"}


def _set_fonts(rpr_parent: object) -> None:
    """Times New Roman for every script (ASCII, high ANSI, East Asian, complex), no theme font:
    Word otherwise picks the theme or East Asian font for some Vietnamese characters."""
    rpr = rpr_parent.get_or_add_rPr()  # type: ignore[attr-defined]
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)


def _page(section: Section, landscape: bool = False) -> None:
    width, height = A4
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (height, width) if landscape else (width, height)
    section.top_margin = MARGINS["top"]
    section.bottom_margin = MARGINS["bottom"]
    section.left_margin = MARGINS["left"]
    section.right_margin = MARGINS["right"]
    section.header_distance = Mm(10)
    section.footer_distance = Mm(10)


def _styles(doc: DocumentObject) -> None:
    for style in doc.styles:
        if isinstance(style, ParagraphStyle) and (style.name or "").startswith(
                ("Normal", "Heading", "Title")):
            _set_fonts(style.element)
            style.font.name = FONT
            style.font.color.rgb = None
    normal = doc.styles["Normal"]
    assert isinstance(normal, ParagraphStyle)
    normal.font.size = Pt(BODY_PT)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "vi-VN")
    lang.set(qn("w:eastAsia"), "vi-VN")
    normal.element.get_or_add_rPr().append(lang)
    fmt = normal.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(6)
    fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    for level in (1, 2, 3, 4):
        style = doc.styles[f"Heading {level}"]
        assert isinstance(style, ParagraphStyle)
        style.font.size = Pt(BODY_PT)
        style.font.bold = True
        style.font.italic = level >= 3
        style.font.color.rgb = None
        style.paragraph_format.space_before = Pt(6)
        style.paragraph_format.space_after = Pt(6)
        style.paragraph_format.keep_with_next = True
        color = style.element.rPr.find(qn("w:color")) if style.element.rPr is not None else None
        if color is not None:
            color.getparent().remove(color)


def _text(run: CT_R, text: str) -> None:
    """What ``Run.text = text`` adds to an empty run, without its per-character loop."""
    if "\t" in text or "\n" in text or "\r" in text:
        run.text = text  # tabs and line breaks are elements of their own
    elif text:
        run.add_t(text)


def _run(p: Paragraph, text: str, *, bold: bool = False, italic: bool = False,
         size: float | None = None) -> None:
    run = p.add_run()
    _text(run._r, text)
    run.bold = bold or None
    run.italic = italic or None
    if size is not None:
        run.font.size = Pt(size)


class _Body:
    """Adds paragraphs and tables at the end of the document body, before its final
    ``w:sectPr``, which is looked up once: python-docx's ``Document.add_paragraph`` and
    ``add_table`` find it by scanning every child of the body, and ``add_table`` also finds the
    last section by an XPath over the whole document, each time (quadratic over a long report).
    The XML is the same."""

    def __init__(self, doc: DocumentObject) -> None:
        self._container = doc._body
        self._end = doc.element.body.get_or_add_sectPr()
        # style ids looked up once (assigning a style by name or object runs XPaths over all
        # the styles each time)
        self.grid = doc.styles["Table Grid"].style_id
        self.headings = {level: doc.styles[f"Heading {level}"].style_id for level in range(1, 5)}

    def add_paragraph(self) -> Paragraph:
        p = cast(CT_P, OxmlElement("w:p"))
        self._end.addprevious(p)
        return Paragraph(p, self._container)

    def add_heading(self, text: str, level: int) -> Paragraph:
        paragraph = self.add_paragraph()
        if text:
            paragraph.add_run(text)
        paragraph._p.style = self.headings[level]
        return paragraph

    def add_table(self, rows: int, cols: int, width: int) -> DocxTable:
        tbl = CT_Tbl.new_tbl(rows, cols, Emu(width))
        self._end.addprevious(tbl)
        return DocxTable(tbl, self._container)


def _line(container: _Body | _Cell, text: str, *, bold: bool = False,
          italic: bool = False, size: float = BODY_PT, align: str = "c",
          first: bool = False) -> Paragraph:
    p: Paragraph
    if first and isinstance(container, _Cell):
        p = container.paragraphs[0]
    else:
        p = container.add_paragraph()
    p.alignment = _ALIGN[align]
    p.paragraph_format.space_after = Pt(0)
    _run(p, text, bold=bold, italic=italic, size=size)
    return p


def _no_borders(table: DocxTable) -> None:
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    table._tbl.tblPr.append(borders)


def _widths(table: DocxTable, fractions: list[float], total: int) -> None:
    """Column widths on the grid (LibreOffice reads these) and on every cell (Word does)."""
    table.autofit = False
    for column, fraction in zip(table.columns, fractions, strict=True):
        column.width = int(total * fraction)
    for row in table.rows:
        for cell, fraction in zip(row.cells, fractions, strict=True):
            cell.width = int(total * fraction)


def _masthead(body: _Body, block: Masthead, width: int) -> None:
    if block.draft:
        mark = body.add_paragraph()
        mark.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        run = mark.add_run(block.draft)
        run.bold = True
        run.font.size = Pt(BODY_PT)
    table = body.add_table(1, 2, width)
    _no_borders(table)
    m = masthead_layout(block.parent_org, block.agency, block.nation, block.motto,
                        width / 36000)
    _widths(table, [m.left, 1 - m.left], width)
    left, right = table.rows[0].cells
    _line(left, "\n".join(m.parent), size=MASTHEAD_PT, first=True)
    _line(left, block.agency, bold=True, size=m.agency_pt)
    _rule(left, m.agency_rule_mm, m.left_mm)
    _line(left, block.number, size=SMALL_PT).paragraph_format.space_before = Pt(4)
    _line(right, block.nation, bold=True, size=MASTHEAD_PT, first=True)
    _line(right, block.motto, bold=True, size=BODY_PT)
    _rule(right, m.motto_rule_mm, m.right_mm)
    _line(right, block.place_date, italic=True, size=BODY_PT).paragraph_format.space_before = \
        Pt(6)


def _signature(body: _Body, block: Signature, width: int) -> None:
    body.add_paragraph()
    table = body.add_table(1, 2, width)
    _no_borders(table)
    _widths(table, [0.5, 0.5], width)
    left, right = table.rows[0].cells
    _line(left, block.label, bold=True, italic=True, size=12, align="l", first=True)
    for recipient in block.recipients:
        _line(left, f"- {recipient}", size=11, align="l")
    for i, title in enumerate(block.signer_title):
        _line(right, title, bold=True, first=i == 0)
    for _ in range(4):
        _line(right, "")
    _line(right, block.signer_name, bold=True)


def _repeat_header(row_element: object) -> None:
    tr_pr = row_element.get_or_add_trPr()  # type: ignore[attr-defined]
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)


def _table(body: _Body, block: Table, width: int) -> None:
    size = WIDE_TABLE_PT if len(block.header) >= WIDE_COLUMNS else TABLE_PT
    if block.caption:
        p = body.add_paragraph()
        p.paragraph_format.keep_with_next = True
        _run(p, block.caption, italic=True, size=TABLE_PT)
    # the header, then a formatted empty row and total row; the body rows are copies of
    # these with their text added: formatting every cell through python-docx is many times
    # slower, and its ``table.rows[i]`` and ``row.cells`` rebuild the list of all rows and the
    # tuple of all cells on every access (quadratic when used per cell)
    table = body.add_table(3, len(block.header), width)
    table._tbl.tblStyle_val = body.grid
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    columns = list(zip(block.header, *block.rows, strict=True))
    if len(block.widths) == len(block.header):  # the template's widths, words kept whole
        fractions = column_fractions(columns, width / 36000, size, block.widths)
    else:
        fractions = _fractions(columns, width, size)
    widths = [Emu(int(width * f)) for f in fractions]
    table.autofit = False
    for column, cell_width in zip(table.columns, widths, strict=True):
        column.width = cell_width
    header, plain, total = table._tbl.tr_lst
    _repeat_header(header)
    for r, tr in enumerate((header, plain, total)):
        for c, tc in enumerate(tr.tc_lst):
            cell = _Cell(tc, table)
            cell.width = widths[c]
            p = cell.paragraphs[0]
            p.alignment = _ALIGN["c" if r == 0 else block.alignment(c)]
            p.paragraph_format.space_after = Pt(0)
            _run(p, block.header[c] if r == 0 else "", bold=r != 1, size=size)
    table._tbl.remove(plain)
    table._tbl.remove(total)
    for n, cells in enumerate(block.rows):
        tr = deepcopy(total if block.total and n == len(block.rows) - 1 else plain)
        for run, text in zip(tr.iter(qn("w:r")), cells, strict=True):
            _text(cast(CT_R, run), text)
        table._tbl.append(tr)
    body.add_paragraph().paragraph_format.space_after = Pt(0)


def _picture(body: _Body, block: Chart, png: bytes, width: int) -> None:
    p = body.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.keep_with_next = True
    p.paragraph_format.space_before = Pt(6)
    p.paragraph_format.space_after = Pt(0)
    shape = p.add_run().add_picture(io.BytesIO(png))
    if shape.width > width:  # never wider than the text (the drawn size otherwise)
        shape.height = Emu(int(shape.height * width / shape.width))
        shape.width = Emu(width)
    if block.caption:
        caption = _line(body, block.caption, italic=True, size=TABLE_PT)
        caption.paragraph_format.space_after = Pt(6)


def write_docx(blocks: list[Block], path: Path, pictures: Mapping[int, bytes] | None = None
               ) -> None:
    """``pictures``: the PNG of each ``Chart`` block, by block index (a chart without one is
    left out)."""
    pictures = pictures or {}
    doc = Document()
    _styles(doc)
    section = doc.sections[0]
    _page(section)
    _page_numbers(section)
    width = int(section.page_width or 0) - int(section.left_margin or 0) - int(
        section.right_margin or 0)
    body = _Body(doc)
    for index, block in enumerate(blocks):
        match block:
            case Masthead():
                _masthead(body, block, width)
            case Title():
                p = _line(body, block.text, bold=True)
                p.paragraph_format.space_before = Pt(12)
                if block.subtitle:
                    _line(body, block.subtitle, bold=True).paragraph_format.space_after = Pt(12)
            case Heading():
                h = body.add_heading(block.text, block.level)
                if block.center:
                    h.alignment = WD_ALIGN_PARAGRAPH.CENTER
            case Para():
                p = body.add_paragraph()
                if block.center:
                    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
                else:
                    p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
                    p.paragraph_format.first_line_indent = Mm(10)
                _run(p, block.text, bold=block.bold, italic=block.italic,
                     size=TABLE_PT if block.note else None)
            case Bullet():
                p = body.add_paragraph()
                p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
                p.paragraph_format.first_line_indent = Mm(10 * block.level)
                _run(p, _BULLET[block.level] + " ")
                if block.lead:
                    _run(p, block.lead + " ", bold=block.lead_bold)
                _run(p, block.text)
            case Table():
                _table(body, block, width)
            case PageBreak():
                section = doc.add_section(WD_SECTION.NEW_PAGE)
                _page(section, landscape=block.landscape)
                width = int(section.page_width or 0) - int(section.left_margin or 0) - int(
                    section.right_margin or 0)
            case Signature():
                _signature(body, block, width)
            case Chart():
                if index in pictures:
                    _picture(body, block, pictures[index], width)
    doc.core_properties.language = "vi-VN"
    save_deterministic(doc, path)
