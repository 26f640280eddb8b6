"""A systemd timer for the nightly health check.

With systemd (``/run/systemd/system`` exists) ``install`` writes two units,
``infraaudit-health-<name>.service`` (``Type=oneshot``, the health command with absolute paths,
secrets through ``EnvironmentFile=``, idle CPU/IO priority, a start timeout) and
``infraaudit-health-<name>.timer`` (``OnCalendar=*-*-* HH:MM:00``, ``RandomizedDelaySec=``,
``Persistent=true`` so that a run missed while the machine was off happens at the next boot),
checks them with ``systemd-analyze verify`` before they are put in place, then reloads systemd and
enables the timer.

The rendering functions are pure (no I/O); :class:`Systemd` does the installing.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from infraaudit.errors import OutputError, ScheduleError, ScheduleInputError
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
from infraaudit.health.schedule.job import (
    NAME_RE,
    PREFIX,
    HealthJob,
    TimeOfDay,
    env_file_problems,
    format_timespan,
)
from infraaudit.util.output import write_atomic

META = "infraaudit-schedule:"  # the comment line of the .service holding what was installed
HEALTH_EXIT = {  # infraaudit health's exit codes (infraaudit/cli/health.py)
    0: "nothing needs attention",
    1: "something needs attention",
    2: "bad input",
    3: "the history database could not be written",
    4: "another run held the lock",
    124: "timed out",
    130: "interrupted",
}


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
    from infraaudit import __version__  # read from the metadata when a unit is written

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
        return run_command([self.systemctl, *(["--user"] if self.user else []), *args])

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
            result = run_command(
                [self.analyze, *(["--user"] if self.user else []), "verify", *paths], env=env)
            return result.returncode == 0, command_output(result).replace(tmp, str(self.unit_dir))

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
                raise ScheduleError(f"systemctl {' '.join(args)} failed: {command_output(result)}")
        outcome.messages.append(f"enabled and started {timer}")
        if self.user and not Path("/var/lib/systemd/linger", current_user()).exists():
            outcome.warnings.append(
                "user timers run only while you are logged in: run "
                f"`loginctl enable-linger {current_user()}` to run it every night")
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
                    outcome.warnings.append(f"systemctl {' '.join(args)}: {command_output(result)}")
        for path in present:
            try:
                path.unlink()
            except OSError as exc:
                raise ScheduleError(f"cannot delete {path}: {exc.strerror}") from exc
            outcome.messages.append(f"deleted {path}")
        if self.manage:
            result = self._ctl("daemon-reload")
            if result.returncode != 0:
                outcome.warnings.append(f"systemctl daemon-reload: {command_output(result)}")
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
                status.next_run = format_next(next_run(at, now)) + (
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
