"""The pictures of Phụ lục I (port health, IPv6 readiness, topology per site) in the DOCX and the
HTML, and the printed frame: the DOCX read back with python-docx, the images opened with Pillow,
the HTML printed by headless Chromium and the DOCX converted by LibreOffice, the pages read back
with poppler (pdftotext, pdftoppm). The tools are optional; .ci/run installs LibreOffice and
poppler, scripts/bootstrap.sh Chromium."""

import io
import os
import re
import shutil
import subprocess
import sys
import unicodedata
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from PIL import Image

from infraaudit.models.report import AgencyReport, SiteFacts, SwitchPorts, TopologyEdge
from infraaudit.report.render import render_docx, render_html
from infraaudit.report.render.blocks import Table, build_blocks, words
from infraaudit.report.render.pictures import has_picture, png, svg
from tests.paths import REPO
from tests.report_sample import sample_report

OFFICE = shutil.which("libreoffice") or shutil.which("soffice")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
POPPLER = shutil.which("pdftotext") and shutil.which("pdftoppm")
KINDS = ("ports", "ipv6", "topology")
PT_PER_MM = 72 / 25.4


@pytest.fixture(scope="module")
def report() -> AgencyReport:
    return sample_report()


@pytest.fixture(scope="module")
def docx_path(report: AgencyReport, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pictures") / "bao-cao.docx"
    render_docx(report, path)
    return path


def _expected(report: AgencyReport) -> list[tuple[int, str]]:
    """(site number, kind) of every picture the sample's appendix holds, in order."""
    drawn = {"ports": lambda s: bool(s.ports), "ipv6": lambda s: bool(s.ipv6_scores),
             "topology": lambda s: bool(s.topology)}
    return [(n, kind) for n, site in enumerate(report.sites, start=1) for kind in KINDS
            if drawn[kind](site)]


# ---------------------------------------------------------------------------- DOCX


def test_docx_holds_the_pictures_of_every_site(docx_path: Path, report: AgencyReport) -> None:
    doc = Document(str(docx_path))
    expected = _expected(report)
    assert len(expected) >= 8  # four sites: ports and topology at two, IPv6 at all four
    assert len(doc.inline_shapes) == len(expected)
    body = list(doc.element.body.iterchildren(qn("w:p")))
    texts = [("".join(t.text or "" for t in p.iter(qn("w:t"))), p) for p in body]
    captions = [(i, text) for i, (text, _) in enumerate(texts) if text.startswith("Hình ")]
    pictures = [i for i, (_, p) in enumerate(texts) if p.findall(".//" + qn("w:drawing"))]
    # each picture is followed by its caption, numbered per site in order
    assert [i + 1 for i in pictures] == [i for i, _ in captions]
    numbers = [re.match(r"Hình (\d+)\.(\d+)\. ", text) for _, text in captions]
    assert all(numbers)
    per_site = Counter(int(m.group(1)) for m in numbers if m)
    assert per_site == Counter(n for n, _ in expected)
    for m in numbers:
        assert m and 1 <= int(m.group(2)) <= per_site[int(m.group(1))]
    assert all(unicodedata.is_normalized("NFC", text) for _, text in captions)
    # each image: a PNG of plausible size, shown at most as wide as the landscape text width
    section = doc.sections[-1]
    text_width = section.page_width - section.left_margin - section.right_margin
    for shape in doc.inline_shapes:
        blip = shape._inline.graphic.graphicData.pic.blipFill.blip
        part = doc.part.related_parts[blip.embed]
        assert part.content_type == "image/png"
        assert part.blob[:8] == b"\x89PNG\r\n\x1a\n"
        image = Image.open(io.BytesIO(part.blob))
        assert 1000 <= image.width <= 1400 and 200 <= image.height <= 1200, image.size
        assert 10_000 < len(part.blob) < 400_000
        assert 0 < shape.width <= text_width
        assert abs(shape.width / shape.height - image.width / image.height) < 0.02


def test_pictures_are_deterministic_and_readable(report: AgencyReport) -> None:
    site = report.sites[0]
    for kind in KINDS:
        assert png(kind, site, words()) == png(kind, site, words())
        assert svg(kind, site, words()) == svg(kind, site, words())
    # drawn at 160 mm and inserted at that size: 9 pt type prints at 9 pt, 8 pt at least
    image = Image.open(io.BytesIO(png("ports", site, words())))
    assert image.info.get("dpi", (200, 200))[0] == pytest.approx(200, abs=1)
    assert image.width == pytest.approx(160 / 25.4 * 200, abs=2)
    for kind in KINDS:
        drawing = svg(kind, site, words())
        # the SVG's user unit is the point (its viewBox is its size in pt)
        width = re.search(r'<svg[^>]*width="([\d.]+)pt"', drawing)
        assert width and float(width.group(1)) == pytest.approx(160 * PT_PER_MM, abs=0.5)
        sizes = [float(s) for s in re.findall(r"font-size: ([\d.]+)px", drawing)]
        assert sizes and min(sizes) >= 8, (kind, min(sizes))


def test_same_report_same_docx_bytes(report: AgencyReport, docx_path: Path,
                                     tmp_path: Path) -> None:
    again = tmp_path / "again.docx"
    render_docx(report, again)
    assert again.read_bytes() == docx_path.read_bytes()
    with zipfile.ZipFile(again) as package:
        assert {i.date_time for i in package.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = package.read("docProps/core.xml").decode()
    assert "python-docx" not in core


def test_picture_words_come_from_the_templates() -> None:
    """Every word drawn is a label of report_words.yaml, a role, a device name or a number;
    an address is never drawn, and markup in a name stays text."""
    site = SiteFacts(
        site_id="s", name="S", audit_id="a", scanned_at="2026-12-03T00:00:00Z",
        complete=True, devices=3, devices_answered=3,
        ports=[SwitchPorts(device="sw-<b>1</b>", ports=24, up=10, down=14, free=12,
                           with_errors=2, flapping=1, downgraded=3)],
        ipv6_scores={"sw-<b>1</b>": 2, "192.0.2.7": 4},
        topology=[TopologyEdge(a="rt-1", a_port="ge-0/0/1", b="192.0.2.7", b_port="7")],
        topology_nodes={"rt-1": "router", "192.0.2.7": "switch", "sw-<b>1</b>": "switch"})
    chart = words()["chart"]
    allowed = {str(v) for v in chart.values()} | {str(v).capitalize()
                                                  for v in words()["roles"].values()}
    allowed |= {"sw-<b>1</b>", "rt-1", "ge-0/0/1", "7", chart["ports_total"].format(n=24)}
    for kind in KINDS:
        assert has_picture(kind, site)
        drawing = svg(kind, site, words())
        assert "192.0.2.7" not in drawing
        assert "<b>" not in drawing
        assert "&lt;b&gt;" in drawing
        for raw in re.findall(r"<text[^>]*>([^<]*)</text>", drawing):
            text = raw.replace("&lt;", "<").replace("&gt;", ">").strip()
            if not text or re.fullmatch(r"[\d/.,]+", text):
                continue
            pieces = [p.split(": ")[0] for p in text.split("; ")]
            assert text in allowed or all(p.capitalize() in allowed for p in pieces), text


# ---------------------------------------------------------------------------- HTML


def test_html_has_the_pictures_with_captions(report: AgencyReport) -> None:
    html = render_html(report)
    figures = re.findall(r'<figure class="chart chart-(\w+)".*?</figure>', html, re.S)
    assert figures == [kind for _, kind in _expected(report)]
    assert html.count("<svg") == len(figures)
    assert len(re.findall(r"<figcaption>Hình \d+\.\d+\. ", html)) == len(figures)
    assert not re.search(r"https?://|xmlns", html)
    assert "@media print" in html and "size: A4" in html


def _pdf_words(pdf: Path, page: int) -> list[tuple[float, float, float, float, str]]:
    """(xMin, yMin, xMax, yMax, word) of one page, in points."""
    out = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
                         check=True, capture_output=True, text=True).stdout
    return [(float(a), float(b), float(c), float(d), unicodedata.normalize("NFC", w))
            for a, b, c, d, w in re.findall(
                r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">'
                r"([^<]*)</word>", out)]


def _page_sizes(pdf: Path) -> list[tuple[float, float]]:
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "999", str(pdf)], check=True,
                          capture_output=True, text=True).stdout
    found = re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info)
    return [(float(w), float(h)) for w, h in found]


@pytest.mark.skipif(not CHROMIUM or not POPPLER or not shutil.which("pdfinfo"),
                    reason="needs chromium and poppler-utils")
def test_html_prints_on_a4_in_the_margins(report: AgencyReport, tmp_path: Path) -> None:
    assert CHROMIUM
    page = tmp_path / "bao-cao.html"
    page.write_text(render_html(report), encoding="utf-8")
    pdf = tmp_path / "bao-cao.pdf"
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
                    "--no-pdf-header-footer", f"--user-data-dir={tmp_path}/profile",
                    f"--print-to-pdf={pdf}", page.as_uri()],
                   check=True, capture_output=True, timeout=120)
    sizes = _page_sizes(pdf)
    assert sizes[0] == pytest.approx((595, 842), abs=2)  # A4 portrait
    appendix = next(n for n in range(1, len(sizes) + 1) if "KẾT QUẢ ĐO KIỂM HIỆN TRẠNG"
                    in " ".join(w[4] for w in _pdf_words(pdf, n)))
    assert sizes[appendix - 1] == pytest.approx((842, 595), abs=2)  # landscape appendix
    first = _pdf_words(pdf, appendix)
    assert [w[4] for w in first[:3]] == ["Phụ", "lục", "I"]  # it begins its page
    for n in (1, appendix):
        words_ = _pdf_words(pdf, n)
        width = sizes[n - 1][0]
        left = min(w[0] for w in words_)
        right = max(w[2] for w in words_)
        top = min(w[1] for w in words_)
        assert 30 * PT_PER_MM - 1 <= left <= 35 * PT_PER_MM + 30  # centred lines start later
        assert width - right >= 15 * PT_PER_MM - 1
        assert top >= 20 * PT_PER_MM - 1
    text = " ".join(w[4] for n in range(1, len(sizes) + 1) for w in _pdf_words(pdf, n))
    assert len(re.findall(r"Hình \d+\.\d+\.", text)) == len(_expected(report))
    assert "Đang sử dụng" in text  # the legend is text, in Vietnamese


# ---------------------------------------------------------------------------- PDF of the DOCX


@pytest.fixture(scope="module")
def docx_pdf(docx_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not OFFICE or not POPPLER:
        pytest.skip("needs LibreOffice and poppler-utils (.ci/run installs them)")
    out = tmp_path_factory.mktemp("pdf")
    subprocess.run([OFFICE, "--headless", f"-env:UserInstallation=file://{out}/profile",
                    "--convert-to", "pdf", "--outdir", str(out), str(docx_path)],
                   check=True, capture_output=True, timeout=180)
    return out / "bao-cao.pdf"


def test_docx_masthead_rules_in_the_pdf(docx_pdf: Path, tmp_path: Path) -> None:
    """On the printed first page, a solid rule under the issuing body (1/3 to 1/2 of its line,
    centred under it) and one under the Tiêu ngữ (as long as it)."""
    dpi = 150
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", "1", "-l", "1", str(docx_pdf),
                    str(tmp_path / "p")], check=True, capture_output=True, timeout=60)
    image = Image.open(next(tmp_path.glob("p*.png"))).convert("L")
    words_ = _pdf_words(docx_pdf, 1)

    def line_of(first: str, last: str) -> tuple[float, float, float]:
        i = next(i for i, w in enumerate(words_) if w[4] == first)
        j = next(j for j in range(i, len(words_)) if words_[j][4] == last)
        return words_[i][0], words_[j][2], max(w[3] for w in words_[i:j + 1])

    def rule_below(x0: float, x1: float, y: float) -> tuple[float, float]:
        """The longest dark horizontal run in the 8 pt below y, around [x0, x1] (points)."""
        scale = dpi / 72
        best = (0, 0)
        for row in range(int(y * scale), int((y + 8) * scale)):
            xs = [x for x in range(int((x0 - 40) * scale), int((x1 + 40) * scale))
                  if image.getpixel((x, row)) < 100]
            runs, start = [], None
            for a, b in zip(xs, [*xs[1:], None], strict=False):
                start = a if start is None else start
                if b != a + 1:
                    runs.append((start, a))
                    start = None
            best = max([*runs, best], key=lambda r: r[1] - r[0])
        return best[0] / scale, best[1] / scale

    for (first, last), share in ((("THANH", "TỈNH"), (0.3, 0.55)),
                                 (("Độc", "phúc"), (0.9, 1.1))):
        x0, x1, y = line_of(first, last)
        r0, r1 = rule_below(x0, x1, y)
        assert share[0] <= (r1 - r0) / (x1 - x0) <= share[1], (first, (r0, r1), (x0, x1))
        assert abs((r0 + r1) / 2 - (x0 + x1) / 2) < 3  # centred


def test_docx_table_headers_keep_their_words_whole(docx_pdf: Path, docx_path: Path,
                                                   report: AgencyReport) -> None:
    """Each word of a table header is printed whole (as often as the document has it)."""
    blocks = build_blocks(report)
    header_words = {w for b in blocks if isinstance(b, Table) for h in b.header
                    for w in h.split() if len(w) >= 3}
    doc = Document(str(docx_path))
    written = Counter(w for p in doc.paragraphs for w in p.text.split())
    for table in doc.tables:
        for row in table.rows:
            for cell in {id(c): c for c in row.cells}.values():  # merged cells once
                written.update(w for p in cell.paragraphs for w in p.text.split())
    pages = len(_page_sizes(docx_pdf))
    printed = Counter(w[4] for n in range(1, pages + 1) for w in _pdf_words(docx_pdf, n))
    assert pages >= 5
    broken = {w: (written[w], printed[w]) for w in sorted(header_words)
              if printed[w] < written[w]}
    assert not broken, broken


def test_matplotlib_only_when_a_picture_is_drawn(tmp_path: Path) -> None:
    """The Markdown report (and the CLI's import) do not load matplotlib; the DOCX does."""
    code = (
        "import sys\n"
        "from infraaudit.report.render import render_docx, render_markdown\n"
        "from tests.report_sample import sample_report\n"
        "report = sample_report()\n"
        "render_markdown(report)\n"
        "import infraaudit.cli\n"
        "assert 'matplotlib' not in sys.modules, 'markdown loaded matplotlib'\n"
        f"render_docx(report, __import__('pathlib').Path({str(tmp_path / 'r.docx')!r}))\n"
        "assert 'matplotlib' in sys.modules\n"
        "assert 'matplotlib.pyplot' not in sys.modules  # no global figure state\n")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO, timeout=120,
                   env={**os.environ, "PYTHONPATH": str(REPO)})


def test_docx_signer_block_is_plain_text(docx_path: Path, report: AgencyReport) -> None:
    doc = Document(str(docx_path))
    signature = next(t for t in doc.tables
                     if t.rows[0].cells[0].paragraphs[0].text == "Nơi nhận:")
    texts = [p.text for c in signature.rows[0].cells for p in c.paragraphs]
    assert report.meta.signer_name in texts
    assert all(line in texts for line in report.meta.signer_title.split("\n"))
    assert not [t for t in texts if re.search(r"[*_#<>`\\]|\{\{|\}\}", t)], texts
