"""Run ``infraaudit health`` every night: a systemd timer, or a crontab line without systemd.

With systemd (``/run/systemd/system`` exists) ``install`` writes two units,
``infraaudit-health-<name>.service`` (``Type=oneshot``, the health command with absolute paths,
secrets through ``EnvironmentFile=``, idle CPU/IO priority, a start timeout) and
``infraaudit-health-<name>.timer`` (``OnCalendar=*-*-* HH:MM:00``, ``RandomizedDelaySec=``,
``Persistent=true`` so that a run missed while the machine was off happens at the next boot),
checks them with ``systemd-analyze verify`` before they are put in place, then reloads systemd and
enables the timer.

Without systemd it keeps one line in the user's crontab, tagged ``# infraaudit-health-<name>``::

    47 2 * * * /usr/bin/nice -n 10 ... /srv/.venv/bin/infraaudit health ... # infraaudit-health-hv

cron has no random delay: the delay window (``--random-delay``) becomes a *fixed* offset of whole
minutes, drawn at install time from a hash of the host name and the schedule name. It is
pseudo-random (sites and hosts are spread over the window) but stable: installing again gives the
same minute, so the crontab does not change. Every other line of the crontab is kept byte for byte.

The rendering functions are pure (no I/O); :class:`Systemd` and :class:`Cron` do the installing.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import pwd
import re
import shlex
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import urllib.parse
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

import psutil
import yaml
from pydantic import BaseModel, Field

from infraaudit import __version__
from infraaudit.errors import InfraAuditError, OutputError
from infraaudit.health.store import default_db
from infraaudit.util.output import write_atomic

PREFIX = "infraaudit-health-"
META = "infraaudit-schedule:"  # the comment line of the .service holding what was installed
NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
MAX_RANDOM_DELAY_S = 12 * 3600
HEALTH_EXIT = {  # infraaudit health's exit codes (infraaudit/cli/health.py)
    0: "nothing needs attention",
    1: "something needs attention",
    2: "bad input",
    3: "the history database could not be written",
    4: "another run held the lock",
    124: "timed out",
    130: "interrupted",
}


class ScheduleInputError(InfraAuditError):
    """The request cannot be used as given (exit code 2)."""


class ScheduleError(InfraAuditError):
    """Installing, removing or inspecting the schedule failed (exit code 1)."""


class Scheduler(StrEnum):
    AUTO = "auto"
    SYSTEMD = "systemd"
    CRON = "cron"


# --- parsing and validation -------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class TimeOfDay:
    hour: int
    minute: int

    def __str__(self) -> str:
        return f"{self.hour:02d}:{self.minute:02d}"

    @property
    def on_calendar(self) -> str:
        return f"*-*-* {self}:00"

    def plus_minutes(self, minutes: int) -> TimeOfDay:
        total = (self.hour * 60 + self.minute + minutes) % (24 * 60)
        return TimeOfDay(total // 60, total % 60)


def parse_at(text: str) -> TimeOfDay:
    """``HH:MM`` (24-hour clock, local time of this machine)."""
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", text.strip())
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise ScheduleInputError(
            f"--at {text!r}: expected HH:MM on the 24-hour clock (00:00 to 23:59), e.g. 02:30")
    return TimeOfDay(int(match[1]), int(match[2]))


_SPAN_UNITS = {"h": 3600, "min": 60, "m": 60, "sec": 1, "s": 1}


def parse_duration(text: str, option: str) -> int:
    """``30m``, ``1h``, ``1h30m``, ``90s``, ``45min`` or ``0``, in seconds."""
    value = text.strip().lower().replace(" ", "")
    if value == "0":
        return 0
    if not value or not re.fullmatch(r"(?:\d+(?:h|min|m|sec|s))+", value):
        raise ScheduleInputError(
            f"{option} {text!r}: expected a duration with its unit, e.g. 30m, 1h, 1h30m, 90s")
    return sum(int(n) * _SPAN_UNITS[unit]
               for n, unit in re.findall(r"(\d+)(h|min|m|sec|s)", value))


def format_timespan(seconds: int) -> str:
    """systemd's notation: ``1h 30min``, ``45s``, ``0``."""
    if seconds <= 0:
        return "0"
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{hours}h"] * bool(hours) + [f"{minutes}min"] * bool(minutes)
    return " ".join(parts + [f"{secs}s"] * bool(secs))


def check_name(name: str, source: str = "--name") -> str:
    if not NAME_RE.fullmatch(name):
        raise ScheduleInputError(
            f"{source} {name!r} cannot be used in a unit or crontab tag: use 1-64 letters, "
            "digits, '.', '_' or '-', starting with a letter or digit")
    return name


def read_site(inventory: Path) -> tuple[str, Path | None]:
    """The inventory's ``site.id`` and ``health.db`` (absolute), read without resolving secrets:
    they may not be available when the schedule is installed."""
    try:
        data = yaml.safe_load(inventory.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ScheduleInputError(f"inventory {inventory} not found") from None
    except IsADirectoryError:
        raise ScheduleInputError(f"inventory {inventory} is a directory, not a file") from None
    except OSError as exc:
        raise ScheduleInputError(f"cannot read inventory {inventory}: {exc.strerror}") from exc
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ScheduleInputError(f"{inventory}: not a valid YAML inventory ({exc})") from None
    site = data.get("site") if isinstance(data, dict) else None
    site_id = site.get("id") if isinstance(site, dict) else None
    if not isinstance(site_id, str | int) or isinstance(site_id, bool) or str(site_id) == "":
        raise ScheduleInputError(f"{inventory}: no site.id (an inventory has site: {{id: ...}})")
    health = data.get("health") if isinstance(data, dict) else None
    raw_db = health.get("db") if isinstance(health, dict) else None
    db = (inventory.parent / str(raw_db)).resolve() if raw_db else None
    return str(site_id), db


def checked_path(path: Path, what: str) -> Path:
    """Absolute, and writable in a unit file and a crontab (no control characters, no
    backslash, no trailing blank)."""
    absolute = Path(os.path.abspath(path.expanduser()))
    text = str(absolute)
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise ScheduleInputError(f"{what} {text!r}: control characters in the path")
    if "\\" in text or text != text.rstrip():
        raise ScheduleInputError(
            f"{what} {text!r}: a backslash or trailing blank in the path is not supported")
    return absolute


def default_executable(python: str | None = None) -> tuple[str, ...]:
    """The ``infraaudit`` console script beside the running interpreter, else
    ``<python> -m infraaudit.cli``. A venv's python is a symlink: it is not resolved."""
    interpreter = checked_path(Path(python or sys.executable), "python")
    script = interpreter.parent / "infraaudit"
    if script.is_file() and os.access(script, os.X_OK):
        return (str(script),)
    return (str(interpreter), "-m", "infraaudit.cli")


@dataclass(frozen=True)
class HealthJob:
    """What to run and when: everything absolute and validated."""

    name: str
    site_id: str
    inventory: Path
    at: TimeOfDay
    executable: tuple[str, ...]
    random_delay_s: int = 0
    timeout_s: int = 3600
    env_file: Path | None = None
    db: Path | None = None
    inventory_db: Path | None = None  # the inventory's health.db, for status

    @property
    def unit(self) -> str:
        return PREFIX + self.name

    def argv(self, *, env_file_option: bool) -> list[str]:
        """The health command; the env file as ``--env-file`` (cron) or not at all (systemd
        passes it with EnvironmentFile=)."""
        argv = [*self.executable, "health", str(self.inventory)]
        if env_file_option and self.env_file is not None:
            argv += ["--env-file", str(self.env_file)]
        if self.db is not None:
            argv += ["--db", str(self.db)]
        return argv

    @property
    def history_db(self) -> Path:
        """Where the runs are stored, as ``infraaudit health`` chooses it."""
        return self.db or self.inventory_db or default_db()


def make_job(inventory: Path, at: str, *, random_delay: str = "0", timeout: str = "1h",
             env_file: Path | None = None, db: Path | None = None, name: str | None = None,
             executable: Sequence[str] | None = None) -> HealthJob:
    """Validate the install request (ScheduleInputError says what is wrong)."""
    when = parse_at(at)
    delay = parse_duration(random_delay, "--random-delay")
    if delay > MAX_RANDOM_DELAY_S:
        raise ScheduleInputError(f"--random-delay {random_delay!r}: at most 12h")
    limit = parse_duration(timeout, "--timeout")
    if not 60 <= limit <= 24 * 3600:
        raise ScheduleInputError(f"--timeout {timeout!r}: between 1min and 24h")
    inv = checked_path(inventory, "inventory")
    site_id, inventory_db = read_site(inv)
    job_name = check_name(name) if name else check_name(
        site_id, f"site.id of {inv} (pass --name to choose another name)")
    env = checked_path(env_file, "env file") if env_file is not None else None
    if env is not None and not env.is_file():
        raise ScheduleInputError(f"env file {env} not found")
    return HealthJob(
        name=job_name, site_id=site_id, inventory=inv, at=when,
        executable=tuple(executable) if executable else default_executable(),
        random_delay_s=delay, timeout_s=limit, env_file=env,
        db=checked_path(db, "--db") if db is not None else None, inventory_db=inventory_db)


def env_file_problems(path: Path) -> tuple[list[str], list[str]]:
    """(errors, warnings) about using ``path`` as a systemd EnvironmentFile=: systemd ignores
    ``export KEY=...`` lines (infraaudit's --env-file accepts them) and reads backslashes as
    escapes inside double quotes; the file holds secrets, so it should not be world-readable."""
    errors: list[str] = []
    warnings: list[str] = []
    try:
        text = path.read_text(encoding="utf-8")
        mode = path.stat().st_mode
    except (OSError, UnicodeDecodeError) as exc:
        return [f"cannot read env file {path}: {exc}"], []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if line.startswith("export "):
            errors.append(f"{path}:{number}: systemd's EnvironmentFile= ignores 'export' lines: "
                          "write KEY=VALUE without 'export'")
        elif "\\" in line and not line.startswith(("#", ";")):
            warnings.append(f"{path}:{number}: a backslash: systemd reads it as an escape inside "
                            "double quotes (infraaudit --env-file does not)")
    if mode & 0o004:
        warnings.append(f"{path} holds secrets and is readable by every user: chmod 600 it")
    return errors, warnings


# --- systemd rendering ------------------------------------------------------------------------

_SYSTEMD_BARE = re.compile(r"[A-Za-z0-9_@+=:,./-]+")


def systemd_quote(arg: str) -> str:
    """One ExecStart= word: bare when safe, else double-quoted with C escapes; ``%`` (specifiers)
    and ``$`` (variable expansion) doubled."""
    word = arg if _SYSTEMD_BARE.fullmatch(arg) else (
        '"' + arg.replace("\\", "\\\\").replace('"', '\\"') + '"')
    return word.replace("%", "%%").replace("$", "$$")


def systemd_path_value(path: Path) -> str:
    """A path setting (EnvironmentFile=): the rest of the line, specifiers expanded."""
    return str(path).replace("%", "%%")


def _metadata(job: HealthJob) -> dict[str, Any]:
    return {"name": job.name, "site_id": job.site_id, "inventory": str(job.inventory),
            "at": str(job.at), "random_delay_s": job.random_delay_s,
            "env_file": str(job.env_file) if job.env_file else None,
            "db": str(job.db) if job.db else None,
            "history_db": str(job.history_db)}


def render_service(job: HealthJob, *, user: bool = False) -> str:
    flag = " --user" if user else ""
    lines = [
        f"# Written by `infraaudit schedule install` (infraaudit {__version__}); the next install",
        f"# overwrites it. Remove with `infraaudit schedule remove --name {job.name}{flag}`.",
        f"# {META} {json.dumps(_metadata(job), sort_keys=True)}",
        "[Unit]",
        f"Description=infraaudit nightly health check ({job.name})",
    ]
    if not user:  # the user manager has no network-online.target
        lines += ["Wants=network-online.target", "After=network-online.target"]
    lines += ["", "[Service]", "Type=oneshot",
              "ExecStart=" + " ".join(systemd_quote(a) for a in job.argv(env_file_option=False))]
    if job.env_file is not None:
        lines.append("EnvironmentFile=" + systemd_path_value(job.env_file))
    # exit 1 means "alerts were raised", not a failed check: keep the unit green
    lines += ["SuccessExitStatus=1", "Nice=10", "IOSchedulingClass=idle",
              f"TimeoutStartSec={format_timespan(job.timeout_s)}"]
    return "\n".join(lines) + "\n"


def render_timer(job: HealthJob) -> str:
    return "\n".join([
        f"# Written by `infraaudit schedule install`: starts {job.unit}.service every day.",
        "[Unit]",
        f"Description=infraaudit nightly health check ({job.name}), daily at {job.at}",
        "",
        "[Timer]",
        f"OnCalendar={job.at.on_calendar}",
        f"RandomizedDelaySec={format_timespan(job.random_delay_s)}",
        "Persistent=true",
        f"Unit={job.unit}.service",
        "",
        "[Install]",
        "WantedBy=timers.target",
    ]) + "\n"


def parse_timer(text: str) -> tuple[TimeOfDay | None, str | None]:
    """OnCalendar= time and RandomizedDelaySec= of a timer we wrote."""
    at = re.search(r"^OnCalendar=\*-\*-\* (\d{2}):(\d{2}):00\s*$", text, re.M)
    delay = re.search(r"^RandomizedDelaySec=(.*)$", text, re.M)
    return (TimeOfDay(int(at[1]), int(at[2])) if at else None,
            delay[1].strip() if delay else None)


def parse_metadata(service_text: str) -> dict[str, Any]:
    for line in service_text.splitlines():
        if line.startswith(f"# {META} "):
            try:
                data = json.loads(line.removeprefix(f"# {META} "))
            except ValueError:
                return {}
            return data if isinstance(data, dict) else {}
    return {}


# --- cron rendering ---------------------------------------------------------------------------

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


# --- time and history -------------------------------------------------------------------------


def next_run(at: TimeOfDay, now: datetime | None = None) -> datetime:
    """The next HH:MM (local time) strictly after ``now``."""
    current = now or datetime.now().astimezone()
    candidate = current.replace(hour=at.hour, minute=at.minute, second=0, microsecond=0)
    return candidate if candidate > current else candidate + timedelta(days=1)


def last_health_run(db: Path, site_id: str) -> str | None:
    """The last run of ``site_id`` stored in the history database (read-only), if any."""
    if not db.is_file():
        return None
    uri = f"file:{urllib.parse.quote(str(db))}?mode=ro"
    try:
        con = sqlite3.connect(uri, uri=True, timeout=2.0)
        try:
            row = con.execute(
                "SELECT r.started_at, r.complete,"
                " (SELECT count(*) FROM alerts a WHERE a.run = r.id),"
                " (SELECT count(*) FROM alerts a WHERE a.run = r.id AND a.severity != 'info')"
                " FROM runs r WHERE r.site_id = ? ORDER BY r.started_at DESC LIMIT 1",
                (site_id,)).fetchone()
        finally:
            con.close()
    except sqlite3.Error:
        return None
    if row is None:
        return None
    started, complete, alerts, attention = row
    state = "complete" if complete else "incomplete"
    return (f"{started} ({state}, {alerts} alert(s), {attention} needing attention) "
            f"in {db}")


# --- running commands -------------------------------------------------------------------------


def _run(argv: Sequence[str], *, stdin: str | None = None, env: dict[str, str] | None = None,
         timeout: float = 120.0) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(list(argv), input=stdin, capture_output=True, text=True,
                              timeout=timeout, check=False, env=env)
    except FileNotFoundError:
        raise ScheduleError(f"{argv[0]}: command not found") from None
    except subprocess.TimeoutExpired:
        raise ScheduleError(f"`{shlex.join(argv)}` did not finish in {timeout:.0f}s") from None
    except OSError as exc:
        raise ScheduleError(f"cannot run {argv[0]}: {exc.strerror}") from exc


def _output(result: subprocess.CompletedProcess[str]) -> str:
    return (result.stdout + result.stderr).strip()


class ScheduleStatus(BaseModel):
    """What ``infraaudit schedule status`` reports for one schedule."""

    name: str
    scheduler: Literal["systemd", "cron"]
    installed: bool
    location: str = Field(description="unit directory, or the crontab")
    files: list[str] = Field(default_factory=list)
    schedule: str | None = None
    enabled: str | None = Field(default=None, description="as systemd or the crontab says")
    next_run: str | None = None
    next_run_source: Literal["systemd", "computed"] | None = None
    last_run: str | None = None
    last_result: str | None = None
    last_stored_run: str | None = Field(default=None, description="from the history database")
    inventory: str | None = None
    notes: list[str] = Field(default_factory=list)


@dataclass
class Outcome:
    """What an install or a remove did, for the CLI to print."""

    done: bool = True
    messages: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    preview: dict[str, str] = field(default_factory=dict)  # path -> content (dry run)


def _fmt_next(when: datetime) -> str:
    return when.strftime("%a %Y-%m-%d %H:%M %Z").strip()


# --- systemd ----------------------------------------------------------------------------------


def systemd_running() -> bool:
    """sd_booted(): systemd is the init system of this machine."""
    return Path("/run/systemd/system").is_dir()


def default_unit_dir(user: bool) -> Path:
    if user:
        config = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
        return Path(config) / "systemd" / "user"
    return Path("/etc/systemd/system")


@dataclass
class Systemd:
    """Unit files in ``unit_dir``; ``systemctl`` only when ``manage`` (systemd runs and the
    directory is the one it loads units from)."""

    unit_dir: Path
    user: bool
    manage: bool
    analyze: str | None = None
    systemctl: str = "systemctl"

    @classmethod
    def detect(cls, user: bool | None = None, unit_dir: Path | None = None) -> Systemd:
        scope_user = (os.geteuid() != 0) if user is None else user
        standard = default_unit_dir(scope_user)
        directory = Path(os.path.abspath(unit_dir)) if unit_dir else standard
        manage = systemd_running() and directory.resolve() == standard.resolve()
        return cls(directory, scope_user, manage, shutil.which("systemd-analyze"))

    def _ctl(self, *args: str) -> subprocess.CompletedProcess[str]:
        return _run([self.systemctl, *(["--user"] if self.user else []), *args])

    def _files(self, name: str) -> list[Path]:
        unit = PREFIX + name
        return [self.unit_dir / f"{unit}.timer", self.unit_dir / f"{unit}.service",
                self.unit_dir / "timers.target.wants" / f"{unit}.timer"]

    def verify(self, files: dict[str, str]) -> tuple[bool, str]:
        """``systemd-analyze verify`` the units in a scratch directory (it also checks that the
        ExecStart= binary exists); its output names the final directory."""
        assert self.analyze is not None
        with tempfile.TemporaryDirectory(prefix="infraaudit-verify-") as tmp:
            paths = []
            for filename, text in files.items():
                (Path(tmp) / filename).write_text(text, encoding="utf-8")
                paths.append(str(Path(tmp) / filename))
            env = dict(os.environ)
            if self.user and not env.get("XDG_RUNTIME_DIR"):  # the user mode needs one
                runtime = Path(tmp) / "runtime"
                runtime.mkdir(mode=0o700)
                env["XDG_RUNTIME_DIR"] = str(runtime)
            result = _run([self.analyze, *(["--user"] if self.user else []), "verify", *paths],
                          env=env)
            return result.returncode == 0, _output(result).replace(tmp, str(self.unit_dir))

    def install(self, job: HealthJob, *, dry_run: bool = False) -> Outcome:
        outcome = Outcome()
        if job.env_file is not None:
            errors, warnings = env_file_problems(job.env_file)
            if errors:
                raise ScheduleInputError("\n".join(errors))
            outcome.warnings += warnings
        files = {f"{job.unit}.service": render_service(job, user=self.user),
                 f"{job.unit}.timer": render_timer(job)}
        if self.analyze:
            ok, output = self.verify(files)
            if not ok:
                raise ScheduleError("systemd-analyze verify rejected the units (nothing was "
                                    f"installed; it also needs {job.executable[0]} to exist):\n"
                                    f"{output}")
            if output:
                outcome.warnings.append(f"systemd-analyze verify:\n{output}")
            else:
                outcome.messages.append("systemd-analyze verify: no problem found")
        else:
            outcome.warnings.append("systemd-analyze not found: the units were not verified")
        if dry_run:
            outcome.done = False
            outcome.preview = {str(self.unit_dir / f): text for f, text in files.items()}
            return outcome
        for filename, text in files.items():
            path = self.unit_dir / filename
            try:
                write_atomic(path, text)
                path.chmod(0o644)  # no secret inside: the env file is only named
            except (OutputError, OSError) as exc:
                hint = ("" if self.user or os.geteuid() == 0
                        else " (system units need root; or pass --user)")
                raise ScheduleError(f"{exc}{hint}") from None
            outcome.messages.append(f"wrote {path}")
        timer = f"{job.unit}.timer"
        if not self.manage:
            why = ("systemd is not running on this machine" if not systemd_running()
                   else f"{self.unit_dir} is not the directory systemd loads units from")
            scope = "--user " if self.user else ""
            outcome.messages.append(f"{why}: not enabled; when it is, run `systemctl {scope}"
                                    f"daemon-reload && systemctl {scope}enable --now {timer}`")
            return outcome
        for args in (("daemon-reload",), ("enable", "--now", timer)):
            result = self._ctl(*args)
            if result.returncode != 0:
                raise ScheduleError(f"systemctl {' '.join(args)} failed: {_output(result)}")
        outcome.messages.append(f"enabled and started {timer}")
        if self.user and not Path("/var/lib/systemd/linger", _user()).exists():
            outcome.warnings.append("user timers run only while you are logged in: run "
                                    f"`loginctl enable-linger {_user()}` to run it every night")
        return outcome

    def installed(self) -> list[str]:
        names = {p.name.removeprefix(PREFIX).rsplit(".", 1)[0]
                 for pattern in (f"{PREFIX}*.timer", f"{PREFIX}*.service")
                 for p in self.unit_dir.glob(pattern)}
        return sorted(n for n in names if NAME_RE.fullmatch(n))

    def remove(self, name: str) -> Outcome:
        present = [p for p in self._files(name) if p.exists() or p.is_symlink()]
        if not present:
            return Outcome(done=False, messages=[
                f"{PREFIX}{name} is not installed in {self.unit_dir}: nothing to remove"])
        outcome = Outcome()
        unit = PREFIX + name
        if self.manage:
            for args in (("disable", "--now", f"{unit}.timer"), ("stop", f"{unit}.service")):
                result = self._ctl(*args)
                if result.returncode != 0:
                    outcome.warnings.append(f"systemctl {' '.join(args)}: {_output(result)}")
        for path in present:
            try:
                path.unlink()
            except OSError as exc:
                raise ScheduleError(f"cannot delete {path}: {exc.strerror}") from exc
            outcome.messages.append(f"deleted {path}")
        if self.manage:
            result = self._ctl("daemon-reload")
            if result.returncode != 0:
                outcome.warnings.append(f"systemctl daemon-reload: {_output(result)}")
            self._ctl("reset-failed", f"{unit}.service", f"{unit}.timer")  # forget old failures
        return outcome

    def _show(self, unit: str, *props: str) -> dict[str, str]:
        result = self._ctl("show", unit, *(f"--property={p}" for p in props))
        if result.returncode != 0:
            return {}
        return dict(line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)

    def status(self, name: str, now: datetime | None = None) -> ScheduleStatus:
        unit = PREFIX + name
        timer_path, service_path = self._files(name)[:2]
        status = ScheduleStatus(name=name, scheduler="systemd", location=str(self.unit_dir),
                                installed=timer_path.is_file() and service_path.is_file(),
                                files=[str(p) for p in self._files(name) if p.exists()])
        if not status.files:
            return status
        if not status.installed:
            status.notes.append("incomplete: the .timer or the .service is missing "
                                "(install again, or remove)")
        timer_text = _read(timer_path)
        meta = parse_metadata(_read(service_path))
        at, delay = parse_timer(timer_text)
        if at is not None:
            status.schedule = f"daily at {at} local time" + (
                f", random delay up to {delay}" if delay and delay != "0" else "")
        status.inventory = meta.get("inventory")
        if self.manage:
            timer = self._show(f"{unit}.timer", "NextElapseUSecRealtime", "LastTriggerUSec",
                               "UnitFileState", "ActiveState")
            service = self._show(f"{unit}.service", "Result", "ExecMainStatus",
                                 "ExecMainExitTimestamp")
            status.enabled = (f"{timer.get('UnitFileState', '?')}, "
                              f"{timer.get('ActiveState', '?')}")
            status.next_run = timer.get("NextElapseUSecRealtime") or None
            status.next_run_source = "systemd"
            status.last_run = timer.get("LastTriggerUSec") or None
            code = service.get("ExecMainStatus", "")
            if service.get("ExecMainExitTimestamp") and code.isdigit():
                status.last_result = (f"{service.get('Result', '?')}, exit {code} "
                                      f"({HEALTH_EXIT.get(int(code), 'unknown')}) at "
                                      f"{service['ExecMainExitTimestamp']}")
            else:
                status.last_result = "not run since systemd started"
        else:
            status.enabled = "unknown (systemd is not managing these units)"
            if at is not None:
                status.next_run = _fmt_next(next_run(at, now)) + (
                    f" + up to {delay} random delay" if delay and delay != "0" else "")
                status.next_run_source = "computed"
        if meta.get("history_db") and meta.get("site_id"):
            status.last_stored_run = last_health_run(Path(meta["history_db"]), meta["site_id"])
        return status


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def _user() -> str:
    try:
        return pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:
        return os.environ.get("USER", "")


# --- cron -------------------------------------------------------------------------------------


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
        who = _user() or "current user"
        return f"crontab of {who}" + (
            f" (via {shlex.join(self.command)})" if self.command != ("crontab",) else "")

    def read(self) -> str:
        if self.command == ("crontab",) and shutil.which("crontab") is None:
            raise ScheduleError("crontab: command not found: install cron (apt-get install cron),"
                                " or use systemd")
        result = _run([*self.command, "-l"])
        if result.returncode == 0:
            return result.stdout
        if "no crontab" in result.stderr.lower():
            return ""
        raise ScheduleError(f"`{shlex.join([*self.command, '-l'])}` failed: {_output(result)}")

    def write(self, text: str) -> None:
        result = _run([*self.command, "-"], stdin=text)
        if result.returncode != 0:
            raise ScheduleError(f"`{shlex.join([*self.command, '-'])}` refused the new crontab: "
                                f"{_output(result)}")

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
                status.next_run = _fmt_next(next_run(entry.at, now))
                status.next_run_source = "computed"
        status.last_result = "unknown: cron keeps no exit status (its output goes by mail)"
        if entry.inventory is not None:
            try:
                site_id, inventory_db = read_site(entry.inventory)
            except ScheduleInputError as exc:
                status.notes.append(str(exc))
            else:
                db = entry.db or inventory_db or default_db()
                status.last_stored_run = last_health_run(db, site_id)
        if not cron_daemon_running():
            status.notes.append("no cron daemon is running on this machine")
        return status


# --- choosing the scheduler -------------------------------------------------------------------


def backend(scheduler: Scheduler = Scheduler.AUTO, *, user: bool | None = None,
            unit_dir: Path | None = None, crontab: Path | None = None) -> Systemd | Cron:
    """systemd when it runs (or --unit-dir is given), else cron."""
    if unit_dir is not None and crontab:
        raise ScheduleInputError("--unit-dir is for systemd, --crontab for cron: not both")
    if scheduler is Scheduler.AUTO:
        use_systemd = unit_dir is not None or (not crontab and systemd_running())
        scheduler = Scheduler.SYSTEMD if use_systemd else Scheduler.CRON
    if scheduler is Scheduler.SYSTEMD:
        if crontab:
            raise ScheduleInputError("--crontab is for cron, not --scheduler systemd")
        return Systemd.detect(user, unit_dir)
    if unit_dir is not None:
        raise ScheduleInputError("--unit-dir is for systemd, not --scheduler cron")
    return Cron((os.path.abspath(crontab),) if crontab else ("crontab",))
