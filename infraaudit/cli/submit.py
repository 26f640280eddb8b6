"""``infraaudit submit``: send audits to the province collector (outbox when it is down)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.text import Text

from infraaudit.cli.console import err, fail, note
from infraaudit.collector import DEFAULT_ATTEMPTS, DEFAULT_BACKOFF_S, DEFAULT_TIMEOUT_S

if TYPE_CHECKING:  # imported when the command runs, not for --help
    from infraaudit.collector import Result

EXIT_SENT, EXIT_QUEUED, EXIT_REFUSED = 0, 1, 2
DEFAULT_TOKEN_ENV = "INFRAAUDIT_SUBMIT_TOKEN"
_LABEL = {"STORED": ("stored", "green"),  # by the name of the collector's Outcome
          "ALREADY": ("already stored", "green"),
          "QUEUED": ("queued in the outbox", "yellow"),
          "REFUSED": ("refused", "red")}


def _show(result: Result, origin: str) -> None:
    detail = "" if result.delivered and result.attempts <= 1 else f": {result.message}"
    if result.delivered and result.attempts > 1:
        detail = f" (attempt {result.attempts})"
    err.print(Text.assemble(f"{origin} {result.audit_id}: ", _LABEL[result.outcome.name],
                            detail))


def submit(
    to: Annotated[str, typer.Option(
        "--to", help="Collector base URL, e.g. https://thu-thap.example.gov.vn")],
    audit: Annotated[Path | None, typer.Argument(
        help="Audit JSON written by `infraaudit scan` (omit to send only the outbox).")] = None,
    token_env: Annotated[str, typer.Option(
        help="Environment variable holding the agency's submit token.")] = DEFAULT_TOKEN_ENV,
    outbox: Annotated[Path | None, typer.Option(
        help="Folder of audits waiting to be sent (default "
             "$XDG_DATA_HOME/infraaudit/outbox).")] = None,
    attempts: Annotated[int, typer.Option(
        min=1, help="Attempts per audit on connection errors and HTTP 5xx.")] = DEFAULT_ATTEMPTS,
    backoff: Annotated[float, typer.Option(
        min=0.0, help="Wait after the first failed attempt, in seconds; doubled after each "
                      "further one (1, 2, 4 s by default).")] = DEFAULT_BACKOFF_S,
    timeout: Annotated[float, typer.Option(
        min=0.1, help="Seconds to wait for the collector's answer.")] = DEFAULT_TIMEOUT_S,
) -> None:
    """Send an audit to the province collector (POST URL/api/v1/audits), after whatever waits
    in the outbox (oldest first). The audit is checked locally first. Re-sending the same audit
    is harmless: the collector answers "already stored". Redirects are not followed.

    When the collector cannot be reached (connection errors, HTTP 5xx after every attempt) the
    audit is kept in the outbox and sent by the next run. A file leaves the outbox only once the
    collector has stored it; one it refuses for its content (409, 413, 422) is moved to
    refused/ beside the outbox with the reason.

    Exit codes: 0 sent (or already stored), 1 queued in the outbox (collector unreachable),
    2 bad input (unreadable audit, missing token, bad URL) or refused by the collector (4xx).
    """
    from infraaudit.collector import Outcome, Submitter, default_outbox, read_audit
    from infraaudit.errors import InfraAuditError, SubmitError

    token = os.environ.get(token_env, "").strip()
    try:
        if not token:
            raise SubmitError(f"no token: set the environment variable {token_env} to the "
                              "agency's submit token")
        loaded = read_audit(audit) if audit is not None else None
        submitter = Submitter(url=to, token=token, outbox=outbox or default_outbox(),
                              attempts=attempts, backoff_s=backoff, timeout_s=timeout)
    except SubmitError as exc:
        raise fail(exc, EXIT_REFUSED) from None
    results: list[Result] = []
    try:
        for result in submitter.drain():
            _show(result, "outbox")
            results.append(result)
        if loaded is not None:
            result = submitter.submit(loaded[0])
            _show(result, str(audit))
            results.append(result)
    except InfraAuditError as exc:  # the outbox cannot be written
        raise fail(exc, EXIT_REFUSED) from None
    waiting = len(submitter.queued())
    if waiting:
        note(f"{waiting} audit(s) wait in {submitter.outbox}")
    if any(r.outcome is Outcome.REFUSED for r in results):
        raise typer.Exit(EXIT_REFUSED)
    if waiting or any(r.outcome is Outcome.QUEUED for r in results):
        raise typer.Exit(EXIT_QUEUED)
    raise typer.Exit(EXIT_SENT)
