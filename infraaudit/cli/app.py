"""The ``infraaudit`` command line: the app, its global options, and its commands in the order
``--help`` lists them (each command group is a module of this package).

A command module holds the command's signature and help, which typer reads to build every
``--help``, and imports what the command does inside its body: ``infraaudit X`` loads only
X's code, and scapy, FastAPI or SQLAlchemy only when a command uses them (start-up measured by
``tests/bench/bench_startup.py``, kept by ``tests/unit/cli/test_startup_imports.py``)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer

from infraaudit.cli import find as cli_find
from infraaudit.cli import health as cli_health
from infraaudit.cli import province as cli_province
from infraaudit.cli import report as cli_report
from infraaudit.cli import scan as cli_scan
from infraaudit.cli import schedule as cli_schedule
from infraaudit.cli import submit as cli_submit
from infraaudit.cli.collector import collector_app, serve
from infraaudit.cli.console import err, fail
from infraaudit.cli.signals import settle
from infraaudit.errors import OutputError
from infraaudit.util.output import check_output

app = typer.Typer(
    help="Measure an agency's LAN (SNMP, SSH) and write the audit its reports rest on.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class _Terminal(logging.Handler):
    """rich's handler on stderr, made when the first record comes: most runs log nothing, and
    importing ``rich.logging`` costs every command ~13 ms and 2 MB at start-up."""

    def __init__(self, level: int) -> None:
        super().__init__(level)
        self._rich: logging.Handler | None = None

    def emit(self, record: logging.LogRecord) -> None:
        if self._rich is None:
            from rich.logging import RichHandler

            self._rich = RichHandler(console=err, show_path=False)
            self._rich.setFormatter(self.formatter)  # what basicConfig gave this handler
        self._rich.emit(record)


def _version(value: bool) -> None:
    if value:
        from infraaudit import __version__

        typer.echo(f"infraaudit {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log progress details.")] = False,
    log_file: Annotated[Path | None, typer.Option(
        "--log-file", help="Append the debug log (what libraries leave behind, each failed "
        "request) to this file; the terminal shows it only with -v.")] = None,
) -> None:
    settle(keep=ctx.invoked_subcommand == "scan")  # scan writes a partial audit on SIGTERM
    terminal = _Terminal(logging.INFO if verbose else logging.WARNING)
    handlers: list[logging.Handler] = [terminal]
    if log_file is not None:
        try:
            check_output(log_file)
            handlers.append(logging.FileHandler(log_file, encoding="utf-8"))
        except OutputError as exc:
            raise fail(f"log file: {exc}", 2) from None
        except OSError as exc:
            raise fail(f"log file: cannot write {log_file}: {exc.strerror}", 2) from None
        handlers[-1].setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: "
                                                    "%(message)s"))
    logging.basicConfig(
        level=logging.DEBUG if log_file else terminal.level, format="%(message)s",
        handlers=handlers,
    )
    # paramiko logs every failed handshake with a traceback; the audit records the failure.
    logging.getLogger("paramiko").setLevel(logging.INFO if verbose else logging.CRITICAL)


app.command()(cli_scan.scan)
app.command()(cli_scan.findings)
app.command()(cli_scan.schema)
app.command("find")(cli_find.find)
app.command("health")(cli_health.health)
app.command("history")(cli_health.history)
app.command("report")(cli_report.report)
app.command("submit")(cli_submit.submit)
app.command("province-report")(cli_province.province_report)
app.add_typer(cli_schedule.schedule_app, name="schedule")
app.add_typer(collector_app, name="collector")
app.command("serve")(serve)

if __name__ == "__main__":
    app()
