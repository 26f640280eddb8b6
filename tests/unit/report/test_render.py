"""Report renderers: Markdown (snapshot), HTML (self-contained, charts), DOCX (NĐ 30/2020 format).

Regenerate the Markdown snapshot after an intended wording change:

    .venv/bin/python -m tests.unit.report.test_render

and review the diff before committing it.
"""

import re
import shutil
import subprocess
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Length, Mm, Pt

from infraaudit.models.report import AgencyReport
from infraaudit.report.render import render_docx, render_html, render_markdown
from infraaudit.report.render.blocks import num, vnd
from infraaudit.report.render.layout import text_mm
from tests.paths import UNIT_DATA
from tests.report_sample import sample_report

SNAPSHOT = UNIT_DATA / "report_sample.md"


@pytest.fixture(scope="module")
def report() -> AgencyReport:
    return sample_report()


def _mm(length: Length | None) -> float:
    assert length is not None
    return float(length.mm)


def _is_nfc(text: str) -> bool:
    return unicodedata.is_normalized("NFC", text)


# ------------------------------------------------------------------------------- formatting


def test_vietnamese_number_format() -> None:
    assert vnd(1234567) == "1.234.567"
    assert vnd(0) == "0"
    assert num(47.4) == "47,4"
    assert num(1234.5) == "1.234,5"
    assert num(4.0) == "4"
    assert num(None) == "—"


# ------------------------------------------------------------------------------- Markdown


def test_markdown_matches_snapshot(report: AgencyReport) -> None:
    text = render_markdown(report)
    assert text == render_markdown(sample_report()), "not deterministic"
    assert text == SNAPSHOT.read_text(encoding="utf-8"), (
        "Markdown changed; if intended, regenerate the snapshot (see module docstring)")


HEADINGS = ("I. KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ NĂM 2025", "3. Hạ tầng số", "a) Kết quả đạt được",
            "b) Tồn tại, hạn chế", "5. Bảo đảm an toàn thông tin mạng", "III. ĐỀ XUẤT, KIẾN NGHỊ",
            "Phụ lục I", "Phụ lục II")


def _appendix_findings(text: str) -> list[str]:
    """The rows of every "x.6. Tồn tại, hạn chế" table of Phụ lục I (Markdown)."""
    rows = []
    for part in re.split(r"^#+ \d+\.6\. Tồn tại, hạn chế$", text, flags=re.M)[1:]:
        table = part.split("\n#")[0]
        rows.append([line for line in table.splitlines() if re.match(r"\| \d+ \|", line)])
    return [r for site in rows for r in site]


def test_markdown_has_sections_findings_and_evidence(report: AgencyReport) -> None:
    text = render_markdown(report)
    assert _is_nfc(text)
    for heading in HEADINGS:
        assert re.search(rf"^#+ {re.escape(heading)}$", text, re.M), heading
    body = text[:text.index("## Phụ lục I")]
    rows = _appendix_findings(text)
    for sf in report.findings:  # every finding is in Phụ lục I, merged with its likes
        device = sf.finding.subject.split(":")[0]
        assert any(device in r for r in rows), sf.finding.code
        assert device not in body or len(device) < 4, device  # never in the body
    total = vnd(sum(t.cost_vnd for t in report.proposal.tasks))
    assert f"| **{total}** |" in text
    assert f"tổng kinh phí dự kiến {total} đồng" in body
    for year in range(2026, 2031):  # every year of the plan, in the body and the appendix
        assert f"năm {year}:" in body
        assert f"| {year} |" in text or f"| {year}" in text


def test_markdown_names_a_site_without_audit(tmp_path: Path) -> None:
    site = tmp_path / "chi-nhanh.yaml"
    site.write_text("site: {id: ttt-kh-cn, name: Chi nhánh, address: '15 Lê Lợi, phường Tây Nha "
                    "Trang'}\n", encoding="utf-8")
    text = render_markdown(sample_report(missing_site=site))
    assert "có 05 trụ sở làm việc" in text and "tại 04/05 trụ sở" in text
    assert "trụ sở số 15 Lê Lợi chưa được đo kiểm trong đợt này" in text


def test_markdown_findings_in_severity_order(report: AgencyReport) -> None:
    text = render_markdown(report)
    order = {"Mức cao": 0, "Mức trung bình": 1, "Mức thấp": 2, "Thông tin": 3}
    for part in re.split(r"^#+ \d+\.6\. Tồn tại, hạn chế$", text, flags=re.M)[1:]:
        table = part.split("\n#")[0]
        levels = [order[line.split(" | ")[1]] for line in table.splitlines()
                  if re.match(r"\| \d+ \|", line)]
        assert levels == sorted(levels)


# ------------------------------------------------------------------------------- HTML


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.text: list[str] = []
        self.attrs: list[str] = []
        self.classes: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            self.attrs.append(value or "")
            if name == "class" and value:
                self.classes += value.split()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_is_self_contained_with_charts(report: AgencyReport) -> None:
    html = render_html(report)
    parser = _Collector()
    parser.feed(html)
    parser.close()
    assert _is_nfc(html)
    assert not re.search(r"https?://", html), "no external URL"
    assert "script" not in parser.tags
    assert not any(re.match(r"(https?:)?//", a) for a in parser.attrs)
    text = " ".join(" ".join(parser.text).split())
    for heading in HEADINGS:
        assert heading in text, heading
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text


def test_html_escapes_data(report: AgencyReport) -> None:
    evil = report.model_copy(deep=True)
    evil.meta.agency_name = '<script>alert(1)</script> <b>"x"</b> & y'
    html = render_html(evil)
    assert "<script>" not in html
    assert "&lt;b&gt;" in html


# ------------------------------------------------------------------------------- DOCX


@pytest.fixture(scope="module")
def docx_path(report: AgencyReport, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("docx") / "bao-cao.docx"
    render_docx(report, path)
    return path


def _all_paragraphs(doc: object) -> list[str]:
    texts = [p.text for p in doc.paragraphs]  # type: ignore[attr-defined]
    for table in doc.tables:  # type: ignore[attr-defined]
        for row in table.rows:
            for cell in row.cells:
                texts += [p.text for p in cell.paragraphs]
    return texts


def test_docx_page_and_fonts(docx_path: Path) -> None:
    doc = Document(str(docx_path))
    first = doc.sections[0]
    assert abs(_mm(first.page_width) - 210) < 0.5
    assert abs(_mm(first.page_height) - 297) < 0.5
    assert 20 <= _mm(first.top_margin) <= 25
    assert 20 <= _mm(first.bottom_margin) <= 25
    assert 30 <= _mm(first.left_margin) <= 35
    assert 15 <= _mm(first.right_margin) <= 20
    normal = doc.styles["Normal"]
    assert normal.font.name == "Times New Roman"
    assert Pt(13) <= normal.font.size <= Pt(14)
    fonts = normal.element.rPr.find(qn("w:rFonts"))
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        assert fonts.get(qn(attr)) == "Times New Roman", attr
    # runs never pick another font
    for p in doc.paragraphs:
        for run in p.runs:
            assert run.font.name in (None, "Times New Roman")
    # page numbers: centred at the top, not on the first page
    assert first.different_first_page_header_footer
    fields = first.header._element.findall(".//" + qn("w:fldSimple"))
    assert [f.get(qn("w:instr")) for f in fields] == ["PAGE"]
    assert not first.first_page_header._element.findall(".//" + qn("w:fldSimple"))


def test_docx_masthead_and_signature(docx_path: Path, report: AgencyReport) -> None:
    doc = Document(str(docx_path))
    masthead = doc.tables[0]
    left, right = masthead.rows[0].cells
    left_text = [p.text for p in left.paragraphs]
    right_pars = right.paragraphs
    # the parent body does not fit the left column on one line at 12 pt: two even lines,
    # split between words
    assert left_text[0].split("\n") == ["ỦY BAN NHÂN DÂN", "TỈNH KHÁNH HÒA"]
    assert left_text[1] == report.meta.agency_name.upper()  # the issuing body: one line
    assert left.paragraphs[1].runs[0].bold
    assert left_text[3].startswith("Số:")
    assert right_pars[0].text == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert right_pars[0].runs[0].bold and Pt(12) <= right_pars[0].runs[0].font.size <= Pt(13)
    assert right_pars[1].text == "Độc lập - Tự do - Hạnh phúc"
    assert right_pars[1].runs[0].bold
    assert right_pars[3].text == "Khánh Hòa, ngày 04 tháng 12 năm 2026"
    assert right_pars[3].runs[0].italic
    # the short rules (NĐ 30/2020, Phụ lục I): an empty paragraph with a top border under the
    # issuing body (1/3 to 1/2 of its line) and under the Tiêu ngữ (its length), centred
    columns = [c.width for c in masthead.columns]
    for cell, under, width, share in ((left, 1, columns[0], (0.3, 0.5)),
                                      (right, 1, columns[1], (0.85, 1.0))):
        rule = cell.paragraphs[under + 1]
        assert rule.text == ""
        top = rule._p.pPr.find(qn("w:pBdr")).find(qn("w:top"))
        assert top.get(qn("w:val")) == "single"
        fmt = rule.paragraph_format
        assert fmt.left_indent == fmt.right_indent
        length = width - 2 * fmt.left_indent - Mm(4.4)  # the cell margins
        line = cell.paragraphs[under]
        text = Mm(text_mm(line.text, line.runs[0].font.size.pt, bold=True))
        assert share[0] * text <= length <= share[1] * text * 1.02, (line.text, length, text)
    borders = masthead._tbl.tblPr.find(qn("w:tblBorders"))
    assert borders is not None and all(b.get(qn("w:val")) == "nil" for b in borders)
    title = next(p for p in doc.paragraphs if p.text == "BÁO CÁO")
    assert title.runs[0].bold and title.alignment == 1  # centre
    signature = next(t for t in doc.tables if t.rows[0].cells[0].paragraphs[0].text
                     == "Nơi nhận:")
    label = signature.rows[0].cells[0].paragraphs[0].runs[0]
    assert label.bold and label.italic and label.font.size == Pt(12)
    recipients = signature.rows[0].cells[0].paragraphs[1:]
    assert [p.text for p in recipients] == [f"- {r}" for r in report.meta.recipients]
    assert all(p.runs[0].font.size == Pt(11) for p in recipients)
    assert signature.rows[0].cells[1].paragraphs[-1].text == report.meta.signer_name


def test_docx_headings_and_nfc(docx_path: Path) -> None:
    doc = Document(str(docx_path))
    texts = _all_paragraphs(doc)
    for heading in HEADINGS:
        assert heading in texts, heading
    assert all(_is_nfc(t) for t in texts)


def test_docx_appendix_table(docx_path: Path, report: AgencyReport) -> None:
    doc = Document(str(docx_path))
    table = next(t for t in doc.tables
                 if [c.text for c in t.rows[0].cells][:2] == ["STT", "Tên nhiệm vụ, hạng mục"])
    tasks = report.proposal.tasks
    groups = {t.group for t in tasks}
    assert len(table.rows) == 1 + len(groups) + len(tasks) + 1
    header = [c.text for c in table.rows[0].cells]
    assert header[2] == "Địa điểm thực hiện" and header[-2:] == ["Căn cứ đề xuất", "Ghi chú"]
    assert all(r.bold for c in table.rows[0].cells for r in c.paragraphs[0].runs)
    expected = sum(t.quantity * t.unit_price_vnd for t in tasks)
    total_cell = table.rows[-1].cells[header.index("Thành tiền")].text
    assert total_cell == f"{expected:,}".replace(",", ".")
    assert table.rows[1].cells[0].text == "I"  # a group row first
    appendix = doc.sections[-1]
    assert _mm(appendix.page_width) > _mm(appendix.page_height)  # landscape


# ------------------------------------------------------------------------------- PDF (optional)


@pytest.mark.skipif(not (shutil.which("libreoffice") or shutil.which("soffice"))
                    or not shutil.which("pdftoppm"),
                    reason="needs libreoffice and pdftoppm (not installed in CI)")
def test_docx_renders_to_pdf_pages(docx_path: Path, tmp_path: Path) -> None:
    office = shutil.which("libreoffice") or shutil.which("soffice")
    assert office
    subprocess.run([office, "--headless", f"-env:UserInstallation=file://{tmp_path}/profile",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(docx_path)],
                   check=True, capture_output=True, timeout=180)
    pdf = tmp_path / "bao-cao.pdf"
    assert pdf.stat().st_size > 10_000
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(tmp_path / "page")],
                   check=True, capture_output=True, timeout=120)
    pages = sorted(tmp_path.glob("page*.png"))
    assert len(pages) >= 3


if __name__ == "__main__":  # regenerate the Markdown snapshot
    SNAPSHOT.write_text(render_markdown(sample_report()), encoding="utf-8")
    print(f"wrote {SNAPSHOT}")


def test_the_body_numbers_are_in_the_appendix(report: AgencyReport) -> None:
    """Each count of the body can be recounted from Phụ lục I's tables (VIETNAMESE.md: the
    appendix carries the per-device rows the body sums up)."""
    text = render_markdown(report)
    cut = text.index("## Phụ lục I")
    body, appendix = text[:cut], text[cut:text.index("## Phụ lục II")]
    rows = [line.split(" | ") for line in appendix.splitlines() if line.startswith("| ")]

    def body_count(pattern: str) -> int:
        match = re.search(pattern, body)
        assert match, pattern
        return int(match.group(1))

    downgraded = sum(1 for r in rows if "Hoạt động dưới tốc độ thiết kế" in r)
    half = sum(1 for r in rows if "Chạy chế độ bán song công (half duplex)" in r)
    past = sum(1 for r in rows if r[-1].endswith("(đã quá) |"))
    audited = sum(1 for r in rows if r[-1] == "Kiểm tra đầy đủ |")
    devices = sum(1 for r in rows if r[-1].startswith(("Kiểm tra đầy đủ", "Chưa kiểm tra",
                                                        "Không phản hồi")))
    wired = sum(int(m) for m in re.findall(r"^Thiết bị đầu cuối: (\d+) thiết bị kết nối có dây",
                                          appendix, re.M))
    assert body_count(r"(\d+) cổng 1 Gb/s chỉ hoạt động") == downgraded > 0
    assert body_count(r"(\d+) cổng chạy chế độ bán song công") == half > 0
    assert body_count(r"(\d+)/\d+ thiết bị mạng xác định được năm") == past > 0
    assert body_count(r"kiểm tra được (?:đầy đủ )?(\d+)/") == audited
    assert body_count(r"kiểm tra được (?:đầy đủ )?\d+/(\d+)") == devices
    assert body_count(r"(\d+) thiết bị đầu cuối kết nối có dây") == wired > 0
