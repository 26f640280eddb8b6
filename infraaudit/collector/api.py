"""The collector's HTTP API (FastAPI), versioned under ``/api/v1``; OpenAPI at /openapi.json.

Agencies POST their audits with their own token (``Authorization: Bearer ...``); the province
reads with an admin token. Every error is JSON ``{"error": code, "detail": ...}``. Tokens are
never logged: the access log shows the request line only.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

import sqlalchemy as sa
from fastapi import Depends, FastAPI, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field
from sqlalchemy.engine import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException

from infraaudit import __version__
from infraaudit.collector import store
from infraaudit.collector.auth import Principal, authenticate
from infraaudit.collector.dashboard import add_dashboard
from infraaudit.collector.download import province_response
from infraaudit.collector.migrations import version
from infraaudit.errors import ApiError, Rejected
from infraaudit.models import AuditDocument
from infraaudit.proposal import Catalog
from infraaudit.report import ReportOptions

MB = 1024 * 1024
DEFAULT_MAX_BODY = 20 * MB
AUDIT_SCHEMA_REF = "#/components/schemas/AuditDocument"


class ErrorBody(BaseModel):
    error: str = Field(description="stable code, e.g. unauthorized, wrong-agency, too-large")
    detail: Any = Field(description="what is wrong, precisely")


class Submitted(BaseModel):
    status: Literal["stored", "already-stored"]
    audit_id: str
    sha256: str = Field(description="of the canonical JSON of the stored document")


class AgencyOut(BaseModel):
    code: str
    name: str
    last_submission: str | None = Field(description="ISO 8601 UTC time of the last reception")
    sites: int = Field(description="sites with at least one audit")
    status: Literal["none", "stale", "incomplete", "ok"]


class AuditMeta(BaseModel):
    audit_id: str
    agency_code: str
    site_id: str
    site_name: str
    schema_version: int = Field(description="as submitted (the document is stored migrated)")
    scan_started_at: str
    complete: bool
    received_at: str
    sha256: str
    size: int
    document: dict[str, Any] | None = Field(default=None, description="with ?full=true")


class SiteAggregate(BaseModel):
    site_id: str
    site_name: str
    audit_id: str
    scan_started_at: str
    complete: bool
    devices: int
    devices_answered: int
    ports: int = Field(description="Ethernet ports")
    findings: dict[str, int] = Field(description="severity -> count")
    ipv6_phase: int | None


class AgencyAggregate(BaseModel):
    code: str
    name: str
    sites: int
    devices: int
    devices_answered: int
    ports: int
    findings: dict[str, int]
    ipv6_phase: dict[str, int | None] = Field(description="site id -> IPv6 programme phase")
    site_details: list[SiteAggregate]


class Health(BaseModel):
    status: Literal["ok"]
    db_version: int


ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody} for code in (401, 403, 404, 409, 413, 415, 422)}
bearer = HTTPBearer(auto_error=False, description="an agency token (submit) or an admin token")


def _engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def principal(request: Request, credentials: Annotated[
        HTTPAuthorizationCredentials | None, Depends(bearer)]) -> Principal:
    unauthorized = {"WWW-Authenticate": "Bearer"}
    if credentials is None:
        raise ApiError(401, "unauthorized", "no bearer token", unauthorized)
    found = authenticate(_engine(request), credentials.credentials)
    if found is None:
        raise ApiError(401, "unauthorized", "unknown or revoked token", unauthorized)
    return found


def admin(who: Annotated[Principal, Depends(principal)]) -> Principal:
    if not who.admin:
        raise ApiError(403, "forbidden", "this needs an admin token")
    return who


def agency(who: Annotated[Principal, Depends(principal)]) -> Principal:
    if who.admin:
        raise ApiError(403, "forbidden", "admin tokens read; submit with the agency's token")
    return who


GZIP_MAGIC = b"\x1f\x8b"


async def _read_body(request: Request, limit: int) -> bytes:
    """The body, refused with 413 as soon as it is longer than ``limit``, before parsing; a
    compressed body (``Content-Encoding`` other than identity, or gzip bytes) with 415: the
    audit is sent as plain UTF-8 JSON, so that the size limit is the size parsed."""
    encoding = request.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in ("", "identity"):
        raise ApiError(415, "unsupported-encoding",
                       f"Content-Encoding {encoding[:40]!r} is not accepted: send the audit "
                       "as uncompressed UTF-8 JSON")
    too_large = ApiError(413, "too-large", f"the body is larger than {limit} bytes")
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise too_large
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    body = b"".join(chunks)
    if body.startswith(GZIP_MAGIC):
        raise ApiError(415, "unsupported-encoding",
                       "the body is gzip-compressed: send the audit as uncompressed UTF-8 JSON")
    return body


def create_app(engine: Engine, max_body_bytes: int = DEFAULT_MAX_BODY,
               stale_days: int = 400, catalog: Catalog | None = None,
               frame: ReportOptions | None = None) -> FastAPI:
    """The collector app over an opened (migrated) database; ``catalog`` (unit prices) enables
    the province report download, ``frame`` gives it its official masthead and signature."""
    app = FastAPI(title="infraaudit collector", version=__version__,
                  description="The province collects the agencies' audit documents.")
    app.state.engine = engine

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse({"error": exc.error, "detail": exc.detail}, status_code=exc.status,
                            headers=exc.headers)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not-found", 405: "method-not-allowed"}.get(exc.status_code, "http-error")
        return JSONResponse({"error": code, "detail": exc.detail}, status_code=exc.status_code,
                            headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        detail = [{"loc": list(e.get("loc", ())), "msg": e.get("msg")} for e in exc.errors()]
        return JSONResponse({"error": "invalid-request", "detail": detail}, status_code=422)

    @app.get("/healthz", response_model=Health, tags=["service"],
             responses={503: {"model": ErrorBody}})
    def healthz() -> Health:
        """The service answers and its database is reachable."""
        try:
            return Health(status="ok", db_version=version(engine))
        except sa.exc.SQLAlchemyError as exc:
            raise ApiError(503, "database-unavailable", exc.__class__.__name__) from None

    @app.post(
        "/api/v1/audits", status_code=201, response_model=Submitted, tags=["agency"],
        responses={200: {"model": Submitted, "description": "the identical audit was stored "
                                                            "before"}, **ERRORS},
        openapi_extra={"requestBody": {"required": True, "content": {
            "application/json": {"schema": {"$ref": AUDIT_SCHEMA_REF}}}}},
    )
    async def submit_audit(request: Request,
                           who: Annotated[Principal, Depends(agency)]) -> JSONResponse:
        """Submit one audit document (any published schema version) for the token's agency.

        201 stored; 200 the identical audit was already stored; 409 the audit id is stored with
        other content; 403 the audit is another agency's; 413 too large; 415 compressed
        (Content-Encoding or gzip bytes); 422 not a valid audit (the reason says which field:
        also JSON nested deeper than 64 levels, integers of more than 40 digits, times before
        2000 or more than a day ahead), or a schema version newer than the collector reads."""
        body = await _read_body(request, max_body_bytes)
        assert who.agency_code is not None
        try:
            stored = await run_in_threadpool(store.submit, engine, body, who.agency_code)
        except Rejected as exc:
            raise ApiError(exc.status, exc.error, exc.detail) from None
        result = Submitted(status="stored" if stored.created else "already-stored",
                           audit_id=stored.audit_id, sha256=stored.sha256)
        return JSONResponse(result.model_dump(), status_code=201 if stored.created else 200)

    @app.get("/api/v1/agencies", response_model=list[AgencyOut], tags=["province"],
             responses=ERRORS)
    def list_agencies(who: Annotated[Principal, Depends(admin)]) -> list[dict[str, Any]]:
        """Every registered agency, its last submission and status (none, stale, incomplete:
        the latest audit of some site was interrupted, ok)."""
        return store.list_agencies(engine, dt.datetime.now(dt.UTC), stale_days)

    @app.get("/api/v1/agencies/{code}/audits", response_model=list[AuditMeta],
             tags=["province"], responses=ERRORS)
    def agency_audits(code: str, who: Annotated[Principal, Depends(admin)],
                      full: bool = False) -> list[dict[str, Any]]:
        """The latest audit of each of the agency's sites (documents with ``?full=true``)."""
        if not store.agency_exists(engine, code):
            raise ApiError(404, "not-found", f"no agency {code!r}")
        return store.latest_audits(engine, code, full)

    @app.get("/api/v1/audits/{audit_id}", response_model=AuditMeta, tags=["province"],
             responses=ERRORS)
    def get_audit(audit_id: str, who: Annotated[Principal, Depends(admin)]) -> dict[str, Any]:
        """One stored audit, with its document."""
        found = store.audit(engine, audit_id)
        if found is None:
            raise ApiError(404, "not-found", f"no audit {audit_id!r}")
        return found

    @app.get("/api/v1/aggregates", response_model=list[AgencyAggregate], tags=["province"],
             responses=ERRORS)
    def aggregates(who: Annotated[Principal, Depends(admin)]) -> list[dict[str, Any]]:
        """Per agency, over the latest audit of each site: devices, devices that answered,
        Ethernet ports, findings by severity, IPv6 phase per site."""
        return store.aggregates(engine)

    @app.get("/api/v1/report", tags=["province"],
             responses={**ERRORS, 503: {"model": ErrorBody}}, response_class=Response)
    def province_report(who: Annotated[Principal, Depends(admin)],
                        fmt: Annotated[Literal["md", "html", "docx", "xlsx"],
                                       Query(alias="format")] = "md",
                        year: int | None = None) -> Response:
        """The province report over the latest audit of every site: per agency and site,
        devices, ports, findings by severity, IPv6 readiness, devices past support, proposal
        totals per year (md, html, docx or xlsx)."""
        return province_response(engine, catalog, fmt, year, frame)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            spec = get_openapi(title=app.title, version=app.version, description=app.description,
                               routes=app.routes)
            audit = AuditDocument.model_json_schema(
                ref_template="#/components/schemas/{model}", mode="validation")
            schemas = spec.setdefault("components", {}).setdefault("schemas", {})
            for name, schema in audit.pop("$defs", {}).items():
                schemas.setdefault(name, schema)
            schemas["AuditDocument"] = audit
            app.openapi_schema = spec
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    add_dashboard(app, engine, stale_days, catalog, frame)
    return app
