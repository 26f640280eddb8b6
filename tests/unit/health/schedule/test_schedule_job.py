"""The install request: times, durations, names, the inventory and env file it reads, and
the checks an env file gets before systemd reads it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from infraaudit.errors import ScheduleInputError
from infraaudit.health.schedule import (
    TimeOfDay,
    check_name,
    default_executable,
    env_file_problems,
    format_timespan,
    make_job,
    parse_at,
    parse_duration,
)
from tests.unit.health.schedule.schedule_samples import EXE, _inventory


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
