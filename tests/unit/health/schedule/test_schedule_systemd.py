"""systemd: the unit files rendered, and install, status and remove through a fake
systemctl. Nothing here touches the real /etc/systemd or a running systemd."""

from __future__ import annotations

import stat
from datetime import datetime
from pathlib import Path

import pytest

from infraaudit import __version__
from infraaudit.errors import ScheduleError
from infraaudit.health.schedule import (
    Systemd,
    TimeOfDay,
    make_job,
    parse_at,
    parse_metadata,
    parse_timer,
    render_service,
    render_timer,
    systemd_quote,
)
from tests.unit.health.schedule.schedule_samples import EXE, _inventory, _job, _script


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
