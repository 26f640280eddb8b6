"""`infraaudit schedule install|remove|status`: exit codes and help. Every call passes
--unit-dir: the real /etc/systemd is never touched."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from infraaudit.cli.schedule import schedule_app
from tests.unit.health.schedule.schedule_samples import _inventory


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
