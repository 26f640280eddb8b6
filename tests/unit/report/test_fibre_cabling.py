"""Section 3's cabling bullet names what the faulty ports are made of (``Port.media``): the
sample agency's real audits, rendered and read back. Bảo An's switch (a Catalyst 3750G-12S) has
its faults on SFP ports; the main site's floor switch on copper ones."""

from __future__ import annotations

import re

from infraaudit.models import AuditDocument
from infraaudit.report import build_report, load_agency
from infraaudit.report.render import render_markdown
from tests.report_sample import AGENCY, DATE, sample_audits

COPPER = "đây là dấu hiệu dây dẫn, đầu nối RJ45 bị hỏng hoặc không đạt chuẩn."
MIXED = ("đây là dấu hiệu dây dẫn, đầu nối RJ45 bị hỏng hoặc không đạt chuẩn (tại trụ sở chính và "
         "trụ sở số 20 Trần Hưng Đạo) và module quang, dây nhảy quang bị hỏng, không tương thích "
         "(03 cổng quang tại trụ sở số 374 đường 21 tháng 8).")
FIBRE = ("đây là dấu hiệu module quang không tương thích; module quang, dây nhảy quang hoặc đầu "
         "nối quang bị bẩn, hỏng.")


def _cabling(audits: dict[str, AuditDocument]) -> str:
    report = build_report(load_agency(AGENCY), 2025, DATE, audits=audits, read_history=False)
    match = re.search(r"^- Hệ thống dây dẫn cũ, hỏng: (.*)$", render_markdown(report), re.M)
    assert match
    return match.group(1)


def test_copper_and_fibre_faults_name_both_causes() -> None:
    assert _cabling(sample_audits()).endswith(MIXED)


def test_faults_only_on_sfp_ports_name_the_optics() -> None:
    audits = sample_audits()
    assert _cabling({k: v for k, v in audits.items() if k == "ttt-kh-bao-an"}).endswith(FIBRE)


def test_ports_of_unknown_medium_are_taken_as_copper() -> None:
    audits = sample_audits()
    for doc in audits.values():
        for device in doc.devices:
            for port in device.ports:
                port.media = None
    assert _cabling(audits).endswith(COPPER)
