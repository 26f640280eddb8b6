"""`infraaudit schedule` against the real tools: units installed into a scratch directory and
checked by the real `systemd-analyze verify`, crontab round trips through a fake `crontab` script
and through the real one (root: in a private mount namespace whose crontab spool is a scratch
directory). The real /etc/systemd, the real crontabs and a running systemd are never touched:
every call passes --unit-dir or --crontab."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from infraaudit.cli.schedule import schedule_app
from infraaudit.errors import ScheduleError
from infraaudit.health.schedule import Systemd, cron_entries, make_job


@pytest.fixture(autouse=True)
def _no_crontab_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("INFRAAUDIT_CRONTAB", raising=False)


ANALYZE = shutil.which("systemd-analyze")
needs_analyze = pytest.mark.skipif(ANALYZE is None, reason="systemd-analyze not installed")
SPOOL = Path("/var/spool/cron/crontabs")
FOREIGN = "MAILTO=ops@example.vn\n# keep me\n*/5 * * * * /usr/bin/true # other\n"


def _site(directory: Path, site_id: str = "hung-vuong") -> tuple[Path, Path]:
    """An inventory and an env file in a directory whose name needs quoting everywhere."""
    directory.mkdir(parents=True, exist_ok=True)
    inventory = directory / "site 100%.yaml"
    inventory.write_text(f"agency: {{code: T, name: T}}\nsite: {{id: {site_id}, name: S}}\n"
                         "credentials: {snmp: {o: {version: v2c, community: '${COMM}'}}}\n"
                         "devices: []\n", encoding="utf-8")
    env = directory / "site.env"
    env.write_text("COMM=from-the-env-file\n", encoding="utf-8")
    env.chmod(0o600)
    return inventory, env


def _invoke(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(schedule_app, list(args), env=env)
    return result.exit_code, result.output


def _verify(files: list[Path], user: bool) -> subprocess.CompletedProcess[str]:
    assert ANALYZE is not None
    env = dict(os.environ)
    if user and not env.get("XDG_RUNTIME_DIR"):
        runtime = files[0].parent.parent / "runtime"
        runtime.mkdir(mode=0o700, exist_ok=True)
        env["XDG_RUNTIME_DIR"] = str(runtime)
    return subprocess.run([ANALYZE, *(["--user"] if user else []), "verify", *map(str, files)],
                          capture_output=True, text=True, check=False, timeout=60, env=env)


@needs_analyze
@pytest.mark.parametrize("scope", ["--system", "--user"])
def test_units_pass_systemd_analyze_verify_and_remove_leaves_nothing(tmp_path: Path,
                                                                     scope: str) -> None:
    inventory, env = _site(tmp_path / "my sites")
    units = tmp_path / "unit dir"
    code, output = _invoke("install", str(inventory), "--at", "02:30", "--random-delay", "30m",
                           "--env-file", str(env), "--db", str(tmp_path / "my sites" / "$h.db"),
                           "--unit-dir", str(units), scope)
    assert code == 0, output
    assert "systemd-analyze verify: no problem found" in output
    files = sorted(units.iterdir())
    assert [f.name for f in files] == ["infraaudit-health-hung-vuong.service",
                                       "infraaudit-health-hung-vuong.timer"]
    service = files[0].read_text(encoding="utf-8")
    assert f"EnvironmentFile={env}\n" in service and "from-the-env-file" not in service
    result = _verify(files, user=scope == "--user")
    assert result.returncode == 0 and (result.stdout + result.stderr).strip() == ""

    code, output = _invoke("status", "--unit-dir", str(units), scope)
    assert code == 0, output
    assert "installed" in output and "daily at 02:30" in output and "(computed)" in output
    code, output = _invoke("install", str(inventory), "--at", "03:15", "--env-file", str(env),
                           "--unit-dir", str(units), scope)  # again: replaced, not doubled
    assert code == 0, output
    assert len(list(units.iterdir())) == 2
    assert "OnCalendar=*-*-* 03:15:00" in (units / files[1].name).read_text(encoding="utf-8")

    code, output = _invoke("remove", "--unit-dir", str(units), scope)
    assert code == 0 and output.count("deleted ") == 2, output
    assert list(units.iterdir()) == []
    code, output = _invoke("remove", "--unit-dir", str(units), "--name", "hung-vuong", scope)
    assert code == 0 and "nothing to remove" in output
    code, _ = _invoke("status", "--unit-dir", str(units), scope)
    assert code == 1


@needs_analyze
def test_verify_failure_installs_nothing(tmp_path: Path) -> None:
    inventory, _ = _site(tmp_path)
    job = make_job(inventory, "02:30", executable=("/nonexistent/bin/infraaudit",))
    manager = Systemd(tmp_path / "units", user=False, manage=False, analyze=ANALYZE)
    with pytest.raises(ScheduleError, match=r"(?s)verify rejected.*/nonexistent/bin/infraaudit"):
        manager.install(job)
    assert not (tmp_path / "units").exists()


def test_env_file_with_export_lines_is_refused_for_systemd(tmp_path: Path) -> None:
    inventory, env = _site(tmp_path)
    env.write_text("export COMM=x\n", encoding="utf-8")
    code, output = _invoke("install", str(inventory), "--at", "02:30", "--env-file", str(env),
                           "--unit-dir", str(tmp_path / "units"))
    assert code == 2 and "export" in output
    assert not (tmp_path / "units").exists()


def _fake_crontab(directory: Path) -> tuple[Path, Path]:
    store = directory / "crontab.txt"
    script = directory / "fake crontab"
    script.write_text(f"""#!/bin/sh
case "$1" in
  -l) [ -f '{store}' ] || {{ echo "no crontab for $(id -un)" >&2; exit 1; }}; cat '{store}';;
  -) cat > '{store}';;
  *) echo "fake crontab: unexpected $*" >&2; exit 2;;
esac
""", encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script, store


def _cron_round_trip(crontab: Path, tmp_path: Path,
                     env: dict[str, str] | None = None) -> None:
    """install twice (one line, foreign lines intact), status, remove, remove again."""
    inventory, env_file = _site(tmp_path / "my sites")
    option = [] if env else ["--crontab", str(crontab)]

    def current() -> str:
        res = subprocess.run([str(crontab), "-l"], capture_output=True, text=True, check=False,
                             timeout=30)
        return res.stdout if res.returncode == 0 else ""

    for _ in range(2):
        code, output = _invoke("install", str(inventory), "--at", "02:30", "--random-delay",
                               "30m", "--env-file", str(env_file), *option, env=env)
        assert code == 0, output
    text = current()
    assert text.startswith(FOREIGN)
    line = cron_entries(text)["hung-vuong"]
    assert text == FOREIGN + line + "\n"
    assert "--env-file" in line and "from-the-env-file" not in line and "\\%" in line
    minute, hour = (int(f) for f in line.split()[:2])
    assert (hour, minute) == (3, 0) or (hour == 2 and 30 <= minute <= 59)

    code, output = _invoke("status", *option, env=env)
    assert code == 0 and f"daily at {hour:02d}:{minute:02d}" in output, output
    code, output = _invoke("remove", *option, env=env)
    assert code == 0 and "removed from the crontab" in output, output
    assert current() == FOREIGN
    code, output = _invoke("remove", *option, env=env)
    assert code == 0 and "nothing to remove" in output
    code, _ = _invoke("status", *option, env=env)
    assert code == 1


def test_cron_round_trip_with_a_fake_crontab(tmp_path: Path) -> None:
    crontab, store = _fake_crontab(tmp_path)
    store.write_text(FOREIGN, encoding="utf-8")
    _cron_round_trip(crontab, tmp_path)


def test_cron_round_trip_with_the_crontab_from_the_environment(tmp_path: Path) -> None:
    crontab, store = _fake_crontab(tmp_path)
    store.write_text(FOREIGN, encoding="utf-8")
    _cron_round_trip(crontab, tmp_path, env={"INFRAAUDIT_CRONTAB": str(crontab)})


def test_a_failing_crontab_is_an_error(tmp_path: Path) -> None:
    crontab = tmp_path / "crontab"
    crontab.write_text("#!/bin/sh\necho 'crontab: permission denied' >&2\nexit 1\n",
                       encoding="utf-8")
    crontab.chmod(0o755)
    inventory, _ = _site(tmp_path)
    code, output = _invoke("install", str(inventory), "--at", "02:30", "--crontab", str(crontab))
    assert code == 1 and "permission denied" in output
    code, output = _invoke("status", "--crontab", str(crontab))
    assert code == 1 and "permission denied" in output


@pytest.fixture
def private_crontab(tmp_path: Path) -> Iterator[Path]:
    """The real `crontab`, in its own mount namespace where the spool is a scratch directory:
    root's real crontab is never read or written."""
    real = shutil.which("crontab")
    unshare = shutil.which("unshare")
    if real is None or unshare is None or os.geteuid() != 0 or not SPOOL.is_dir():
        pytest.skip("needs root, the cron package (crontab) and unshare")
    spool = tmp_path / "spool"
    spool.mkdir()
    wrapper = tmp_path / "crontab-private"
    wrapper.write_text(
        "#!/bin/sh\n"
        f"exec {unshare} --mount --propagation private sh -c "
        f"'mount --bind \"$0\" {SPOOL} && exec {real} \"$@\"' '{spool}' \"$@\"\n",
        encoding="utf-8")
    wrapper.chmod(0o755)
    probe = subprocess.run([str(wrapper), "-l"], capture_output=True, text=True, check=False,
                           timeout=30)
    if "no crontab" not in probe.stderr:
        pytest.skip(f"cannot give crontab a private spool here: {probe.stderr.strip()}")
    yield wrapper
    assert [p.name for p in spool.iterdir()] in ([], ["root"])  # only ever the scratch spool


def test_cron_round_trip_with_the_real_crontab(private_crontab: Path, tmp_path: Path) -> None:
    feed = subprocess.run([str(private_crontab), "-"], input=FOREIGN, capture_output=True,
                          text=True, check=False, timeout=30)
    assert feed.returncode == 0, feed.stderr
    _cron_round_trip(private_crontab, tmp_path)  # the real crontab also checks the syntax


def _as_cron_runs_it(line: str) -> str:
    """The command cron gives to /bin/sh -c: the sixth field on, ``\\%`` turned into ``%`` (an
    unescaped ``%`` would end the command)."""
    command = line.split(None, 5)[5]
    assert "%" not in command.replace("\\%", "")
    return command.replace("\\%", "%")


def test_the_crontab_line_runs_the_health_check(tmp_path: Path) -> None:
    """The installed line, run by /bin/sh as cron would: the env file supplies the secret, the
    run lands in the --db given at install, and status reports it."""
    inventory, env_file = _site(tmp_path / "it's 100% a site")
    inventory.write_text(inventory.read_text(encoding="utf-8")
                         + "health: {ping_gateway: false}\n", encoding="utf-8")
    db = tmp_path / "it's 100% a site" / "history $HOME.sqlite"
    crontab, store = _fake_crontab(tmp_path)
    code, output = _invoke("install", str(inventory), "--at", "02:30", "--env-file",
                           str(env_file), "--db", str(db), "--crontab", str(crontab))
    assert code == 0, output
    line = cron_entries(store.read_text(encoding="utf-8"))["hung-vuong"]
    result = subprocess.run(["/bin/sh", "-c", _as_cron_runs_it(line)], capture_output=True,
                            text=True, check=False, timeout=300, cwd="/",
                            env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    assert result.returncode == 0, result.stdout + result.stderr
    assert db.is_file()
    code, output = _invoke("status", "--crontab", str(crontab))
    assert code == 0 and "(complete, 0 alert(s)" in output, output
