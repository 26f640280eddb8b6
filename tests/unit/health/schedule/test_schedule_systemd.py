"""`infraaudit schedule`: the unit files and crontab lines it renders, the crontab merge, the
systemctl calls (a fake systemctl) and the CLI's exit codes. Nothing here touches the real
/etc/systemd, the real crontab or a running systemd."""

from __future__ import annotations

import shlex
import stat
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from typer.testing import CliRunner

from infraaudit import __version__
from infraaudit.cli.schedule import schedule_app
from infraaudit.health.schedule import (
    Cron,
    HealthJob,
    ScheduleError,
    ScheduleInputError,
    Systemd,
    TimeOfDay,
    check_name,
    cron_entries,
    cron_offset,
    cron_quote,
    cron_wrappers,
    default_executable,
    env_file_problems,
    format_timespan,
    make_job,
    merge_crontab,
    next_run,
    parse_at,
    parse_cron_line,
    parse_duration,
    parse_metadata,
    parse_timer,
    remove_from_crontab,
    render_cron_line,
    render_service,
    render_timer,
    systemd_quote,
)


@pytest.fixture(autouse=True)
def _no_crontab_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("INFRAAUDIT_CRONTAB", raising=False)


SITE = "agency: {code: TTT, name: T}\nsite: {id: %s, name: S}\ndevices: []\n"
EXE = ("/opt/ia/.venv/bin/infraaudit",)


def _inventory(directory: Path, site_id: str = "hung-vuong", filename: str = "site.yaml") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / filename
    path.write_text(SITE % site_id, encoding="utf-8")
    return path


def _job(**changes: object) -> HealthJob:
    values: dict[str, object] = {
        "name": "hung-vuong", "site_id": "hung-vuong", "inventory": Path("/srv/ia/site.yaml"),
        "at": TimeOfDay(2, 30), "executable": EXE, "random_delay_s": 1800, "timeout_s": 3600}
    values.update(changes)
    return HealthJob(**values)  # type: ignore[arg-type]


# --- parsing -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("02:30", TimeOfDay(2, 30)), ("2:30", TimeOfDay(2, 30)), ("00:00", TimeOfDay(0, 0)),
    ("23:59", TimeOfDay(23, 59)), (" 7:05 ", TimeOfDay(7, 5)),
])
def test_at_parses_24_hour_times(text: str, expected: TimeOfDay) -> None:
    assert parse_at(text) == expected


@pytest.mark.parametrize("text", ["24:00", "12:60", "2.30", "0230", "2:3", "", "02:30pm", "-1:00"])
def test_bad_at_is_an_input_error(text: str) -> None:
    with pytest.raises(ScheduleInputError, match="HH:MM"):
        parse_at(text)


def test_on_calendar_from_at() -> None:
    assert parse_at("7:05").on_calendar == "*-*-* 07:05:00"
    assert TimeOfDay(23, 50).plus_minutes(25) == TimeOfDay(0, 15)


@pytest.mark.parametrize(("text", "seconds"), [
    ("0", 0), ("30m", 1800), ("45min", 2700), ("1h", 3600), ("1h30m", 5400), ("90s", 90),
    ("1h 5min", 3900), ("2H", 7200),
])
def test_durations(text: str, seconds: int) -> None:
    assert parse_duration(text, "--random-delay") == seconds


@pytest.mark.parametrize("text", ["30", "", "m", "1d", "-5m", "1.5h"])
def test_durations_need_a_unit(text: str) -> None:
    with pytest.raises(ScheduleInputError, match="--random-delay"):
        parse_duration(text, "--random-delay")


def test_timespans_in_systemd_notation() -> None:
    assert [format_timespan(s) for s in (0, 90, 1800, 3600, 5400, 3661)] == [
        "0", "1min 30s", "30min", "1h", "1h 30min", "1h 1min 1s"]


@pytest.mark.parametrize("name", ["hung-vuong", "s1", "site_2.b", "A"])
def test_safe_names(name: str) -> None:
    assert check_name(name) == name


@pytest.mark.parametrize("name", ["", "-x", ".x", "a b", "a/b", "hùng-vương", "a@b", "a\nb",
                                  "x" * 65, "a:b", "a\\b"])
def test_unsafe_names_are_refused(name: str) -> None:
    with pytest.raises(ScheduleInputError, match="--name"):
        check_name(name)


# --- the job -----------------------------------------------------------------------------------


def test_job_defaults_its_name_to_the_site_id_and_makes_paths_absolute(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inventory = _inventory(tmp_path / "inv")
    (tmp_path / "inv" / "site.env").write_text("COMM=x\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    job = make_job(Path("inv/site.yaml"), "02:30", random_delay="30m",
                   env_file=Path("inv/site.env"), db=Path("h.db"), executable=EXE)
    assert job.name == "hung-vuong" and job.unit == "infraaudit-health-hung-vuong"
    assert job.inventory == inventory and job.env_file == tmp_path / "inv" / "site.env"
    assert job.db == tmp_path / "h.db" and job.random_delay_s == 1800 and job.timeout_s == 3600
    assert job.argv(env_file_option=False) == [*EXE, "health", str(inventory), "--db",
                                               str(tmp_path / "h.db")]


def test_job_reads_the_site_id_without_resolving_secrets(tmp_path: Path) -> None:
    inventory = tmp_path / "site.yaml"
    inventory.write_text("agency: {code: T, name: T}\nsite: {id: s1, name: S}\ncredentials: "
                         "{snmp: {o: {version: v2c, community: '${NOT_SET_ANYWHERE}'}}}\n"
                         "health: {db: data/h.db}\n", encoding="utf-8")
    job = make_job(inventory, "1:00", executable=EXE)
    assert job.name == "s1" and job.db is None
    assert job.history_db == tmp_path / "data" / "h.db"


def test_an_unsafe_site_id_asks_for_name(tmp_path: Path) -> None:
    inventory = _inventory(tmp_path, "'Hùng Vương 26'")
    with pytest.raises(ScheduleInputError, match="pass --name"):
        make_job(inventory, "02:30", executable=EXE)
    assert make_job(inventory, "02:30", name="hv26", executable=EXE).name == "hv26"


@pytest.mark.parametrize(("content", "message"), [
    (None, "not found"), ("devices: []\n", "no site.id"), ("site: [1]\n", "no site.id"),
    ("site: {id: [\n", "not a valid YAML"), ("- a\n", "no site.id"),
])
def test_unusable_inventories(tmp_path: Path, content: str | None, message: str) -> None:
    inventory = tmp_path / "site.yaml"
    if content is not None:
        inventory.write_text(content, encoding="utf-8")
    with pytest.raises(ScheduleInputError, match=message):
        make_job(inventory, "02:30", executable=EXE)


def test_job_refuses_missing_env_files_and_odd_paths(tmp_path: Path) -> None:
    inventory = _inventory(tmp_path)
    with pytest.raises(ScheduleInputError, match=r"env file .* not found"):
        make_job(inventory, "02:30", env_file=tmp_path / "nope.env", executable=EXE)
    with pytest.raises(ScheduleInputError, match="control characters"):
        make_job(inventory, "02:30", db=tmp_path / "a\nb.db", executable=EXE)
    with pytest.raises(ScheduleInputError, match="backslash"):
        make_job(inventory, "02:30", db=tmp_path / "a\\b.db", executable=EXE)
    with pytest.raises(ScheduleInputError, match="at most 12h"):
        make_job(inventory, "02:30", random_delay="13h", executable=EXE)
    with pytest.raises(ScheduleInputError, match="--timeout"):
        make_job(inventory, "02:30", timeout="30s", executable=EXE)


def test_default_executable_is_the_console_script_beside_python(tmp_path: Path) -> None:
    bindir = tmp_path / "venv" / "bin"
    bindir.mkdir(parents=True)
    python = bindir / "python"
    python.symlink_to(sys.executable)
    assert default_executable(str(python)) == (str(python), "-m", "infraaudit.cli")
    script = bindir / "infraaudit"
    script.write_text("#!/bin/sh\n", encoding="utf-8")
    script.chmod(0o755)
    assert default_executable(str(python)) == (str(script),)  # the symlink is not resolved


def test_env_file_checks_for_systemd(tmp_path: Path) -> None:
    env = tmp_path / "site.env"
    env.write_text("# secrets\nA=1\nexport B=2\nC=\"x\\y\"\n", encoding="utf-8")
    env.chmod(0o644)
    errors, warnings = env_file_problems(env)
    assert len(errors) == 1 and "site.env:3" in errors[0] and "export" in errors[0]
    assert any("site.env:4" in w and "backslash" in w for w in warnings)
    assert any("chmod 600" in w for w in warnings)
    env.write_text("A=1\n", encoding="utf-8")
    env.chmod(0o600)
    assert env_file_problems(env) == ([], [])


# --- systemd rendering -------------------------------------------------------------------------


@pytest.mark.parametrize(("arg", "word"), [
    ("/srv/ia/site.yaml", "/srv/ia/site.yaml"),
    ("/srv/my site/a.yaml", '"/srv/my site/a.yaml"'),
    ("/srv/100%/a", '"/srv/100%%/a"'),
    ("/srv/$HOME/a", '"/srv/$$HOME/a"'),
    ('/srv/say "hi"', '"/srv/say \\"hi\\""'),
    ("/srv/it's", '"/srv/it\'s"'),
    ("/srv/Hùng Vương", '"/srv/Hùng Vương"'),
    ("a;b", '"a;b"'),
])
def test_exec_start_words(arg: str, word: str) -> None:
    assert systemd_quote(arg) == word


def test_service_unit_exact_text() -> None:
    job = _job(inventory=Path("/srv/my sites/100% site.yaml"),
               env_file=Path("/etc/infraaudit/hung vuong.env"), db=Path("/var/lib/ia/$h.db"),
               executable=("/opt/my ia/bin/python", "-m", "infraaudit.cli"))
    text = render_service(job)
    lines = text.splitlines()
    assert lines[0] == (f"# Written by `infraaudit schedule install` (infraaudit {__version__}); "
                        "the next install")
    assert lines[2].startswith("# infraaudit-schedule: {")
    assert text.split("[Unit]\n", 1)[1] == (
        "Description=infraaudit nightly health check (hung-vuong)\n"
        "Wants=network-online.target\n"
        "After=network-online.target\n"
        "\n"
        "[Service]\n"
        "Type=oneshot\n"
        'ExecStart="/opt/my ia/bin/python" -m infraaudit.cli health '
        '"/srv/my sites/100%% site.yaml" --db "/var/lib/ia/$$h.db"\n'
        "EnvironmentFile=/etc/infraaudit/hung vuong.env\n"
        "SuccessExitStatus=1\n"
        "Nice=10\n"
        "IOSchedulingClass=idle\n"
        "TimeoutStartSec=1h\n")
    assert "--env-file" not in text  # systemd reads the secrets, they are not even named there
    assert parse_metadata(text) == {
        "name": "hung-vuong", "site_id": "hung-vuong", "inventory": "/srv/my sites/100% site.yaml",
        "at": "02:30", "random_delay_s": 1800, "env_file": "/etc/infraaudit/hung vuong.env",
        "db": "/var/lib/ia/$h.db", "history_db": "/var/lib/ia/$h.db"}


def test_user_service_has_no_network_online_target() -> None:
    text = render_service(_job(), user=True)
    assert "network-online" not in text
    assert "remove --name hung-vuong --user" in text
    assert "ExecStart=/opt/ia/.venv/bin/infraaudit health /srv/ia/site.yaml\n" in text
    assert "EnvironmentFile" not in text


def test_a_site_id_never_reaches_the_unit_unescaped() -> None:
    text = render_service(_job(site_id="x\n[Service]\nExecStartPre=/bin/evil"))
    mentions = [line for line in text.splitlines() if "ExecStartPre" in line]
    assert len(mentions) == 1 and mentions[0].startswith("# infraaudit-schedule: ")


def test_timer_unit_exact_text() -> None:
    text = render_timer(_job(at=parse_at("7:05"), random_delay_s=5400))
    assert text == (
        "# Written by `infraaudit schedule install`: starts "
        "infraaudit-health-hung-vuong.service every day.\n"
        "[Unit]\n"
        "Description=infraaudit nightly health check (hung-vuong), daily at 07:05\n"
        "\n"
        "[Timer]\n"
        "OnCalendar=*-*-* 07:05:00\n"
        "RandomizedDelaySec=1h 30min\n"
        "Persistent=true\n"
        "Unit=infraaudit-health-hung-vuong.service\n"
        "\n"
        "[Install]\n"
        "WantedBy=timers.target\n")
    assert parse_timer(text) == (TimeOfDay(7, 5), "1h 30min")
    assert "RandomizedDelaySec=0\n" in render_timer(_job(random_delay_s=0))


# --- cron rendering and merging ----------------------------------------------------------------


def test_cron_line_exact_text_and_quoting() -> None:
    job = _job(inventory=Path("/srv/my sites/100% it's.yaml"), env_file=Path("/etc/ia/s.env"),
               db=Path("/var/lib/ia/$h.db"))
    wrappers = cron_wrappers(3600, which=lambda name: f"/usr/bin/{name}")
    line = render_cron_line(job, 14, wrappers)
    assert line == (
        "44 2 * * * /usr/bin/nice -n 10 /usr/bin/ionice -c 3 /usr/bin/timeout --kill-after=60 "
        "3600 /opt/ia/.venv/bin/infraaudit health '/srv/my sites/100\\% it'\"'\"'s.yaml' "
        "--env-file /etc/ia/s.env --db '/var/lib/ia/$h.db' # infraaudit-health-hung-vuong")
    # cron turns \% into %, then /bin/sh splits the words back to the original arguments
    command = line.split(None, 5)[5].replace("\\%", "%")
    assert shlex.split(command, comments=True) == [*wrappers, *job.argv(env_file_option=True)]
    entry = parse_cron_line(line)
    assert entry is not None and entry.enabled and entry.at == TimeOfDay(2, 44)
    assert (entry.inventory, entry.env_file, entry.db) == (job.inventory, job.env_file, job.db)


def test_cron_line_without_wrappers_and_across_midnight() -> None:
    line = render_cron_line(_job(at=TimeOfDay(23, 50)), 25)
    assert line == ("15 0 * * * /opt/ia/.venv/bin/infraaudit health /srv/ia/site.yaml "
                    "# infraaudit-health-hung-vuong")
    assert cron_wrappers(60, which=lambda name: None) == []
    assert cron_quote("100%") == "100\\%"


def test_cron_offset_is_fixed_and_inside_the_window() -> None:
    offsets = {cron_offset(f"site{i}", 1800, "host-a") for i in range(200)}
    assert offsets <= set(range(31)) and len(offsets) > 10  # spread over the window
    assert cron_offset("s1", 1800, "host-a") == cron_offset("s1", 1800, "host-a")
    assert cron_offset("s1", 0, "host-a") == 0 and cron_offset("s1", 59, "host-a") == 0


FOREIGN = (
    "MAILTO=ops@example.vn\n"
    "# m h dom mon dow command\n"
    "\n"
    "*/5 * * * * /usr/local/bin/backup --quiet # infraaudit-health is not a tag here\n"
    "0 3 * * * /opt/ia/infraaudit health /srv/other.yaml # infraaudit-health-other\n"
    "@reboot /usr/bin/true"  # no final newline
)


def test_crontab_merge_keeps_every_other_line_and_is_idempotent() -> None:
    line = render_cron_line(_job(), 0)
    merged = merge_crontab(FOREIGN, line, "hung-vuong")
    assert merged == FOREIGN + "\n" + line + "\n"
    assert merge_crontab(merged, line, "hung-vuong") == merged
    assert set(cron_entries(merged)) == {"other", "hung-vuong"}
    updated = merge_crontab(merged, render_cron_line(_job(at=TimeOfDay(4, 0)), 0), "hung-vuong")
    assert updated.count("infraaudit-health-hung-vuong") == 1
    assert updated.startswith(FOREIGN) and "\n0 4 * * * " in updated
    kept, removed = remove_from_crontab(updated, "hung-vuong")
    assert kept == FOREIGN + "\n" and len(removed) == 1
    assert remove_from_crontab(kept, "hung-vuong") == (kept, [])


def test_crontab_merge_replaces_in_place_drops_duplicates_keeps_crlf() -> None:
    old = "0 1 * * * old # infraaudit-health-s1"
    text = f"A=1\r\n{old}\r\n# note\r\n{old}\r\nB=2\r\n"
    merged = merge_crontab(text, "5 2 * * * new # infraaudit-health-s1", "s1")
    assert merged == "A=1\r\n5 2 * * * new # infraaudit-health-s1\n# note\r\nB=2\r\n"
    assert merge_crontab("", "x # infraaudit-health-s1", "s1") == "x # infraaudit-health-s1\n"


def test_a_commented_out_line_is_ours_but_disabled() -> None:
    text = "#30 2 * * * /x health /i.yaml # infraaudit-health-s1\n"
    entry = parse_cron_line(cron_entries(text)["s1"])
    assert entry is not None and not entry.enabled and entry.at == TimeOfDay(2, 30)
    assert remove_from_crontab(text, "s1")[0] == ""
    assert cron_entries("1 2 * * * x #infraaudit-health-s1x\n") == {"s1x": "1 2 * * * x "
                                                                   "#infraaudit-health-s1x"}
    assert cron_entries("1 2 * * * x # infraaudit-health-s1 trailing\n") == {}


def test_next_run_is_the_next_wall_clock_time() -> None:
    tz = timezone(timedelta(hours=7))
    before = datetime(2026, 3, 1, 1, 0, tzinfo=tz)
    assert next_run(TimeOfDay(2, 30), before) == datetime(2026, 3, 1, 2, 30, tzinfo=tz)
    at_time = datetime(2026, 3, 1, 2, 30, tzinfo=tz)
    assert next_run(TimeOfDay(2, 30), at_time) == datetime(2026, 3, 2, 2, 30, tzinfo=tz)


# --- systemd and cron backends with fakes ------------------------------------------------------


def _script(path: Path, body: str) -> Path:
    path.write_text("#!/bin/sh\n" + body, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def _fake_systemctl(tmp_path: Path) -> tuple[Path, Path]:
    log = tmp_path / "systemctl.log"
    script = _script(tmp_path / "systemctl", f"""echo "$*" >> '{log}'
case "$*" in
  *"show infraaudit-health-s1.timer"*)
    echo NextElapseUSecRealtime=Tue 2026-03-03 02:41:07 +07
    echo LastTriggerUSec=Mon 2026-03-02 02:37:00 +07
    echo UnitFileState=enabled
    echo ActiveState=active;;
  *"show infraaudit-health-s1.service"*)
    echo Result=exit-code
    echo ExecMainStatus=1
    echo ExecMainExitTimestamp=Mon 2026-03-02 02:38:12 +07;;
esac
""")
    return script, log


def test_systemd_install_status_remove_with_a_running_systemd(tmp_path: Path) -> None:
    systemctl, log = _fake_systemctl(tmp_path)
    units = tmp_path / "units"
    manager = Systemd(units, user=True, manage=True, analyze=None, systemctl=str(systemctl))
    job = make_job(_inventory(tmp_path, "s1"), "02:30", random_delay="15m", executable=EXE)
    outcome = manager.install(job)
    assert outcome.done and any("not verified" in w for w in outcome.warnings)
    assert sorted(p.name for p in units.iterdir()) == ["infraaudit-health-s1.service",
                                                       "infraaudit-health-s1.timer"]
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o644 for p in units.iterdir())
    assert log.read_text().splitlines() == ["--user daemon-reload",
                                            "--user enable --now infraaudit-health-s1.timer"]
    status = manager.status("s1")
    assert status.installed and status.next_run_source == "systemd"
    assert status.next_run == "Tue 2026-03-03 02:41:07 +07"
    assert status.last_result is not None and "exit 1 (something needs attention)" in \
        status.last_result
    assert status.enabled == "enabled, active"
    assert status.schedule == "daily at 02:30 local time, random delay up to 15min"
    log.write_text("")
    (units / "timers.target.wants").mkdir()
    (units / "timers.target.wants" / "infraaudit-health-s1.timer").symlink_to(
        units / "infraaudit-health-s1.timer")
    removed = manager.remove("s1")
    assert removed.done and len(removed.messages) == 3
    assert log.read_text().splitlines()[:3] == [
        "--user disable --now infraaudit-health-s1.timer",
        "--user stop infraaudit-health-s1.service", "--user daemon-reload"]
    assert list(units.rglob("*infraaudit*")) == []
    again = manager.remove("s1")
    assert not again.done and "nothing to remove" in again.messages[0]


def test_systemd_enable_failure_is_an_error(tmp_path: Path) -> None:
    systemctl = _script(tmp_path / "systemctl", 'echo "Failed to connect to bus" >&2; exit 1\n')
    manager = Systemd(tmp_path / "u", user=False, manage=True, systemctl=str(systemctl))
    job = make_job(_inventory(tmp_path, "s1"), "02:30", executable=EXE)
    with pytest.raises(ScheduleError, match="daemon-reload failed: Failed to connect to bus"):
        manager.install(job)


def test_systemd_without_manager_computes_the_next_run(tmp_path: Path) -> None:
    manager = Systemd(tmp_path / "u", user=False, manage=False, systemctl="/nonexistent")
    job = make_job(_inventory(tmp_path, "s1"), "02:30", executable=EXE)
    outcome = manager.install(job)
    assert any("not enabled" in m and "systemctl daemon-reload" in m for m in outcome.messages)
    now = datetime(2026, 3, 1, 3, 0).astimezone()
    status = manager.status("s1", now=now)
    assert status.installed and status.next_run_source == "computed"
    assert status.next_run is not None and status.next_run.startswith("Mon 2026-03-02 02:30")
    assert manager.installed() == ["s1"]
    (tmp_path / "u" / "infraaudit-health-s1.service").unlink()
    partial = manager.status("s1")
    assert not partial.installed and "incomplete" in partial.notes[0]


def test_cron_backend_dry_run_changes_nothing(tmp_path: Path) -> None:
    store = tmp_path / "crontab.txt"
    store.write_text(FOREIGN, encoding="utf-8")
    fake = _script(tmp_path / "crontab", f"""case "$1" in
  -l) cat '{store}';; -) cat > '{store}';; *) exit 2;; esac
""")
    cron = Cron((str(fake),), seed="host", wrappers=lambda t: [])
    job = make_job(_inventory(tmp_path, "s1"), "02:30", random_delay="30m", executable=EXE)
    outcome = cron.install(job, dry_run=True)
    assert not outcome.done and list(outcome.preview.values()) == [cron.line(job) + "\n"]
    assert store.read_text(encoding="utf-8") == FOREIGN
    offset = cron_offset("s1", 1800, "host")
    assert any(f"a fixed {offset} min" in m for m in outcome.messages)


# --- the CLI -----------------------------------------------------------------------------------


def test_cli_exit_codes(tmp_path: Path) -> None:
    runner = CliRunner()
    inventory = _inventory(tmp_path, "s1")
    units = tmp_path / "units"
    bad_at = runner.invoke(schedule_app, ["install", str(inventory), "--at", "25:00",
                                          "--unit-dir", str(units)])
    assert bad_at.exit_code == 2 and "--at '25:00'" in bad_at.output
    missing = runner.invoke(schedule_app, ["install", str(tmp_path / "nope.yaml"), "--at",
                                           "02:30", "--unit-dir", str(units)])
    assert missing.exit_code == 2 and "not found" in missing.output
    both = runner.invoke(schedule_app, ["install", str(inventory), "--at", "02:30",
                                        "--unit-dir", str(units), "--crontab", "/bin/false"])
    assert both.exit_code == 2 and "not both" in both.output
    (tmp_path / "file").write_text("", encoding="utf-8")
    unwritable = runner.invoke(schedule_app, ["install", str(inventory), "--at", "02:30",
                                              "--unit-dir", str(tmp_path / "file" / "units")])
    assert unwritable.exit_code == 1 and "cannot write" in unwritable.output
    dry = runner.invoke(schedule_app, ["install", str(inventory), "--at", "02:30",
                                       "--unit-dir", str(units), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "OnCalendar=*-*-* 02:30:00" in dry.output and not units.exists()
    status = runner.invoke(schedule_app, ["status", "--unit-dir", str(units)])
    assert status.exit_code == 1 and "no infraaudit-health-* schedule" in status.output
    named = runner.invoke(schedule_app, ["status", "--unit-dir", str(units), "--name", "s1",
                                         "--json"])
    assert named.exit_code == 1 and '"installed": false' in named.output
    remove = runner.invoke(schedule_app, ["remove", "--unit-dir", str(units)])
    assert remove.exit_code == 0 and "nothing to remove" in remove.output
    bad_name = runner.invoke(schedule_app, ["remove", "--unit-dir", str(units), "--name", "a b"])
    assert bad_name.exit_code == 2


def test_cli_remove_needs_a_name_when_several_are_installed(tmp_path: Path) -> None:
    runner = CliRunner()
    units = tmp_path / "units"
    for site in ("s1", "s2"):
        result = runner.invoke(schedule_app, ["install", str(_inventory(tmp_path / site, site)),
                                              "--at", "02:30", "--unit-dir", str(units)])
        assert result.exit_code == 0, result.output
    several = runner.invoke(schedule_app, ["remove", "--unit-dir", str(units)])
    assert several.exit_code == 2 and "s1, s2" in several.output
    status = runner.invoke(schedule_app, ["status", "--unit-dir", str(units)])
    assert status.exit_code == 0 and status.output.count(": installed") == 2
    assert runner.invoke(schedule_app, ["remove", "--unit-dir", str(units), "--name",
                                        "s2"]).exit_code == 0
    assert runner.invoke(schedule_app, ["remove", "--unit-dir", str(units)]).exit_code == 0
    assert list(units.iterdir()) == []


def test_help_explains_the_options() -> None:
    result = CliRunner().invoke(schedule_app, ["install", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    for text in ("--at", "--random-delay", "--env-file", "--user", "--system", "--unit-dir",
                 "--crontab", "--dry-run", "EnvironmentFile"):
        assert text in result.output
