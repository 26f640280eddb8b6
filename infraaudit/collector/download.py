"""The province report over the latest audit of every site, as a download (API and dashboard)."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from fastapi import Response
from sqlalchemy.engine import Engine

from infraaudit.collector import store
from infraaudit.errors import ApiError
from infraaudit.proposal import Catalog
from infraaudit.report import (
    ReportOptions,
    build_province,
    frame_meta,
    render_province_docx,
    render_province_html,
    render_province_markdown,
    write_province_xlsx,
)

MEDIA = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def province_response(engine: Engine, catalog: Catalog | None, fmt: str,
                       year: int | None, frame: ReportOptions | None = None) -> Response:
    """The province report over the latest audit of every site, as a download."""
    if catalog is None:
        raise ApiError(503, "no-catalog",
                       "the collector was started without --catalog (unit prices)")
    today = dt.date.today()
    report = build_province(store.latest_documents(engine), catalog, year or today.year, today)
    if frame is not None:
        report.frame = frame_meta(frame, report.year, today)
    name = f"tong-hop-ha-tang-so-{report.year}.{fmt}"
    if fmt == "md":
        return Response(render_province_markdown(report),
                        media_type="text/markdown; charset=utf-8")
    if fmt == "html":
        return Response(render_province_html(report),
                        media_type="text/html; charset=utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        if fmt == "docx":
            render_province_docx(report, path)
        else:
            write_province_xlsx(report, path)
        data = path.read_bytes()
    return Response(data, media_type=MEDIA[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
