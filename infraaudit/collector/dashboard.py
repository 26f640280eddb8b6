"""The province dashboard: one server-rendered page (no script, no external URL) listing the
agencies, their last submission (Vietnam time), sites and status, with the province report
downloads when a catalog is configured.

Admin only. A browser cannot send a Bearer header, so ``POST /dashboard/login`` takes the admin
token from a form and keeps it in an HttpOnly, SameSite=Strict cookie scoped to ``/dashboard``;
a Bearer header is accepted too. The token is never logged nor written back into a page.
"""

from __future__ import annotations

import datetime as dt
import urllib.parse
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

import jinja2
from fastapi import FastAPI, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.engine import Engine

from infraaudit.collector import store
from infraaudit.collector.auth import authenticate
from infraaudit.collector.download import province_response
from infraaudit.proposal import Catalog
from infraaudit.report import ReportOptions, local_time

COOKIE = "infraaudit_admin"
COOKIE_PATH = "/dashboard"
MAX_FORM = 4096
FORMATS = ("xlsx", "docx", "html", "md")
# status -> (Vietnamese label, colour)
STATUS: dict[str, tuple[str, str]] = {
    "ok": ("Đầy đủ", "#2e7d32"),
    "incomplete": ("Chưa đầy đủ", "#ef6c00"),
    "stale": ("Quá hạn", "#c62828"),
    "none": ("Chưa gửi", "#616161"),
}
HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
                               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
View = Literal["login", "agencies"]


@dataclass(frozen=True)
class Session:
    """What the request presented: nothing, an unknown token, an agency token, or an admin."""

    state: Literal["anonymous", "invalid", "forbidden", "admin"]
    from_cookie: bool = False


@cache
def _template() -> jinja2.Template:
    env = jinja2.Environment(loader=jinja2.PackageLoader("infraaudit.report_templates", "."),
                             autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True)
    return env.get_template("dashboard.html.j2")


def _presented(request: Request) -> tuple[str | None, bool]:
    """(token, from the cookie): the Bearer header wins over the cookie."""
    header = request.headers.get("authorization")
    if header is not None:
        scheme, _, value = header.partition(" ")
        return (value.strip() or None) if scheme.lower() == "bearer" else None, False
    cookie = request.cookies.get(COOKIE)
    return (cookie or None), cookie is not None


def _check(engine: Engine, token: str | None, from_cookie: bool = False) -> Session:
    if token is None:
        return Session("invalid" if from_cookie else "anonymous", from_cookie)
    found = authenticate(engine, token)
    if found is None:
        return Session("invalid", from_cookie)
    return Session("admin" if found.admin else "forbidden", from_cookie)


def _when(iso: str | None) -> str:
    if iso is None:
        return "—"
    parts = local_time(iso)
    return f"{parts['date']} {parts['time']}"


def _page(status_code: int, view: View, message: str | None = None,
          rows: list[dict[str, Any]] | None = None, formats: tuple[str, ...] = (),
          clear_cookie: bool = False) -> HTMLResponse:
    html = _template().render(view=view, message=message, rows=rows or [], formats=formats,
                              now=_when(dt.datetime.now(dt.UTC).isoformat()))
    response = HTMLResponse(html, status_code=status_code, headers=HEADERS)
    if clear_cookie:
        response.delete_cookie(COOKIE, path=COOKIE_PATH, httponly=True, samesite="strict")
    return response


def _refused(session: Session) -> HTMLResponse:
    """The login form, with why the presented token was refused (never the token itself)."""
    if session.state == "forbidden":
        return _page(403, "login", "Mã này là mã của cơ quan; trang này cần mã quản trị của Sở.",
                     clear_cookie=session.from_cookie)
    if session.state == "invalid":
        return _page(401, "login", "Mã không hợp lệ hoặc đã bị thu hồi.",
                     clear_cookie=session.from_cookie)
    return _page(200, "login")


def add_dashboard(app: FastAPI, engine: Engine, stale_days: int = 400,
                  catalog: Catalog | None = None, frame: ReportOptions | None = None) -> None:
    """Add ``/dashboard`` (GET), ``/dashboard/login``, ``/dashboard/logout`` (POST) and
    ``/dashboard/report`` (the province report, cookie-authenticated) to the collector app;
    none of them is in the OpenAPI spec."""

    def session(request: Request) -> Session:
        token, from_cookie = _presented(request)
        return _check(engine, token, from_cookie)

    @app.get("/dashboard", include_in_schema=False, response_class=HTMLResponse)
    def dashboard(request: Request) -> HTMLResponse:
        who = session(request)
        if who.state != "admin":
            return _refused(who)
        rows = []
        for item in store.list_agencies(engine, dt.datetime.now(dt.UTC), stale_days):
            label, colour = STATUS[item["status"]]
            rows.append({**item, "when": _when(item["last_submission"]), "label": label,
                         "colour": colour})
        return _page(200, "agencies", rows=rows, formats=FORMATS if catalog else ())

    @app.post("/dashboard/login", include_in_schema=False, response_class=HTMLResponse)
    async def login(request: Request) -> Response:
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_FORM:
                return _page(413, "login", "Biểu mẫu quá lớn.")
        fields = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
        token = (fields.get("token") or [""])[0].strip() or None
        who = await run_in_threadpool(_check, engine, token)
        if who.state != "admin":
            return _refused(Session("invalid" if who.state == "anonymous" else who.state))
        response = RedirectResponse("/dashboard", status_code=303, headers=HEADERS)
        assert token is not None
        response.set_cookie(COOKIE, token, path=COOKIE_PATH, httponly=True, samesite="strict",
                            secure=request.url.scheme == "https")
        return response

    @app.post("/dashboard/logout", include_in_schema=False)
    def logout() -> Response:
        response = RedirectResponse("/dashboard", status_code=303, headers=HEADERS)
        response.delete_cookie(COOKIE, path=COOKIE_PATH, httponly=True, samesite="strict")
        return response

    @app.get("/dashboard/report", include_in_schema=False)
    def report(request: Request,
               fmt: Literal["md", "html", "docx", "xlsx"] = Query("xlsx", alias="format"),
               year: int | None = None) -> Response:
        who = session(request)
        if who.state != "admin":
            return _refused(who)
        return province_response(engine, catalog, fmt, year, frame)
