"""``infraaudit serve`` (the province collector) and ``infraaudit collector add-agency|add-admin|
revoke``: who may submit and read.

Exit codes: 0 done, 1 nothing to do (revoke found no live token), 2 bad input or the database
cannot be opened.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from infraaudit.cli.console import fail, note
from infraaudit.errors import InfraAuditError

# The collector's modules (SQLAlchemy, FastAPI) are imported by the commands that use them, so
# that every other `infraaudit` command starts without them.

EXIT_OK, EXIT_NOTHING, EXIT_BAD_INPUT = 0, 1, 2

collector_app = typer.Typer(
    help="Manage the province collector's agencies and tokens (the service itself: "
         "`infraaudit serve`).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

DbOption = Annotated[str | None, typer.Option(
    "--db", envvar="INFRAAUDIT_COLLECTOR_DB",
    help="SQLite file path or URL (sqlite:///path, postgresql+psycopg://user@host/db). "
         "Default: $XDG_DATA_HOME/infraaudit/collector.sqlite.")]


def _fail(exc: Exception) -> typer.Exit:
    return fail(exc, EXIT_BAD_INPUT)


def _show_token(token: str, what: str) -> None:
    note(f"{what}: the token is printed once on standard output; keep it secret, it is "
         "not stored here (only its hash is)")
    typer.echo(token)


@collector_app.command("add-agency")
def add_agency(
    code: Annotated[str, typer.Argument(help="Agency code, as in its audits' agency.code.")],
    name: Annotated[str, typer.Argument(help="Agency name.")],
    db: DbOption = None,
) -> None:
    """Register an agency (or give an existing one another token) and print its new token."""
    from infraaudit.collector import add_agency, open_db

    try:
        engine = open_db(db)
        try:
            token, created = add_agency(engine, code, name)
        finally:
            engine.dispose()
    except InfraAuditError as exc:
        raise _fail(exc) from None
    _show_token(token, f"agency {code} {'registered' if created else 'has a new token'}")


@collector_app.command("add-admin")
def add_admin(db: DbOption = None) -> None:
    """Make an admin token (it reads every agency's audits; it cannot submit)."""
    from infraaudit.collector import add_admin, open_db

    try:
        engine = open_db(db)
        try:
            token = add_admin(engine)
        finally:
            engine.dispose()
    except InfraAuditError as exc:
        raise _fail(exc) from None
    _show_token(token, "admin token made")


@collector_app.command()
def revoke(
    code: Annotated[str | None, typer.Argument(
        help="Agency code: revoke all its live tokens (with --token: only that one).")] = None,
    token: Annotated[str | None, typer.Option(
        "--token", help="Revoke only the token starting with these characters (at least 4; "
                        "admin tokens are revoked this way).")] = None,
    db: DbOption = None,
) -> None:
    """Revoke tokens: all of an agency's, or one by its first characters."""
    from infraaudit.collector import open_db, revoke

    try:
        engine = open_db(db)
        try:
            count = revoke(engine, code, token)
        finally:
            engine.dispose()
    except InfraAuditError as exc:
        raise _fail(exc) from None
    note(f"revoked {count} token{'s' if count != 1 else ''}")
    raise typer.Exit(EXIT_OK if count else EXIT_NOTHING)


def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8080,
    max_body_mb: Annotated[float, typer.Option(
        help="Largest accepted audit, in MiB (larger bodies get 413 before parsing).")] = 20.0,
    stale_days: Annotated[int, typer.Option(
        help="An agency with no submission for this many days is listed as stale.")] = 400,
    catalog: Annotated[Path | None, typer.Option(
        help="Unit-price catalog (e.g. inventories/catalog.yaml): enables GET /api/v1/report, "
             "the province report with the proposal totals.")] = None,
    frame: Annotated[Path | None, typer.Option(
        help="Official frame of the province report (e.g. inventories/province.yaml: "
             "masthead, number, Kính gửi, signature).")] = None,
) -> None:
    """Run the province collector: agencies submit audits, the province reads them
    (API under /api/v1, OpenAPI at /openapi.json)."""
    import uvicorn

    from infraaudit.collector import MB, create_app, open_db, refresh_summaries
    from infraaudit.proposal import load_catalog
    from infraaudit.report import load_frame

    try:
        prices = load_catalog(catalog) if catalog is not None else None
        report_frame = load_frame(frame) if frame is not None else None
        engine = open_db(db)
    except InfraAuditError as exc:
        raise _fail(exc) from None
    try:
        # summaries computed by an earlier infraaudit's rules: rewritten once, before serving
        refreshed = refresh_summaries(engine)
        if refreshed:
            note(f"recomputed {refreshed} audit summaries (the finding rules changed)")
        app = create_app(engine, max_body_bytes=int(max_body_mb * MB), stale_days=stale_days,
                         catalog=prices, frame=report_frame)
        uvicorn.run(app, host=host, port=port, log_level="info", server_header=False)
    finally:
        engine.dispose()
