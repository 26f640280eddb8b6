"""``infraaudit province-report``: the agencies' latest audits compared, for the province."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from infraaudit.cli.console import fail, note, warning
from infraaudit.util.clock import vn_today

if TYPE_CHECKING:  # imported when the command runs, not for --help
    from infraaudit.models import AuditDocument

EXIT_OK, EXIT_BAD_INPUT, EXIT_NOT_WRITTEN = 0, 2, 3


class Format(StrEnum):
    MD = "md"
    HTML = "html"
    DOCX = "docx"
    XLSX = "xlsx"


def read_audits(paths: list[Path]) -> tuple[list[AuditDocument], list[str]]:
    """Audits from files and folders (``*.json`` inside); (audits, problems of the others)."""
    from infraaudit.errors import AuditFormatError, InventoryError
    from infraaudit.models.migrate import MAX_AUDIT_BYTES, load_audit
    from infraaudit.util.yamlfile import read_text

    files: list[Path] = []
    problems: list[str] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.rglob("*.json") if p.is_file())
        elif path.is_file():
            files.append(path)
        else:
            problems.append(f"{path}: no such file or folder")
    audits = []
    for file in files:
        try:
            audits.append(load_audit(read_text(file, "audit", MAX_AUDIT_BYTES)))
        except (InventoryError, AuditFormatError) as exc:
            problems.append(f"{file}: {exc}")
    return audits, problems


def province_report(
    audits: Annotated[list[Path], typer.Argument(
        help="Audit JSON files, or folders searched for *.json.")],
    year: Annotated[int, typer.Option(help="The year reported on.")] = vn_today().year,
    fmt: Annotated[list[Format] | None, typer.Option(
        "--format", help="md, html, docx or xlsx (repeatable; default all four).")] = None,
    output_dir: Annotated[Path, typer.Option(help="Where the files are written.")] = Path("."),
    catalog: Annotated[Path, typer.Option(
        help="Unit prices for the 2026–2030 proposal.")] = Path("inventories/catalog.yaml"),
    date: Annotated[str | None, typer.Option(
        help="Date printed on the report, YYYY-MM-DD (default: today).")] = None,
    thresholds: Annotated[Path | None, typer.Option(
        help="YAML overriding infraaudit/findings/data/thresholds.yaml.")] = None,
    strict: Annotated[bool, typer.Option(
        help="Refuse to write anything when a file is not a readable audit.")] = False,
    frame: Annotated[Path | None, typer.Option(
        help="Official frame of the report (YAML with the keys of an agency file's 'report' "
             "section: parent_org, agency_name, number, place, title, addressee, recipients, "
             "signer_title, signer_name; e.g. inventories/province.yaml): masthead, number, "
             "Kính gửi and signature. Without it: a plain summary.")] = None,
) -> None:
    """Compare the agencies from their sites' newest audits: devices, ports, findings by
    severity, IPv6 readiness, devices past their lifetime and the proposal cost per year; per
    agency, per site and for the province.

    Exit codes: 0 written, 2 bad input (no readable audit, bad catalog; with --strict any
    unreadable file), 3 a file could not be written. Unreadable files are named on stderr."""
    from infraaudit.errors import InfraAuditError
    from infraaudit.findings import load_thresholds
    from infraaudit.proposal import load_catalog
    from infraaudit.report import (
        build_province,
        frame_meta,
        load_frame,
        province_words,
        render_province_docx,
        render_province_html,
        render_province_markdown,
        write_province_xlsx,
    )
    from infraaudit.util.output import write_documents

    try:
        when = dt.date.fromisoformat(date) if date else vn_today()
        prices = load_catalog(catalog)
        limits = load_thresholds(thresholds)
        docs, problems = read_audits(audits)
        for problem in problems:
            warning(problem, label="skipped:")
        if problems and strict:
            raise InfraAuditError(f"{len(problems)} file(s) not read (--strict)")
        if not docs:
            raise InfraAuditError("no readable audit among the files given")
        model = build_province(docs, prices, year, when, limits)
        if frame is not None:
            model.frame = frame_meta(load_frame(frame), year, when)
    except (InfraAuditError, ValueError, OSError) as exc:
        raise fail(exc, EXIT_BAD_INPUT) from None
    stem = output_dir / f"{province_words()['document']['file_stem']}-{year}"
    try:
        write_documents(
            stem, [kind.value for kind in fmt or list(Format)],
            text={"md": lambda: render_province_markdown(model),
                  "html": lambda: render_province_html(model)},
            files={"docx": lambda path: render_province_docx(model, path),
                   "xlsx": lambda path: write_province_xlsx(model, path)},
            done=lambda target: note(f"written {target}"))
    except (OSError, InfraAuditError) as exc:
        raise fail(exc, EXIT_NOT_WRITTEN) from None
    total = f"{model.totals.proposal_vnd:,}".replace(",", ".")
    note(f"{len(model.agencies)} agencies, {len(model.sites)} sites, "
         f"{model.totals.findings.total} findings, {model.totals.tasks} tasks, "
         f"total {total} VND")
