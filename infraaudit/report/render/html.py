"""Blocks to one self-contained HTML file (inline CSS and SVG; no script, no external URL)."""

from infraaudit.models.report import AgencyReport
from infraaudit.report.render.blocks import Block, Chart, environment, nfc, words
from infraaudit.report.render.charts import Svg, site_chart


def write_html(report: AgencyReport, blocks: list[Block]) -> str:
    sites = {s.site_id: s for s in report.sites}
    charts: dict[int, Svg] = {}
    for i, block in enumerate(blocks):
        if isinstance(block, Chart) and block.site_id in sites:
            charts[i] = site_chart(block.chart, sites[block.site_id], words())
    template = environment(autoescape=True).get_template("report.html.j2")
    return nfc(template.render(blocks=blocks, charts=charts))
