"""What to run and when: the request of ``infraaudit schedule install`` parsed and validated
into a :class:`HealthJob` (ScheduleInputError says what is wrong). Nothing here writes: the
inventory is only read for its ``site.id`` and ``health.db``."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from infraaudit.errors import InventoryError, ScheduleInputError
from infraaudit.util.yamlfile import read_yaml

PREFIX = "infraaudit-health-"
NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
MAX_RANDOM_DELAY_S = 12 * 3600


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
    if not inventory.exists():
        raise ScheduleInputError(f"inventory {inventory} not found")
    try:
        data, _ = read_yaml(inventory, "inventory")
    except InventoryError as exc:
        raise ScheduleInputError(f"not a valid YAML inventory: {exc}") from None
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
        from infraaudit.health.store import default_db  # the store loads the models: not for --help

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
