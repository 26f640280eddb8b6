"""Blocks to one self-contained HTML file (inline CSS and SVG pictures; no script, no external
URL), with a print stylesheet for A4 in the margins of NĐ 30/2020."""

from markupsafe import Markup

from infraaudit.models.report import AgencyReport
from infraaudit.report.render.blocks import Block, environment, nfc, words
from infraaudit.report.render.pictures import svg_pictures


def write_html(report: AgencyReport, blocks: list[Block]) -> str:
    # the SVG is matplotlib's output: its text is the template's words and device names,
    # escaped by matplotlib's XML writer
    charts = {i: Markup(s) for i, s in svg_pictures(report.sites, blocks, words()).items()}
    template = environment(autoescape=True).get_template("report.html.j2")
    return nfc(template.render(blocks=blocks, charts=charts))
