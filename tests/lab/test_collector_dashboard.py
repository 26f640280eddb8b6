"""The collector's dashboard page: its auth rules through a TestClient, then ``infraaudit serve``
as a real process driven by headless Chromium (selenium + chromedriver, skipped only where their
binaries are absent): log in with the admin token, see the agencies and their status, take a
screenshot and check it is a real picture of the page, and be refused with a wrong token."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING

import psutil
import pytest
from fastapi.testclient import TestClient

from infraaudit.collector import auth
from infraaudit.collector.api import create_app
from infraaudit.collector.dashboard import COOKIE
from infraaudit.collector.migrations import open_db
from infraaudit.collector.pgcluster import free_port
from infraaudit.proposal.plan import load_catalog
from tests.lab.test_collector_serve import REPO, call, serving, token
from tests.unit.collector.test_api import body, make_audit

if TYPE_CHECKING:
    from selenium.webdriver.remote.webdriver import WebDriver

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
CATALOG = REPO / "inventories" / "catalog.yaml"
WIDTH, HEIGHT = 1000, 700
OK_GREEN, ORANGE = (0x2E, 0x7D, 0x32), (0xEF, 0x6C, 0x00)  # the ok and incomplete badges


# ---------------------------------------------------------------- auth rules (no browser)

@pytest.fixture
def client(tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, str]]]:
    engine = open_db(str(tmp_path / "collector.sqlite"))
    try:
        tokens = {"admin": auth.add_admin(engine),
                  "TTT": auth.add_agency(engine, "TTT", "Thanh tra tỉnh")[0],
                  "SXD": auth.add_agency(engine, "SXD", "Sở Xây dựng")[0]}
        app = create_app(engine, catalog=load_catalog(CATALOG))
        with TestClient(app, base_url="http://127.0.0.1") as tc:
            for code in ("TTT", "SXD"):
                res = tc.post("/api/v1/audits", content=body(make_audit(code, "hq")),
                              headers={"Authorization": f"Bearer {tokens[code]}"})
                assert res.status_code == 201
            yield tc, tokens
    finally:
        engine.dispose()


def test_dashboard_auth_rules(client: tuple[TestClient, dict[str, str]]) -> None:
    tc, tokens = client
    admin = tokens["admin"]

    page = tc.get("/dashboard")  # no session: the login form, no data
    assert page.status_code == 200 and 'action="/dashboard/login"' in page.text
    assert "Thanh tra tỉnh" not in page.text and "no-store" in page.headers["cache-control"]
    assert "default-src 'none'" in page.headers["content-security-policy"]

    for bad in ("forged-token", ""):
        res = tc.post("/dashboard/login", data={"token": bad}, follow_redirects=False)
        assert res.status_code == 401 and "không hợp lệ" in res.text
        assert COOKIE not in res.cookies and "forged-token" not in res.text
    res = tc.post("/dashboard/login", data={"token": tokens["TTT"]}, follow_redirects=False)
    assert res.status_code == 403 and COOKIE not in res.cookies  # an agency token is not enough
    assert tokens["TTT"] not in res.text
    assert tc.post("/dashboard/login", content=b"token=" + b"x" * 5000).status_code == 413

    res = tc.post("/dashboard/login", data={"token": admin}, follow_redirects=False)
    assert res.status_code == 303 and res.headers["location"] == "/dashboard"
    cookie = res.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/dashboard" in cookie
    page = tc.get("/dashboard")
    assert page.status_code == 200 and admin not in page.text
    for text in ("TTT", "Thanh tra tỉnh", "SXD", "Sở Xây dựng", "Đầy đủ",
                 "/dashboard/report?format=xlsx"):
        assert text in page.text
    report = tc.get("/dashboard/report", params={"format": "md"})
    assert report.status_code == 200 and "Cơ quan TTT" in report.text
    assert tc.get("/api/v1/agencies").status_code == 401  # the cookie is for /dashboard only

    res = tc.post("/dashboard/logout", follow_redirects=False)
    assert res.status_code == 303 and 'Max-Age=0' in res.headers["set-cookie"]
    tc.cookies.clear()
    assert "Thanh tra tỉnh" not in tc.get("/dashboard").text
    assert tc.get("/dashboard/report", params={"format": "md"}).status_code == 200  # the form
    assert "Cơ quan TTT" not in tc.get("/dashboard/report", params={"format": "md"}).text

    # a Bearer header works as well; a wrong or agency one is refused; a stale cookie is cleared
    assert "Sở Xây dựng" in tc.get("/dashboard", headers={"Authorization": f"Bearer {admin}"}).text
    assert tc.get("/dashboard", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert tc.get("/dashboard", headers={
        "Authorization": f"Bearer {tokens['SXD']}"}).status_code == 403
    tc.cookies.set(COOKIE, "revoked", domain="127.0.0.1", path="/dashboard")
    res = tc.get("/dashboard")
    assert res.status_code == 401 and 'Max-Age=0' in res.headers["set-cookie"]
    assert "/dashboard" not in tc.get("/openapi.json").json()["paths"]


# ---------------------------------------------------------------- headless Chromium

def png_pixels(data: bytes) -> tuple[int, int, set[tuple[int, int, int]]]:
    """(width, height, distinct colours) of an 8-bit RGB or RGBA, non-interlaced PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = chunk
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    width: int
    height: int
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and colour in (2, 6) and interlace == 0, header
    bpp = 3 if colour == 2 else 4
    raw, stride = zlib.decompress(idat), width * bpp
    prev, colours = bytearray(stride), set[tuple[int, int, int]]()
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        if kind == 2:
            line = bytearray((a + b) & 0xFF for a, b in zip(line, prev, strict=True))
        elif kind:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                up, corner = prev[i], prev[i - bpp] if i >= bpp else 0
                if kind == 1:
                    add = left
                elif kind == 3:
                    add = (left + up) // 2
                else:
                    p = left + up - corner
                    pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                    add = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                line[i] = (line[i] + add) & 0xFF
        colours.update(set(zip(line[0::bpp], line[1::bpp], line[2::bpp], strict=True)))
        prev = line
    return width, height, colours


@contextmanager
def chromium(profile: Path) -> Iterator[WebDriver]:
    """Headless Chromium through chromedriver; both stopped by pid when the block ends, and any
    browser process still using ``profile`` too."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--force-color-profile=srgb",
                 "--hide-scrollbars", f"--user-data-dir={profile}",
                 f"--window-size={WIDTH},{HEIGHT}"):
        options.add_argument(flag)
    service = Service(executable_path=str(CHROMEDRIVER), port=free_port())
    driver = webdriver.Chrome(options=options, service=service)
    try:
        yield driver
    finally:
        with suppress(Exception):
            driver.quit()
        service.stop()
        for proc in psutil.process_iter(["pid", "cmdline"]):
            if any(str(profile) in arg for arg in proc.info["cmdline"] or []):
                with suppress(psutil.NoSuchProcess):
                    proc.kill()


@pytest.mark.skipif(not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
                    reason="chromium/chromedriver not installed (scripts/bootstrap.sh "
                           "installs them)")
def test_dashboard_in_headless_chromium(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.wait import WebDriverWait

    monkeypatch.setenv("SE_AVOID_STATS", "true")  # selenium sends no usage statistics
    db, log = tmp_path / "collector.sqlite", tmp_path / "serve.log"
    ttt = token(db, "add-agency", "TTT", "Thanh tra tỉnh")
    sxd = token(db, "add-agency", "SXD", "Sở Xây dựng")
    token(db, "add-agency", "STP", "Sở Tư pháp")  # registered, has sent nothing
    admin = token(db, "add-admin")
    port = free_port()
    base = f"http://127.0.0.1:{port}"

    with serving(db, port, log, "--catalog", str(CATALOG)), \
            chromium(tmp_path / "profile") as browser:
        assert call(f"{base}/api/v1/audits", ttt, body(make_audit("TTT", "hq")))[0] == 201
        assert call(f"{base}/api/v1/audits", ttt, body(make_audit("TTT", "branch")))[0] == 201
        assert call(f"{base}/api/v1/audits", sxd,
                    body(make_audit("SXD", "hq", complete=False)))[0] == 201

        browser.get(f"{base}/dashboard")
        assert browser.find_element(By.ID, "login").text == "Đăng nhập"
        browser.find_element(By.ID, "token").send_keys(admin)
        browser.find_element(By.ID, "login").click()
        wait = WebDriverWait(browser, 10)
        table = wait.until(ec.presence_of_element_located((By.ID, "agencies")))
        assert browser.current_url == f"{base}/dashboard"
        rows = {r.get_attribute("id"): r.find_elements(By.TAG_NAME, "td")
                for r in table.find_elements(By.CSS_SELECTOR, "tbody tr")}
        assert {k: [c.text for c in v[:2]] + [v[3].text, v[4].text] for k, v in rows.items()} == {
            "agency-SXD": ["SXD", "Sở Xây dựng", "1", "Chưa đầy đủ"],
            "agency-STP": ["STP", "Sở Tư pháp", "0", "Chưa gửi"],
            "agency-TTT": ["TTT", "Thanh tra tỉnh", "2", "Đầy đủ"]}
        assert rows["agency-STP"][2].text == "—"
        assert rows["agency-TTT"][2].text.count("/") == 2  # dd/mm/yyyy HH:MM, Vietnam time
        [cookie] = browser.get_cookies()
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
        assert admin not in browser.page_source

        shot = browser.get_screenshot_as_png()
        (tmp_path / "dashboard.png").write_bytes(shot)
        width, height, colours = png_pixels(shot)
        assert (width, height) == tuple(browser.execute_script(
            "return [window.innerWidth, window.innerHeight]"))
        assert width > 500 and height > 300 and len(shot) > 10_000
        assert len(colours) > 50 and OK_GREEN in colours and ORANGE in colours, len(colours)

        browser.get(f"{base}/dashboard/report?format=html")  # a download with the cookie
        assert "Cơ quan TTT" in browser.find_element(By.TAG_NAME, "body").text

        browser.get(f"{base}/dashboard")
        browser.find_element(By.ID, "logout").click()
        wait.until(ec.presence_of_element_located((By.ID, "token"))).send_keys("not-the-admin")
        assert browser.get_cookies() == []
        browser.find_element(By.ID, "login").click()
        message = wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, ".message")))
        assert browser.current_url == f"{base}/dashboard/login"
        assert "Mã không hợp lệ" in message.text
        assert browser.find_elements(By.ID, "agencies") == [] and browser.get_cookies() == []

    text = log.read_text()
    assert '"POST /dashboard/login HTTP/1.1" 401' in text
    assert '"GET /dashboard HTTP/1.1" 200' in text
    for secret in (ttt, sxd, admin):
        assert secret not in text
