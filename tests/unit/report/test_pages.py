"""The section an IT lead pastes fits in three A4 pages: the sample agency's DOCX converted to
PDF with LibreOffice (installed by .ci/run, with Liberation Serif, metric-compatible with Times
New Roman), the text of each page read back with pdftotext."""

import shutil
import subprocess
from pathlib import Path

import pytest

from infraaudit.report import render_docx
from tests.report_sample import sample_report

OFFICE = shutil.which("libreoffice") or shutil.which("soffice")


def _pages(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout
    return text.split("\f")


def _page_of(pages: list[str], needle: str) -> int:
    return next(i for i, page in enumerate(pages, start=1) if needle in page)


@pytest.mark.skipif(not OFFICE or not shutil.which("pdftotext"),
                    reason="needs LibreOffice and poppler-utils (.ci/run installs them)")
def test_section_fits_in_three_pages(tmp_path: Path) -> None:
    assert OFFICE
    docx = tmp_path / "bao-cao.docx"
    render_docx(sample_report(), docx)
    subprocess.run([OFFICE, "--headless", f"-env:UserInstallation=file://{tmp_path}/profile",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(docx)],
                   check=True, capture_output=True, timeout=180)
    pages = _pages(tmp_path / "bao-cao.pdf")
    start = _page_of(pages, "3. Hạ tầng số")
    end = _page_of(pages, "III. ĐỀ XUẤT, KIẾN NGHỊ")
    assert start == 1
    assert end - start + 1 <= 3, f"section 3 to the proposal spans {end - start + 1} pages"
    assert _page_of(pages, "KẾT QUẢ ĐO KIỂM HIỆN TRẠNG HẠ TẦNG MẠNG") > end  # own page
