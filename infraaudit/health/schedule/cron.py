"""A crontab line for the nightly health check, where systemd does not run.

Without systemd, ``install`` keeps one line in the user's crontab, tagged
``# infraaudit-health-<name>``::

    47 2 * * * /usr/bin/nice -n 10 ... /srv/.venv/bin/infraaudit health ... # infraaudit-health-hv

cron has no random delay: the delay window (``--random-delay``) becomes a *fixed* offset of whole
minutes, drawn at install time from a hash of the host name and the schedule name. It is
pseudo-random (sites and hosts are spread over the window) but stable: installing again gives the
same minute, so the crontab does not change. Every other line of the crontab is kept byte for byte.

The rendering functions are pure (no I/O); :class:`Cron` does the installing.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import shlex
import shutil
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import psutil

from infraaudit.errors import ScheduleError, ScheduleInputError
from infraaudit.health.schedule.common import (
    Outcome,
    ScheduleStatus,
    command_output,
    current_user,
    format_next,
    last_health_run,
    next_run,
    run_command,
)
from infraaudit.health.schedule.job import PREFIX, HealthJob, TimeOfDay, format_timespan, read_site

_CRON_TAG = re.compile(r"(?:^|\s)#\s*" + re.escape(PREFIX) + r"([A-Za-z0-9][A-Za-z0-9_.-]*)\s*$")


def cron_offset(name: str, random_delay_s: int, seed: str) -> int:
    """The fixed delay in whole minutes, 0 to the window, that stands in for a random delay:
    a hash of ``seed`` (the host name) and the schedule name, stable across installs."""
    window = random_delay_s // 60
    if window <= 0:
        return 0
    digest = hashlib.sha256(f"{seed}\0{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % (window + 1)


def cron_quote(arg: str) -> str:
    """A shell word for /bin/sh, with cron's ``%`` (a newline unless escaped) escaped."""
    return shlex.quote(arg).replace("%", "\\%")


def cron_wrappers(timeout_s: int, which: Callable[[str], str | None] = shutil.which) -> list[str]:
    """``nice``/``ionice``/``timeout`` with absolute paths, as far as they are installed: what
    Nice=, IOSchedulingClass= and TimeoutStartSec= do for the systemd unit."""
    argv: list[str] = []
    if nice := which("nice"):
        argv += [nice, "-n", "10"]
    if ionice := which("ionice"):
        argv += [ionice, "-c", "3"]
    if timeout := which("timeout"):
        argv += [timeout, "--kill-after=60", str(timeout_s)]
    return argv


def render_cron_line(job: HealthJob, offset_min: int, wrappers: Sequence[str] = ()) -> str:
    when = job.at.plus_minutes(offset_min)
    command = " ".join(cron_quote(a) for a in [*wrappers, *job.argv(env_file_option=True)])
    return f"{when.minute} {when.hour} * * * {command} # {PREFIX}{job.name}"


def cron_entry_name(line: str) -> str | None:
    """The schedule name of one of our crontab lines (commented out or not), else None."""
    match = _CRON_TAG.search(line.rstrip("\r\n"))
    return match[1] if match else None


def cron_entries(text: str) -> dict[str, str]:
    entries: dict[str, str] = {}
    for line in text.splitlines():
        name = cron_entry_name(line)
        if name is not None:
            entries.setdefault(name, line)
    return entries


def merge_crontab(text: str, line: str, name: str) -> str:
    """``text`` with our line for ``name`` replaced in place (appended when absent, duplicates
    dropped); every other line is kept byte for byte."""
    out: list[str] = []
    placed = False
    for existing in text.splitlines(keepends=True):
        if cron_entry_name(existing) == name:
            if not placed:
                out.append(line + "\n")
                placed = True
            continue
        out.append(existing)
    if not placed:
        if out and not out[-1].endswith(("\n", "\r")):
            out[-1] += "\n"
        out.append(line + "\n")
    return "".join(out)


def remove_from_crontab(text: str, name: str) -> tuple[str, list[str]]:
    """``text`` without our lines for ``name``, and the lines removed."""
    kept: list[str] = []
    removed: list[str] = []
    for existing in text.splitlines(keepends=True):
        (removed if cron_entry_name(existing) == name else kept).append(existing)
    return "".join(kept), [r.rstrip("\r\n") for r in removed]


@dataclass(frozen=True)
class CronEntry:
    name: str
    at: TimeOfDay | None
    enabled: bool
    inventory: Path | None
    db: Path | None
    env_file: Path | None


def parse_cron_line(line: str) -> CronEntry | None:
    name = cron_entry_name(line)
    if name is None:
        return None
    body = line.strip()
    enabled = not body.startswith("#")
    fields = body.lstrip("#").split(None, 5)
    at = None
    if len(fields) == 6 and fields[0].isdigit() and fields[1].isdigit():
        at = TimeOfDay(int(fields[1]), int(fields[0]))
    inventory = db = env = None
    if len(fields) == 6:
        try:
            words = shlex.split(fields[5].replace("\\%", "%"), comments=True)
        except ValueError:
            words = []
        if "health" in words:
            rest = words[words.index("health") + 1:]
            inventory = Path(rest[0]) if rest else None
            for option, value in itertools.pairwise(rest):
                if option == "--db":
                    db = Path(value)
                elif option == "--env-file":
                    env = Path(value)
    return CronEntry(name, at, enabled, inventory, db, env)


def cron_daemon_running() -> bool:
    for proc in psutil.process_iter(["name"]):
        if proc.info.get("name") in {"cron", "crond", "cronie", "busybox-crond"}:
            return True
    return False


@dataclass
class Cron:
    """One line per schedule in the current user's crontab, through ``crontab -l`` and
    ``crontab -`` (``command`` replaces ``crontab``: tests use a fake one)."""

    command: tuple[str, ...] = ("crontab",)
    seed: str = field(default_factory=socket.gethostname)
    wrappers: Callable[[int], list[str]] = cron_wrappers

    @property
    def location(self) -> str:
        who = current_user() or "current user"
        return f"crontab of {who}" + (
            f" (via {shlex.join(self.command)})" if self.command != ("crontab",) else "")

    def read(self) -> str:
        if self.command == ("crontab",) and shutil.which("crontab") is None:
            raise ScheduleError("crontab: command not found: install cron (apt-get install cron),"
                                " or use systemd")
        result = run_command([*self.command, "-l"])
        if result.returncode == 0:
            return result.stdout
        if "no crontab" in result.stderr.lower():
            return ""
        raise ScheduleError(f"`{shlex.join([*self.command, '-l'])}` failed: "
                            f"{command_output(result)}")

    def write(self, text: str) -> None:
        result = run_command([*self.command, "-"], stdin=text)
        if result.returncode != 0:
            raise ScheduleError(f"`{shlex.join([*self.command, '-'])}` refused the new crontab: "
                                f"{command_output(result)}")

    def line(self, job: HealthJob) -> str:
        offset = cron_offset(job.name, job.random_delay_s, self.seed)
        return render_cron_line(job, offset, self.wrappers(job.timeout_s))

    def install(self, job: HealthJob, *, dry_run: bool = False) -> Outcome:
        outcome = Outcome()
        line = self.line(job)
        offset = cron_offset(job.name, job.random_delay_s, self.seed)
        if job.random_delay_s:
            outcome.messages.append(
                f"cron has no random delay: runs at {job.at.plus_minutes(offset)} every day "
                f"({job.at} + a fixed {offset} min, drawn once within the "
                f"{format_timespan(job.random_delay_s)} window)")
        if job.env_file is not None and job.env_file.stat().st_mode & 0o004:
            outcome.warnings.append(
                f"{job.env_file} holds secrets and is readable by every user: chmod 600 it")
        current = self.read()
        merged = merge_crontab(current, line, job.name)
        if dry_run:
            outcome.done = False
            outcome.preview = {self.location: line + "\n"}
            return outcome
        if merged == current:
            outcome.messages.append(f"already installed in the {self.location}, unchanged")
        else:
            self.write(merged)
            if cron_entries(self.read()).get(job.name) != line:
                raise ScheduleError(f"the line is not in the {self.location} after writing it")
            outcome.messages.append(f"installed in the {self.location}: {line}")
        if not cron_daemon_running():
            outcome.warnings.append("no cron daemon is running on this machine: the line runs "
                                    "once cron runs")
        return outcome

    def installed(self) -> list[str]:
        return sorted(cron_entries(self.read()))

    def remove(self, name: str) -> Outcome:
        current = self.read()
        kept, removed = remove_from_crontab(current, name)
        if not removed:
            return Outcome(done=False, messages=[
                f"{PREFIX}{name} is not in the {self.location}: nothing to remove"])
        self.write(kept)
        return Outcome(messages=[f"removed from the {self.location}: {r}" for r in removed])

    def status(self, name: str, now: datetime | None = None) -> ScheduleStatus:
        line = cron_entries(self.read()).get(name)
        status = ScheduleStatus(name=name, scheduler="cron", installed=line is not None,
                                location=self.location)
        entry = parse_cron_line(line) if line is not None else None
        if entry is None:
            return status
        status.files = [str(line)]
        status.enabled = "yes" if entry.enabled else "no: the line is commented out"
        status.installed = entry.enabled
        status.inventory = str(entry.inventory) if entry.inventory else None
        if entry.at is not None:
            status.schedule = f"daily at {entry.at} local time (random delay fixed at install)"
            if entry.enabled:
                status.next_run = format_next(next_run(entry.at, now))
                status.next_run_source = "computed"
        status.last_result = "unknown: cron keeps no exit status (its output goes by mail)"
        if entry.inventory is not None:
            try:
                site_id, inventory_db = read_site(entry.inventory)
            except ScheduleInputError as exc:
                status.notes.append(str(exc))
            else:
                from infraaudit.health.store import default_db  # loads the models: not at import

                db = entry.db or inventory_db or default_db()
                status.last_stored_run = last_health_run(db, site_id)
        if not cron_daemon_running():
            status.notes.append("no cron daemon is running on this machine")
        return status
