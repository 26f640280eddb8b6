"""``infraaudit schedule install|remove|status``: run ``infraaudit health`` every night.

Exit codes: 0 done (status: installed), 1 failed (status: not installed), 2 bad input.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from infraaudit.cli.console import error, warning
from infraaudit.errors import ScheduleError, ScheduleInputError
from infraaudit.health import PREFIX, Scheduler

if TYPE_CHECKING:  # the schedulers are imported when a command runs, not for --help
    from infraaudit.health import Cron, Outcome, ScheduleStatus, Systemd

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2

schedule_app = typer.Typer(
    help="Run the nightly `infraaudit health` check automatically: a systemd timer when systemd "
         "runs this machine, else a line in your crontab. Exit 0 done, 1 failed (status: not "
         "installed), 2 bad input.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

NameOption = Annotated[str | None, typer.Option(
    help="Schedule name: the units are infraaudit-health-NAME.service/.timer, the crontab line "
         "is tagged '# infraaudit-health-NAME'. install: default the inventory's site.id; "
         "remove/status: default every schedule installed.")]
ScopeOption = Annotated[bool | None, typer.Option(
    "--user/--system",
    help="systemd only: user units (~/.config/systemd/user, run as you) or system units "
         "(/etc/systemd/system, run as root). Default: --system as root, else --user.")]
UnitDirOption = Annotated[Path | None, typer.Option(
    help="Write the units into this directory instead (implies systemd; systemctl is not called "
         "unless it is the standard directory). For tests and packaging.")]
CrontabOption = Annotated[Path | None, typer.Option(
    envvar="INFRAAUDIT_CRONTAB",
    help="The crontab program to use (implies cron); it is run as `PROGRAM -l` and "
         "`PROGRAM -`. Default: crontab.")]
SchedulerOption = Annotated[Scheduler, typer.Option(
    help="auto: systemd when it runs this machine (/run/systemd/system exists), else cron.")]


@contextmanager
def _errors() -> Iterator[None]:
    try:
        yield
    except ScheduleInputError as exc:
        error(exc)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    except ScheduleError as exc:
        error(exc)
        raise typer.Exit(EXIT_FAILED) from None


def _report(outcome: Outcome) -> None:
    for message in outcome.warnings:
        warning(message, label="warning:")
    for message in outcome.messages:
        typer.echo(message)


@schedule_app.command()
def install(
    inventory: Annotated[Path, typer.Argument(help="Site inventory YAML of the health check.")],
    at: Annotated[str, typer.Option(
        help="Time of day, HH:MM on the 24-hour clock, local time of this machine.")],
    random_delay: Annotated[str, typer.Option(
        help="Start up to this much later (30m, 1h, 90s; 0: exactly at --at). systemd draws it "
             "every night (RandomizedDelaySec=); cron cannot, so a fixed offset of whole minutes "
             "within the window is drawn once, from the host and schedule names.")] = "0",
    env_file: Annotated[Path | None, typer.Option(
        help="KEY=VALUE file with the inventory's secrets. systemd reads it (EnvironmentFile=: "
             "no 'export' lines); cron passes it as --env-file. Secrets never go on a command "
             "line.")] = None,
    db: Annotated[Path | None, typer.Option(
        help="History database passed to `infraaudit health --db` (default: health's own).")]
    = None,
    timeout: Annotated[str, typer.Option(
        help="Stop a run that takes longer (TimeoutStartSec=; `timeout` under cron).")] = "1h",
    user: ScopeOption = None,
    name: NameOption = None,
    unit_dir: UnitDirOption = None,
    crontab: CrontabOption = None,
    scheduler: SchedulerOption = Scheduler.AUTO,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Print what would be written (units are still verified); change "
                          "nothing.")] = False,
) -> None:
    """Schedule `infraaudit health INVENTORY` every day at --at.

    With systemd: writes infraaudit-health-NAME.service and .timer (absolute paths, idle CPU and
    IO priority, a start timeout, Persistent=true to catch up a run missed while the machine was
    off), checks them with `systemd-analyze verify`, then `systemctl daemon-reload` and
    `systemctl enable --now` the timer. Without systemd: one line in your crontab, every other
    line kept. Installing again replaces the schedule of the same name."""
    from infraaudit.health import backend, make_job

    with _errors():
        job = make_job(inventory, at, random_delay=random_delay, timeout=timeout,
                       env_file=env_file, db=db, name=name)
        chosen = backend(scheduler, user=user, unit_dir=unit_dir, crontab=crontab)
        outcome = chosen.install(job, dry_run=dry_run)
    _report(outcome)
    for where, text in outcome.preview.items():
        typer.echo(f"--- {where} (dry run: not written)")
        typer.echo(text, nl=False)
    raise typer.Exit(EXIT_OK)


def _names(chosen: Systemd | Cron, name: str | None) -> list[str]:
    from infraaudit.health import check_name

    return [check_name(name)] if name else chosen.installed()


def _where(chosen: Systemd | Cron) -> str:
    from infraaudit.health import Systemd

    return str(chosen.unit_dir) if isinstance(chosen, Systemd) else f"the {chosen.location}"


@schedule_app.command()
def remove(
    name: NameOption = None,
    user: ScopeOption = None,
    unit_dir: UnitDirOption = None,
    crontab: CrontabOption = None,
    scheduler: SchedulerOption = Scheduler.AUTO,
) -> None:
    """Stop and delete a schedule (nothing installed is not an error).

    systemd: disable and stop the timer, delete both units, daemon-reload. cron: delete our
    line only. Exit 0 when removed or when there was nothing to remove."""
    from infraaudit.health import backend

    with _errors():
        chosen = backend(scheduler, user=user, unit_dir=unit_dir, crontab=crontab)
        names = _names(chosen, name)
        if not names:
            typer.echo(f"no {PREFIX}* schedule in {_where(chosen)}: nothing to remove")
            raise typer.Exit(EXIT_OK)
        if len(names) > 1:
            raise ScheduleInputError(f"several schedules in {_where(chosen)}: "
                                     f"{', '.join(names)}; pass --name")
        outcome = chosen.remove(names[0])
    _report(outcome)
    raise typer.Exit(EXIT_OK)


def _print_status(status: ScheduleStatus) -> None:
    state = "installed" if status.installed else "not installed"
    typer.echo(f"{PREFIX}{status.name} ({status.scheduler}, {status.location}): {state}")
    source = f" ({status.next_run_source})" if status.next_run_source else ""
    rows = [("schedule", status.schedule), ("enabled", status.enabled),
            ("next run", f"{status.next_run}{source}" if status.next_run else None),
            ("last run", status.last_run), ("last result", status.last_result),
            ("last stored run", status.last_stored_run), ("inventory", status.inventory)]
    for label, value in rows:
        if value:
            typer.echo(f"  {label + ':':17}{value}")
    for path in status.files:
        typer.echo(f"  {'file:' if status.scheduler == 'systemd' else 'line:':17}{path}")
    for note in status.notes:
        typer.echo(f"  {'note:':17}{note}")


@schedule_app.command()
def status(
    name: NameOption = None,
    user: ScopeOption = None,
    unit_dir: UnitDirOption = None,
    crontab: CrontabOption = None,
    scheduler: SchedulerOption = Scheduler.AUTO,
    as_json: Annotated[bool, typer.Option("--json", help="Print the status as JSON.")] = False,
) -> None:
    """Show what is installed where, the next run and the last result.

    The next run comes from systemd when it manages the timer, else it is computed from the
    schedule; the last result is systemd's (exit status of the last run) and the last run stored
    in the history database. Exit 0 installed, 1 not installed."""
    from infraaudit.health import backend

    with _errors():
        chosen = backend(scheduler, user=user, unit_dir=unit_dir, crontab=crontab)
        names = _names(chosen, name)
        statuses = [chosen.status(n) for n in names]
    if as_json:
        sys.stdout.write(json.dumps([s.model_dump(mode="json") for s in statuses], indent=2,
                                    ensure_ascii=False) + "\n")
    elif not statuses:
        typer.echo(f"no {PREFIX}* schedule in {_where(chosen)}")
    for one in statuses if not as_json else []:
        _print_status(one)
    installed = bool(statuses) and all(s.installed for s in statuses)
    raise typer.Exit(EXIT_OK if installed else EXIT_FAILED)
