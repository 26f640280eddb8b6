"""The wording rules of the reports (VIETNAMESE.md), as functions any test can apply to a
report it rendered: ``problems(text, names, where)`` lists what breaks them; ``all_problems``
renders an agency report and the province report built from the same audits in every format
(Markdown, HTML, DOCX read back) and checks each.

Device names, sysNames, firmware and port names (``identifiers``) may stand in Phụ lục I's
columns but never in the body; models may stand in both (a device is named by role, site and
model).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from html.parser import HTMLParser
from pathlib import Path

from docx import Document

from infraaudit.models import AuditDocument
from infraaudit.models.report import AgencyReport
from infraaudit.proposal import load_catalog
from infraaudit.report import (
    build_province,
    build_report,
    load_agency,
    render_docx,
    render_html,
    render_markdown,
    render_province_docx,
    render_province_html,
    render_province_markdown,
)
from tests.paths import INVENTORIES

UUID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", re.I)
IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")
IPV6 = re.compile(r"(?<![\w:])(?:[0-9a-f]{1,4}:){2,7}:?[0-9a-f]{0,4}(?![\w:])", re.I)
# a year 1900-2099 written with a thousands separator; "2.000" is taken as a count (2000 packets)
YEAR_GROUPED = re.compile(r"(?<![\d.,])(?:1\.9\d\d|2\.0(?!00)\d\d)(?![\d.,])")
SNAKE = re.compile(r"\b[A-Za-z]+_[A-Za-z0-9_]+\b")
RULE_CODE = re.compile(r"\b(?:DEVICE|PORT|LINK|IPV6|SEC|HISTORY|WIFI)-[A-Z0-9-]+\b")
ZERO = re.compile(r"(?<![\d.,/])0 (?:thiết bị|cổng|lần|trụ sở|đường|tồn tại|nhiệm vụ|hạng mục)|"
                  r"\b0/0\b|giai đoạn 0\b|mức 0\b|\(0%\)|ngưỡng 0%")
#: English words that only reach a report when raw data leaks (keys, error text, units)
STOP_WORDS = ("missing", "device", "reasons", "source", "runs", "days", "none", "true", "false",
              "error", "timeout", "response", "received", "status", "unknown", "answer",
              "failed", "exception", "traceback", "null", "gigabit", "history", "phase")
STOP = re.compile(r"\b(?:" + "|".join(STOP_WORDS) + r")\b", re.I)
TOOL = re.compile(r"infraaudit|công cụ|máy quét|Net-SNMP|net-snmp", re.I)
APPENDIX = re.compile(r"^[#\s]*Phụ lục I\s*$", re.M)


def identifiers(audits: Iterable[AuditDocument]) -> list[str]:
    """Names that may stand in appendix columns but not in the body: device names, sysNames,
    firmware, port names (longest first, so a name is removed before its prefix). Models may
    stand in the body too ("switch tại trụ sở chính (Cisco WS-C3750G-12S)")."""
    out: set[str] = set()
    for doc in audits:
        for d in doc.devices:
            out.update(v for v in (d.name, d.sys_name, d.firmware) if v)
            out.update(p.name for p in d.ports if p.name)
    return sorted(out, key=len, reverse=True)


def problems(text: str, names: list[str], where: str) -> list[str]:
    """What breaks the wording rules in ``text``: body (before Phụ lục I) and appendix."""
    found = []
    if not unicodedata.is_normalized("NFC", text):
        found.append(f"{where}: not NFC")
    start = APPENDIX.search(text)
    cut = start.start() if start else len(text)
    body, appendix = text[:cut], text[cut:]
    for name in names:
        token = re.compile(rf"(?<![\w.-]){re.escape(name)}(?![\w-])")
        if len(name) >= 4 and token.search(body):
            found.append(f"{where}: identifier in the body: {name!r}")
        if len(name) >= 3:
            appendix = token.sub("‹tên›", appendix)
    for part, label in ((body, "body"), (appendix, "appendix")):
        for rule, pattern in (("UUID", UUID), ("IPv4 address", IPV4), ("IPv6 address", IPV6),
                              ("year with a separator", YEAR_GROUPED), ("identifier", SNAKE),
                              ("rule code", RULE_CODE), ("zero count", ZERO),
                              ("English word", STOP), ("tool name", TOOL)):
            for m in pattern.finditer(part):
                start = max(0, m.start() - 40)
                found.append(f"{where} {label}: {rule} {m.group(0)!r} in "
                             f"{part[start:m.end() + 40]!r}")
    return found


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "script"):
            self._skip += 1
        if tag in ("p", "li", "tr", "h1", "h2", "h3", "h4", "h5", "div", "br", "table"):
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script"):
            self._skip -= 1
        elif tag in ("td", "th"):
            self.parts.append(" | ")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)


def docx_text(path: Path) -> str:
    """Paragraphs and table cells of the body, in document order."""
    doc = Document(str(path))
    lines = []
    for block in doc.element.body.iterchildren():
        if block.tag.endswith("}p"):
            lines.append("".join(t.text or "" for t in block.iter() if t.tag.endswith("}t")))
        elif block.tag.endswith("}tbl"):
            for tr in block.iter():
                if tr.tag.endswith("}tr"):
                    cells = ["".join(t.text or "" for t in tc.iter() if t.tag.endswith("}t"))
                             for tc in tr if tc.tag.endswith("}tc")]
                    lines.append(" | ".join(cells))
    return "\n".join(lines)


def agency_problems(report: AgencyReport, audits: Iterable[AuditDocument],
                    folder: Path) -> list[str]:
    """Render ``report`` in the three formats and check each."""
    names = identifiers(audits)
    path = folder / "report.docx"
    render_docx(report, path)
    texts = {"md": render_markdown(report), "html": html_text(render_html(report)),
             "docx": docx_text(path)}
    for fmt, text in texts.items():  # the checks see the report, not an empty page
        assert "3. Hạ tầng số" in text and "Phụ lục I" in text, fmt
    return [p for fmt, text in texts.items() for p in problems(text, names, fmt)]


def site_report(inventory: Path, doc: AuditDocument, folder: Path) -> AgencyReport:
    """The agency report of one audited site (its inventory as the agency's only site), framed
    like the sample agency, without health history."""
    agency = folder / "agency.yaml"
    frame = (INVENTORIES / "sample-agency" / "agency.yaml").read_text(encoding="utf-8")
    report_part = frame[frame.index("report:"):frame.index("catalog:")]
    agency.write_text(
        f"agency: {{code: {doc.agency.code}, name: '{doc.agency.name}'}}\n{report_part}"
        f"catalog: {INVENTORIES / 'catalog.yaml'}\naudits: {folder}\n"
        f"sites:\n  - {{inventory: {inventory}}}\n", encoding="utf-8")
    return build_report(load_agency(agency), dt.date.today().year - 1, dt.date.today(),
                        audits={doc.site.id: doc}, read_history=False)


def province_problems(audits: list[AuditDocument], folder: Path, date: dt.date) -> list[str]:
    """The province report over ``audits``, rendered in the three formats and checked."""
    catalog = load_catalog(INVENTORIES / "catalog.yaml")
    report = build_province(audits, catalog, date.year - 1, date)
    path = folder / "province.docx"
    render_province_docx(report, path)
    texts = {"md": render_province_markdown(report),
             "html": html_text(render_province_html(report)), "docx": docx_text(path)}
    names = identifiers(audits)
    return [p for fmt, text in texts.items() for p in problems(text, names, "province " + fmt)]
