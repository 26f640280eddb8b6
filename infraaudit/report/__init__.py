"""The agency and province reports: facts from audits and history, then Markdown, HTML, DOCX
and XLSX writers. May import: findings, proposal, health (history), models, util, errors."""

from infraaudit.report.agency import (
    ReportOptions,
    build_report,
    frame_meta,
    latest_audits,
    load_agency,
    load_frame,
)
from infraaudit.report.province import build_province
from infraaudit.report.render import render_docx, render_html, render_markdown
from infraaudit.report.render.blocks import local_time
from infraaudit.report.render.province import province_words
from infraaudit.report.render.province import render_docx as render_province_docx
from infraaudit.report.render.province import render_html as render_province_html
from infraaudit.report.render.province import render_markdown as render_province_markdown
from infraaudit.report.render.province import write_xlsx as write_province_xlsx

__all__ = [
    "ReportOptions",
    "build_province",
    "build_report",
    "frame_meta",
    "latest_audits",
    "load_agency",
    "load_frame",
    "local_time",
    "province_words",
    "render_docx",
    "render_html",
    "render_markdown",
    "render_province_docx",
    "render_province_html",
    "render_province_markdown",
    "write_province_xlsx",
]
