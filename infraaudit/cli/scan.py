"""``infraaudit scan``, ``findings`` and ``schema``: one site's audit, its findings, its schema.

Exit codes of ``scan``: 0 all good, 1 some device failed (or the scan itself failed: a partial
audit is still written), 2 bad input, 3 the audit could not be written, 130 interrupted (a
partial audit is still written)."""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Annotated

import typer

from infraaudit.cli.console import fail, note, warning
from infraaudit.probes.snmp import Backend

if TYPE_CHECKING:  # the scan itself is imported when a command runs, not for --help
    from infraaudit.findings import FirmwareCatalog
    from infraaudit.inventory import LoadedInventory
    from infraaudit.models import AuditDocument, Device

EXIT_OK, EXIT_FAILURES, EXIT_BAD_INPUT, EXIT_NOT_WRITTEN, EXIT_INTERRUPTED = 0, 1, 2, 3, 130

class _Sigterm:
    """SIGTERM during ``scan``: never raised at whatever line the program is on (a signal that
    lands as the event loop starts would leave its task half made: "Task was destroyed but it
    is pending!"). Before and after the loop runs it is only noted (``note``); while the loop
    runs, the loop's own handler cancels the scan task, which ends the way Ctrl-C does."""

    def __init__(self, came: bool) -> None:
        self.came = came

    def note(self, signum: int, frame: FrameType | None) -> None:
        self.came = True

    async def run(self, scan: Awaitable[None]) -> bool:
        """Await ``scan`` unless a SIGTERM came (before or while); whether one came."""
        import asyncio
        import inspect

        loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        assert task is not None

        def cancel() -> None:
            self.came = True
            task.cancel()

        loop.add_signal_handler(signal.SIGTERM, cancel)
        try:
            if not self.came:
                await scan
        except asyncio.CancelledError:
            if not self.came:
                raise
        finally:
            if inspect.iscoroutine(scan):
                scan.close()  # never started when the signal came first: no "never awaited"
            # the loop's handler goes; ``note`` comes back with no gap a SIGTERM could kill in
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
            try:
                loop.remove_signal_handler(signal.SIGTERM)
                signal.signal(signal.SIGTERM, self.note)
            finally:
                signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
        return self.came


def _inputs(inventory: Path, env_file: Path | None, allow_inline_secrets: bool,
            firmware_catalog: Path | None, output: Path) -> tuple[LoadedInventory,
                                                                FirmwareCatalog | None]:
    """The inventory and catalog read, the output checked (exit 2 or 3 when they are not)."""
    from infraaudit.errors import InfraAuditError, InventoryError
    from infraaudit.findings import load_firmware_catalog
    from infraaudit.inventory import load_inventory, read_env_file
    from infraaudit.util.output import check_output

    try:
        env = read_env_file(env_file) if env_file else {}
        env.update(os.environ)
        loaded = load_inventory(inventory, env=env, allow_inline_secrets=allow_inline_secrets)
        catalog = load_firmware_catalog(firmware_catalog) if firmware_catalog else None
    except InventoryError as exc:
        raise fail(exc, EXIT_BAD_INPUT) from None
    try:
        check_output(output)  # before the scan, not after minutes of it
    except InfraAuditError as exc:
        raise fail(exc, EXIT_NOT_WRITTEN) from None
    return loaded, catalog


def _progress(site: str, total: int, quiet: bool) -> tuple[
        AbstractContextManager[object], Callable[[Device], None], Callable[[str], None]]:
    """The progress bar on stderr and the scanner's two callbacks that print on it (quiet:
    none of them, and rich's progress module is not loaded)."""
    if quiet:
        return nullcontext(), lambda _: None, lambda _: None
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )
    from rich.text import Text

    from infraaudit.cli.console import err

    progress = Progress(  # the site's name is text, not markup
        TextColumn("scan {task.description}", markup=False), BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), console=err, transient=False,
    )
    task = progress.add_task(site, total=total)

    def on_device(device: Device) -> None:
        progress.advance(task)
        state = "ok" if device.fully_probed else ("partial" if device.reachable else "no answer")
        progress.console.print(Text(f"{device.host}:{device.port} {device.name or ''} — {state}"))

    def on_phase(message: str) -> None:
        progress.console.print(Text(message, style="bold"))

    return progress, on_device, on_phase


def scan(
    inventory: Annotated[Path, typer.Argument(help="Site inventory YAML.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Where to write the audit JSON.")]
    = Path("audit.json"),
    env_file: Annotated[Path | None, typer.Option(
        help="KEY=VALUE file with the secrets the inventory references (${VAR}); the process "
             "environment wins over it.")] = None,
    backend: Annotated[Backend, typer.Option(
        help="SNMP client: gufo (fast, default) or pysnmp (pure-Python reference).")]
    = Backend.GUFO,
    fallback: Annotated[bool, typer.Option(
        help="Rescan with pysnmp a device whose replies gufo cannot decode.")] = True,
    allow_inline_secrets: Annotated[bool, typer.Option(
        help="Accept communities/passwords written in the inventory itself (not recommended).")]
    = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar or table.")]
    = False,
    firmware_catalog: Annotated[Path | None, typer.Option(
        help="YAML list of firmware trains past their end of support, each with its source "
             "(see inventories/firmware_catalog.yaml); devices that match get a finding.")]
    = None,
) -> None:
    """Scan every device of a site inventory and write one audit JSON file."""
    import asyncio

    from infraaudit.cli import signals
    from infraaudit.errors import InfraAuditError
    from infraaudit.scan import Scanner, ScanOptions
    from infraaudit.util.output import write_atomic

    loaded, catalog = _inputs(inventory, env_file, allow_inline_secrets, firmware_catalog,
                              output)
    progress, on_device, on_phase = _progress(loaded.inventory.site.name,
                                              len(loaded.inventory.devices), quiet)
    options = ScanOptions(backend=backend, fallback=fallback, firmware_catalog=catalog)
    scanner = Scanner(loaded, options, on_device, on_phase)
    interrupted = crashed = False
    previous = signal.getsignal(signal.SIGTERM)
    # a SIGTERM while the program started (signals.held): nothing scanned, all devices skipped
    sigterm = _Sigterm(came=signals.held())
    try:
        signal.signal(signal.SIGTERM, sigterm.note)
        with progress:
            if asyncio.run(sigterm.run(scanner.run())):
                raise KeyboardInterrupt
    except KeyboardInterrupt:
        interrupted = True
        note("interrupted: writing a partial audit (complete: false)", "yellow")
    except Exception as exc:  # keep what was measured even if the scan itself broke
        crashed = True
        logging.getLogger(__name__).exception("scan failed")
        note(f"scan failed ({exc!r}): writing a partial audit (complete: false)", "red")
    finally:
        signal.signal(signal.SIGTERM, previous)
    interrupted = interrupted or sigterm.came  # also one that came as the loop closed
    doc = scanner.document(complete=not (interrupted or crashed))
    try:
        write_atomic(output, doc.model_dump_json(indent=2) + "\n")
    except InfraAuditError as exc:
        raise fail(exc, EXIT_NOT_WRITTEN) from None
    _print_summary(doc, output, quiet)
    if interrupted:
        raise typer.Exit(EXIT_INTERRUPTED)
    all_good = not crashed and doc.coverage.fully_probed == doc.coverage.targets
    raise typer.Exit(EXIT_OK if all_good else EXIT_FAILURES)


def _print_summary(doc: AuditDocument, output: Path, quiet: bool) -> None:
    if not quiet:  # the rules load only to be printed
        from infraaudit.cli.console import out
        from infraaudit.cli.tables import findings_table, summary_table
        from infraaudit.findings import findings as find

        out.print(summary_table(doc))
        found = find(doc)
        if found:
            out.print(findings_table(found))
    for line in not_audited_hints(doc):
        warning(line)
    note(f"audit written to {output} ({doc.coverage.fully_probed}/{doc.coverage.targets} "
         "devices fully probed)")


def not_audited_hints(doc: AuditDocument) -> list[str]:
    """One line per device the scan could not audit: what answered, the likely cause and what
    to check, naming the credential profile (a name, never a secret)."""
    from infraaudit.findings import diagnose

    pings = {p.target: p for p in (doc.link.pings if doc.link else [])}
    lines = []
    for d in doc.devices:
        if d.reachable:
            continue
        where = f"{d.host}:{d.port}" + (f" ({d.name})" if d.name else "")
        ping = pings.get(d.host)
        diagnosis = diagnose(d, ping)
        if diagnosis is None:
            pinged = ("no ping answer either" if ping is not None and ping.loss_pct is not None
                      else "ping not measured")
            lines.append(f"{where} — no answer at all ({pinged}): check that the device is on, "
                         "cabled and at this address")
            continue
        profile = d.ssh_profile if diagnosis.cause == "ssh-login" or (
            diagnosis.probe or "").startswith("ssh") else d.snmp_profile
        of = f" (profile {profile})" if profile else ""
        lines.append(f"{where} — not audited: {diagnosis.detail}; {diagnosis.check}{of}")
    return lines


def findings(
    audit: Annotated[Path, typer.Argument(help="Audit JSON written by `infraaudit scan`.")],
    thresholds: Annotated[Path | None, typer.Option(
        help="YAML overriding thresholds of infraaudit/findings/data/thresholds.yaml, section by "
             "section."
    )] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the findings as JSON.")] = False,
) -> None:
    """List the problems an audit's measurements show, each with its evidence.

    Exit 0 with no finding, 1 with findings, 2 when the audit or thresholds cannot be read."""
    from infraaudit.cli.console import out
    from infraaudit.cli.tables import findings_table
    from infraaudit.errors import AuditFormatError, InfraAuditError
    from infraaudit.findings import findings as find
    from infraaudit.findings import load_thresholds
    from infraaudit.models.migrate import MAX_AUDIT_BYTES, load_audit
    from infraaudit.util.yamlfile import read_text

    try:
        try:
            doc = load_audit(read_text(audit, "audit", MAX_AUDIT_BYTES))
        except AuditFormatError as exc:
            raise AuditFormatError(f"{audit}: {exc}") from None
        found = find(doc, load_thresholds(thresholds))
    except (InfraAuditError, ValueError, KeyError) as exc:
        raise fail(exc, EXIT_BAD_INPUT) from None
    if as_json:
        sys.stdout.write(json.dumps([f.model_dump(mode="json") for f in found], indent=2,
                                    ensure_ascii=False) + "\n")
    else:
        out.print(findings_table(found))
    raise typer.Exit(EXIT_FAILURES if found else EXIT_OK)


def audit_json_schema() -> dict[str, object]:
    from infraaudit.models import AuditDocument

    return AuditDocument.model_json_schema(mode="serialization")


def schema() -> None:
    """Print the JSON Schema of the audit document."""
    sys.stdout.write(json.dumps(audit_json_schema(), indent=2, ensure_ascii=False) + "\n")
