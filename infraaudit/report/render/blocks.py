"""The report as a list of blocks: what all three writers (Markdown, HTML, DOCX) consume.

``report_templates/report.blocks.j2`` renders the content as one JSON object per line; this
module loads the wording, fills the template, and validates the lines into block models. No
wording lives here: every sentence comes from the template, every label from
``report_templates/report_words.yaml``.
"""

import json
import re
import unicodedata
from datetime import UTC, date, datetime
from functools import cache
from importlib import resources
from typing import Annotated, Any, Literal

import jinja2
from pydantic import Field, TypeAdapter

from infraaudit.models.base import Strict
from infraaudit.models.report import AgencyReport
from infraaudit.report.render.groups import finding_groups
from infraaudit.report.render.layout import masthead_layout
from infraaudit.report.render.text import num, text_filters, vnd
from infraaudit.util.clock import VN_TZ
from infraaudit.util.yamlfile import data_yaml

# Characters XML 1.0 cannot hold (C0 controls but tab, newline, carriage return; surrogates;
# U+FFFE/U+FFFF): DOCX and XLSX writers refuse them, and they mean nothing in a report. Audits
# may carry them (an escape sequence in a sysDescr); they are shown as U+FFFD.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def nfc(text: str) -> str:
    """NFC text that every writer can hold (see ``_NOT_XML``)."""
    return _NOT_XML.sub("\ufffd", unicodedata.normalize("NFC", text))


_WRAP = re.compile(r"[ \t\r\n]+")


def _clean(text: str) -> str:
    """Collapse the template's line wrapping into single spaces, NFC. No-break spaces stay:
    they hold the blanks left for the office to fill ("Báo cáo số      /BC-TTT")."""
    return nfc(_WRAP.sub(" ", text).strip())


def _clean_all(value: Any, wrapped: bool) -> Any:
    """NFC every string; collapse whitespace in text the template wraps (paragraphs, bullets)
    but keep it elsewhere (the blank of "Số:      /BC-..." is left for the office to fill)."""
    if isinstance(value, str):
        return _clean(value) if wrapped else nfc(value)
    if isinstance(value, list):
        return [_clean_all(v, wrapped) for v in value]
    if isinstance(value, dict):
        wrapped = wrapped or value.get("kind") in ("para", "bullet", "heading", "title", "chart")
        return {k: _clean_all(v, wrapped) for k, v in value.items()}
    return value


class _Block(Strict):
    pass


class Masthead(_Block):
    kind: Literal["masthead"]
    parent_org: str
    agency: str
    number: str
    nation: str
    motto: str
    place_date: str
    draft: str = Field(default="", description="a mark above the masthead, e.g. “DỰ THẢO” "
                       "while the plan holds sample prices; empty for none")


class Title(_Block):
    kind: Literal["title"]
    text: str
    subtitle: str = ""


class Heading(_Block):
    kind: Literal["heading"]
    level: int = Field(ge=1, le=4)
    text: str
    center: bool = False


class Para(_Block):
    kind: Literal["para"]
    text: str
    bold: bool = False
    italic: bool = False
    center: bool = False
    note: bool = Field(default=False, description="a footnote or table note: smaller type")


class Bullet(_Block):
    kind: Literal["bullet"]
    text: str
    lead: str = Field(default="", description="the lead phrase before the text (plain, as "
                      "VIETNAMESE.md §1 and the seeds write it)")
    lead_bold: bool = Field(default=False, description="the template asks for a bold lead")
    level: int = Field(default=1, ge=1, le=2)


class Table(_Block):
    kind: Literal["table"]
    header: list[str]
    align: list[Literal["l", "r", "c"]] = Field(default_factory=list)
    rows: list[list[str]] = Field(default_factory=list)
    total: bool = Field(default=False, description="the last row is a total row (bold)")
    caption: str = ""
    groups: list[int] = Field(default_factory=list,
                              description="indexes of group rows (I, II, …): shown bold")
    widths: list[float] = Field(default_factory=list,
                                description="relative column widths (DOCX, HTML); even if empty")

    def alignment(self, column: int) -> str:
        return self.align[column] if column < len(self.align) else "l"


class Row(_Block):
    kind: Literal["row"]
    cells: list[str]
    group: bool = Field(default=False, description="a group row (I, II, …) of its table")


class Chart(_Block):
    """A picture of one site's measurements (render/pictures.py): an image with its caption in
    the DOCX and the HTML; the Markdown has none."""

    kind: Literal["chart"]
    chart: Literal["ports", "ipv6", "topology"]
    site_id: str
    caption: str = Field(default="", description="“Hình 1.1. …”, under the picture")


class PageBreak(_Block):
    kind: Literal["pagebreak"]
    landscape: bool = False


class Signature(_Block):
    kind: Literal["signature"]
    label: str
    recipients: list[str]
    signer_title: list[str]
    signer_name: str


Block = Masthead | Title | Heading | Para | Bullet | Table | Chart | PageBreak | Signature
_Line = Annotated[Block | Row, Field(discriminator="kind")]
_LINE = TypeAdapter(_Line)


@cache
def template_words(name: str) -> dict[str, Any]:
    """A labels file of report_templates/ (NFC), read once."""
    data = data_yaml(nfc(resources.files("infraaudit.report_templates").joinpath(name)
                              .read_text("utf-8")))
    assert isinstance(data, dict)
    return data


def words() -> dict[str, Any]:
    return template_words("report_words.yaml")


def day_parts(iso: str) -> dict[str, str]:
    """Day/month/year as written on official documents (NĐ 30/2020: 0 before day < 10 and
    months 1, 2)."""
    d = date.fromisoformat(iso[:10])
    month = f"{d.month:02d}" if d.month < 3 else str(d.month)
    return {"day": f"{d.day:02d}", "month": month, "year": str(d.year)}


def short_date(text: str) -> str:
    """A catalog date as written: 2026-11-05 -> 05/11/2026, 2026-11 -> 11/2026, else as is."""
    parts = text.strip().split("-")
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        return f"{int(parts[2]):02d}/{int(parts[1]):02d}/{parts[0]}"
    if len(parts) == 2 and all(p.isdigit() for p in parts):
        return f"{int(parts[1]):02d}/{parts[0]}"
    return text


def local_time(iso: str) -> dict[str, str]:
    """An ISO UTC timestamp as Vietnam time parts."""
    t = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    if t.tzinfo is None:
        t = t.replace(tzinfo=UTC)
    t = t.astimezone(VN_TZ)
    return {"date": t.strftime("%d/%m/%Y"), "time": t.strftime("%H:%M"),
            "hour": f"{t.hour:02d}", "minute": f"{t.minute:02d}"}


def measured_value(value: float | int | str | bool | None) -> str:
    labels = words()["values"]
    if value is None:
        return str(labels["none"])
    if isinstance(value, bool):
        return str(labels["true" if value else "false"])
    if isinstance(value, int | float):
        return num(value)
    return value


def environment(autoescape: bool) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("infraaudit.report_templates", "."),
        autoescape=autoescape,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(vnd=vnd, num=num, mval=measured_value, day_parts=day_parts,
                       short_date=short_date, local_time=local_time)
    env.filters.update(text_filters(words()))
    env.filters["masthead_layout"] = lambda b: masthead_layout(b.parent_org, b.agency,
                                                               b.nation, b.motto)
    env.globals.update(words=words())
    return env


def parse_blocks(text: str, source: str) -> list[Block]:
    """Validate a block template's output (one JSON block per line) into blocks, table rows
    joined to their tables; errors name ``source`` and the line."""
    blocks: list[Block] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = _LINE.validate_python(_clean_all(json.loads(line), wrapped=False))
        except ValueError as exc:
            raise ValueError(f"{source} output line {number}: {exc}: {line!r}") from exc
        if isinstance(item, Row):
            table = blocks[-1] if blocks else None
            if not isinstance(table, Table):
                raise ValueError(f"{source} output line {number}: row outside a table")
            if item.group:
                table.groups.append(len(table.rows))
            table.rows.append(item.cells)
        else:
            blocks.append(item)
    return blocks


def build_blocks(report: AgencyReport) -> list[Block]:
    """Render the block template and validate it into blocks (table rows joined to tables)."""
    template = environment(autoescape=False).get_template("report.blocks.j2")
    text = template.render(report=report,
                           finding_groups=lambda site: finding_groups(report, site, words()))
    return parse_blocks(text, "report.blocks.j2")
