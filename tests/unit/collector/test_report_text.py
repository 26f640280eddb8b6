"""A valid audit whose texts hold control characters (a sysDescr with an escape sequence, a bell
in a name) is stored, and the province report over it is served in every format.

Found by the valid audits of test_collector_schemathesis.py: the docx and xlsx writers refused
such characters (lxml: "All strings must be XML compatible", openpyxl: IllegalCharacterError),
so GET /api/v1/report answered 500 for the whole province as soon as one agency's audit held
one. The renderers now show them as U+FFFD (``infraaudit.report.render.blocks.nfc``).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import docx
import openpyxl
import pytest
from fastapi.testclient import TestClient

from infraaudit.collector import auth
from infraaudit.collector.api import create_app
from infraaudit.collector.migrations import open_db
from infraaudit.proposal.plan import load_catalog
from infraaudit.report.agency import load_frame
from tests.paths import INVENTORIES
from tests.unit.collector.test_api import body, make_audit

CATALOG = INVENTORIES / "catalog.yaml"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, str]]:
    engine = open_db(str(tmp_path_factory.mktemp("report-text") / "collector.sqlite"))
    try:
        admin = auth.add_admin(engine)
        agency, _ = auth.add_agency(engine, "TTT", "Thanh tra tỉnh")
        client = TestClient(create_app(engine, catalog=load_catalog(CATALOG)),
                            raise_server_exceptions=False)
        doc = make_audit()
        doc.site.name = "Trụ sở\x07chính"
        doc.devices[0].sys_descr = "Cisco IOS\x1b[0m 15.2"
        res = client.post("/api/v1/audits", content=body(doc),
                          headers={"Authorization": f"Bearer {agency}"})
        assert res.status_code == 201, res.text  # a valid audit: stored as sent
        yield client, admin
    finally:
        engine.dispose()


@pytest.mark.parametrize("fmt", ["md", "html", "docx", "xlsx"])
def test_the_province_report_holds_texts_with_control_characters(
        served: tuple[TestClient, str], fmt: str) -> None:
    client, admin = served
    res = client.get(f"/api/v1/report?format={fmt}", headers={"Authorization": f"Bearer {admin}"})
    assert res.status_code == 200, res.text[:300]
    shown = "Trụ sở\ufffdchính"  # the bell shown as U+FFFD, the rest of the name kept
    if fmt in ("md", "html"):
        assert shown in res.text and "\x07" not in res.text
    elif fmt == "docx":
        document = docx.Document(io.BytesIO(res.content))
        cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
        assert shown in "\n".join(p.text for p in document.paragraphs) + "\n".join(cells)
    else:
        book = openpyxl.load_workbook(io.BytesIO(res.content), read_only=True)
        values = [v for ws in book.worksheets for row in ws.iter_rows(values_only=True)
                  for v in row if isinstance(v, str)]
        assert shown in values


def test_the_served_report_carries_the_province_frame(tmp_path: Path) -> None:
    """``serve --frame``: the downloaded province report has the official masthead."""
    engine = open_db(str(tmp_path / "collector.sqlite"))
    try:
        admin = auth.add_admin(engine)
        frame = load_frame(INVENTORIES / "province.yaml")
        client = TestClient(create_app(engine, catalog=load_catalog(CATALOG), frame=frame))
        res = client.get("/api/v1/report?format=md", headers={"Authorization": f"Bearer {admin}"})
        assert res.status_code == 200
        assert "SỞ KHOA HỌC VÀ CÔNG NGHỆ" in res.text and "Kính gửi: Ủy ban nhân dân" in res.text
    finally:
        engine.dispose()
