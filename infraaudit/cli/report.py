"""``infraaudit report``: the agency's "Hạ tầng số" section and 2026–2030 task list."""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from infraaudit.cli.console import fail, note, warning
from infraaudit.util.clock import vn_today

EXIT_OK, EXIT_BAD_INPUT, EXIT_NOT_WRITTEN = 0, 2, 3


class Format(StrEnum):
    MD = "md"
    HTML = "html"
    DOCX = "docx"


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower() or "agency"


def report(
    agency: Annotated[Path, typer.Argument(help="Agency file listing its site inventories.")],
    year: Annotated[int, typer.Option(help="The year reported on.")] = vn_today().year,
    fmt: Annotated[list[Format] | None, typer.Option(
        "--format", help="md, html or docx (repeatable; default all three).")] = None,
    output_dir: Annotated[Path, typer.Option(help="Where the files are written.")] = Path("."),
    audits: Annotated[Path | None, typer.Option(
        help="Folder of audit JSON files (default: the agency file's `audits`).")] = None,
    date: Annotated[str | None, typer.Option(
        help="Date printed on the report, YYYY-MM-DD (default: today).")] = None,
    thresholds: Annotated[Path | None, typer.Option(
        help="YAML overriding infraaudit/findings/data/thresholds.yaml.")] = None,
) -> None:
    """Write the report from the newest audit of each site: measured facts ("Kết quả đạt
    được"), findings with their evidence ("Tồn tại, hạn chế"), recommendations and the costed
    task list for 2026–2030 (prices from the agency's catalog)."""
    from infraaudit.errors import InfraAuditError
    from infraaudit.findings import load_thresholds
    from infraaudit.report import (
        build_report,
        latest_audits,
        load_agency,
        render_docx,
        render_html,
        render_markdown,
    )
    from infraaudit.util.output import write_documents

    try:
        config = load_agency(agency)
        when = dt.date.fromisoformat(date) if date else vn_today()
        found = latest_audits(audits or config.audits)
        model = build_report(config, year, when, audits=found,
                             thresholds=load_thresholds(thresholds))
    except (InfraAuditError, ValueError, OSError) as exc:
        raise fail(exc, EXIT_BAD_INPUT) from None
    stem = output_dir / f"{_slug(config.agency.code)}-ha-tang-so-{year}"
    try:
        write_documents(
            stem, [kind.value for kind in fmt or list(Format)],
            text={"md": lambda: render_markdown(model), "html": lambda: render_html(model)},
            files={"docx": lambda path: render_docx(model, path)},
            done=lambda target: note(f"written {target}"))
    except (OSError, InfraAuditError) as exc:
        raise fail(exc, EXIT_NOT_WRITTEN) from None
    if model.missing_sites:
        warning(f"no audit for: {', '.join(model.missing_sites)} (named in the report as not "
                "measured)")
    total = f"{model.proposal.total_vnd:,}".replace(",", ".")
    note(f"{len(model.sites)} sites, {len(model.findings)} findings, "
         f"{len(model.proposal.tasks)} tasks, total {total} VND")
