"""The reports read as Vietnamese official documents: no identifier, English key, UUID, address,
raw error or tool name leaks into the text; years are never written with a thousands separator;
zero is a phrase, never "0 thiết bị". Checked on every format (Markdown, HTML, DOCX read back)
of the sample agency's report (real audits, tests/report_sample.py) and of the province report
built from the same audits; the rules are in tests/language.py (the site-lab scenarios apply
them too, tests/lab/test_scenarios.py).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.language import agency_problems, problems, province_problems
from tests.report_sample import sample_audits, sample_report


def test_agency_report_wording(tmp_path: Path) -> None:
    found = agency_problems(sample_report(), sample_audits().values(), tmp_path)
    assert not found, "\n".join(found[:40])


def test_province_report_wording(tmp_path: Path) -> None:
    found = province_problems(list(sample_audits().values()), tmp_path, dt.date(2026, 12, 4))
    assert not found, "\n".join(found[:40])


@pytest.mark.parametrize(("text", "rule"), [
    ("năm hết niên hạn 2.020", "year with a separator"),
    ("lần đo eba7fb60-98fb-4b08-9422-e4ca7587d15a", "UUID"),
    ("thiết bị 127.78.0.30 không trả lời", "IPv4 address"),
    ("oper_status up", "identifier"),
    ("trong đó 0 thiết bị đạt mức 4", "zero count"),
    ("(no answer (No SNMP response received before timeout))", "English word"),
    ("do công cụ infraaudit đo", "tool name"),
    ("Hãng sản xuất: Net-SNMP (1)", "tool name"),
    ("(DEVICE-PAST-LIFETIME)", "rule code"),
])
def test_the_rules_catch_what_the_issue_quotes(text: str, rule: str) -> None:
    assert any(rule in p for p in problems(text, [], "sample")), text
