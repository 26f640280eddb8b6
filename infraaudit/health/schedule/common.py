"""What the systemd and cron backends share: running their commands, the status and outcome
records the CLI prints, the next run time and the last run stored in the history database."""

from __future__ import annotations

import os
import pwd
import shlex
import sqlite3
import subprocess
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from infraaudit.errors import ScheduleError
from infraaudit.health.schedule.job import TimeOfDay


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


def run_command(argv: Sequence[str], *, stdin: str | None = None, env: dict[str, str] | None = None,
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


def command_output(result: subprocess.CompletedProcess[str]) -> str:
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


def format_next(when: datetime) -> str:
    return when.strftime("%a %Y-%m-%d %H:%M %Z").strip()


def current_user() -> str:
    try:
        return pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:
        return os.environ.get("USER", "")
