"""cron: the crontab lines rendered, the merge that keeps every other line, and a dry run
through a fake crontab. Nothing here touches the real crontab."""

from __future__ import annotations

import shlex
from pathlib import Path

from infraaudit.health.schedule import (
    Cron,
    TimeOfDay,
    cron_entries,
    cron_offset,
    cron_quote,
    cron_wrappers,
    make_job,
    merge_crontab,
    parse_cron_line,
    remove_from_crontab,
    render_cron_line,
)
from tests.unit.health.schedule.schedule_samples import EXE, _inventory, _job, _script


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
