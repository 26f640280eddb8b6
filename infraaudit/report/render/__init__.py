"""Render an ``AgencyReport`` to Markdown, HTML and DOCX.

All three go through the same blocks (``report_templates/report.blocks.j2``), so they say the
same thing; the DOCX (PNG) and the HTML (inline SVG) add the pictures of Phụ lục I, drawn once
by ``render/pictures.py``. Part of the report stage:
May import: what the report stage may.
"""

from pathlib import Path

from infraaudit.models.report import AgencyReport
from infraaudit.report.render.blocks import build_blocks
from infraaudit.report.render.markdown import write_markdown

__all__ = ["render_docx", "render_html", "render_markdown"]


def render_markdown(report: AgencyReport) -> str:
    return write_markdown(build_blocks(report))


def render_html(report: AgencyReport) -> str:
    from infraaudit.report.render.html import write_html

    return write_html(report, build_blocks(report))


def render_docx(report: AgencyReport, path: Path) -> None:
    from infraaudit.report.render.blocks import words
    from infraaudit.report.render.docx import write_docx
    from infraaudit.report.render.pictures import png_pictures

    blocks = build_blocks(report)
    write_docx(blocks, path, png_pictures(report.sites, blocks, words()))
