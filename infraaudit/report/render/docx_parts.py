"""Pieces of the DOCX frame that need nothing but python-docx: the page numbers, the short
rules of the masthead, a save that gives the same bytes for the same report."""

import io
import zipfile
from pathlib import Path

from docx.document import Document as DocumentObject
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.section import Section
from docx.shared import Mm, Pt
from docx.table import _Cell


def rule(cell: _Cell, length_mm: float, area_mm: float) -> None:
    """A short solid rule, centred: a paragraph 1 pt high with a top border, indented to the
    rule's length (NĐ 30/2020, Phụ lục I: under the issuing body 1/3 to 1/2 of its line, under
    the Tiêu ngữ as long as it)."""
    p = cell.add_paragraph()
    fmt = p.paragraph_format
    fmt.left_indent = fmt.right_indent = Mm(max((area_mm - length_mm) / 2, 0))
    fmt.space_before, fmt.space_after = Pt(2), Pt(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(1)
    borders = OxmlElement("w:pBdr")
    top = OxmlElement("w:top")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "0"),
                       ("w:color", "000000")):
        top.set(qn(key), value)
    borders.append(top)
    p._p.get_or_add_pPr().append(borders)


def page_numbers(section: Section) -> None:
    """Page numbers centred at the top from page 2 on (NĐ 30/2020: not on the first page)."""
    section.different_first_page_header_footer = True
    p = section.header.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "2"  # what Word shows until it updates the field
    run.append(text)
    field.append(run)
    p._p.append(field)


def save_deterministic(doc: DocumentObject, path: Path) -> None:
    """Save ``doc`` so that the same report gives the same bytes: python-docx stamps every zip
    member with the time of saving; here they carry a fixed date (1980-01-01, the zip epoch),
    and the document's properties name no software."""
    props = doc.core_properties
    props.author, props.comments, props.last_modified_by = "", "", ""
    buffer = io.BytesIO()
    doc.save(buffer)
    with zipfile.ZipFile(buffer) as source, \
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = info.external_attr
            target.writestr(member, source.read(info.filename))
